package batch

import (
	"crypto/rand"
	"runtime"
	"sync/atomic"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
)

const (
	// minChunk is the fewest items a parallel chunk gets: each
	// chunk pays for its own multiscalar multiplication, whose cost per item
	// falls as the chunk grows.
	minChunk = 16
	// sharedEquationMin is the smallest parallel batch whose workers share
	// one equation; below it each worker checks its own entries' equation.
	// A shared multiplication needs four meetings of the workers, and below
	// about 256 terms Pippenger's window gains little from the larger sum
	// (measured at n = 64: 9.2-9.9 us per signature shared, 8.2-8.3 apart).
	sharedEquationMin = 128
	// blockSize is about the number of items a worker takes at a time in
	// a parallel batch: enough to fill the four-way decodings and torsion
	// tests twice, few enough that the workers finish within about 50 us of
	// each other (at 32, one waited about 90 us for the other at n = 256).
	blockSize = 8
	// bisectFloor is the size at or below which a failing sub-batch is
	// settled by single verification instead of further halving.
	bisectFloor = 4
)

// verifyChunks verifies the screened items: every item's checks that the
// batch equation cannot make (the decoding of A and R, under cofactorless
// rules (cofactored false) the torsion tests, after which an item with
// torsion gets the exact cofactorless check on its own), then one
// randomized batch equation over the remaining entries, with bisection if
// it fails. Every distinct key is decoded once, by the first worker that
// needs it, and shared by all.
//
// With several workers, the items are taken in blocks by whichever worker
// is free (the worker that starts first, or is not slowed by other work on
// the machine, takes more), each worker builds the equation's terms of its
// entries, and the one multiscalar multiplication is shared among them
// (edwards.MSMParallel): one multiplication over all terms costs less per
// term than one per worker over a share. The workers stay running from
// step to step, meeting at a spinning barrier. If the equation fails, each
// worker bisects its own entries.
func (sc *scratch) verifyChunks(items []Item, valid []bool, workers int, cofactored bool) {
	n := len(items)
	parts := max(1, min(workers, n/minChunk))
	if len(sc.chunks) < parts {
		grown := make([]chunkScratch, parts)
		copy(grown, sc.chunks) // keep the buffers already grown
		sc.chunks = grown
	}
	screened := 0
	for _, j := range sc.keyOf {
		if j >= 0 {
			screened++
		}
	}
	// A cofactorless batch of a few entries gets the exact check for every
	// entry instead: the torsion tests and an equation would cost it more
	// than that check (lanes mostly empty, and bisection stops at this size
	// anyway).
	exactAll := !cofactored && screened <= bisectFloor
	for c := range parts {
		sc.chunks[c].prepare(len(sc.keys))
		sc.chunks[c].entries = sc.chunks[c].entries[:0]
	}
	if parts == 1 {
		cs := &sc.chunks[0]
		cs.collect(items, valid, sc.keyOf, sc.keys, 0, n, cofactored, exactAll)
		cs.bisect(items, cs.entries, valid)
		return
	}

	blocks := max(parts, n/blockSize)
	var next atomic.Int64
	bar := barrier{parties: int32(parts)}
	var total atomic.Int64
	var holds atomic.Bool
	shared := n >= sharedEquationMin
	sc.helpers.run(parts, func(w int) {
		cs := &sc.chunks[w]
		for b := int(next.Add(1)) - 1; b < blocks; b = int(next.Add(1)) - 1 {
			cs.collect(items, valid, sc.keyOf, sc.keys, b*n/blocks, (b+1)*n/blocks, cofactored, exactAll)
		}
		if !shared {
			cs.bisect(items, cs.entries, valid)
			return
		}
		total.Add(int64(len(cs.entries)))
		cs.terms(items, cs.entries)
		bar.wait()
		if total.Load() <= bisectFloor {
			cs.single(items, cs.entries, valid)
			return
		}
		if w == 0 {
			sc.initEquation(parts)
		}
		bar.wait()
		sc.msm.Prepare(w)
		bar.wait()
		sc.msm.Sum(w)
		bar.wait()
		if w == 0 {
			holds.Store(sc.finishEquation(parts))
		}
		bar.wait()
		if holds.Load() {
			cs.allValid(cs.entries, valid)
			return
		}
		cs.bisect(items, cs.entries, valid)
	})
}

