package edwards

import (
	"sync"

	"github.com/ronkms/ronkms/field"
)

// The fixed-base multiplication of signing with one point per lane.
//
// The lane form of vec.go keeps one point's four coordinates in the four
// lanes: added to the 64 comb entries of radix-16 signing one after another,
// that is two four-way products and a round of lane shuffles per addition
// (and four doublings between two halves of 32 rows). Nothing forces one chain,
// though: [s]B = sum_i [d_i 16^i]B, a sum of 64 table entries with no
// doubling once every power 16^i has its own row. Here lane c accumulates
// the digits i = 4g+c, g = 0..15, so the four lanes hold four independent
// points, each coordinate a field.Lanes, and a mixed addition of four
// points is seven four-way products with no shuffle (madd-2008-hwcd-3;
// laneCombIFMA and laneCombAVX2 in field/_asm/comb_*.go): 1.75 products
// per addition instead of 2, in one assembly call for all sixteen steps.
// Three additions in the lane form of vec.go then sum the four lanes.
//
// Constant time, like the rest of signing: each step reads all eight
// entries of its group and every lane keeps the one its digit selects under
// a mask (VPCMPEQQ and VPBLENDVB or VPBLENDMQ in the assembly, arithmetic
// masks in the twin); the digit's sign is a mask too. No branch and no
// address depends on the scalar.
//
// useLaneComb selects it wherever the lane routines run in assembly (AVX-512
// IFMA or AVX2): it multiplies about 30% faster than that chain did on both
// (BENCHMARKS.md). Elsewhere the generic twin is slower than the scalar
// formulas (purego: 32-38 us against 18.8-19.2 us per multiplication). It
// is set once from the CPU flags; tests switch it.
var useLaneComb = useVec

type (
	// laneAffine holds four affine points, one per lane, as (y-x, y+x,
	// 2dxy): the cached form with Z = 1.
	laneAffine [3]field.Lanes
	// laneCombGroup holds, at [j-1], lane c, the point [j 16^(4g+c)]B of
	// group g, j = 1..8.
	laneCombGroup [8]laneAffine
	// laneAcc holds four points in extended coordinates (X, Y, Z, T), one
	// per lane.
	laneAcc [4]field.Lanes
	// laneDigits holds, for each group g and lane c, the absolute value of
	// digit 4g+c and a mask of all ones if that digit is negative.
	laneDigits [16]struct{ abs, neg [4]uint64 }
)

// laneCombTable returns the comb table in the layout of laneCombGroup: rows
// 16^i for i = 0..63 (61,440 bytes), unpacked from the generated tables
// once and never written afterwards. It is built when the package is
// initialized where signing uses it (useLaneComb), and on first use
// elsewhere (only the twin's tests use it there), so that purego and
// other architectures do not carry it.
var laneCombTable = sync.OnceValue(func() *[16]laneCombGroup {
	odd := unpackCombTable(&basepointCombOddTable)
	t := new([16]laneCombGroup)
	for g := range t {
		for j := range t[g] {
			var rows [4]*affineCached
			for c := range rows {
				if i := 4*g + c; i%2 == 0 {
					rows[c] = &bComb[i/2][j]
				} else {
					rows[c] = &odd[i/2][j]
				}
			}
			t[g][j][0].Set(&rows[0].YminusX, &rows[1].YminusX, &rows[2].YminusX, &rows[3].YminusX)
			t[g][j][1].Set(&rows[0].YplusX, &rows[1].YplusX, &rows[2].YplusX, &rows[3].YplusX)
			t[g][j][2].Set(&rows[0].T2d, &rows[1].T2d, &rows[2].T2d, &rows[3].T2d)
		}
	}
	return t
})

func init() {
	if useLaneComb {
		laneCombTable()
	}
}

// laneAccIdentity is four identities (0:1:1:0), laneAffineIdentity four in
// affine cached form, (1, 1, 0).
var (
	laneAccIdentity    = laneAcc{lanesOf(0), lanesOf(1), lanesOf(1), lanesOf(0)}
	laneAffineIdentity = laneAffine{lanesOf(1), lanesOf(1), lanesOf(0)}
)

// lanesOf returns the small constant c in all four lanes.
func lanesOf(c uint64) field.Lanes {
	var l field.Lanes
	l[0] = [4]uint64{c, c, c, c}
	return l
}

