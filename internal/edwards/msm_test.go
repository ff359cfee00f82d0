package edwards

import (
	"fmt"
	"math/rand/v2"
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
