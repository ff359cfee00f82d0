package batch

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
	"github.com/ronkms/ronkms/internal/testgen"
)

// BenchmarkHotKeyThreshold measures, for a StdLib batch of n valid
// signatures under one key, Verify with precomputed tables for the key
// (tables=on: the build is inside the timed region, once per batch) and
// without (tables=off: the key decoded once, the half-size check per item),
// at worker counts 1 and 2. It calibrates defaultHotKeyUses:
//
//	go test -run '^$' -bench HotKeyThreshold -count 6 . | benchstat -col /tables -
func BenchmarkHotKeyThreshold(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := testgen.NewSigner(rng)
	for _, n := range []int{4, 6, 8, 9, 10, 12, 16, 24, 32} {
		for _, workers := range []int{1, 2} {
			for _, tables := range []string{"off", "on"} {
				b.Run(fmt.Sprintf("n=%d/workers=%d/tables=%s", n, workers, tables), func(b *testing.B) {
					v := newHarness(edverify.StdLib, workers)
					v.hot = 1 << 30
					if tables == "on" {
						v.hot = 1
					}
					for range n {
						c := s.Honest(testgen.RandomMessage(rng, 64))
						v.Add(c.Pub, c.Msg, c.Sig)
					}
					for b.Loop() {
						if ok, _ := v.Verify(); !ok {
							b.Fatal("valid batch rejected")
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/sig")
				})
			}
		}
	}
}

// BenchmarkEachCheck compares, per signature (key decoded already, one
// key), the three ways an item of a cofactorless batch can be checked:
//
//	check=half: decode R, half-size cofactorless check (the plain path)
//	check=dsm:  R' = [s]B - [k]A by VarTimeDoubleScalarBaseMult, then
//	            BatchEncode over 64 items and byte comparison
//	check=pre:  R' from the key's precomputed tables (built outside the
//	            timed region), then BatchEncode and byte comparison
//
//	go test -run '^$' -bench EachCheck -count 6 . | benchstat -col /check -
func BenchmarkEachCheck(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := testgen.NewSigner(rng)
	const n = 64
	var A, negA edwards.Point
	if _, err := A.SetBytes(s.Pub); err != nil {
		b.Fatal(err)
	}
	negA.Negate(&A)
	pre := edwards.NewPrecomputedPoint(&negA)
	type item struct {
		R    []byte
		k, s edwards25519.Scalar
	}
	items := make([]item, n)
	for i := range items {
		c := s.Honest(testgen.RandomMessage(rng, 64))
		items[i].R = c.Sig[:32]
		edverify.Challenge(&items[i].k, edverify.DomPrefixPure, "", c.Sig[:32], c.Pub, c.Msg)
		if _, err := items[i].s.SetCanonicalBytes(c.Sig[32:]); err != nil {
			b.Fatal(err)
		}
	}
	var pts [n]edwards.Point
	var ptrs [n]*edwards.Point
	var out [n][32]byte
	for i := range ptrs {
		ptrs[i] = &pts[i]
	}
	encodeAll := func() {
		edwards.BatchEncode(out[:], ptrs[:])
		for i := range items {
			if out[i] != [32]byte(items[i].R) {
				b.Fatal("valid signature rejected")
			}
		}
	}
	b.Run("check=half", func(b *testing.B) {
		for b.Loop() {
			for i := range items {
				if !edwards.VarTimeCheckCofactorlessBytes(items[i].R, &A, &items[i].k, &items[i].s) {
					b.Fatal("valid signature rejected")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/sig")
	})
	b.Run("check=dsm", func(b *testing.B) {
		for b.Loop() {
			for i := range items {
				pts[i].VarTimeDoubleScalarBaseMult(&items[i].k, &negA, &items[i].s)
			}
			encodeAll()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/sig")
	})
	b.Run("check=pre", func(b *testing.B) {
		for b.Loop() {
			for i := range items {
				pts[i].VarTimeDoubleScalarBaseMultPrecomputed(&items[i].k, pre, &items[i].s)
			}
			encodeAll()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/sig")
	})
}

// BenchmarkZIP215Invalid measures ZIP215 batches (16 keys, one
// worker) with a given number of invalid signatures at random positions:
// the cost of finding them (bisection, then single checks).
//
//	go test -run '^$' -bench ZIP215Invalid -count 6 .
func BenchmarkZIP215Invalid(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 256
	signers := make([]*testgen.Signer, 16)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	for _, bad := range []int{0, 1, 2, 8, 64, 256} {
		b.Run(fmt.Sprintf("n=%d/bad=%d", n, bad), func(b *testing.B) {
			v := newHarness(edverify.ZIP215, 1)
			want := make([]bool, n)
			for i, p := range rng.Perm(n) {
				want[p] = i >= bad
			}
			for p := range n {
				c := signers[p%len(signers)].Honest(testgen.RandomMessage(rng, 64))
				if !want[p] {
					c.Msg = append(c.Msg, 1) // now invalid
				}
				v.Add(c.Pub, c.Msg, c.Sig)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, valid := v.Verify()
				for i := range valid {
					if valid[i] != want[i] {
						b.Fatalf("item %d: verdict %v, want %v", i, valid[i], want[i])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/sig")
		})
	}
}
