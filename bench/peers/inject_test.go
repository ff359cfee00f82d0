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
// that the gate's self-test injects the regression it says it does. The
// operation measures its own CPU time, and the test compares the CPU time
// of the whole wrapped loop with the sum: both are measured over the same
// period, so a busy machine (where the same work costs more CPU time when
// a sibling hardware thread is busy) does not move the ratio.
func TestInjectedSlowdown(t *testing.T) {
	if _, ok := ProcessCPUTime(); !ok {
		t.Skip("no process CPU clock on this system")
	}
	for _, c := range []struct {
		iters, ops int // about 20 us, 50 us and 3 ms per operation
	}{{20_000, 400}, {50_000, 160}, {3_000_000, 6}} {
		for _, f := range []float64{1.1, 1.3} {
			var ratios []float64
			for range 5 {
				var own int64
				op := slowBy(f, func(int) bool {
					c0, _ := ProcessCPUTime()
					work(c.iters)
					c1, _ := ProcessCPUTime()
					own += c1 - c0
					return true
				})
				c0, _ := ProcessCPUTime()
				for i := range c.ops {
					op(i)
				}
				c1, _ := ProcessCPUTime()
				ratios = append(ratios, float64(c1-c0)/float64(own))
			}
			sort.Float64s(ratios)
			if got := ratios[len(ratios)/2]; math.Abs(got-f) > 0.06 {
				t.Errorf("%d iterations per op, factor %.2f: measured %.3f (%v)", c.iters, f, got, ratios)
			}
		}
	}
}
