// Command _asm generates field_amd64.s and field_amd64_stubs.go of package
// github.com/ronkms/ronkms/field with avo, and with -point the lane-form
// point routines of internal/edwards (vec_amd64.s), which reuse the field's
// IFMA products. Run it from this directory (make asm runs both):
//
//	go run . -out ../field_amd64.s -stubs ../field_amd64_stubs.go -pkg field
//	go run . -point -out ../../internal/edwards/vec_amd64.s -stubs ../../internal/edwards/vec_amd64_stubs.go -pkg edwards
//
// Every routine is constant time: the instruction sequence and every memory
// address depend only on the pointers passed in (and, in squareNADX, on the
// public count n), never on the values of the field elements.
package main

import (
	"os"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

const mask51 = 1<<51 - 1

func main() {
	// -point selects the second output: the lane-form point routines of
	// internal/edwards (vec_amd64.s), which inline the IFMA products below.
	// It is taken out of the arguments by hand: avo's own flags open (and
	// truncate) the output files when parsed, which must happen after the
	// package is loaded, in Generate.
	point := false
	args := os.Args[:1]
	for _, a := range os.Args[1:] {
		if a == "-point" {
			point = true
			continue
		}
		args = append(args, a)
	}
	os.Args = args
	// Load the package without its assembly (the purego build), so that the
	// generator also works when the stubs are missing or out of date: it
	// only needs the Go types.
	os.Setenv("GOFLAGS", "-tags=purego")
	if point {
		Package("github.com/ronkms/ronkms/internal/edwards")
		ConstraintExpr("amd64,gc,!purego")
		pointRoutines()
		Generate()
		return
	}
	Package("github.com/ronkms/ronkms/field")
	ConstraintExpr("amd64,gc,!purego")
	constants()

	mulADX()
	squareADX()
	squareNADX()
	mul4AVX2()
	square4AVX2()
	mul4IFMA()
	square4IFMA()
	laneRoutines()

	Generate()
}

// ---------------------------------------------------------------------------
// Scalar 5×51 arithmetic with MULX (BMI2).
//
// A 51-bit-limb product is 25 (multiply) or 15 (square) 64×64→128 products,
// accumulated per column into a 128-bit (hi, lo) pair. MULX leaves the flags
// alone and takes any destination registers, so the ADD/ADC accumulation
// chains of different columns interleave freely. ADCX/ADOX would only help
// with long carry chains across words (4×64-bit radix), which 51-bit limbs do
// not have; each column here is a chain of at most five 128-bit additions.
//
// The reduction is the same as feMulGeneric's reduceWide, step for step, so
// that the assembly and the generic code give identical limbs.
// ---------------------------------------------------------------------------

// product is one term of a column: dx emits code that sets RDX (MULX's
// implicit operand) to one factor, src is the other (register or memory).
type product struct {
	dx  func()
	src Op
}

// columns emits the five column sums (each a list of products), computing
// the columns in the given order, and reduces them exactly as
// feMulGeneric's reduceWide does (same limbs):
//
//	c_k = r_k >> 51, t_k = (r_k mod 2^51) + c_(k-1), t_0 = (r_0 mod 2^51) + 19·c_4,
//	l_k = (t_k mod 2^51) + t_(k-1) >> 51, l_0 = (t_0 mod 2^51) + 19·(t_4 >> 51).
//
// Each carry c_k is added as soon as both it and t_(k+1) exist, so few
// registers stay live; the order is chosen per routine so that the inputs
// die early. It returns the five output limbs in registers.
func columns(cols [5][]product, order [5]int) [5]Register {
	var t [5]Register
	var pending [5]Register
	for _, k := range order {
		Commentf("column %d", k)
		accL, accH := GP64(), GP64()
		for n, p := range cols[k] {
			p.dx()
			if n == 0 {
				MULXQ(p.src, accL, accH)
				continue
			}
			lo, hi := GP64(), GP64()
			MULXQ(p.src, lo, hi)
			ADDQ(lo, accL)
			ADCQ(hi, accH)
		}
		tk := GP64()
		MOVQ(accL, tk)
		ANDQ(constMask51, tk)
		SHRQ(U8(51), accH, accL) // accL = c_k
		t[k] = tk
		if pending[k] != nil {
			ADDQ(pending[k], tk)
		}
		c := accL
		if k == 4 {
			times19(c)
		}
		if m := (k + 1) % 5; t[m] != nil {
			ADDQ(c, t[m])
		} else {
			pending[m] = c
		}
	}

	Comment("second carry: l_i = t_i & mask + t_(i-1) >> 51, l0 gets 19·(t4 >> 51)")
	mask, n51 := GP64(), GP64()
	MOVQ(U64(mask51), mask)
	MOVL(U32(51), n51.As32())
	var s [5]Register
	for i := range t {
		s[i] = GP64()
		SHRXQ(n51, t[i], s[i])
		ANDQ(mask, t[i])
	}
	times19(s[4])
	ADDQ(s[4], t[0])
	for i := 1; i < 5; i++ {
		ADDQ(s[i-1], t[i])
	}
	return t
}

// times19 sets r = 19·r with two LEAs (9r, then r + 2·9r).
func times19(r Register) {
	t := GP64()
	LEAQ(Mem{Base: r, Index: r, Scale: 8}, t)
	LEAQ(Mem{Base: r, Index: t, Scale: 2}, r)
}

func limb(base Register, i int) Mem { return Mem{Base: base, Disp: 8 * i} }

func dxMov(x Op) func() { return func() { MOVQ(x, RDX) } }

// dxTimes returns a dx function setting RDX = m·r for m in 2, 19, 38.
func dxTimes(r Register, m int) func() {
	return func() {
		switch m {
		case 2:
			LEAQ(Mem{Base: r, Index: r, Scale: 1}, RDX)
		case 19, 38:
			LEAQ(Mem{Base: r, Index: r, Scale: 8}, RDX)
			LEAQ(Mem{Base: r, Index: RDX, Scale: 2}, RDX)
			if m == 38 {
				ADDQ(RDX, RDX)
			}
		default:
			panic("dxTimes")
		}
	}
}

// mulCore emits the product of the elements at pointers a and b and stores
// it at out. RDX takes b_j (loaded) or 19·b_j (precomputed in registers);
// a_i are MULX memory operands. Columns run in ascending order, so 19·b_j
// dies after column j-1.
func mulCore(out, a, b Register) {
	Comment("19·b1 .. 19·b4")
	var e [5]Register
	for j := 1; j <= 4; j++ {
		e[j] = GP64()
		MOVQ(limb(b, j), e[j])
		times19(e[j])
	}
	var cols [5][]product
	for k := 0; k < 5; k++ {
		for i := 0; i < 5; i++ {
			if j := k - i; j >= 0 {
				cols[k] = append(cols[k], product{dxMov(limb(b, j)), limb(a, i)})
			} else {
				cols[k] = append(cols[k], product{dxMov(e[j+5]), limb(a, i)})
			}
		}
	}
	r := columns(cols, [5]int{0, 1, 2, 3, 4})
	for i := range r {
		MOVQ(r[i], limb(out, i))
	}
}

// dispatch emits the CPU dispatch at the top of feMul and feSquare: unless
// the package variable useBMI2ADX is set, tail-jump to the generic Go twin
// (same arguments; the frame is empty, so the twin returns straight to our
// caller). An if on the same variable as the Go dispatch, done here so that
// Multiply and Square stay inlinable with one call to the assembly.
func dispatch(generic string) {
	CMPB(NewDataAddr(Symbol{Name: "·useBMI2ADX"}, 0), U8(0))
	JNE(LabelRef("bmi2"))
	// A tail call to a Go function: avo's JMP only takes local labels, so
	// the instruction is built by hand and marked terminal, like RET.
	Instruction(&ir.Instruction{
		Opcode:     "JMP",
		Operands:   []Op{LabelRef("·" + generic + "(SB)")},
		IsTerminal: true,
	})
	Label("bmi2")
}

func mulADX() {
	TEXT("feMul", NOSPLIT, "func(out, a, b *Element)")
	Pragma("noescape")
	Doc("feMul sets out = a·b. With BMI2 (useBMI2ADX) it runs MULX code that",
		"computes the same limbs as feMulGeneric; otherwise it tail-calls",
		"feMulGeneric. Constant time.")
	dispatch("feMulGeneric")
	a := Load(Param("a"), GP64())
	b := Load(Param("b"), GP64())
	out := Load(Param("out"), GP64())
	mulCore(out, a, b)
	RET()
}

// squareCore emits the square of the limbs in registers a and returns the
// result limbs in registers. The doubled and 19-multiplied factors are made
// in RDX right before each MULX (one or three ALU operations), so nothing
// goes through memory. The column sums equal feSquareGeneric's term by term
// (a1·38a4 = 2a1·19a4 and so on), so the limbs are the same.
func squareCore(a [5]Register) [5]Register {
	Comment("2·a0 and 38·a4, used three and four times")
	d0, e4 := GP64(), GP64()
	LEAQ(Mem{Base: a[0], Index: a[0], Scale: 1}, d0)
	LEAQ(Mem{Base: a[4], Index: a[4], Scale: 8}, e4)
	LEAQ(Mem{Base: a[4], Index: e4, Scale: 2}, e4)
	ADDQ(e4, e4)
	cols := [5][]product{
		{{dxMov(a[1]), e4}, {dxTimes(a[3], 38), a[2]}, {dxMov(a[0]), a[0]}},
		{{dxMov(a[1]), d0}, {dxMov(a[2]), e4}, {dxTimes(a[3], 19), a[3]}},
		{{dxMov(a[2]), d0}, {dxMov(a[1]), a[1]}, {dxMov(a[3]), e4}},
		{{dxMov(a[3]), d0}, {dxTimes(a[1], 2), a[2]}, {dxTimes(a[4], 19), a[4]}},
		{{dxMov(a[4]), d0}, {dxTimes(a[1], 2), a[3]}, {dxMov(a[2]), a[2]}},
	}
	return columns(cols, [5]int{4, 3, 2, 1, 0})
}

func loadLimbs(p Register) [5]Register {
	var a [5]Register
	for i := range a {
		a[i] = GP64()
		MOVQ(limb(p, i), a[i])
	}
	return a
}

func squareADX() {
	TEXT("feSquare", NOSPLIT, "func(out, a *Element)")
	Pragma("noescape")
	Doc("feSquare sets out = a·a. With BMI2 (useBMI2ADX) it runs MULX code that",
		"computes the same limbs as feSquareGeneric; otherwise it tail-calls",
		"feSquareGeneric. Constant time.")
	dispatch("feSquareGeneric")
	p := Load(Param("a"), GP64())
	a := loadLimbs(p)
	r := squareCore(a)
	out := Load(Param("out"), GP64())
	for i := range r {
		MOVQ(r[i], limb(out, i))
	}
	RET()
}

func squareNADX() {
	TEXT("squareNADX", NOSPLIT, "func(out, a *Element, n int)")
	Pragma("noescape")
	Doc("squareNADX sets out = a^(2^n) for n >= 1 with MULX, keeping the value in",
		"registers between squarings; each step computes the same limbs as",
		"feSquareGeneric. Requires BMI2. Constant time (the loop count n is public).")
	scratch := AllocLocal(8)
	p := Load(Param("a"), GP64())
	a := loadLimbs(p)
	n := Load(Param("n"), GP64())
	MOVQ(n, scratch)
	Label("loop")
	r := squareCore(a)
	for i := range r {
		MOVQ(r[i], a[i])
	}
	DECQ(scratch)
	JNZ(LabelRef("loop"))
	out := Load(Param("out"), GP64())
	for i := range a {
		MOVQ(a[i], limb(out, i))
	}
	RET()
}

// ---------------------------------------------------------------------------
// Four-way vector arithmetic. Four Elements lie in memory one after the
// other (40 bytes each); the vector code wants limb i of the four elements in
// one register, lane e = element e.
// ---------------------------------------------------------------------------

// transposeIn loads the four elements at p into five vectors (physical
// registers among Y0-Y15, VEX encoded), lane e = element e, using t0 as
// scratch. It reads 8 bytes at a time: a wider load that spans two earlier
// 8-byte stores (Multiply writes limbs one by one) cannot be forwarded from
// the store queue and stalls.
func transposeIn(p Register, dst [5]VecPhysical, t0, _ VecPhysical) {
	for l := 0; l < 5; l++ {
		x := dst[l].AsX()
		VMOVQ(Mem{Base: p, Disp: 8 * l}, x)
		VPINSRQ(U8(1), Mem{Base: p, Disp: 40 + 8*l}, x, x)
		VMOVQ(Mem{Base: p, Disp: 80 + 8*l}, t0.AsX())
		VPINSRQ(U8(1), Mem{Base: p, Disp: 120 + 8*l}, t0.AsX(), t0.AsX())
		VINSERTI128(U8(1), t0.AsX(), dst[l], dst[l])
	}
}

// transposeOut stores five limb vectors (among Y0-Y15) as four elements at p.
func transposeOut(p Register, src [5]VecPhysical, t0, t1 VecPhysical) {
	for l := 0; l < 4; l += 2 {
		VPUNPCKLQDQ(src[l+1], src[l], t0) // [e0.l, e0.l+1 | e2.l, e2.l+1]
		VPUNPCKHQDQ(src[l+1], src[l], t1) // [e1.l, e1.l+1 | e3.l, e3.l+1]
		VMOVDQU(t0.AsX(), Mem{Base: p, Disp: 8 * l})
		VEXTRACTI128(U8(1), t0, Mem{Base: p, Disp: 80 + 8*l})
		VMOVDQU(t1.AsX(), Mem{Base: p, Disp: 40 + 8*l})
		VEXTRACTI128(U8(1), t1, Mem{Base: p, Disp: 120 + 8*l})
	}
	x := src[4].AsX()
	VMOVQ(x, Mem{Base: p, Disp: 32})
	VPEXTRQ(U8(1), x, Mem{Base: p, Disp: 72})
	VEXTRACTI128(U8(1), src[4], t0.AsX())
	VMOVQ(t0.AsX(), Mem{Base: p, Disp: 112})
	VPEXTRQ(U8(1), t0.AsX(), Mem{Base: p, Disp: 152})
}

var (
	ymm = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15,
		Y16, Y17, Y18, Y19, Y20, Y21, Y22, Y23, Y24, Y25, Y26, Y27, Y28, Y29, Y30, Y31}
)

