package edwards

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"filippo.io/edwards25519"
)

type msmInput struct {
	scalars  []*edwards25519.Scalar
	fPoints  []*edwards25519.Point
	points   []*Point
	wantSum  *edwards25519.Point
	baseS    *edwards25519.Scalar
	wantBase *edwards25519.Point // [baseS]B + wantSum
}

// newMSMInput draws n terms mixing random, torsioned and torsion points,
// decoded (Z = 1) and scrambled representations, full, 128-bit and edge
// scalars, and repeated points.
func newMSMInput(t testing.TB, rng *rand.Rand, pool []*edwards25519.Point, n int) *msmInput {
	in := &msmInput{}
	edges := edgeScalars()
	for i := 0; i < n; i++ {
		fp := pool[rng.IntN(len(pool))]
		p := fromFilippo(t, fp)
		if rng.IntN(2) == 0 {
			p = scramble(rng, p)
		}
		var s *edwards25519.Scalar
		switch rng.IntN(8) {
		case 0:
			s = edges[rng.IntN(len(edges))]
		case 1, 2, 3:
			s = scalarOfBits(rng, 128)
		default:
			s = randScalar(rng)
		}
		in.scalars = append(in.scalars, s)
		in.fPoints = append(in.fPoints, fp)
		in.points = append(in.points, p)
	}
	in.wantSum = new(edwards25519.Point).VarTimeMultiScalarMult(in.scalars, in.fPoints)
	in.baseS = randScalar(rng)
	in.wantBase = new(edwards25519.Point).ScalarBaseMult(in.baseS)
	in.wantBase.Add(in.wantBase, in.wantSum)
	return in
}

func msmPool(t testing.TB, rng *rand.Rand) []*edwards25519.Point {
	return testPoints(t, rng, 60)
}

func TestVarTimeMultiScalarMult(t *testing.T) {
	rng := newRand(t)
	pool := msmPool(t, rng)
	var sizes []int
	for n := 0; n <= 300; n++ {
		if testing.Short() && n > 20 && n%23 != 0 && n != pippengerThreshold-1 && n != pippengerThreshold {
			continue
		}
		sizes = append(sizes, n)
	}
	if !testing.Short() {
		sizes = append(sizes, 1000)
	}
	for _, n := range sizes {
		in := newMSMInput(t, rng, pool, n)
		samePoint(t, fmt.Sprintf("n=%d", n), new(Point).VarTimeMultiScalarMult(in.scalars, in.points), in.wantSum)
		samePoint(t, fmt.Sprintf("n=%d with base", n), new(Point).VarTimeMultiScalarBaseMult(in.baseS, in.scalars, in.points), in.wantBase)
	}
}

// TestMSMEngines runs Straus and Pippenger (at every window) on the same
// inputs, whatever the dispatch would pick.
func TestMSMEngines(t *testing.T) {
	rng := newRand(t)
	pool := msmPool(t, rng)
	sizes := []int{1, 2, 3, 5, 17, 64, 200}
	if testing.Short() {
		sizes = []int{1, 2, 5, 40}
	}
	// One scratch for every call, reused dirty across sizes and windows
	// (as the batch verifier reuses it), and nil (fresh memory) for Straus.
	sc := new(MSMScratch)
	for _, n := range sizes {
		in := newMSMInput(t, rng, pool, n)
		samePoint(t, fmt.Sprintf("straus n=%d", n), new(Point).straus(nil, nil, in.scalars, in.points), in.wantSum)
		samePoint(t, fmt.Sprintf("straus+B n=%d", n), new(Point).straus(nil, in.baseS, in.scalars, in.points), in.wantBase)
		samePoint(t, fmt.Sprintf("straus scratch n=%d", n), new(Point).straus(sc, nil, in.scalars, in.points), in.wantSum)
		samePoint(t, fmt.Sprintf("straus+B scratch n=%d", n), new(Point).straus(sc, in.baseS, in.scalars, in.points), in.wantBase)
		for w := uint(4); w <= 13; w++ {
			samePoint(t, fmt.Sprintf("pippenger n=%d w=%d", n, w), new(Point).pippenger(sc, nil, in.scalars, in.points, w), in.wantSum)
			samePoint(t, fmt.Sprintf("pippenger+B n=%d w=%d", n, w), new(Point).pippenger(sc, in.baseS, in.scalars, in.points, w), in.wantBase)
		}
		samePoint(t, fmt.Sprintf("MultiScalarBaseMultScratch n=%d", n),
			new(Point).VarTimeMultiScalarBaseMultScratch(sc, in.baseS, in.scalars, in.points), in.wantBase)
	}
}

