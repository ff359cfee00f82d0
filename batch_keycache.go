package ronkms

import (
	"sync"

	"github.com/ronkms/ronkms/internal/edwards"
)

// keyCache keeps the decodings of the public keys a Batcher's batches have
// seen, so that a key seen in one batch is not decoded again in the next.
//
// Services verify many signatures under few keys (token issuers, ledger
// accounts), but a Batcher's batches are small (TargetBatch, 64) and a key
// appears in many of them: without the cache every batch decodes each of
// its keys again. Measured with BenchmarkBatcher (64 keys, ZIP215, half
// load): key decoding was 11% of the process's CPU time, and the p99 from
// the call went from 1.1-2.2 ms to 1.3-1.4 ms against a bound of 1.5-1.7 ms.
//
// An entry is exactly what batchKey.decode computes from the same 32 bytes
// (the point, whether the bytes decode at all, and whether the point has
// small order), so a verdict is the same with or without the cache; the
// bytes are the map key, so non-canonical encodings of one point are
// separate entries, as they must be. The cache holds at most max entries
// (about 250 bytes each) and, when full, drops a random one per new key:
// keys are public, and a caller who sends many distinct keys only costs
// itself the hits.
type keyCache struct {
	mu  sync.Mutex
	m   map[[32]byte]cachedKey
	max int
}

type cachedKey struct {
	A     edwards.Point // valid when ok
	ok    bool          // the bytes decode to a point
	small bool          // A has small order
}

func newKeyCache(max int) *keyCache {
	return &keyCache{m: make(map[[32]byte]cachedKey), max: max} // grows as keys come
}

// lookup publishes the cached decoding of pub into k, which no other
// goroutine uses yet, and reports whether there was one.
func (c *keyCache) lookup(pub *[32]byte, k *batchKey) bool {
	c.mu.Lock()
	e, found := c.m[*pub]
	c.mu.Unlock()
	if !found {
		return false
	}
	k.cached = true
	if !e.ok {
		k.state.Store(keyBad)
		return true
	}
	k.A.Set(&e.A)
	k.small = e.small
	k.state.Store(keyOK)
	return true
}

// remember stores the decodings of sc's keys that the batch made (not those
// it found in the cache, nor keys it never needed to decode) and returns
// the number of entries.
func (c *keyCache) remember(sc *batchScratch, items []batchItem) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for j := range sc.keys {
		k := &sc.keys[j]
		s := k.state.Load()
		if k.cached || s == keyFresh {
			continue
		}
		pub := items[k.item].pub
		if _, ok := c.m[pub]; !ok && len(c.m) >= c.max {
			for old := range c.m { // a random entry: map iteration starts anywhere
				delete(c.m, old)
				break
			}
		}
		e := cachedKey{ok: s == keyOK}
		if e.ok {
			e.A.Set(&k.A)
			e.small = k.small
		}
		c.m[pub] = e
	}
	return len(c.m)
}

// cacheStats returns, for the last Verify of a BatchVerifier with a key
// cache, the distinct keys found in the cache and not, and the cache's
// size after it.
func (v *BatchVerifier) cacheStats() (hits, misses, size int) {
	if v.cache == nil || v.scratch == nil {
		return 0, 0, 0
	}
	return v.scratch.cacheHits, len(v.scratch.keys) - v.scratch.cacheHits, v.cacheSize
}
