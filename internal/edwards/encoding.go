package edwards

import "errors"

var (
	errEncodingLength = errors.New("edwards: invalid point encoding length")
	errNotOnCurve     = errors.New("edwards: invalid point encoding")
)

// SetBytes sets v to the point encoded by x (RFC 8032, section 5.1.3, as
// implemented by filippo.io/edwards25519 and crypto/ed25519) and reports
// whether the encoding was canonical.
//
// Like filippo.io/edwards25519, SetBytes accepts the two kinds of
// non-canonical encodings that all three ronkms verification modes accept: a
// y coordinate in [p, 2^255) (taken mod p), and x = 0 with the sign bit set
// (decoded as x = 0). canonical is false exactly for those, that is
// canonical is true if and only if v.Bytes() equals x. An encoding whose y
// has no matching x (not a point), or that is not 32 bytes long, is rejected
// with an error and leaves v unchanged.
//
// The decoded point has Z = 1. SetBytes is variable-time: decoding inputs
// are public.
func (v *Point) SetBytes(x []byte) (canonical bool, err error) {
	if len(x) != 32 {
		return false, errEncodingLength
	}
	// The steps of decode4.go's decodeState, with the exponentiation in
	// between done here, alone.
	var s decodeState
	var t fe
	s.prepare(x, &t)
	t.Pow22523(&t)
	canonical, ok := s.finish(v, x, &t)
	if !ok {
		return false, errNotOnCurve
	}
	return canonical, nil
}

// isCanonicalY reports whether the low 255 bits of the 32-byte x encode an
// integer below p = 2^255 - 19.
func isCanonicalY(x []byte) bool {
	if x[31]&0x7f != 0x7f || x[0] < 0xed {
		return true
	}
	for _, b := range x[1:31] {
		if b != 0xff {
			return true
		}
	}
	return false
}

// Bytes returns the canonical 32-byte encoding of v (RFC 8032, section
// 5.1.2). It costs one inversion; see BatchEncode for many points.
func (v *Point) Bytes() []byte {
	// Outlined so that the array can live on the caller's stack.
	var buf [32]byte
	v.BytesInto(&buf)
	return buf[:]
}

// BytesInto writes the canonical encoding of v to out. It panics if v is
// the zero value (Z = 0), which is not a point.
func (v *Point) BytesInto(out *[32]byte) {
	var zInv fe
	zInv.Invert(&v.z)
	if feIsZero(&zInv) {
		panic("edwards: use of uninitialized Point")
	}
	encodeWithZInv(out, v, &zInv)
}

// encodeWithZInv writes the encoding of p given zInv = 1/Z.
func encodeWithZInv(out *[32]byte, p *Point, zInv *fe) {
	var x, y fe
	x.Multiply(&p.x, zInv)
	y.Multiply(&p.y, zInv)
	copy(out[:], y.Bytes())
	out[31] |= byte(x.IsNegative() << 7)
}

// batchStack is the number of points BatchEncode and batchToAffineCached
// handle without allocating scratch space.
const batchStack = 64

// BatchEncode writes the canonical encoding of points[i] to out[i] for
// every i, with a single field inversion for the whole batch (Montgomery's
// trick: about 3 multiplications per point plus one inversion, instead of
// one inversion per point). out and points must have the same length.
// Points may be the identity or any other valid point. It is constant-time.
//
// For more than 64 points it allocates scratch space for the partial
// products.
func BatchEncode(out [][32]byte, points []*Point) {
	if len(out) != len(points) {
		panic("edwards: BatchEncode: out and points lengths differ")
	}
	n := len(points)
	if n == 0 {
		return
	}
	var stack [batchStack]fe
	prefix := stack[:]
	if n > batchStack {
		prefix = make([]fe, n)
	}
	// prefix[i] = Z_0 * ... * Z_i
	prefix[0] = points[0].z
	for i := 1; i < n; i++ {
		prefix[i].Multiply(&prefix[i-1], &points[i].z)
	}
	var inv fe
	inv.Invert(&prefix[n-1])
	if feIsZero(&inv) {
		panic("edwards: BatchEncode: uninitialized Point")
	}
	// inv = 1 / (Z_0 ... Z_i) at the top of each iteration.
	var zInv fe
	for i := n - 1; i > 0; i-- {
		zInv.Multiply(&inv, &prefix[i-1])
		inv.Multiply(&inv, &points[i].z)
		encodeWithZInv(&out[i], points[i], &zInv)
	}
	encodeWithZInv(&out[0], points[0], &inv)
}

// batchToAffineCached sets out[i] to the affine cached form of points[i],
// with one inversion for the points whose Z is not already 1 (decoded
// points have Z = 1 and cost one multiplication each).
func batchToAffineCached(out []affineCached, points []*Point) {
	n := len(points)
	if n == 0 {
		return
	}
	var stack [batchStack]fe
	var affStack [batchStack]bool
	prefix, isAffine := stack[:], affStack[:]
	if n > batchStack {
		prefix = make([]fe, n)
		isAffine = make([]bool, n)
	}
	// prefix[i] is the product of the Z of the non-affine points among the
	// first i+1.
	var acc fe
	acc.One()
	affine := 0
	for i, p := range points {
		if p.z.Equal(feOne) == 1 {
			out[i].fromP3Affine(p)
			isAffine[i] = true
			affine++
		} else {
			acc.Multiply(&acc, &p.z)
		}
		prefix[i] = acc
	}
	if affine == n {
		return
	}
	var inv, zInv fe
	inv.Invert(&acc)
	if feIsZero(&inv) {
		panic("edwards: uninitialized Point")
	}
	// inv = 1 / prefix[i] at the top of each iteration.
	for i := n - 1; i >= 0; i-- {
		if isAffine[i] {
			continue
		}
		p := points[i]
		if i > 0 {
			zInv.Multiply(&inv, &prefix[i-1])
			inv.Multiply(&inv, &p.z)
		} else {
			zInv = inv
		}
		out[i].fromP3ZInv(p, &zInv)
	}
}