func five(first int) [5]VecPhysical {
	return [5]VecPhysical{ymm[first], ymm[first+1], ymm[first+2], ymm[first+3], ymm[first+4]}
}

// ---------------------------------------------------------------------------
// AVX2: radix 2^25.5 inside. Limb L_k (51 bits, below 2^52) splits into
// f_2k = L_k mod 2^26 and f_2k+1 = L_k >> 26 (below 2^26), so
// x = sum f_i 2^ceil(25.5 i). VPMULUDQ multiplies the low 32 bits of each
// lane. Products f_i g_j with i, j both odd get a factor 2, and those with
// i + j >= 10 a factor 19 (2^255 = 19 mod p):
//
//	h_n = sum_{i+j=n} f_i g_j (·2) + sum_{i+j=n+10} f_i (19 g_j) (·2)
//
// With f_i, g_j < 2^26: 2f_i < 2^27, 19g_j < 2^31 fit the 32-bit inputs, each
// term is below 2^57.3 and h_n below 2^61.
// ---------------------------------------------------------------------------

// avxSplit writes the ten 26/25-bit limbs of the five limb vectors src to
// stack slots dst(0..9), and, if dst19 != nil, 19 times limbs 1..9 to
// dst19(1..9). m26 holds 2^26-1 in each lane, c19 holds 19.
func avxSplit(src [5]VecPhysical, dst, dst19 func(int) Mem, m26, c19, t VecPhysical) {
	for k := 0; k < 5; k++ {
		VPAND(m26, src[k], t)
		VMOVDQU(t, dst(2*k))
		if dst19 != nil && k > 0 {
			VPMULUDQ(c19, t, t)
			VMOVDQU(t, dst19(2*k))
		}
		VPSRLQ(U8(26), src[k], t)
		VMOVDQU(t, dst(2*k+1))
		if dst19 != nil {
			VPMULUDQ(c19, t, t)
			VMOVDQU(t, dst19(2*k+1))
		}
	}
}

