//go:build amd64 && gc && !purego

package field

// The lane routines run in assembly (field_amd64.s) with AVX-512 IFMA or
// AVX2, and on their twins (lanes_ops.go) otherwise. The branch is on CPU
// flags.

func lanesMul(out, a, b *Lanes) {
	switch {
	case useAVX512IFMA:
		mulLanesIFMA(out, a, b)
	case useAVX2:
		mulLanesAVX2(out, a, b)
	default:
		lanesMulGeneric(out, a, b)
	}
}

func lanesSquareN(out, a *Lanes, n int) {
	switch {
	case useAVX512IFMA:
		squareNLanesIFMA(out, a, n)
	case useAVX2:
		squareNLanesAVX2(out, a, n)
	default:
		lanesSquareNGeneric(out, a, n)
	}
}
