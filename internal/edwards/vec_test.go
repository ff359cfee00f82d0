package edwards

import (
	"testing"

	"filippo.io/edwards25519"
	"github.com/ronkms/ronkms/field"
	"github.com/ronkms/ronkms/internal/cpufeat"
)

// The lane routines are checked three ways: against their generic twins
// (same formulas, exact field values), against filippo.io/edwards25519 (the
// group law), and with limbs at the edges of what they accept.

func vecToFilippo(t testing.TB, v *vecPoint) *edwards25519.Point {
	t.Helper()
	return toFilippo(t, v.toP3(new(Point)))
}

// sameLanes fails unless a and b hold the same four field elements.
func sameLanes(t testing.TB, what string, a, b *field.Lanes) {
	t.Helper()
	var x, y [4]fe
	a.Get(&x[0], &x[1], &x[2], &x[3])
	b.Get(&y[0], &y[1], &y[2], &y[3])
	for i := range x {
		if x[i].Equal(&y[i]) != 1 {
			t.Fatalf("%s: lane %d differs from the generic twin", what, i)
		}
	}
}

// checkLaneBounds fails if a limb is at or above 2^52, which the next IFMA
// product could not read.
func checkLaneBounds(t testing.TB, what string, a *field.Lanes) {
	t.Helper()
	for i := range a {
		for c, l := range a[i] {
			if l >= 1<<52 {
				t.Fatalf("%s: limb %d of lane %d is %#x, not below 2^52", what, i, c, l)
			}
		}
	}
}

// vecOps runs every lane routine on p and q with both implementations and
// checks them against each other and against filippo.
func vecOps(t testing.TB, p, q *Point) {
	t.Helper()
	fp, fq := toFilippo(t, p), toFilippo(t, q)
	var vp, vq, got, want vecPoint
	var cq, cwant vecCached
	vp.fromP3(p)
	vq.fromP3(q)

	vecDouble(&got, &vp)
	vecDoubleGeneric(&want, &vp)
	sameLanes(t, "double", got.lanes(), want.lanes())
	checkLaneBounds(t, "double", got.lanes())
	samePoint(t, "double", got.toP3(new(Point)), new(edwards25519.Point).Add(fp, fp))

	vecCache(&cq, &vq)
	vecCacheGeneric(&cwant, &vq)
	sameLanes(t, "cache", cq.lanes(), cwant.lanes())
	checkLaneBounds(t, "cache", cq.lanes())

	for neg := uint64(0); neg < 2; neg++ {
		vecAdd(&got, &vp, &cq, neg)
		vecAddGeneric(&want, &vp, &cq, neg)
		sameLanes(t, "add", got.lanes(), want.lanes())
		checkLaneBounds(t, "add", got.lanes())
		ref := new(edwards25519.Point).Add(fp, fq)
		if neg == 1 {
			ref.Subtract(fp, fq)
		}
		samePoint(t, "add", got.toP3(new(Point)), ref)

		// Aliased receiver.
		alias := vp
		vecAdd(&alias, &alias, &cq, neg)
		samePoint(t, "add aliased", alias.toP3(new(Point)), ref)
	}
	alias := vp
	vecDouble(&alias, &alias)
	samePoint(t, "double aliased", alias.toP3(new(Point)), new(edwards25519.Point).Add(fp, fp))
}

// vecImpls lists the lane routine implementations this build can run on
// this CPU (the generic twins always).
func vecImpls() []int {
	impls := []int{vecImplGeneric}
	if cpufeat.AVX512IFMA {
		impls = append(impls, vecImplIFMA)
	}
	if cpufeat.AVX2 {
		impls = append(impls, vecImplAVX2)
	}
	return impls
}

var vecImplNames = map[int]string{vecImplGeneric: "generic", vecImplIFMA: "ifma", vecImplAVX2: "avx2"}

// onEveryVecImpl runs f with vecImpl set to each implementation of
// vecImpls, restoring it afterwards.
func onEveryVecImpl(t *testing.T, f func(t *testing.T)) {
	saved := vecImpl
	defer func() { vecImpl = saved }()
	for _, impl := range vecImpls() {
		vecImpl = impl
		t.Run("vecImpl="+vecImplNames[impl], f)
	}
}

func TestVecOps(t *testing.T) { onEveryVecImpl(t, testVecOps) }

