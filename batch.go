package ronkms

import (
	"runtime"
	"sync"
	"sync/atomic"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/edverify"
)

// VerifyBatch verifies n signatures under mode and returns one verdict per
// item: valid[i] equals the single verifier of mode (ed25519.Verify,
// VerifyStrict or VerifyZIP215) on pubs[i], msgs[i], sigs[i], and allValid is
// true when every item is valid. It uses GOMAXPROCS worker goroutines.
//
// Items of the wrong length, nil slices and undecodable points are false
// verdicts; they never panic and never affect the verdicts of other items.
// If pubs, msgs and sigs have different lengths, or mode is not one of the
// three modes, VerifyBatch returns (false, nil). An empty batch returns
// (true, an empty slice).
func VerifyBatch(mode Mode, pubs []ed25519.PublicKey, msgs, sigs [][]byte) (allValid bool, valid []bool) {
	if len(pubs) != len(msgs) || len(pubs) != len(sigs) || !mode.valid() {
		return false, nil
	}
	v := NewBatchVerifier(mode)
	v.items = make([]batchItem, len(pubs))
	for i := range pubs {
		// The hashing is deferred to the workers: msg is referenced only
		// for the duration of this call.
		v.items[i].set(pubs[i], sigs[i])
		v.items[i].msg = msgs[i]
		v.items[i].needHash = v.items[i].lengthsOK
	}
	return v.Verify()
}

// Option configures a BatchVerifier.
type Option func(*batchConfig)

type batchConfig struct {
	workers int
}

// WithWorkers sets the number of goroutines a BatchVerifier uses. n < 1
// means the default, runtime.GOMAXPROCS(0) at the time of each Verify.
func WithWorkers(n int) Option {
	return func(c *batchConfig) { c.workers = n }
}

// A BatchVerifier verifies signatures added one by one, for callers that
// build batches incrementally and reuse memory across batches. The zero
// value is not usable; call NewBatchVerifier.
//
// Add copies the 32-byte key and the 64-byte signature and hashes the message
// at once, so no caller slice is retained after Add returns. A BatchVerifier
// is not safe for concurrent use.
type BatchVerifier struct {
	mode  Mode
	cfg   batchConfig
	items []batchItem
}

// NewBatchVerifier returns an empty BatchVerifier for mode.
func NewBatchVerifier(mode Mode, opts ...Option) *BatchVerifier {
	v := &BatchVerifier{mode: mode}
	for _, o := range opts {
		o(&v.cfg)
	}
	return v
}

// Add queues one signature. Inputs of the wrong length, including nil
// slices, are accepted here and get a false verdict from Verify.
func (v *BatchVerifier) Add(pub ed25519.PublicKey, msg, sig []byte) {
	v.items = append(v.items, batchItem{})
	it := &v.items[len(v.items)-1]
	it.set(pub, sig)
	if it.lengthsOK {
		edverify.Challenge(&it.k, edverify.DomPrefixPure, "", it.sig[:32], it.pub[:], msg)
	}
}

// Len returns the number of signatures queued since the last Reset.
func (v *BatchVerifier) Len() int { return len(v.items) }

// Reset empties the verifier, keeping its memory for the next batch.
func (v *BatchVerifier) Reset() {
	clear(v.items)
	v.items = v.items[:0]
}

// Verify verifies every queued signature and returns one verdict per item in
// the order they were added, with the same guarantees as VerifyBatch. The
// returned slice is newly allocated and belongs to the caller. Verify does
// not reset the verifier. If the verifier's mode is not one of the three
// modes, Verify returns (false, nil).
func (v *BatchVerifier) Verify() (allValid bool, valid []bool) {
	if !v.mode.valid() {
		return false, nil
	}
	valid = make([]bool, len(v.items))
	if len(v.items) == 0 {
		return true, valid
	}
	workers := v.cfg.workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	switch v.mode {
	case ModeZIP215:
		verifyZIP215Chunks(v.items, valid, workers)
	default:
		verifyEach(v.mode.rules(), v.items, valid, workers)
	}
	allValid = true
	for _, ok := range valid {
		allValid = allValid && ok
	}
	return allValid, valid
}

// batchItem is one queued signature: copies of the key and signature, and the
// challenge k = H(R || A || M) mod l once hashed.
type batchItem struct {
	pub       [ed25519.PublicKeySize]byte
	sig       [ed25519.SignatureSize]byte
	k         edwards25519.Scalar
	lengthsOK bool

	// msg and needHash are set by VerifyBatch, which defers hashing to the
	// workers; msg is cleared once hashed.
	msg      []byte
	needHash bool
}

func (it *batchItem) set(pub, sig []byte) {
	it.lengthsOK = len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize
	if it.lengthsOK {
		copy(it.pub[:], pub)
		copy(it.sig[:], sig)
	}
}

// hash computes k if VerifyBatch deferred it.
func (it *batchItem) hash() {
	if it.needHash {
		edverify.Challenge(&it.k, edverify.DomPrefixPure, "", it.sig[:32], it.pub[:], it.msg)
		it.needHash = false
		it.msg = nil
	}
}

// eachBlock is how many items a worker takes at a time in per-item modes:
// small enough to balance uneven workers, large enough that the shared
// counter is not contended.
const eachBlock = 4

// verifyEach verifies every item on its own (StdLib and Strict batches).
// These modes need an exact per-item answer: a randomized batch equation
// cannot see torsion residues that vanish under its random coefficients.
func verifyEach(rules edverify.Mode, items []batchItem, valid []bool, workers int) {
	var next atomic.Int64
	work := func() {
		for {
			start := int(next.Add(eachBlock)) - eachBlock
			if start >= len(items) {
				return
			}
			end := min(start+eachBlock, len(items))
			for i := start; i < end; i++ {
				it := &items[i]
				if !it.lengthsOK {
					continue
				}
				it.hash()
				valid[i] = edverify.VerifyWithChallenge(rules, it.pub[:], it.sig[:], &it.k)
			}
		}
	}
	runWorkers(min(workers, (len(items)+eachBlock-1)/eachBlock), work)
}

// runWorkers runs work on n goroutines, the calling one included, and waits.
func runWorkers(n int, work func()) {
	if n <= 1 {
		work()
		return
	}
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for range n - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// chunkCounter hands out chunk numbers to workers.
type chunkCounter struct{ n atomic.Int64 }

func (c *chunkCounter) take() int { return int(c.n.Add(1)) - 1 }
