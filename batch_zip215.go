package ronkms

import (
	"crypto/rand"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
)

const (
	// minZIP215Chunk is the fewest items a parallel ZIP215 chunk gets: each
	// chunk pays for its own multiscalar multiplication, whose cost per item
	// falls as the chunk grows.
	minZIP215Chunk = 16
	// bisectFloor is the size at or below which a failing ZIP215 sub-batch is
	// settled by single verification instead of further halving.
	bisectFloor = 4
)

// verifyZIP215Chunks splits items into contiguous chunks, one per worker,
// and verifies each with the randomized cofactored batch equation.
func verifyZIP215Chunks(items []batchItem, valid []bool, workers int) {
	n := len(items)
	chunks := max(1, min(workers, n/minZIP215Chunk))
	var next chunkCounter
	runWorkers(chunks, func() {
		for c := next.take(); c < chunks; c = next.take() {
			lo, hi := c*n/chunks, (c+1)*n/chunks
			verifyZIP215(items[lo:hi], valid[lo:hi])
		}
	})
}

// zipEntry is an item that passed every check the batch equation cannot
// make: lengths, canonical s, A and R decoding.
type zipEntry struct {
	A, R edwards.Point
	s    edwards25519.Scalar
	idx  int // index into the chunk's items and verdicts
}

// verifyZIP215 sets valid[i] to the ZIP215 single verdict of items[i].
func verifyZIP215(items []batchItem, valid []bool) {
	entries := make([]zipEntry, 0, len(items))
	for i := range items {
		it := &items[i]
		if !it.lengthsOK {
			continue
		}
		it.hash()
		entries = append(entries, zipEntry{idx: i})
		e := &entries[len(entries)-1]
		_, errS := e.s.SetCanonicalBytes(it.sig[32:])
		_, errA := e.A.SetBytes(it.pub[:])
		_, errR := e.R.SetBytes(it.sig[:32])
		if errS != nil || errA != nil || errR != nil {
			// The single verifier rejects these; they stay false.
			entries = entries[:len(entries)-1]
		}
	}
	bisect(items, entries, valid)
}

// bisect settles the verdicts of entries: all true if the batch equation
// holds, otherwise each half again, down to single verification at
// bisectFloor. One bad item among n costs about 2 log2(n) equations of
// shrinking size rather than n single verifications.
func bisect(items []batchItem, entries []zipEntry, valid []bool) {
	if len(entries) == 0 {
		return
	}
	if len(entries) <= bisectFloor {
		for i := range entries {
			e := &entries[i]
			valid[e.idx] = edverify.CofactoredEquation(&e.A, &items[e.idx].k, &e.s, &e.R)
		}
		return
	}
	if batchEquationHolds(items, entries) {
		for i := range entries {
			valid[entries[i].idx] = true
		}
		return
	}
	mid := len(entries) / 2
	bisect(items, entries[:mid], valid)
	bisect(items, entries[mid:], valid)
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
func batchEquationHolds(items []batchItem, entries []zipEntry) bool {
	n := len(entries)
	zbytes := make([]byte, 16*n)
	rand.Read(zbytes) // crypto/rand.Read never returns an error since Go 1.24.

	scalars := make([]edwards25519.Scalar, 0, 2*n)
	points := make([]*edwards.Point, 0, 2*n)
	keyTerm := make(map[[32]byte]int, n) // key bytes -> index of its A term

	var sumZS edwards25519.Scalar
	var buf [32]byte
	for i := range entries {
		e := &entries[i]
		copy(buf[:16], zbytes[16*i:16*i+16])
		var z edwards25519.Scalar
		if _, err := z.SetCanonicalBytes(buf[:]); err != nil {
			panic("ronkms: internal error: 128-bit coefficient rejected")
		}
		sumZS.MultiplyAdd(&z, &e.s, &sumZS)

		scalars = append(scalars, z)
		points = append(points, &e.R)

		it := &items[e.idx]
		if j, ok := keyTerm[it.pub]; ok {
			scalars[j].MultiplyAdd(&z, &it.k, &scalars[j])
			continue
		}
		keyTerm[it.pub] = len(scalars)
		var zk edwards25519.Scalar
		zk.Multiply(&z, &it.k)
		scalars = append(scalars, zk)
		points = append(points, &e.A)
	}
	var negSumZS edwards25519.Scalar
	negSumZS.Negate(&sumZS)

	scalarPtrs := make([]*edwards25519.Scalar, len(scalars))
	for i := range scalars {
		scalarPtrs[i] = &scalars[i]
	}
	var sum edwards.Point
	sum.VarTimeMultiScalarBaseMult(&negSumZS, scalarPtrs, points)
	return sum.IsSmallOrder()
}