// avxCarry reduces the ten column sums h (each below 2^62) to limbs of 26
// and 25 bits in two interleaved carry chains (as in ref10), then recombines
// them into five 51-bit limbs, left in h[0], h[2], ..., h[8]. Afterwards
// h_2k < 2^26 and h_2k+1 < 2^25 except h1 < 2^25 + 2^15, so the output limbs
// are below 2^51 + 2^41.
func avxCarry(h []VecPhysical, m26, m25, t, t2 VecPhysical) {
	avxCarryLimbs(h, m26, m25, t, t2)
	avxRecombine(h, t)
}

// avxCarryLimbs is avxCarry without the recombination: it leaves the ten
// limbs h_2k < 2^26, h_2k+1 < 2^25 (h1 < 2^25 + 2^15), all below 2^26, so
// they can be the inputs of the next product as they are.
func avxCarryLimbs(h []VecPhysical, m26, m25, t, t2 VecPhysical) {
	carry := func(i int) {
		if i%2 == 0 {
			VPSRLQ(U8(26), h[i], t)
			VPAND(m26, h[i], h[i])
		} else {
			VPSRLQ(U8(25), h[i], t)
			VPAND(m25, h[i], h[i])
		}
		VPADDQ(t, h[i+1], h[i+1])
	}
	carry(0)
	carry(4)
	carry(1)
	carry(5)
	carry(2)
	carry(6)
	carry(3)
	carry(7)
	carry(4)
	carry(8)
	Comment("h0 += 19·(h9 >> 25) as c + 2c + 16c: c may exceed 32 bits")
	VPSRLQ(U8(25), h[9], t)
	VPAND(m25, h[9], h[9])
	VPADDQ(t, h[0], h[0])
	VPSLLQ(U8(1), t, t2)
	VPADDQ(t2, h[0], h[0])
	VPSLLQ(U8(4), t, t2)
	VPADDQ(t2, h[0], h[0])
	carry(0)
}

