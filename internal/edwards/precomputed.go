package edwards

// PrecomputedPoint holds variable-time tables of a fixed point A, for
// computing [k]A + [s]B many times with the same A (a verifier's hot
// public key; FIELD-GUIDE section 3 item 1).
//
// It stores the 64 odd multiples of A, [2^64]A, [2^128]A and [2^192]A in
// affine cached form (30 KB), or in lane form (40 KB) where the lane
// routines run (vec.go). With the same four tables for B (constants),
// k and s are each cut into four 64-bit pieces, and the product costs 64
// doublings and about 57 mixed additions instead of 253 doublings and 70
// additions (12.5 us vs 33 us on the project machine). Building the tables
// costs about two and a half VarTimeDoubleScalarBaseMult (83 us).
//
// A PrecomputedPoint is immutable once built and may be shared between
// goroutines.
type PrecomputedPoint struct {
	// Exactly one of the two is set: the tables in lane form (vec.go, 40
	// KB) when the lane routines were selected at construction, in affine
	// cached form (30 KB) otherwise. tables[j] holds the odd multiples of
	// [2^(64j)]A.
	tables *[4]affineNafTable
	vec    *[4]vecNafTable
}

// NewPrecomputedPoint returns the tables of A.
func NewPrecomputedPoint(A *Point) *PrecomputedPoint {
	if useVec {
		return newPrecomputedVec(A)
	}
	var pts [4 * len(affineNafTable{})]Point
	var ptrs [len(pts)]*Point
	var base Point
	base.Set(A)
	for j := 0; j < 4; j++ {
		if j > 0 {
			// base = [2^64]base
			var pp projP2
			var r projP1xP1
			pp.fromP3(&base)
			for i := 0; i < 63; i++ {
				r.double(&pp)
				pp.fromP1xP1(&r)
			}
			r.double(&pp)
			base.fromP1xP1(&r)
		}
		var b2 Point
		var c projCached
		var r projP1xP1
		b2.Double(&base)
		c.fromP3(&b2)
		row := pts[j*len(affineNafTable{}) : (j+1)*len(affineNafTable{})]
		row[0] = base
		for i := 1; i < len(row); i++ {
			r.add(&row[i-1], &c)
			row[i].fromP1xP1(&r)
		}
	}
	for i := range pts {
		ptrs[i] = &pts[i]
	}
	var aff [len(pts)]affineCached
	batchToAffineCached(aff[:], ptrs[:])
	p := &PrecomputedPoint{tables: new([4]affineNafTable)}
	for j := range p.tables {
		copy(p.tables[j][:], aff[j*len(affineNafTable{}):])
	}
	return p
}

// newPrecomputedVec builds the tables in lane form: 3 x 64 doublings and
// 4 x 63 additions, each result cached with one four-way product, and no
// inversion (a lane addition costs the same with any Z). About a quarter
// of the affine construction's time (BENCHMARKS.md).
func newPrecomputedVec(A *Point) *PrecomputedPoint {
	p := &PrecomputedPoint{vec: new([4]vecNafTable)}
	var base, acc, b2 vecPoint
	var c2 vecCached
	base.fromP3(A)
	for j := range p.vec {
		if j > 0 {
			for range 64 {
				vecDouble(&base, &base)
			}
		}
		t := &p.vec[j]
		vecCache(&t[0], &base)
		vecDouble(&b2, &base)
		vecCache(&c2, &b2)
		acc = base
		for i := 1; i < len(t); i++ {
			vecAdd(&acc, &acc, &c2, 0)
			vecCache(&t[i], &acc)
		}
	}
	return p
}

// VarTimeDoubleScalarBaseMultPrecomputed sets v = [k]A + [s]B for the point
// A that p was built from, and returns v (the sign convention of
// VarTimeDoubleScalarBaseMult: build p from -A to compute [s]B - [k]A).
// Variable-time.
func (v *Point) VarTimeDoubleScalarBaseMultPrecomputed(k *Scalar, p *PrecomputedPoint, s *Scalar) *Point {
	kw, sw := scalarWords(k), scalarWords(s)
	var nafs [8][256]int8
	top := -1
	for j := 0; j < 8; j++ {
		var x [5]uint64
		if j < 4 {
			x[0] = kw[j]
		} else {
			x[0] = sw[j-4]
		}
		nafDigits(&nafs[j], &x, basepointNafWidth)
		for i := 64; i > top; i-- {
			if nafs[j][i] != 0 {
				top = i
				break
			}
		}
	}
	if top < 0 {
		return v.SetIdentity()
	}

	if p.vec != nil {
		vtables := [8]*vecNafTable{&p.vec[0], &p.vec[1], &p.vec[2], &p.vec[3], vecBNaf, vecB64Naf, vecB128Naf, vecB192Naf}
		var terms [8]vecNafTerm
		for j := range terms {
			terms[j] = vecNafTerm{&nafs[j], vtables[j][:]}
		}
		var acc vecPoint
		vecNafSum(&acc, terms[:], top)
		return acc.toP3(v)
	}

	tables := [8]*affineNafTable{&p.tables[0], &p.tables[1], &p.tables[2], &p.tables[3], bNaf, b64Naf, b128Naf, b192Naf}
	var acc Point
	var r projP1xP1
	var pp projP2
	acc.SetIdentity()
	live := false
	for i := top; i >= 0; i-- {
		if live {
			pp.fromP1xP1(&r)
			r.double(&pp)
		}
		for j := range nafs {
			if d := nafs[j][i]; d != 0 {
				if live {
					acc.fromP1xP1(&r)
				}
				tables[j].addNaf(&r, &acc, d)
				live = true
			}
		}
	}
	return v.fromP1xP1(&r)
}
