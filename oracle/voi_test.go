package oracle

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/oracle/internal/corpus"
	"github.com/ronkms/ronkms/oracle/internal/report"
	"github.com/ronkms/ronkms/oracle/internal/voiref"
)

// TestVoiSingle compares, for each of the 32 combinations of the five
// choices and every corpus case, ronkms's Rules.Verify with curve25519-voi's
// VerifyWithOptions under the mapped options, and testgen.Reference (the
// referee of the main module's tests) with voi as well. Under the 8
// combinations voi refuses (AllowNonCanonicalR without Cofactored), voi
// must panic, Validate must return an error, and every verdict must be
// false. Cases of the wrong length (which voi cannot take: it panics on a
// key that is not 32 bytes) must be false verdicts, never panics.
func TestVoiSingle(t *testing.T) {
	cases, table := setup(t)
	var compared, refused, wrongLength, rulesRun, rulesValid atomic.Int64
	t.Run("rules", func(t *testing.T) {
		for _, r := range allRules() {
			t.Run(ruleName(r), func(t *testing.T) {
				t.Parallel()
				w := want(t, table, r)
				valid := r.Validate() == nil
				rulesRun.Add(1)
				if valid {
					rulesValid.Add(1)
				}
				if valid != (r&ed25519.AllowNonCanonicalR == 0 || r&ed25519.Cofactored != 0) {
					t.Errorf("Validate() = %v for %s (voi options %s)", r.Validate(), r, voiref.OptionsString(r))
				}
				ronkmsMis := report.New(t, "ronkms vs voi")
				refMis := report.New(t, "testgen.Reference vs voi")
				for i, c := range cases {
					got, err := report.NoPanic(func() bool { return r.Verify(c.Pub, c.Msg, c.Sig) })
					if err != nil {
						ronkmsMis.Errorf("%s.Verify %v on %v", r, err, c)
					} else if got != w[i] {
						ronkmsMis.Errorf("%s %s: ronkms %v, voi %v on %v", r, voiref.OptionsString(r), got, w[i], c)
					}
					ref, err := report.NoPanic(func() bool { return testgen.Reference(r, testgen.Case{Pub: c.Pub, Msg: c.Msg, Sig: c.Sig}) })
					if err != nil {
						refMis.Errorf("testgen.Reference(%s) %v on %v", r, err, c)
					} else if ref != w[i] {
						refMis.Errorf("%s %s: testgen.Reference %v, voi %v on %v", r, voiref.OptionsString(r), ref, w[i], c)
					}
					// The same key decoded beforehand: a VerifyingKey, or
					// an error only where voi accepts nothing.
					gotKey, err := report.NoPanic(func() bool {
						k, err := ed25519.NewVerifyingKey(c.Pub)
						return err == nil && k.VerifyWithRules(r, c.Msg, c.Sig)
					})
					if err != nil {
						ronkmsMis.Errorf("%s VerifyingKey %v on %v", r, err, c)
					} else if gotKey != w[i] {
						ronkmsMis.Errorf("%s %s: ronkms VerifyingKey %v, voi %v on %v", r, voiref.OptionsString(r), gotKey, w[i], c)
					}
					// The package-level verifiers of the presets they implement.
					switch {
					case r == ed25519.StdLib && len(c.Pub) == ed25519.PublicKeySize:
						if got := ed25519.Verify(c.Pub, c.Msg, c.Sig); got != w[i] {
							ronkmsMis.Errorf("ed25519.Verify %v, voi %v on %v", got, w[i], c)
						}
					case r == ed25519.Strict:
						if got, err := report.NoPanic(func() bool { return ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig) }); err != nil || got != w[i] {
							ronkmsMis.Errorf("ed25519.VerifyStrict %v (%v), voi %v on %v", got, err, w[i], c)
						}
					case r == ed25519.ZIP215:
						if got, err := report.NoPanic(func() bool { return ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig) }); err != nil || got != w[i] {
							ronkmsMis.Errorf("ed25519.VerifyZIP215 %v (%v), voi %v on %v", got, err, w[i], c)
						}
					}
					switch {
					case c.Comparable() && valid:
						compared.Add(1)
					case c.Comparable():
						refused.Add(1)
					default:
						wrongLength.Add(1)
					}
				}
				ronkmsMis.Done()
				refMis.Done()
			})
		}
	})
	t.Logf("%d verdicts compared with voi's (%d valid rule combinations x %d cases with a 32-byte key and a 64-byte signature), each also with testgen.Reference; "+
		"%d verdicts under the %d combinations voi refuses (it panics) checked false; %d wrong-length verdicts checked false",
		compared.Load(), rulesValid.Load(), numComparable(cases), refused.Load(), rulesRun.Load()-rulesValid.Load(), wrongLength.Load())
}