func testVecOps(t *testing.T) {
	rng := newRand(t)
	// Each point runs every routine twice (with q and with itself): at
	// least 1,024 calls per routine, plus the identity cases.
	n := 512
	if testing.Short() {
		n = 32
	}
	pts := testPoints(t, rng, n)
	for i, fp := range pts {
		p := scramble(rng, fromFilippo(t, fp))
		q := fromFilippo(t, pts[rng.IntN(len(pts))])
		if i%3 == 0 {
			q = scramble(rng, q)
		}
		vecOps(t, p, q)
		vecOps(t, p, p) // doubling through addition
	}
	// Identity on either side.
	id := NewIdentityPoint()
	for _, fp := range pts[:9] {
		vecOps(t, id, fromFilippo(t, fp))
		vecOps(t, fromFilippo(t, fp), id)
	}
}

// TestVecEdgeLimbs feeds the routines coordinates whose limbs sit at the
// edges of the input range (0, 2^51 - 19, 2^51 - 1, 2^52 - 1, ...): the
// results are not meaningful points, but the assembly must compute the same
// field values as its twin and keep its outputs below 2^52.
func TestVecEdgeLimbs(t *testing.T) { onEveryVecImpl(t, testVecEdgeLimbs) }

func testVecEdgeLimbs(t *testing.T) {
	edges := []uint64{0, 1, 19, 1<<51 - 19, 1<<51 - 1, 1 << 51, 1<<51 + 1<<42, 1<<52 - 1}
	rng := newRand(t)
	iters := 1024
	if testing.Short() {
		iters = 128
	}
	for it := 0; it < iters; it++ {
		var p vecPoint
		var q vecCached
		for i := range p {
			for c := range p[i] {
				if rng.IntN(2) == 0 {
					p[i][c] = edges[rng.IntN(len(edges))]
				} else {
					p[i][c] = rng.Uint64() & (1<<52 - 1)
				}
				q[i][c] = edges[rng.IntN(len(edges))]
			}
		}
		var got, want vecPoint
		vecDouble(&got, &p)
		vecDoubleGeneric(&want, &p)
		sameLanes(t, "double", got.lanes(), want.lanes())
		checkLaneBounds(t, "double", got.lanes())
		for neg := uint64(0); neg < 2; neg++ {
			vecAdd(&got, &p, &q, neg)
			vecAddGeneric(&want, &p, &q, neg)
			sameLanes(t, "add", got.lanes(), want.lanes())
			checkLaneBounds(t, "add", got.lanes())
		}
		var c, cw vecCached
		vecCache(&c, &p)
		vecCacheGeneric(&cw, &p)
		sameLanes(t, "cache", c.lanes(), cw.lanes())
		checkLaneBounds(t, "cache", c.lanes())
	}
}

// TestVecTables checks the lane-form tables against their sources.
func TestVecTables(t *testing.T) {
	rng := newRand(t)
	for _, fp := range testPoints(t, rng, 8) {
		p := scramble(rng, fromFilippo(t, fp))
		var tab vecTable8
		tab.init(p)
		for j := range tab {
			// [2j+1]P + identity through the cached entry.
			var acc vecPoint = vecIdentity
			vecAdd(&acc, &acc, &tab[j], 0)
			want := new(edwards25519.Point).ScalarMult(scalarFromInt(uint64(2*j+1)), fp)
			samePoint(t, "vecTable8", acc.toP3(new(Point)), want)
		}
	}
	for _, tt := range []struct {
		v *vecNafTable
		a *affineNafTable
	}{{vecBNaf, bNaf}, {vecB128Naf, b128Naf}} {
		for j := range tt.v {
			var acc, want vecPoint
			acc = vecIdentity
			vecAdd(&acc, &acc, &tt.v[j], 0)
			want.fromP3(new(Point).fromAffineCached(&tt.a[j]))
			samePoint(t, "vecNafTable", acc.toP3(new(Point)), toFilippo(t, want.toP3(new(Point))))
		}
	}
}

func scalarFromInt(x uint64) *edwards25519.Scalar {
	var b [32]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(x >> (8 * i))
	}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}

// FuzzVecOps compares the lane routines with their generic twins and with
// filippo on points [a]B + T_i and [b]B + T_j.
func FuzzVecOps(f *testing.F) {
	f.Add([]byte{1}, []byte{2}, uint8(0), uint8(0))
	f.Add([]byte{}, []byte{}, uint8(3), uint8(5))
	f.Add([]byte{0xff, 0xff}, []byte{7}, uint8(4), uint8(4))
	f.Fuzz(func(t *testing.T, as, bs []byte, ti, tj uint8) {
		_, _, p, q := fuzzPoints(t, as, bs, ti, tj)
		onEveryVecImpl(t, func(t *testing.T) { vecOps(t, p, q) })
	})
}