func TestMSMEdgeCases(t *testing.T) {
	rng := newRand(t)
	pool := msmPool(t, rng)
	zero := edwards25519.NewScalar()
	for _, n := range []int{1, 4, pippengerThreshold + 3} {
		in := newMSMInput(t, rng, pool, n)
		// All-zero scalars.
		zs := make([]*edwards25519.Scalar, n)
		for i := range zs {
			zs[i] = zero
		}
		if !new(Point).VarTimeMultiScalarMult(zs, in.points).IsIdentity() {
			t.Fatalf("n=%d: zero scalars", n)
		}
		if !new(Point).pippenger(new(MSMScratch), nil, zs, in.points, 6).IsIdentity() {
			t.Fatalf("n=%d: pippenger zero scalars", n)
		}
		// P and -P with equal scalars cancel inside buckets.
		pts := append([]*Point{}, in.points...)
		sc := append([]*edwards25519.Scalar{}, in.scalars...)
		for i := range in.points {
			pts = append(pts, new(Point).Negate(in.points[i]))
			sc = append(sc, in.scalars[i])
		}
		if !new(Point).VarTimeMultiScalarMult(sc, pts).IsIdentity() {
			t.Fatalf("n=%d: cancelling terms", n)
		}
		if !new(Point).pippenger(new(MSMScratch), nil, sc, pts, 5).IsIdentity() {
			t.Fatalf("n=%d: pippenger cancelling terms", n)
		}
		// The receiver aliasing an input point.
		v := in.points[0]
		want := in.wantSum
		samePoint(t, "aliased receiver", v.VarTimeMultiScalarMult(in.scalars, in.points), want)
	}
	// Only a base term.
	s := randScalar(rng)
	samePoint(t, "base only", new(Point).VarTimeMultiScalarBaseMult(s, nil, nil), new(edwards25519.Point).ScalarBaseMult(s))
	if !new(Point).VarTimeMultiScalarMult(nil, nil).IsIdentity() {
		t.Fatal("empty sum")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on mismatched lengths")
		}
	}()
	new(Point).VarTimeMultiScalarMult(make([]*edwards25519.Scalar, 1), nil)
}

// runMSMParallel runs an MSMParallel the way its callers do: each step on
// one goroutine per worker, all of a step finished before the next.
func runMSMParallel(scs []*MSMScratch, s *Scalar, scalars []*Scalar, points []*Point) *Point {
	var p MSMParallel
	p.Init(scs, s, scalars, points)
	for _, step := range []func(int){p.Prepare, p.Sum} {
		var wg sync.WaitGroup
		for w := range scs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				step(w)
			}()
		}
		wg.Wait()
	}
	return p.Result(new(Point))
}

// TestMSMParallel compares the parallel multiplication with the expected
// sums at sizes around the Pippenger threshold, with 1 to 4 scratches
// reused dirty across calls, with and without the base term, and with
// scalars of only 128 bits (whose upper windows are empty) or all zero.
func TestMSMParallel(t *testing.T) {
	rng := newRand(t)
	pool := msmPool(t, rng)
	sizes := []int{0, 1, pippengerThreshold - 1, pippengerThreshold, 150, 513}
	if testing.Short() {
		sizes = []int{0, pippengerThreshold - 1, pippengerThreshold, 200}
	}
	scs := []*MSMScratch{new(MSMScratch), new(MSMScratch), new(MSMScratch), new(MSMScratch)}
	zero := edwards25519.NewScalar()
	for _, n := range sizes {
		in := newMSMInput(t, rng, pool, n)
		short := make([]*edwards25519.Scalar, n)
		zs := make([]*edwards25519.Scalar, n)
		for i := range short {
			short[i] = scalarOfBits(rng, 128)
			zs[i] = zero
		}
		wantShort := new(edwards25519.Point).VarTimeMultiScalarMult(short, in.fPoints)
		for parts := 1; parts <= len(scs); parts++ {
			name := fmt.Sprintf("n=%d parts=%d", n, parts)
			samePoint(t, name, runMSMParallel(scs[:parts], nil, in.scalars, in.points), in.wantSum)
			samePoint(t, name+" with base", runMSMParallel(scs[:parts], in.baseS, in.scalars, in.points), in.wantBase)
			samePoint(t, name+" 128-bit scalars", runMSMParallel(scs[:parts], nil, short, in.points), wantShort)
			if !runMSMParallel(scs[:parts], nil, zs, in.points).IsIdentity() {
				t.Fatalf("%s: zero scalars", name)
			}
		}
	}
}

