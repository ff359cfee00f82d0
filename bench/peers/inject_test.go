package peers

import (
	"fmt"
	"testing"
	"time"
)

// fakeClock is a process in which only the test's operations and the
// injector's spins cost CPU time, in amounts the test chooses: a
// one-goroutine process, so its wall clock advances with its CPU clock.
// Reading it costs nothing, which the real clock's design (few reads)
// approximates.
type fakeClock struct {
	noCPU bool  // behave like a system without a process CPU clock
	cpu   int64 // ns consumed so far
	spin  int64 // ns one Spin costs
	spun  int64 // ns consumed by Spin
}

var fakeEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *fakeClock) CPU() (int64, bool) { return c.cpu, !c.noCPU }
func (c *fakeClock) Wall() time.Time    { return fakeEpoch.Add(time.Duration(c.cpu)) }
func (c *fakeClock) Spin()              { c.cpu += c.spin; c.spun += c.spin }

// TestInjectedSlowdown checks that RONKMS_BENCH_INJECT_SLOWDOWN=f makes an
// operation cost f times its CPU time, for short and long operations, so
// that the gate's self-test injects the regression it says it does. It
// counts work on a fake clock instead of timing it: the operations cost a
// known number of nanoseconds, every spin of the injector a known number
// too, and the test checks how much spinning the injector added. (Whether
// the real spin costs real CPU time is for make perf-gate's self-test to
// show, which measures, and reports rather than fails.)
func TestInjectedSlowdown(t *testing.T) {
	const spin = 100 // ns per Spin: the rounding of each injection
	for _, c := range []struct {
		opNS   int64 // CPU time of one operation
		ops    int
		period int // operations between two injections
	}{
		// Short operations are grouped 16 at a time (clock reads are
		// system calls); one of 1 ms or more is followed by its own.
		{20_000, 160, 16}, {50_000, 160, 16}, {3_000_000, 6, 1},
	} {
		for _, f := range []float64{1.1, 1.3, 2} {
			t.Run(fmt.Sprintf("op=%dns/factor=%.1f", c.opNS, f), func(t *testing.T) {
				clk := &fakeClock{spin: spin}
				calls := 0
				op := slowBy(f, func(i int) bool {
					if i != calls {
						t.Fatalf("operation %d called as %d", calls, i)
					}
					calls++
					clk.cpu += c.opNS
					return i%2 == 0
				}, clk)
				for i := range c.ops {
					if got := op(i); got != (i%2 == 0) {
						t.Fatalf("operation %d: wrapped result %v, want the operation's own %v", i, got, i%2 == 0)
					}
					spunNow := clk.spun
					if (i+1)%c.period != 0 {
						continue
					}
					// At each injection point, the spinning so far is
					// (f - 1) times the operations' CPU time, rounded up
					// to a whole spin once per injection (less 1 ns for
					// the float rounding of the factor).
					want := (f - 1) * float64(int64(i+1)*c.opNS)
					injections := float64((i + 1) / c.period)
					if got := float64(spunNow); got < want-1 || got >= want+injections*spin {
						t.Fatalf("after %d operations: injected %.0f ns, want %.0f to %.0f", i+1, got, want, want+injections*spin)
					}
				}
				ratio := float64(clk.cpu) / float64(int64(c.ops)*c.opNS)
				if ratio < f-1e-9 || ratio > f+0.001 {
					t.Errorf("whole loop: %.4f times the operations' CPU time, want %.2f", ratio, f)
				}
			})
		}
	}
}

// TestInjectedSlowdownWithoutCPUClock: where there is no process CPU clock,
// every operation is followed by (f - 1) times its wall time of spinning.
func TestInjectedSlowdownWithoutCPUClock(t *testing.T) {
	const spin = 100
	for _, opNS := range []int64{20_000, 3_000_000} {
		clk := &fakeClock{noCPU: true, spin: spin}
		op := slowBy(1.3, func(int) bool { clk.cpu += opNS; return true }, clk)
		for i := range 10 {
			before := clk.spun
			if !op(i) {
				t.Fatal("wrapped operation changed the result")
			}
			want := 0.3 * float64(opNS)
			if got := float64(clk.spun - before); got < want-1 || got >= want+spin {
				t.Fatalf("%d ns operation %d: followed by %.0f ns of spinning, want %.0f to %.0f", opNS, i, got, want, want+spin)
			}
		}
	}
}
