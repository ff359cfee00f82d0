package edwards

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"
)

// The one-point-per-lane comb (comb.go) is checked like the other lane
// routines: its table against filippo, the assembly against its twin on
// random and edge inputs, and ScalarBaseMult through it against filippo on
// every implementation.

// TestLaneCombTable checks every entry: lane c of group g, entry j-1, is
// [j 16^(4g+c)]B.
func TestLaneCombTable(t *testing.T) {
	table := laneCombTable()
	for g := range table {
		for j := range table[g] {
			var ym, yp, t2 [4]fe
			e := &table[g][j]
			e[0].Get(&ym[0], &ym[1], &ym[2], &ym[3])
			e[1].Get(&yp[0], &yp[1], &yp[2], &yp[3])
			e[2].Get(&t2[0], &t2[1], &t2[2], &t2[3])
			for c := range 4 {
				k := new(big.Int).Lsh(big.NewInt(int64(j+1)), uint(4*(4*g+c)))
				want := new(edwards25519.Point).ScalarBaseMult(scalarFromBig(t, k))
				a := affineCached{YplusX: yp[c], YminusX: ym[c], T2d: t2[c]}
				samePoint(t, "laneCombTable entry", affineToPoint(&a), want)
			}
		}
	}
}

// scalarFromBig returns k mod l as a filippo scalar.
func scalarFromBig(t testing.TB, k *big.Int) *edwards25519.Scalar {
	t.Helper()
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	k = new(big.Int).Mod(k, l)
	var b [32]byte
	kb := k.Bytes()
	for i := range kb {
		b[i] = kb[len(kb)-1-i]
	}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// affineToPoint returns the point (x, y) of a cached affine entry:
// y = ((y+x) + (y-x))/2, x = ((y+x) - (y-x))/2, checking that 2dxy agrees.
func affineToPoint(a *affineCached) *Point {
	var two, inv2, x, y, xy fe
	two.Add(feOne, feOne)
	inv2.Invert(&two)
	y.Add(&a.YplusX, &a.YminusX)
	y.Multiply(&y, &inv2)
	x.Subtract(&a.YplusX, &a.YminusX)
	x.Multiply(&x, &inv2)
	xy.Multiply(&x, &y)
	xy.Multiply(&xy, feD2)
	p := new(Point)
	p.x, p.y, p.z = x, y, *feOne
	if xy.Equal(&a.T2d) != 1 {
		p.t.Add(&xy, feOne) // a wrong T: samePoint's encoding check still passes, so poison x too
		p.x.Add(&p.x, feOne)
		return p
	}
	p.t.Multiply(&x, &y)
	return p
}

// randLaneDigits returns digits in [-8, 8], each drawn from pick.
func randLaneDigits(pick func() int64) *laneDigits {
	var d laneDigits
	for g := range d {
		for c := range 4 {
			d.set(g, c, pick())
		}
	}
	return &d
}

// checkLaneComb runs laneComb on every implementation of vecImpls from acc
// with digits d and compares each with the twin, and the bounds of the
// result.
func checkLaneComb(t testing.TB, acc *laneAcc, d *laneDigits) {
	t.Helper()
	table := laneCombTable()
	want := *acc
	laneCombGeneric(&want, table, d)
	saved := vecImpl
	defer func() { vecImpl = saved }()
	// The output bounds each implementation documents: IFMA's products
	// leave limbs below 2^51 + 2^15, AVX2's below 2^51 + 2^41, the twin's
	// Lanes.Set those of Element, below 2^51 + 2^42; all are within the
	// input bound, so the sixteen steps chain.
	bound := map[int]uint64{vecImplIFMA: 1<<51 + 1<<15, vecImplAVX2: 1<<51 + 1<<41, vecImplGeneric: 1<<51 + 1<<42}
	for _, impl := range vecImpls() {
		vecImpl = impl
		name := vecImplNames[impl]
		got := *acc
		laneComb(&got, table, d)
		for k := range got {
			sameLanes(t, "laneComb "+name, &got[k], &want[k])
			for i := range got[k] {
				for c, l := range got[k][i] {
					if l >= bound[impl] {
						t.Fatalf("laneComb %s: limb %d of lane %d is %#x, not below %#x", name, i, c, l, bound[impl])
					}
				}
			}
		}
	}
}

func TestLaneCombDigits(t *testing.T) {
	rng := newRand(t)
	picks := map[string]func() int64{
		"zero":   func() int64 { return 0 },
		"eight":  func() int64 { return 8 },
		"-eight": func() int64 { return -8 },
		"one":    func() int64 { return 1 },
		"-one":   func() int64 { return -1 },
		"edges":  func() int64 { return []int64{-8, -1, 0, 1, 8}[rng.IntN(5)] },
		"random": func() int64 { return rng.Int64N(17) - 8 },
	}
	for name, pick := range picks {
		for range 8 {
			acc := laneAccIdentity
			d := randLaneDigits(pick)
			checkLaneComb(t, &acc, d)
			// From the identity the four lanes are the four partial sums:
			// compare them with filippo.
			want := new(edwards25519.Point).Set(edwards25519.NewIdentityPoint())
			ref := laneCombWant(t, d)
			laneComb(&acc, laneCombTable(), d)
			var sum Point
			sum.SetIdentity()
			var p [4]Point
			acc.points(&p)
			for c := range p {
				samePoint(t, name+": lane sum", &p[c], ref[c])
				sum.Add(&sum, &p[c])
				want.Add(want, ref[c])
			}
			samePoint(t, name+": total", &sum, want)
		}
	}
}

// laneCombWant returns, per lane c, sum_g [d_(4g+c) 16^(4g+c)]B by filippo.
func laneCombWant(t testing.TB, d *laneDigits) [4]*edwards25519.Point {
	var out [4]*edwards25519.Point
	for c := range out {
		k := new(big.Int)
		for g := range d {
			v := new(big.Int).SetUint64(d[g].abs[c])
			if d[g].neg[c] != 0 {
				v.Neg(v)
			}
			k.Add(k, v.Lsh(v, uint(4*(4*g+c))))
		}
		out[c] = new(edwards25519.Point).ScalarBaseMult(scalarFromBig(t, k))
	}
	return out
}

// TestLaneCombEdgeLimbs starts from accumulators whose limbs sit at the
// edges of what laneComb accepts: the results are not meaningful points,
// but the assembly must compute the twin's field values and bounds.
func TestLaneCombEdgeLimbs(t *testing.T) {
	edges := []uint64{0, 1, 19, 1<<51 - 19, 1<<51 - 1, 1 << 51, 1<<51 + 1<<41, 1<<51 + 1<<42 - 1}
	rng := newRand(t)
	iters := 256
	if testing.Short() {
		iters = 32
	}
	for range iters {
		var acc laneAcc
		for k := range acc {
			for i := range acc[k] {
				for c := range acc[k][i] {
					if rng.IntN(2) == 0 {
						acc[k][i][c] = edges[rng.IntN(len(edges))]
					} else {
						acc[k][i][c] = rng.Uint64() % (1<<51 + 1<<42)
					}
				}
			}
		}
		checkLaneComb(t, &acc, randLaneDigits(func() int64 { return rng.Int64N(17) - 8 }))
	}
}

// scalarBaseMultPaths are the two fixed-base multiplications, selected by
// useLaneComb: the scalar comb (point.go) and the one-point-per-lane comb.
var scalarBaseMultPaths = []struct {
	name     string
	laneComb bool
}{{"scalar", false}, {"laneComb", true}}

// FuzzLaneComb compares the assembly with its twin on fuzzed digits, from
// the identity and from a fuzzed accumulator.
func FuzzLaneComb(f *testing.F) {
	f.Add([]byte{0}, uint64(0))
	f.Add([]byte{8, 0xf8, 0, 1, 0xff}, uint64(1))
	f.Add([]byte{0xf8}, uint64(1<<51+1<<41))
	f.Fuzz(func(t *testing.T, ds []byte, seed uint64) {
		i := 0
		d := randLaneDigits(func() int64 {
			if len(ds) == 0 {
				return 0
			}
			v := int64(int8(ds[i%len(ds)])) % 9 // [-8, 8]
			i++
			return v
		})
		acc := laneAccIdentity
		checkLaneComb(t, &acc, d)
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		for k := range acc {
			for l := range acc[k] {
				for c := range acc[k][l] {
					acc[k][l][c] = rng.Uint64() % (1<<51 + 1<<42)
				}
			}
		}
		checkLaneComb(t, &acc, d)
	})
}
