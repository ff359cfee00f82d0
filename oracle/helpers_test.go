package oracle

import (
	"sync"
	"testing"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/oracle/internal/corpus"
	"github.com/ronkms/ronkms/oracle/internal/voiref"
)

// seed seeds the tests' own random streams (shuffles, sub-batches);
// RONKMS_TEST_SEED replaces it, as it replaces the corpus's.
const seed = 0x0_04ac1e

var shared struct {
	sync.Mutex
	cases []corpus.Case
	table *voiref.Table
}

// setup returns the corpus and voi's verdicts on it, both built once per
// process (the first test to call it builds them; later ones reuse them).
func setup(t *testing.T) ([]corpus.Case, *voiref.Table) {
	t.Helper()
	c := corpus.Load(t)
	shared.Lock()
	defer shared.Unlock()
	if shared.table == nil {
		shared.cases = c.Cases
		shared.table = voiref.NewTable(c.Cases)
	}
	return shared.cases, shared.table
}

// want returns voi's verdicts under r, failing t if voi misbehaved.
func want(t *testing.T, table *voiref.Table, r ed25519.Rules) []bool {
	t.Helper()
	w, err := table.Want(r)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// allRules lists the 32 combinations of the five choices.
func allRules() []ed25519.Rules {
	out := make([]ed25519.Rules, 32)
	for i := range out {
		out[i] = ed25519.Rules(i)
	}
	return out
}

// ruleName names r for subtests (r.String, unique per combination).
func ruleName(r ed25519.Rules) string { return r.String() }

func numComparable(cases []corpus.Case) int {
	n := 0
	for _, c := range cases {
		if c.Comparable() {
			n++
		}
	}
	return n
}
