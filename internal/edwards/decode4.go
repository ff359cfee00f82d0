package edwards

import "github.com/ronkms/ronkms/field"

// Decoding four points at once.
//
// A decoding costs one exponentiation, (u w^7)^((p-5)/8) (decodeState):
// about 250 dependent squarings, nearly all of its time. The exponentiations
// of independent decodings run in the four lanes of field.Lanes
// (Lanes.Pow22523: with AVX-512 IFMA, four squarings cost little more than
// one scalar squaring; with AVX2 about as much as two), while the few
// multiplications before and after stay scalar. The results are those of
// SetBytes, decoding by decoding.

// useLanePow selects the four-way exponentiations of DecodeFour and
// VarTimeTorsionFreeFour: on where the field runs Lanes in assembly
// (AVX-512 IFMA, or AVX2 in radix 2^25.5), off where Lanes would be four
// scalar exponentiations anyway (purego, other architectures). Set once
// from the field's backend; tests turn it off and on.
var useLanePow = field.Backend() == "avx512ifma" || field.Backend() == "avx2"

// lanePowMin is the fewest lanes in use for which one four-lane
// exponentiation beats scalar ones: with IFMA four lanes cost about one
// scalar exponentiation, so 1; with AVX2 about 1.7 (4.8 us against 2.8 us
// with MULX, IFMA switched off on the project machine, since the AVX2
// frames are aligned), so 2. Single verification decodes two points
// (DecodeSignaturePoints): on AVX2 in two lanes of one exponentiation,
// 5.3 us against 6.4 us for two SetBytes.
var lanePowMin = func() int {
	if field.Backend() == "avx512ifma" {
		return 1
	}
	return 2
}()

// lanesPay reports whether n lanes in use justify the four-lane
// exponentiation.
func lanesPay(n int) bool { return useLanePow && n >= lanePowMin }

// DecodeFour decodes enc[i] into out[i] for i = 0..3 with exactly the
// results of out[i].SetBytes(enc[i]): ok[i] is false where SetBytes returns
// an error (out[i] is then left unchanged), canonical[i] is its canonical
// flag. A nil or short enc[i] is an encoding of the wrong length, so fewer
// than four points are decoded by leaving the other entries nil (their lanes
// compute a dummy value). Variable-time: decoding inputs are public.
//
// Where Lanes has no assembly (useLanePow off), or too few lanes are used
// to pay for it (lanePowMin), it is SetBytes for each entry.
func DecodeFour(out *[4]Point, enc *[4][]byte) (canonical, ok [4]bool) {
	used := 0
	for i := range enc {
		if len(enc[i]) == 32 {
			used++
		}
	}
	if !lanesPay(used) {
		for i := range out {
			c, err := out[i].SetBytes(enc[i])
			canonical[i], ok[i] = c, err == nil
		}
		return canonical, ok
	}
	var d [4]decodeState
	var uw7 [4]fe
	for i := range d {
		if len(enc[i]) != 32 {
			uw7[i].One() // unused lane
			continue
		}
		d[i].prepare(enc[i], &uw7[i])
	}
	var l field.Lanes
	l.Set(&uw7[0], &uw7[1], &uw7[2], &uw7[3])
	l.Pow22523(&l)
	var t [4]fe
	l.Get(&t[0], &t[1], &t[2], &t[3])
	for i := range d {
		if len(enc[i]) != 32 {
			continue
		}
		canonical[i], ok[i] = d[i].finish(&out[i], enc[i], &t[i])
	}
	return canonical, ok
}

// decodeState holds one decoding's values around its exponentiation, so
// that SetBytes (one decoding) and DecodeFour (four, one exponentiation in
// lanes) run the same steps.
//
// x comes from x^2 = u/w with u = y^2 - 1 and w = d y^2 + 1. With p = 5
// mod 8, r = u w^3 (u w^7)^((p-5)/8) satisfies w r^2 = ±u when u/w is a
// square; when it is -u, r sqrt(-1) is the root.
type decodeState struct {
	y, u, w, uw3 fe
}

// prepare sets s from the 32-byte encoding x and uw7 to u w^7, the base of
// the exponentiation.
func (s *decodeState) prepare(x []byte, uw7 *fe) {
	var yy, w2, w3 fe
	s.y.SetBytes(x) // ignores the top bit; y >= p is reduced by the arithmetic
	yy.Square(&s.y)
	s.u.Subtract(&yy, feOne)
	s.w.Multiply(&yy, feD)
	s.w.Add(&s.w, feOne)
	w2.Square(&s.w)
	w3.Multiply(&w2, &s.w)
	s.uw3.Multiply(&s.u, &w3)
	uw7.Square(&w2)
	uw7.Multiply(uw7, &s.uw3)
}

// finish completes the decoding of x given t = (u w^7)^((p-5)/8). It sets v
// and reports the canonical flag and whether x encodes a point; v is
// untouched if it does not.
func (s *decodeState) finish(v *Point, x []byte, t *fe) (canonical, ok bool) {
	var xx, check fe
	xx.Multiply(&s.uw3, t) // x = u w^3 (u w^7)^((p-5)/8), up to sqrt(-1)
	check.Square(&xx)
	check.Multiply(&check, &s.w)
	if check.Equal(&s.u) != 1 {
		var negU fe
		negU.Negate(&s.u)
		if check.Equal(&negU) != 1 {
			return false, false // u/w is not a square: not a point
		}
		xx.Multiply(&xx, feSqrtM1)
	}
	sign := int(x[31] >> 7)
	if xx.IsNegative() != sign {
		xx.Negate(&xx)
	}
	canonical = isCanonicalY(x) && !(sign == 1 && feIsZero(&s.u))

	v.x = xx
	v.y = s.y
	v.z.One()
	v.t.Multiply(&xx, &s.y)
	return canonical, true
}
