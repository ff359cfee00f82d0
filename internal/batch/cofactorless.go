package batch

import (
	"sync/atomic"

	"github.com/ronkms/ronkms/internal/edwards"
)

// eachBlock is how many items a worker takes at a time in cofactorless batches:
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
func (ws *eachScratch) push(items []Item, valid []bool, i int32, pre *edwards.PrecomputedPoint) {
	ws.pts[ws.n].VarTimeDoubleScalarBaseMultPrecomputed(&items[i].k, pre, &items[i].s)
	ws.idx[ws.n] = i
	ws.n++
	if ws.n == eachEncodeBatch {
		ws.flush(items, valid)
	}
}

// flush encodes the queued R' and sets each verdict: R' encodes to R byte
// for byte, the final comparison of crypto/ed25519.Verify. BatchEncode's
// output is canonical, so a non-canonical R never matches.
func (ws *eachScratch) flush(items []Item, valid []bool) {
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

// verifyCofactorless verifies every screened item on its own. Cofactorless
// rules need an exact per-item answer: a randomized batch equation cannot
// see torsion residues that vanish under its random coefficients.
//
// Each key is decoded once, and a key with at least hotKeyUses items gets
// precomputed tables (see keys.go). The work is one list of units handed
// out by a shared counter: first the table builds of the hot keys, then
// blocks of eachBlock items, the items of ordinary keys first and those of
// hot keys last, grouped by key. While one worker builds a key's tables the
// others verify other keys' items; an item whose key's tables are not built
// yet when it is reached is verified by the plain check instead (decode R,
// half-size equation), so no worker ever waits for a table.
//
// Per signature, one key decoded already (BenchmarkEachCheck in
// calibrate_test.go, medians of 6, us): plain check (decode R, half-size
// equation) 26.5; [s]B - [k]A by VarTimeDoubleScalarBaseMult, batched
// encoding and byte comparison 32.9 (so keys without tables keep the plain
// check); the same from the key's precomputed tables 13.5.
func (sc *scratch) verifyCofactorless(items []Item, valid []bool, workers, hotKeyUses int) {
	keys := sc.keys

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
				buildKey(&keys[hot[u]], items)
				continue
			}
			b := u - nBuild
			if b >= nBlocks {
				break
			}
			var plain plainChecks
			for _, i := range order[b*eachBlock : min(b*eachBlock+eachBlock, m)] {
				checkEach(items, valid, i, &keys[sc.keyOf[i]], ws, &plain)
			}
			plain.run(items, valid)
		}
		ws.flush(items, valid)
	})
}

// buildKey decodes a hot key and builds the tables of -A, unless the key
// is not a point: then its items are all false and need no tables.
func buildKey(k *batchKey, items []Item) {
	if !k.decode(&items[k.item].pub) {
		return
	}
	var negA edwards.Point
	negA.Negate(&k.A)
	k.pre.Store(edwards.NewPrecomputedPoint(&negA))
}

// checkEach verifies screened item i, whose key is k: A must decode, and R
// must be the canonical encoding of [s]B - [k]A (the screening has checked
// s and the byte-level rules). With k's tables it queues R' in ws and the
// verdict is set by ws.flush; otherwise plain collects it.
func checkEach(items []Item, valid []bool, i int32, k *batchKey, ws *eachScratch, plain *plainChecks) {
	if !k.decode(&items[k.item].pub) {
		return
	}
	items[i].hash()
	if pre := k.pre.Load(); pre != nil {
		ws.push(items, valid, i, pre)
		return
	}
	plain.add(i, k)
}

// plainChecks collects the items of a block that need the plain check
// (decode R, half-size equation), so that their R values are decoded
// together (edwards.DecodeFour: the four exponentiations share one where
// the CPU has AVX-512 IFMA).
type plainChecks struct {
	idx [eachBlock]int32
	key [eachBlock]*batchKey
	n   int
}

func (p *plainChecks) add(i int32, k *batchKey) {
	p.idx[p.n], p.key[p.n] = i, k
	p.n++
}

// run sets the verdicts of the collected items: R must decode, be
// canonical (so that it can equal an encoding of R'), and satisfy
// [s]B = R + [k]A exactly, as edwards.VarTimeCheckCofactorlessBytes checks.
func (p *plainChecks) run(items []Item, valid []bool) {
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
			edwards.VarTimeCheckCofactorless(&R[j], &p.key[j].A, &items[i].k, &items[i].s)
	}
	p.n = 0
}
