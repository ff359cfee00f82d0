package edwards

// pippengerWindow returns the window width for n terms: the w minimizing
//
//	ceil(256/w) * (7 n + 12 * 2^(w-1))
//
// 7 field multiplications per term and window for a mixed addition into a
// bucket, and a per-bucket aggregation weight fitted to two calibration runs
// (TestCalibrateMSM, project machine, n = 64 to 8192): the plain count is
// 18 (two full additions per bucket), but first-touch copies and skipped
// empty buckets make aggregation cheaper, and 12 reproduces the measured
// best window at 13 of 15 sizes, one off at the other two (w = 5 at n = 96,
// 6 at 256, 7 at 512, 8 at 1024, 9 at 2048, 10 at 8192).
//
// In lane form (vec.go, useVec) a bucket addition is one vecAdd and an
// aggregation step a vecCache and a vecAdd: the weight is 21 (three times
// the addition), which reproduces the best window of the same calibration
// with the lane routines at 11 of 13 sizes from 128 to 4096 terms, the
// other two within 1% (w = 5 at n = 128, 6 at 256 and 384, 7 at 512 to
// 1024, 8 at 2048).
func pippengerWindow(n int) uint {
	agg := int64(12)
	if useVec {
		agg = 21
	}
	best, bestCost := uint(4), int64(-1)
	for w := uint(4); w <= 16; w++ {
		windows := int64((256 + w - 1) / w)
		cost := windows * (7*int64(n) + agg*(int64(1)<<(w-1)))
		if bestCost < 0 || cost < bestCost {
			best, bestCost = w, cost
		}
	}
	return best
}

// pippenger sets v = [s]B + sum [scalars[i]] points[i] (s may be nil) with
// Pippenger's bucket method (as in Bernstein, Doumen, Lange, Oosterwijk,
// "Faster batch forgery identification", and curve25519-dalek):
//
//   - every scalar is written in signed radix 2^w, digits in
//     [-2^(w-1), 2^(w-1)), so 2^(w-1) buckets per window suffice;
//   - points are converted to affine cached form (y+x, y-x, 2dxy) with one
//     shared inversion, so that every bucket addition is a mixed addition
//     (7M); a bucket's first point is copied in (1M) instead of added;
//   - each window's buckets are combined by the running-sum method
//     sum_j j*b_j = sum_j (b_top + ... + b_j), two full additions per
//     bucket;
//   - windows are processed from the top, with w doublings between them,
//     starting at the highest window that has a nonzero digit (128-bit
//     scalars skip half of the windows entirely).
func (v *Point) pippenger(sc *MSMScratch, s *Scalar, scalars []*Scalar, points []*Point, w uint) *Point {
	m := len(points)
	if s != nil {
		m++
	}
	t := pippengerTerms(sc, s != nil, points, m, w)
	topWindow := pippengerDigits(t.digits, nil, s, scalars, 0, m, m, w)
	if topWindow < 0 {
		return v.SetIdentity()
	}
	t.convert(0, m)
	acc, live := t.windows(sc, 0, topWindow)
	if !live {
		return v.SetIdentity()
	}
	return acc.toP3(v)
}

// pippengerDigits writes the signed radix-2^w digits of terms [lo, hi) of
// the m terms (scalars, then s if not nil) into digits, window-major:
// digits[j*m + i] is digit j of term i, so that each window's pass reads
// memory in order. It adds to counts[j] (if counts is not nil) the number
// of nonzero digits in window j, and returns the highest window with a
// nonzero digit, or -1.
func pippengerDigits(digits []int16, counts []int32, s *Scalar, scalars []*Scalar, lo, hi, m int, w uint) int {
	nw := int((256 + w - 1) / w)
	var buf [128]int16 // nw <= 128 for w >= 2
	topWindow := -1
	for i := lo; i < hi; i++ {
		var x [5]uint64
		if i < len(scalars) {
			x = scalarWords(scalars[i])
		} else {
			x = scalarWords(s)
		}
		signedDigits(buf[:nw], &x, w)
		for j := 0; j < nw; j++ {
			digits[j*m+i] = buf[j]
			if buf[j] != 0 {
				topWindow = max(topWindow, j)
				if counts != nil {
					counts[j]++
				}
			}
		}
	}
	return topWindow
}