// TestVoiBatch checks that ronkms.VerifyBatch and BatchVerifier (1, 2 and 4
// workers) give, item by item, voi's single verdicts under each of the 32
// combinations: on the whole corpus shuffled, and on many small random
// sub-batches with repeated keys, repeated items and valid and invalid items
// mixed. Under invalid rules both must return (false, nil). Cofactored
// batches, whose equation draws random coefficients, run several times.
func TestVoiBatch(t *testing.T) {
	cases, table := setup(t)
	reps, subBatches := 3, 120
	if testing.Short() {
		reps, subBatches = 2, 30
	}
	byKey := map[string][]int{}
	for i, c := range cases {
		byKey[string(c.Pub)] = append(byKey[string(c.Pub)], i)
	}
	var keyGroups [][]int
	for _, g := range byKey {
		if len(g) > 1 {
			keyGroups = append(keyGroups, g)
		}
	}
	// Map iteration order is random: sort the groups by their first index.
	slices.SortFunc(keyGroups, func(a, b []int) int { return a[0] - b[0] })
	var items, batches, refusedBatches atomic.Int64
	t.Run("rules", func(t *testing.T) {
		for _, r := range allRules() {
			t.Run(ruleName(r), func(t *testing.T) {
				t.Parallel()
				rng := testgen.RNG(t, "oracle/TestVoiBatch/"+r.String(), seed)
				w := want(t, table, r)
				mis := report.New(t, "batch vs voi")
				runs := 1
				if r&ed25519.Cofactored != 0 {
					runs = reps
				}
				var ruleItems, ruleBatches int
				check := func(name string, idx []int, all bool, got []bool) {
					t.Helper()
					ruleItems += len(idx)
					ruleBatches++
					if r.Validate() != nil {
						refusedBatches.Add(1)
						if all || got != nil {
							mis.Errorf("%s under invalid rules %s: (%v, %d verdicts), want (false, nil)", name, r, all, len(got))
						}
						return
					}
					items.Add(int64(len(idx)))
					batches.Add(1)
					if len(got) != len(idx) {
						mis.Errorf("%s: %d verdicts for %d items", name, len(got), len(idx))
						return
					}
					wantAll := true
					for j, i := range idx {
						wantAll = wantAll && w[i]
						if got[j] != w[i] {
							mis.Errorf("%s under %s %s: item %d of %d: batch %v, voi %v on %v", name, r, voiref.OptionsString(r), j, len(idx), got[j], w[i], cases[i])
						}
					}
					if all != wantAll {
						mis.Errorf("%s under %s: allValid %v, want %v", name, r, all, wantAll)
					}
				}

				// The whole corpus, shuffled.
				perm := rng.Perm(len(cases))
				pubs, msgs, sigs := gather(cases, perm)
				for run := range runs {
					all, got := ronkms.VerifyBatch(r, pubs, msgs, sigs)
					check(fmt.Sprintf("VerifyBatch(whole corpus, run %d)", run), perm, all, got)
				}
				for _, workers := range []int{1, 2, 4} {
					bv := ronkms.NewBatchVerifier(r, ronkms.WithWorkers(workers))
					for j := range pubs {
						bv.Add(pubs[j], msgs[j], sigs[j])
					}
					for run := range runs {
						all, got := bv.Verify()
						check(fmt.Sprintf("BatchVerifier(workers %d, whole corpus, run %d)", workers, run), perm, all, got)
					}
				}

				// Small random sub-batches.
				var valid, invalid []int
				for i := range cases {
					if w[i] {
						valid = append(valid, i)
					} else {
						invalid = append(invalid, i)
					}
				}
				var dupKeys, mixed int
				bvs := map[int]*ronkms.BatchVerifier{}
				for _, workers := range []int{1, 2, 4} {
					bvs[workers] = ronkms.NewBatchVerifier(r, ronkms.WithWorkers(workers))
				}
				for b := range subBatches {
					idx := subBatch(rng, len(cases), valid, invalid, keyGroups)
					if hasDuplicateKey(cases, idx) {
						dupKeys++
					}
					if hasMixed(w, idx) {
						mixed++
					}
					pubs, msgs, sigs := gather(cases, idx)
					for run := range runs {
						all, got := ronkms.VerifyBatch(r, pubs, msgs, sigs)
						check(fmt.Sprintf("VerifyBatch(sub-batch %d, run %d)", b, run), idx, all, got)
					}
					workers := []int{1, 2, 4}[b%3]
					bv := bvs[workers]
					bv.Reset()
					for j := range pubs {
						bv.Add(pubs[j], msgs[j], sigs[j])
					}
					all, got := bv.Verify()
					check(fmt.Sprintf("BatchVerifier(workers %d, sub-batch %d)", workers, b), idx, all, got)
				}
				if r.Validate() == nil && (dupKeys == 0 || (mixed == 0 && len(valid) > 0 && len(invalid) > 0)) {
					t.Errorf("sub-batches: %d of %d with a repeated key, %d mixing valid and invalid items: want some of each", dupKeys, subBatches, mixed)
				}
				mis.Done()
				if r.Validate() != nil {
					t.Logf("%s %s (refused by voi and Validate): %d batches of %d items in all, each (false, nil)", r, voiref.OptionsString(r), ruleBatches, ruleItems)
				} else {
					t.Logf("%s %s: %d batches, %d items compared (sub-batches: %d with a repeated key, %d mixing valid and invalid items)",
						r, voiref.OptionsString(r), ruleBatches, ruleItems, dupKeys, mixed)
				}
			})
		}
	})
	t.Logf("%d batches under valid rules, %d batch items compared with voi's single verdicts (corpus %d cases; per rule set: the whole corpus through VerifyBatch and BatchVerifier with 1, 2, 4 workers, "+
		"%d sub-batches through both; cofactored batches run %d times); %d batches under the 8 refused combinations checked (false, nil)",
		batches.Load(), items.Load(), len(cases), subBatches, reps, refusedBatches.Load())
}

