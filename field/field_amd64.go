//go:build amd64 && gc && !purego

package field

// Dispatch: plain if/switch on the package variables of backend.go (no
// function pointers), one call level between the exported method and the
// assembly.

// feMul and feSquare are assembly (field_amd64.s) that test useBMI2ADX
// themselves and tail-call feMulGeneric or feSquareGeneric without it.

func feSquareN(v, a *Element, n int) {
	if useBMI2ADX {
		squareNADX(v, a, n)
		return
	}
	feSquareNGeneric(v, a, n)
}

func feMul4(out, a, b *[4]Element) {
	switch {
	case useAVX512IFMA:
		mul4IFMA(out, a, b)
	case useAVX2:
		mul4AVX2(out, a, b)
	case useBMI2ADX:
		// Four calls beat one assembly loop over the four (measured: the
		// loop needs its products staged on the stack to allow overlap).
		var t [4]Element
		for i := range a {
			feMul(&t[i], &a[i], &b[i])
		}
		*out = t
	default:
		feMul4Generic(out, a, b)
	}
}

func feSquare4(out, a *[4]Element) {
	switch {
	case useAVX512IFMA:
		square4IFMA(out, a)
	case useAVX2:
		square4AVX2(out, a)
	case useBMI2ADX:
		var t [4]Element
		for i := range a {
			feSquare(&t[i], &a[i])
		}
		*out = t
	default:
		feSquare4Generic(out, a)
	}
}
