package main

import (
	"math/big"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ---------------------------------------------------------------------------
// Lane-form point routines for internal/edwards (vec.go states the
// formulas). A point (X, Y, Z, T) or a cached operand lives in five vector
// registers, limb i of the four coordinates in register i, lane c =
// coordinate c: the layout of field.Lanes in memory, so loads and stores are
// plain 32-byte moves. Each routine is two IFMA products (ifmaMul,
// ifmaSquare) plus lane permutations, masked additions and carries.
//
// Limb bounds: inputs below 2^52 (IFMA reads 52 bits); every product
// leaves limbs below 2^51 + 2^15 (ifmaFinish). A subtraction x - y is x + (4p - y) with
// 4p's limbs (2^53 - 76, 2^53 - 4, ...) above any input limb, so nothing
// goes negative; sums of up to four such terms stay below 2^55, and one
// carry round (vecCarry) brings them below 2^51 + 2^17 before the next
// product.
//
// Every routine is constant time: no branch, and no memory address depends
// on the values or on vecAdd's neg (nor, in comb_*.go, on the digits).
// ---------------------------------------------------------------------------

// Lane masks (bit c = lane c) loaded into opmask registers.
const (
	lane0    = 0b0001
	lanes01  = 0b0011
	lanes02  = 0b0101
	lanes12  = 0b0110
	lane3    = 0b1000
	lanes03  = 0b1001
	lanes023 = 0b1101
)

// VPERMQ selectors: perm(a, b, c, d) puts source lanes a, b, c, d in lanes
// 0, 1, 2, 3.
func perm(a, b, c, d int) U8 { return U8(a | b<<2 | c<<4 | d<<6) }

var const4p0, const4p1, constCacheMul Mem

// p = 2^255 - 19; 4p in radix 2^51: limb 0 = 2^53 - 76, limbs 1-4 = 2^53 - 4.
func pointConstants() {
	constMask51 = ConstData("mask51", U64(mask51))
	constMask26 = ConstData("mask26", U64(1<<26-1))
	constMask25 = ConstData("mask25", U64(1<<25-1))
	const19 = ConstData("c19", U64(19))
	const4p0 = ConstData("fourP0", U64(1<<53-76))
	const4p1 = ConstData("fourP1", U64(1<<53-4))

	// (1, 1, 2, 2d) in lane layout: vecCache's multiplier.
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	d := new(big.Int).Neg(big.NewInt(121665))
	d.Mul(d, new(big.Int).ModInverse(big.NewInt(121666), p))
	d.Mod(d, p)
	d2 := new(big.Int).Lsh(d, 1)
	d2.Mod(d2, p)
	constCacheMul = GLOBL("cacheMul", RODATA|NOPTR)
	for i := 0; i < 5; i++ {
		limb := new(big.Int).Rsh(d2, uint(51*i))
		limb.And(limb, big.NewInt(mask51))
		for c, v := range []uint64{boolLimb(i == 0), boolLimb(i == 0), 2 * boolLimb(i == 0), limb.Uint64()} {
			DATA(32*i+8*c, U64(v))
		}
	}
}

func boolLimb(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func pointRoutines() {
	pointConstants()
	vecDouble()
	vecAdd()
	vecCache()
	pointRoutinesAVX2()
	combConstants()
	laneCombAVX2()
	laneCombIFMA()
}

// loadLanes loads the five limb vectors at p (field.Lanes layout) into dst.
func loadLanes(p Register, dst [5]VecPhysical) {
	for i := range dst {
		VMOVDQU64(Mem{Base: p, Disp: 32 * i}, dst[i])
	}
}

func storeLanes(p Register, src [5]VecPhysical) {
	for i := range src {
		VMOVDQU64(src[i], Mem{Base: p, Disp: 32 * i})
	}
}

// setMask loads an opmask register with the lane bits m.
func setMask(k Register, m uint32) {
	r := GP32()
	MOVL(U32(m), r)
	KMOVW(r, k)
}

// fourP loads 4p's limbs into b0 (limb 0) and b1 (limbs 1-4), every lane.
func fourP(b0, b1 VecPhysical) {
	VPBROADCASTQ(const4p0, b0)
	VPBROADCASTQ(const4p1, b1)
}

func bias(i int, b0, b1 VecPhysical) VecPhysical {
	if i == 0 {
		return b0
	}
	return b1
}

// vecCarry runs one carry round on r in place (limbs below 2^63 in, below
// 2^51 + 2^17 out), with mask51 in mask and scratch t, c4. It gives the
// same value as field's carry: each limb's carry is taken before the limb
// receives the one from below.
func vecCarry(r [5]VecPhysical, mask, t, c4 VecPhysical) {
	VPSRLQ(U8(51), r[4], c4)
	VPANDQ(mask, r[4], r[4])
	for k := 3; k >= 0; k-- {
		VPSRLQ(U8(51), r[k], t)
		VPANDQ(mask, r[k], r[k])
		VPADDQ(t, r[k+1], r[k+1])
	}
	// r0 += 19·c4 with c4 < 2^12, as c4 + 2c4 + 16c4.
	VPSLLQ(U8(1), c4, t)
	VPADDQ(t, c4, t)
	VPSLLQ(U8(4), c4, c4)
	VPADDQ(t, c4, c4)
	VPADDQ(c4, r[0], r[0])
}

// cachedInput turns P = (X, Y, Z, T) into (Y-X, Y+X, Z, T) in place, carried,
// with the opmask registers k0 = lane 0 and k01 = lanes 0 and 1, 4p in b0
// and b1, mask51 in mask, scratch t0, t1.
func cachedInput(P [5]VecPhysical, k0, k01 Register, b0, b1, mask, t0, t1 VecPhysical) {
	Comment("(X, Y, Z, T) -> (Y-X, Y+X, Z, T)")
	for i := 0; i < 5; i++ {
		VPERMQ(perm(0, 0, 0, 0), P[i], t0)   // X in every lane
		VPSUBQ(t0, bias(i, b0, b1), t1)      // 4p - X
		VPBLENDMQ(t1, t0, k0, t0)            // (4p-X, X, X, X)
		VPERMQ(perm(1, 1, 2, 3), P[i], P[i]) // (Y, Y, Z, T)
		VPADDQ(t0, P[i], k01, P[i])          // lanes 0, 1 only
	}
	vecCarry(P, mask, t0, t1)
}

func vecDouble() {
	TEXT("vecDoubleIFMA", NOSPLIT, "func(out, p *vecPoint)")
	Pragma("noescape")
	Doc("vecDoubleIFMA sets out = [2]p with AVX-512 IFMA (see vecDoubleGeneric).",
		"out and p may alias. Requires AVX512F, AVX512VL and AVX512IFMA. Constant time.")
	pp := Load(Param("p"), GP64())
	P, R := five(0), five(5)
	loadLanes(pp, P)
	setMask(K1, lane3)
	setMask(K2, lanes02)
	setMask(K3, lanes12)
	setMask(K4, lanes03)
	VPBROADCASTQ(constMask51, Y30)

	Comment("(X, Y, Z, T) -> (X, Y, Z, X+Y)")
	for i := 0; i < 5; i++ {
		VPERMQ(perm(0, 0, 0, 1), P[i], Y10)
		VPERMQ(perm(0, 1, 2, 0), P[i], P[i])
		VPADDQ(Y10, P[i], K1, P[i])
	}
	vecCarry(P, Y30, Y10, Y11)
	Comment("(S1, S2, S3, S4) = (X², Y², Z², (X+Y)²)")
	ifmaSquare(P, P)

	Comment("left = (S8, S5, S8, S5), right = (S9, S6, S6, S9)")
	fourP(Y28, Y29)
	for i := 0; i < 5; i++ {
		b := bias(i, Y28, Y29)
		s1, s2, s3, s4, n := Y12, Y13, Y14, Y15, Y16
		VPERMQ(perm(0, 0, 0, 0), P[i], s1)
		VPERMQ(perm(1, 1, 1, 1), P[i], s2)
		VPERMQ(perm(2, 2, 2, 2), P[i], s3)
		VPERMQ(perm(3, 3, 3, 3), P[i], s4)
		VPSUBQ(s2, b, n) // 4p - S2
		Comment("left = S1 + (-S2, S2, -S2, S2) + (2S3, 0, 2S3, 0)")
		VPBLENDMQ(n, s2, K2, P[i])
		VPADDQ(s1, P[i], P[i])
		VPADDQ(s3, s3, s3)
		VPADDQ(s3, P[i], K2, P[i])
		Comment("right = S1 + (S2, -S2, -S2, S2) + (-S4, 0, 0, -S4)")
		VPBLENDMQ(n, s2, K3, R[i])
		VPADDQ(s1, R[i], R[i])
		VPSUBQ(s4, b, s4)
		VPADDQ(s4, R[i], K4, R[i])
	}
	vecCarry(P, Y30, Y10, Y11)
	vecCarry(R, Y30, Y10, Y11)
	Comment("(X3, Y3, Z3, T3) = left·right")
	ifmaMul(P, R, P)
	out := Load(Param("out"), GP64())
	storeLanes(out, P)
	VZEROUPPER()
	RET()
}

func vecAdd() {
	TEXT("vecAddIFMA", NOSPLIT, "func(out, p *vecPoint, q *vecCached, neg uint64)")
	Pragma("noescape")
	Doc("vecAddIFMA sets out = p + q, or p - q if neg = 1 (neg must be 0 or 1), with",
		"AVX-512 IFMA (see vecAddGeneric). out and p may alias. Requires AVX512F,",
		"AVX512VL and AVX512IFMA. Constant time, in neg too: -q is always computed",
		"and kept or not with an opmask built arithmetically from neg.")
	pp := Load(Param("p"), GP64())
	pq := Load(Param("q"), GP64())
	n := GP64()
	Load(Param("neg"), n)
	P, Q := five(0), five(5)
	loadLanes(pp, P)
	loadLanes(pq, Q)
	ANDQ(U8(1), n) // like the generic twin, only the low bit counts
	NEGQ(n)
	ANDQ(U8(0xf), n)
	KMOVW(n.As32(), K4) // all four lanes if neg = 1, none if 0
	setMask(K1, lane0)
	setMask(K2, lanes01)
	setMask(K3, lane3)
	setMask(K5, lanes023)
	VPBROADCASTQ(constMask51, Y30)
	fourP(Y28, Y29)

	Comment("-q = (Y+X, Y-X, 2Z, -2dT): swap lanes 0 and 1, negate lane 3; keep it if neg")
	for i := 0; i < 5; i++ {
		VPERMQ(perm(1, 0, 2, 3), Q[i], Y10)
		VPSUBQ(Y10, bias(i, Y28, Y29), K3, Y10)
		VPBLENDMQ(Y10, Q[i], K4, Q[i])
	}
	vecCarry(Q, Y30, Y10, Y11) // 4p - 2dT is below 2^53
	cachedInput(P, K1, K2, Y28, Y29, Y30, Y10, Y11)
	Comment("(A, B, C, D) = (Y1-X1, Y1+X1, Z1, T1)·(Y2-X2, Y2+X2, 2Z2, 2dT2)")
	ifmaMul(P, Q, P)

	Comment("left = (E, G, F, E) = (B-A, C+D, C-D, B-A), right = (F, H, G, H) = (C-D, B+A, C+D, B+A)")
	fourP(Y28, Y29)
	for i := 0; i < 5; i++ {
		b := bias(i, Y28, Y29)
		pa, pb, qa, qb, t := Y12, Y13, Y14, Y15, Y16
		VPERMQ(perm(1, 2, 2, 1), P[i], pa) // (B, C, C, B)
		VPERMQ(perm(0, 3, 3, 0), P[i], pb) // (A, D, D, A)
		VPERMQ(perm(2, 1, 2, 1), P[i], qa) // (C, B, C, B)
		VPERMQ(perm(3, 0, 3, 0), P[i], qb) // (D, A, D, A)
		VPSUBQ(pb, b, t)
		VPBLENDMQ(t, pb, K5, pb) // (-A, D, -D, -A)
		VPADDQ(pb, pa, P[i])
		VPSUBQ(qb, b, t)
		VPBLENDMQ(t, qb, K1, qb) // (-D, A, D, A)
		VPADDQ(qb, qa, Q[i])
	}
	vecCarry(P, Y30, Y10, Y11)
	vecCarry(Q, Y30, Y10, Y11)
	Comment("(X3, Y3, Z3, T3) = left·right")
	ifmaMul(P, Q, P)
	out := Load(Param("out"), GP64())
	storeLanes(out, P)
	VZEROUPPER()
	RET()
}

func vecCache() {
	TEXT("vecCacheIFMA", NOSPLIT, "func(out *vecCached, p *vecPoint)")
	Pragma("noescape")
	Doc("vecCacheIFMA sets out to the cached form (Y-X, Y+X, 2Z, 2dT) of p with",
		"AVX-512 IFMA: one four-way product by (1, 1, 2, 2d). Requires AVX512F,",
		"AVX512VL and AVX512IFMA. Constant time.")
	pp := Load(Param("p"), GP64())
	P, C := five(0), five(5)
	loadLanes(pp, P)
	setMask(K1, lane0)
	setMask(K2, lanes01)
	VPBROADCASTQ(constMask51, Y30)
	fourP(Y28, Y29)
	cachedInput(P, K1, K2, Y28, Y29, Y30, Y10, Y11)
	for i := 0; i < 5; i++ {
		VMOVDQU64(constCacheMul.Offset(32*i), C[i])
	}
	ifmaMul(P, C, P)
	out := Load(Param("out"), GP64())
	storeLanes(out, P)
	VZEROUPPER()
	RET()
}
