package edwards

import (
	"fmt"
	"os"
	"testing"

	"filippo.io/edwards25519"
)

// Benchmarks are named for benchstat pivoting:
//
//	go test -run '^$' -bench . -count 6 ./internal/edwards/ | benchstat -col /impl -
var (
	benchSinkPoint *Point
	benchSinkF     *edwards25519.Point
	benchSinkBool  bool
)

func BenchmarkPoint(b *testing.B) {
	rng := newRand(b)
	fA := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
	fB := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
	A := scramble(rng, fromFilippo(b, fA))
	Bp := scramble(rng, fromFilippo(b, fB))
	k, s := randScalar(rng), randScalar(rng)
	enc := fA.Bytes()

	const batchN = 64
	var fPts []*edwards25519.Point
	var pts []*Point
	for i := 0; i < batchN; i++ {
		fp := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		fPts = append(fPts, fp)
		pts = append(pts, scramble(rng, fromFilippo(b, fp)))
	}

	type impl struct {
		name string
		run  func(b *testing.B)
	}
	ops := []struct {
		op    string
		impls []impl
	}{
		{"double", []impl{
			{"ronkms", func(b *testing.B) {
				v := new(Point).Set(A)
				for i := 0; i < b.N; i++ {
					v.Double(v)
				}
				benchSinkPoint = v
			}},
			{"filippo", func(b *testing.B) {
				v := new(edwards25519.Point).Set(fA)
				for i := 0; i < b.N; i++ {
					v.Double(v)
				}
				benchSinkF = v
			}},
		}},
		{"add", []impl{
			{"ronkms", func(b *testing.B) {
				v := new(Point).Set(A)
				for i := 0; i < b.N; i++ {
					v.Add(v, Bp)
				}
				benchSinkPoint = v
			}},
			{"filippo", func(b *testing.B) {
				v := new(edwards25519.Point).Set(fA)
				for i := 0; i < b.N; i++ {
					v.Add(v, fB)
				}
				benchSinkF = v
			}},
		}},
		{"decode", []impl{
			{"ronkms", func(b *testing.B) {
				v := new(Point)
				for i := 0; i < b.N; i++ {
					if _, err := v.SetBytes(enc); err != nil {
						b.Fatal(err)
					}
				}
				benchSinkPoint = v
			}},
			{"filippo", func(b *testing.B) {
				v := new(edwards25519.Point)
				for i := 0; i < b.N; i++ {
					if _, err := v.SetBytes(enc); err != nil {
						b.Fatal(err)
					}
				}
				benchSinkF = v
			}},
		}},
		{"encode", []impl{
			{"ronkms", func(b *testing.B) {
				var out [32]byte
				for i := 0; i < b.N; i++ {
					A.BytesInto(&out)
				}
			}},
			{"filippo", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					_ = fA.Bytes()
				}
			}},
		}},
		{fmt.Sprintf("batchencode-n=%d", batchN), []impl{
			{"ronkms", func(b *testing.B) {
				out := make([][32]byte, batchN)
				for i := 0; i < b.N; i++ {
					BatchEncode(out, pts)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/batchN, "ns/point")
			}},
			{"filippo", func(b *testing.B) {
				out := make([][32]byte, batchN)
				for i := 0; i < b.N; i++ {
					for j, p := range fPts {
						copy(out[j][:], p.Bytes())
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/batchN, "ns/point")
			}},
		}},
		{"dsm", []impl{
			{"ronkms", func(b *testing.B) {
				v := new(Point)
				for i := 0; i < b.N; i++ {
					v.VarTimeDoubleScalarBaseMult(k, A, s)
				}
				benchSinkPoint = v
			}},
			{"filippo", func(b *testing.B) {
				v := new(edwards25519.Point)
				for i := 0; i < b.N; i++ {
					v.VarTimeDoubleScalarBaseMult(k, fA, s)
				}
				benchSinkF = v
			}},
		}},
		{"dsm-precomputed", []impl{
			{"ronkms", func(b *testing.B) {
				v := new(Point)
				pre := NewPrecomputedPoint(A)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					v.VarTimeDoubleScalarBaseMultPrecomputed(k, pre, s)
				}
				benchSinkPoint = v
			}},
		}},
		{"precompute", []impl{
			{"ronkms", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					NewPrecomputedPoint(A)
				}
			}},
		}},
		{"sbm", []impl{
			{"ronkms", func(b *testing.B) {
				v := new(Point)
				for i := 0; i < b.N; i++ {
					v.ScalarBaseMult(s)
				}
				benchSinkPoint = v
			}},
			{"filippo", func(b *testing.B) {
				v := new(edwards25519.Point)
				for i := 0; i < b.N; i++ {
					v.ScalarBaseMult(s)
				}
				benchSinkF = v
			}},
		}},
	}
	for _, op := range ops {
		for _, im := range op.impls {
			b.Run("op="+op.op+"/impl="+im.name, func(b *testing.B) {
				b.ReportAllocs()
				im.run(b)
			})
		}
	}
}

func benchMSMInput(b testing.TB, n int) ([]*edwards25519.Scalar, []*edwards25519.Point, []*Point) {
	rng := newRand(b)
	scalars := make([]*edwards25519.Scalar, n)
	fPts := make([]*edwards25519.Point, n)
	pts := make([]*Point, n)
	base := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
	step := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
	for i := range pts {
		scalars[i] = randScalar(rng)
		fPts[i] = new(edwards25519.Point).Set(base)
		base.Add(base, step)
		// Decoded points, as a batch verifier holds them (Z = 1).
		pts[i] = fromFilippo(b, fPts[i])
	}
	return scalars, fPts, pts
}

