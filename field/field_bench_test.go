package field

import (
	"math/big"
	"testing"

	ff "filippo.io/edwards25519/field"
)

// Benchmarks, for benchstat: BenchmarkField/op=OP/impl=IMPL.
//
//	op=mul, op=square       throughput: four independent chains x_k = x_k·y_k
//	                        (x_k = x_k²), ns/op per multiplication; impl=avx2
//	                        and impl=avx512ifma run them as Multiply4/Square4
//	op=mul-chain,           latency: one dependent chain, ns/op per operation
//	op=square-chain
//	op=mul4, op=square4     one Multiply4/Square4 call (four products), ns/op
//	                        per call; impl=filippo does four Multiply calls
//	op=invert               one Invert in a dependent chain
//
// impl is filippo (filippo.io/edwards25519/field v1.2.0, the reference),
// generic, adx (MULX), avx2 or ifma (AVX-512 IFMA): the backend is forced
// through the test hook (Multiply and Square run on adx under avx2 and ifma
// too, so the scalar-only ops list filippo, generic and adx). Every
// benchmark checks its final values against math/big.

var (
	implBackend = map[string]string{"generic": "generic", "adx": "bmi2adx", "avx2": "avx2", "ifma": "avx512ifma"}
	allImpls    = []string{"filippo", "generic", "adx", "avx2", "ifma"}
	scalarImpls = []string{"filippo", "generic", "adx"}
)

func benchImpls(b *testing.B, impls []string, run func(b *testing.B, impl string)) {
	for _, impl := range impls {
		if impl != "filippo" && !backendAvailable(implBackend[impl]) {
			continue
		}
		b.Run("impl="+impl, func(b *testing.B) {
			if impl != "filippo" {
				defer useBackend(implBackend[impl])()
			}
			b.ReportAllocs()
			run(b, impl)
		})
	}
}

// Starting values for the benchmarks.
func benchInputs() (x, y [4]Element) {
	for k := range x {
		x[k].SetBytes(fixedBytes(byte(2*k + 1)))
		y[k].SetBytes(fixedBytes(byte(2*k + 2)))
	}
	return
}

func fixedBytes(seed byte) []byte {
	out := make([]byte, 32)
	s := uint32(seed)*2654435761 + 12345
	for i := range out {
		s = s*1103515245 + 12345
		out[i] = byte(s >> 16)
	}
	return out
}

func toFF(x *Element) *ff.Element {
	f, err := new(ff.Element).SetBytes(x.Bytes())
	if err != nil {
		panic(err)
	}
	return f
}

// bigP is 2^255-19.
var bigP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// elementToBig returns the value of x mod p from its limbs.
func elementToBig(x *Element) *big.Int {
	v := new(big.Int)
	for i, l := range []uint64{x.l4, x.l3, x.l2, x.l1, x.l0} {
		_ = i
		v.Lsh(v, 51)
		v.Add(v, new(big.Int).SetUint64(l))
	}
	return v.Mod(v, bigP)
}

func bigOfBytes(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(r), bigP)
}

// checkPow fails b unless got = x·y^n mod p (y == nil: got = x^(2^n), the n-th
// repeated square).
func checkMulPow(b *testing.B, got *big.Int, x, y *big.Int, n int) {
	b.Helper()
	want := new(big.Int)
	if y != nil {
		want.Exp(y, big.NewInt(int64(n)), bigP)
		want.Mul(want, x).Mod(want, bigP)
	} else {
		pm1 := new(big.Int).Sub(bigP, big.NewInt(1))
		e := new(big.Int).Exp(big.NewInt(2), big.NewInt(int64(n)), pm1)
		want.Exp(x, e, bigP)
	}
	if got.Cmp(want) != 0 {
		b.Fatalf("wrong result after %d iterations", n)
	}
}

func BenchmarkField(b *testing.B) {
	b.Run("op=mul", func(b *testing.B) { benchImpls(b, allImpls, benchMulThroughput(false)) })
	b.Run("op=square", func(b *testing.B) { benchImpls(b, allImpls, benchMulThroughput(true)) })
	b.Run("op=mul-chain", func(b *testing.B) { benchImpls(b, scalarImpls, benchChain(false)) })
	b.Run("op=square-chain", func(b *testing.B) { benchImpls(b, scalarImpls, benchChain(true)) })
	b.Run("op=mul4", func(b *testing.B) { benchImpls(b, allImpls, benchMul4(false)) })
	b.Run("op=square4", func(b *testing.B) { benchImpls(b, allImpls, benchMul4(true)) })
	b.Run("op=invert", func(b *testing.B) { benchImpls(b, scalarImpls, benchInvert) })
	b.Run("op=sqrt-ratio", func(b *testing.B) { benchImpls(b, scalarImpls, benchSqrtRatio) })
}

