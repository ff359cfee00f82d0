package batch

// Tests of the key cache (keycache.go): verdicts through a
// cache equal the single verifier's while keys come back batch after batch,
// crafted keys included (torsioned, small order, undecodable), with a cache
// large enough for every key and one so small that it evicts all the time;
// and every entry is exactly what decoding the same bytes gives.

import (
	"fmt"
	"testing"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
	"github.com/ronkms/ronkms/internal/testgen"
)

func TestKeyCacheReuse(t *testing.T) {
	rng, signers, rounds := pkReuseSetup(t, "TestKeyCacheReuse")
	for _, rules := range testRules {
		for _, size := range []int{2, 4096} {
			for _, workers := range []int{1, 3} {
				v := newHarness(rules, workers)
				v.cache = NewKeyCache(size)
				hits := 0
				for r := range rounds {
					label := pkReuseRound(t, rng, signers, 16, v, fmt.Sprintf("rules=%05b/cache=%d/workers=%d/round=%d", rules, size, workers, r))
					h, m, n := v.cacheStats()
					if h+m != len(v.v.sc.keys) || n > size {
						t.Fatalf("%s: %d hits + %d misses for %d distinct keys, %d entries in a cache of %d", label, h, m, len(v.v.sc.keys), n, size)
					}
					hits += h
					checkKeyCache(t, label, v.cache)
				}
				if hits == 0 {
					t.Errorf("rules=%05b/cache=%d/workers=%d: %d rounds of the same signers' keys and no cache hit", rules, size, workers, rounds)
				}
			}
		}
	}
}

// TestKeyCacheCraftedKeys sends the same crafted keys (small order, every
// identity encoding, non-canonical encodings of large-order points,
// undecodable bytes) in two batches: the second finds them all in the
// cache (those the rules do not reject by their bytes), and the verdicts
// stay the reference's.
func TestKeyCacheCraftedKeys(t *testing.T) {
	rng := pkRNG(t, "TestKeyCacheCraftedKeys")
	var keys [][]byte
	keys = append(keys, testgen.DerivedSmallOrderEncodings()...)
	keys = append(keys, testgen.IdentityEncodings()...)
	keys = append(keys, testgen.NonCanonicalLargeOrderEncodings()...)
	keys = append(keys, pkUndecodable(t))
	signer := testgen.NewSigner(rng)
	for _, rules := range testRules {
		v := newHarness(rules, 1)
		v.cache = NewKeyCache(len(keys) + 1)
		var cases []testgen.Case
		for _, pub := range keys {
			cases = append(cases, testgen.SmallOrderA(rng, testgen.RandomMessage(rng, 40), pub))
		}
		cases = append(cases, signer.Honest([]byte("honest")))
		want := pkExpected(t, rules, cases)
		for round := range 2 {
			label := fmt.Sprintf("rules=%05b/round=%d", rules, round)
			pkRun(t, label, v, cases, want)
			checkKeyCache(t, label, v.cache)
			if h, m, _ := v.cacheStats(); round == 1 && m != 0 {
				t.Errorf("%s: %d hits, %d misses; want every key from the cache", label, h, m)
			}
		}
	}
}

// checkKeyCache checks the index against the slots and compares every entry
// with a fresh decoding of its bytes.
func checkKeyCache(t *testing.T, label string, c *KeyCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.index) != len(c.slots) || len(c.slots) > c.max {
		t.Fatalf("%s: %d index entries, %d slots, at most %d", label, len(c.index), len(c.slots), c.max)
	}
	for pub, i := range c.index {
		e := c.slots[i]
		if e.pub != pub {
			t.Fatalf("%s: index entry %x points at the slot of %x", label, pub, e.pub)
		}
		var A edwards.Point
		_, err := A.SetBytes(pub[:])
		if ok := err == nil; ok != e.ok {
			t.Fatalf("%s: cached key %x: decodes %v, cache says %v", label, pub, ok, e.ok)
		}
		if e.ok && A.Equal(&e.A) != 1 {
			t.Fatalf("%s: cached key %x: point differs from a fresh decoding", label, pub)
		}
		if e.ok && e.tf != tfUnknown && (e.tf == tfYes) != A.VarTimeIsTorsionFree() {
			t.Fatalf("%s: cached key %x: torsion test %d differs from a fresh one", label, pub, e.tf)
		}
	}
}

