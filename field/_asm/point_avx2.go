package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ---------------------------------------------------------------------------
// The lane-form point routines with AVX2, for CPUs without IFMA: the same
// formulas, layout and limb bounds as the IFMA routines above (limb i of
// the four coordinates in one vector, radix 2^51 in memory and between
// steps), with
//
//   - the products of mul4AVX2/square4AVX2: each factor split into ten
//     limbs of radix 2^25.5 in the stack frame, VPMULUDQ rows, the carry
//     chain and the recombination into 51-bit limbs (avxProduct); outputs
//     are below 2^51 + 2^41, inputs below 2^52 as for IFMA;
//   - VPBLENDD with constant lane masks where the IFMA code uses opmasks,
//     and an add-then-blend for a masked addition;
//   - for the secret choice of vecAdd's neg, a mask
//     vector of all ones or all zeros computed arithmetically from the
//     secret, applied as x ^ ((x ^ y) & mask): no branch, no
//     secret-dependent address.
//
// AVX2 has sixteen vector registers (VEX: Y0-Y15), so the factors of each
// product go through memory, as in mul4AVX2.
// ---------------------------------------------------------------------------

// laneImm turns a lane mask (bit c = lane c) into VPBLENDD's doubleword
// mask.
func laneImm(m uint32) U8 {
	var imm uint8
	for c := 0; c < 4; c++ {
		if m&(1<<c) != 0 {
			imm |= 3 << (2 * c)
		}
	}
	return U8(imm)
}

// avxVecCarry is vecCarry with VEX instructions (Y0-Y15 only).
func avxVecCarry(r [5]VecPhysical, mask, t, c4 VecPhysical) {
	VPSRLQ(U8(51), r[4], c4)
	VPAND(mask, r[4], r[4])
	for k := 3; k >= 0; k-- {
		VPSRLQ(U8(51), r[k], t)
		VPAND(mask, r[k], r[k])
		VPADDQ(t, r[k+1], r[k+1])
	}
	VPSLLQ(U8(1), c4, t)
	VPADDQ(t, c4, t)
	VPSLLQ(U8(4), c4, c4)
	VPADDQ(t, c4, c4)
	VPADDQ(c4, r[0], r[0])
}

// avxFrame is the stack memory of avxProduct: the ten limbs of each
// factor, and 19 times those of the second.
type avxFrame struct{ F, G, G19 func(int) Mem }

func newAVXFrame() avxFrame {
	frame := alignedFrame(30)
	return avxFrame{stackVecs(frame, 0), stackVecs(frame, 10), stackVecs(frame, 20)}
}

// avxProduct computes A·B (A·A if square) lane by lane and returns the five
// result limb vectors, Y0, Y2, Y4, Y6 and Y8. A and B (limbs below 2^52)
// may be any registers but Y10, Y14 and Y15; every register is clobbered.
func avxProduct(A, B [5]VecPhysical, square bool, fr avxFrame) [5]VecPhysical {
	m26, c19 := Y14, Y15
	VPBROADCASTQ(constMask26, m26)
	VPBROADCASTQ(const19, c19)
	if square {
		avxSplit(A, fr.F, fr.G19, m26, c19, Y10)
		avxSquareRows(fr.F, fr.G19)
	} else {
		avxSplit(A, fr.F, nil, m26, c19, Y10)
		avxSplit(B, fr.G, fr.G19, m26, c19, Y10)
		avxMulRows(fr.F, fr.G, fr.G19)
	}
	VPBROADCASTQ(constMask25, Y15)
	avxCarry(ymm[0:10], m26, Y15, Y10, Y11)
	return [5]VecPhysical{Y0, Y2, Y4, Y6, Y8}
}

func odd5() [5]VecPhysical { return [5]VecPhysical{Y1, Y3, Y5, Y7, Y9} }

// avxBias loads 4p's limb i into every lane of b.
func avxBias(i int, b VecPhysical) {
	if i == 0 {
		VPBROADCASTQ(const4p0, b)
	} else {
		VPBROADCASTQ(const4p1, b)
	}
}

