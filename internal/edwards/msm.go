package edwards

// pippengerThreshold is the number of terms from which
// VarTimeMultiScalarMult switches from Straus to Pippenger. Measured on the
// project machine (TestCalibrateMSM, minimum of interleaved runs, ns per
// term, two runs): n = 96 Straus 6744 and 6690, best Pippenger 6938 and
// 6787; n = 128 Straus 6697 and 6732, best Pippenger 6234 and 6328.
const pippengerThreshold = 112

// VarTimeMultiScalarMult sets v = sum [scalars[i]] points[i] and returns v.
// scalars and points must have the same length (it panics otherwise); an
// empty sum is the identity. It is variable-time: use it only with public
// inputs.
//
// Below pippengerThreshold terms it uses Straus's method with width-5 NAF
// tables per point; above, Pippenger's bucket method with signed digits,
// the window chosen from the number of terms, and mixed additions against
// the points made affine with one shared inversion (points with Z = 1, as
// SetBytes returns, are used as they are).
func (v *Point) VarTimeMultiScalarMult(scalars []*Scalar, points []*Point) *Point {
	return v.varTimeMSM(nil, scalars, points)
}

// VarTimeMultiScalarBaseMult sets v = [s]B + sum [scalars[i]] points[i],
// where B is the canonical generator, and returns v: the shape of a
// randomized batch verification equation. The B term uses the constant base
// point tables. Variable-time.
func (v *Point) VarTimeMultiScalarBaseMult(s *Scalar, scalars []*Scalar, points []*Point) *Point {
	return v.varTimeMSM(s, scalars, points)
}

func (v *Point) varTimeMSM(s *Scalar, scalars []*Scalar, points []*Point) *Point {
	if len(scalars) != len(points) {
		panic("edwards: VarTimeMultiScalarMult: scalars and points lengths differ")
	}
	switch n := len(points); {
	case n == 0 && s == nil:
		return v.SetIdentity()
	case n == 0:
		var zero Scalar
		return v.VarTimeDoubleScalarBaseMult(&zero, NewIdentityPoint(), s)
	case n < pippengerThreshold:
		return v.straus(s, scalars, points)
	default:
		return v.pippenger(s, scalars, points, pippengerWindow(n))
	}
}
