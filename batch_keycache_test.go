package ronkms

// Tests of the Batcher's key cache (batch_keycache.go): verdicts through a
// cache equal the single verifier's while keys come back batch after batch,
// crafted keys included (torsioned, small order, undecodable), with a cache
// large enough for every key and one so small that it evicts all the time;
// and every entry is exactly what decoding the same bytes gives.

import (
	"fmt"
	"testing"

	"github.com/ronkms/ronkms/internal/edwards"
	"github.com/ronkms/ronkms/internal/testgen"
)

func TestKeyCacheReuse(t *testing.T) {
	rng := pkRNG(t, "TestKeyCacheReuse")
	signers := make([]*testgen.Signer, 5)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	for _, mode := range []Mode{ModeStdLib, ModeStrict, ModeZIP215} {
		for _, size := range []int{2, 4096} {
			for _, workers := range []int{1, 3} {
				v := NewBatchVerifier(mode, WithWorkers(workers))
				v.cache = newKeyCache(size)
				hits := 0
				for r := range rounds {
					nKeys := 1 + rng.IntN(len(signers))
					perKey := 1 + rng.IntN(2*defaultHotKeyUses)
					cases := pkBatch(t, rng, signers[:nKeys], perKey)
					want := pkExpected(t, mode, cases)
					label := fmt.Sprintf("mode=%v/cache=%d/workers=%d/round=%d/keys=%d/n=%d", mode, size, workers, r, nKeys, len(cases))
					pkRun(t, label, mode, workers, v, cases, want)
					h, m, n := v.cacheStats()
					if h+m != len(v.scratch.keys) || n > size {
						t.Fatalf("%s: %d hits + %d misses for %d distinct keys, %d entries in a cache of %d", label, h, m, len(v.scratch.keys), n, size)
					}
					hits += h
					checkKeyCache(t, label, v.cache)
				}
				if hits == 0 {
					t.Errorf("mode=%v/cache=%d/workers=%d: %d rounds of the same signers' keys and no cache hit", mode, size, workers, rounds)
				}
			}
		}
	}
}

// TestKeyCacheCraftedKeys sends the same crafted keys (small order, every
// identity encoding, non-canonical encodings of large-order points,
// undecodable bytes) in two batches: the second finds them all in the
// cache, and the verdicts stay the reference's.
func TestKeyCacheCraftedKeys(t *testing.T) {
	rng := pkRNG(t, "TestKeyCacheCraftedKeys")
	var keys [][]byte
	keys = append(keys, testgen.DerivedSmallOrderEncodings()...)
	keys = append(keys, testgen.IdentityEncodings()...)
	keys = append(keys, testgen.NonCanonicalLargeOrderEncodings()...)
	keys = append(keys, pkUndecodable(t))
	signer := testgen.NewSigner(rng)
	for _, mode := range []Mode{ModeStdLib, ModeStrict, ModeZIP215} {
		v := NewBatchVerifier(mode, WithWorkers(1))
		v.cache = newKeyCache(len(keys) + 1)
		var cases []testgen.Case
		for _, pub := range keys {
			cases = append(cases, testgen.SmallOrderA(rng, testgen.RandomMessage(rng, 40), pub))
		}
		cases = append(cases, signer.Honest([]byte("honest")))
		want := pkExpected(t, mode, cases)
		for round := range 2 {
			label := fmt.Sprintf("mode=%v/round=%d", mode, round)
			pkRun(t, label, mode, 1, v, cases, want)
			checkKeyCache(t, label, v.cache)
			if h, m, _ := v.cacheStats(); round == 1 && m != 0 {
				t.Errorf("%s: %d hits, %d misses; want every key from the cache", label, h, m)
			}
		}
	}
}

// checkKeyCache compares every entry with a fresh decoding of its bytes.
func checkKeyCache(t *testing.T, label string, c *keyCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for pub, e := range c.m {
		var A edwards.Point
		_, err := A.SetBytes(pub[:])
		if ok := err == nil; ok != e.ok {
			t.Fatalf("%s: cached key %x: decodes %v, cache says %v", label, pub, ok, e.ok)
		}
		if e.ok && (A.Equal(&e.A) != 1 || A.IsSmallOrder() != e.small) {
			t.Fatalf("%s: cached key %x: point or small order differs from a fresh decoding", label, pub)
		}
	}
}
