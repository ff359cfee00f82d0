//go:build amd64 && gc && !purego

package field

import (
	"testing"

	ff "filippo.io/edwards25519/field"

	"github.com/ronkms/ronkms/internal/cpufeat"
)

// Differential tests of every assembly routine, called directly, against
// its generic twin (same limbs for the scalar MULX code, same value and the
// limb bound for the vector code) and against filippo.io/edwards25519/field,
// over edge-weighted random inputs, with aliasing.

func need(t *testing.T, ok bool, what string) {
	if !ok {
		t.Skipf("CPU lacks %s", what)
	}
}

func TestAsmMul(t *testing.T) {
	need(t, cpufeat.BMI2ADX, "BMI2+ADX")
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a, b := randElement(r), randElement(r)
		var got, want Element
		feMul(&got, &a, &b) // useBMI2ADX is set: the MULX code
		feMulGeneric(&want, &a, &b)
		if got != want {
			t.Fatalf("feMul(%#x, %#x) = %#x, generic %#x", a, b, got, want)
		}
		sameValue(t, "feMul", &got, new(ff.Element).Multiply(toFilippo(&a), toFilippo(&b)))
		x := a
		feMul(&x, &x, &x)
		feMulGeneric(&want, &a, &a)
		if x != want {
			t.Fatal("feMul(x, x, x)")
		}
		x, y := a, b
		feMul(&y, &x, &y)
		feMulGeneric(&want, &a, &b)
		if y != want {
			t.Fatal("feMul(y, x, y)")
		}
	}
}

func TestAsmSquare(t *testing.T) {
	need(t, cpufeat.BMI2ADX, "BMI2+ADX")
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		var got, want Element
		feSquare(&got, &a)
		feSquareGeneric(&want, &a)
		if got != want {
			t.Fatalf("feSquare(%#x) = %#x, generic %#x", a, got, want)
		}
		sameValue(t, "feSquare", &got, new(ff.Element).Square(toFilippo(&a)))
		x := a
		feSquare(&x, &x)
		if x != want {
			t.Fatal("feSquare(x, x)")
		}
	}
}

// TestAsmDispatchFallback: with useBMI2ADX off, feMul and feSquare (the
// assembly entry points) must tail-call the generic code.
func TestAsmDispatchFallback(t *testing.T) {
	defer useBackend("generic")()
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a, b := randElement(r), randElement(r)
		var got, want Element
		feMul(&got, &a, &b)
		feMulGeneric(&want, &a, &b)
		if got != want {
			t.Fatal("feMul fallback")
		}
		feSquare(&got, &a)
		feSquareGeneric(&want, &a)
		if got != want {
			t.Fatal("feSquare fallback")
		}
	}
}

func TestAsmSquareN(t *testing.T) {
	need(t, cpufeat.BMI2ADX, "BMI2+ADX")
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		n := 1 + r.Intn(20)
		var got, want Element
		squareNADX(&got, &a, n)
		feSquareNGeneric(&want, &a, n)
		if got != want {
			t.Fatalf("squareNADX(%#x, %d) = %#x, generic %#x", a, n, got, want)
		}
		fw := toFilippo(&a)
		for j := 0; j < n; j++ {
			fw.Square(fw)
		}
		sameValue(t, "squareNADX", &got, fw)
		x := a
		squareNADX(&x, &x, n)
		if x != want {
			t.Fatal("squareNADX(x, x)")
		}
	}
}

type mul4Func func(out, a, b *[4]Element)

func testAsmMul4(t *testing.T, name string, f mul4Func, exact bool) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a, b := randArray(r), randArray(r)
		var got, want [4]Element
		f(&got, &a, &b)
		feMul4Generic(&want, &a, &b)
		for k := range got {
			if exact && got[k] != want[k] {
				t.Fatalf("%s element %d: %#x, generic %#x", name, k, got[k], want[k])
			}
			if got[k].Equal(&want[k]) != 1 {
				t.Fatalf("%s element %d (%#x·%#x) = %#x, generic %#x", name, k, a[k], b[k], got[k], want[k])
			}
			sameValue(t, name, &got[k], new(ff.Element).Multiply(toFilippo(&a[k]), toFilippo(&b[k])))
		}
		// Aliasing: out = a, out = b, a = b = out.
		x, y := a, b
		f(&x, &x, &y)
		equal4(t, name+"(a, a, b)", &x, &want)
		x, y = a, b
		f(&y, &x, &y)
		equal4(t, name+"(b, a, b)", &y, &want)
		x = a
		f(&x, &x, &x)
		feMul4Generic(&want, &a, &a)
		equal4(t, name+"(a, a, a)", &x, &want)
	}
}

func testAsmSquare4(t *testing.T, name string, f func(out, a *[4]Element)) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randArray(r)
		var got, want [4]Element
		f(&got, &a)
		feSquare4Generic(&want, &a)
		for k := range got {
			if got[k].Equal(&want[k]) != 1 {
				t.Fatalf("%s element %d (%#x) = %#x, generic %#x", name, k, a[k], got[k], want[k])
			}
			sameValue(t, name, &got[k], new(ff.Element).Square(toFilippo(&a[k])))
		}
		x := a
		f(&x, &x)
		equal4(t, name+"(a, a)", &x, &want)
	}
}

func TestAsmMul4AVX2(t *testing.T) {
	need(t, cpufeat.AVX2, "AVX2")
	testAsmMul4(t, "mul4AVX2", mul4AVX2, false)
}

func TestAsmSquare4AVX2(t *testing.T) {
	need(t, cpufeat.AVX2, "AVX2")
	testAsmSquare4(t, "square4AVX2", square4AVX2)
}

func TestAsmMul4IFMA(t *testing.T) {
	need(t, cpufeat.AVX512IFMA, "AVX-512 IFMA")
	testAsmMul4(t, "mul4IFMA", mul4IFMA, false)
}

func TestAsmSquare4IFMA(t *testing.T) {
	need(t, cpufeat.AVX512IFMA, "AVX-512 IFMA")
	testAsmSquare4(t, "square4IFMA", square4IFMA)
}

// TestAsmLimbExtremes: every limb at 2^52 - 1 (the largest input any
// routine accepts) and at 2^51 + 2^42 - 1, in every lane.
func TestAsmLimbExtremes(t *testing.T) {
	for _, l := range []uint64{1<<52 - 1, 1<<51 + 1<<42 - 1, 1<<51 - 1, 0} {
		e := Element{l, l, l, l, l}
		a := [4]Element{e, e, e, e}
		var want Element
		feMulGeneric(&want, &e, &e)
		check := func(name string, got *[4]Element) {
			for k := range got {
				checkBound(t, name, &got[k])
				if got[k].Equal(&want) != 1 {
					t.Fatalf("%s with limbs %#x wrong", name, l)
				}
			}
		}
		var out [4]Element
		if cpufeat.AVX2 {
			mul4AVX2(&out, &a, &a)
			check("mul4AVX2", &out)
			square4AVX2(&out, &a)
			check("square4AVX2", &out)
		}
		if cpufeat.AVX512IFMA {
			mul4IFMA(&out, &a, &a)
			check("mul4IFMA", &out)
			square4IFMA(&out, &a)
			check("square4IFMA", &out)
		}
	}
}