// pipTerms is the shared, read-only data of one Pippenger multiplication
// once prepared: the digits, and the terms in the form the bucket additions
// take (affine cached form, or in lane form (vec.go, useVec) cached form
// directly: one four-way product each, no shared inversion, since a lane
// addition costs the same with any Z).
type pipTerms struct {
	points []*Point
	withB  bool
	digits []int16
	aff    []affineCached
	cached []vecCached
	m      int
	w      uint
}

// pippengerTerms sizes the digit and term memory in sc for m terms and
// window w.
func pippengerTerms(sc *MSMScratch, withB bool, points []*Point, m int, w uint) pipTerms {
	sc.digits = grow(sc.digits, int((256+w-1)/w)*m)
	t := pipTerms{points: points, withB: withB, digits: sc.digits, m: m, w: w}
	if useVec {
		sc.cached = grow(sc.cached, m)
		t.cached = sc.cached
	} else {
		sc.aff = grow(sc.aff, m)
		t.aff = sc.aff
	}
	return t
}

// convert puts terms [lo, hi) into the form the bucket additions take.
// Disjoint ranges may be converted concurrently (each range of points not
// already affine costs one inversion in the generic form).
func (t *pipTerms) convert(lo, hi int) {
	n := len(t.points)
	ph := min(hi, n)
	if useVec {
		var vp vecPoint
		for i := lo; i < ph; i++ {
			vecCache(&t.cached[i], vp.fromP3(t.points[i]))
		}
		if t.withB && hi > n {
			t.cached[n] = vecBNaf[0]
		}
		return
	}
	if lo < ph {
		batchToAffineCached(t.aff[lo:ph], t.points[lo:ph])
	}
	if t.withB && hi > n {
		t.aff[n] = bNaf[0]
	}
}

// pipAcc is a Pippenger accumulator in either form.
type pipAcc struct {
	p Point
	v vecPoint
}

func (a *pipAcc) toP3(out *Point) *Point {
	if useVec {
		return a.v.toP3(out)
	}
	return out.Set(&a.p)
}

// windows returns the sum over the windows j in [lo, hi] of
// [2^(w (j - lo))] W_j, where W_j is the sum of digit j of each term times
// the term, and whether it is live (false: the identity, no nonzero digit in
// the range), with sc's buckets as memory.
func (t *pipTerms) windows(sc *MSMScratch, lo, hi int) (acc pipAcc, live bool) {
	if useVec {
		live = windowsVec(sc, &acc.v, t.cached, t.digits, t.m, t.w, lo, hi)
	} else {
		live = windowsGeneric(sc, &acc.p, t.aff, t.digits, t.m, t.w, lo, hi)
	}
	return acc, live
}

// double sets a to [2^k] a.
func (a *pipAcc) double(k uint) {
	if k == 0 {
		return
	}
	if useVec {
		for range k {
			vecDouble(&a.v, &a.v)
		}
		return
	}
	var pp projP2
	var r projP1xP1
	pp.fromP3(&a.p)
	for range k - 1 {
		r.double(&pp)
		pp.fromP1xP1(&r)
	}
	r.double(&pp)
	a.p.fromP1xP1(&r)
}

// add sets a = a + b.
func (a *pipAcc) add(b *pipAcc) {
	if useVec {
		var c vecCached
		vecCache(&c, &b.v)
		vecAdd(&a.v, &a.v, &c, 0)
		return
	}
	var c projCached
	var r projP1xP1
	c.fromP3(&b.p)
	r.add(&a.p, &c)
	a.p.fromP1xP1(&r)
}

