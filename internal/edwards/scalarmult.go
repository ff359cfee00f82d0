package edwards

// ScalarBaseMult sets v = [s]B, where B is the canonical generator, and
// returns v. It is constant-time in s (for signing).
//
// s is written with 64 signed radix-16 digits d[i] in [-8, 8]; then
// [s]B = 16 * sum_{i odd} [d[i] 16^(i-1)]B + sum_{i even} [d[i] 16^i]B,
// each term read from row i/2 of the comb table (the multiples
// [j 16^(2i)]B, j = 1..8): 64 mixed additions and 4 doublings.
//
// Every secret-dependent lookup goes through lookupComb, which reads all
// eight entries of the (public) row and keeps one with masks; the sign is
// applied with the field's constant-time Swap and Select. No branch and no
// memory index depends on s.
func (v *Point) ScalarBaseMult(s *Scalar) *Point {
	var b [32]byte
	copy(b[:], s.Bytes())
	var digits [64]int8
	signedRadix16(&digits, &b)
	if useLaneComb {
		return scalarBaseMultLanes(v, &digits)
	}

	var acc Point
	var e affineCached
	var r projP1xP1
	var pp projP2

	acc.SetIdentity()
	for i := 1; i < 64; i += 2 {
		lookupComb(&e, &bComb[i/2], digits[i])
		r.addAffine(&acc, &e)
		acc.fromP1xP1(&r)
	}

	pp.fromP3(&acc)
	r.double(&pp)
	pp.fromP1xP1(&r)
	r.double(&pp)
	pp.fromP1xP1(&r)
	r.double(&pp)
	pp.fromP1xP1(&r)
	r.double(&pp)
	acc.fromP1xP1(&r)

	for i := 0; i < 64; i += 2 {
		lookupComb(&e, &bComb[i/2], digits[i])
		r.addAffine(&acc, &e)
		acc.fromP1xP1(&r)
	}
	return v.Set(&acc)
}

// lookupComb sets v to [d]P where row[j-1] = [j]P, for a secret d in
// [-8, 8], in constant time.
//
// How: |d| is computed with a sign mask; v starts as the identity; for each
// j = 1..8, in order, v is replaced by row[j-1] through the field's masked
// Select with the condition |d| = j, computed arithmetically as
// ((|d| xor j) - 1) >> 63 (no comparison, no branch). All eight entries are
// read every time, and no memory index depends on d. The negation for d < 0
// swaps y+x with y-x and negates 2dxy through the field's masked Swap and
// Select.
func lookupComb(v *affineCached, row *[8]affineCached, d int8) {
	dd := int64(d)
	signMask := dd >> 63 // all ones if d < 0
	abs := uint64((dd ^ signMask) - signMask)

	v.setIdentity()
	for j := range row {
		eq := int(((abs ^ uint64(j+1)) - 1) >> 63)
		v.selectFrom(&row[j], v, eq)
	}
	v.condNeg(int(signMask & 1))
}

// nafTable5 holds A, 3A, 5A, ..., 15A in cached form, for width-5 NAF
// digits.
type nafTable5 [8]projCached

func (t *nafTable5) init(A *Point) {
	var A2, acc Point
	var r projP1xP1
	A2.Double(A)
	t[0].fromP3(A)
	acc = *A
	var a2c projCached
	a2c.fromP3(&A2)
	for i := 1; i < 8; i++ {
		r.add(&acc, &a2c)
		acc.fromP1xP1(&r)
		t[i].fromP3(&acc)
	}
}

// addNaf sets r = acc + [d]T for an odd digit d of a width-5 NAF.
func (t *nafTable5) addNaf(r *projP1xP1, acc *Point, d int8) {
	if d > 0 {
		r.add(acc, &t[d/2])
	} else {
		r.sub(acc, &t[-d/2])
	}
}

// VarTimeDoubleScalarBaseMult sets v = [k]A + [s]B, where B is the
// canonical generator, and returns v. The sign convention is that of
// filippo.io/edwards25519 (verification computes [s]B - [k]A by passing
// -A). It is variable-time: use it only with public inputs.
//
// k uses a width-5 NAF over a table of 8 cached multiples of A; s a
// width-8 NAF over the constant table of 64 affine odd multiples of B
// (mixed additions). 253 doublings, about 42 + 28 additions.
func (v *Point) VarTimeDoubleScalarBaseMult(k *Scalar, A *Point, s *Scalar) *Point {
	var aTable nafTable5
	aTable.init(A)

	kw, sw := scalarWords(k), scalarWords(s)
	var kNaf, sNaf [256]int8
	nafDigits(&kNaf, &kw, 5)
	nafDigits(&sNaf, &sw, basepointNafWidth)

	i := 255
	for i >= 0 && kNaf[i] == 0 && sNaf[i] == 0 {
		i--
	}
	if i < 0 {
		return v.SetIdentity()
	}

	if useVec {
		var tA vecTable8
		tA.init(A)
		var acc vecPoint
		vecNafSum(&acc, []vecNafTerm{{&kNaf, tA[:]}, {&sNaf, vecBNaf[:]}}, i)
		return acc.toP3(v)
	}

	// The top nonzero digit starts the accumulator without doublings.
	var acc Point
	var r projP1xP1
	var pp projP2
	acc.SetIdentity()
	pp.setIdentity()
	first := true
	for ; i >= 0; i-- {
		if !first {
			r.double(&pp)
		}
		if kNaf[i] != 0 {
			if !first {
				acc.fromP1xP1(&r)
			}
			aTable.addNaf(&r, &acc, kNaf[i])
			first = false
		}
		if sNaf[i] != 0 {
			if !first {
				acc.fromP1xP1(&r)
			}
			bNaf.addNaf(&r, &acc, sNaf[i])
			first = false
		}
		if i > 0 {
			pp.fromP1xP1(&r)
		}
	}
	return v.fromP1xP1(&r)
}