// initEquation gathers the terms that the first parts chunks built
// (chunkScratch.terms) into one multiplication, with B's term -sum z_i s_i,
// and sets up sc.msm for the workers to share.
func (sc *scratch) initEquation(parts int) {
	scalars, points := sc.allScalars[:0], sc.allPoints[:0]
	var sumZS edwards25519.Scalar
	for c := range parts {
		cs := &sc.chunks[c]
		scalars = append(scalars, cs.scalarPtrs...)
		points = append(points, cs.points...)
		sumZS.Add(&sumZS, &cs.sumZS)
	}
	sc.allScalars, sc.allPoints = scalars, points
	sc.negSumZS.Negate(&sumZS)
	sc.msms = sc.msms[:0]
	for c := range parts {
		sc.msms = append(sc.msms, &sc.chunks[c].msm)
	}
	sc.msm.Init(sc.msms, &sc.negSumZS, scalars, points)
}

// finishEquation reports whether the shared equation holds (as
// batchEquationHolds), once every worker has done its part.
func (sc *scratch) finishEquation(parts int) bool {
	var sum edwards.Point
	sc.msm.Result(&sum)
	// Drop the pointers into the chunks' entries and the batch's keys.
	clear(sc.allPoints)
	clear(sc.msms)
	for c := range parts {
		clear(sc.chunks[c].points)
	}
	sc.msm.Init(nil, nil, nil, nil)
	return sum.IsSmallOrder()
}

// barrier holds each of parties goroutines in wait until all have called
// it, then lets them all go; it can be used again at once. Waiting spins
// (yielding to the scheduler now and then) instead of parking: the waits
// in a batch are short (one block of work at most), and a parked goroutine
// takes about 90 us to wake on the project's virtual machine, longer than
// most of them. Calls to wait are synchronizing operations: what a
// goroutine wrote before its call is visible to the others after theirs.
type barrier struct {
	parties int32
	arrived atomic.Int32
	phase   atomic.Uint32
}

