package field

import (
	"bytes"
	"math/big"
	"os"
	"runtime"
	"strings"
	"testing"

	ff "filippo.io/edwards25519/field"

	"github.com/ronkms/ronkms/internal/cpufeat"
)

// TestBackends runs the whole API suite, against filippo.io/edwards25519/field
// and math/big, once on every backend this build can use on this CPU.
func TestBackends(t *testing.T) {
	for _, name := range backends() {
		t.Run("backend="+name, func(t *testing.T) {
			defer useBackend(name)()
			if got := Backend(); got != name {
				t.Fatalf("Backend() = %q under the hook for %q", got, name)
			}
			t.Run("Multiply", testMultiply)
			t.Run("Square", testSquare)
			t.Run("SquareN", testSquareN)
			t.Run("Multiply4", testMultiply4)
			t.Run("Square4", testSquare4)
			t.Run("Invert", testInvert)
			t.Run("Pow22523", testPow22523)
			t.Run("SqrtRatio", testSqrtRatio)
			t.Run("Aliasing", testAliasing)
		})
	}
}

// TestBackendSelected asserts the choice made on this machine: without the
// purego tag, on amd64, the flags must follow the CPU's own report
// (/proc/cpuinfo on Linux, read independently of x/sys/cpu); on this
// project's machines (BMI2, ADX and AVX2 at least) that means bmi2adx for
// scalar code and avx2 or avx512ifma for Multiply4.
func TestBackendSelected(t *testing.T) {
	if cpufeat.PureGo || runtime.GOARCH != "amd64" || runtime.Compiler != "gc" {
		if useBMI2ADX || useAVX2 || useAVX512IFMA || Backend() != "generic" {
			t.Fatalf("purego or non-amd64 build selected %q", Backend())
		}
		return
	}
	if useBMI2ADX != cpufeat.BMI2ADX || useAVX2 != cpufeat.AVX2 || useAVX512IFMA != cpufeat.AVX512IFMA {
		t.Fatal("dispatch variables differ from internal/cpufeat")
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skipf("no /proc/cpuinfo: %v; backend %q", err, Backend())
	}
	var flags map[string]bool
	for _, line := range strings.Split(string(info), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	// GODEBUG=cpu.<feature>=off (or cpu.all=off) switches a feature off in
	// golang.org/x/sys/cpu, as the no-ifma tests do.
	for _, opt := range strings.Split(os.Getenv("GODEBUG"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(opt), "=")
		if f, ok := strings.CutPrefix(k, "cpu."); ok && v == "off" {
			if f == "all" {
				clear(flags)
			}
			delete(flags, f)
		}
	}
	if want := flags["bmi2"] && flags["adx"]; useBMI2ADX != want {
		t.Errorf("useBMI2ADX = %v, /proc/cpuinfo says %v", useBMI2ADX, want)
	}
	if want := flags["avx2"]; useAVX2 != want {
		t.Errorf("useAVX2 = %v, /proc/cpuinfo says %v", useAVX2, want)
	}
	if want := flags["avx512f"] && flags["avx512vl"] && flags["avx512ifma"]; useAVX512IFMA != want {
		t.Errorf("useAVX512IFMA = %v, /proc/cpuinfo says %v", useAVX512IFMA, want)
	}
	if flags["bmi2"] && flags["adx"] && flags["avx2"] {
		// This project's machines.
		if b := Backend(); b != "avx2" && b != "avx512ifma" {
			t.Errorf("Backend() = %q on a BMI2+ADX+AVX2 machine", b)
		}
	}
	t.Logf("backend %s (bmi2adx %v, avx2 %v, avx512ifma %v)", Backend(), useBMI2ADX, useAVX2, useAVX512IFMA)
}

func testMultiply(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a, b := randElement(r), randElement(r)
		var v Element
		v.Multiply(&a, &b)
		sameValue(t, "Multiply", &v, new(ff.Element).Multiply(toFilippo(&a), toFilippo(&b)))
		var g Element
		feMulGeneric(&g, &a, &b)
		if useBMI2ADX && g != v {
			t.Fatalf("Multiply limbs %#x differ from feMulGeneric %#x", v, g)
		}
	}
}

