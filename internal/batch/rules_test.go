package batch

import (
	"fmt"
	"testing"

	"github.com/ronkms/ronkms/internal/testgen"
)

// TestBatchEveryRuleSet: under each of the 32 combinations of the five
// rules (the 8 invalid ones must give all-false verdicts), batches of
// crafted items over a few keys get the single verifier's verdict item by
// item, with 1 to 3 workers, with a key cache (twice, so that the second
// batch takes its keys from it).
func TestBatchEveryRuleSet(t *testing.T) {
	rng := pkRNG(t, "TestBatchEveryRuleSet")
	signers := make([]*testgen.Signer, 3)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	for round := range rounds {
		cases := pkBatch(t, rng, signers, 2+rng.IntN(24))
		for _, tr := range testgen.AllRules() {
			rules := Rules(tr)
			want := pkExpected(t, rules, cases)
			if !rules.Valid() {
				for i, w := range want {
					if w {
						t.Fatalf("rules %05b (invalid): the single verifier accepts item %d", rules, i)
					}
				}
			}
			for workers := 1; workers <= 3; workers++ {
				h := newHarness(rules, workers)
				h.cache = NewKeyCache(8)
				label := fmt.Sprintf("round=%d/rules=%05b/workers=%d", round, rules, workers)
				pkRun(t, label, h, cases, want)
			}
		}
	}
}
