package batch

// Tests of the per-key sharing of keys.go: batches dominated by one, two or
// three keys, each used a few to a hundred times, mixed with crafted items,
// some of them repeated so that a torsioned, small-order or undecodable key
// is itself frequent. Every verdict must equal testgen.Reference and the
// single verifier, under every preset and for every worker count 1..4,
// with hashing deferred to the workers (as VerifyBatch), items hashed as
// they are added (as BatchVerifier and the Batcher), and a reused Verifier.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

func pkRNG(t testing.TB, name string) *rand.Rand {
	return testgen.RNG(t, name, 0x9e7c_0de5)
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

// pkExpected returns the single verdicts of rules, checking them against
// the reference verifier.
func pkExpected(t testing.TB, rules Rules, cases []testgen.Case) []bool {
	t.Helper()
	want := make([]bool, len(cases))
	for i, c := range cases {
		want[i] = single(rules, c)
		if ref := testgen.Reference(rules, c); ref != want[i] {
			t.Fatalf("rules %05b: single verifier %v, reference %v on a %q item", rules, want[i], ref, c.Name)
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

// pkRun checks cases on h three ways: with hashing deferred to the workers
// (as VerifyBatch), with items hashed as they are added (as BatchVerifier
// and the Batcher), twice, on h's reused Verifier.
func pkRun(t *testing.T, label string, h *harness, cases []testgen.Case, want []bool) {
	t.Helper()
	for _, deferred := range []bool{true, false} {
		h.deferred = deferred
		h.Reset()
		for _, c := range cases {
			h.Add(c.Pub, c.Msg, c.Sig)
		}
		for round := range 2 {
			if deferred && round == 1 {
				break // the first round hashed them
			}
			all, valid := h.Verify()
			pkCheck(t, fmt.Sprintf("%s/deferred=%v/%d", label, deferred, round), cases, want, all, valid)
		}
	}
	h.deferred = false
}

// TestBatchPerKey: batches dominated by 1, 2 and 3 keys, under every preset
// and with 1 to 4 workers.
func TestBatchPerKey(t *testing.T) {
	rng := pkRNG(t, "TestBatchPerKey")
	signers := make([]*testgen.Signer, 3)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	perKeys := []int{1, 7, 8, 9, 19}
	if !testing.Short() {
		perKeys = append(perKeys, 3, 40, 100)
	}
	for nKeys := 1; nKeys <= 3; nKeys++ {
		for _, perKey := range perKeys {
			if testing.Short() && nKeys == 2 && perKey != 8 {
				continue
			}
			cases := pkBatch(t, rng, signers[:nKeys], perKey)
			for _, rules := range testRules {
				want := pkExpected(t, rules, cases)
				for workers := 1; workers <= 4; workers++ {
					if testing.Short() && workers == 3 {
						continue
					}
					label := fmt.Sprintf("keys=%d/perKey=%d/n=%d/rules=%05b/workers=%d",
						nKeys, perKey, len(cases), rules, workers)
					pkRun(t, label, newHarness(rules, workers), cases, want)
				}
			}
		}
	}
}

// TestBatchPerKeyReuse: one Verifier per rule set verifies a sequence of
// batches of different sizes and key mixes (growing and shrinking its
// scratch), every verdict equal to the single verifier's.
func TestBatchPerKeyReuse(t *testing.T) {
	rng, signers, rounds := pkReuseSetup(t, "TestBatchPerKeyReuse")
	for _, rules := range testRules {
		for workers := 1; workers <= 4; workers++ {
			h := newHarness(rules, workers)
			for r := range rounds {
				pkReuseRound(t, rng, signers, 24, h, fmt.Sprintf("rules=%05b/workers=%d/round=%d", rules, workers, r))
			}
		}
	}
}

// pkReuseSetup returns the random source, five signers and the number of
// rounds (fewer under -short) of the tests that reuse one Verifier.
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
// items each with crafted ones among them, on h, checks every verdict and
// returns the batch's label.
func pkReuseRound(t *testing.T, rng *rand.Rand, signers []*testgen.Signer, maxPerKey int, h *harness, prefix string) string {
	nKeys := 1 + rng.IntN(len(signers))
	perKey := 1 + rng.IntN(maxPerKey)
	cases := pkBatch(t, rng, signers[:nKeys], perKey)
	want := pkExpected(t, h.rules, cases)
	label := fmt.Sprintf("%s/keys=%d/n=%d", prefix, nKeys, len(cases))
	pkRun(t, label, h, cases, want)
	return label
}

// TestBatchPerKeyAllInvalidLengths: batches with no well-formed item, in
// both engines.
func TestBatchPerKeyAllInvalidLengths(t *testing.T) {
	for _, rules := range testRules {
		for workers := 1; workers <= 4; workers++ {
			h := newHarness(rules, workers)
			for range 20 {
				h.Add(nil, nil, nil)
				h.Add(make([]byte, 31), nil, make([]byte, 64))
			}
			all, valid := h.Verify()
			if all || len(valid) != 40 {
				t.Fatalf("rules=%05b workers=%d: (%v, %d verdicts)", rules, workers, all, len(valid))
			}
			for i, ok := range valid {
				if ok {
					t.Fatalf("rules=%05b workers=%d: item %d valid", rules, workers, i)
				}
			}
		}
	}
}