func (b *barrier) wait() {
	phase := b.phase.Load()
	if b.arrived.Add(1) == b.parties {
		b.arrived.Store(0)
		b.phase.Add(1)
		return
	}
	for i := 0; b.phase.Load() == phase; i++ {
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
}

// entry is an item that passed every check the batch equation cannot
// make: the screening, the decoding of A and R, and (cofactorless rules)
// the torsion tests of A and R.
type entry struct {
	R   edwards.Point
	A   *edwards.Point // the decoded key, shared by the key's items
	key int32          // index of the key in the batch's keys
	idx int32          // index into the batch's items and verdicts
}

// chunkScratch is the memory of one chunk, kept between batches.
type chunkScratch struct {
	entries    []entry
	zbytes     []byte
	scalars    []edwards25519.Scalar
	points     []*edwards.Point
	scalarPtrs []*edwards25519.Scalar
	sumZS      edwards25519.Scalar // sum z_i s_i of the terms built last

	// termOf[key] is the index in scalars of the key's A term in the
	// current equation, valid when termStamp[key] == stamp: a fresh stamp
	// per equation empties the table without clearing it.
	termOf    []int32
	termStamp []uint32
	stamp     uint32

	// msm is the multiscalar multiplication's memory, reused by every
	// equation of the chunk (and of later batches through the scratch
	// pool): without it each equation allocated about 1.5 KB a term.
	msm edwards.MSMScratch
}

// prepare sizes the key tables for nKeys keys.
func (cs *chunkScratch) prepare(nKeys int) {
	if len(cs.termOf) < nKeys {
		cs.termOf = make([]int32, nKeys)
		cs.termStamp = make([]uint32, nKeys) // zero: never a live stamp
	}
}

// collect appends to cs.entries the items in [lo, hi) that enter the
// batch equation, and sets the verdicts of the others: false for an item
// screened out or whose A or R is not a point, and under cofactorless
// rules the exact check for an item whose A or R has torsion (or for every
// item if exactAll).
//
// Points are decoded four at a time (edwards.DecodeFour: the four
// exponentiations share the lanes of one where the CPU has AVX-512 IFMA):
// first the keys this worker is the first to need, then R of every item
// whose key is a point; under cofactorless rules they are tested for
// torsion four at a time too (edwards.VarTimeTorsionFreeFour).
func (cs *chunkScratch) collect(items []Item, valid []bool, keyOf []int32, keys []batchKey, lo, hi int, cofactored, exactAll bool) {
	base := len(cs.entries)
	entries := cs.entries
	for i := lo; i < hi; i++ {
		j := keyOf[i]
		if j < 0 {
			continue // screened out: false
		}
		// The screening checked s < l (edwards.IsCanonicalScalar), so
		// this cannot fail; if it did, the verdict would stay false.
		it := &items[i]
		if _, err := it.s.SetCanonicalBytes(it.sig[32:]); err != nil {
			continue
		}
		entries = append(entries, entry{key: j, idx: int32(i)})
	}
	cs.entries = entries
	entries = entries[base:]

	// Fresh keys, claimed and decoded four at a time. The claims are held
	// only through this loop (a load and a TryLock per item) and the
	// decodings, not through the s checks above.
	kb := keyBatch{torsion: !cofactored && !exactAll}
	for i := range entries {
		k := &keys[entries[i].key]
		kb.add(k, &items[k.item].pub)
	}
	kb.flush()

	// Keys: decoded above, or by another chunk (decode waits for it).
	n := 0
	for i := range entries {
		k := &keys[entries[i].key]
		if !k.decode(&items[k.item].pub) {
			continue // not a point: the single verifier rejects it
		}
		entries[i].A = &k.A
		entries[n] = entries[i]
		n++
	}
	entries = entries[:n]

	// R, four at a time; entries whose R is not a point are dropped, and
	// under cofactorless rules so are those whose R or A has a torsion
	// component, after their exact check.
	n = 0
	for b := 0; b < len(entries); b += 4 {
		m := min(4, len(entries)-b)
		var enc [4][]byte
		for l := range m {
			enc[l] = items[entries[b+l].idx].sig[:32]
		}
		var R [4]edwards.Point
		_, ok := edwards.DecodeFour(&R, &enc)
		var free [4]bool
		if !cofactored && !exactAll {
			var pts [4]*edwards.Point
			for l := range m {
				if ok[l] {
					pts[l] = &R[l]
				}
			}
			free = edwards.VarTimeTorsionFreeFour(&pts)
		}
		for l := range m {
			if !ok[l] {
				continue
			}
			e := &entries[b+l]
			e.R = R[l]
			it := &items[e.idx]
			it.hash()
			if !cofactored && (exactAll || !(free[l] && keys[e.key].torsionFree())) {
				// The residue may have small order, which the random
				// coefficients could miss (or the chunk is small): the
				// exact check. R is canonical (screened), so
				// [s]B = R + [k]A is crypto/ed25519's byte comparison.
				valid[e.idx] = edwards.VarTimeCheckCofactorless(&e.R, e.A, &it.k, &it.s)
				continue
			}
			entries[n] = *e // n <= b+l: only entries already read are overwritten
			n++
		}
	}
	cs.entries = cs.entries[:base+n]
}

// keyBatch collects up to four fresh keys and decodes them together
// (edwards.DecodeFour), with the results of batchKey.decode. It claims a
// key by locking its mutex without waiting (TryLock): a key that another
// chunk is decoding, or that is already in the batch, is skipped and left
// to batchKey.decode, which waits for the result. Since a claim never
// waits, chunks cannot deadlock on each other's claims; a chunk that needs
// a claimed key waits until the claiming chunk has four keys, or has
// scanned the rest of its items, and has decoded them.
type keyBatch struct {
	keys    [4]*batchKey
	enc     [4][]byte
	n       int
	torsion bool // also test the keys for torsion (cofactorless rules)
}

// add claims k, whose bytes are pub, unless it is decoded or claimed
// already, and decodes the batch once it holds four keys.
func (kb *keyBatch) add(k *batchKey, pub *[32]byte) {
	if k.state.Load() != keyFresh || !k.mu.TryLock() {
		return
	}
	if k.state.Load() != keyFresh {
		k.mu.Unlock()
		return
	}
	kb.keys[kb.n], kb.enc[kb.n] = k, pub[:]
	kb.n++
	if kb.n == len(kb.keys) {
		kb.flush()
	}
}

// flush decodes the claimed keys, publishes each result (batchKey.publish,
// as batchKey.decode does) and releases the claims.
func (kb *keyBatch) flush() {
	if kb.n == 0 {
		return
	}
	var A [4]edwards.Point
	_, ok := edwards.DecodeFour(&A, &kb.enc)
	if kb.torsion {
		var pts [4]*edwards.Point
		for l := range kb.n {
			if ok[l] {
				pts[l] = &A[l]
			}
		}
		free := edwards.VarTimeTorsionFreeFour(&pts)
		for l, k := range kb.keys[:kb.n] {
			if ok[l] {
				k.setTorsionFree(free[l])
			}
		}
	}
	for l, k := range kb.keys[:kb.n] {
		k.publish(&A[l], ok[l])
		k.mu.Unlock()
	}
	*kb = keyBatch{torsion: kb.torsion}
}

// bisect settles the verdicts of entries: all true if the batch equation
// holds, otherwise the failing set is narrowed down by settleFailed.
func (cs *chunkScratch) bisect(items []Item, entries []entry, valid []bool) {
	if len(entries) == 0 {
		return
	}
	if len(entries) <= bisectFloor {
		cs.single(items, entries, valid)
		return
	}
	if cs.batchEquationHolds(items, entries) {
		cs.allValid(entries, valid)
		return
	}
	cs.settleFailed(items, entries, valid)
}

// settleFailed settles entries whose batch equation failed, so that at
// least one of them is invalid. It tests the halves: a half that passes is
// valid; if exactly one half fails, the bad items are in it and it is
// narrowed down the same way (without testing it again); if both halves
// fail, the bad items are dense here and another level would cost one more
// equation over every entry, so each entry is checked singly.
//
// Costs, with c the batch equation's cost per entry (about 10 us at n = 256
// on the project machine) and s a single check (about 25 us): one bad item
// among n costs about 2nc in equations (each level tests half of what the
// level above tested, at most twice); any number of bad items costs at most
// 2nc + ns, never much more than single verification of everything
// (BenchmarkZIP215Invalid: with 64 of 256 invalid, bisection to the floor
// cost 90 us per signature, this 45).
func (cs *chunkScratch) settleFailed(items []Item, entries []entry, valid []bool) {
	if len(entries) <= bisectFloor {
		cs.single(items, entries, valid)
		return
	}
	mid := len(entries) / 2
	left, right := entries[:mid], entries[mid:]
	leftOK := len(left) > bisectFloor && cs.batchEquationHolds(items, left)
	if leftOK {
		cs.allValid(left, valid)
		cs.settleFailed(items, right, valid)
		return
	}
	rightOK := len(right) > bisectFloor && cs.batchEquationHolds(items, right)
	if rightOK {
		cs.allValid(right, valid)
		cs.settleFailed(items, left, valid)
		return
	}
	cs.single(items, left, valid)
	cs.single(items, right, valid)
}

// single checks each entry with the single cofactored equation.
func (cs *chunkScratch) single(items []Item, entries []entry, valid []bool) {
	for i := range entries {
		e := &entries[i]
		valid[e.idx] = edverify.CofactoredEquation(e.A, &items[e.idx].k, &items[e.idx].s, &e.R)
	}
}

func (cs *chunkScratch) allValid(entries []entry, valid []bool) {
	for i := range entries {
		valid[entries[i].idx] = true
	}
}

// batchEquationHolds checks, with fresh 128-bit coefficients z_i from
// crypto/rand,
//
//	[8]( sum z_i R_i + sum_A (sum_{i: A_i = A} z_i k_i) A - [sum z_i s_i] B ) = identity.
//
// If every entry satisfies the cofactored single equation this holds. If one
// does not, its residue after multiplication by 8 lies in the prime-order
// subgroup, and the sum vanishes with probability at most 2^-128 over the
// choice of z. Signatures under the same key bytes share one A term.
func (cs *chunkScratch) batchEquationHolds(items []Item, entries []entry) bool {
	cs.terms(items, entries)
	var negSumZS edwards25519.Scalar
	negSumZS.Negate(&cs.sumZS)
	var sum edwards.Point
	sum.VarTimeMultiScalarBaseMultScratch(&cs.msm, &negSumZS, cs.scalarPtrs, cs.points)
	// Drop the pointers into this chunk's entries and the batch's keys.
	clear(cs.points)
	return sum.IsSmallOrder()
}

// terms draws fresh coefficients z_i for entries and builds the equation's
// terms but B's: cs.scalarPtrs and cs.points hold z_i with R_i and, one per
// key, the sum of z_i k_i with A; cs.sumZS is sum z_i s_i.
func (cs *chunkScratch) terms(items []Item, entries []entry) {
	n := len(entries)
	cs.zbytes = resize(cs.zbytes, 16*n)
	zbytes := cs.zbytes
	rand.Read(zbytes) // crypto/rand.Read never returns an error since Go 1.24.

	// At most 2n terms: scalars never reallocates below, so the pointers
	// taken into it stay valid.
	if cap(cs.scalars) < 2*n {
		cs.scalars = make([]edwards25519.Scalar, 0, 2*n)
		cs.points = make([]*edwards.Point, 0, 2*n)
	}
	scalars, points := cs.scalars[:0], cs.points[:0]
	cs.stamp++
	if cs.stamp == 0 { // wrapped: forget every old stamp
		clear(cs.termStamp)
		cs.stamp = 1
	}
	stamp := cs.stamp

	var sumZS edwards25519.Scalar
	var buf [32]byte
	for i := range entries {
		e := &entries[i]
		copy(buf[:16], zbytes[16*i:16*i+16])
		var z edwards25519.Scalar
		if _, err := z.SetCanonicalBytes(buf[:]); err != nil {
			panic("batch: internal error: 128-bit coefficient rejected")
		}
		sumZS.MultiplyAdd(&z, &items[e.idx].s, &sumZS)

		scalars = append(scalars, z)
		points = append(points, &e.R)

		k := &items[e.idx].k
		if cs.termStamp[e.key] == stamp {
			j := cs.termOf[e.key]
			scalars[j].MultiplyAdd(&z, k, &scalars[j])
			continue
		}
		cs.termStamp[e.key] = stamp
		cs.termOf[e.key] = int32(len(scalars))
		var zk edwards25519.Scalar
		zk.Multiply(&z, k)
		scalars = append(scalars, zk)
		points = append(points, e.A)
	}
	cs.sumZS = sumZS
	cs.points = points
	cs.scalarPtrs = resize(cs.scalarPtrs, len(scalars))
	for i := range scalars {
		cs.scalarPtrs[i] = &scalars[i]
	}
}
