package ronkms

import (
	"sync"

	"github.com/ronkms/ronkms/internal/batch"
)

// DefaultKeyCacheSize is the number of keys a KeyCache holds when
// NewKeyCache is given a size below 1, and a zero KeyCache: the Batcher's
// default.
const DefaultKeyCacheSize = 4096

// maxKeyCacheSize bounds a KeyCache's size (its slots are indexed by int32);
// at about 600 bytes per key, no realistic size comes near it.
const maxKeyCacheSize = 1 << 30

// A KeyCache keeps the decoded public keys of a series of batches, and each
// key's prime-order-subgroup test once a batch has made it, so that a key
// seen in one batch is neither decoded nor tested again in the next. It
// serves callers whose batches come from a known set of signers (token
// issuers, ledger accounts): each known key then costs a lookup instead of
// a decoding (one exponentiation) and, under cofactorless rules, a subgroup
// test (two more). The rest of the per-key cost stays: a distinct key is
// still one more term of the batch equation.
//
// An entry is what a batch would compute from the same 32 bytes, whatever
// the rules, so every verdict is the same with or without a cache; the bytes
// are the index, so two encodings of one point are separate entries. When
// the cache is full a new key replaces a uniformly random one; its memory
// stays at about 600 bytes per entry. A KeyCache is safe for concurrent
// use by several BatchVerifiers, which take its lock briefly once per
// batch to look keys up and once to store new ones. The zero value is a
// cache of DefaultKeyCacheSize keys.
type KeyCache struct {
	once sync.Once
	size int
	c    *batch.KeyCache
}

// NewKeyCache returns an empty KeyCache of at most size keys, or of
// DefaultKeyCacheSize keys if size < 1.
func NewKeyCache(size int) *KeyCache {
	return &KeyCache{size: size}
}

// engine returns the engine's cache, made on first use.
func (k *KeyCache) engine() *batch.KeyCache {
	k.once.Do(func() {
		size := k.size
		if size < 1 {
			size = DefaultKeyCacheSize
		}
		k.c = batch.NewKeyCache(min(size, maxKeyCacheSize))
	})
	return k.c
}

// WithKeyCache makes a BatchVerifier look up each key of a batch in c before
// decoding it, and store in c, after the verdicts are computed, the keys it
// decoded and the subgroup tests it made. A nil c means no cache.
func WithKeyCache(c *KeyCache) Option {
	return func(cfg *batchConfig) { cfg.cache = c }
}
