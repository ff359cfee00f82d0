package field

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// Element is an element of the field GF(2^255-19).
//
// It works like math/big.Int: methods set the receiver and return it, and
// every receiver and argument may alias. The zero value is a valid zero
// element. Element is not a cryptographically secure group on its own; it is
// meant for the coordinates of edwards25519 points.
//
// An Element holds five unsigned 51-bit limbs, value = l0 + l1·2^51 + l2·2^102
// + l3·2^153 + l4·2^204, in one representation shared by every backend
// (generic Go, MULX/ADX, AVX2, AVX-512 IFMA), so values move freely between
// them. Limbs are kept "lightly reduced": every Element produced by this
// package has limbs below 2^51 + 2^42, and every routine accepts limbs up
// to 2^52 - 1 as input.
type Element struct {
	l0 uint64
	l1 uint64
	l2 uint64
	l3 uint64
	l4 uint64
}

const mask51 uint64 = 1<<51 - 1

var (
	feZero = &Element{}
	feOne  = &Element{1, 0, 0, 0, 0}
)

// Zero sets v = 0, and returns v.
func (v *Element) Zero() *Element {
	*v = Element{}
	return v
}

// One sets v = 1, and returns v.
func (v *Element) One() *Element {
	*v = Element{1, 0, 0, 0, 0}
	return v
}

// Set sets v = a, and returns v.
func (v *Element) Set(a *Element) *Element {
	*v = *a
	return v
}

// SetBytes sets v to x, where x is a 32-byte little-endian encoding. If x is
// not of the right length, SetBytes returns nil and an error, and the
// receiver is unchanged.
//
// Consistent with RFC 7748, the most significant bit (the high bit of the
// last byte) is ignored, and non-canonical values (2^255-19 through 2^255-1)
// are accepted. This is laxer than RFC 8032, and consistent with most Ed25519
// implementations (and with filippo.io/edwards25519/field).
func (v *Element) SetBytes(x []byte) (*Element, error) {
	if len(x) != 32 {
		return nil, errors.New("field: invalid field element input size")
	}
	w0 := binary.LittleEndian.Uint64(x[0:8])
	w1 := binary.LittleEndian.Uint64(x[8:16])
	w2 := binary.LittleEndian.Uint64(x[16:24])
	w3 := binary.LittleEndian.Uint64(x[24:32])
	v.l0 = w0 & mask51
	v.l1 = (w0>>51 | w1<<13) & mask51
	v.l2 = (w1>>38 | w2<<26) & mask51
	v.l3 = (w2>>25 | w3<<39) & mask51
	v.l4 = (w3 >> 12) & mask51
	return v, nil
}

// SetWideBytes sets v to x, where x is a 64-byte little-endian encoding,
// which is reduced modulo the field order. If x is not of the right length,
// SetWideBytes returns nil and an error, and the receiver is unchanged.
//
// SetWideBytes is not necessary to select a uniformly distributed value, and
// is only provided for compatibility: SetBytes can be used instead as the
// chance of bias is less than 2^-250.
func (v *Element) SetWideBytes(x []byte) (*Element, error) {
	if len(x) != 64 {
		return nil, errors.New("field: invalid SetWideBytes input size")
	}
	// x = lo + loTop·2^255 + hi·2^256 + hiTop·2^511, and 2^255 = 19 (mod p),
	// so x = lo + 19·loTop + 38·hi + 722·hiTop (mod p).
	var lo, hi Element
	lo.SetBytes(x[:32])
	hi.SetBytes(x[32:])
	loTop := uint64(x[31] >> 7)
	hiTop := uint64(x[63] >> 7)
	// Each limb is below 2^51 + 2^51·38 + 2^10 < 2^57: no overflow.
	v.l0 = lo.l0 + 38*hi.l0 + 19*loTop + 722*hiTop
	v.l1 = lo.l1 + 38*hi.l1
	v.l2 = lo.l2 + 38*hi.l2
	v.l3 = lo.l3 + 38*hi.l3
	v.l4 = lo.l4 + 38*hi.l4
	v.carry()
	return v, nil
}