func testSquare(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		var v, g Element
		v.Square(&a)
		sameValue(t, "Square", &v, new(ff.Element).Square(toFilippo(&a)))
		feSquareGeneric(&g, &a)
		if g != v {
			t.Fatalf("Square limbs %#x differ from feSquareGeneric %#x", v, g)
		}
	}
}

func testSquareN(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		n := r.Intn(40)
		if i%64 == 0 {
			n = 255
		}
		var v Element
		v.SquareN(&a, n)
		want := toFilippo(&a)
		for j := 0; j < n; j++ {
			want.Square(want)
		}
		if n == 0 {
			if v != a {
				t.Fatal("SquareN(x, 0) != x")
			}
			continue
		}
		sameValue(t, "SquareN", &v, want)
		var g Element
		feSquareNGeneric(&g, &a, n)
		if g != v {
			t.Fatalf("SquareN limbs %#x differ from generic %#x", v, g)
		}
	}
	var v, x Element
	x.SetBytes(fixedBytes(3))
	if v.SquareN(&x, -1); v != x {
		t.Fatal("SquareN(x, -1) != x")
	}
}

func testMultiply4(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a, b := randArray(r), randArray(r)
		var out [4]Element
		Multiply4(&out, &a, &b)
		for k := range out {
			sameValue(t, "Multiply4", &out[k], new(ff.Element).Multiply(toFilippo(&a[k]), toFilippo(&b[k])))
		}
	}
}

func testSquare4(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randArray(r)
		var out [4]Element
		Square4(&out, &a)
		for k := range out {
			sameValue(t, "Square4", &out[k], new(ff.Element).Square(toFilippo(&a[k])))
		}
	}
}

func testInvert(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		var v Element
		v.Invert(&a)
		sameValue(t, "Invert", &v, new(ff.Element).Invert(toFilippo(&a)))
		want := new(big.Int).ModInverse(elementToBig(&a), bigP)
		if want == nil {
			want = new(big.Int)
		}
		if elementToBig(&v).Cmp(want) != 0 {
			t.Fatal("Invert differs from math/big")
		}
	}
	var z Element
	if z.Invert(feZero); z.Equal(feZero) != 1 {
		t.Fatal("Invert(0) != 0")
	}
}

func testPow22523(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		var v Element
		v.Pow22523(&a)
		sameValue(t, "Pow22523", &v, new(ff.Element).Pow22523(toFilippo(&a)))
	}
}

func testSqrtRatio(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		u, v := randElement(r), randElement(r)
		if i%4 == 0 {
			// Make u/v a square half of the time.
			var s Element
			s = randElement(r)
			u.Square(&s)
			u.Multiply(&u, &v)
		}
		var got Element
		_, ok := got.SqrtRatio(&u, &v)
		want, wantOK := new(ff.Element).SqrtRatio(toFilippo(&u), toFilippo(&v))
		if ok != wantOK {
			t.Fatalf("SqrtRatio wasSquare = %d, filippo %d", ok, wantOK)
		}
		sameValue(t, "SqrtRatio", &got, want)
	}
}

