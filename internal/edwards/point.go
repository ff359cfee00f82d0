package edwards

// Point is a point of edwards25519 in extended coordinates (X:Y:Z:T), with
// x = X/Z, y = Y/Z and xy = T/Z.
//
// As with math/big.Int, receivers and arguments of every method may alias.
// The zero value is not a valid point (its Z is zero); use it only as a
// receiver.
type Point struct {
	// Points are not comparable with ==: one point has many representations.
	_ [0]func()

	x, y, z, t fe
}

// projP2 is a point in projective coordinates (X:Y:Z): x = X/Z, y = Y/Z.
// Doubling reads this form.
type projP2 struct {
	X, Y, Z fe
}

// projP1xP1 is a point in completed coordinates ((X:Z),(Y:T)): x = X/Z,
// y = Y/T. Additions and doublings produce this form; converting it costs 3
// multiplications to projP2 and 4 to extended.
type projP1xP1 struct {
	X, Y, Z, T fe
}

// projCached is the second operand of a full addition:
// (Y+X, Y-X, Z, 2dT).
type projCached struct {
	YplusX, YminusX, Z, T2d fe
}

// affineCached is the second operand of a mixed addition, a point with
// Z = 1: (y+x, y-x, 2dxy).
type affineCached struct {
	YplusX, YminusX, T2d fe
}

// Constructors.

// NewIdentityPoint returns a new Point set to the identity (0, 1).
func NewIdentityPoint() *Point {
	return new(Point).SetIdentity()
}

// SetIdentity sets v to the identity and returns v.
func (v *Point) SetIdentity() *Point {
	v.x.Zero()
	v.y.One()
	v.z.One()
	v.t.Zero()
	return v
}

// NewGeneratorPoint returns a new Point set to the canonical generator B
// (y = 4/5, x positive).
func NewGeneratorPoint() *Point {
	return new(Point).SetGenerator()
}

// SetGenerator sets v to the canonical generator B and returns v.
func (v *Point) SetGenerator() *Point {
	return v.fromAffineCached(&bNaf[0])
}

// Set sets v = u and returns v.
func (v *Point) Set(u *Point) *Point {
	*v = *u
	return v
}

func (v *projP2) setIdentity() *projP2 {
	v.X.Zero()
	v.Y.One()
	v.Z.One()
	return v
}

func (v *affineCached) setIdentity() *affineCached {
	v.YplusX.One()
	v.YminusX.One()
	v.T2d.Zero()
	return v
}

// Conversions.

func (v *projP2) fromP1xP1(p *projP1xP1) *projP2 {
	if !feVec4 {
		v.X.Multiply(&p.X, &p.T)
		v.Y.Multiply(&p.Y, &p.Z)
		v.Z.Multiply(&p.Z, &p.T)
		return v
	}
	// Three independent products in one feMul4; the fourth lane (X*Y, the
	// T that Point.fromP1xP1 keeps) is discarded.
	a := [4]fe{p.X, p.Y, p.Z, p.X}
	b := [4]fe{p.T, p.Z, p.T, p.Y}
	feMul4(&a, &a, &b)
	v.X = a[0]
	v.Y = a[1]
	v.Z = a[2]
	return v
}

func (v *projP2) fromP3(p *Point) *projP2 {
	v.X = p.x
	v.Y = p.y
	v.Z = p.z
	return v
}

func (v *Point) fromP1xP1(p *projP1xP1) *Point {
	if !feVec4 {
		v.x.Multiply(&p.X, &p.T)
		v.y.Multiply(&p.Y, &p.Z)
		v.z.Multiply(&p.Z, &p.T)
		v.t.Multiply(&p.X, &p.Y)
		return v
	}
	a := [4]fe{p.X, p.Y, p.Z, p.X}
	b := [4]fe{p.T, p.Z, p.T, p.Y}
	feMul4(&a, &a, &b)
	v.x = a[0]
	v.y = a[1]
	v.z = a[2]
	v.t = a[3]
	return v
}

func (v *projCached) fromP3(p *Point) *projCached {
	v.YplusX.Add(&p.y, &p.x)
	v.YminusX.Subtract(&p.y, &p.x)
	v.Z = p.z
	v.T2d.Multiply(&p.t, feD2)
	return v
}

// fromP3 sets v to the affine cached form of p, at the cost of an
// inversion. Use batchToAffineCached for many points.
func (v *affineCached) fromP3(p *Point) *affineCached {
	var zInv fe
	zInv.Invert(&p.z)
	return v.fromP3ZInv(p, &zInv)
}

