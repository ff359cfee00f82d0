package ronkms

import (
	"runtime"
	"sync"
	"sync/atomic"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
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
	// The items and the scratch come from a pool: a stream of VerifyBatch
	// calls allocates little besides the verdicts.
	sc := scratchPool.Get().(*batchScratch)
	defer sc.release()
	sc.hotUses = 0
	sc.items = resize(sc.items, len(pubs))
	items := sc.items
	for i := range pubs {
		// The hashing is deferred to the workers: msg is referenced only
		// for the duration of this call.
		items[i] = batchItem{}
		items[i].set(pubs[i], sigs[i])
		items[i].msg = msgs[i]
		items[i].needHash = items[i].lengthsOK
	}
	return verifyItems(mode, 0, items, sc)
}

// Option configures a BatchVerifier.
type Option func(*batchConfig)

type batchConfig struct {
	workers int
	// hotKeyUses overrides defaultHotKeyUses (tests and calibration only;
	// 0 keeps the default).
	hotKeyUses int
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

	// scratch is the working memory of Verify, kept for the next call.
	scratch *batchScratch

	// cache, if not nil (a Batcher's verifiers), keeps decoded keys between
	// calls; cacheSize is its number of entries after the last Verify.
	cache     *keyCache
	cacheSize int
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
	allValid, valid = v.verify()
	v.rememberKeys()
	return allValid, valid
}

// verify is Verify without storing the batch's key decodings in v's key
// cache: a Batcher calls rememberKeys itself, after it has sent the
// verdicts.
func (v *BatchVerifier) verify() (allValid bool, valid []bool) {
	if !v.mode.valid() {
		return false, nil
	}
	if v.scratch == nil {
		v.scratch = new(batchScratch)
	}
	sc := v.scratch
	sc.hotUses = v.cfg.hotKeyUses
	sc.cache = v.cache
	// group resets these for every batch with items; an empty batch must
	// not leave the previous batch's keys for rememberKeys and cacheStats.
	sc.keys, sc.cacheHits = sc.keys[:0], 0
	return verifyItems(v.mode, v.cfg.workers, v.items, sc)
}

// rememberKeys stores the key decodings of the last verify in v's key
// cache, if it has one.
func (v *BatchVerifier) rememberKeys() {
	if v.cache != nil && v.scratch != nil {
		v.cacheSize = v.cache.remember(v.scratch, v.items)
	}
}

