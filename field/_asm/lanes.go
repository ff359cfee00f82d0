package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
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
// ---------------------------------------------------------------------------

func laneRoutines() {
	mulLanesIFMA()
	squareNLanesIFMA()
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
