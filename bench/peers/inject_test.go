package peers

import (
	"math"
	"sort"
	"testing"
)

var workSink uint64

// work does iters steps of arithmetic: a fixed amount of CPU work.
func work(iters int) {
	x := workSink | 1
	for range iters {
		x = x*6364136223846793005 + 1442695040888963407
	}
	workSink = x
}

// TestInjectedSlowdown checks that RONKMS_BENCH_INJECT_SLOWDOWN=f makes an
// operation cost f times its CPU time, for short and long operations, so
// that the gate's self-test injects the regression it says it does. Each
// repetition runs the same loop of operations plain and then wrapped, and
// compares their CPU times; the median of five interleaved repetitions
// keeps a busy machine (where the same work costs more CPU time while a
// sibling hardware thread is busy) from moving the ratio. The operations
// read no clock themselves: an earlier version timed each one, and its two
// clock reads (system calls, about 1 µs) counted as work for the injector
// but not for the operation, which biased 20 µs operations 5% high.
func TestInjectedSlowdown(t *testing.T) {
	if _, ok := ProcessCPUTime(); !ok {
		t.Skip("no process CPU clock on this system")
	}
	for _, c := range []struct {
		iters, ops int // about 20 us, 50 us and 3 ms per operation
	}{{20_000, 400}, {50_000, 160}, {3_000_000, 6}} {
		for _, f := range []float64{1.1, 1.3} {
			op := func(int) bool { work(c.iters); return true }
			loop := func(op func(int) bool) int64 {
				c0, _ := ProcessCPUTime()
				for i := range c.ops {
					op(i)
				}
				c1, _ := ProcessCPUTime()
				return c1 - c0
			}
			var ratios []float64
			for range 5 {
				plain := loop(op)
				slow := loop(slowBy(f, op))
				ratios = append(ratios, float64(slow)/float64(plain))
			}
			sort.Float64s(ratios)
			if got := ratios[len(ratios)/2]; math.Abs(got-f) > 0.06 {
				t.Errorf("%d iterations per op, factor %.2f: measured %.3f (%v)", c.iters, f, got, ratios)
			}
		}
	}
}