// testAliasing runs each operation with the receiver aliasing its
// arguments, against a computation into fresh variables.
func testAliasing(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		x0, y0 := randElement(r), randElement(r)
		type op struct {
			name string
			f    func(v, x, y *Element)
		}
		ops := []op{
			{"Multiply", func(v, x, y *Element) { v.Multiply(x, y) }},
			{"Square", func(v, x, _ *Element) { v.Square(x) }},
			{"SquareN", func(v, x, _ *Element) { v.SquareN(x, 3) }},
			{"Add", func(v, x, y *Element) { v.Add(x, y) }},
			{"Subtract", func(v, x, y *Element) { v.Subtract(x, y) }},
			{"Negate", func(v, x, _ *Element) { v.Negate(x) }},
			{"Invert", func(v, x, _ *Element) { v.Invert(x) }},
			{"Pow22523", func(v, x, _ *Element) { v.Pow22523(x) }},
			{"Absolute", func(v, x, _ *Element) { v.Absolute(x) }},
			{"Mult32", func(v, x, _ *Element) { v.Mult32(x, 0xdeadbeef) }},
			{"Select1", func(v, x, y *Element) { v.Select(x, y, 1) }},
			{"Select0", func(v, x, y *Element) { v.Select(x, y, 0) }},
			{"SqrtRatio", func(v, x, y *Element) { v.SqrtRatio(x, y) }},
		}
		for _, o := range ops {
			var want Element
			x, y := x0, y0
			o.f(&want, &x, &y)
			// v = x
			x, y = x0, y0
			o.f(&x, &x, &y)
			if x.Equal(&want) != 1 || y != y0 {
				t.Fatalf("%s(x, x, y) wrong", o.name)
			}
			// v = y
			x, y = x0, y0
			o.f(&y, &x, &y)
			if y.Equal(&want) != 1 || x != x0 {
				t.Fatalf("%s(y, x, y) wrong", o.name)
			}
			// all three the same
			var wantSame Element
			x = x0
			xc := x0
			o.f(&wantSame, &xc, &xc)
			o.f(&x, &x, &x)
			if x.Equal(&wantSame) != 1 {
				t.Fatalf("%s(x, x, x) wrong", o.name)
			}
		}
		// Multiply4 / Square4 aliasing, whole arrays.
		a0, b0 := randArray(r), randArray(r)
		var want, wantSq, wantAA [4]Element
		feMul4Generic(&want, &a0, &b0)
		feSquare4Generic(&wantSq, &a0)
		feMul4Generic(&wantAA, &a0, &a0)
		a, b := a0, b0
		Multiply4(&a, &a, &b)
		equal4(t, "Multiply4(a, a, b)", &a, &want)
		a, b = a0, b0
		Multiply4(&b, &a, &b)
		equal4(t, "Multiply4(b, a, b)", &b, &want)
		a = a0
		Multiply4(&a, &a, &a)
		equal4(t, "Multiply4(a, a, a)", &a, &wantAA)
		a = a0
		Square4(&a, &a)
		equal4(t, "Square4(a, a)", &a, &wantSq)
		// Overlapping arrays: out shifted by one element over a.
		var buf [5]Element
		copy(buf[:4], a0[:])
		var wantShift [4]Element
		feSquare4Generic(&wantShift, &a0)
		Square4((*[4]Element)(buf[1:5]), (*[4]Element)(buf[0:4]))
		equal4(t, "Square4(buf[1:], buf[:4])", (*[4]Element)(buf[1:5]), &wantShift)
		copy(buf[1:], a0[:])
		Multiply4((*[4]Element)(buf[0:4]), (*[4]Element)(buf[1:5]), &b0)
		feMul4Generic(&want, &a0, &b0)
		equal4(t, "Multiply4(buf[:4], buf[1:], b)", (*[4]Element)(buf[0:4]), &want)
		copy(buf[:4], a0[:])
		Multiply4((*[4]Element)(buf[1:5]), (*[4]Element)(buf[0:4]), &b0)
		equal4(t, "Multiply4(buf[1:], buf[:4], b)", (*[4]Element)(buf[1:5]), &want)
		copy(buf[1:], a0[:])
		Square4((*[4]Element)(buf[0:4]), (*[4]Element)(buf[1:5]))
		equal4(t, "Square4(buf[:4], buf[1:])", (*[4]Element)(buf[0:4]), &wantShift)
	}
}

func equal4(t *testing.T, what string, got, want *[4]Element) {
	t.Helper()
	for k := range got {
		checkBound(t, what, &got[k])
		if got[k].Equal(&want[k]) != 1 {
			t.Fatalf("%s: element %d wrong", what, k)
		}
	}
}