func windowsGeneric(sc *MSMScratch, acc *Point, aff []affineCached, digits []int16, m int, w uint, lo, hi int) bool {
	nb := 1 << (w - 1)
	sc.pbuckets = grow(sc.pbuckets, nb)
	sc.filled = grow(sc.filled, nb)
	buckets, filled := sc.pbuckets, sc.filled

	var r projP1xP1
	var pp projP2
	var c projCached
	accLive := false
	for j := hi; j >= lo; j-- {
		if accLive {
			pp.fromP3(acc)
			for k := uint(0); k < w-1; k++ {
				r.double(&pp)
				pp.fromP1xP1(&r)
			}
			r.double(&pp)
			acc.fromP1xP1(&r)
		}

		clear(filled)
		row := digits[j*m : (j+1)*m]
		for i, d := range row {
			switch {
			case d > 0:
				b := d - 1
				if !filled[b] {
					buckets[b].fromAffineCached(&aff[i])
					filled[b] = true
					continue
				}
				r.addAffine(&buckets[b], &aff[i])
				buckets[b].fromP1xP1(&r)
			case d < 0:
				b := -d - 1
				if !filled[b] {
					buckets[b].fromAffineCachedNeg(&aff[i])
					filled[b] = true
					continue
				}
				r.subAffine(&buckets[b], &aff[i])
				buckets[b].fromP1xP1(&r)
			}
		}

		// Running sums from the top bucket down: running = b_top + ... +
		// b_k, window sum = sum of the running values.
		var running, sum Point
		runLive, sumLive := false, false
		for b := nb - 1; b >= 0; b-- {
			if filled[b] {
				if runLive {
					c.fromP3(&buckets[b])
					r.add(&running, &c)
					running.fromP1xP1(&r)
				} else {
					running = buckets[b]
					runLive = true
				}
			}
			if runLive {
				if sumLive {
					c.fromP3(&running)
					r.add(&sum, &c)
					sum.fromP1xP1(&r)
				} else {
					sum = running
					sumLive = true
				}
			}
		}
		if sumLive {
			if accLive {
				c.fromP3(&sum)
				r.add(acc, &c)
				acc.fromP1xP1(&r)
			} else {
				*acc = sum
				accLive = true
			}
		}
	}
	return accLive
}

// windowsVec is windowsGeneric in lane form (vec.go): the same digits,
// buckets and running sums, a bucket's first point copied in with
// fromCached.
func windowsVec(sc *MSMScratch, acc *vecPoint, cached []vecCached, digits []int16, m int, w uint, lo, hi int) bool {
	nb := 1 << (w - 1)
	sc.vbuckets = grow(sc.vbuckets, nb)
	sc.filled = grow(sc.filled, nb)
	buckets, filled := sc.vbuckets, sc.filled
	var running, sum vecPoint
	var c vecCached
	accLive := false
	for j := hi; j >= lo; j-- {
		if accLive {
			for k := uint(0); k < w; k++ {
				vecDouble(acc, acc)
			}
		}

		clear(filled)
		row := digits[j*m : (j+1)*m]
		for i, d := range row {
			switch {
			case d > 0:
				b := d - 1
				if !filled[b] {
					buckets[b].fromCached(&cached[i], false)
					filled[b] = true
					continue
				}
				vecAdd(&buckets[b], &buckets[b], &cached[i], 0)
			case d < 0:
				b := -d - 1
				if !filled[b] {
					buckets[b].fromCached(&cached[i], true)
					filled[b] = true
					continue
				}
				vecAdd(&buckets[b], &buckets[b], &cached[i], 1)
			}
		}

		runLive, sumLive := false, false
		for b := nb - 1; b >= 0; b-- {
			if filled[b] {
				vecAccumulate(&running, &runLive, &buckets[b], &c)
			}
			if runLive {
				vecAccumulate(&sum, &sumLive, &running, &c)
			}
		}
		if sumLive {
			vecAccumulate(acc, &accLive, &sum, &c)
		}
	}
	return accLive
}

// vecAccumulate adds p to dst, or copies it there if dst is not live yet
// (the identity, which needs no addition), using c as scratch.
func vecAccumulate(dst *vecPoint, live *bool, p *vecPoint, c *vecCached) {
	if !*live {
		*dst = *p
		*live = true
		return
	}
	vecCache(c, p)
	vecAdd(dst, dst, c, 0)
}
