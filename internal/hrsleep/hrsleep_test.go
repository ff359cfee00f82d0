package hrsleep

import (
	"slices"
	"testing"
	"time"
)

// TestSleepUntil checks that SleepUntil never returns early and, on Linux,
// does not keep the runtime timers' millisecond granularity (an idle
// runtime timer overshoots a 200 µs sleep by about 1.05 ms): the first
// quartile of the overshoots must stay under 600 µs. The quartile, not the
// median, so that the test holds on a machine busy with other tests.
func TestSleepUntil(t *testing.T) {
	tm, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	var over []time.Duration
	for range 50 {
		d := time.Now().Add(200 * time.Microsecond)
		tm.SleepUntil(d)
		late := time.Since(d)
		if late < 0 {
			t.Fatalf("SleepUntil returned %v early", -late)
		}
		over = append(over, late)
	}
	slices.Sort(over)
	q1, med := over[len(over)/4], over[len(over)/2]
	t.Logf("overshoot of 200µs sleeps: first quartile %v, median %v, max %v", q1, med, over[len(over)-1])
	if isLinux && q1 > 600*time.Microsecond {
		t.Errorf("first-quartile overshoot %v: no better than a runtime timer", q1)
	}
	tm.SleepUntil(time.Now().Add(-time.Second)) // past: returns at once
}

// TestCloseWakes checks that Close ends a sleep in progress.
func TestCloseWakes(t *testing.T) {
	tm, err := New()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		tm.SleepUntil(time.Now().Add(time.Hour))
		close(done)
	}()
	time.Sleep(10 * time.Millisecond)
	tm.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the sleeper")
	}
}

// TestClosedTimerTouchesNoOtherFile checks that a sleep on a closed Timer
// does not arm whatever file now has its old descriptor number: here a
// second Timer, already sleeping, which must sleep its own full time.
func TestClosedTimerTouchesNoOtherFile(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := New() // likely reuses a's descriptor number
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	woke := make(chan time.Duration, 1)
	go func() {
		b.SleepUntil(start.Add(300 * time.Millisecond))
		woke <- time.Since(start)
	}()
	time.Sleep(20 * time.Millisecond)              // let b arm its timer
	a.SleepUntil(time.Now().Add(time.Millisecond)) // must arm nothing
	if el := <-woke; el < 300*time.Millisecond {
		t.Fatalf("b woke after %v, before its 300ms deadline: the closed Timer armed it", el)
	}
}
