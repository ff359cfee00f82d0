package ronkms

import (
	"sync"
	"sync/atomic"

	"github.com/ronkms/ronkms/internal/edwards"
)

// Per-key sharing inside a batch.
//
// Every mode groups the items of a batch by the 32 bytes of their public key
// before verifying them (batchScratch.group), and keeps one batchKey per
// distinct key: the key is decoded once (and, for ModeStrict, tested for
// small order once) by whichever worker needs it first, instead of once per
// item. In ModeStdLib and ModeStrict a key used by at least hotKeyUses items
// also gets an edwards.PrecomputedPoint of -A, built once per batch, and its
// items are verified by computing R' = [s]B - [k]A from those tables and
// comparing the canonical encoding of R' (batched, one inversion per worker
// and up to eachEncodeBatch items) with R byte for byte: crypto/ed25519's own
// final comparison, so a non-canonical or undecodable R fails as it does
// there. ModeZIP215 already merges the A terms of one key in its batch
// equation; there the sharing saves the decoding of A.
//
// A BatchVerifier keeps its batchScratch between Verify calls (VerifyBatch
// takes one from a pool), so that a steady stream of batches reuses the
// key table, the index map, the ZIP215 equation buffers and the workers'
// encoding buffers.

// defaultHotKeyUses is the number of items of one key in a ModeStdLib or
// ModeStrict batch from which the key's precomputed tables are built. (Tests
// and calibration set another threshold per verifier through
// batchConfig.hotKeyUses; there is no package-level knob.)
//
// Measured on the project machine (BenchmarkHotKeyThreshold in
// batch_calibrate_test.go: ModeStdLib, n valid signatures under one key,
// Verify only, tables built inside the timed region; -count 8, medians in
// us/sig; "off" is the half-size check with the key decoded once, "on" the
// precomputed tables plus batched encoding), one worker:
//
//	n     4     6     8     9     10    12    16    24    32
//	off   27.5  27.0  26.3  28.0  26.3  28.4  27.1  26.7  27.0
//	on    38.6  30.7  25.0  23.5  21.8  23.8  20.2  17.4  16.4
//
// so the build (about 83 us) pays from about 8 items of a key and saves
// 35-40% from 24. Runs with two workers gave the same break-even, but the
// second core was busy with other jobs throughout, so they say little about
// an idle machine. There, while one worker builds the tables the others
// verify the key's first items by the plain check; a model of that schedule
// puts the break-even at about 12 for a key alone in a batch on two workers,
// and back at about 8 when other keys' items keep the other workers busy.
// 8 it is; a key with 8 to 11 items alone in a batch may lose a few percent
// on two idle cores.
//
// Grouping costs about 35 ns per item (map lookup of the key bytes; 1,024
// distinct keys in 35 us), about 0.1% of a verification.
const defaultHotKeyUses = 8

// Key decoding states of batchKey.state.
const (
	keyFresh uint32 = iota // not decoded yet
	keyOK                  // A decoded
	keyBad                 // not a point: every item of the key is false
)

// batchKey is one distinct public key of a batch.
type batchKey struct {
	item  int32 // index of the first item with this key (its pub bytes)
	count int32 // items with this key (of the right lengths)
	pos   int32 // verifyEach: next slot of the key's items in the order

	state atomic.Uint32 // keyFresh, keyOK or keyBad
	mu    sync.Mutex    // serializes the decoding
	A     edwards.Point // valid once state is keyOK
	small bool          // A has small order; valid once state is keyOK

	// pre holds the tables of -A once built (ModeStdLib and ModeStrict
	// hot keys); nil until then.
	pre atomic.Pointer[edwards.PrecomputedPoint]

	cached bool // decoded from a keyCache by group, not in this batch
}

