package edwards

import "testing"

// BenchmarkVec compares the lane routines with the point.go formulas they
// replace in the scalar multiplications: a doubling, and an addition of a
// cached point with the conversion its result needs for the next step.
func BenchmarkVec(b *testing.B) {
	B := NewGeneratorPoint()
	P := new(Point).Double(B)
	var vp vecPoint
	var vc vecCached
	vp.fromP3(P)
	vecCache(&vc, new(vecPoint).fromP3(B))
	b.Run("op=double/impl=lanes", func(b *testing.B) {
		for b.Loop() {
			vecDouble(&vp, &vp)
		}
	})
	b.Run("op=double/impl=point", func(b *testing.B) {
		var r projP1xP1
		var pp projP2
		pp.fromP3(P)
		for b.Loop() {
			r.double(&pp)
			pp.fromP1xP1(&r)
		}
	})
	b.Run("op=add/impl=lanes", func(b *testing.B) {
		for b.Loop() {
			vecAdd(&vp, &vp, &vc, 1)
		}
	})
	b.Run("op=add/impl=point", func(b *testing.B) {
		var r projP1xP1
		var c projCached
		c.fromP3(B)
		acc := *P
		for b.Loop() {
			r.sub(&acc, &c)
			acc.fromP1xP1(&r)
		}
	})
	// The chain of operations must still be a point of the curve.
	if !vecOnCurve(&vp) {
		b.Fatal("the lane routines left the curve")
	}
}

// vecOnCurve reports whether v satisfies the extended coordinates'
// equations: XY = ZT and -X² + Y² = Z² + dT² (with Z != 0).
func vecOnCurve(v *vecPoint) bool {
	var p Point
	v.toP3(&p)
	var xy, zt, xx, yy, zz, tt, lhs, rhs fe
	xy.Multiply(&p.x, &p.y)
	zt.Multiply(&p.z, &p.t)
	xx.Square(&p.x)
	yy.Square(&p.y)
	zz.Square(&p.z)
	tt.Square(&p.t)
	lhs.Subtract(&yy, &xx)
	rhs.Multiply(&tt, feD)
	rhs.Add(&rhs, &zz)
	return p.z.Equal(&feZero) == 0 && xy.Equal(&zt) == 1 && lhs.Equal(&rhs) == 1
}
