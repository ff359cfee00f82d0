package field

import (
	"encoding/binary"
	"math/bits"
)

// Inversion by the safegcd algorithm of Bernstein and Yang ("Fast
// constant-time gcd computation and modular inversion", 2019), in the
// variant of Wuille's libsecp256k1 modinv64 (half-delta divsteps, 59 per
// batch on the low 64 bits, the transition matrix then applied to the full
// numbers in signed radix 2^62). It replaced Fermat's p-2 power (254
// squarings and 11 multiplications, about 1.9 µs with MULX on the project
// machine), because signing encodes R = [r]B and so inverts once per
// signature: about a fifth of Sign's time on the AVX2 path.
//
// Constant time: the number of steps is fixed (10 batches of 59 divsteps,
// enough for any input below 2^256), and every choice inside a divstep is
// made with masks built arithmetically; the wide products are math/bits's
// Mul64 with the signed corrections masked too.

// signed62 is a number in signed radix 2^62: sum v[i] 2^(62 i), each limb an
// int64 (limbs 0-3 are kept in [0, 2^62) between steps, limb 4 carries the
// sign).
type signed62 [5]int64

const mask62 = 1<<62 - 1

// p62 is p = 2^255 - 19 in signed62: 2^62 - 19, three limbs of 2^62 - 1,
// and 2^7 - 1 (255 = 4·62 + 7).
var p62 = signed62{1<<62 - 19, mask62, mask62, mask62, 127}

// pInv62 is p^-1 mod 2^62, by Newton's iteration x = x(2 - p x), which
// doubles the correct low bits from the 3 that x = p starts with.
var pInv62 = func() uint64 {
	p0 := uint64(1<<62 - 19)
	x := p0
	for range 5 {
		x *= 2 - p0*x
	}
	return x & mask62
}()

// trans is a divstep batch's transition matrix [[u, v], [q, r]], scaled by
// 2^62.
type trans struct{ u, v, q, r int64 }

// divsteps59 runs 59 divsteps on the low bits f0, g0 of f and g (f odd),
// from zeta = -(delta + 1/2), and returns the new zeta and the transition
// matrix, scaled by 2^62 (starting from 8 times the identity, 2^3 · 2^59).
func divsteps59(zeta int64, f0, g0 uint64) (int64, trans) {
	u, v, q, r := uint64(8), uint64(0), uint64(0), uint64(8)
	f, g := f0, g0
	for range 59 {
		c1 := uint64(zeta >> 63) // all ones if zeta < 0
		c2 := -(g & 1)           // all ones if g is odd
		x := (f ^ c1) - c1
		y := (u ^ c1) - c1
		z := (v ^ c1) - c1
		g += x & c2
		q += y & c2
		r += z & c2
		c1 &= c2
		zeta = (zeta ^ int64(c1)) - 1
		f += g & c1
		u += q & c1
		v += r & c1
		g >>= 1
		u <<= 1
		v <<= 1
	}
	return zeta, trans{int64(u), int64(v), int64(q), int64(r)}
}

// i128 is a signed 128-bit accumulator: hi·2^64 + lo, two's complement.
type i128 struct{ hi, lo uint64 }

// mulAdd adds a·b (signed) to c.
func (c *i128) mulAdd(a, b int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// The unsigned product of the two's complement words, corrected for
	// each negative factor (masks, not branches).
	hi -= uint64(a>>63) & uint64(b)
	hi -= uint64(b>>63) & uint64(a)
	var carry uint64
	c.lo, carry = bits.Add64(c.lo, lo, 0)
	c.hi += hi + carry
}

// shift62 sets c to c >> 62 (arithmetic).
func (c *i128) shift62() {
	c.lo = c.lo>>62 | c.hi<<2
	c.hi = uint64(int64(c.hi) >> 62)
}

// low62 returns the low 62 bits of c.
func (c *i128) low62() int64 { return int64(c.lo & mask62) }

