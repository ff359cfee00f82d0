package field

import (
	"math/rand"
	"testing"

	ff "filippo.io/edwards25519/field"
)

// Tests of the Lanes arithmetic on every backend of this CPU: the exported
// methods (the IFMA assembly on the avx512ifma backend, the AVX2 assembly
// on the avx2 backend, the twins elsewhere) against the twins called directly and against
// filippo.io/edwards25519/field, lane by lane, over edge-weighted inputs
// (randElement: limbs 0, 1, 2^51-19, 2^51-1, 2^52-1, values p-1, p, p+1,
// 2^255-1 and random), with every aliasing of the output.

func randLanes(r *rand.Rand) (Lanes, [4]Element) {
	e := randArray(r)
	var v Lanes
	v.Set(&e[0], &e[1], &e[2], &e[3])
	return v, e
}

func lanesOf(v *Lanes) (e [4]Element) {
	v.Get(&e[0], &e[1], &e[2], &e[3])
	return e
}

// sameLanes fails t unless every lane of got has the value of want[e] and
// keeps the output limb bound.
func sameLanes(t testing.TB, what string, got *Lanes, want [4]*ff.Element) {
	t.Helper()
	e := lanesOf(got)
	for i := range e {
		sameValue(t, what, &e[i], want[i])
	}
}

// sameLanesValue fails t unless got and want hold the same four values.
func sameLanesValue(t testing.TB, what string, got, want *Lanes) {
	t.Helper()
	g, w := lanesOf(got), lanesOf(want)
	for i := range g {
		if g[i].Equal(&w[i]) != 1 {
			t.Fatalf("%s lane %d: %#x, twin %#x", what, i, g[i], w[i])
		}
	}
}

func filippoLanes(e *[4]Element, op func(x *ff.Element) *ff.Element) (out [4]*ff.Element) {
	for i := range e {
		out[i] = op(toFilippo(&e[i]))
	}
	return out
}

func ffSquareN(x *ff.Element, n int) *ff.Element {
	v := new(ff.Element).Set(x)
	for range n {
		v.Square(v)
	}
	return v
}

func TestLanesMultiply(t *testing.T) {
	onEveryBackend(t, func(t *testing.T) {
		r := newRand(t)
		for range iterations() {
			a, ae := randLanes(r)
			b, be := randLanes(r)
			var want [4]*ff.Element
			for i := range want {
				want[i] = new(ff.Element).Multiply(toFilippo(&ae[i]), toFilippo(&be[i]))
			}
			var got, twin Lanes
			got.Multiply(&a, &b)
			lanesMulGeneric(&twin, &a, &b)
			sameLanes(t, "Multiply", &got, want)
			sameLanesValue(t, "Multiply", &got, &twin)

			x, y := a, b
			x.Multiply(&x, &y)
			sameLanes(t, "Multiply(a, a, b)", &x, want)
			x, y = a, b
			y.Multiply(&x, &y)
			sameLanes(t, "Multiply(b, a, b)", &y, want)
			x = a
			x.Multiply(&x, &x)
			sameLanes(t, "Multiply(a, a, a)", &x, filippoLanes(&ae, func(f *ff.Element) *ff.Element { return f.Square(f) }))
		}
	})
}

func TestLanesSquareN(t *testing.T) {
	onEveryBackend(t, func(t *testing.T) {
		r := newRand(t)
		for i := range iterations() {
			a, ae := randLanes(r)
			n := 1 + r.Intn(20)
			if i%64 == 0 {
				n = 100 + r.Intn(200) // long runs: the bound holds throughout
			}
			want := filippoLanes(&ae, func(f *ff.Element) *ff.Element { return ffSquareN(f, n) })
			var got, twin Lanes
			got.SquareN(&a, n)
			lanesSquareNGeneric(&twin, &a, n)
			sameLanes(t, "SquareN", &got, want)
			sameLanesValue(t, "SquareN", &got, &twin)
			x := a
			x.SquareN(&x, n)
			sameLanes(t, "SquareN(a, a)", &x, want)

			want1 := filippoLanes(&ae, func(f *ff.Element) *ff.Element { return f.Square(f) })
			got.Square(&a)
			lanesSquareNGeneric(&twin, &a, 1)
			sameLanes(t, "Square", &got, want1)
			sameLanesValue(t, "Square", &got, &twin)
			x = a
			x.Square(&x)
			sameLanes(t, "Square(a, a)", &x, want1)
		}
	})
}

func TestLanesSquareNZero(t *testing.T) {
	r := newRand(t)
	a, _ := randLanes(r)
	for _, n := range []int{0, -1} {
		var v Lanes
		if v.SquareN(&a, n); v != a {
			t.Fatalf("SquareN(a, %d) = %#x, want a = %#x", n, v, a)
		}
	}
}