// carry performs one parallel carry step: every limb keeps its low 51 bits
// and passes the rest up (the top limb's excess wraps to l0 times 19). From
// limbs below 2^63 it leaves limbs below 2^51 + 2^17. Constant time.
func (v *Element) carry() {
	c0 := v.l0 >> 51
	c1 := v.l1 >> 51
	c2 := v.l2 >> 51
	c3 := v.l3 >> 51
	c4 := v.l4 >> 51
	v.l0 = v.l0&mask51 + 19*c4
	v.l1 = v.l1&mask51 + c0
	v.l2 = v.l2&mask51 + c1
	v.l3 = v.l3&mask51 + c2
	v.l4 = v.l4&mask51 + c3
}

// canonical returns the four 64-bit little-endian words of the unique
// representative of v in [0, p). Constant time.
func (v *Element) canonical() (w0, w1, w2, w3 uint64) {
	t := *v
	t.carry()
	// Now t < 2^255 + 2^18 in value: limbs below 2^51 + 2^17 except l0.
	// Carry fully, sequentially, so that every limb is below 2^51 and the
	// value is below 2^255 + 19·2^4.
	t.l1 += t.l0 >> 51
	t.l0 &= mask51
	t.l2 += t.l1 >> 51
	t.l1 &= mask51
	t.l3 += t.l2 >> 51
	t.l2 &= mask51
	t.l4 += t.l3 >> 51
	t.l3 &= mask51
	t.l0 += 19 * (t.l4 >> 51)
	t.l4 &= mask51
	// t is now below 2^255 + 19·2 < 2p, with l0 possibly one bit over.
	// q = 1 exactly when t >= p, that is when t + 19 >= 2^255.
	q := (t.l0 + 19) >> 51
	q = (t.l1 + q) >> 51
	q = (t.l2 + q) >> 51
	q = (t.l3 + q) >> 51
	q = (t.l4 + q) >> 51
	// Subtract q·p: add 19·q and drop bit 255.
	t.l0 += 19 * q
	t.l1 += t.l0 >> 51
	t.l0 &= mask51
	t.l2 += t.l1 >> 51
	t.l1 &= mask51
	t.l3 += t.l2 >> 51
	t.l2 &= mask51
	t.l4 += t.l3 >> 51
	t.l3 &= mask51
	t.l4 &= mask51
	w0 = t.l0 | t.l1<<51
	w1 = t.l1>>13 | t.l2<<38
	w2 = t.l2>>26 | t.l3<<25
	w3 = t.l3>>39 | t.l4<<12
	return
}

// Bytes returns the canonical 32-byte little-endian encoding of v.
func (v *Element) Bytes() []byte {
	// Out of line so that the array can stay on the caller's stack.
	var out [32]byte
	return v.bytes(&out)
}

func (v *Element) bytes(out *[32]byte) []byte {
	w0, w1, w2, w3 := v.canonical()
	binary.LittleEndian.PutUint64(out[0:8], w0)
	binary.LittleEndian.PutUint64(out[8:16], w1)
	binary.LittleEndian.PutUint64(out[16:24], w2)
	binary.LittleEndian.PutUint64(out[24:32], w3)
	return out[:]
}

// Equal returns 1 if v and u are equal, and 0 otherwise. Constant time.
func (v *Element) Equal(u *Element) int {
	a0, a1, a2, a3 := v.canonical()
	b0, b1, b2, b3 := u.canonical()
	d := (a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3)
	// d == 0 exactly when equal; (d | -d) has its top bit set when d != 0.
	return int(1 ^ ((d | -d) >> 63))
}

// IsNegative returns 1 if v is negative, and 0 otherwise: negative means
// that the canonical encoding is odd (RFC 8032). Constant time.
func (v *Element) IsNegative() int {
	w0, _, _, _ := v.canonical()
	return int(w0 & 1)
}

// Absolute sets v to |u|, and returns v. Constant time.
func (v *Element) Absolute(u *Element) *Element {
	var n Element
	n.Negate(u)
	return v.Select(&n, u, u.IsNegative())
}

// mask64 returns all ones if cond == 1 and zero if cond == 0.
func mask64(cond int) uint64 { return -uint64(cond) }

