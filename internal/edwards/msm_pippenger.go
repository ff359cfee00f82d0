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
	n := len(points)
	m := n
	if s != nil {
		m++
	}
	digits, topWindow := pippengerDigits(sc, s, scalars, m, w)
	if topWindow < 0 {
		return v.SetIdentity()
	}
	if useVec {
		return v.pippengerVec(sc, s != nil, points, digits, topWindow, m, w)
	}
	sc.aff = grow(sc.aff, m)
	aff := sc.aff
	batchToAffineCached(aff[:n], points)
	if s != nil {
		aff[n] = bNaf[0]
	}

	nb := 1 << (w - 1)
	sc.pbuckets = grow(sc.pbuckets, nb)
	sc.filled = grow(sc.filled, nb)
	buckets, filled := sc.pbuckets, sc.filled

	var acc Point
	var r projP1xP1
	var pp projP2
	var c projCached
	accLive := false
	for j := topWindow; j >= 0; j-- {
		if accLive {
			pp.fromP3(&acc)
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
				r.add(&acc, &c)
				acc.fromP1xP1(&r)
			} else {
				acc = sum
				accLive = true
			}
		}
	}
	if !accLive {
		return v.SetIdentity()
	}
	return v.Set(&acc)
}

// pippengerDigits returns the signed radix-2^w digits of the m terms
// (scalars, then s if not nil), window-major: digits[j*m + i] is digit j of
// term i, so that each window's pass reads memory in order. It also returns
// the highest window with a nonzero digit, or -1.
func pippengerDigits(sc *MSMScratch, s *Scalar, scalars []*Scalar, m int, w uint) ([]int16, int) {
	nw := int((256 + w - 1) / w)
	sc.digits = grow(sc.digits, nw*m)
	digits := sc.digits // every digit is written below
	var buf [128]int16  // nw <= 128 for w >= 2
	topWindow := -1
	for i := 0; i < m; i++ {
		var x [5]uint64
		if i < len(scalars) {
			x = scalarWords(scalars[i])
		} else {
			x = scalarWords(s)
		}
		signedDigits(buf[:nw], &x, w)
		for j := 0; j < nw; j++ {
			digits[j*m+i] = buf[j]
			if buf[j] != 0 && j > topWindow {
				topWindow = j
			}
		}
	}
	return digits, topWindow
}

// pippengerVec is pippenger in lane form (vec.go): the same digits, buckets
// and running sums. The terms go into cached form directly (one four-way
// product each, no shared inversion: a lane addition costs the same with
// any Z), and a bucket's first point is copied in with fromCached.
func (v *Point) pippengerVec(sc *MSMScratch, withB bool, points []*Point, digits []int16, topWindow, m int, w uint) *Point {
	sc.cached = grow(sc.cached, m)
	cached := sc.cached
	var vp vecPoint
	for i, p := range points {
		vecCache(&cached[i], vp.fromP3(p))
	}
	if withB {
		cached[len(points)] = vecBNaf[0]
	}

	nb := 1 << (w - 1)
	sc.vbuckets = grow(sc.vbuckets, nb)
	sc.filled = grow(sc.filled, nb)
	buckets, filled := sc.vbuckets, sc.filled
	var acc, running, sum vecPoint
	var c vecCached
	accLive := false
	for j := topWindow; j >= 0; j-- {
		if accLive {
			for k := uint(0); k < w; k++ {
				vecDouble(&acc, &acc)
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
			vecAccumulate(&acc, &accLive, &sum, &c)
		}
	}
	if !accLive {
		return v.SetIdentity()
	}
	return acc.toP3(v)
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