// avxCachedInput is cachedInput with VEX instructions: P = (X, Y, Z, T)
// becomes (Y-X, Y+X, Z, T), carried. It uses Y10-Y13.
func avxCachedInput(P [5]VecPhysical) {
	Comment("(X, Y, Z, T) -> (Y-X, Y+X, Z, T)")
	b, t0, t1 := Y12, Y10, Y11
	for i := 0; i < 5; i++ {
		avxBias(i, b)
		VPERMQ(perm(0, 0, 0, 0), P[i], t0)         // X in every lane
		VPSUBQ(t0, b, t1)                          // 4p - X
		VPBLENDD(laneImm(lane0), t1, t0, t0)       // (4p-X, X, X, X)
		VPERMQ(perm(1, 1, 2, 3), P[i], P[i])       // (Y, Y, Z, T)
		VPADDQ(t0, P[i], t1)                       //
		VPBLENDD(laneImm(lanes01), t1, P[i], P[i]) // lanes 0, 1 only
	}
	VPBROADCASTQ(constMask51, Y13)
	avxVecCarry(P, Y13, t0, t1)
}

// avxLeftRight ends vecDoubleAVX2 and vecAddAVX2: it carries the left and
// right vectors (limbs up to 2^55), multiplies them into (X3, Y3, Z3, T3)
// and stores that at out.
func avxLeftRight(left, right [5]VecPhysical, fr avxFrame) {
	VPBROADCASTQ(constMask51, Y15)
	avxVecCarry(left, Y15, Y10, Y11)
	avxVecCarry(right, Y15, Y10, Y11)
	Comment("(X3, Y3, Z3, T3) = left·right")
	res := avxProduct(left, right, false, fr)
	out := Load(Param("out"), GP64())
	avxStoreLanes(out, res)
	VZEROUPPER()
	RET()
}

func pointRoutinesAVX2() {
	vecDoubleAVX2()
	vecAddAVX2()
	vecCacheAVX2()
}

func vecDoubleAVX2() {
	TEXT("vecDoubleAVX2", 0, "func(out, p *vecPoint)")
	Pragma("noescape")
	Doc("vecDoubleAVX2 sets out = [2]p with AVX2 (see vecDoubleGeneric). out and p",
		"may alias. Requires AVX2. Constant time.")
	fr := newAVXFrame()
	pp := Load(Param("p"), GP64())
	P := five(0)
	avxLoadLanes(pp, P)
	Comment("(X, Y, Z, T) -> (X, Y, Z, X+Y)")
	for i := 0; i < 5; i++ {
		VPERMQ(perm(0, 0, 0, 1), P[i], Y10)
		VPERMQ(perm(0, 1, 2, 0), P[i], P[i])
		VPADDQ(Y10, P[i], Y11)
		VPBLENDD(laneImm(lane3), Y11, P[i], P[i])
	}
	VPBROADCASTQ(constMask51, Y15)
	avxVecCarry(P, Y15, Y10, Y11)
	Comment("(S1, S2, S3, S4) = (X², Y², Z², (X+Y)²)")
	S := avxProduct(P, P, true, fr)

	Comment("left = (S8, S5, S8, S5) into Y0, Y2, ..., right = (S9, S6, S6, S9) into Y1, Y3, ...")
	R := odd5()
	for i := 0; i < 5; i++ {
		b := Y15
		avxBias(i, b)
		s1, s2, s3, s4, n := Y10, Y11, Y12, Y13, Y14
		VPERMQ(perm(0, 0, 0, 0), S[i], s1)
		VPERMQ(perm(1, 1, 1, 1), S[i], s2)
		VPERMQ(perm(2, 2, 2, 2), S[i], s3)
		VPERMQ(perm(3, 3, 3, 3), S[i], s4)
		VPSUBQ(s2, b, n) // 4p - S2
		Comment("left = S1 + (-S2, S2, -S2, S2) + (2S3, 0, 2S3, 0)")
		VPBLENDD(laneImm(lanes02), n, s2, S[i])
		VPADDQ(s1, S[i], S[i])
		VPADDQ(s3, s3, s3)
		VPADDQ(s3, S[i], s3)
		VPBLENDD(laneImm(lanes02), s3, S[i], S[i])
		Comment("right = S1 + (S2, -S2, -S2, S2) + (-S4, 0, 0, -S4)")
		VPBLENDD(laneImm(lanes12), n, s2, R[i])
		VPADDQ(s1, R[i], R[i])
		VPSUBQ(s4, b, s4)
		VPADDQ(s4, R[i], s4)
		VPBLENDD(laneImm(lanes03), s4, R[i], R[i])
	}
	avxLeftRight(S, R, fr)
}