// updateDE sets (d, e) to t·(d, e) / 2^62 mod p, keeping both in
// (-2p, p): a multiple of p chosen from the low bits makes the division
// exact.
func updateDE(d, e *signed62, t trans) {
	sd, se := d[4]>>63, e[4]>>63
	md := (t.u & sd) + (t.v & se)
	me := (t.q & sd) + (t.r & se)
	var cd, ce i128
	cd.mulAdd(t.u, d[0])
	cd.mulAdd(t.v, e[0])
	ce.mulAdd(t.q, d[0])
	ce.mulAdd(t.r, e[0])
	md -= int64((pInv62*cd.lo + uint64(md)) & mask62)
	me -= int64((pInv62*ce.lo + uint64(me)) & mask62)
	cd.mulAdd(p62[0], md)
	ce.mulAdd(p62[0], me)
	cd.shift62() // the low 62 bits are zero now
	ce.shift62()
	for i := 1; i < 5; i++ {
		cd.mulAdd(t.u, d[i])
		cd.mulAdd(t.v, e[i])
		ce.mulAdd(t.q, d[i])
		ce.mulAdd(t.r, e[i])
		cd.mulAdd(p62[i], md)
		ce.mulAdd(p62[i], me)
		d[i-1] = cd.low62()
		e[i-1] = ce.low62()
		cd.shift62()
		ce.shift62()
	}
	d[4] = int64(cd.lo)
	e[4] = int64(ce.lo)
}

// updateFG sets (f, g) to t·(f, g) / 2^62, exactly.
func updateFG(f, g *signed62, t trans) {
	var cf, cg i128
	cf.mulAdd(t.u, f[0])
	cf.mulAdd(t.v, g[0])
	cg.mulAdd(t.q, f[0])
	cg.mulAdd(t.r, g[0])
	cf.shift62() // the low 62 bits are zero
	cg.shift62()
	for i := 1; i < 5; i++ {
		cf.mulAdd(t.u, f[i])
		cf.mulAdd(t.v, g[i])
		cg.mulAdd(t.q, f[i])
		cg.mulAdd(t.r, g[i])
		f[i-1] = cf.low62()
		g[i-1] = cg.low62()
		cf.shift62()
		cg.shift62()
	}
	f[4] = int64(cf.lo)
	g[4] = int64(cg.lo)
}

// normalize62 brings r from (-2p, p) to [0, p), negated first if sign is
// negative, with limbs 0-3 in [0, 2^62).
func normalize62(r *signed62, sign int64) {
	add := r[4] >> 63
	for i := range r {
		r[i] += p62[i] & add
	}
	neg := sign >> 63
	for i := range r {
		r[i] = (r[i] ^ neg) - neg
	}
	carry62(r)
	add = r[4] >> 63
	for i := range r {
		r[i] += p62[i] & add
	}
	carry62(r)
}

// carry62 propagates the limbs' top bits, bringing limbs 0-3 to
// [0, 2^62).
func carry62(r *signed62) {
	for i := range 4 {
		r[i+1] += r[i] >> 62
		r[i] &= mask62
	}
}

// invertSafegcd sets v = 1/z mod p (0 if z = 0) and returns v.
func (v *Element) invertSafegcd(z *Element) *Element {
	var b [32]byte
	z.bytes(&b) // canonical, below p
	w0 := binary.LittleEndian.Uint64(b[0:8])
	w1 := binary.LittleEndian.Uint64(b[8:16])
	w2 := binary.LittleEndian.Uint64(b[16:24])
	w3 := binary.LittleEndian.Uint64(b[24:32])
	g := signed62{
		int64(w0 & mask62),
		int64((w0>>62 | w1<<2) & mask62),
		int64((w1>>60 | w2<<4) & mask62),
		int64((w2>>58 | w3<<6) & mask62),
		int64(w3 >> 56),
	}
	f := p62
	d, e := signed62{}, signed62{1}
	zeta := int64(-1) // delta = 1/2
	for range 10 {
		var t trans
		zeta, t = divsteps59(zeta, uint64(f[0]), uint64(g[0]))
		updateDE(&d, &e, t)
		updateFG(&f, &g, t)
	}
	// g is 0 now and f is ±1 (the gcd, p being prime), or f is ±p if z
	// was 0, when d is 0; d is ±1/z.
	normalize62(&d, f[4])
	binary.LittleEndian.PutUint64(b[0:8], uint64(d[0])|uint64(d[1])<<62)
	binary.LittleEndian.PutUint64(b[8:16], uint64(d[1])>>2|uint64(d[2])<<60)
	binary.LittleEndian.PutUint64(b[16:24], uint64(d[2])>>4|uint64(d[3])<<58)
	binary.LittleEndian.PutUint64(b[24:32], uint64(d[3])>>6|uint64(d[4])<<56)
	if _, err := v.SetBytes(b[:]); err != nil {
		panic("field: internal error: inversion result of the wrong length")
	}
	return v
}
