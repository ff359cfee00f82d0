package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ---------------------------------------------------------------------------
// The fixed-base multiplication of signing with AVX2, one point per lane.
//
// vecAdd keeps one point's four coordinates in the four lanes: an addition
// is two four-way products plus the lane shuffles between them. Signing
// adds 64 table entries, and nothing forces them into one chain: here lane
// c accumulates the entries of digits 4g+c, so the four lanes are four
// independent points, each coordinate a field.Lanes, and one mixed
// addition of four points (madd-2008-hwcd-3, a = -1, Z2 = 1) is seven
// four-way products with no shuffle at all:
//
//	A = (Y1-X1)(y2-x2)  B = (Y1+X1)(y2+x2)  C = T1·2d x2y2  D = 2Z1
//	E = B-A  F = D-C  G = D+C  H = B+A
//	X3 = E·F  Y3 = G·H  T3 = E·H  Z3 = G·F
//
// 1.75 products per addition instead of 2, and sixteen steps of four
// additions, looped here in one call, instead of 64 calls. The caller adds
// the four lanes together at the end (three additions).
//
// Each step's table entry is looked up per lane: lane c of group g holds
// the multiples [j 16^(4g+c)]B, j = 1..8, so the eight entries of a group
// are read whole and each lane keeps the one its (secret) index selects,
// under a mask built by VPCMPEQQ of the index vector against j and
// applied by VPBLENDVB: no branch and no address depends on the digits.
// The sign of each digit is a mask vector too (swap y+x and y-x, negate
// 2dxy).
//
// Every product's factors are split into radix 2^25.5 once (avxSplit) and
// kept in the stack frame, so E, F, G and H, each used twice, are split
// once; products go through avxMulRows and avxCarry as in mul4AVX2.
// ---------------------------------------------------------------------------

var const2p0, const2p1, constOne, constLaneIdx Mem

// combConstants: 2p in radix 2^51 (limb 0 = 2^52 - 38, limbs 1-4 = 2^52 - 2),
// the limb 1, and the lookup indices 1..8.
func combConstants() {
	const2p0 = ConstData("twoP0", U64(1<<52-38))
	const2p1 = ConstData("twoP1", U64(1<<52-2))
	constOne = ConstData("one", U64(1))
	constLaneIdx = GLOBL("laneIdx", RODATA|NOPTR)
	for j := 0; j < 8; j++ {
		DATA(8*j, U64(j+1))
	}
}

// avx2p loads 2p's limb i into every lane of b.
func avx2p(i int, b VecPhysical) {
	if i == 0 {
		VPBROADCASTQ(const2p0, b)
	} else {
		VPBROADCASTQ(const2p1, b)
	}
}

// Layout of the Go types (internal/edwards/comb.go): laneAcc is four
// field.Lanes (X, Y, Z, T), laneAffine three (y-x, y+x, 2dxy), a group
// eight laneAffine, and laneDigits per group the index vector then the
// sign mask vector.
const (
	lanesSize  = 5 * 32
	affineSize = 3 * lanesSize
	groupSize  = 8 * affineSize
	digitsSize = 64
)

// combParams loads laneComb's three pointer arguments, sets a step counter
// to 16, and returns them with the address of limb i of coordinate k of
// entry j (1..8) of the current group.
func combParams() (pacc, ptab, pdig Register, n GPVirtual, entry func(j, k, i int) Mem) {
	pacc = Load(Param("acc"), GP64())
	ptab = Load(Param("table"), GP64())
	pdig = Load(Param("digits"), GP64())
	n = GP64()
	MOVQ(U32(16), n)
	entry = func(j, k, i int) Mem { return Mem{Base: ptab, Disp: (j-1)*affineSize + k*lanesSize + 32*i} }
	return pacc, ptab, pdig, n, entry
}

