package edwards

import (
	"os"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/field"
)

// BenchmarkTorsionFree compares, per point (the ns/point metric; every
// operation handles four points), the subgroup test with a decoding, with
// [l]P = 0 and with the exponentiation that is the unit of all three:
//
//	go test -run '^$' -bench 'TorsionFree|Decode' -count 6 ./internal/edwards
//
// The points are torsion-free (the test's worst case: both exponentiations
// run; a point outside 2E stops after the first).
func BenchmarkTorsionFree(b *testing.B) {
	rng := newRand(b)
	var enc [4][]byte
	var pts [4]Point
	var ptrs [4]*Point
	for i := range enc {
		fp := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		enc[i] = fp.Bytes()
		if _, err := pts[i].SetBytes(enc[i]); err != nil {
			b.Fatal(err)
		}
		ptrs[i] = &pts[i]
	}
	perPoint := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/point")
	}
	all := [4]bool{true, true, true, true}

	b.Run("op=exp/impl=single", func(b *testing.B) {
		var x [4]fe
		for i := range x {
			x[i] = pts[i].y
		}
		for b.Loop() {
			for i := range x {
				x[i].Pow22523(&x[i])
			}
		}
		perPoint(b)
	})
	b.Run("op=exp/impl=four", func(b *testing.B) {
		var l field.Lanes
		l.Set(&pts[0].y, &pts[1].y, &pts[2].y, &pts[3].y)
		for b.Loop() {
			l.Pow22523(&l)
		}
		perPoint(b)
	})
	b.Run("op=decode/impl=single", func(b *testing.B) {
		var out [4]Point
		for b.Loop() {
			for i := range out {
				if _, err := out[i].SetBytes(enc[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		perPoint(b)
	})
	b.Run("op=decode/impl=four", func(b *testing.B) {
		var out [4]Point
		for b.Loop() {
			if _, ok := DecodeFour(&out, &enc); ok != all {
				b.Fatal("not decoded")
			}
		}
		perPoint(b)
	})
	b.Run("op=test/impl=single", func(b *testing.B) {
		for b.Loop() {
			for i := range pts {
				if !pts[i].VarTimeIsTorsionFree() {
					b.Fatal("not torsion-free")
				}
			}
		}
		perPoint(b)
	})
	b.Run("op=test/impl=four", func(b *testing.B) {
		for b.Loop() {
			if VarTimeTorsionFreeFour(&ptrs) != all {
				b.Fatal("not torsion-free")
			}
		}
		perPoint(b)
	})
	b.Run("op=decode+test/impl=four", func(b *testing.B) {
		var out [4]Point
		outPtrs := [4]*Point{&out[0], &out[1], &out[2], &out[3]}
		for b.Loop() {
			if _, ok := DecodeFour(&out, &enc); ok != all {
				b.Fatal("not decoded")
			}
			if VarTimeTorsionFreeFour(&outPtrs) != all {
				b.Fatal("not torsion-free")
			}
		}
		perPoint(b)
	})
	b.Run("op=mul-l/impl=single", func(b *testing.B) {
		// [l]P = [l-1]P + [0]B + P.
		one, _ := new(Scalar).SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
		lm1 := new(Scalar).Negate(one)
		zero := new(Scalar)
		var q Point
		for b.Loop() {
			for i := range pts {
				q.VarTimeDoubleScalarBaseMult(lm1, &pts[i], zero)
				q.Add(&q, &pts[i])
				if !q.IsIdentity() {
					b.Fatal("not torsion-free")
				}
			}
		}
		perPoint(b)
	})
}

// TestCalibrateTorsionFree prints the paired minimum (calibrate_test.go's
// minTime) of each contender of BenchmarkTorsionFree, per point, and in
// units of one scalar exponentiation:
//
//	RONKMS_CALIBRATE=1 go test -run CalibrateTorsionFree -v ./internal/edwards
func TestCalibrateTorsionFree(t *testing.T) {
	if os.Getenv("RONKMS_CALIBRATE") == "" {
		t.Skip("set RONKMS_CALIBRATE=1")
	}
	rng := newRand(t)
	var enc [4][]byte
	var pts, out [4]Point
	var ptrs, outPtrs [4]*Point
	for i := range enc {
		fp := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		enc[i] = fp.Bytes()
		if _, err := pts[i].SetBytes(enc[i]); err != nil {
			t.Fatal(err)
		}
		ptrs[i], outPtrs[i] = &pts[i], &out[i]
	}
	one, _ := new(Scalar).SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
	lm1 := new(Scalar).Negate(one)
	zero := new(Scalar)
	var x fe
	var l field.Lanes
	var q Point
	names := []string{"exp (Pow22523)", "exp, four lanes", "decode (SetBytes)", "DecodeFour",
		"VarTimeIsTorsionFree", "VarTimeTorsionFreeFour", "DecodeFour + TorsionFreeFour", "[l]P = 0"}
	fs := []func(){
		func() {
			for i := range pts {
				x.Pow22523(&pts[i].y)
			}
		},
		func() { l.Set(&pts[0].y, &pts[1].y, &pts[2].y, &pts[3].y); l.Pow22523(&l) },
		func() {
			for i := range out {
				out[i].SetBytes(enc[i])
			}
		},
		func() { DecodeFour(&out, &enc) },
		func() {
			for i := range pts {
				pts[i].VarTimeIsTorsionFree()
			}
		},
		func() { VarTimeTorsionFreeFour(&ptrs) },
		func() { DecodeFour(&out, &enc); VarTimeTorsionFreeFour(&outPtrs) },
		func() {
			for i := range pts {
				q.VarTimeDoubleScalarBaseMult(lm1, &pts[i], zero)
				q.Add(&q, &pts[i])
				q.IsIdentity()
			}
		},
	}
	best := minTime(400, fs...)
	unit := float64(best[0].Nanoseconds()) / 4
	t.Logf("useVec %v, field backend %s", useVec, field.Backend())
	for i, d := range best {
		ns := float64(d.Nanoseconds()) / 4
		t.Logf("%-30s %7.0f ns/point  %5.2f exponentiations", names[i], ns, ns/unit)
	}
}