// Select sets v to a if cond == 1, and to b if cond == 0. Constant time.
func (v *Element) Select(a, b *Element, cond int) *Element {
	m := mask64(cond)
	v.l0 = b.l0 ^ (m & (a.l0 ^ b.l0))
	v.l1 = b.l1 ^ (m & (a.l1 ^ b.l1))
	v.l2 = b.l2 ^ (m & (a.l2 ^ b.l2))
	v.l3 = b.l3 ^ (m & (a.l3 ^ b.l3))
	v.l4 = b.l4 ^ (m & (a.l4 ^ b.l4))
	return v
}

// Swap swaps v and u if cond == 1 or leaves them unchanged if cond == 0.
// Constant time.
func (v *Element) Swap(u *Element, cond int) {
	m := mask64(cond)
	d0 := m & (v.l0 ^ u.l0)
	d1 := m & (v.l1 ^ u.l1)
	d2 := m & (v.l2 ^ u.l2)
	d3 := m & (v.l3 ^ u.l3)
	d4 := m & (v.l4 ^ u.l4)
	v.l0, u.l0 = v.l0^d0, u.l0^d0
	v.l1, u.l1 = v.l1^d1, u.l1^d1
	v.l2, u.l2 = v.l2^d2, u.l2^d2
	v.l3, u.l3 = v.l3^d3, u.l3^d3
	v.l4, u.l4 = v.l4^d4, u.l4^d4
}

// Add sets v = a + b, and returns v. Constant time.
func (v *Element) Add(a, b *Element) *Element {
	v.l0 = a.l0 + b.l0
	v.l1 = a.l1 + b.l1
	v.l2 = a.l2 + b.l2
	v.l3 = a.l3 + b.l3
	v.l4 = a.l4 + b.l4
	v.carry()
	return v
}

// Limbs of 4p, so that 4p - b has no negative limb for any b with limbs
// below 2^53.
const (
	fourP0 = 4 * (1<<51 - 19)
	fourPi = 4 * (1<<51 - 1)
)

// Subtract sets v = a - b, and returns v. Constant time.
func (v *Element) Subtract(a, b *Element) *Element {
	v.l0 = a.l0 + fourP0 - b.l0
	v.l1 = a.l1 + fourPi - b.l1
	v.l2 = a.l2 + fourPi - b.l2
	v.l3 = a.l3 + fourPi - b.l3
	v.l4 = a.l4 + fourPi - b.l4
	v.carry()
	return v
}

// Negate sets v = -a, and returns v. Constant time.
func (v *Element) Negate(a *Element) *Element {
	return v.Subtract(feZero, a)
}

// Multiply sets v = x * y, and returns v. Constant time.
func (v *Element) Multiply(x, y *Element) *Element {
	feMul(v, x, y)
	return v
}

// Square sets v = x * x, and returns v. Constant time.
func (v *Element) Square(x *Element) *Element {
	feSquare(v, x)
	return v
}

// SquareN sets v = x^(2^n), that is x squared n times, and returns v. For
// n <= 0 it sets v = x. Its running time depends on n only (n is public).
func (v *Element) SquareN(x *Element, n int) *Element {
	if n <= 0 {
		return v.Set(x)
	}
	feSquareN(v, x, n)
	return v
}

// Multiply4 sets out[i] = a[i] * b[i] for i = 0..3: four independent
// products in one call, computed four lanes at a time with AVX2 (or AVX-512
// IFMA) where available. out, a and b may alias, element by element or
// whole. Constant time.
func Multiply4(out, a, b *[4]Element) {
	feMul4(out, a, b)
}

// Square4 sets out[i] = a[i] * a[i] for i = 0..3, like Multiply4. Constant
// time.
func Square4(out, a *[4]Element) {
	feSquare4(out, a)
}

// Mult32 sets v = x * y, and returns v. Constant time.
func (v *Element) Mult32(x *Element, y uint32) *Element {
	m := uint64(y)
	h0, p0 := bits.Mul64(x.l0, m)
	h1, p1 := bits.Mul64(x.l1, m)
	h2, p2 := bits.Mul64(x.l2, m)
	h3, p3 := bits.Mul64(x.l3, m)
	h4, p4 := bits.Mul64(x.l4, m)
	// Each product is below 2^85: its part above bit 51 fits in 64 bits.
	c0 := h0<<13 | p0>>51
	c1 := h1<<13 | p1>>51
	c2 := h2<<13 | p2>>51
	c3 := h3<<13 | p3>>51
	c4 := h4<<13 | p4>>51
	v.l0 = p0&mask51 + 19*c4
	v.l1 = p1&mask51 + c0
	v.l2 = p2&mask51 + c1
	v.l3 = p3&mask51 + c2
	v.l4 = p4&mask51 + c3
	return v
}

