package batch

import (
	"math/rand/v2"
	"sync"

	"github.com/ronkms/ronkms/internal/edwards"
)

// A KeyCache keeps the decodings of the public keys that a series of batches
// has seen (a Batcher's), so that a key seen in one batch is not decoded
// again in the next. It is safe for concurrent use by several Verifiers.
//
// Services verify many signatures under few keys (token issuers, ledger
// accounts), but a Batcher's batches are small (TargetBatch, 64) and a key
// appears in many of them: without the cache every batch decodes each of
// its keys again. Measured with BenchmarkBatcher (64 keys, half load, CPU
// pinning on): key decoding was 11% of the process's CPU time for ZIP215,
// whose p99 from the call was within its bound in about two runs of three
// (1.4-3.1 ms against 1.6-1.8 ms); with the cache it was 0.8-1.2 ms against
// 1.5-1.6 ms in four runs of four.
//
// An entry is exactly what batchKey.decode computes from the same 32 bytes
// (the point, and whether the bytes decode at all) and, if a batch has made
// it, the point's torsion test: functions of the bytes whatever the rules,
// so a verdict is the same with or without the cache; the bytes are the key, so
// non-canonical encodings of one point are separate entries, as they must
// be. Keys a batch never had to decode (every item screened out, or the key
// rejected by its bytes) are not stored.
//
// The cache holds at most max entries in fixed slots, and a new key
// replaces a uniformly random one when it is full: no bookkeeping on hits,
// and a memory that stays put (about 600 bytes per entry with the index,
// measured after millions of replacements). A flood of distinct keys costs
// every caller of the Batcher its hits (CPU time), never a verdict.
type KeyCache struct {
	mu    sync.Mutex
	index map[[32]byte]int32 // key bytes -> slot
	slots []cacheSlot        // at most max
	max   int
}

type cacheSlot struct {
	pub [32]byte
	cachedKey
}

type cachedKey struct {
	A  edwards.Point // valid when ok
	ok bool          // the bytes decode to a point
	tf uint32        // batchKey.tf: A's torsion test, if a batch made it
}

// NewKeyCache returns an empty cache of at most max keys (max >= 1).
func NewKeyCache(max int) *KeyCache {
	return &KeyCache{index: make(map[[32]byte]int32), max: max} // grows as keys come
}

// lookup publishes the cached decoding of pub into k, which no other
// goroutine uses yet, and reports whether there was one.
func (c *KeyCache) lookup(pub *[32]byte, k *batchKey) bool {
	c.mu.Lock()
	i, found := c.index[*pub]
	var e cachedKey
	if found {
		e = c.slots[i].cachedKey
	}
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
	k.tf.Store(e.tf)
	k.state.Store(keyOK)
	return true
}

// remember stores the decodings of sc's keys that the batch made (not those
// it found in the cache, nor keys it never needed to decode), and torsion
// tests it made on cached keys, and returns the number of entries. No
// worker may be running on sc.
func (c *KeyCache) remember(sc *scratch, items []Item) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for j := range sc.keys {
		k := &sc.keys[j]
		s := k.state.Load()
		if k.cached {
			// A torsion test this batch made on a cached key (cached by a
			// batch that had no need of it) is kept too.
			if i, ok := c.index[items[k.item].pub]; ok && c.slots[i].ok && c.slots[i].tf == tfUnknown {
				c.slots[i].tf = k.tf.Load()
			}
			continue
		}
		if s == keyFresh {
			continue
		}
		slot := cacheSlot{pub: items[k.item].pub, cachedKey: cachedKey{ok: s == keyOK}}
		if slot.ok {
			slot.A.Set(&k.A)
			slot.tf = k.tf.Load()
		}
		if i, ok := c.index[slot.pub]; ok { // another verifier stored it meanwhile
			if slot.tf == tfUnknown {
				slot.tf = c.slots[i].tf // keep a torsion test it made
			}
			c.slots[i] = slot
			continue
		}
		i := len(c.slots)
		if i < c.max {
			c.slots = append(c.slots, slot)
		} else {
			i = rand.IntN(c.max) // not a secret: keys are public
			delete(c.index, c.slots[i].pub)
			c.slots[i] = slot
		}
		c.index[slot.pub] = int32(i)
	}
	return len(c.slots)
}
