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
	return v.varTimeMSM(nil, nil, scalars, points)
}

// VarTimeMultiScalarBaseMult sets v = [s]B + sum [scalars[i]] points[i],
// where B is the canonical generator, and returns v: the shape of a
// randomized batch verification equation. The B term uses the constant base
// point tables. Variable-time.
func (v *Point) VarTimeMultiScalarBaseMult(s *Scalar, scalars []*Scalar, points []*Point) *Point {
	return v.varTimeMSM(nil, s, scalars, points)
}

// VarTimeMultiScalarBaseMultScratch is VarTimeMultiScalarBaseMult with its
// working memory in sc, kept between calls: after the first calls of a
// given size it allocates nothing in lane form (useVec); the scalar-layout
// Pippenger still allocates the two slices of its shared inversion
// (batchToAffineCached).
func (v *Point) VarTimeMultiScalarBaseMultScratch(sc *MSMScratch, s *Scalar, scalars []*Scalar, points []*Point) *Point {
	return v.varTimeMSM(sc, s, scalars, points)
}

// MSMScratch is the working memory of the multiscalar multiplications
// (NAF digits, tables, buckets), for callers that run many of them: the
// batch verifier keeps one per worker. Without it every call allocates
// about 1.5 KB per term, and in a service verifying tens of thousands of
// signatures a second that garbage made the collector the largest source
// of latency outliers. The zero value is ready to use; an MSMScratch must
// not be used by two calls at once.
type MSMScratch struct {
	nafs     [][256]int8
	tables   []nafTable5
	vtables  []vecTable8
	digits   []int16
	aff      []affineCached
	cached   []vecCached
	pbuckets []Point
	vbuckets []vecPoint
	filled   []bool
	counts   []int32 // nonzero digits per window (the parallel split)
}

// grow returns s with length n, reusing its memory when it is large
// enough. The elements are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (v *Point) varTimeMSM(sc *MSMScratch, s *Scalar, scalars []*Scalar, points []*Point) *Point {
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
		return v.straus(sc, s, scalars, points)
	default:
		if sc == nil {
			sc = new(MSMScratch)
		}
		return v.pippenger(sc, s, scalars, points, pippengerWindow(n))
	}
}