// avxRecombine turns the ten reduced limbs h (avxCarryLimbs) into five
// 51-bit limbs, left in h[0], h[2], ..., h[8].
func avxRecombine(h []VecPhysical, t VecPhysical) {
	Comment("recombine: L_k = h_2k + h_2k+1 << 26")
	for k := 0; k < 5; k++ {
		VPSLLQ(U8(26), h[2*k+1], t)
		VPADDQ(t, h[2*k], h[2*k])
	}
}

var constMask26, constMask25, constMask51, const19 Mem

func constants() {
	constMask26 = ConstData("mask26", U64(1<<26-1))
	constMask25 = ConstData("mask25", U64(1<<25-1))
	constMask51 = ConstData("mask51", U64(mask51))
	const19 = ConstData("c19", U64(19))
}

// alignedFrame allocates n 32-byte vector slots on the stack and returns
// their base, aligned to 32 bytes in a register: Go aligns frames to 8
// bytes only, and a 32-byte access at 8 or 24 mod 32 crosses a cache line
// every other time. The AVX2 products store and reload every limb through
// their frame, so an unlucky call depth made them about 10% slower (the
// same routine, called from Verify and from VerifyStrict, differed by that
// much).
func alignedFrame(n int) Mem {
	frame := AllocLocal(32*n + 24)
	base := GP64()
	LEAQ(frame, base)
	ADDQ(U8(31), base)
	ANDQ(I8(-32), base)
	return Mem{Base: base}
}