// TestWindowRanges checks the split of the windows: contiguous ranges
// covering every window, no more than asked for, and no range costlier
// than the best split found by trying every pair of cuts.
func TestWindowRanges(t *testing.T) {
	rng := newRand(t)
	const w = 7
	for trial := range 200 {
		nw := 1 + rng.IntN(37)
		counts := make([]int32, nw)
		for j := range counts {
			if rng.IntN(4) > 0 {
				counts[j] = int32(rng.IntN(1200))
			}
		}
		for parts := 1; parts <= 3; parts++ {
			starts := windowRanges(counts, w, parts)
			if starts[0] != 0 || starts[len(starts)-1] != nw || len(starts)-1 > parts {
				t.Fatalf("trial %d parts %d: starts %v for %d windows", trial, parts, starts, nw)
			}
			got := int64(0)
			for r := 0; r+1 < len(starts); r++ {
				if starts[r] >= starts[r+1] {
					t.Fatalf("trial %d: empty or unordered range in %v", trial, starts)
				}
				got = max(got, rangeCost(counts, w, starts[r], starts[r+1]-1))
			}
			if best := bestSplitCost(counts, w, parts); got != best {
				t.Fatalf("trial %d parts %d: largest range costs %d, best split %d", trial, parts, got, best)
			}
		}
	}
}

// rangeCost is windowRanges's cost of the windows [lo, hi], written out.
func rangeCost(counts []int32, w uint, lo, hi int) int64 {
	c := 7 * int64(w) * int64(hi)
	for j := lo; j <= hi; j++ {
		c += windowCost(counts[j], w)
	}
	return c
}

// bestSplitCost tries every split into at most parts (up to 3) ranges.
func bestSplitCost(counts []int32, w uint, parts int) int64 {
	nw := len(counts)
	best := rangeCost(counts, w, 0, nw-1)
	for a := 1; a < nw && parts >= 2; a++ {
		best = min(best, max(rangeCost(counts, w, 0, a-1), rangeCost(counts, w, a, nw-1)))
		for b := a + 1; b < nw && parts >= 3; b++ {
			best = min(best, max(rangeCost(counts, w, 0, a-1), rangeCost(counts, w, a, b-1), rangeCost(counts, w, b, nw-1)))
		}
	}
	return best
}

// TestWindowCost checks the shape of the window cost model: nothing for an
// empty window, more for more digits, and for a dense window the plain
// count (every bucket filled, two accumulations per bucket).
func TestWindowCost(t *testing.T) {
	for _, w := range []uint{4, 6, 7, 9} {
		if c := windowCost(0, w); c != 0 {
			t.Fatalf("w=%d: an empty window costs %d", w, c)
		}
		prev := int64(0)
		for c := int32(1); c < 5000; c++ {
			got := windowCost(c, w)
			if got < prev {
				t.Fatalf("w=%d: %d digits cost %d, %d digits %d", w, c, got, c-1, prev)
			}
			prev = got
		}
		acc := 6.0
		if useVec {
			acc = 9.5
		}
		nb := float64(int64(1) << (w - 1))
		c := int32(64 * nb)
		dense := 7*(float64(c)-nb) + 2*acc*nb
		if got := float64(windowCost(c, w)); got < 0.99*dense || got > 1.01*dense {
			t.Fatalf("w=%d: a dense window (%d digits) costs %.0f, want about %.0f", w, c, got, dense)
		}
	}
}