// verifyItems verifies items under mode with the given number of workers
// (< 1: GOMAXPROCS) in the memory of sc, and returns the verdicts in a new
// slice.
func verifyItems(mode Mode, workers int, items []batchItem, sc *batchScratch) (allValid bool, valid []bool) {
	valid = make([]bool, len(items))
	if len(items) == 0 {
		return true, valid
	}
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	switch mode {
	case ModeZIP215:
		verifyZIP215Chunks(items, valid, workers, sc)
	default:
		verifyEach(mode.rules() == edverify.Strict, items, valid, workers, sc)
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
// counter is not contended, and the four lanes of edwards.DecodeFour
// (plainChecks).
const eachBlock = 4

// plainChecks decodes a block's R values in one DecodeFour call.
const _ = uint(4 - eachBlock) // compile error if eachBlock > 4

// eachEncodeBatch is how many recomputed R' a worker collects before
// encoding them with one inversion (edwards.BatchEncode, which allocates no
// scratch up to 64 points): 7.6 us for 64 points, 0.12 us each, instead of
// 3.1 us for one Bytes (internal/edwards/BENCHMARKS.md).
const eachEncodeBatch = 64

// eachScratch is one worker's buffer of recomputed R' = [s]B - [k]A
// awaiting their batched encoding.
type eachScratch struct {
	n    int
	idx  [eachEncodeBatch]int32 // the items
	pts  [eachEncodeBatch]edwards.Point
	ptrs [eachEncodeBatch]*edwards.Point
	out  [eachEncodeBatch][32]byte
}

// push queues R' = [s]B - [k]A for item i, computed from the tables of -A.
func (ws *eachScratch) push(items []batchItem, valid []bool, i int32, pre *edwards.PrecomputedPoint, s *edwards25519.Scalar) {
	ws.pts[ws.n].VarTimeDoubleScalarBaseMultPrecomputed(&items[i].k, pre, s)
	ws.idx[ws.n] = i
	ws.n++
	if ws.n == eachEncodeBatch {
		ws.flush(items, valid)
	}
}

// flush encodes the queued R' and sets each verdict: R' encodes to R byte
// for byte, the final comparison of crypto/ed25519.Verify. BatchEncode's
// output is canonical, so a non-canonical R never matches.
func (ws *eachScratch) flush(items []batchItem, valid []bool) {
	if ws.n == 0 {
		return
	}
	if ws.ptrs[0] == nil {
		for j := range ws.ptrs {
			ws.ptrs[j] = &ws.pts[j]
		}
	}
	edwards.BatchEncode(ws.out[:ws.n], ws.ptrs[:ws.n])
	for j, i := range ws.idx[:ws.n] {
		valid[i] = ws.out[j] == [32]byte(items[i].sig[:32])
	}
	ws.n = 0
}

// verifyEach verifies every item on its own (StdLib and Strict batches).
// These modes need an exact per-item answer: a randomized batch equation
// cannot see torsion residues that vanish under its random coefficients.
//
// Items are grouped by key (batchScratch.group): each key is decoded once,
// and a key with at least hotKeyUses items gets precomputed tables (see
// batch_keys.go). The work is one list of units handed out by a shared
// counter: first the table builds of the hot keys, then blocks of eachBlock
// items, the items of ordinary keys first and those of hot keys last,
// grouped by key. While one worker builds a key's tables the others verify
// other keys' items; an item whose key's tables are not built yet when it is
// reached is verified by the plain check instead (decode R, half-size
// equation), so no worker ever waits for a table.
//
// Per signature, one key decoded already (BenchmarkEachCheck in
// batch_calibrate_test.go, medians of 6, us): plain check (decode R,
// half-size equation) 26.5; [s]B - [k]A by VarTimeDoubleScalarBaseMult,
// batched encoding and byte comparison 32.9 (so keys without tables keep the
// plain check); the same from the key's precomputed tables 13.5.
func verifyEach(strict bool, items []batchItem, valid []bool, workers int, sc *batchScratch) {
	sc.group(items)
	keys := sc.keys
	hotKeyUses := sc.hotUses
	if hotKeyUses < 1 {
		hotKeyUses = defaultHotKeyUses
	}

	// Lay out the order: ordinary keys' items first, in item order, then
	// each hot key's items together.
	m, hotItems := 0, 0
	for j := range keys {
		c := int(keys[j].count)
		m += c
		if c >= hotKeyUses {
			hotItems += c
		}
	}
	if m == 0 {
		return
	}
	hot := sc.hot[:0]
	pos := m - hotItems
	for j := range keys {
		if int(keys[j].count) >= hotKeyUses {
			hot = append(hot, int32(j))
			keys[j].pos = int32(pos)
			pos += int(keys[j].count)
		}
	}
	sc.hot = hot
	order := resize(sc.order, m)
	sc.order = order
	plain := 0
	for i, j := range sc.keyOf {
		switch {
		case j < 0:
		case int(keys[j].count) >= hotKeyUses:
			order[keys[j].pos] = int32(i)
			keys[j].pos++
		default:
			order[plain] = int32(i)
			plain++
		}
	}

	nBuild := len(hot)
	nBlocks := (m + eachBlock - 1) / eachBlock
	nw := max(1, min(workers, nBuild+nBlocks))
	if len(sc.workers) < nw {
		sc.workers = make([]eachScratch, nw)
	}
	var next atomic.Int64
	runWorkers(nw, func(w int) {
		ws := &sc.workers[w]
		ws.n = 0
		for {
			u := int(next.Add(1)) - 1
			if u < nBuild {
				buildKey(&keys[hot[u]], items, strict)
				continue
			}
			b := u - nBuild
			if b >= nBlocks {
				break
			}
			var plain plainChecks
			for _, i := range order[b*eachBlock : min(b*eachBlock+eachBlock, m)] {
				checkEach(strict, items, valid, i, &keys[sc.keyOf[i]], ws, &plain)
			}
			plain.run(items, valid)
		}
		ws.flush(items, valid)
	})
}

// buildKey decodes a hot key and builds the tables of -A, unless the key
// is not a point or (Strict) has small order: then its items are all false
// and need no tables.
func buildKey(k *batchKey, items []batchItem, strict bool) {
	if !k.decode(&items[k.item].pub) || (strict && k.small) {
		return
	}
	var negA edwards.Point
	negA.Negate(&k.A)
	k.pre.Store(edwards.NewPrecomputedPoint(&negA))
}

// checkEach sets valid[i] to the StdLib (or Strict) verdict of items[i],
// whose key is k; with k's tables, it queues R' in ws and the verdict is
// set by ws.flush. These are the checks of edverify.VerifyWithChallenge in
// another order (they are a conjunction): s canonical; A decodes; for
// Strict, neither A nor R has small order (R by its bytes, without
// decoding); and R is the canonical encoding of [s]B - [k]A.
func checkEach(strict bool, items []batchItem, valid []bool, i int32, k *batchKey, ws *eachScratch, plain *plainChecks) {
	it := &items[i]
	var s edwards25519.Scalar
	if _, err := s.SetCanonicalBytes(it.sig[32:]); err != nil {
		return
	}
	if !k.decode(&items[k.item].pub) {
		return
	}
	R := it.sig[:32]
	if strict && (k.small || edverify.IsSmallOrderEncoding(R)) {
		return
	}
	it.hash()
	if pre := k.pre.Load(); pre != nil {
		ws.push(items, valid, i, pre, &s)
		return
	}
	plain.add(i, k, &s)
}

// plainChecks collects the items of a block that need the plain check
// (decode R, half-size equation), so that their R values are decoded
// together (edwards.DecodeFour: the four exponentiations share one where
// the CPU has AVX-512 IFMA).
type plainChecks struct {
	idx [eachBlock]int32
	key [eachBlock]*batchKey
	s   [eachBlock]edwards25519.Scalar
	n   int
}

func (p *plainChecks) add(i int32, k *batchKey, s *edwards25519.Scalar) {
	p.idx[p.n], p.key[p.n], p.s[p.n] = i, k, *s
	p.n++
}

// run sets the verdicts of the collected items: R must decode, be
// canonical (so that it can equal an encoding of R'), and satisfy
// [s]B = R + [k]A exactly, as edwards.VarTimeCheckCofactorlessBytes checks.
func (p *plainChecks) run(items []batchItem, valid []bool) {
	if p.n == 0 {
		return
	}
	var enc [4][]byte
	for j, i := range p.idx[:p.n] {
		enc[j] = items[i].sig[:32]
	}
	var R [4]edwards.Point
	canonical, ok := edwards.DecodeFour(&R, &enc)
	for j, i := range p.idx[:p.n] {
		valid[i] = ok[j] && canonical[j] &&
			edwards.VarTimeCheckCofactorless(&R[j], &p.key[j].A, &items[i].k, &p.s[j])
	}
	p.n = 0
}

// runWorkers runs work on n goroutines, the calling one included, each
// with its own number w in [0, n), and waits.
func runWorkers(n int, work func(w int)) {
	if n <= 1 {
		work(0)
		return
	}
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for w := 1; w < n; w++ {
		go func() {
			defer wg.Done()
			work(w)
		}()
	}
	work(0)
	wg.Wait()
}

// chunkCounter hands out chunk numbers to workers.
type chunkCounter struct{ n atomic.Int64 }

func (c *chunkCounter) take() int { return int(c.n.Add(1)) - 1 }