func stackVecs(base Mem, first int) func(int) Mem {
	return func(i int) Mem { return base.Offset(32 * (first + i)) }
}

func mul4AVX2() {
	TEXT("mul4AVX2", 0, "func(out, a, b *[4]Element)")
	Pragma("noescape")
	Doc("mul4AVX2 sets out[i] = a[i]·b[i], i = 0..3, with AVX2, four lanes at once in",
		"radix 2^25.5. All inputs are read before out is written. Requires AVX2.",
		"Constant time.")
	avxMulBody(
		func(p Register, v [5]VecPhysical) { transposeIn(p, v, Y10, Y11) },
		func(p Register, v [5]VecPhysical) { transposeOut(p, v, Y10, Y11) })
}

// avxMulBody emits the body of a four-way AVX2 product out = a·b: load
// puts a factor's five limb vectors (radix 2^51) into the registers given,
// among Y0-Y9, and store writes the five result vectors (Y0, Y2, ..., Y8);
// scratch registers Y10 and Y11 are free in both. Each factor is split into
// radix 2^25.5 in the stack frame, with 19 times the second's limbs.
func avxMulBody(load, store func(p Register, v [5]VecPhysical)) {
	frame := alignedFrame(30)
	F, G, G19 := stackVecs(frame, 0), stackVecs(frame, 10), stackVecs(frame, 20)
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	m26, c19 := Y14, Y15
	VPBROADCASTQ(constMask26, m26)
	VPBROADCASTQ(const19, c19)
	Comment("a: load and split to the stack")
	load(pa, five(0))
	avxSplit(five(0), F, nil, m26, c19, Y10)
	Comment("b: load and split, with 19·g_j, to the stack")
	load(pb, five(0))
	avxSplit(five(0), G, G19, m26, c19, Y10)

	avxMulRows(F, G, G19)
	VPBROADCASTQ(constMask25, Y15)
	avxCarry(ymm[0:10], m26, Y15, Y10, Y11)
	out := Load(Param("out"), GP64())
	store(out, [5]VecPhysical{Y0, Y2, Y4, Y6, Y8})
	VZEROUPPER()
	RET()
}