// fromP3ZInv sets v to the affine cached form of p given zInv = 1/Z.
func (v *affineCached) fromP3ZInv(p *Point, zInv *fe) *affineCached {
	var x, y fe
	x.Multiply(&p.x, zInv)
	y.Multiply(&p.y, zInv)
	v.YplusX.Add(&y, &x)
	v.YminusX.Subtract(&y, &x)
	v.T2d.Multiply(&x, &y)
	v.T2d.Multiply(&v.T2d, feD2)
	return v
}

// fromP3Affine sets v to the affine cached form of p, which must have Z = 1
// (as SetBytes returns).
func (v *affineCached) fromP3Affine(p *Point) *affineCached {
	v.YplusX.Add(&p.y, &p.x)
	v.YminusX.Subtract(&p.y, &p.x)
	v.T2d.Multiply(&p.t, feD2)
	return v
}

// fromAffineCached sets v to the point a. It costs one multiplication
// (xy from 2dxy): X = 2x, Y = 2y, Z = 2, T = 2xy.
func (v *Point) fromAffineCached(a *affineCached) *Point {
	v.x.Subtract(&a.YplusX, &a.YminusX)
	v.y.Add(&a.YplusX, &a.YminusX)
	v.z.Add(feOne, feOne)
	v.t.Multiply(&a.T2d, feDInv)
	return v
}

// fromAffineCachedNeg sets v to -a, like fromAffineCached.
func (v *Point) fromAffineCachedNeg(a *affineCached) *Point {
	v.x.Subtract(&a.YminusX, &a.YplusX)
	v.y.Add(&a.YplusX, &a.YminusX)
	v.z.Add(feOne, feOne)
	v.t.Multiply(&a.T2d, feDInv)
	v.t.Negate(&v.t)
	return v
}

// fromWords sets v from a table entry: the canonical encodings of y+x, y-x
// and 2dxy as little-endian 64-bit words.
func (v *affineCached) fromWords(w *affineWords) *affineCached {
	feFromWords(&v.YplusX, (*[4]uint64)(w[0:4]))
	feFromWords(&v.YminusX, (*[4]uint64)(w[4:8]))
	feFromWords(&v.T2d, (*[4]uint64)(w[8:12]))
	return v
}

// affineWords is a table entry: the canonical little-endian encodings of
// y+x, y-x and 2dxy of an affine point, four 64-bit words each.
type affineWords [12]uint64

// Additions and doublings (Hisil et al. 2008, a = -1, k = 2d).

// add sets v = p + q: 4M, to be followed by a conversion.
func (v *projP1xP1) add(p *Point, q *projCached) *projP1xP1 {
	if !feVec4 {
		var ypx, ymx, pp, mm, tt2d, zz2 fe
		ypx.Add(&p.y, &p.x)
		ymx.Subtract(&p.y, &p.x)
		pp.Multiply(&ypx, &q.YplusX)
		mm.Multiply(&ymx, &q.YminusX)
		tt2d.Multiply(&p.t, &q.T2d)
		zz2.Multiply(&p.z, &q.Z)
		zz2.Add(&zz2, &zz2)
		v.X.Subtract(&pp, &mm)
		v.Y.Add(&pp, &mm)
		v.Z.Add(&zz2, &tt2d)
		v.T.Subtract(&zz2, &tt2d)
		return v
	}
	var a [4]fe
	a[0].Add(&p.y, &p.x)
	a[1].Subtract(&p.y, &p.x)
	a[2] = p.t
	a[3] = p.z
	b := [4]fe{q.YplusX, q.YminusX, q.T2d, q.Z}
	feMul4(&a, &a, &b)
	pp, mm, tt2d, zz2 := &a[0], &a[1], &a[2], &a[3]
	zz2.Add(zz2, zz2)
	v.X.Subtract(pp, mm)
	v.Y.Add(pp, mm)
	v.Z.Add(zz2, tt2d)
	v.T.Subtract(zz2, tt2d)
	return v
}

