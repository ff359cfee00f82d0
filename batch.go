package ronkms

import (
	"sync"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/batch"
	"github.com/ronkms/ronkms/internal/edverify"
)

// VerifyBatch verifies n signatures under rules and returns one verdict per
// item: valid[i] equals rules.Verify(pubs[i], msgs[i], sigs[i]), and
// allValid is true when every item is valid. It uses GOMAXPROCS worker
// goroutines.
//
// Items of the wrong length, nil slices and undecodable points are false
// verdicts; they never panic and never affect the verdicts of other items.
// If pubs, msgs and sigs have different lengths, or rules are not valid
// (ed25519.Rules.Validate), VerifyBatch returns (false, nil). An empty batch
// returns (true, an empty slice).
func VerifyBatch(rules ed25519.Rules, pubs []ed25519.PublicKey, msgs, sigs [][]byte) (allValid bool, valid []bool) {
	if len(pubs) != len(msgs) || len(pubs) != len(sigs) || rules.Validate() != nil {
		return false, nil
	}
	// The items and the engine's memory come from a pool: a stream of
	// VerifyBatch calls allocates little besides the verdicts.
	p := pool.Get().(*pooled)
	defer p.release()
	p.items = resize(p.items, len(pubs))
	for i := range pubs {
		// The hashing is deferred to the workers: msg is referenced only
		// for the duration of this call.
		p.items[i].SetDeferred(pubs[i], msgs[i], sigs[i])
	}
	valid = make([]bool, len(pubs))
	allValid = p.v.Verify(edverify.Rules(rules), p.items, valid, batch.Config{})
	return allValid, valid
}

// pooled is the memory of one VerifyBatch call.
type pooled struct {
	v     batch.Verifier
	items []batch.Item
}

// pool holds the memory of VerifyBatch calls. It is the package's one piece
// of mutable state besides the CPU feature flags, a deliberate exception:
// VerifyBatch is a plain function with nowhere else to keep memory between
// calls, the pool holds no verdicts and nothing of the caller's (release
// clears every message reference first), and what it holds never changes a
// result. BatchVerifier keeps its own memory instead.
var pool = sync.Pool{New: func() any { return new(pooled) }}

// maxPooledItems bounds the batches whose memory goes back to the pool, so
// that one huge batch does not pin its memory there.
const maxPooledItems = 1 << 16

// release returns p to the pool, dropping every reference to caller memory
// first.
func (p *pooled) release() {
	clear(p.items)
	p.items = p.items[:0]
	if cap(p.items) > maxPooledItems {
		return
	}
	pool.Put(p)
}

// Option configures a BatchVerifier.
type Option func(*batchConfig)

type batchConfig struct {
	workers int
	cache   *KeyCache
}

// WithWorkers sets the number of goroutines a BatchVerifier uses. n < 1
// means the default, runtime.GOMAXPROCS(0) at the time of each Verify. A
// batch gets at most one worker per 16 items; the goroutines besides the
// caller's stay up to 200 microseconds after each Verify, waiting for the
// next (see "Parallelism" in the package documentation).
func WithWorkers(n int) Option {
	return func(c *batchConfig) { c.workers = n }
}

// A BatchVerifier verifies signatures added one by one, for callers that
// build batches incrementally and reuse memory across batches. The zero
// value is not usable; call NewBatchVerifier.
//
// Add copies the 32-byte key, the 64-byte signature and the message, so no
// caller slice is retained after Add returns; the messages are hashed by
// Verify's workers, in parallel. A BatchVerifier is not safe for concurrent
// use.
type BatchVerifier struct {
	rules ed25519.Rules
	cfg   batchConfig
	items []batch.Item
	v     batch.Verifier

	// msgs holds the copies of the messages of items not hashed yet, end
	// the end offset in msgs of each item's message.
	msgs []byte
	end  []int
}

// NewBatchVerifier returns an empty BatchVerifier for rules.
func NewBatchVerifier(rules ed25519.Rules, opts ...Option) *BatchVerifier {
	bv := &BatchVerifier{rules: rules}
	for _, o := range opts {
		o(&bv.cfg)
	}
	return bv
}

// Add queues one signature. Inputs of the wrong length, including nil
// slices, are accepted here and get a false verdict from Verify.
func (bv *BatchVerifier) Add(pub ed25519.PublicKey, msg, sig []byte) {
	bv.items = append(bv.items, batch.Item{})
	// The message is copied and its slice set by Verify: msgs may move
	// as it grows.
	bv.items[len(bv.items)-1].SetDeferred(pub, nil, sig)
	bv.msgs = append(bv.msgs, msg...)
	bv.end = append(bv.end, len(bv.msgs))
}

// Len returns the number of signatures queued since the last Reset.
func (bv *BatchVerifier) Len() int { return len(bv.items) }

// maxKeptMsgs bounds the message buffer a BatchVerifier keeps across Reset,
// so that one batch of huge messages does not pin its memory.
const maxKeptMsgs = 1 << 20

// Reset empties the verifier, keeping its memory for the next batch.
func (bv *BatchVerifier) Reset() {
	clear(bv.items)
	bv.items = bv.items[:0]
	bv.msgs, bv.end = bv.msgs[:0], bv.end[:0]
	if cap(bv.msgs) > maxKeptMsgs {
		bv.msgs = nil
	}
}

// Verify verifies every queued signature and returns one verdict per item in
// the order they were added, with the same guarantees as VerifyBatch. The
// returned slice is newly allocated and belongs to the caller. Verify does
// not reset the verifier. If the verifier's rules are not valid, Verify
// returns (false, nil).
func (bv *BatchVerifier) Verify() (allValid bool, valid []bool) {
	if bv.rules.Validate() != nil {
		return false, nil
	}
	start := 0
	for i, end := range bv.end {
		bv.items[i].SetMessage(bv.msgs[start:end:end])
		start = end
	}
	valid = make([]bool, len(bv.items))
	var cache *batch.KeyCache
	if bv.cfg.cache != nil {
		cache = bv.cfg.cache.engine()
	}
	allValid = bv.v.Verify(edverify.Rules(bv.rules), bv.items, valid, batch.Config{Workers: bv.cfg.workers, Cache: cache})
	bv.v.Remember(cache, bv.items) // nothing without a cache
	return allValid, valid
}

// resize returns s with length n, reusing its memory when it is large
// enough. The contents are unspecified.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