// TestKeyCacheSkipsUndecodedKeys: a batch whose only signature under a key
// is screened out (s out of range) never decodes the key: it is neither a
// hit nor a miss, and is not stored (as bad, say); the next batch's honest
// signature under that key is valid. A key the rules reject by its bytes is
// not decoded nor stored either.
func TestKeyCacheSkipsUndecodedKeys(t *testing.T) {
	rng := pkRNG(t, "TestKeyCacheSkipsUndecodedKeys")
	c := testgen.NewSigner(rng).Honest([]byte("m"))
	bad := append([]byte(nil), c.Sig...)
	for i := 32; i < 64; i++ {
		bad[i] = 0xff // s >= l
	}
	for _, rules := range testRules {
		v := newHarness(rules, 1)
		v.cache = NewKeyCache(16)
		v.Add(c.Pub, c.Msg, bad)
		if ok, _ := v.Verify(); ok {
			t.Fatalf("%05b: s out of range accepted", rules)
		}
		if h, m, n := v.cacheStats(); h != 0 || m != 0 || n != 0 {
			t.Errorf("%05b: %d hits, %d misses, %d entries after a batch that never decoded its key; want 0, 0, 0", rules, h, m, n)
		}
		v.Reset()
		v.Add(c.Pub, c.Msg, c.Sig)
		if ok, _ := v.Verify(); !ok {
			t.Errorf("%05b: honest signature rejected after its key was skipped", rules)
		}
		if h, m, n := v.cacheStats(); h != 0 || m != 1 || n != 1 {
			t.Errorf("%05b: %d hits, %d misses, %d entries after the honest batch, want 0, 1, 1", rules, h, m, n)
		}
		// An empty batch leaves nothing behind for the stats or the cache.
		v.Reset()
		v.Verify()
		if h, m, n := v.cacheStats(); h != 0 || m != 0 || n != 1 {
			t.Errorf("%05b: empty batch: %d hits, %d misses, %d entries; want 0, 0, 1", rules, h, m, n)
		}
		// A small-order key under rules that reject it by its bytes.
		if rules&edverify.RejectSmallOrderA != 0 {
			so := testgen.SmallOrderA(rng, []byte("so"), testgen.DerivedSmallOrderEncodings()[0])
			v.Reset()
			v.Add(so.Pub, so.Msg, so.Sig)
			if ok, _ := v.Verify(); ok {
				t.Errorf("%05b: small-order key accepted", rules)
			}
			if h, m, n := v.cacheStats(); h != 0 || m != 0 || n != 1 {
				t.Errorf("%05b: a key rejected by its bytes: %d hits, %d misses, %d entries; want 0, 0, 1", rules, h, m, n)
			}
		}
	}
}

// TestKeyCacheReplacement fills a small cache far past its size: it stays
// at its size, index and slots agree, and the last key stored is there.
func TestKeyCacheReplacement(t *testing.T) {
	rng := pkRNG(t, "TestKeyCacheReplacement")
	c := NewKeyCache(8)
	v := newHarness(edverify.ZIP215, 1)
	v.cache = c
	for i := range 200 {
		s := testgen.NewSigner(rng)
		h := s.Honest([]byte{byte(i)})
		v.Reset()
		v.Add(h.Pub, h.Msg, h.Sig)
		if ok, _ := v.Verify(); !ok {
			t.Fatalf("honest signature %d rejected", i)
		}
		var pub [32]byte
		copy(pub[:], h.Pub)
		c.mu.Lock()
		_, stored := c.index[pub]
		c.mu.Unlock()
		if !stored {
			t.Fatalf("key %d not stored by its batch", i)
		}
		checkKeyCache(t, fmt.Sprintf("key %d", i), c)
	}
	if _, _, n := v.cacheStats(); n != 8 {
		t.Errorf("%d entries after 200 keys in a cache of 8", n)
	}
}

// FuzzKeyCache: arbitrary items (each a key from a small set of fuzzed
// keys, so that keys repeat, a fuzzed signature and message) get the single
// verifier's verdicts from a Verifier without a cache, and with one twice
// (the second time its keys come from the cache), under any of the 32 rule
// combinations; and every cache entry equals a fresh decoding.
func FuzzKeyCache(f *testing.F) {
	rng := pkRNG(f, "FuzzKeyCache")
	s := testgen.NewSigner(rng)
	honest := s.Honest([]byte("m"))
	seed := append([]byte{0, 3}, honest.Pub...)
	seed = append(seed, testgen.DerivedSmallOrderEncodings()[1]...)
	seed = append(seed, testgen.NonCanonicalLargeOrderEncodings()[0]...)
	seed = append(seed, 0, 'm')
	seed = append(seed, honest.Sig...)
	seed = append(seed, 1, 'x')
	seed = append(seed, honest.Sig...)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		rules := Rules(data[0] % 32)
		nKeys := 1 + int(data[1]%4)
		data = data[2:]
		if len(data) < 32*nKeys {
			return
		}
		keys := make([][]byte, nKeys)
		for i := range keys {
			keys[i], data = data[:32], data[32:]
		}
		var cases []testgen.Case
		for len(data) >= 2+64 && len(cases) < 16 {
			c := testgen.Case{Pub: keys[int(data[0])%nKeys], Msg: data[1:2], Sig: data[2:66]}
			cases = append(cases, c)
			data = data[66:]
		}
		if len(cases) == 0 {
			return
		}
		run := func(v *harness) []bool {
			v.Reset()
			for _, c := range cases {
				v.Add(c.Pub, c.Msg, c.Sig)
			}
			_, valid := v.Verify()
			return valid
		}
		want := run(newHarness(rules, 1))
		for i, c := range cases {
			if s := single(rules, c); want[i] != s {
				t.Fatalf("rules=%05b item %d: batch %v, single verifier %v", rules, i, want[i], s)
			}
		}
		cached := newHarness(rules, 2)
		cached.cache = NewKeyCache(2)
		for round := range 2 {
			got := run(cached)
			for i := range cases {
				if got[i] != want[i] {
					t.Fatalf("rules=%05b round %d item %d: %v with the key cache, %v without", rules, round, i, got[i], want[i])
				}
			}
			checkKeyCache(t, fmt.Sprintf("rules=%05b round %d", rules, round), cached.cache)
		}
	})
}
