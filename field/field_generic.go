package field

import "math/bits"

// This file holds the portable implementations. They are always compiled:
// on amd64 they are the fallback for CPUs without the needed extensions and
// the reference twins of the assembly routines in the differential tests.
// Everything here is constant time: no branch or memory index depends on
// the value of an Element.

// mac returns (hi, lo) + x·y as a 128-bit value (hi, lo). Callers keep sums
// far below 2^128.
func mac(hi, lo, x, y uint64) (uint64, uint64) {
	ph, pl := bits.Mul64(x, y)
	lo, c := bits.Add64(lo, pl, 0)
	// The carry goes straight into an add-with-carry: written hi + ph + c,
	// it was moved out of the flags into a register first (the generic
	// product ran about 20% slower than filippo.io/edwards25519's).
	hi, _ = bits.Add64(hi, ph, c)
	return hi, lo
}

// reduceWide sets v from the five 128-bit column sums r_i = (h_i, l_i) of a
// product, with value sum r_i·2^(51i) (mod p). With input limbs below 2^52
// a column (one a·b and four a·19b) is below 77·2^104 < 2^110.3. It leaves
// limbs below 2^51 + 2^17.
func reduceWide(v *Element, h0, l0, h1, l1, h2, l2, h3, l3, h4, l4 uint64) {
	// r_i >> 51 fits in 64 bits.
	c0 := h0<<13 | l0>>51
	c1 := h1<<13 | l1>>51
	c2 := h2<<13 | l2>>51
	c3 := h3<<13 | l3>>51
	c4 := h4<<13 | l4>>51
	// c_i < 2^59.3, so 19·c4 < 2^63.6 and t_i < 2^63.7.
	t0 := l0&mask51 + 19*c4
	t1 := l1&mask51 + c0
	t2 := l2&mask51 + c1
	t3 := l3&mask51 + c2
	t4 := l4&mask51 + c3
	v.l0 = t0&mask51 + 19*(t4>>51)
	v.l1 = t1&mask51 + t0>>51
	v.l2 = t2&mask51 + t1>>51
	v.l3 = t3&mask51 + t2>>51
	v.l4 = t4&mask51 + t3>>51
}

// feMulGeneric sets v = a·b. Inputs have limbs below 2^52.
func feMulGeneric(v, a, b *Element) {
	a0, a1, a2, a3, a4 := a.l0, a.l1, a.l2, a.l3, a.l4
	b0, b1, b2, b3, b4 := b.l0, b.l1, b.l2, b.l3, b.l4
	// Products of weight 2^255 and above wrap around times 19.
	e1, e2, e3, e4 := 19*b1, 19*b2, 19*b3, 19*b4

	h0, l0 := bits.Mul64(a0, b0)
	h0, l0 = mac(h0, l0, a1, e4)
	h0, l0 = mac(h0, l0, a2, e3)
	h0, l0 = mac(h0, l0, a3, e2)
	h0, l0 = mac(h0, l0, a4, e1)

	h1, l1 := bits.Mul64(a0, b1)
	h1, l1 = mac(h1, l1, a1, b0)
	h1, l1 = mac(h1, l1, a2, e4)
	h1, l1 = mac(h1, l1, a3, e3)
	h1, l1 = mac(h1, l1, a4, e2)

	h2, l2 := bits.Mul64(a0, b2)
	h2, l2 = mac(h2, l2, a1, b1)
	h2, l2 = mac(h2, l2, a2, b0)
	h2, l2 = mac(h2, l2, a3, e4)
	h2, l2 = mac(h2, l2, a4, e3)

	h3, l3 := bits.Mul64(a0, b3)
	h3, l3 = mac(h3, l3, a1, b2)
	h3, l3 = mac(h3, l3, a2, b1)
	h3, l3 = mac(h3, l3, a3, b0)
	h3, l3 = mac(h3, l3, a4, e4)

	h4, l4 := bits.Mul64(a0, b4)
	h4, l4 = mac(h4, l4, a1, b3)
	h4, l4 = mac(h4, l4, a2, b2)
	h4, l4 = mac(h4, l4, a3, b1)
	h4, l4 = mac(h4, l4, a4, b0)

	reduceWide(v, h0, l0, h1, l1, h2, l2, h3, l3, h4, l4)
}

// feSquareGeneric sets v = a·a. Inputs have limbs below 2^52.
func feSquareGeneric(v, a *Element) {
	a0, a1, a2, a3, a4 := a.l0, a.l1, a.l2, a.l3, a.l4
	d0, d1 := 2*a0, 2*a1
	a3x19, a4x19 := 19*a3, 19*a4
	a3x38, a4x38 := 2*a3x19, 2*a4x19

	h0, l0 := bits.Mul64(a0, a0)
	h0, l0 = mac(h0, l0, d1, a4x19)
	h0, l0 = mac(h0, l0, a2, a3x38)

	h1, l1 := bits.Mul64(d0, a1)
	h1, l1 = mac(h1, l1, a2, a4x38)
	h1, l1 = mac(h1, l1, a3, a3x19)

	h2, l2 := bits.Mul64(d0, a2)
	h2, l2 = mac(h2, l2, a1, a1)
	h2, l2 = mac(h2, l2, a3, a4x38)

	h3, l3 := bits.Mul64(d0, a3)
	h3, l3 = mac(h3, l3, d1, a2)
	h3, l3 = mac(h3, l3, a4, a4x19)

	h4, l4 := bits.Mul64(d0, a4)
	h4, l4 = mac(h4, l4, d1, a3)
	h4, l4 = mac(h4, l4, a2, a2)

	reduceWide(v, h0, l0, h1, l1, h2, l2, h3, l3, h4, l4)
}

// feSquareNGeneric sets v = a^(2^n), n >= 1.
func feSquareNGeneric(v, a *Element, n int) {
	feSquareGeneric(v, a)
	for i := 1; i < n; i++ {
		feSquareGeneric(v, v)
	}
}

// feMul4Generic sets out[i] = a[i]·b[i] for i = 0..3. All inputs are read
// before out is written, so any aliasing is allowed, even of overlapping
// arrays.
func feMul4Generic(out, a, b *[4]Element) {
	var t [4]Element
	for i := range t {
		feMulGeneric(&t[i], &a[i], &b[i])
	}
	*out = t
}

// feSquare4Generic sets out[i] = a[i]·a[i] for i = 0..3, like feMul4Generic.
func feSquare4Generic(out, a *[4]Element) {
	var t [4]Element
	for i := range t {
		feSquareGeneric(&t[i], &a[i])
	}
	*out = t
}