// scalarBaseMultLanes sets v = [s]B from the signed radix-16 digits of s
// (signedRadix16) and returns v, with laneComb. Constant time.
func scalarBaseMultLanes(v *Point, digits *[64]int8) *Point {
	var d laneDigits
	for g := range d {
		for c := range 4 {
			d.set(g, c, int64(digits[4*g+c]))
		}
	}
	acc := laneAccIdentity
	laneComb(&acc, laneCombTable(), &d)

	var p [4]Point
	acc.points(&p)
	var sum, q vecPoint
	var qc vecCached
	sum.fromP3(&p[0])
	for c := 1; c < 4; c++ {
		q.fromP3(&p[c])
		vecCache(&qc, &q)
		vecAdd(&sum, &sum, &qc, 0)
	}
	return sum.toP3(v)
}

// set stores digit v (in [-8, 8]) of group g, lane c: its absolute value
// and a mask of all ones if it is negative, computed arithmetically
// (constant time).
func (d *laneDigits) set(g, c int, v int64) {
	signMask := v >> 63 // all ones if v is negative
	d[g].abs[c] = uint64((v ^ signMask) - signMask)
	d[g].neg[c] = uint64(signMask)
}

// points sets p[c] to the point in lane c of a.
func (a *laneAcc) points(p *[4]Point) {
	a[0].Get(&p[0].x, &p[1].x, &p[2].x, &p[3].x)
	a[1].Get(&p[0].y, &p[1].y, &p[2].y, &p[3].y)
	a[2].Get(&p[0].z, &p[1].z, &p[2].z, &p[3].z)
	a[3].Get(&p[0].t, &p[1].t, &p[2].t, &p[3].t)
}

// laneCombGeneric is the twin of laneCombAVX2: for g = 0..15, each lane c
// of acc gets the table entry of digit (digits[g].abs[c], digits[g].neg[c])
// from group g added, with the field's scalar arithmetic. The lookup reads
// every entry and keeps one with masks computed arithmetically, ((abs xor
// j) - 1) >> 63; the sign is applied with the field's masked Swap and
// Select. It gives the same field values (not necessarily the same limbs)
// as the assembly.
func laneCombGeneric(acc *laneAcc, table *[16]laneCombGroup, digits *laneDigits) {
	var X, Y, Z, T [4]fe
	acc[0].Get(&X[0], &X[1], &X[2], &X[3])
	acc[1].Get(&Y[0], &Y[1], &Y[2], &Y[3])
	acc[2].Get(&Z[0], &Z[1], &Z[2], &Z[3])
	acc[3].Get(&T[0], &T[1], &T[2], &T[3])
	for g := range table {
		sel := laneAffineIdentity
		for j := range table[g] {
			for c := range 4 {
				mask := -(((digits[g].abs[c] ^ uint64(j+1)) - 1) >> 63)
				for k := range sel {
					for i := range sel[k] {
						sel[k][i][c] ^= mask & (sel[k][i][c] ^ table[g][j][k][i][c])
					}
				}
			}
		}
		var ym, yp, t2 [4]fe
		sel[0].Get(&ym[0], &ym[1], &ym[2], &ym[3])
		sel[1].Get(&yp[0], &yp[1], &yp[2], &yp[3])
		sel[2].Get(&t2[0], &t2[1], &t2[2], &t2[3])
		for c := range 4 {
			cond := int(digits[g].neg[c] & 1)
			ym[c].Swap(&yp[c], cond)
			var nt fe
			nt.Negate(&t2[c])
			t2[c].Select(&nt, &t2[c], cond)

			var a, b, cc, d, e, f, gg, h fe
			a.Subtract(&Y[c], &X[c])
			a.Multiply(&a, &ym[c])
			b.Add(&Y[c], &X[c])
			b.Multiply(&b, &yp[c])
			cc.Multiply(&T[c], &t2[c])
			d.Add(&Z[c], &Z[c])
			e.Subtract(&b, &a)
			f.Subtract(&d, &cc)
			gg.Add(&d, &cc)
			h.Add(&b, &a)
			X[c].Multiply(&e, &f)
			Y[c].Multiply(&gg, &h)
			T[c].Multiply(&e, &h)
			Z[c].Multiply(&gg, &f)
		}
	}
	acc[0].Set(&X[0], &X[1], &X[2], &X[3])
	acc[1].Set(&Y[0], &Y[1], &Y[2], &Y[3])
	acc[2].Set(&Z[0], &Z[1], &Z[2], &Z[3])
	acc[3].Set(&T[0], &T[1], &T[2], &T[3])
}