func vecAddAVX2() {
	TEXT("vecAddAVX2", 0, "func(out, p *vecPoint, q *vecCached, neg uint64)")
	Pragma("noescape")
	Doc("vecAddAVX2 sets out = p + q, or p - q if neg = 1 (neg must be 0 or 1), with",
		"AVX2 (see vecAddGeneric). out and p may alias. Requires AVX2. Constant",
		"time, in neg too: -q is always computed and kept or not under a mask",
		"vector computed arithmetically from neg.")
	fr := newAVXFrame()
	pq := Load(Param("q"), GP64())
	n := GP64()
	Load(Param("neg"), n)
	Q := [5]VecPhysical{Y5, Y6, Y7, Y8, Y9}
	avxLoadLanes(pq, Q)
	ANDQ(U8(1), n) // like the generic twin, only the low bit counts
	NEGQ(n)        // all ones if neg = 1, zero if 0
	M := Y13
	VMOVQ(n, M.AsX())
	VPBROADCASTQ(M.AsX(), M)

	Comment("-q = (Y+X, Y-X, 2Z, -2dT): swap lanes 0 and 1, negate lane 3; keep it if neg")
	for i := 0; i < 5; i++ {
		b := Y12
		avxBias(i, b)
		VPERMQ(perm(1, 0, 2, 3), Q[i], Y10)
		VPSUBQ(Y10, b, Y11)
		VPBLENDD(laneImm(lane3), Y11, Y10, Y10)
		VPXOR(Q[i], Y10, Y10)
		VPAND(M, Y10, Y10)
		VPXOR(Y10, Q[i], Q[i])
	}
	VPBROADCASTQ(constMask51, Y12)
	avxVecCarry(Q, Y12, Y10, Y11) // 4p - 2dT is below 2^53

	pp := Load(Param("p"), GP64())
	P := five(0)
	avxLoadLanes(pp, P)
	avxCachedInput(P)
	Comment("(A, B, C, D) = (Y1-X1, Y1+X1, Z1, T1)·(Y2-X2, Y2+X2, 2Z2, 2dT2)")
	S := avxProduct(P, Q, false, fr)

	Comment("left = (E, G, F, E) = (B-A, C+D, C-D, B-A) into Y0, Y2, ...,")
	Comment("right = (F, H, G, H) = (C-D, B+A, C+D, B+A) into Y1, Y3, ...")
	R := odd5()
	for i := 0; i < 5; i++ {
		b := Y15
		avxBias(i, b)
		pa, pb, qa, qb, t := Y10, Y11, Y12, Y13, Y14
		VPERMQ(perm(1, 2, 2, 1), S[i], pa) // (B, C, C, B)
		VPERMQ(perm(0, 3, 3, 0), S[i], pb) // (A, D, D, A)
		VPERMQ(perm(2, 1, 2, 1), S[i], qa) // (C, B, C, B)
		VPERMQ(perm(3, 0, 3, 0), S[i], qb) // (D, A, D, A)
		VPSUBQ(pb, b, t)
		VPBLENDD(laneImm(lanes023), t, pb, pb) // (-A, D, -D, -A)
		VPADDQ(pb, pa, S[i])
		VPSUBQ(qb, b, t)
		VPBLENDD(laneImm(lane0), t, qb, qb) // (-D, A, D, A)
		VPADDQ(qb, qa, R[i])
	}
	avxLeftRight(S, R, fr)
}

func vecCacheAVX2() {
	TEXT("vecCacheAVX2", 0, "func(out *vecCached, p *vecPoint)")
	Pragma("noescape")
	Doc("vecCacheAVX2 sets out to the cached form (Y-X, Y+X, 2Z, 2dT) of p with",
		"AVX2: one four-way product by (1, 1, 2, 2d). Requires AVX2. Constant time.")
	fr := newAVXFrame()
	pp := Load(Param("p"), GP64())
	P, C := five(0), [5]VecPhysical{Y5, Y6, Y7, Y8, Y9}
	avxLoadLanes(pp, P)
	avxCachedInput(P)
	for i := 0; i < 5; i++ {
		VMOVDQU(constCacheMul.Offset(32*i), C[i])
	}
	res := avxProduct(P, C, false, fr)
	out := Load(Param("out"), GP64())
	avxStoreLanes(out, res)
	VZEROUPPER()
	RET()
}