// pow2k250 returns x^(2^250-1) and x^11, the common prefix of the
// exponentiations below (addition chain of ref10: 11 multiplications and
// 250 squarings, the squarings run in blocks through SquareN).
func pow2k250(x *Element) (t, x11 Element) {
	var x2, x9, a, b, c Element
	x2.Square(x)           // 2
	t.SquareN(&x2, 2)      // 8
	x9.Multiply(&t, x)     // 9
	x11.Multiply(&x9, &x2) // 11
	t.Square(&x11)         // 22
	a.Multiply(&t, &x9)    // 2^5 - 1
	t.SquareN(&a, 5)       // 2^10 - 2^5
	a.Multiply(&t, &a)     // 2^10 - 1
	t.SquareN(&a, 10)      // 2^20 - 2^10
	b.Multiply(&t, &a)     // 2^20 - 1
	t.SquareN(&b, 20)      // 2^40 - 2^20
	t.Multiply(&t, &b)     // 2^40 - 1
	t.SquareN(&t, 10)      // 2^50 - 2^10
	a.Multiply(&t, &a)     // 2^50 - 1
	t.SquareN(&a, 50)      // 2^100 - 2^50
	c.Multiply(&t, &a)     // 2^100 - 1
	t.SquareN(&c, 100)     // 2^200 - 2^100
	t.Multiply(&t, &c)     // 2^200 - 1
	t.SquareN(&t, 50)      // 2^250 - 2^50
	t.Multiply(&t, &a)     // 2^250 - 1
	return t, x11
}

// Invert sets v = 1/z mod p, and returns v. If z == 0, Invert returns v = 0.
// Constant time (safegcd with a fixed number of divsteps, invert.go).
func (v *Element) Invert(z *Element) *Element {
	return v.invertSafegcd(z)
}

// Pow22523 sets v = x^((p-5)/8), and returns v. (p-5)/8 is 2^252-3.
// Constant time.
func (v *Element) Pow22523(x *Element) *Element {
	t, _ := pow2k250(x)
	t.SquareN(&t, 2)         // 2^252 - 4
	return v.Multiply(&t, x) // 2^252 - 3
}

// sqrtM1 is 2^((p-1)/4), a square root of -1 mod p.
var sqrtM1 = &Element{1718705420411056, 234908883556509,
	2233514472574048, 2117202627021982, 765476049583133}

// SqrtRatio sets r to the non-negative square root of the ratio of u and v.
//
// If u/v is square, SqrtRatio returns r and 1. If u/v is not square,
// SqrtRatio sets r according to Section 4.3 of
// draft-irtf-cfrg-ristretto255-decaf448-00, and returns r and 0. Constant
// time.
func (r *Element) SqrtRatio(u, v *Element) (R *Element, wasSquare int) {
	var v2, v3, uv3, uv7, t, rr, check, uNeg, rPrime Element
	v2.Square(v)
	v3.Multiply(&v2, v)
	uv3.Multiply(u, &v3)
	t.Square(&v2)             // v^4
	uv7.Multiply(&uv3, &t)    // u·v^7
	t.Pow22523(&uv7)          // (u·v^7)^((p-5)/8)
	rr.Multiply(&uv3, &t)     // candidate root
	check.Square(&rr)         // r^2
	check.Multiply(&check, v) // v·r^2
	uNeg.Negate(u)
	correct := check.Equal(u)
	flipped := check.Equal(&uNeg)
	t.Multiply(&uNeg, sqrtM1)
	flippedI := check.Equal(&t)
	rPrime.Multiply(&rr, sqrtM1)
	rr.Select(&rPrime, &rr, flipped|flippedI)
	r.Absolute(&rr)
	return r, correct | flipped
}
