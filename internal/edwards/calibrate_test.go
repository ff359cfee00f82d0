package edwards

import (
	"fmt"
	"os"
	"testing"
	"time"

	"filippo.io/edwards25519"
)

// minTime runs each function reps times, interleaved, and returns the
// minimum duration of each: on a shared, noisy machine the minimum of
// interleaved runs is a steadier estimate than a mean.
func minTime(reps int, fs ...func()) []time.Duration {
	best := make([]time.Duration, len(fs))
	for r := 0; r < reps; r++ {
		for i, f := range fs {
			t0 := time.Now()
			f()
			if d := time.Since(t0); r == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	return best
}

// TestCalibrateMSM prints Straus and Pippenger times per point, for setting
// pippengerThreshold and checking pippengerWindow. Run with
// RONKMS_CALIBRATE=1 go test -run CalibrateMSM -v ./internal/edwards/
func TestCalibrateMSM(t *testing.T) {
	if os.Getenv("RONKMS_CALIBRATE") == "" {
		t.Skip("set RONKMS_CALIBRATE=1")
	}
	for _, n := range []int{32, 64, 96, 128, 160, 192, 224, 256, 320, 384, 512, 768, 1024, 2048, 4096, 8192} {
		scalars, _, pts := benchMSMInput(t, n)
		v := new(Point)
		fs := []func(){}
		names := []string{}
		if n <= 512 {
			fs = append(fs, func() { v.straus(nil, nil, scalars, pts) })
			names = append(names, "straus")
		}
		wBest := pippengerWindow(n)
		for w := wBest - 2; w <= wBest+2; w++ {
			if w < 3 {
				continue
			}
			fs = append(fs, func() { v.pippenger(new(MSMScratch), nil, scalars, pts, w) })
			names = append(names, fmt.Sprintf("pip-w%d", w))
		}
		reps := 5 + 20000/n
		ts := minTime(reps, fs...)
		line := fmt.Sprintf("n=%5d model-w=%2d:", n, wBest)
		for i := range ts {
			line += fmt.Sprintf("  %s %6.0f", names[i], float64(ts[i].Nanoseconds())/float64(n))
		}
		t.Log(line + "  ns/point")
	}
}

// TestCalibratePoint prints paired minimum times of ours and filippo's.
func TestCalibratePoint(t *testing.T) {
	if os.Getenv("RONKMS_CALIBRATE") == "" {
		t.Skip("set RONKMS_CALIBRATE=1")
	}
	rng := newRand(t)
	fA := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
	A := scramble(rng, fromFilippo(t, fA))
	k, s := randScalar(rng), randScalar(rng)
	enc := fA.Bytes()
	v, fv := new(Point), new(edwards25519.Point)
	var out [32]byte
	var ac affineCached
	var e fe
	pre := NewPrecomputedPoint(A)
	v.Set(A)
	fv.Set(fA)
	outs := make([][32]byte, 64)
	var bpts []*Point
	var fbpts []*edwards25519.Point
	for i := 0; i < 64; i++ {
		fp := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		fbpts = append(fbpts, fp)
		bpts = append(bpts, scramble(rng, fromFilippo(t, fp)))
	}
	a, r := randScalar(rng), randScalar(rng)
	sR := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
	fR := new(edwards25519.Point).ScalarBaseMult(r)
	negFA := new(edwards25519.Point).Negate(new(edwards25519.Point).ScalarBaseMult(a))
	encR := fR.Bytes()
	R := fromFilippo(t, fR)
	A2 := fromFilippo(t, new(edwards25519.Point).ScalarBaseMult(a))
	cases := []struct {
		name string
		f    []func()
	}{
		{"double", []func(){func() {
			for i := 0; i < 100; i++ {
				v.Double(v)
			}
		}, func() {
			for i := 0; i < 100; i++ {
				fv.Double(fv)
			}
		}}},
		{"add", []func(){func() {
			for i := 0; i < 100; i++ {
				v.Add(v, A)
			}
		}, func() {
			for i := 0; i < 100; i++ {
				fv.Add(fv, fA)
			}
		}}},
		{"batchencode-64", []func(){func() { BatchEncode(outs, bpts) }, func() {
			for j, p := range fbpts {
				copy(outs[j][:], p.Bytes())
			}
		}}},
		{"check cofactorless", []func(){func() { VarTimeCheckCofactorlessBytes(encR, A2, k, sR) }, func() {
			fv.VarTimeDoubleScalarBaseMult(k, negFA, sR)
			_ = string(fv.Bytes()) == string(encR)
		}}},
		{"check cofactored", []func(){func() { VarTimeCheckCofactored(R, A2, k, sR) }, func() {
			fv.VarTimeDoubleScalarBaseMult(k, negFA, sR)
			fv.Subtract(fv, fR)
			fv.MultByCofactor(fv)
			_ = fv.Equal(edwards25519.NewIdentityPoint())
		}}},
		{"dsm", []func(){func() { v.VarTimeDoubleScalarBaseMult(k, A, s) }, func() { fv.VarTimeDoubleScalarBaseMult(k, fA, s) }}},
		{"dsm precomputed", []func(){func() { v.VarTimeDoubleScalarBaseMultPrecomputed(k, pre, s) }}},
		{"precompute", []func(){func() { NewPrecomputedPoint(A) }}},
		{"sbm", []func(){func() { v.ScalarBaseMult(s) }, func() { fv.ScalarBaseMult(s) }}},
		{"decode", []func(){func() { v.SetBytes(enc) }, func() { fv.SetBytes(enc) }}},
		{"encode", []func(){func() { A.BytesInto(&out) }, func() { fA.Bytes() }}},
		{"fromWords x1000", []func(){func() {
			for i := 0; i < 1000; i++ {
				ac.fromWords(&basepointNafTable[i&63])
			}
		}}},
		{"mul x1000", []func(){func() {
			for i := 0; i < 1000; i++ {
				e.Multiply(&e, feD)
			}
		}}},
		{"sqr x1000", []func(){func() {
			for i := 0; i < 1000; i++ {
				e.Square(&e)
			}
		}}},
	}
	e.One()
	for _, c := range cases {
		ts := minTime(300, c.f...)
		if len(ts) == 2 {
			t.Logf("%-20s ronkms %8d ns   filippo %8d ns   speed-up %.2fx", c.name, ts[0].Nanoseconds(), ts[1].Nanoseconds(), float64(ts[1])/float64(ts[0]))
		} else {
			t.Logf("%-20s ronkms %8d ns", c.name, ts[0].Nanoseconds())
		}
	}
}

// TestCalibrateCheck compares the half-size checks with full-size ones.
func TestCalibrateCheck(t *testing.T) {
	if os.Getenv("RONKMS_CALIBRATE") == "" {
		t.Skip("set RONKMS_CALIBRATE=1")
	}
	rng := newRand(t)
	a, r, k := randScalar(rng), randScalar(rng), randScalar(rng)
	s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
	fA := new(edwards25519.Point).ScalarBaseMult(a)
	fR := new(edwards25519.Point).ScalarBaseMult(r)
	A, R := fromFilippo(t, fA), fromFilippo(t, fR)
	encR := fR.Bytes()
	kw := scalarWords(k)
	kk := u256{kw[0], kw[1], kw[2], kw[3]}
	var Q Point
	var out [32]byte
	var negA edwards25519.Point
	negA.Negate(fA)
	var fQ edwards25519.Point
	ts := minTime(300,
		func() { reduceHalf(&groupOrder8, &kk, 128, true) },
		func() { reduceHalf(&groupOrder, &kk, 126, false) },
		func() {
			if !VarTimeCheckCofactorless(R, A, k, s) {
				panic("x")
			}
		},
		func() {
			var nA Point
			nA.Negate(A)
			Q.VarTimeDoubleScalarBaseMult(k, &nA, s)
			Q.BytesInto(&out)
		},
		func() {
			if !VarTimeCheckCofactored(R, A, k, s) {
				panic("x")
			}
		},
		func() { checkFull(&Q, R, A, k, s); Q.IsSmallOrder() },
		func() { fQ.VarTimeDoubleScalarBaseMult(k, &negA, s); fQ.Bytes() },
		func() { R.SetBytes(encR) },
	)
	names := []string{"reduce mod 8l (odd)", "reduce mod l", "check cofactorless (half)", "dsm+encode (ours)", "check cofactored (half)", "check cofactored (full)", "filippo dsm+encode", "decode R"}
	for i := range ts {
		t.Logf("%-28s %8d ns", names[i], ts[i].Nanoseconds())
	}
}

// TestCalibrateMSMVsFilippo prints paired minimum times per point of
// VarTimeMultiScalarMult and filippo's.
func TestCalibrateMSMVsFilippo(t *testing.T) {
	if os.Getenv("RONKMS_CALIBRATE") == "" {
		t.Skip("set RONKMS_CALIBRATE=1")
	}
	for _, n := range []int{1, 4, 16, 64, 128, 256, 512, 1024} {
		scalars, fPts, pts := benchMSMInput(t, n)
		v, fv := new(Point), new(edwards25519.Point)
		reps := 5 + 4000/n
		ts := minTime(reps,
			func() { v.VarTimeMultiScalarMult(scalars, pts) },
			func() { fv.VarTimeMultiScalarMult(scalars, fPts) })
		t.Logf("n=%5d  ronkms %7.0f ns/point  filippo %7.0f ns/point  speed-up %.2fx", n,
			float64(ts[0].Nanoseconds())/float64(n), float64(ts[1].Nanoseconds())/float64(n), float64(ts[1])/float64(ts[0]))
	}
}
