package edwards

import "math"

// MSMParallel is one multiscalar multiplication, [s]B + sum [scalars[i]]
// points[i], shared by workers that the caller runs and synchronizes: after
// Init, each worker w in [0, parts) calls Prepare(w); once every Prepare has
// returned, each calls Sum(w); once every Sum has returned, one caller
// calls Result. The caller's goroutines stay running between the steps (the
// batch engine waits at a spinning barrier), which costs far less than
// waking parked goroutines for each step: about 90 µs per wake-up on the
// project's virtual machine.
//
// Splitting one multiplication, rather than multiplying a share of the
// terms on each worker and adding the results, keeps the window (and so the
// cost per term) of the whole sum: Pippenger's cost per term falls as the
// terms grow. Prepare writes the digits and converts the terms of worker
// w's range of terms; Sum splits Pippenger's windows into contiguous ranges
// of about equal cost (the nonzero digits to add into buckets, the buckets
// to sum, and the doublings that shift a range into place; every worker
// computes the same split) and sums worker w's range. Below
// pippengerThreshold terms, or with one worker, Result computes the serial
// multiplication and Prepare and Sum do nothing. Variable-time.
type MSMParallel struct {
	scs     []*MSMScratch
	s       *Scalar
	scalars []*Scalar
	points  []*Point
	serial  bool
	t       pipTerms
	tops    []int
	accs    []pipAcc
	live    []bool
}

// Init sets up the multiplication [s]B + sum [scalars[i]] points[i] (s may
// be nil) for len(scs) workers, worker w using the scratch scs[w]. The
// inputs must not change until Result returns.
func (p *MSMParallel) Init(scs []*MSMScratch, s *Scalar, scalars []*Scalar, points []*Point) {
	if len(scalars) != len(points) {
		panic("edwards: MSMParallel: scalars and points lengths differ")
	}
	n, parts := len(points), len(scs)
	*p = MSMParallel{scs: scs, s: s, scalars: scalars, points: points, tops: p.tops[:0], accs: p.accs[:0], live: p.live[:0]}
	p.serial = parts <= 1 || n < pippengerThreshold
	if p.serial {
		return
	}
	w := pippengerWindow(n)
	m := n
	if s != nil {
		m++
	}
	nw := int((256 + w - 1) / w)
	p.t = pippengerTerms(scs[0], s != nil, points, m, w)
	for _, sc := range scs {
		sc.counts = grow(sc.counts, nw)
		clear(sc.counts)
	}
	p.tops = grow(p.tops, parts)
	p.accs = grow(p.accs, parts)
	p.live = grow(p.live, parts)
	clear(p.live)
}

// Prepare writes the digits of worker w's range of terms, counting its
// nonzero digits per window, and converts those terms.
func (p *MSMParallel) Prepare(w int) {
	if p.serial {
		return
	}
	parts, m := len(p.scs), p.t.m
	lo, hi := w*m/parts, (w+1)*m/parts
	p.tops[w] = pippengerDigits(p.t.digits, p.scs[w].counts, p.s, p.scalars, lo, hi, m, p.t.w)
	p.t.convert(lo, hi)
}

// Sum computes worker w's range of windows, shifted into place.
func (p *MSMParallel) Sum(w int) {
	if p.serial {
		return
	}
	top := -1
	for _, t := range p.tops {
		top = max(top, t)
	}
	if top < 0 {
		return
	}
	var counts [128]int32 // nw <= 128
	for _, sc := range p.scs {
		for j := 0; j <= top; j++ {
			counts[j] += sc.counts[j]
		}
	}
	starts := windowRanges(counts[:top+1], p.t.w, len(p.scs))
	if w+1 >= len(starts) {
		return // fewer ranges than workers
	}
	lo, hi := starts[w], starts[w+1]-1
	p.accs[w], p.live[w] = p.t.windows(p.scs[w], lo, hi)
	if p.live[w] {
		p.accs[w].double(uint(lo) * p.t.w)
	}
}

// Result sets v to the multiplication's value and returns v.
func (p *MSMParallel) Result(v *Point) *Point {
	if p.serial {
		var sc *MSMScratch
		if len(p.scs) > 0 {
			sc = p.scs[0]
		}
		return v.varTimeMSM(sc, p.s, p.scalars, p.points)
	}
	var sum pipAcc
	sumLive := false
	for w := range p.accs {
		switch {
		case !p.live[w]:
		case !sumLive:
			sum, sumLive = p.accs[w], true
		default:
			sum.add(&p.accs[w])
		}
	}
	if !sumLive {
		return v.SetIdentity()
	}
	return sum.toP3(v)
}

// windowCost is the expected cost of one Pippenger window with c nonzero
// digits (windowsVec, windowsGeneric), in multiplications: a bucket
// addition (7) per digit except each bucket's first (a copy), and the
// running sums from the highest filled bucket down: an accumulation (a
// conversion to cached form and an addition; 9.5 in lane form, where the
// two workers' times for their ranges came closest at n = 256, and half
// pippengerWindow's per-bucket weight otherwise) per filled bucket and per
// bucket at or below the highest. With the c digits spread evenly over the nb
// buckets, about nb (1 - (1 - 1/nb)^c) are filled and the highest is about
// nb c / (c + 1). A flat per-bucket weight, as pippengerWindow uses for
// dense windows, overstates the sparse ones: in a batch under one key the
// windows above 128 bits hold two digits (the key's and B's), and the
// worker given them finished about 45 us before the other at n = 256.
func windowCost(c int32, w uint) int64 {
	acc := 6.0
	if useVec {
		acc = 9.5
	}
	nb, cf := float64(int64(1)<<(w-1)), float64(c)
	filled := nb * (1 - math.Pow(1-1/nb, cf))
	highest := nb * cf / (cf + 1)
	return int64(7*(cf-filled) + acc*(filled+highest))
}

// windowRanges splits the windows [0, len(counts)) into at most parts
// contiguous ranges whose largest cost is smallest, and returns their
// starts followed by len(counts). counts[j] is the number of nonzero digits
// of window j. The cost of a range [lo, hi], in multiplications (the units
// of pippengerWindow), is the windows' windowCost, and w doublings (about 7
// each) per window up to hi: those within the range and those that shift
// it into place.
func windowRanges(counts []int32, w uint, parts int) []int {
	win := make([]int64, len(counts))
	var total int64
	for j, c := range counts {
		win[j] = windowCost(c, w)
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
