package ronkms

// Tests of the per-key sharing of batch_keys.go: batches dominated by one,
// two or three keys, each used about hotKeyUses times (below, at and above
// the threshold of the precomputed tables), mixed with crafted items, some
// of them repeated so that a torsioned, small-order or undecodable key is
// itself hot. Every verdict must equal testgen.Reference and the single
// verifier, for every worker count 1..4, through verifyItems (as
// VerifyBatch), a reused BatchVerifier and items queued as the Batcher
// queues them (hashed before they are added).
//
// These are internal tests (package ronkms) so that they can move the
// threshold: the same batches also run with tables for every key used twice
// or more, and with no tables at all.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/testgen"
)

func pkRNG(t testing.TB, name string) *rand.Rand {
	return testgen.RNG(t, name, 0x9e7c_0de5)
}

// pkSingle is the single verifier of mode (ed25519.Verify guarded against
// the key lengths on which it panics).
func pkSingle(mode Mode, c testgen.Case) bool {
	switch mode {
	case ModeStdLib:
		if len(c.Pub) != ed25519.PublicKeySize {
			return false
		}
		return ed25519.Verify(c.Pub, c.Msg, c.Sig)
	case ModeStrict:
		return ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig)
	}
	return ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig)
}

func pkUndecodable(t testing.TB) []byte {
	for y := 2; y < 256; y++ {
		enc := make([]byte, 32)
		enc[0] = byte(y)
		if _, err := new(edwards25519.Point).SetBytes(enc); err != nil {
			return enc
		}
	}
	t.Fatal("no undecodable encoding found")
	return nil
}

