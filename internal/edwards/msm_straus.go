package edwards

// strausStack is the number of terms Straus handles without allocating.
const strausStack = 8

// straus sets v = [s]B + sum [scalars[i]] points[i] (s may be nil) with
// interleaved width-5 NAF multiplications sharing one chain of doublings:
// per term a table of 8 cached odd multiples (7 additions, 1 doubling) and
// about 253/6 additions; per call about 253 doublings. The B term, if any,
// uses the width-8 constant table with mixed additions.
//
// Above strausStack terms its memory comes from sc (allocated if nil).
func (v *Point) straus(sc *MSMScratch, s *Scalar, scalars []*Scalar, points []*Point) *Point {
	n := len(points)
	var nafStack [strausStack][256]int8
	var nafs [][256]int8
	if n <= strausStack {
		nafs = nafStack[:n:n]
	} else {
		if sc == nil {
			sc = new(MSMScratch)
		}
		sc.nafs = grow(sc.nafs, n)
		nafs = sc.nafs
		clear(nafs) // nafDigits writes only the nonzero digits
	}

	top := -1
	for i := range points {
		x := scalarWords(scalars[i])
		nafDigits(&nafs[i], &x, 5)
		for j := 255; j > top; j-- {
			if nafs[i][j] != 0 {
				top = j
				break
			}
		}
	}
	var sNaf [256]int8
	if s != nil {
		x := scalarWords(s)
		nafDigits(&sNaf, &x, basepointNafWidth)
		for j := 255; j > top; j-- {
			if sNaf[j] != 0 {
				top = j
				break
			}
		}
	}
	if top < 0 {
		return v.SetIdentity()
	}
	if useVec {
		return v.strausVec(sc, points, nafs, &sNaf, top)
	}

	var tableStack [strausStack]nafTable5
	var tables []nafTable5
	if n <= strausStack {
		tables = tableStack[:n:n]
	} else {
		sc.tables = grow(sc.tables, n)
		tables = sc.tables
	}
	for i := range points {
		tables[i].init(points[i])
	}

	var acc Point
	var r projP1xP1
	var pp projP2
	acc.SetIdentity()
	// live is false until the first addition: the accumulator is then the
	// identity and neither doublings nor conversions are needed.
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
		if d := sNaf[i]; d != 0 {
			if live {
				acc.fromP1xP1(&r)
			}
			bNaf.addNaf(&r, &acc, d)
			live = true
		}
	}
	return v.fromP1xP1(&r)
}

// strausVec is straus's loop in lane form (vec.go), with the NAF digits
// straus computed. It builds its own tables: the scalar-layout ones are
// not used.
func (v *Point) strausVec(sc *MSMScratch, points []*Point, nafs [][256]int8, sNaf *[256]int8, top int) *Point {
	var tableStack [strausStack]vecTable8
	var tables []vecTable8
	if n := len(points); n <= strausStack {
		tables = tableStack[:n:n]
	} else {
		sc.vtables = grow(sc.vtables, len(points))
		tables = sc.vtables
	}
	for i := range points {
		tables[i].init(points[i])
	}
	// vecNafSum's loop, over the digits in place: a slice of vecNafTerm
	// pointing at straus's stack arrays would move them to the heap.
	acc := vecIdentity
	for i := top; i >= 0; i-- {
		if i < top {
			vecDouble(&acc, &acc)
		}
		for j := range nafs {
			if d := nafs[j][i]; d != 0 {
				vecAddNaf(&acc, tables[j][:], d)
			}
		}
		if d := sNaf[i]; d != 0 {
			vecAddNaf(&acc, vecBNaf[:], d)
		}
	}
	return acc.toP3(v)
}
