package edwards

import "math/bits"

// Half-size scalars for equation checks.
//
// To check [s]B = R + [k]A with about half the doublings, find small
// integers (c0, c1), c1 != 0, with c0 = c1 k (mod n), and check instead
// [c1 s mod l]B - [c1]R - [c0]A = 0, where c1 s mod l is split into two
// 128-bit halves against tables of B and [2^128]B. All four scalars are
// then about 128 bits (Pornin, "Optimized lattice basis reduction in
// dimension 2, and fast Schnorr and EdDSA signature verification", eprint
// 2020/454; Antipa et al., "Accelerated verification of ECDSA signatures").
//
// (c0, c1) comes from the half extended Euclidean algorithm on (n, k):
// the remainders r_i and cofactors t_i of Euclid's algorithm satisfy
// r_i = t_i k (mod n), and at the first r_i below 2^b,
// |t_i| <= n / r_(i-1) <= n / 2^b. This file implements it on 256-bit
// integers with one-word quotient estimates (Euclid's quotients are almost
// always tiny; a quotient estimate uses the top 64 bits of the divisor and
// is off by at most one, then corrected).
//
// n = l is enough for the cofactored check. The cofactorless check needs
// n = 8l and c1 odd: [c1 k]A = [c0]A holds for every point A (the group has
// order 8l), and multiplication by c1 is a bijection of the whole group iff
// gcd(c1, 8l) = 1.

// u256 is an unsigned 256-bit integer, little-endian words.
type u256 [4]uint64

var (
	groupOrder  = u256{0x5812631a5cf5d3ed, 0x14def9dea2f79cd6, 0, 0x1000000000000000} // l
	groupOrder8 = u256{0xc09318d2e7ae9f68, 0xa6f7cef517bce6b2, 0, 0x8000000000000000} // 8l
)

func (x *u256) bitLen() int {
	for i := 3; i >= 0; i-- {
		if x[i] != 0 {
			return 64*i + bits.Len64(x[i])
		}
	}
	return 0
}

// word returns bits [s, s+64) of x (zero above bit 255).
func (x *u256) word(s uint) uint64 {
	idx, bit := s/64, s%64
	if idx >= 4 {
		return 0
	}
	w := x[idx] >> bit
	if bit != 0 && idx+1 < 4 {
		w |= x[idx+1] << (64 - bit)
	}
	return w
}