// pkCrafted returns an item signed by (or claiming) s of a random bad or
// edge kind.
func pkCrafted(rng *rand.Rand, s *testgen.Signer, signers []*testgen.Signer) testgen.Case {
	msg := testgen.RandomMessage(rng, 80)
	so := testgen.DerivedSmallOrderEncodings()
	switch rng.IntN(10) {
	case 0:
		return s.TorsionR(rng, msg, []int{2, 4, 8}[rng.IntN(3)])
	case 1:
		ids := testgen.IdentityEncodings()
		return s.IdentityR(msg, ids[rng.IntN(len(ids))])
	case 2:
		return testgen.Mutate(rng, s.Honest(msg))
	case 3: // small-order R
		c := s.Honest(msg)
		copy(c.Sig[:32], so[rng.IntN(len(so))])
		c.Name = "small-order-R"
		return c
	case 4: // non-canonical R
		nc := testgen.NonCanonicalLargeOrderEncodings()
		c := s.Honest(msg)
		copy(c.Sig[:32], nc[rng.IntN(len(nc))])
		c.Name = "noncanonical-R"
		return c
	case 5: // s >= l
		c := s.Honest(msg)
		var S big.Int
		S.SetBytes(reverse(c.Sig[32:]))
		S.Add(&S, testgen.GroupOrder)
		if S.BitLen() <= 256 {
			copy(c.Sig[32:], testgen.ScalarBytes(&S))
		}
		c.Name = "s-ge-l"
		return c
	case 6: // another key's signature under this key
		c := signers[rng.IntN(len(signers))].Honest(msg)
		c.Pub = append([]byte(nil), s.Pub...)
		c.Name = "wrong-key"
		return c
	case 7: // R of the identity, honest s: valid only with the canonical identity
		return s.IdentityR(msg, []byte{1, 31: 0})
	default:
		return testgen.Random(rng, signers)
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// pkBatch builds a batch in which each of the keys signs about perKey items
// (honest ones and crafted ones with its key), plus a repeated torsioned key
// (TorsionA of one order, every item under the same key bytes), a repeated
// small-order key, a repeated undecodable key, and a few testgen.Random
// items, shuffled.
func pkBatch(t testing.TB, rng *rand.Rand, signers []*testgen.Signer, perKey int) []testgen.Case {
	var cases []testgen.Case
	for _, s := range signers {
		for range perKey {
			if rng.IntN(4) == 0 {
				cases = append(cases, pkCrafted(rng, s, signers))
			} else {
				cases = append(cases, s.Honest(testgen.RandomMessage(rng, 80)))
			}
		}
	}
	s := signers[0]
	order := []int{2, 4, 8}[rng.IntN(3)]
	for range perKey/2 + 1 {
		cases = append(cases, s.TorsionA(rng, testgen.RandomMessage(rng, 40), order))
	}
	so := testgen.DerivedSmallOrderEncodings()
	pub := so[rng.IntN(len(so))]
	for range perKey/3 + 1 {
		cases = append(cases, testgen.SmallOrderA(rng, testgen.RandomMessage(rng, 40), pub))
	}
	bad := pkUndecodable(t)
	for range 2 {
		c := s.Honest(testgen.RandomMessage(rng, 40))
		c.Pub = bad
		c.Name = "undecodable-A"
		cases = append(cases, c)
	}
	for range 3 {
		cases = append(cases, testgen.Random(rng, signers))
	}
	rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
	return cases
}

// pkExpected returns the single verdicts of mode, checking them against the
// reference verifiers.
func pkExpected(t testing.TB, mode Mode, cases []testgen.Case) []bool {
	t.Helper()
	want := make([]bool, len(cases))
	for i, c := range cases {
		want[i] = pkSingle(mode, c)
		if ref := testgen.Reference(int(mode), c); ref != want[i] {
			t.Fatalf("mode %v: single verifier %v, reference %v on a %q item", mode, want[i], ref, c.Name)
		}
	}
	return want
}

func pkCheck(t testing.TB, label string, cases []testgen.Case, want []bool, all bool, valid []bool) {
	t.Helper()
	if len(valid) != len(want) {
		t.Fatalf("%s: %d verdicts for %d items", label, len(valid), len(want))
	}
	and, bad := true, 0
	for i := range want {
		and = and && want[i]
		if valid[i] != want[i] {
			if bad++; bad <= 4 {
				c := cases[i]
				t.Errorf("%s: item %d (%s): batch %v, single %v; pub=%x msg=%x sig=%x",
					label, i, c.Name, valid[i], want[i], c.Pub, c.Msg, c.Sig)
			}
		}
	}
	if bad > 4 {
		t.Errorf("%s: %d of %d verdicts differ", label, bad, len(want))
	}
	if all != and {
		t.Errorf("%s: allValid = %v, want %v", label, all, and)
	}
}

// pkRun checks cases in mode with the given worker count three ways: as
// VerifyBatch does it (deferred hashing, pooled scratch), through v (reused
// across calls, Verify twice) and through items hashed before queueing (as
// the Batcher queues them).
func pkRun(t *testing.T, label string, mode Mode, workers int, v *BatchVerifier, cases []testgen.Case, want []bool) {
	t.Helper()
	sc := scratchPool.Get().(*batchScratch)
	sc.items = resize(sc.items, len(cases))
	for i, c := range cases {
		sc.items[i] = batchItem{}
		sc.items[i].set(c.Pub, c.Sig)
		sc.items[i].msg = c.Msg
		sc.items[i].needHash = sc.items[i].lengthsOK
	}
	sc.hotUses = v.cfg.hotKeyUses
	all, valid := verifyItems(mode, workers, sc.items, sc)
	sc.hotUses = 0
	sc.release()
	pkCheck(t, label+"/deferred-hash", cases, want, all, valid)

	v.Reset()
	for _, c := range cases {
		v.Add(c.Pub, c.Msg, c.Sig)
	}
	for round := range 2 {
		all, valid = v.Verify()
		pkCheck(t, fmt.Sprintf("%s/BatchVerifier/%d", label, round), cases, want, all, valid)
	}

	v.Reset()
	for _, c := range cases {
		var it batchItem
		it.set(c.Pub, c.Sig)
		if it.lengthsOK {
			edverify.Challenge(&it.k, edverify.DomPrefixPure, "", it.sig[:32], it.pub[:], c.Msg)
		}
		v.items = append(v.items, it)
	}
	all, valid = v.Verify()
	pkCheck(t, label+"/batcher-items", cases, want, all, valid)
}

// TestBatchPerKey: batches dominated by 1, 2 and 3 keys at sizes around the
// precomputation threshold, in every mode and with 1 to 4 workers, under
// the default threshold, tables for every repeated key, and no tables.
func TestBatchPerKey(t *testing.T) {
	rng := pkRNG(t, "TestBatchPerKey")
	signers := make([]*testgen.Signer, 3)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	thresholds := []int{defaultHotKeyUses, 2, 1 << 30}
	for _, th := range thresholds {
		T := min(th, hotKeyUsesDefault())
		perKeys := []int{T - 1, T, T + 1, 2*T + 3}
		if !testing.Short() {
			perKeys = append(perKeys, 3, 40, 100)
		}
		for nKeys := 1; nKeys <= 3; nKeys++ {
			for _, perKey := range perKeys {
				if testing.Short() && nKeys == 2 && perKey != T {
					continue
				}
				cases := pkBatch(t, rng, signers[:nKeys], perKey)
				for _, mode := range []Mode{ModeStdLib, ModeStrict, ModeZIP215} {
					want := pkExpected(t, mode, cases)
					for workers := 1; workers <= 4; workers++ {
						label := fmt.Sprintf("threshold=%d/keys=%d/perKey=%d/n=%d/mode=%v/workers=%d",
							th, nKeys, perKey, len(cases), mode, workers)
						v := NewBatchVerifier(mode, WithWorkers(workers))
						v.cfg.hotKeyUses = th
						pkRun(t, label, mode, workers, v, cases, want)
					}
				}
			}
		}
	}
}

// hotKeyUsesDefault is the threshold the package ships with.
func hotKeyUsesDefault() int { return 8 }

// TestBatchPerKeyDefaultThreshold pins hotKeyUsesDefault to the shipped
// value, so that TestBatchPerKey's sizes follow it.
func TestBatchPerKeyDefaultThreshold(t *testing.T) {
	if defaultHotKeyUses != hotKeyUsesDefault() {
		t.Fatalf("defaultHotKeyUses = %d, hotKeyUsesDefault() = %d: update the test", defaultHotKeyUses, hotKeyUsesDefault())
	}
}

// TestBatchPerKeyReuse: one BatchVerifier per mode verifies a sequence of
// batches of different sizes and key mixes (growing and shrinking its
// scratch), every verdict equal to the single verifier's.
func TestBatchPerKeyReuse(t *testing.T) {
	rng, signers, rounds := pkReuseSetup(t, "TestBatchPerKeyReuse")
	for _, mode := range []Mode{ModeStdLib, ModeStrict, ModeZIP215} {
		for workers := 1; workers <= 4; workers++ {
			v := NewBatchVerifier(mode, WithWorkers(workers))
			for r := range rounds {
				pkReuseRound(t, rng, signers, 3*defaultHotKeyUses, v, fmt.Sprintf("mode=%v/workers=%d/round=%d", mode, workers, r))
			}
		}
	}
}

// pkReuseSetup returns the random source, five signers and the number of
// rounds (fewer under -short) of the tests that reuse one BatchVerifier.
func pkReuseSetup(t *testing.T, name string) (*rand.Rand, []*testgen.Signer, int) {
	rng := pkRNG(t, name)
	signers := make([]*testgen.Signer, 5)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	return rng, signers, rounds
}

// pkReuseRound verifies one batch of some of signers' keys, up to maxPerKey
// items each with crafted ones among them, on v, checks every verdict and
// returns the batch's label.
func pkReuseRound(t *testing.T, rng *rand.Rand, signers []*testgen.Signer, maxPerKey int, v *BatchVerifier, prefix string) string {
	nKeys := 1 + rng.IntN(len(signers))
	perKey := 1 + rng.IntN(maxPerKey)
	cases := pkBatch(t, rng, signers[:nKeys], perKey)
	want := pkExpected(t, v.mode, cases)
	label := fmt.Sprintf("%s/keys=%d/n=%d", prefix, nKeys, len(cases))
	pkRun(t, label, v.mode, v.cfg.workers, v, cases, want)
	return label
}

// TestBatchPerKeyAllInvalidLengths: batches with no well-formed item in the
// per-item modes and ZIP215.
func TestBatchPerKeyAllInvalidLengths(t *testing.T) {
	for _, mode := range []Mode{ModeStdLib, ModeStrict, ModeZIP215} {
		for workers := 1; workers <= 4; workers++ {
			v := NewBatchVerifier(mode, WithWorkers(workers))
			for range 20 {
				v.Add(nil, nil, nil)
				v.Add(make([]byte, 31), nil, make([]byte, 64))
			}
			all, valid := v.Verify()
			if all || len(valid) != 40 {
				t.Fatalf("mode=%v workers=%d: (%v, %d verdicts)", mode, workers, all, len(valid))
			}
			for i, ok := range valid {
				if ok {
					t.Fatalf("mode=%v workers=%d: item %d valid", mode, workers, i)
				}
			}
		}
	}
}