// TestBatcher runs a Batcher (Pipeline 2) per preset over a slice of the
// corpus, from many goroutines at once, and compares each verdict with
// voi's.
func TestBatcher(t *testing.T) {
	cases, table := setup(t)
	n, callers := 600, 32
	if testing.Short() {
		n = 200
	}
	rng := testgen.RNG(t, "oracle/TestBatcher", seed)
	idx := make([]int, n)
	for j := range idx {
		idx[j] = rng.IntN(len(cases))
	}
	total := 0
	for _, r := range ed25519.Presets() {
		t.Run(ruleName(r), func(t *testing.T) {
			w := want(t, table, r)
			b, err := batcher.New(batcher.Config{Rules: r, Pipeline: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			mis := report.New(t, "Batcher vs voi")
			var mu sync.Mutex
			var next atomic.Int64
			var wg sync.WaitGroup
			for range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := int(next.Add(1)) - 1; j < n; j = int(next.Add(1)) - 1 {
						c := cases[idx[j]]
						got, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig)
						mu.Lock()
						if err != nil {
							mis.Errorf("Batcher(%s).Verify: %v on %v", r, err, c)
						} else if got != w[idx[j]] {
							mis.Errorf("Batcher(%s): %v, voi %v on %v", r, got, w[idx[j]], c)
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			mis.Done()
			total += n
		})
	}
	if _, err := batcher.New(batcher.Config{Rules: ed25519.AllowNonCanonicalR}); err == nil {
		t.Errorf("batcher.New accepted the invalid rules %s", ed25519.AllowNonCanonicalR)
	}
	t.Logf("%d Batcher verdicts compared with voi (%d presets x %d cases, %d callers)", total, len(ed25519.Presets()), n, callers)
}

func gather(cases []corpus.Case, idx []int) (pubs []ed25519.PublicKey, msgs, sigs [][]byte) {
	for _, i := range idx {
		pubs = append(pubs, cases[i].Pub)
		msgs = append(msgs, cases[i].Msg)
		sigs = append(sigs, cases[i].Sig)
	}
	return pubs, msgs, sigs
}

// subBatch draws 1 to 48 case indices: from the valid and the invalid
// cases, whole runs of one key's cases, and repeats of indices already
// drawn.
func subBatch(rng *rand.Rand, n int, valid, invalid []int, keyGroups [][]int) []int {
	size := 1 + rng.IntN(48)
	var idx []int
	for len(idx) < size {
		switch k := rng.IntN(10); {
		case k < 4 && len(valid) > 0:
			idx = append(idx, valid[rng.IntN(len(valid))])
		case k < 6 && len(invalid) > 0:
			idx = append(idx, invalid[rng.IntN(len(invalid))])
		case k < 8 && len(keyGroups) > 0:
			g := keyGroups[rng.IntN(len(keyGroups))]
			for range 1 + rng.IntN(4) {
				idx = append(idx, g[rng.IntN(len(g))])
			}
		case k < 9 && len(idx) > 0:
			idx = append(idx, idx[rng.IntN(len(idx))])
		default:
			idx = append(idx, rng.IntN(n))
		}
	}
	rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	return idx
}

func hasDuplicateKey(cases []corpus.Case, idx []int) bool {
	seen := map[string]bool{}
	for _, i := range idx {
		if seen[string(cases[i].Pub)] {
			return true
		}
		seen[string(cases[i].Pub)] = true
	}
	return false
}

func hasMixed(w []bool, idx []int) bool {
	var v, f bool
	for _, i := range idx {
		v, f = v || w[i], f || !w[i]
	}
	return v && f
}
