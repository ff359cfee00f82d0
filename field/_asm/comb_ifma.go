package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// laneCombIFMA is laneCombAVX2 (comb_avx2.go: the layout, the formulas and
// the constant-time lookup) with AVX-512 IFMA products in radix 2^51 and
// opmasks: VPCMPEQQ of the index vector against j into an opmask, VPBLENDMQ
// under it, VPTESTMQ of the sign vector for the negation. ifmaMul takes its
// factors in Y0-Y11 and uses Y12-Y31, so every value between products is
// kept in the stack frame.
func laneCombIFMA() {
	TEXT("laneCombIFMA", 0, "func(acc *laneAcc, table *[16]laneCombGroup, digits *laneDigits)")
	Pragma("noescape")
	Doc("laneCombIFMA is laneCombAVX2 with AVX-512 IFMA. The limbs of acc must be",
		"below 2^51 + 2^42; on return they are below 2^51 + 2^15. Requires AVX512F,",
		"AVX512VL and AVX512IFMA. Constant time: the digits steer opmasks only.")

	// Stack frame: twelve values of five limb vectors.
	frame := alignedFrame(60)
	slot := func(n int) func(int) Mem { return stackVecs(frame, 5*n) }
	sM, sP, sT, sYmX, sYpX := slot(0), slot(1), slot(2), slot(3), slot(4)
	sA, sB, sC, sE, sF, sG, sH := slot(5), slot(6), slot(7), slot(8), slot(9), slot(10), slot(11)

	pacc, ptab, pdig, n, entry := combParams()
	accMem := func(k int) func(int) Mem {
		return func(i int) Mem { return Mem{Base: pacc, Disp: k*lanesSize + 32*i} }
	}
	load := func(src func(int) Mem, dst [5]VecPhysical) {
		for i := range dst {
			VMOVDQU64(src(i), dst[i])
		}
	}
	store := func(dst func(int) Mem, src [5]VecPhysical) {
		for i := range src {
			VMOVDQU64(src[i], dst(i))
		}
	}
	A, B := five(0), five(5)
	product := func(f, g, out func(int) Mem) {
		load(f, A)
		load(g, B)
		ifmaMul(A, B, A)
		store(out, A)
	}
	// carried applies vecCarry to r with mask51 and scratch Y10, Y11.
	carried := func(r [5]VecPhysical) {
		VPBROADCASTQ(constMask51, Y12)
		vecCarry(r, Y12, Y10, Y11)
	}
	// lookup selects coordinate k of each lane's entry into V, which holds
	// the identity's value on entry, with the index vector in I.
	lookup := func(k int, V [5]VecPhysical, I VecPhysical) {
		for j := 1; j <= 8; j++ {
			VPBROADCASTQ(constLaneIdx.Offset(8*(j-1)), Y11)
			VPCMPEQQ(I, Y11, K1)
			for i := 0; i < 5; i++ {
				VMOVDQU64(entry(j, k, i), Y12)
				VPBLENDMQ(Y12, V[i], K1, V[i])
			}
		}
	}

	Label("step")
	Comment("Look up y-x and y+x of each lane's entry: identity (1, 1) unless selected")
	M, P := five(0), five(5)
	VMOVDQU64(Mem{Base: pdig}, Y10)
	VPBROADCASTQ(constOne, M[0])
	VMOVDQU64(M[0], P[0])
	for i := 1; i < 5; i++ {
		VPXORQ(M[i], M[i], M[i])
		VPXORQ(P[i], P[i], P[i])
	}
	lookup(0, M, Y10)
	lookup(1, P, Y10)
	Comment("Negative digits: swap y-x and y+x")
	VMOVDQU64(Mem{Base: pdig, Disp: 32}, Y11)
	VPTESTMQ(Y11, Y11, K2)
	for i := 0; i < 5; i++ {
		VPBLENDMQ(M[i], P[i], K2, Y12) // y+x, or y-x if negative
		VPBLENDMQ(P[i], M[i], K2, M[i])
		VMOVDQU64(Y12, P[i])
	}
	store(sM, M)
	store(sP, P)

	Comment("Look up 2dxy; negative digits: 2p - 2dxy")
	T := five(0)
	for i := 0; i < 5; i++ {
		VPXORQ(T[i], T[i], T[i])
	}
	lookup(2, T, Y10)
	VPBROADCASTQ(const2p0, Y13)
	VPBROADCASTQ(const2p1, Y14)
	for i := 0; i < 5; i++ {
		VPSUBQ(T[i], bias(i, Y13, Y14), K2, T[i])
	}
	store(sT, T)

	Comment("Y1-X1 and Y1+X1, carried")
	X, Yc := five(0), five(5)
	load(accMem(0), X)
	load(accMem(1), Yc)
	VPBROADCASTQ(const2p0, Y13)
	VPBROADCASTQ(const2p1, Y14)
	for i := 0; i < 5; i++ {
		VPADDQ(Yc[i], bias(i, Y13, Y14), Y12)
		VPSUBQ(X[i], Y12, Y12)
		VPADDQ(X[i], Yc[i], Yc[i])
		VMOVDQU64(Y12, X[i])
	}
	carried(X)
	carried(Yc)
	store(sYmX, X)
	store(sYpX, Yc)

	Comment("A = (Y1-X1)(y2-x2), B = (Y1+X1)(y2+x2), C = T1·2dx2y2")
	product(sYmX, sM, sA)
	product(sYpX, sP, sB)
	product(accMem(3), sT, sC)

	Comment("E = B-A, H = B+A")
	E, H := five(0), five(5)
	fourP(Y13, Y14)
	for i := 0; i < 5; i++ {
		VMOVDQU64(sB(i), E[i])
		VPADDQ(sA(i), E[i], H[i])
		VPADDQ(bias(i, Y13, Y14), E[i], E[i])
		VPSUBQ(sA(i), E[i], E[i])
	}
	carried(E)
	carried(H)
	store(sE, E)
	store(sH, H)

	Comment("D = 2Z1, G = D+C, F = D-C")
	G, F := five(0), five(5)
	fourP(Y13, Y14)
	for i := 0; i < 5; i++ {
		VMOVDQU64(accMem(2)(i), G[i])
		VPADDQ(G[i], G[i], G[i])
		VPADDQ(bias(i, Y13, Y14), G[i], F[i])
		VPSUBQ(sC(i), F[i], F[i])
		VPADDQ(sC(i), G[i], G[i])
	}
	carried(G)
	carried(F)
	store(sG, G)
	store(sF, F)

	Comment("X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = G·F")
	product(sE, sF, accMem(0))
	product(sG, sH, accMem(1))
	product(sE, sH, accMem(3))
	product(sG, sF, accMem(2))

	ADDQ(U32(groupSize), ptab)
	ADDQ(U8(digitsSize), pdig)
	DECQ(n)
	JNZ(LabelRef("step"))
	VZEROUPPER()
	RET()
}