// benchMulThroughput: four independent chains, b.N operations in all.
func benchMulThroughput(square bool) func(*testing.B, string) {
	return func(b *testing.B, impl string) {
		x, y := benchInputs()
		x0 := x
		rounds := (b.N + 3) / 4
		switch impl {
		case "filippo":
			var fx, fy [4]*ff.Element
			for k := range fx {
				fx[k], fy[k] = toFF(&x[k]), toFF(&y[k])
			}
			b.ResetTimer()
			for i := 0; i < rounds; i++ {
				if square {
					fx[0].Square(fx[0])
					fx[1].Square(fx[1])
					fx[2].Square(fx[2])
					fx[3].Square(fx[3])
				} else {
					fx[0].Multiply(fx[0], fy[0])
					fx[1].Multiply(fx[1], fy[1])
					fx[2].Multiply(fx[2], fy[2])
					fx[3].Multiply(fx[3], fy[3])
				}
			}
			b.StopTimer()
			for k := range fx {
				x[k].SetBytes(fx[k].Bytes())
			}
		case "avx2", "ifma":
			for i := 0; i < rounds; i++ {
				if square {
					Square4(&x, &x)
				} else {
					Multiply4(&x, &x, &y)
				}
			}
			b.StopTimer()
		default:
			for i := 0; i < rounds; i++ {
				if square {
					x[0].Square(&x[0])
					x[1].Square(&x[1])
					x[2].Square(&x[2])
					x[3].Square(&x[3])
				} else {
					x[0].Multiply(&x[0], &y[0])
					x[1].Multiply(&x[1], &y[1])
					x[2].Multiply(&x[2], &y[2])
					x[3].Multiply(&x[3], &y[3])
				}
			}
			b.StopTimer()
		}
		for k := range x {
			var yk *big.Int
			if !square {
				yk = elementToBig(&y[k])
			}
			checkMulPow(b, elementToBig(&x[k]), elementToBig(&x0[k]), yk, rounds)
		}
	}
}

// benchChain: one dependent chain of b.N operations.
func benchChain(square bool) func(*testing.B, string) {
	return func(b *testing.B, impl string) {
		xs, ys := benchInputs()
		x, y := xs[0], ys[0]
		x0 := x
		if impl == "filippo" {
			fx, fy := toFF(&x), toFF(&y)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if square {
					fx.Square(fx)
				} else {
					fx.Multiply(fx, fy)
				}
			}
			b.StopTimer()
			x.SetBytes(fx.Bytes())
		} else {
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if square {
					x.Square(&x)
				} else {
					x.Multiply(&x, &y)
				}
			}
			b.StopTimer()
		}
		var yb *big.Int
		if !square {
			yb = elementToBig(&y)
		}
		checkMulPow(b, elementToBig(&x), elementToBig(&x0), yb, b.N)
	}
}

// benchMul4: b.N calls of Multiply4(x, x, y) (Square4(x, x)).
func benchMul4(square bool) func(*testing.B, string) {
	return func(b *testing.B, impl string) {
		x, y := benchInputs()
		x0 := x
		if impl == "filippo" {
			var fx, fy [4]ff.Element
			for k := range fx {
				fx[k], fy[k] = *toFF(&x[k]), *toFF(&y[k])
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ffMul4(&fx, &fy, square)
			}
			b.StopTimer()
			for k := range fx {
				x[k].SetBytes(fx[k].Bytes())
			}
		} else {
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if square {
					Square4(&x, &x)
				} else {
					Multiply4(&x, &x, &y)
				}
			}
			b.StopTimer()
		}
		for k := range x {
			var yk *big.Int
			if !square {
				yk = elementToBig(&y[k])
			}
			checkMulPow(b, elementToBig(&x[k]), elementToBig(&x0[k]), yk, b.N)
		}
	}
}

//go:noinline
func ffMul4(x, y *[4]ff.Element, square bool) {
	if square {
		x[0].Square(&x[0])
		x[1].Square(&x[1])
		x[2].Square(&x[2])
		x[3].Square(&x[3])
		return
	}
	x[0].Multiply(&x[0], &y[0])
	x[1].Multiply(&x[1], &y[1])
	x[2].Multiply(&x[2], &y[2])
	x[3].Multiply(&x[3], &y[3])
}

func benchInvert(b *testing.B, impl string) {
	xs, _ := benchInputs()
	x := xs[0]
	x0 := elementToBig(&x)
	if impl == "filippo" {
		fx := toFF(&x)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			fx.Invert(fx)
		}
		b.StopTimer()
		x.SetBytes(fx.Bytes())
	} else {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			x.Invert(&x)
		}
		b.StopTimer()
	}
	want := x0
	if b.N%2 == 1 {
		want = new(big.Int).ModInverse(x0, bigP)
	}
	if elementToBig(&x).Cmp(want) != 0 {
		b.Fatal("wrong inverse")
	}
}

// benchSqrtRatio: b.N SqrtRatio calls, u/v a square, chained through u.
func benchSqrtRatio(b *testing.B, impl string) {
	xs, ys := benchInputs()
	u, v := xs[0], ys[0]
	u.Square(&u)
	u.Multiply(&u, &v) // u/v = x^2
	var r Element
	ok := 1
	if impl == "filippo" {
		fu, fv := toFF(&u), toFF(&v)
		fr := new(ff.Element)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var w int
			_, w = fr.SqrtRatio(fu, fv)
			ok &= w
		}
		b.StopTimer()
		r.SetBytes(fr.Bytes())
	} else {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var w int
			_, w = r.SqrtRatio(&u, &v)
			ok &= w
		}
		b.StopTimer()
	}
	// r^2·v = u
	var check Element
	check.Square(&r)
	check.Multiply(&check, &v)
	if ok != 1 || check.Equal(&u) != 1 || elementToBig(&check).Cmp(elementToBig(&u)) != 0 {
		b.Fatal("wrong square root")
	}
}
