package batch

// Torsion-crafted batches: items whose R or A (or both) carry a component of
// order 2, 4 or 8, among honest ones, under one key and under several. The
// cofactorless rule sets must reject exactly what their single verifier
// rejects, which a randomized equation would miss with probability up to
// 1/2 per run; so every batch runs many times, with fresh coefficients each
// time, and a missed residue cannot hide.

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

// torsionItem returns an item of a random torsion kind signed by s:
// torsion in R, in A (a mixed-order key: s's key plus a torsion point),
// in both with residues that cancel in the cofactorless equation, in both
// with residues that need not, or an honest one.
func torsionItem(rng *rand.Rand, s *testgen.Signer, tA *edwards25519.Point) testgen.Case {
	msg := testgen.RandomMessage(rng, 48)
	tors := testgen.TorsionPoints()
	order := []int{2, 4, 8}[rng.IntN(3)]
	var c testgen.Case
	switch rng.IntN(6) {
	case 0:
		c = s.TorsionR(rng, msg, order)
		c.Name = fmt.Sprintf("torsion-R/order=%d", order)
	case 1:
		c = s.TorsionAR(rng, msg, tA, nil)
		c.Name = "torsion-A"
	case 2:
		c = s.Cancelling(rng, msg, tA)
	case 3:
		c = s.TorsionAR(rng, msg, tA, tors[1+rng.IntN(7)])
	case 4: // small-order R: the identity's canonical encoding, s = k·a
		c = s.IdentityR(msg, []byte{1, 31: 0})
	default:
		c = s.Honest(msg)
	}
	return c
}

// TestBatchTorsion: batches of 4 to 40 items, a quarter to all of them
// torsioned, under one key and under three (each signer's mixed-order key
// uses one fixed torsion point, so torsioned keys repeat, as real keys do),
// under every preset and every worker count 1 to 4, each batch verified
// reps times: every verdict equals the single verifier's every time.
func TestBatchTorsion(t *testing.T) {
	rng := pkRNG(t, "TestBatchTorsion")
	reps := 24
	if testing.Short() {
		reps = 6
	}
	tors := testgen.TorsionPoints()
	for _, keys := range []int{1, 3} {
		signers := make([]*testgen.Signer, keys)
		tA := make([]*edwards25519.Point, keys)
		for i := range signers {
			signers[i] = testgen.NewSigner(rng)
			tA[i] = tors[1+rng.IntN(7)]
		}
		sizes := []int{4, 17, 40, 160} // 160: the workers share one equation (sharedEquationMin)
		if testing.Short() {
			sizes = sizes[:3]
		}
		for _, n := range sizes {
			for _, share := range []int{4, 2, 1} { // one item in share torsioned
				cases := make([]testgen.Case, n)
				for i := range cases {
					j := rng.IntN(keys)
					if i%share == 0 {
						cases[i] = torsionItem(rng, signers[j], tA[j])
					} else {
						cases[i] = signers[j].Honest(testgen.RandomMessage(rng, 48))
					}
				}
				rng.Shuffle(n, func(a, b int) { cases[a], cases[b] = cases[b], cases[a] })
				for _, rules := range testRules {
					want := pkExpected(t, rules, cases)
					for workers := 1; workers <= 4; workers++ {
						h := newHarness(rules, workers)
						for r := range reps {
							h.deferred = r%2 == 0
							h.Reset()
							for _, c := range cases {
								h.Add(c.Pub, c.Msg, c.Sig)
							}
							all, valid := h.Verify()
							pkCheck(t, fmt.Sprintf("keys=%d/n=%d/share=%d/rules=%05b/workers=%d/rep=%d", keys, n, share, rules, workers, r), cases, want, all, valid)
							if t.Failed() {
								return
							}
						}
					}
				}
			}
		}
	}
}

// FuzzTorsionBatch: batches of up to 12 items built from the input, each
// an honest signature of one of three signers with torsion points chosen by
// the input added to R, to A, or to both (the residues cancelling or not),
// or an identity R; under rules chosen by the input (all 32 combinations),
// the batch verdicts equal the single verifier's, in three runs with fresh
// coefficients and 1 to 4 workers.
func FuzzTorsionBatch(f *testing.F) {
	f.Add([]byte{0, 1, 0x11, 0x23, 0x47, 0x65, 0x80})
	f.Add([]byte{3, 2, 0x31, 0x31, 0x31, 0x00, 0x00, 0x00})
	f.Add([]byte{24, 3, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x07, 0x17})
	f.Add([]byte{7, 0, 0xff, 0xfe, 0xfd})
	rng0 := rand.New(rand.NewPCG(0x70, 0x75))
	signers := []*testgen.Signer{testgen.NewSigner(rng0), testgen.NewSigner(rng0), testgen.NewSigner(rng0)}
	tors := testgen.TorsionPoints()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		rules := Rules(data[0] % 32)
		workers := 1 + int(data[1]%4)
		rng := rand.New(rand.NewPCG(uint64(data[1]), uint64(len(data))))
		var cases []testgen.Case
		for i, b := range data[2:] {
			if len(cases) == 12 {
				break
			}
			s := signers[i%len(signers)]
			msg := []byte{byte(i), b}
			tA, tR := tors[b&7], tors[b>>3&7]
			switch b >> 6 {
			case 0:
				cases = append(cases, s.TorsionAR(rng, msg, tA, tR))
			case 1:
				cases = append(cases, s.Cancelling(rng, msg, tA))
			case 2:
				cases = append(cases, s.TorsionAR(rng, msg, nil, tR))
			default:
				cases = append(cases, s.IdentityR(msg, []byte{1, 31: 0}))
			}
		}
		want := make([]bool, len(cases))
		for i, c := range cases {
			want[i] = single(rules, c)
		}
		h := newHarness(rules, workers)
		for r := range 3 {
			h.Reset()
			for _, c := range cases {
				h.Add(c.Pub, c.Msg, c.Sig)
			}
			all, valid := h.Verify()
			pkCheck(t, fmt.Sprintf("rules=%05b/workers=%d/run=%d", rules, workers, r), cases, want, all, valid)
		}
	})
}