// BenchmarkMSM compares VarTimeMultiScalarMult with filippo's (Straus at
// every size) on decoded points and full-size scalars.
func BenchmarkMSM(b *testing.B) {
	for _, n := range []int{1, 4, 16, 64, 128, 256, 512, 1024} {
		scalars, fPts, pts := benchMSMInput(b, n)
		b.Run(fmt.Sprintf("n=%d/impl=ronkms", n), func(b *testing.B) {
			b.ReportAllocs()
			v := new(Point)
			for i := 0; i < b.N; i++ {
				v.VarTimeMultiScalarMult(scalars, pts)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/point")
		})
		b.Run(fmt.Sprintf("n=%d/impl=filippo", n), func(b *testing.B) {
			b.ReportAllocs()
			v := new(edwards25519.Point)
			for i := 0; i < b.N; i++ {
				v.VarTimeMultiScalarMult(scalars, fPts)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/point")
		})
	}
}

// BenchmarkMSMEngine measures Straus and Pippenger at several windows, to
// set pippengerThreshold and check pippengerWindow:
//
//	RONKMS_CALIBRATE=1 go test -run '^$' -bench MSMEngine -count 6 ./internal/edwards/ | benchstat -col /engine -
func BenchmarkMSMEngine(b *testing.B) {
	if os.Getenv("RONKMS_CALIBRATE") == "" {
		b.Skip("calibration only: set RONKMS_CALIBRATE=1")
	}
	for _, n := range []int{64, 96, 128, 160, 192, 256, 384, 512, 1024, 2048, 4096} {
		scalars, _, pts := benchMSMInput(b, n)
		run := func(name string, f func(v *Point)) {
			b.Run(fmt.Sprintf("n=%d/engine=%s", n, name), func(b *testing.B) {
				v := new(Point)
				for i := 0; i < b.N; i++ {
					f(v)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/point")
			})
		}
		if n <= 512 {
			run("straus", func(v *Point) { v.straus(nil, nil, scalars, pts) })
		}
		wBest := pippengerWindow(n)
		for w := wBest - 1; w <= wBest+1; w++ {
			run(fmt.Sprintf("pippenger-w%+d", int(w)-int(wBest)), func(v *Point) { v.pippenger(new(MSMScratch), nil, scalars, pts, w) })
		}
	}
}

// BenchmarkCheck measures the verification equations as the modes use
// them. eq=cofactorless: ronkms decodes R and runs the half-size check
// (VarTimeCheckCofactorlessBytes); filippo computes [s]B - [k]A, encodes it
// and compares bytes (crypto/ed25519's way). eq=cofactored (R decoded):
// ronkms VarTimeCheckCofactored; filippo [8]([s]B - [k]A - R) == identity.
func BenchmarkCheck(b *testing.B) {
	rng := newRand(b)
	a, r, k := randScalar(rng), randScalar(rng), randScalar(rng)
	s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
	fA := new(edwards25519.Point).ScalarBaseMult(a)
	fR := new(edwards25519.Point).ScalarBaseMult(r)
	negFA := new(edwards25519.Point).Negate(fA)
	encR := fR.Bytes()
	A, R := fromFilippo(b, fA), fromFilippo(b, fR)
	id := edwards25519.NewIdentityPoint()
	b.Run("eq=cofactorless/impl=ronkms", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if !VarTimeCheckCofactorlessBytes(encR, A, k, s) {
				b.Fatal("check failed")
			}
		}
	})
	b.Run("eq=cofactorless/impl=filippo", func(b *testing.B) {
		var Q edwards25519.Point
		for i := 0; i < b.N; i++ {
			Q.VarTimeDoubleScalarBaseMult(k, negFA, s)
			if string(Q.Bytes()) != string(encR) {
				b.Fatal("check failed")
			}
		}
	})
	b.Run("eq=cofactored/impl=ronkms", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if !VarTimeCheckCofactored(R, A, k, s) {
				b.Fatal("check failed")
			}
		}
	})
	b.Run("eq=cofactored/impl=filippo", func(b *testing.B) {
		var Q edwards25519.Point
		for i := 0; i < b.N; i++ {
			Q.VarTimeDoubleScalarBaseMult(k, negFA, s)
			Q.Subtract(&Q, fR)
			Q.MultByCofactor(&Q)
			if Q.Equal(id) != 1 {
				b.Fatal("check failed")
			}
		}
	})
}

// BenchmarkScalarBaseMultPaths compares the fixed-base multiplications of
// signing on this CPU: the scalar formulas (point.go) and the
// one-point-per-lane comb on vecImpl (scalarBaseMultLanes). Each run checks
// its result.
func BenchmarkScalarBaseMultPaths(b *testing.B) {
	rng := newRand(b)
	s := randScalar(rng)
	want := new(edwards25519.Point).ScalarBaseMult(s)
	saved := useLaneComb
	defer func() { useLaneComb = saved }()
	for _, path := range scalarBaseMultPaths {
		b.Run("path="+path.name, func(b *testing.B) {
			useLaneComb = path.laneComb
			v := new(Point)
			for b.Loop() {
				v.ScalarBaseMult(s)
			}
			samePoint(b, path.name, v, want)
		})
	}
}