// sub sets v = p - q: 4M.
func (v *projP1xP1) sub(p *Point, q *projCached) *projP1xP1 {
	if !feVec4 {
		var ypx, ymx, pp, mm, tt2d, zz2 fe
		ypx.Add(&p.y, &p.x)
		ymx.Subtract(&p.y, &p.x)
		pp.Multiply(&ypx, &q.YminusX)
		mm.Multiply(&ymx, &q.YplusX)
		tt2d.Multiply(&p.t, &q.T2d)
		zz2.Multiply(&p.z, &q.Z)
		zz2.Add(&zz2, &zz2)
		v.X.Subtract(&pp, &mm)
		v.Y.Add(&pp, &mm)
		v.Z.Subtract(&zz2, &tt2d)
		v.T.Add(&zz2, &tt2d)
		return v
	}
	var a [4]fe
	a[0].Add(&p.y, &p.x)
	a[1].Subtract(&p.y, &p.x)
	a[2] = p.t
	a[3] = p.z
	b := [4]fe{q.YminusX, q.YplusX, q.T2d, q.Z}
	feMul4(&a, &a, &b)
	pp, mm, tt2d, zz2 := &a[0], &a[1], &a[2], &a[3]
	zz2.Add(zz2, zz2)
	v.X.Subtract(pp, mm)
	v.Y.Add(pp, mm)
	v.Z.Subtract(zz2, tt2d)
	v.T.Add(zz2, tt2d)
	return v
}

// addAffine sets v = p + q for an affine q: 3M.
func (v *projP1xP1) addAffine(p *Point, q *affineCached) *projP1xP1 {
	if !feVec4 {
		var ypx, ymx, pp, mm, tt2d, z2 fe
		ypx.Add(&p.y, &p.x)
		ymx.Subtract(&p.y, &p.x)
		pp.Multiply(&ypx, &q.YplusX)
		mm.Multiply(&ymx, &q.YminusX)
		tt2d.Multiply(&p.t, &q.T2d)
		z2.Add(&p.z, &p.z)
		v.X.Subtract(&pp, &mm)
		v.Y.Add(&pp, &mm)
		v.Z.Add(&z2, &tt2d)
		v.T.Subtract(&z2, &tt2d)
		return v
	}
	// Three products in one feMul4; the fourth lane is unused.
	var a [4]fe
	a[0].Add(&p.y, &p.x)
	a[1].Subtract(&p.y, &p.x)
	a[2] = p.t
	b := [4]fe{q.YplusX, q.YminusX, q.T2d}
	feMul4(&a, &a, &b)
	pp, mm, tt2d := &a[0], &a[1], &a[2]
	var z2 fe
	z2.Add(&p.z, &p.z)
	v.X.Subtract(pp, mm)
	v.Y.Add(pp, mm)
	v.Z.Add(&z2, tt2d)
	v.T.Subtract(&z2, tt2d)
	return v
}

// subAffine sets v = p - q for an affine q: 3M.
func (v *projP1xP1) subAffine(p *Point, q *affineCached) *projP1xP1 {
	if !feVec4 {
		var ypx, ymx, pp, mm, tt2d, z2 fe
		ypx.Add(&p.y, &p.x)
		ymx.Subtract(&p.y, &p.x)
		pp.Multiply(&ypx, &q.YminusX)
		mm.Multiply(&ymx, &q.YplusX)
		tt2d.Multiply(&p.t, &q.T2d)
		z2.Add(&p.z, &p.z)
		v.X.Subtract(&pp, &mm)
		v.Y.Add(&pp, &mm)
		v.Z.Subtract(&z2, &tt2d)
		v.T.Add(&z2, &tt2d)
		return v
	}
	// Three products in one feMul4; the fourth lane is unused.
	var a [4]fe
	a[0].Add(&p.y, &p.x)
	a[1].Subtract(&p.y, &p.x)
	a[2] = p.t
	b := [4]fe{q.YminusX, q.YplusX, q.T2d}
	feMul4(&a, &a, &b)
	pp, mm, tt2d := &a[0], &a[1], &a[2]
	var z2 fe
	z2.Add(&p.z, &p.z)
	v.X.Subtract(pp, mm)
	v.Y.Add(pp, mm)
	v.Z.Subtract(&z2, tt2d)
	v.T.Add(&z2, tt2d)
	return v
}