// decode decodes the key from pub (the bytes of its first item) unless that
// was done already, and reports whether it is a point. It is safe for
// concurrent use: one caller decodes, the others wait (one decoding, about
// 3 us) and read the result. After it returns true, k.A and k.small may be
// read.
func (k *batchKey) decode(pub *[32]byte) bool {
	if s := k.state.Load(); s != keyFresh {
		return s == keyOK
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if s := k.state.Load(); s != keyFresh {
		return s == keyOK
	}
	var A edwards.Point
	_, err := A.SetBytes(pub[:])
	return k.publish(&A, err == nil)
}

// publish records the decoding of the key, A if ok, and reports ok. The
// caller holds k.mu. A and small are written before the state, which
// readers load first.
func (k *batchKey) publish(A *edwards.Point, ok bool) bool {
	if !ok {
		k.state.Store(keyBad)
		return false
	}
	k.A.Set(A)
	k.small = k.A.IsSmallOrder()
	k.state.Store(keyOK)
	return true
}

// batchScratch is the memory one Verify call works in, kept between calls.
type batchScratch struct {
	keyIndex map[[32]byte]int32 // key bytes -> index in keys
	keys     []batchKey
	keyOf    []int32 // per item: index in keys, or -1 (wrong lengths)

	order   []int32       // verifyEach: items in processing order
	hot     []int32       // verifyEach: the keys with tables
	workers []eachScratch // verifyEach: per worker
	zip     []zipScratch  // ModeZIP215: per chunk
	items   []batchItem   // VerifyBatch: the items
	hotUses int           // threshold of the current call (0: defaultHotKeyUses)
	pooled  bool          // taken from scratchPool

	// cache, if not nil, supplies decoded keys to group (a Batcher's
	// BatchVerifiers); cacheHits counts the keys it supplied in the
	// current call.
	cache     *keyCache
	cacheHits int
}

// scratchPool holds the scratch of VerifyBatch calls. It is the package's
// one piece of mutable state besides the CPU feature flags, a deliberate
// exception: VerifyBatch is a plain function with nowhere else to keep
// memory between calls, the pool holds no verdicts and nothing of the
// caller's (release clears every message reference first), and what it
// holds never changes a result. BatchVerifier keeps its own scratch instead.
var scratchPool = sync.Pool{New: func() any { return &batchScratch{pooled: true} }}

// maxPooledItems bounds the batches whose memory goes back to scratchPool, so
// that one huge batch does not pin its memory in the pool.
const maxPooledItems = 1 << 16

// release returns pooled scratch to the pool, dropping every reference to
// caller memory first.
func (sc *batchScratch) release() {
	if !sc.pooled {
		return
	}
	clear(sc.items)
	sc.items = sc.items[:0]
	if cap(sc.keyOf) > maxPooledItems {
		return
	}
	scratchPool.Put(sc)
}

// group fills sc.keys and sc.keyOf for items: one batchKey per distinct
// key, in order of first use. The keys are not decoded here: the workers
// decode them on first use (batchKey.decode), in parallel, unless sc.cache
// has them already.
func (sc *batchScratch) group(items []batchItem) {
	n := len(items)
	if sc.keyIndex == nil {
		sc.keyIndex = make(map[[32]byte]int32)
	} else {
		clear(sc.keyIndex)
	}
	sc.keyOf = resize(sc.keyOf, n)
	sc.keys = sc.keys[:0]
	sc.cacheHits = 0
	last := int32(-1) // key of the previous well-formed item
	for i := range items {
		it := &items[i]
		if !it.lengthsOK {
			sc.keyOf[i] = -1
			continue
		}
		// Runs of one key skip the map.
		j := last
		if j < 0 || it.pub != items[sc.keys[j].item].pub {
			var ok bool
			j, ok = sc.keyIndex[it.pub]
			if !ok {
				j = int32(len(sc.keys))
				sc.keyIndex[it.pub] = j
				sc.keys = append(sc.keys, batchKey{item: int32(i)})
				if sc.cache != nil && sc.cache.lookup(&it.pub, &sc.keys[j]) {
					sc.cacheHits++
				}
			}
		}
		sc.keys[j].count++
		sc.keyOf[i] = j
		last = j
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
