package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ---------------------------------------------------------------------------
// Lane-form field routines for field.Lanes (limb i of element e at
// Lanes[i][e]): four independent elements in five vector registers, loaded
// and stored with plain 32-byte moves (loadLanes, storeLanes), no
// transposition. They serve exponentiations that run four at once
// (Lanes.Pow22523: the square roots of four point decodings), where the
// value stays in registers through each run of squarings.
//
// Limb bounds: inputs below 2^52 (IFMA reads 52 bits); every product leaves
// limbs below 2^51 + 2^15 (ifmaFinish), so outputs feed straight back in.
// The AVX2 versions below take the same inputs and leave limbs below
// 2^51 + 2^41 (avxCarry).
// ---------------------------------------------------------------------------

func laneRoutines() {
	mulLanesIFMA()
	squareNLanesIFMA()
	mulLanesAVX2()
	squareNLanesAVX2()
}

func mulLanesIFMA() {
	TEXT("mulLanesIFMA", NOSPLIT, "func(out, a, b *Lanes)")
	Pragma("noescape")
	Doc("mulLanesIFMA sets out[.][e] = a[.][e]·b[.][e], e = 0..3: four products in",
		"lane layout with AVX-512 IFMA. All inputs are read before out is written,",
		"so out may alias a or b. Requires AVX512F, AVX512VL and AVX512IFMA.",
		"Constant time.")
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	A, B := five(0), five(5)
	loadLanes(pa, A)
	loadLanes(pb, B)
	ifmaMul(A, B, A)
	out := Load(Param("out"), GP64())
	storeLanes(out, A)
	VZEROUPPER()
	RET()
}

func squareNLanesIFMA() {
	TEXT("squareNLanesIFMA", NOSPLIT, "func(out, a *Lanes, n int)")
	Pragma("noescape")
	Doc("squareNLanesIFMA sets each lane of out to the lane of a raised to 2^n, for",
		"n >= 1, with AVX-512 IFMA, keeping the four values in registers between",
		"squarings. out may alias a. Requires AVX512F, AVX512VL and AVX512IFMA.",
		"Constant time (the loop count n is public).")
	pa := Load(Param("a"), GP64())
	n := Load(Param("n"), GP64())
	A := five(0)
	loadLanes(pa, A)
	Label("loop")
	ifmaSquare(A, A)
	DECQ(n)
	JNZ(LabelRef("loop"))
	out := Load(Param("out"), GP64())
	storeLanes(out, A)
	VZEROUPPER()
	RET()
}

// ---------------------------------------------------------------------------
// The same two routines with AVX2, for CPUs without IFMA: the products of
// mul4AVX2 and square4AVX2 (radix 2^25.5, VPMULUDQ), with the loads and
// stores of the lane layout instead of their transpositions. squareNLanesAVX2
// keeps the value in radix 2^25.5 between squarings: the ten limbs that
// avxCarryLimbs leaves are all below 2^26, the bound the products assume, so
// they go back into the stack frame (with their multiples by 19) as they
// are, and only the result is recombined into 51-bit limbs. AVX2 has sixteen
// vector registers: the ten column sums take Y0-Y9, the row factors and
// scratch Y10-Y13, the carry masks Y14-Y15; the limbs are memory operands.
// ---------------------------------------------------------------------------

// avxLoadLanes loads the five limb vectors at p (field.Lanes layout) into
// dst with VEX moves (no AVX-512).
func avxLoadLanes(p Register, dst [5]VecPhysical) {
	for i := range dst {
		VMOVDQU(Mem{Base: p, Disp: 32 * i}, dst[i])
	}
}

// avxStoreLanes stores the five limb vectors src at p (field.Lanes layout).
func avxStoreLanes(p Register, src [5]VecPhysical) {
	for i := range src {
		VMOVDQU(src[i], Mem{Base: p, Disp: 32 * i})
	}
}

func mulLanesAVX2() {
	TEXT("mulLanesAVX2", 0, "func(out, a, b *Lanes)")
	Pragma("noescape")
	Doc("mulLanesAVX2 sets out[.][e] = a[.][e]·b[.][e], e = 0..3: four products in",
		"lane layout with AVX2 (radix 2^25.5 inside, as mul4AVX2). All inputs are",
		"read before out is written, so out may alias a or b. Requires AVX2.",
		"Constant time.")
	avxMulBody(avxLoadLanes, avxStoreLanes)
}

func squareNLanesAVX2() {
	TEXT("squareNLanesAVX2", 0, "func(out, a *Lanes, n int)")
	Pragma("noescape")
	Doc("squareNLanesAVX2 sets each lane of out to the lane of a raised to 2^n, for",
		"n >= 1, with AVX2 (radix 2^25.5, as square4AVX2), keeping the values in",
		"radix 2^25.5 between squarings. out may alias a. Requires AVX2.",
		"Constant time (the loop count n is public).")
	frame := alignedFrame(21)
	F, F19 := stackVecs(frame, 0), stackVecs(frame, 10)
	C19 := frame.Offset(20 * 32)
	pa := Load(Param("a"), GP64())
	n := Load(Param("n"), GP64())
	m26, m25 := Y14, Y15
	VPBROADCASTQ(constMask26, m26)
	VPBROADCASTQ(const19, m25)
	VMOVDQU(m25, C19)
	avxLoadLanes(pa, five(0))
	avxSplit(five(0), F, F19, m26, m25, Y10)
	VPBROADCASTQ(constMask25, m25)
	h := ymm[0:10]
	Label("loop")
	avxSquareRows(F, F19)
	avxCarryLimbs(h, m26, m25, Y10, Y11)
	DECQ(n)
	JZ(LabelRef("done"))
	Comment("the limbs, and 19 times limbs 1..9, back to the frame")
	for i := 0; i < 10; i++ {
		VMOVDQU(h[i], F(i))
		if i > 0 {
			VPMULUDQ(C19, h[i], Y10)
			VMOVDQU(Y10, F19(i))
		}
	}
	JMP(LabelRef("loop"))
	Label("done")
	avxRecombine(h, Y10)
	out := Load(Param("out"), GP64())
	avxStoreLanes(out, [5]VecPhysical{Y0, Y2, Y4, Y6, Y8})
	VZEROUPPER()
	RET()
}
