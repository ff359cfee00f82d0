package batch

import (
	"sync"
	"sync/atomic"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
)

// Per-key sharing inside a batch.
//
// Every batch groups its items by the 32 bytes of their public key
// (scratch.screen), and keeps one batchKey per distinct key: the key is
// decoded once, by whichever worker needs it first, instead of once per
// item. In cofactorless batches a key used by at least hotKeyUses items also
// gets an edwards.PrecomputedPoint of -A, built once per batch, and its items
// are verified by computing R' = [s]B - [k]A from those tables and comparing
// the canonical encoding of R' (batched, one inversion per worker and up to
// eachEncodeBatch items) with R byte for byte: crypto/ed25519's own final
// comparison, so a non-canonical or undecodable R fails as it does there.
// Cofactored batches merge the A terms of one key in their equation; there
// the sharing saves the decoding of A.
//
// A Verifier keeps its scratch between batches, so that a steady stream of
// batches reuses the key table, the index map, the equation buffers and the
// workers' encoding buffers.

// defaultHotKeyUses is the number of items of one key in a cofactorless
// batch from which the key's precomputed tables are built. (Tests and
// calibration set another threshold per batch through Config.HotKeyUses;
// there is no package-level knob.)
//
// Measured on the project machine (BenchmarkHotKeyThreshold in
// calibrate_test.go: StdLib rules, n valid signatures under one key,
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
	count int32 // items with this key that passed the screening
	pos   int32 // verifyCofactorless: next slot of the key's items in the order

	state atomic.Uint32 // keyFresh, keyOK or keyBad
	mu    sync.Mutex    // serializes the decoding
	A     edwards.Point // valid once state is keyOK

	// pre holds the tables of -A once built (hot keys of cofactorless
	// batches); nil until then.
	pre atomic.Pointer[edwards.PrecomputedPoint]

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

	order   []int32        // verifyCofactorless: items in processing order
	hot     []int32        // verifyCofactorless: the keys with tables
	workers []eachScratch  // verifyCofactorless: per worker
	chunks  []chunkScratch // verifyCofactored: per chunk

	// cache, if not nil, supplies decoded keys to screen; cacheHits
	// counts the keys it supplied in the current call.
	cache     *KeyCache
	cacheHits int
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
		if _, err := it.s.SetCanonicalBytes(it.sig[32:]); err != nil {
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