// less reports whether x < y.
func (x *u256) less(y *u256) bool {
	for i := 3; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// subMul sets x = x - q y and returns the borrow out of the top word
// (nonzero when q y > x, in which case x holds the result mod 2^256).
func (x *u256) subMul(q uint64, y *u256) uint64 {
	var carry, borrow uint64
	for i := 0; i < 4; i++ {
		hi, lo := bits.Mul64(q, y[i])
		lo, c := bits.Add64(lo, carry, 0)
		carry = hi + c
		x[i], borrow = bits.Sub64(x[i], lo, borrow)
	}
	return carry + borrow
}

// addMul sets x = x + q y, which must not overflow.
func (x *u256) addMul(q uint64, y *u256) {
	var carry, c uint64
	for i := 0; i < 4; i++ {
		hi, lo := bits.Mul64(q, y[i])
		lo, c = bits.Add64(lo, carry, 0)
		carry = hi + c
		x[i], c = bits.Add64(x[i], lo, 0)
		carry += c
	}
}

func (x *u256) add(y *u256) (carry uint64) {
	for i := 0; i < 4; i++ {
		x[i], carry = bits.Add64(x[i], y[i], carry)
	}
	return carry
}

func (x *u256) sub(y *u256) (borrow uint64) {
	for i := 0; i < 4; i++ {
		x[i], borrow = bits.Sub64(x[i], y[i], borrow)
	}
	return borrow
}

// euclid is the state of the half extended Euclidean algorithm on (n, k):
// rPrev = r_(i-1), rCur = r_i, and the magnitudes of t_(i-1), t_i, whose
// signs alternate: t_i has the sign (-1)^(i+1), so tCurNeg is true for
// even i.
type euclid struct {
	rPrev, rCur u256
	tPrev, tCur u256
	tCurNeg     bool
}

// step performs one division step. It reports false if the quotient does
// not fit the one-word estimate (only when r_(i-1) / r_i >= 2^62), in which
// case the state is unchanged. rCur must be at least 2^64.
func (e *euclid) step() bool {
	// Quotient 1, about 42% of Euclid's steps: r_(i-1) - r_i < r_i.
	next := e.rPrev
	next.sub(&e.rCur)
	if next.less(&e.rCur) {
		tNext := e.tPrev
		tNext.add(&e.tCur)
		e.rPrev, e.rCur = e.rCur, next
		e.tPrev, e.tCur = e.tCur, tNext
		e.tCurNeg = !e.tCurNeg
		return true
	}

	a, b := e.rPrev.bitLen(), e.rCur.bitLen()
	if a-b > 62 {
		return false
	}
	// The divisor's top 64 bits and the dividend shifted alike: the
	// estimate is floor(r_(i-1) / r_i) - 1, exact, or + 1.
	s := uint(b - 64)
	dv := e.rCur.word(s)
	hi, lo := e.rPrev.word(s+64), e.rPrev.word(s)
	q, _ := bits.Div64(hi, lo, dv)

	next = e.rPrev
	if next.subMul(q, &e.rCur) != 0 {
		// q was one too large: add r_i back (the sum wraps to the true
		// value).
		q--
		next.add(&e.rCur)
	} else if !next.less(&e.rCur) {
		q++
		next.sub(&e.rCur)
	}
	// |t_(i+1)| = |t_(i-1)| + q |t_i| (the signs alternate).
	tNext := e.tPrev
	tNext.addMul(q, &e.tCur)

	e.rPrev, e.rCur = e.rCur, next
	e.tPrev, e.tCur = e.tCur, tNext
	e.tCurNeg = !e.tCurNeg
	return true
}

// mulWord returns x m as a 320-bit value (lo, hi).
func (x *u256) mulWord(m uint64) (lo u256, hi uint64) {
	var carry, c uint64
	for i := 0; i < 4; i++ {
		h, l := bits.Mul64(m, x[i])
		lo[i], c = bits.Add64(l, carry, 0)
		carry = h + c
	}
	return lo, carry
}

func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

// combine returns a x + b y for a, b of opposite signs (or zero), and
// reports whether the result is in [0, 2^256).
func combine(a int64, x *u256, b int64, y *u256) (u256, bool) {
	px, hx := x.mulWord(abs64(a))
	py, hy := y.mulWord(abs64(b))
	if a < 0 {
		px, hx, py, hy = py, hy, px, hx
	}
	// px - py, as 320-bit values.
	borrow := px.sub(&py)
	top, borrow2 := bits.Sub64(hx, hy, borrow)
	return px, top == 0 && borrow2 == 0
}

// lehmer performs a run of Euclid steps at once (Lehmer's method, Knuth
// TAOCP 4.5.2 Algorithm L): it simulates them on the leading 62 bits,
// keeps only quotients proven equal to the true ones, and applies the
// combined 2x2 cofactor matrix to the full numbers. It never produces a
// remainder below 2^bound, so the state stays exactly the one single steps
// would reach. It returns the number of steps done (zero when none could
// be simulated).
func (e *euclid) lehmer(bound int) int {
	a := e.rPrev.bitLen()
	if a <= 62 {
		return 0
	}
	sh := a - 62
	// The smallest simulated remainder that proves a true remainder of
	// at least 2^bound (the simulation error is below |C| + |D| units).
	lim := int64(1)
	if bound > sh {
		if bound-sh > 60 {
			return 0
		}
		lim = int64(1) << uint(bound-sh)
	}
	x := int64(e.rPrev.word(uint(sh)))
	y := int64(e.rCur.word(uint(sh)))
	A, B, C, D := int64(1), int64(0), int64(0), int64(1)
	steps := 0
	for {
		// q = floor((x+A)/(y+C)) must equal floor((x+B)/(y+D)). Most
		// quotients are 1 (no division) and the second is checked with
		// a multiplication.
		xa, xb, yc, yd := x+A, x+B, y+C, y+D
		if yc <= 0 || yd <= 0 || xa < yc || xb < 0 {
			break
		}
		q := int64(1)
		if xa-yc >= yc {
			q = xa / yc
		}
		hi, lo := bits.Mul64(uint64(q), uint64(yd))
		if hi != 0 || lo > uint64(xb) || uint64(xb)-lo >= uint64(yd) {
			break
		}
		nC, nD := A-q*C, B-q*D
		t := x - q*y
		if t-int64(abs64(nC))-int64(abs64(nD)) < lim {
			break
		}
		A, B, C, D = C, D, nC, nD
		x, y = y, t
		steps++
	}
	if steps == 0 {
		return 0
	}
	u, ok1 := combine(A, &e.rPrev, B, &e.rCur)
	v, ok2 := combine(C, &e.rPrev, D, &e.rCur)
	if !ok1 || !ok2 || !v.less(&u) {
		// Unreachable if the simulation is right; a single step is.
		return 0
	}
	// Cofactor magnitudes combine with the absolute values of the matrix.
	var tu, tv u256
	tu.addMul(abs64(A), &e.tPrev)
	tu.addMul(abs64(B), &e.tCur)
	tv.addMul(abs64(C), &e.tPrev)
	tv.addMul(abs64(D), &e.tCur)
	e.rPrev, e.rCur = u, v
	e.tPrev, e.tCur = tu, tv
	if steps%2 == 1 {
		e.tCurNeg = !e.tCurNeg
	}
	return steps
}

// halfScalars holds a solution (c0, c1) of c0 = c1 k (mod n) with c0 >= 0.
type halfScalars struct {
	c0    u256
	c1    u256 // |c1|
	c1Neg bool
}

// maxBits is the larger bit length of |c0| and |c1|.
func (h *halfScalars) maxBits() int {
	return max(h.c0.bitLen(), h.c1.bitLen())
}

// reduceHalf returns (c0, c1) with c0 = c1 k (mod n), c1 != 0, c0 < 2^bound
// and |c1| <= n / 2^bound, by the half extended Euclidean algorithm; if
// needOdd, c1 is odd, at the cost of a few bits in rare cases. ok is false
// in the rare cases the one-word quotient estimates do not cover (the
// caller then uses full-size scalars). k must be below n, n above 2^bound,
// bound at least 64.
func reduceHalf(n, k *u256, bound int, needOdd bool) (h halfScalars, ok bool) {
	e := euclid{rPrev: *n, rCur: *k, tCur: u256{1}}
	// e.tCurNeg = false: t_1 = 1.
	for e.rCur.bitLen() > bound {
		if e.lehmer(bound) == 0 && !e.step() {
			return h, false
		}
	}
	h = halfScalars{c0: e.rCur, c1: e.tCur, c1Neg: e.tCurNeg}
	if !needOdd || e.tCur[0]&1 == 1 {
		return h, true
	}
	// t_i is even, so t_(i-1) and t_(i+1) are odd (consecutive cofactors
	// are coprime). Take the shorter of (r_(i-1), t_(i-1)) and
	// (r_(i+1), t_(i+1)).
	prev := halfScalars{c0: e.rPrev, c1: e.tPrev, c1Neg: !e.tCurNeg}
	if e.rCur.bitLen() <= 64 {
		// r_(i+1) is tiny and t_(i+1) about n / r_i: not a candidate
		// worth a slow division.
		return prev, true
	}
	if !e.step() {
		return prev, true
	}
	next := halfScalars{c0: e.rCur, c1: e.tCur, c1Neg: e.tCurNeg}
	if next.maxBits() < prev.maxBits() {
		return next, true
	}
	return prev, true
}
