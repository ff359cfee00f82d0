package edwards

// strausStack is the number of terms Straus handles without allocating.
const strausStack = 8

// straus sets v = [s]B + sum [scalars[i]] points[i] (s may be nil) with
// interleaved width-5 NAF multiplications sharing one chain of doublings:
// per term a table of 8 cached odd multiples (7 additions, 1 doubling) and
// about 253/6 additions; per call about 253 doublings. The B term, if any,
// uses the width-8 constant table with mixed additions.
func (v *Point) straus(s *Scalar, scalars []*Scalar, points []*Point) *Point {
	n := len(points)
	var tableStack [strausStack]nafTable5
	var nafStack [strausStack][256]int8
	tables, nafs := tableStack[:], nafStack[:]
	if n > strausStack {
		tables = make([]nafTable5, n)
		nafs = make([][256]int8, n)
	}
	tables, nafs = tables[:n], nafs[:n]

	top := -1
	for i := range points {
		if !useVec {
			tables[i].init(points[i])
		}
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
		return v.strausVec(points, nafs, &sNaf, top)
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
func (v *Point) strausVec(points []*Point, nafs [][256]int8, sNaf *[256]int8, top int) *Point {
	var tableStack [strausStack]vecTable8
	tables := tableStack[:]
	if len(points) > strausStack {
		tables = make([]vecTable8, len(points))
	}
	for i := range points {
		tables[i].init(points[i])
	}
	acc := vecIdentity
	for i := top; i >= 0; i-- {
		if i < top {
			vecDouble(&acc, &acc)
		}
		for j := range nafs {
			if d := nafs[j][i]; d != 0 {
				tables[j].addNaf(&acc, d)
			}
		}
		if d := sNaf[i]; d != 0 {
			vecBNaf.addNaf(&acc, d)
		}
	}
	return acc.toP3(v)
}
