//go:build amd64 && gc && !purego

package field

// The lane routines run in assembly (field_amd64.s) with AVX-512 IFMA and
// on their twins (lanes_ops.go) otherwise. The branch is on a CPU flag.

func lanesMul(out, a, b *Lanes) {
	if useAVX512IFMA {
		mulLanesIFMA(out, a, b)
		return
	}
	lanesMulGeneric(out, a, b)
}

func lanesSquareN(out, a *Lanes, n int) {
	if useAVX512IFMA {
		squareNLanesIFMA(out, a, n)
		return
	}
	lanesSquareNGeneric(out, a, n)
}
