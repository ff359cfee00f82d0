package ronkms

import "github.com/ronkms/ronkms/internal/batch"

// DefaultKeyCacheSize is the number of keys a KeyCache holds when
// NewKeyCache is given a size below 1: the Batcher's default.
const DefaultKeyCacheSize = 4096

// A KeyCache keeps the decoded public keys of a series of batches, and each
// key's prime-order-subgroup test once a batch has made it, so that a key
// seen in one batch is neither decoded nor tested again in the next. It
// serves callers whose batches come from a known set of signers (token
// issuers, ledger accounts): with it, a batch of distinct but known keys
// costs what a batch under one key costs less its per-item work.
//
// An entry is what a batch would compute from the same 32 bytes, whatever
// the rules, so every verdict is the same with or without a cache; the bytes
// are the index, so two encodings of one point are separate entries. When
// the cache is full a new key replaces a uniformly random one; its memory
// stays at about 600 bytes per entry. A KeyCache is safe for concurrent
// use by several BatchVerifiers.
type KeyCache struct {
	c *batch.KeyCache
}

// NewKeyCache returns an empty KeyCache of at most size keys, or of
// DefaultKeyCacheSize keys if size < 1.
func NewKeyCache(size int) *KeyCache {
	if size < 1 {
		size = DefaultKeyCacheSize
	}
	return &KeyCache{c: batch.NewKeyCache(size)}
}

// WithKeyCache makes a BatchVerifier take decoded keys from c and store in c
// the keys it decodes. A nil c means no cache.
func WithKeyCache(c *KeyCache) Option {
	return func(cfg *batchConfig) {
		cfg.cache = nil
		if c != nil {
			cfg.cache = c.c
		}
	}
}