func TestLanesPow22523(t *testing.T) {
	onEveryBackend(t, func(t *testing.T) {
		r := newRand(t)
		for i := range iterations() / 8 { // each is 264 field operations per lane
			a, ae := randLanes(r)
			want := filippoLanes(&ae, func(f *ff.Element) *ff.Element { return f.Pow22523(f) })
			var got Lanes
			got.Pow22523(&a)
			sameLanes(t, "Pow22523", &got, want)
			// Against Element.Pow22523, the same chain on the scalar code.
			ge := lanesOf(&got)
			for k := range ae {
				var w Element
				w.Pow22523(&ae[k])
				if ge[k].Equal(&w) != 1 {
					t.Fatalf("Pow22523 lane %d: %#x, Element.Pow22523 %#x", k, ge[k], w)
				}
			}
			if i%2 == 0 {
				got = a
				got.Pow22523(&got)
				sameLanes(t, "Pow22523(a, a)", &got, want)
			}
		}
	})
}

// TestLanesLimbExtremes: every limb of every lane at the largest inputs.
func TestLanesLimbExtremes(t *testing.T) {
	onEveryBackend(t, func(t *testing.T) {
		for _, l := range []uint64{1<<52 - 1, 1<<51 + 1<<42 - 1, 1<<51 - 1, 1<<51 - 19, 0, 1} {
			e := Element{l, l, l, l, l}
			var a Lanes
			a.Set(&e, &e, &e, &e)
			ae := [4]Element{e, e, e, e}
			var got Lanes
			got.Multiply(&a, &a)
			sameLanes(t, "Multiply", &got, filippoLanes(&ae, func(f *ff.Element) *ff.Element { return f.Square(f) }))
			got.SquareN(&a, 3)
			sameLanes(t, "SquareN", &got, filippoLanes(&ae, func(f *ff.Element) *ff.Element { return ffSquareN(f, 3) }))
			got.Pow22523(&a)
			sameLanes(t, "Pow22523", &got, filippoLanes(&ae, func(f *ff.Element) *ff.Element { return f.Pow22523(f) }))
		}
	})
}

// FuzzLanes: eight elements (the lanes of a and b) and a squaring count,
// through every Lanes method on every backend, against filippo.
func FuzzLanes(f *testing.F) {
	addSeeds(f, 8)
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 1
		if len(data) > 0 {
			n = 1 + int(data[0]>>1)%40
		}
		in := fuzzInputs(data, 8)
		var ae, be [4]Element
		copy(ae[:], in[:4])
		copy(be[:], in[4:])
		var a, b Lanes
		a.Set(&ae[0], &ae[1], &ae[2], &ae[3])
		b.Set(&be[0], &be[1], &be[2], &be[3])
		var wantMul [4]*ff.Element
		for i := range wantMul {
			wantMul[i] = new(ff.Element).Multiply(toFilippo(&ae[i]), toFilippo(&be[i]))
		}
		wantSqN := filippoLanes(&ae, func(f *ff.Element) *ff.Element { return ffSquareN(f, n) })
		wantPow := filippoLanes(&be, func(f *ff.Element) *ff.Element { return f.Pow22523(f) })
		onEveryBackend(t, func(t *testing.T) {
			var v, twin Lanes
			sameLanes(t, "Multiply", v.Multiply(&a, &b), wantMul)
			lanesMulGeneric(&twin, &a, &b)
			sameLanesValue(t, "Multiply", &v, &twin)
			sameLanes(t, "SquareN", v.SquareN(&a, n), wantSqN)
			lanesSquareNGeneric(&twin, &a, n)
			sameLanesValue(t, "SquareN", &v, &twin)
			sameLanes(t, "Pow22523", v.Pow22523(&b), wantPow)
		})
	})
}

// BenchmarkLanesPow22523: four exponentiations per operation, against
// Element.Pow22523's one.
func BenchmarkLanesPow22523(b *testing.B) {
	r := newRand(b)
	x, xe := randLanes(r)
	want := filippoLanes(&xe, func(f *ff.Element) *ff.Element { return f.Pow22523(f) })
	b.Run("impl=lanes", func(b *testing.B) {
		var v Lanes
		for b.Loop() {
			v.Pow22523(&x)
		}
		sameLanes(b, "Pow22523", &v, want)
	})
	b.Run("impl=element", func(b *testing.B) {
		var v Element
		for b.Loop() {
			v.Pow22523(&xe[0])
		}
		sameValue(b, "Pow22523", &v, want[0])
	})
}