// TestAPI checks the operations that have one implementation against
// filippo.io/edwards25519/field and math/big.
func TestAPI(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a, b := randElement(r), randElement(r)
		fa, fb := toFilippo(&a), toFilippo(&b)
		var v Element
		sameValue(t, "Add", v.Add(&a, &b), new(ff.Element).Add(fa, fb))
		sameValue(t, "Subtract", v.Subtract(&a, &b), new(ff.Element).Subtract(fa, fb))
		sameValue(t, "Negate", v.Negate(&a), new(ff.Element).Negate(fa))
		sameValueAnyLimbs(t, "Absolute", v.Absolute(&a), new(ff.Element).Absolute(fa))
		m := r.Uint32()
		if i%8 == 0 {
			m = 0xffffffff
		}
		sameValue(t, "Mult32", v.Mult32(&a, m), new(ff.Element).Mult32(fa, m))
		if got, want := a.Bytes(), fa.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("Bytes %x, want %x", got, want)
		}
		if a.IsNegative() != fa.IsNegative() {
			t.Fatal("IsNegative")
		}
		if got, want := a.Equal(&b), fa.Equal(fb); got != want {
			t.Fatalf("Equal %d, want %d", got, want)
		}
		var c Element
		c.SetBytes(a.Bytes())
		if a.Equal(&c) != 1 || c.Equal(&a) != 1 {
			t.Fatal("Equal of the same value")
		}
		if c != (Element{}) && c.l0 >= 1<<51 {
			t.Fatal("SetBytes limb bound")
		}
		var s Element
		if s.Select(&a, &b, 1); s != a {
			t.Fatal("Select 1")
		}
		if s.Select(&a, &b, 0); s != b {
			t.Fatal("Select 0")
		}
		x, y := a, b
		if x.Swap(&y, 0); x != a || y != b {
			t.Fatal("Swap 0")
		}
		if x.Swap(&y, 1); x != b || y != a {
			t.Fatal("Swap 1")
		}
		var wide [64]byte
		r.Read(wide[:])
		if i%16 == 0 {
			for j := range wide {
				wide[j] = 0xff
			}
		}
		fw, _ := new(ff.Element).SetWideBytes(wide[:])
		if _, err := v.SetWideBytes(wide[:]); err != nil {
			t.Fatal(err)
		}
		sameValue(t, "SetWideBytes", &v, fw)
	}
	for _, e := range valueEdges() {
		var v Element
		if _, err := v.SetBytes(e); err != nil {
			t.Fatal(err)
		}
		fe, _ := new(ff.Element).SetBytes(e)
		sameValue(t, "SetBytes edge", &v, fe)
		if !bytes.Equal(v.Bytes(), fe.Bytes()) {
			t.Fatalf("Bytes of edge %x", e)
		}
	}
	var v Element
	if _, err := v.SetBytes(make([]byte, 31)); err == nil {
		t.Fatal("SetBytes accepted 31 bytes")
	}
	if _, err := v.SetWideBytes(make([]byte, 32)); err == nil {
		t.Fatal("SetWideBytes accepted 32 bytes")
	}
	if v.One(); v != *feOne {
		t.Fatal("One")
	}
	if v.Zero(); v != (Element{}) {
		t.Fatal("Zero")
	}
	x := randElement(r)
	if v.Set(&x); v != x {
		t.Fatal("Set")
	}
}

// TestBytesBig checks Bytes and SetBytes against math/big, for limbs up to
// 2^52 - 1 (the other tests trust elementToBig, which reads the limbs).
func TestBytesBig(t *testing.T) {
	r := newRand(t)
	for i := 0; i < iterations(); i++ {
		a := randElement(r)
		if got, want := a.Bytes(), bytesOf(elementToBig(&a)); !bytes.Equal(got, want) {
			t.Fatalf("Bytes(%#x) = %x, want %x", a, got, want)
		}
		var raw [32]byte
		r.Read(raw[:])
		var e Element
		e.SetBytes(raw[:])
		masked := append([]byte{}, raw[:]...)
		masked[31] &= 0x7f
		if elementToBig(&e).Cmp(bigOfBytes(masked)) != 0 {
			t.Fatalf("SetBytes(%x) wrong", raw)
		}
	}
}

// TestNoAllocs: the hot operations do not allocate.
func TestNoAllocs(t *testing.T) {
	var a, b, c Element
	a.SetBytes(fixedBytes(1))
	b.SetBytes(fixedBytes(2))
	var A, B [4]Element
	allocs := testing.AllocsPerRun(100, func() {
		c.Multiply(&a, &b)
		c.Square(&c)
		c.SquareN(&c, 3)
		c.Invert(&c)
		c.SqrtRatio(&a, &b)
		_ = c.Equal(&a)
		_ = c.IsNegative()
		Multiply4(&A, &A, &B)
		Square4(&A, &A)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}
