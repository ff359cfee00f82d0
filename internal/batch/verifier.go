package batch

import (
	"runtime"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
)

// Rules are the verification rules of a batch (package ed25519's Rules).
type Rules = edverify.Rules

// Item is one signature of a batch: copies of the public key and the
// signature, and the challenge k = H(R || A || M) mod l once hashed. The zero
// Item has the wrong lengths: its verdict is false.
type Item struct {
	pub       [32]byte
	sig       [64]byte
	k         edwards25519.Scalar
	s         edwards25519.Scalar // s of sig, set by collect for items the screening let in
	lengthsOK bool

	// msg and needHash are set by SetDeferred, which leaves the hashing to
	// the workers; msg is cleared once hashed.
	msg      []byte
	needHash bool
}

// Set copies the key and the signature and hashes msg: nothing of the
// caller's is referenced after it returns. Wrong lengths, nil included, are
// kept as a false verdict.
func (it *Item) Set(pub, msg, sig []byte) {
	it.setKeySig(pub, sig)
	if it.lengthsOK {
		edverify.Challenge(&it.k, edverify.DomPrefixPure, "", it.sig[:32], it.pub[:], msg)
	}
}

// SetDeferred is Set with the hashing left to Verify's workers, where it runs
// in parallel: msg is referenced until Verify returns, or until Clear.
func (it *Item) SetDeferred(pub, msg, sig []byte) {
	it.setKeySig(pub, sig)
	it.msg, it.needHash = msg, it.lengthsOK
}

// SetMessage replaces the message of an item that SetDeferred left
// unhashed (for callers that keep the messages in a buffer of their own,
// which may move until the batch is verified); it does nothing to an item
// hashed already.
func (it *Item) SetMessage(msg []byte) {
	if it.needHash {
		it.msg = msg
	}
}

func (it *Item) setKeySig(pub, sig []byte) {
	*it = Item{lengthsOK: len(pub) == 32 && len(sig) == 64}
	if it.lengthsOK {
		copy(it.pub[:], pub)
		copy(it.sig[:], sig)
	}
}

// hash computes k if SetDeferred left it to the workers.
func (it *Item) hash() {
	if it.needHash {
		edverify.Challenge(&it.k, edverify.DomPrefixPure, "", it.sig[:32], it.pub[:], it.msg)
		it.needHash = false
		it.msg = nil
	}
}

// Config is how Verifier.Verify verifies one batch.
type Config struct {
	// Workers is the number of goroutines, the caller's included; < 1
	// means runtime.GOMAXPROCS(0).
	Workers int
	// Cache, if not nil, supplies decoded keys, and Remember stores the
	// batch's new decodings in it.
	Cache *KeyCache
}

// A Verifier verifies batches of Items, keeping its working memory from one
// batch to the next. It is not safe for concurrent use; the zero value is
// ready to use.
type Verifier struct {
	sc scratch
}

// Verify sets valid[i] to the verdict of edverify.Verify(rules, ...) on
// items[i], for every i (valid must be as long as items), and reports
// whether all are true. Invalid rules make every verdict false. Items are
// hashed if SetDeferred left them unhashed.
//
// An item's data flows one way: the rules' byte-level checks and the
// grouping by key (scratch.screen), the decoding of each key once (from the
// cache if it has it) and of R, for cofactorless rules the torsion tests of
// A and R (an item with torsion gets the exact check on its own), then the
// randomized batch equation with bisection, then the verdicts.
func (v *Verifier) Verify(rules Rules, items []Item, valid []bool, cfg Config) bool {
	clear(valid)
	sc := &v.sc
	sc.cache = cfg.Cache
	sc.keys, sc.cacheHits = sc.keys[:0], 0
	if len(items) == 0 {
		return true
	}
	if !rules.Valid() {
		return false
	}
	workers := cfg.Workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	sc.screen(rules, items)
	sc.verifyChunks(items, valid, workers, rules&edverify.Cofactored != 0)
	for _, ok := range valid {
		if !ok {
			return false
		}
	}
	return true
}

// Remember stores in cfg.Cache the key decodings that the last Verify made
// (not those it found in the cache), and returns the batch's cache use. It
// is separate from Verify so that a service can send the verdicts first.
// items must be the last Verify's, unchanged.
func (v *Verifier) Remember(cache *KeyCache, items []Item) CacheStats {
	if cache == nil {
		return CacheStats{}
	}
	size := cache.remember(&v.sc, items)
	return CacheStats{Hits: v.sc.cacheHits, Misses: len(v.sc.keys) - v.sc.cacheHits, Size: size}
}

// CacheStats is one batch's use of a key cache: the batch's distinct keys
// that the cache had decoded already and those it had not, and the cache's
// size after Remember.
type CacheStats struct {
	Hits, Misses, Size int
}