// carrySplit carries a and b (limbs below 2^55) and splits them into radix
// 2^25.5 in the stack frame: a as a first factor (fa), b as a second one
// with its 19 multiples (gb, gb19). It uses Y10-Y12.
func carrySplit(a, b [5]VecPhysical, fa, gb, gb19 func(int) Mem) {
	VPBROADCASTQ(constMask51, Y10)
	avxVecCarry(a, Y10, Y11, Y12)
	avxVecCarry(b, Y10, Y11, Y12)
	VPBROADCASTQ(constMask26, Y10)
	VPBROADCASTQ(const19, Y11)
	avxSplit(a, fa, nil, Y10, Y11, Y12)
	avxSplit(b, gb, gb19, Y10, Y11, Y12)
}

func laneCombAVX2() {
	TEXT("laneCombAVX2", 0, "func(acc *laneAcc, table *[16]laneCombGroup, digits *laneDigits)")
	Pragma("noescape")
	Doc("laneCombAVX2 adds to the four points of acc, lane by lane, the sixteen",
		"entries of the table selected by digits (see laneCombGeneric), with AVX2.",
		"The limbs of acc must be below 2^51 + 2^42 (every product and Lanes.Set",
		"leave them so); on return they are below 2^51 + 2^41.",
		"Requires AVX2. Constant time: the digits steer masks only.")

	// Stack frame, in 32-byte slots: first factors in ten limbs (F-form),
	// second factors in ten limbs and their 19 multiples (G-form: limbs at
	// 0-9, 19·limbs at 11-19), and the products A, B, C in radix 2^51.
	frame := alignedFrame(165)
	fform := func(first int) func(int) Mem { return stackVecs(frame, first) }
	gform := func(first int) (func(int) Mem, func(int) Mem) {
		return stackVecs(frame, first), stackVecs(frame, first+10)
	}
	fYmX, fYpX, fT1, fE, fG := fform(0), fform(10), fform(20), fform(30), fform(40)
	gM, gM19 := gform(50)
	gP, gP19 := gform(70)
	gT, gT19 := gform(90)
	gF, gF19 := gform(110)
	gH, gH19 := gform(130)
	sA, sB, sC := stackVecs(frame, 150), stackVecs(frame, 155), stackVecs(frame, 160)

	pacc, ptab, pdig, n, entry := combParams()
	accMem := func(k, i int) Mem { return Mem{Base: pacc, Disp: k*lanesSize + 32*i} }
	idxMask := func(j int, I, M VecPhysical) {
		VPBROADCASTQ(constLaneIdx.Offset(8*(j-1)), M)
		VPCMPEQQ(I, M, M)
	}
	product := func(F, G, G19 func(int) Mem) [5]VecPhysical {
		avxMulRows(F, G, G19)
		VPBROADCASTQ(constMask26, Y14)
		VPBROADCASTQ(constMask25, Y15)
		avxCarry(ymm[0:10], Y14, Y15, Y10, Y11)
		return [5]VecPhysical{Y0, Y2, Y4, Y6, Y8}
	}
	store := func(dst func(int) Mem, src [5]VecPhysical) {
		for i := range src {
			VMOVDQU(src[i], dst(i))
		}
	}

	Label("step")
	Comment("Look up y-x and y+x of each lane's entry: identity (1, 1) unless selected")
	M, P := five(0), five(5)
	I, K, N, t := Y10, Y11, Y12, Y13
	VMOVDQU(Mem{Base: pdig}, I)
	VPBROADCASTQ(constOne, M[0])
	VMOVDQU(M[0], P[0])
	for i := 1; i < 5; i++ {
		VPXOR(M[i], M[i], M[i])
		VPXOR(P[i], P[i], P[i])
	}
	for j := 1; j <= 8; j++ {
		idxMask(j, I, K)
		for i := 0; i < 5; i++ {
			VPBLENDVB(K, entry(j, 0, i), M[i], M[i])
			VPBLENDVB(K, entry(j, 1, i), P[i], P[i])
		}
	}
	Comment("Negative digits: swap y-x and y+x")
	VMOVDQU(Mem{Base: pdig, Disp: 32}, N)
	for i := 0; i < 5; i++ {
		VPBLENDVB(N, P[i], M[i], t)
		VPBLENDVB(N, M[i], P[i], P[i])
		VMOVDQU(t, M[i])
	}
	VPBROADCASTQ(constMask26, Y10)
	VPBROADCASTQ(const19, Y11)
	avxSplit(M, gM, gM19, Y10, Y11, Y12)
	avxSplit(P, gP, gP19, Y10, Y11, Y12)

	Comment("Look up 2dxy; negative digits: 2p - 2dxy")
	T := five(0)
	VMOVDQU(Mem{Base: pdig}, I)
	for i := 0; i < 5; i++ {
		VPXOR(T[i], T[i], T[i])
	}
	for j := 1; j <= 8; j++ {
		idxMask(j, I, K)
		for i := 0; i < 5; i++ {
			VPBLENDVB(K, entry(j, 2, i), T[i], T[i])
		}
	}
	VMOVDQU(Mem{Base: pdig, Disp: 32}, N)
	for i := 0; i < 5; i++ {
		avx2p(i, Y5)
		VPSUBQ(T[i], Y5, Y5)
		VPBLENDVB(N, Y5, T[i], T[i])
	}
	VPBROADCASTQ(constMask26, Y10)
	VPBROADCASTQ(const19, Y11)
	avxSplit(T, gT, gT19, Y10, Y11, Y12)

	Comment("Y1-X1 and Y1+X1, carried and split; T1 split")
	X, Yc := five(0), five(5)
	for i := 0; i < 5; i++ {
		VMOVDQU(accMem(0, i), X[i])
		VMOVDQU(accMem(1, i), Yc[i])
		avx2p(i, Y10)
		VPADDQ(Yc[i], Y10, Y10)
		VPSUBQ(X[i], Y10, Y10)
		VPADDQ(X[i], Yc[i], Yc[i])
		VMOVDQU(Y10, X[i])
	}
	VPBROADCASTQ(constMask51, Y10)
	avxVecCarry(X, Y10, Y11, Y12)
	avxVecCarry(Yc, Y10, Y11, Y12)
	VPBROADCASTQ(constMask26, Y10)
	avxSplit(X, fYmX, nil, Y10, Y11, Y12)
	avxSplit(Yc, fYpX, nil, Y10, Y11, Y12)
	for i := 0; i < 5; i++ {
		VMOVDQU(accMem(3, i), X[i])
	}
	avxSplit(X, fT1, nil, Y10, Y11, Y12)

	Comment("A = (Y1-X1)(y2-x2), B = (Y1+X1)(y2+x2), C = T1·2dx2y2")
	store(sA, product(fYmX, gM, gM19))
	store(sB, product(fYpX, gP, gP19))
	store(sC, product(fT1, gT, gT19))

	Comment("E = B-A (split), H = B+A (split with 19 multiples)")
	E, H := five(0), five(5)
	for i := 0; i < 5; i++ {
		VMOVDQU(sB(i), E[i])
		VPADDQ(sA(i), E[i], H[i])
		avxBias(i, Y10)
		VPADDQ(Y10, E[i], E[i])
		VPSUBQ(sA(i), E[i], E[i])
	}
	carrySplit(E, H, fE, gH, gH19)

	Comment("D = 2Z1, G = D+C (split), F = D-C (split with 19 multiples)")
	G, F := five(0), five(5)
	for i := 0; i < 5; i++ {
		VMOVDQU(accMem(2, i), G[i])
		VPADDQ(G[i], G[i], G[i])
		avxBias(i, Y10)
		VPADDQ(Y10, G[i], F[i])
		VPSUBQ(sC(i), F[i], F[i])
		VPADDQ(sC(i), G[i], G[i])
	}
	carrySplit(G, F, fG, gF, gF19)

	Comment("X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = G·F")
	accOut := func(k int) func(int) Mem { return func(i int) Mem { return accMem(k, i) } }
	store(accOut(0), product(fE, gF, gF19))
	store(accOut(1), product(fG, gH, gH19))
	store(accOut(3), product(fE, gH, gH19))
	store(accOut(2), product(fG, gF, gF19))

	ADDQ(U32(groupSize), ptab)
	ADDQ(U8(digitsSize), pdig)
	DECQ(n)
	JNZ(LabelRef("step"))
	VZEROUPPER()
	RET()
}
