package oracle

import (
	"testing"

	"github.com/hdevalence/ed25519consensus"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/oracle/internal/report"
)

// TestConsensusZIP215 compares ed25519consensus.Verify with ronkms's
// ed25519.ZIP215.Verify and ed25519.VerifyZIP215 on every corpus case
// (ed25519consensus takes any length, returning false), and with voi's
// ZIP_215 verdict where voi takes the input: by their definitions
// they implement the same rules, so any difference between the two
// references is reported with the input bytes rather than settled by
// either. Then ed25519consensus's BatchVerifier, which returns one bool
// for the whole batch, is compared with ronkms.VerifyBatch(ZIP215)'s
// allValid: on the batch of every ZIP215-valid case, and on batches of a
// few valid cases plus one invalid case, for every invalid case.
func TestConsensusZIP215(t *testing.T) {
	cases, table := setup(t)
	w := want(t, table, ed25519.ZIP215)
	refMis := report.New(t, "ed25519consensus vs voi ZIP_215")
	mis := report.New(t, "ronkms vs ed25519consensus")
	withVoi := 0
	var valid, invalid []int
	for i, c := range cases {
		cons := ed25519consensus.Verify(c.Pub, c.Msg, c.Sig)
		if c.Comparable() {
			withVoi++
			if cons != w[i] {
				refMis.Errorf("references disagree: ed25519consensus %v, voi ZIP_215 %v (ronkms %v) on %v", cons, w[i], ed25519.ZIP215.Verify(c.Pub, c.Msg, c.Sig), c)
			}
		}
		if got, err := report.NoPanic(func() bool { return ed25519.ZIP215.Verify(c.Pub, c.Msg, c.Sig) }); err != nil || got != cons {
			mis.Errorf("ed25519.ZIP215.Verify %v (%v), ed25519consensus %v on %v", got, err, cons, c)
		}
		if got, err := report.NoPanic(func() bool { return ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig) }); err != nil || got != cons {
			mis.Errorf("ed25519.VerifyZIP215 %v (%v), ed25519consensus %v on %v", got, err, cons, c)
		}
		if cons {
			valid = append(valid, i)
		} else {
			invalid = append(invalid, i)
		}
	}
	refMis.Done()
	mis.Done()
	t.Logf("single: %d cases compared with ed25519consensus (%d accepted), %d of them also with voi ZIP_215", len(cases), len(valid), withVoi)

	// Batches. ed25519consensus's verdict is one bool: it can be compared
	// with ronkms's allValid, and its verdict on a batch with one invalid
	// item says that item is invalid in a batch too.
	rng := testgen.RNG(t, "oracle/TestConsensusZIP215", seed)
	batchMis := report.New(t, "batch: ronkms vs ed25519consensus")
	compare := func(name string, idx []int) {
		bv := ed25519consensus.NewPreallocatedBatchVerifier(len(idx))
		for _, i := range idx {
			bv.Add(cases[i].Pub, cases[i].Msg, cases[i].Sig)
		}
		cons := bv.Verify()
		pubs, msgs, sigs := gather(cases, idx)
		all, _ := ronkms.VerifyBatch(ed25519.ZIP215, pubs, msgs, sigs)
		wantAll := true
		for _, i := range idx {
			wantAll = wantAll && w[i] && cases[i].Comparable()
		}
		if cons != wantAll {
			for _, i := range idx {
				if !w[i] {
					batchMis.Errorf("%s: ed25519consensus batch %v, voi's single verdicts all-valid %v; invalid item %v", name, cons, wantAll, cases[i])
				}
			}
			if wantAll {
				batchMis.Errorf("%s: ed25519consensus batch false on %d items voi accepts one by one", name, len(idx))
			}
		}
		if all != cons {
			batchMis.Errorf("%s: ronkms.VerifyBatch(ZIP215) allValid %v, ed25519consensus batch %v (%d items)", name, all, cons, len(idx))
		}
	}
	compare("every valid case", valid)
	batchesCompared := 1
	for _, i := range invalid {
		idx := []int{i}
		for range rng.IntN(6) {
			idx = append(idx, valid[rng.IntN(len(valid))])
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		compare("one invalid item", idx)
		batchesCompared++
	}
	for range 50 {
		idx := make([]int, 1+rng.IntN(32))
		for j := range idx {
			idx[j] = valid[rng.IntN(len(valid))]
		}
		compare("valid items", idx)
		batchesCompared++
	}
	batchMis.Done()

	// The one documented difference: an empty batch.
	empty := ed25519consensus.NewBatchVerifier()
	if all, v := ronkms.VerifyBatch(ed25519.ZIP215, nil, nil, nil); !all || v == nil || len(v) != 0 || empty.Verify() {
		t.Errorf("empty batch: ronkms (%v, %v), want (true, []); ed25519consensus %v, want false (its documented choice)", all, v, empty.Verify())
	}
	t.Logf("batch: %d batches compared with ed25519consensus's BatchVerifier (%d valid items in one batch; %d batches of one invalid item among valid ones; 50 all-valid random batches)",
		batchesCompared, len(valid), len(invalid))
}
