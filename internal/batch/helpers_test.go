package batch

import (
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is an injected clock: now returns the time set last, which
// only the test moves.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// runCounting runs h with n workers, each recording its number, and checks
// that every number in [0, n) ran exactly once. If clock is not nil, the
// run lasts took on it (worker 0 moves it), so that the helpers linger
// took/2 (at most their linger time) after it.
func runCounting(t *testing.T, h *helpers, n int, clock *fakeClock, took time.Duration) {
	t.Helper()
	calls := make([]atomic.Int32, n)
	h.run(n, func(w int) {
		calls[w].Add(1)
		if w == 0 && clock != nil {
			clock.advance(took)
		}
	})
	for w := range calls {
		if c := calls[w].Load(); c != 1 {
			t.Fatalf("worker %d ran %d times in one run of %d workers", w, c, n)
		}
	}
}

// settleEmpty waits until every slot of h is empty (its helper left),
// calling tick, if not nil, before each poll: a helper reads its start time
// when it begins to wait, which may come after a single move of the clock.
// The bound (a minute of polls) only stops a hang.
func settleEmpty(t *testing.T, h *helpers, tick func()) {
	t.Helper()
	for i := 0; ; i++ {
		if tick != nil {
			tick()
		}
		empty := true
		for _, s := range h.slots {
			empty = empty && s.state.Load() == slotEmpty
		}
		if empty {
			return
		}
		if i == 60_000 {
			t.Fatal("helpers did not leave")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestHelpersReuse: while the clock stands still between runs, the helpers
// started by the first parallel run take the work of every later one; once
// the clock passes the linger time they leave, and the next run starts new
// ones.
func TestHelpersReuse(t *testing.T) {
	var clock fakeClock
	h := &helpers{now: clock.now, linger: time.Second}
	for range 50 {
		runCounting(t, h, 3, &clock, time.Millisecond)
	}
	if h.started != 2 {
		t.Fatalf("%d helpers started for 50 runs of 3 workers with a stopped clock, want 2", h.started)
	}
	settleEmpty(t, h, func() { clock.advance(time.Second) })
	runCounting(t, h, 3, &clock, time.Millisecond)
	if h.started != 4 {
		t.Fatalf("%d helpers started after the first ones left, want 4", h.started)
	}
	// Fewer workers leave the extra helper idle until its deadline (which
	// the 1 ms run passes: it may or may not have left by the next run);
	// more workers start another.
	runCounting(t, h, 2, &clock, time.Millisecond)
	runCounting(t, h, 4, &clock, time.Millisecond)
	if h.started < 5 || h.started > 6 || len(h.slots) != 3 {
		t.Fatalf("%d helpers started, %d slots; want 5 or 6, and 3", h.started, len(h.slots))
	}
	settleEmpty(t, h, func() { clock.advance(time.Second) })
}

// TestHelpersLeave: with a clock that passes the linger time between runs,
// every run starts its own helpers, and they leave.
func TestHelpersLeave(t *testing.T) {
	var clock fakeClock
	h := &helpers{now: clock.now, linger: time.Millisecond}
	for i := range 20 {
		runCounting(t, h, 2, &clock, 10*time.Millisecond)
		settleEmpty(t, h, func() { clock.advance(time.Millisecond) })
		if h.started != i+1 {
			t.Fatalf("run %d: %d helpers started, want %d", i, h.started, i+1)
		}
	}
}

// TestHelpersLingerShortRun: after a run shorter than twice the linger
// time, helpers wait half the run, not the whole linger time: a helper
// still there when the clock has moved past half the run leaves, one
// before that stays.
func TestHelpersLingerShortRun(t *testing.T) {
	var clock fakeClock
	h := &helpers{now: clock.now, linger: time.Hour}
	runCounting(t, h, 2, &clock, 10*time.Millisecond)
	// Half the run (5 ms) has not passed: the helper takes the next run.
	clock.advance(4 * time.Millisecond)
	runCounting(t, h, 2, &clock, 10*time.Millisecond)
	if h.started != 1 {
		t.Fatalf("%d helpers started; the first should have taken the second run", h.started)
	}
	// 5 ms after the second run's end it leaves, an hour's linger or not.
	clock.advance(5 * time.Millisecond)
	settleEmpty(t, h, nil)
	runCounting(t, h, 2, &clock, 10*time.Millisecond)
	if h.started != 2 {
		t.Fatalf("%d helpers started; a new one should have taken the third run", h.started)
	}
	settleEmpty(t, h, func() { clock.advance(time.Millisecond) })
}

// TestHelpersPanic: a panic in the caller's part, recovered by the caller,
// leaves the Verifier usable: the next run starts new helpers instead of
// posting to slots whose helpers may still run the old work, and the
// helper of the interrupted run leaves once its part is done.
func TestHelpersPanic(t *testing.T) {
	var clock fakeClock
	h := &helpers{now: clock.now, linger: time.Second}
	old := new(helperSlot)
	h.slots = []*helperSlot{old} // run uses it: the slot to watch
	release := make(chan struct{})
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		h.run(2, func(w int) {
			if w == 0 {
				panic("work(0)")
			}
			<-release // the helper is still busy when the caller panics
		})
	}()
	if h.slots != nil {
		t.Fatal("the slots of the interrupted run were kept")
	}
	runCounting(t, h, 2, &clock, time.Millisecond)
	if h.started != 2 || h.slots[0] == old {
		t.Fatalf("%d helpers started, want 2 (one per run, the second on a new slot)", h.started)
	}
	close(release)
	settleEmpty(t, &helpers{slots: []*helperSlot{old}}, func() { clock.advance(time.Millisecond) })
	settleEmpty(t, h, func() { clock.advance(time.Second) })
}

// TestHelpersOneWorker: one worker runs on the caller and starts nothing.
func TestHelpersOneWorker(t *testing.T) {
	var h helpers
	for _, n := range []int{-1, 0, 1} {
		ran := 0
		h.run(n, func(w int) {
			if w != 0 {
				t.Fatalf("worker %d with n = %d", w, n)
			}
			ran++
		})
		if ran != 1 || h.started != 0 || len(h.slots) != 0 {
			t.Fatalf("n = %d: %d calls, %d helpers, %d slots", n, ran, h.started, len(h.slots))
		}
	}
}

// TestHelpersDefaultClock: with the real clock the helpers leave on their
// own after lingerFor (the bound of settleEmpty is a minute, not a speed).
func TestHelpersDefaultClock(t *testing.T) {
	var h helpers
	for range 10 {
		runCounting(t, &h, 3, nil, 0)
	}
	if h.started < 2 || h.started > 20 {
		t.Fatalf("%d helpers started for 10 runs of 3 workers", h.started)
	}
	settleEmpty(t, &h, nil)
}

// TestHelpersShareMemory: what a helper writes is visible to the caller
// after run, and what the caller wrote before run is visible to helpers
// (run with -race).
func TestHelpersShareMemory(t *testing.T) {
	var clock fakeClock
	h := &helpers{now: clock.now, linger: time.Second}
	out := make([]int, 4)
	for round := 1; round <= 100; round++ {
		in := round
		h.run(4, func(w int) {
			out[w] = in * (w + 1)
			if w == 0 {
				clock.advance(time.Millisecond)
			}
		})
		for w, v := range out {
			if v != round*(w+1) {
				t.Fatalf("round %d: worker %d wrote %d", round, w, v)
			}
		}
	}
	settleEmpty(t, h, func() { clock.advance(time.Second) })
}
