package batch

// A test harness over the engine's API, shaped like the root package's
// BatchVerifier (Add, Reset, Verify), with the knobs tests turn: workers, a
// key cache, and whether hashing is deferred to the workers (as VerifyBatch
// does) or done as items are added (as BatchVerifier.Add and the Batcher
// do).

import (
	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/testgen"
)

type harness struct {
	rules    Rules
	workers  int
	cache    *KeyCache
	deferred bool

	v     Verifier
	items []Item
	last  CacheStats
}

func newHarness(rules Rules, workers int) *harness {
	return &harness{rules: rules, workers: workers}
}

func (h *harness) Add(pub, msg, sig []byte) {
	h.items = append(h.items, Item{})
	if h.deferred {
		h.items[len(h.items)-1].SetDeferred(pub, msg, sig)
	} else {
		h.items[len(h.items)-1].Set(pub, msg, sig)
	}
}

func (h *harness) Reset() { h.items = h.items[:0] }

// Verify verifies the items and stores their key decodings in the cache,
// as a Batcher does.
func (h *harness) Verify() (bool, []bool) {
	valid := make([]bool, len(h.items))
	all := h.v.Verify(h.rules, h.items, valid, Config{Workers: h.workers, Cache: h.cache})
	h.last = h.v.Remember(h.cache, h.items)
	return all, valid
}

// cacheStats returns the last Verify's use of the cache.
func (h *harness) cacheStats() (hits, misses, size int) {
	return h.last.Hits, h.last.Misses, h.last.Size
}

// single is the single verifier of rules.
func single(rules Rules, c testgen.Case) bool {
	return edverify.Verify(rules, c.Pub, c.Msg, c.Sig)
}

// testRules are the rule sets the heavier tests run under: the presets of
// package ed25519, which between them use every one of the five choices,
// cofactorless and cofactored. TestBatchEveryRuleSet runs all 32
// combinations.
var testRules = []Rules{
	0,               // StdLib
	edverify.Strict, // Strict
	edverify.ZIP215, // ZIP215
	edverify.Strict | edverify.RequireCanonicalA,                                  // Libsodium
	edverify.Cofactored | edverify.RequireCanonicalA,                              // FIPS186_5
	edverify.Cofactored | edverify.RequireCanonicalA | edverify.RejectSmallOrderA, // VoiDefault
	edverify.ZIP215 | edverify.Strict,                                             // Oasis
}