func square4AVX2() {
	TEXT("square4AVX2", 0, "func(out, a *[4]Element)")
	Pragma("noescape")
	Doc("square4AVX2 sets out[i] = a[i]·a[i], i = 0..3, with AVX2 like mul4AVX2,",
		"computing each cross product once (55 products instead of 100).",
		"Requires AVX2. Constant time.")
	frame := alignedFrame(20)
	F, F19 := stackVecs(frame, 0), stackVecs(frame, 10)
	pa := Load(Param("a"), GP64())
	m26, c19 := Y14, Y15
	VPBROADCASTQ(constMask26, m26)
	VPBROADCASTQ(const19, c19)
	transposeIn(pa, five(0), Y10, Y11)
	avxSplit(five(0), F, F19, m26, c19, Y10)

	avxSquareRows(F, F19)
	VPBROADCASTQ(constMask25, Y15)
	avxCarry(ymm[0:10], m26, Y15, Y10, Y11)
	out := Load(Param("out"), GP64())
	transposeOut(out, [5]VecPhysical{Y0, Y2, Y4, Y6, Y8}, Y10, Y11)
	VZEROUPPER()
	RET()
}

// avxMulRows computes the ten column sums of f·g into Y0-Y9 from the
// limbs F(0..9), G(0..9) and 19·G(1..9) in memory, with Y10-Y12 as scratch.
func avxMulRows(F, G, G19 func(int) Mem) {
	h := ymm[0:10]
	f, f2, tmp := Y10, Y11, Y12
	for i := 0; i < 10; i++ {
		Commentf("row %d", i)
		VMOVDQU(F(i), f)
		if i%2 == 1 {
			VPADDQ(f, f, f2)
		}
		for n := 0; n < 10; n++ {
			j := (n - i + 10) % 10
			mult := f
			if i%2 == 1 && j%2 == 1 {
				mult = f2
			}
			g := G(j)
			if i+j >= 10 {
				g = G19(j)
			}
			if i == 0 {
				VPMULUDQ(g, mult, h[n])
			} else {
				VPMULUDQ(g, mult, tmp)
				VPADDQ(tmp, h[n], h[n])
			}
		}
	}
}

