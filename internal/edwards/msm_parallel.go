package edwards

import "sync"

// VarTimeMultiScalarBaseMultParallel is VarTimeMultiScalarBaseMultScratch
// with the work of one multiplication shared by len(scs) goroutines (the
// calling one included), each with its own scratch; it returns the same
// point.
//
// Splitting one multiplication, rather than multiplying a share of the
// terms on each goroutine and adding the results, keeps the window (and
// so the cost per term) of the whole sum: Pippenger's cost per term falls
// as the terms grow. The goroutines write the digits and convert the
// terms in ranges of terms; then Pippenger's windows are split into
// contiguous ranges of about equal cost (the nonzero digits to add into
// buckets, the buckets to sum, and the doublings that shift a range into
// place), each range is summed on its own goroutine, and the partial sums
// are added. Below pippengerThreshold terms, or with one scratch, it is
// the serial multiplication. Variable-time.
func (v *Point) VarTimeMultiScalarBaseMultParallel(scs []*MSMScratch, s *Scalar, scalars []*Scalar, points []*Point) *Point {
	if len(scalars) != len(points) {
		panic("edwards: VarTimeMultiScalarMult: scalars and points lengths differ")
	}
	n := len(points)
	if len(scs) <= 1 || n < pippengerThreshold {
		var sc *MSMScratch
		if len(scs) == 1 {
			sc = scs[0]
		}
		return v.varTimeMSM(sc, s, scalars, points)
	}
	parts := len(scs)
	w := pippengerWindow(n)
	m := n
	if s != nil {
		m++
	}
	nw := int((256 + w - 1) / w)
	sc0 := scs[0]
	sc0.digits = grow(sc0.digits, nw*m)
	t := pippengerTerms(sc0, s != nil, points, m, w)

	// Digits and conversion, by ranges of terms; each goroutine counts the
	// nonzero digits of its range per window.
	tops := make([]int, parts)
	for _, sc := range scs {
		sc.counts = grow(sc.counts, nw)
		clear(sc.counts)
	}
	parallel(parts, func(p int) {
		lo, hi := p*m/parts, (p+1)*m/parts
		tops[p] = pippengerDigits(t.digits, scs[p].counts, s, scalars, lo, hi, m, w)
		t.convert(lo, hi)
	})
	top := -1
	for p := range parts {
		top = max(top, tops[p])
	}
	if top < 0 {
		return v.SetIdentity()
	}
	counts := sc0.counts
	for _, sc := range scs[1:] {
		for j := range counts {
			counts[j] += sc.counts[j]
		}
	}

	// The windows, by ranges; range r is [starts[r], starts[r+1]-1].
	starts := windowRanges(counts[:top+1], w, parts)
	ranges := len(starts) - 1
	accs := make([]pipAcc, ranges)
	live := make([]bool, ranges)
	parallel(ranges, func(r int) {
		lo, hi := starts[r], starts[r+1]-1
		accs[r], live[r] = t.windows(scs[r], lo, hi)
		if live[r] {
			accs[r].double(uint(lo) * w)
		}
	})
	var sum pipAcc
	sumLive := false
	for r := range ranges {
		switch {
		case !live[r]:
		case !sumLive:
			sum, sumLive = accs[r], true
		default:
			sum.add(&accs[r])
		}
	}
	if !sumLive {
		return v.SetIdentity()
	}
	return sum.toP3(v)
}

// windowRanges splits the windows [0, len(counts)) into at most parts
// contiguous ranges whose largest cost is smallest, and returns their
// starts followed by len(counts). counts[j] is the number of nonzero digits
// of window j. The cost of a range [lo, hi], in multiplications (the units
// of pippengerWindow), is a bucket addition (7) per nonzero digit, the
// bucket sums of each window, and w doublings (about 7 each) per window
// up to hi: those within the range and those that shift it into place.
func windowRanges(counts []int32, w uint, parts int) []int {
	agg := int64(12)
	if useVec {
		agg = 21
	}
	win := make([]int64, len(counts))
	var total int64
	for j, c := range counts {
		win[j] = 7*int64(c) + agg*(int64(1)<<(w-1))
		total += win[j]
	}
	dbl := 7 * int64(w)
	cost := func(hi int, sum int64) int64 { return sum + dbl*int64(hi) }
	// split returns the starts of the greedy split with at most limit per
	// range, or nil if it needs more than parts ranges.
	split := func(limit int64) []int {
		starts := []int{0}
		var sum int64
		lo := 0
		for j := range win {
			if j > lo && cost(j, sum+win[j]) > limit {
				starts = append(starts, j)
				lo, sum = j, 0
			}
			if cost(j, sum+win[j]) > limit {
				return nil
			}
			sum += win[j]
		}
		if len(starts) > parts {
			return nil
		}
		return append(starts, len(win))
	}
	lo, hi := int64(0), cost(len(win)-1, total) // hi always feasible
	for lo < hi {
		mid := lo + (hi-lo)/2
		if split(mid) != nil {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return split(hi)
}

// parallel runs f(0), ..., f(n-1) on n goroutines, the calling one
// included, and waits for them.
func parallel(n int, f func(p int)) {
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for p := 1; p < n; p++ {
		go func() {
			defer wg.Done()
			f(p)
		}()
	}
	f(0)
	wg.Wait()
}