// double sets v = 2p: 4S.
func (v *projP1xP1) double(p *projP2) *projP1xP1 {
	if !feVec4 {
		var xx, yy, zz2, s fe
		xx.Square(&p.X)
		yy.Square(&p.Y)
		zz2.Square(&p.Z)
		zz2.Add(&zz2, &zz2)
		s.Add(&p.X, &p.Y)
		s.Square(&s)
		v.Y.Add(&yy, &xx)
		v.Z.Subtract(&xx, &yy)
		v.X.Subtract(&v.Y, &s)
		v.T.Add(&zz2, &v.Z)
		return v
	}
	a := [4]fe{p.X, p.Y, p.Z}
	a[3].Add(&p.X, &p.Y)
	feSquare4(&a, &a)
	xx, yy, zz2, s := &a[0], &a[1], &a[2], &a[3]
	zz2.Add(zz2, zz2)
	v.Y.Add(yy, xx)
	v.Z.Subtract(xx, yy)
	v.X.Subtract(&v.Y, s)
	v.T.Add(zz2, &v.Z)
	return v
}

// Public point operations.

// Add sets v = p + q and returns v.
func (v *Point) Add(p, q *Point) *Point {
	var qc projCached
	var r projP1xP1
	qc.fromP3(q)
	r.add(p, &qc)
	return v.fromP1xP1(&r)
}

// Subtract sets v = p - q and returns v.
func (v *Point) Subtract(p, q *Point) *Point {
	var qc projCached
	var r projP1xP1
	qc.fromP3(q)
	r.sub(p, &qc)
	return v.fromP1xP1(&r)
}

// Double sets v = 2p and returns v.
func (v *Point) Double(p *Point) *Point {
	var pp projP2
	var r projP1xP1
	pp.fromP3(p)
	r.double(&pp)
	return v.fromP1xP1(&r)
}

// Negate sets v = -p and returns v.
func (v *Point) Negate(p *Point) *Point {
	v.x.Negate(&p.x)
	v.y = p.y
	v.z = p.z
	v.t.Negate(&p.t)
	return v
}

// Equal returns 1 if v and u are the same point, and 0 otherwise. It is
// constant-time.
func (v *Point) Equal(u *Point) int {
	var t1, t2, t3, t4 fe
	t1.Multiply(&v.x, &u.z)
	t2.Multiply(&u.x, &v.z)
	t3.Multiply(&v.y, &u.z)
	t4.Multiply(&u.y, &v.z)
	return t1.Equal(&t2) & t3.Equal(&t4)
}

// IsIdentity reports whether v is the identity. It is constant-time.
func (v *Point) IsIdentity() bool {
	return v.x.Equal(&feZero)&v.y.Equal(&v.z) == 1
}

// MultByCofactor sets v = [8]p and returns v.
func (v *Point) MultByCofactor(p *Point) *Point {
	var pp projP2
	var r projP1xP1
	pp.fromP3(p)
	r.double(&pp)
	pp.fromP1xP1(&r)
	r.double(&pp)
	pp.fromP1xP1(&r)
	r.double(&pp)
	return v.fromP1xP1(&r)
}

// IsSmallOrder reports whether [8]p is the identity, that is whether p is
// one of the eight points of the torsion subgroup.
//
// It costs one doubling: p has order dividing 8 if and only if [2]p has
// order dividing 4, and the points of order dividing 4 are exactly the
// points with xy = 0, (0, 1), (0, -1) and (±sqrt(-1), 0). In completed
// coordinates [2]p = ((X:Z),(Y:T)) has xy = 0 iff X = 0 or Y = 0.
func (v *Point) IsSmallOrder() bool {
	var pp projP2
	var r projP1xP1
	pp.fromP3(v)
	r.double(&pp)
	var xy fe
	xy.Multiply(&r.X, &r.Y)
	return feIsZero(&xy)
}

// Select sets v to a if cond == 1 and to b if cond == 0, in constant time.
func (v *Point) Select(a, b *Point, cond int) *Point {
	v.x.Select(&a.x, &b.x, cond)
	v.y.Select(&a.y, &b.y, cond)
	v.z.Select(&a.z, &b.z, cond)
	v.t.Select(&a.t, &b.t, cond)
	return v
}

// Constant-time helpers for cached forms.

func (v *affineCached) selectFrom(a, b *affineCached, cond int) *affineCached {
	v.YplusX.Select(&a.YplusX, &b.YplusX, cond)
	v.YminusX.Select(&a.YminusX, &b.YminusX, cond)
	v.T2d.Select(&a.T2d, &b.T2d, cond)
	return v
}

// condNeg sets v = -v if cond == 1, in constant time.
func (v *affineCached) condNeg(cond int) *affineCached {
	v.YplusX.Swap(&v.YminusX, cond)
	var neg fe
	neg.Negate(&v.T2d)
	v.T2d.Select(&neg, &v.T2d, cond)
	return v
}