// avxSquareRows computes the ten column sums of f·f into Y0-Y9 from the
// limbs F(0..9) and 19·F(1..9) in memory, each cross product once, with
// Y10-Y13 as scratch.
func avxSquareRows(F, F19 func(int) Mem) {
	h := ymm[0:10]
	f, f2, f4, tmp := Y10, Y11, Y12, Y13
	var started [10]bool
	acc := func(g Mem, mult VecPhysical, n int) {
		if !started[n] {
			VPMULUDQ(g, mult, h[n])
			started[n] = true
			return
		}
		VPMULUDQ(g, mult, tmp)
		VPADDQ(tmp, h[n], h[n])
	}
	for i := 0; i < 10; i++ {
		Commentf("row %d", i)
		VMOVDQU(F(i), f)
		VPADDQ(f, f, f2)
		if i%2 == 1 {
			VPADDQ(f2, f2, f4)
		}
		// Diagonal: f_i², times 2 if i is odd, times 19 if 2i >= 10.
		g := F(i)
		if 2*i >= 10 {
			g = F19(i)
		}
		if i%2 == 1 {
			acc(g, f2, (2*i)%10)
		} else {
			acc(g, f, (2*i)%10)
		}
		// Cross products, each counted twice.
		for j := i + 1; j < 10; j++ {
			g := F(j)
			if i+j >= 10 {
				g = F19(j)
			}
			mult := f2
			if i%2 == 1 && j%2 == 1 {
				mult = f4
			}
			acc(g, mult, (i+j)%10)
		}
	}
}

// ---------------------------------------------------------------------------
// AVX-512 IFMA (on 256-bit vectors, AVX512VL): VPMADD52LUQ/HUQ add the low
// and the high 52 bits of the 104-bit product of the low 52 bits of each
// lane. Our limbs are below 2^52, so each product a_i·b_j = lo + hi·2^52 is
// exact. With columns L_k = sum lo, H_k = sum hi over i+j = k, the value is
// sum_k (L_k + 2·H_(k-1))·2^(51k): the high part lands one bit above limb k+1.
// ---------------------------------------------------------------------------

// ifmaFinish turns the column sums L[0..8], H[0..8] into five reduced limb
// vectors out. With inputs below 2^52, L_k < 5·2^52 and H_k < 5·2^52, so
// T_k = L_k + 2H_(k-1) is below 2^56, T_k + 19·T_(k+5) below 2^61, and one
// carry round leaves limbs below 2^51 + 2^15 (19 times a carry below 2^10;
// with inputs just above 2^51, as most are, the sums are four times
// smaller).
func ifmaFinish(L, H []VecPhysical, out [5]VecPhysical, mask, t VecPhysical) {
	Comment("T_k = L_k + 2·H_(k-1); T_9 = 2·H_8")
	for k := 1; k < 9; k++ {
		VPADDQ(H[k-1], L[k], L[k])
		VPADDQ(H[k-1], L[k], L[k])
	}
	T := append(append([]VecPhysical{}, L[:9]...), H[8])
	VPADDQ(H[8], H[8], T[9])
	Comment("T_k += 19·T_(k+5) as x + 2x + 16x")
	for k := 0; k < 5; k++ {
		x := T[k+5]
		VPADDQ(x, T[k], T[k])
		VPSLLQ(U8(1), x, t)
		VPADDQ(t, T[k], T[k])
		VPSLLQ(U8(4), x, t)
		VPADDQ(t, T[k], T[k])
	}
	Comment("one carry round")
	c := H[0:5] // free now
	for k := 0; k < 5; k++ {
		VPSRLQ(U8(51), T[k], c[k])
		VPANDQ(mask, T[k], T[k])
	}
	// 19·c4 with c4 < 2^10.
	VPSLLQ(U8(1), c[4], t)
	VPADDQ(t, c[4], t)
	VPSLLQ(U8(4), c[4], c[4])
	VPADDQ(t, c[4], c[4])
	VPADDQ(c[4], T[0], out[0])
	for k := 1; k < 5; k++ {
		VPADDQ(c[k-1], T[k], out[k])
	}
}

