package batch

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/testgen"
)

// BenchmarkTorsion measures batches of n = 256 signatures under 16 keys
// (one worker), honest or with one item in eight carrying a torsion
// component in R (valid under cofactored rules, invalid under cofactorless
// ones), per signature: the cost an adversary can impose by sending
// torsioned signatures, against an honest batch of the same rules.
//
//	go test -run '^$' -bench Torsion -count 6 ./internal/batch | benchstat -col /torsion -
func BenchmarkTorsion(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 256
	signers := make([]*testgen.Signer, 16)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	for _, rules := range []Rules{edverify.StdLib, edverify.Strict, edverify.ZIP215} {
		for _, torsion := range []string{"none", "1in8"} {
			b.Run(fmt.Sprintf("rules=%05b/torsion=%s", rules, torsion), func(b *testing.B) {
				v := newHarness(rules, 1)
				var cases []testgen.Case
				for p := range n {
					s := signers[p%len(signers)]
					msg := testgen.RandomMessage(rng, 64)
					if torsion == "1in8" && p%8 == 3 {
						cases = append(cases, s.TorsionR(rng, msg, []int{2, 4, 8}[p%3]))
					} else {
						cases = append(cases, s.Honest(msg))
					}
				}
				want := make([]bool, n)
				for i, c := range cases {
					want[i] = single(rules, c)
					v.Add(c.Pub, c.Msg, c.Sig)
				}
				benchVerify(b, v, want)
			})
		}
	}
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
			benchVerify(b, v, want)
		})
	}
}

// benchVerify is the timed loop of the engine's benchmarks: v's batch,
// verified again and again, every verdict checked against want; it
// reports ns per signature.
func benchVerify(b *testing.B, v *harness, want []bool) {
	b.ReportAllocs()
	for b.Loop() {
		_, valid := v.Verify()
		for i := range valid {
			if valid[i] != want[i] {
				b.Fatalf("item %d: verdict %v, want %v", i, valid[i], want[i])
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(want)), "ns/sig")
}
