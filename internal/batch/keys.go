package batch

import (
	"runtime"
	"sync"
	"sync/atomic"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
)

// Per-key sharing inside a batch.
//
// Every batch groups its items by the 32 bytes of their public key
// (scratch.screen), and keeps one batchKey per distinct key: the key is
// decoded once, by whichever worker needs it first, instead of once per
// item, and for cofactorless rules tested for torsion once. The batch
// equation merges the A terms of one key into one.
//
// A Verifier keeps its scratch between batches, so that a steady stream of
// batches reuses the key table, the index map and the equation buffers.
//
// Screening costs about 50 ns per item with distinct keys (the byte checks
// and a map lookup of the key bytes; 256 keys in 12 us), under 1% of a
// verification, but it runs before the workers start: what can wait for
// them (the conversion of s) does.

// Key decoding states of batchKey.state.
const (
	keyFresh uint32 = iota // not decoded yet
	keyOK                  // A decoded
	keyBad                 // not a point: every item of the key is false
)

// Torsion states of batchKey.tf: whether A lies in the prime-order
// subgroup, known only where a cofactorless batch needed it.
const (
	tfUnknown uint32 = iota
	tfYes            // A is torsion-free
	tfNo             // A has a component of order 2, 4 or 8
)

// batchKey is one distinct public key of a batch.
type batchKey struct {
	item  int32 // index of the first item with this key (its pub bytes)
	count int32 // items with this key that passed the screening

	state atomic.Uint32 // keyFresh, keyOK or keyBad
	mu    sync.Mutex    // serializes the decoding and the torsion test
	A     edwards.Point // valid once state is keyOK
	tf    atomic.Uint32 // tfUnknown, tfYes or tfNo; set with the decoding, or later under mu

	cached bool // decoded from a KeyCache by screen, not in this batch
}

// decode decodes the key from pub (the bytes of its first item) unless that
// was done already, and reports whether it is a point. It is safe for
// concurrent use: one caller decodes, the others wait (one decoding, about
// 3 us) and read the result. After it returns true, k.A may be read.
func (k *batchKey) decode(pub *[32]byte) bool {
	if s := k.state.Load(); s != keyFresh {
		return s == keyOK
	}
	k.lock()
	defer k.mu.Unlock()
	if s := k.state.Load(); s != keyFresh {
		return s == keyOK
	}
	var A edwards.Point
	_, err := A.SetBytes(pub[:])
	return k.publish(&A, err == nil)
}

// torsionFree reports whether A, which must have decoded, lies in the
// prime-order subgroup, testing it the first time (one caller tests, the
// others wait for the result, as in decode).
func (k *batchKey) torsionFree() bool {
	if s := k.tf.Load(); s != tfUnknown {
		return s == tfYes
	}
	k.lock()
	defer k.mu.Unlock()
	if s := k.tf.Load(); s != tfUnknown {
		return s == tfYes
	}
	return k.setTorsionFree(k.A.VarTimeIsTorsionFree())
}

// lock acquires k.mu, spinning (and yielding to the scheduler every 64
// tries) instead of parking: the holder is another worker decoding or
// testing the key, for a few exponentiations at most, while a parked
// goroutine takes about 100 us to wake on a virtual machine (as at the
// workers' barrier). With one key in a parallel batch, every worker but one
// waits here at the start.
func (k *batchKey) lock() {
	for i := 1; !k.mu.TryLock(); i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
}

// setTorsionFree records the torsion test of A and returns it.
func (k *batchKey) setTorsionFree(free bool) bool {
	if free {
		k.tf.Store(tfYes)
	} else {
		k.tf.Store(tfNo)
	}
	return free
}

// publish records the decoding of the key, A if ok, and reports ok. The
// caller holds k.mu. A is written before the state, which readers load
// first.
func (k *batchKey) publish(A *edwards.Point, ok bool) bool {
	if !ok {
		k.state.Store(keyBad)
		return false
	}
	k.A.Set(A)
	k.state.Store(keyOK)
	return true
}

// scratch is the memory one Verify call works in, kept between calls.
type scratch struct {
	keyIndex map[[32]byte]int32 // key bytes -> index in keys, or rejectedKey
	keys     []batchKey
	keyOf    []int32 // per item: index in keys, or -1 (screened out)

	chunks []chunkScratch // per worker

	// The parallel equation's terms, gathered from the chunks, the
	// chunks' multiplication memories, and the shared multiplication
	// (scratch.initEquation).
	allScalars []*edwards25519.Scalar
	allPoints  []*edwards.Point
	negSumZS   edwards25519.Scalar
	msms       []*edwards.MSMScratch
	msm        edwards.MSMParallel

	// cache, if not nil, supplies decoded keys to screen; cacheHits
	// counts the keys it supplied in the current call.
	cache     *KeyCache
	cacheHits int

	// helpers are the goroutines of parallel Verify calls, kept a short
	// while between calls (helpers.go).
	helpers helpers
}

// rejectedKey marks, in keyIndex, a key that the rules reject by its bytes.
const rejectedKey = -1

// screen applies the rules' byte-level checks to every item and groups the
// items that pass by key: keyOf[i] is the index in keys of item i's key, or
// -1 for an item whose verdict is false already, because of its lengths,
// s >= l, the bytes of R (small-order or non-canonical encodings, as the
// rules say) or the bytes of its key (checked once per distinct key). keys
// holds one batchKey per distinct key of the items that pass, in order of
// first use, with the key's decoding if the cache has it; the others are
// decoded by the workers on first use (batchKey.decode), in parallel.
func (sc *scratch) screen(rules Rules, items []Item) {
	n := len(items)
	if sc.keyIndex == nil {
		sc.keyIndex = make(map[[32]byte]int32)
	} else {
		clear(sc.keyIndex)
	}
	sc.keyOf = resize(sc.keyOf, n)
	sc.keys = sc.keys[:0]
	sc.cacheHits = 0
	lastPub, last := [32]byte{}, int32(-2) // the previous screened item's key
	for i := range items {
		it := &items[i]
		sc.keyOf[i] = -1
		if !it.lengthsOK {
			continue
		}
		// s < l; its conversion (Item.s) is left to the workers (collect).
		if !edwards.IsCanonicalScalar(it.sig[32:]) {
			continue
		}
		// The rules on R's bytes; A's are checked with the key.
		if !edverify.RChecks(rules, it.sig[:32]) {
			continue
		}
		// Runs of one key skip the map.
		j := last
		if last == -2 || it.pub != lastPub {
			var seen bool
			j, seen = sc.keyIndex[it.pub]
			if !seen {
				j = rejectedKey
				if edverify.AChecks(rules, it.pub[:]) {
					j = int32(len(sc.keys))
					sc.keys = append(sc.keys, batchKey{item: int32(i)})
					if sc.cache != nil && sc.cache.lookup(&it.pub, &sc.keys[j]) {
						sc.cacheHits++
					}
				}
				sc.keyIndex[it.pub] = j
			}
			lastPub, last = it.pub, j
		}
		if j == rejectedKey {
			continue
		}
		sc.keys[j].count++
		sc.keyOf[i] = j
	}
}

// resize returns s with length n, reusing its memory when it is large
// enough. The contents are unspecified.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