func ifmaZero(regs []VecPhysical) {
	for _, r := range regs {
		VPXORQ(r, r, r)
	}
}

func mul4IFMA() {
	TEXT("mul4IFMA", NOSPLIT, "func(out, a, b *[4]Element)")
	Pragma("noescape")
	Doc("mul4IFMA sets out[i] = a[i]·b[i], i = 0..3, with AVX-512 IFMA on 256-bit",
		"vectors, four lanes at once in radix 2^51. All inputs are read before out is",
		"written. Requires AVX512F, AVX512VL and AVX512IFMA. Constant time.")
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	A, B := five(0), five(5)
	transposeIn(pa, A, Y10, Y11)
	transposeIn(pb, B, Y10, Y11)
	ifmaMul(A, B, A)
	out := Load(Param("out"), GP64())
	transposeOut(out, A, Y10, Y11)
	VZEROUPPER()
	RET()
}

func square4IFMA() {
	TEXT("square4IFMA", NOSPLIT, "func(out, a *[4]Element)")
	Pragma("noescape")
	Doc("square4IFMA sets out[i] = a[i]·a[i], i = 0..3, like mul4IFMA, with each",
		"cross product computed once and doubled (30 multiply-adds instead of 50).",
		"Requires AVX512F, AVX512VL and AVX512IFMA. Constant time.")
	pa := Load(Param("a"), GP64())
	A := five(0)
	transposeIn(pa, A, Y10, Y11)
	ifmaSquare(A, A)
	out := Load(Param("out"), GP64())
	transposeOut(out, A, Y10, Y11)
	VZEROUPPER()
	RET()
}

// ifmaMul sets out = A·B lane by lane (four products). A and B must lie
// outside Y12-Y31, which it uses (Y30 ends up holding mask51 in every
// lane); out may be A or B.
func ifmaMul(A, B, out [5]VecPhysical) {
	L, H := ymm[12:21], ymm[21:30]
	ifmaZero(L)
	ifmaZero(H)
	for i := 0; i < 5; i++ {
		for j := 0; j < 5; j++ {
			VPMADD52LUQ(B[j], A[i], L[i+j])
			VPMADD52HUQ(B[j], A[i], H[i+j])
		}
	}
	VPBROADCASTQ(constMask51, Y30)
	ifmaFinish(L, H, out, Y30, Y31)
}

// ifmaSquare sets out = A·A lane by lane, like ifmaMul.
func ifmaSquare(A, out [5]VecPhysical) {
	L, H := ymm[12:21], ymm[21:30]
	ifmaZero(L)
	ifmaZero(H)
	Comment("cross products a_i·a_j, i < j, then doubled")
	for i := 0; i < 5; i++ {
		for j := i + 1; j < 5; j++ {
			VPMADD52LUQ(A[j], A[i], L[i+j])
			VPMADD52HUQ(A[j], A[i], H[i+j])
		}
	}
	for k := 1; k < 8; k++ {
		VPADDQ(L[k], L[k], L[k])
		VPADDQ(H[k], H[k], H[k])
	}
	Comment("squares a_i·a_i")
	for i := 0; i < 5; i++ {
		VPMADD52LUQ(A[i], A[i], L[2*i])
		VPMADD52HUQ(A[i], A[i], H[2*i])
	}
	VPBROADCASTQ(constMask51, Y30)
	ifmaFinish(L, H, out, Y30, Y31)
}
