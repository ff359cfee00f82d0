//go:build !amd64 || !gc || purego

package field

func feMul(v, a, b *Element)         { feMulGeneric(v, a, b) }
func feSquare(v, a *Element)         { feSquareGeneric(v, a) }
func feSquareN(v, a *Element, n int) { feSquareNGeneric(v, a, n) }
func feMul4(out, a, b *[4]Element)   { feMul4Generic(out, a, b) }
func feSquare4(out, a *[4]Element)   { feSquare4Generic(out, a) }
