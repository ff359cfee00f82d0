package hrsleep

import (
	"slices"
	"testing"
	"time"
)

// TestSleepUntil checks that SleepUntil never returns early and, on Linux,
// does better than a runtime timer, which on an idle process rounds a 200 µs
// sleep up to about 1.05 ms. The two are measured interleaved and compared
// by their first quartiles, so that other load on the machine, which delays
// both wake-ups alike, does not decide the outcome.
func TestSleepUntil(t *testing.T) {
	tm, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	var hr, rt []time.Duration
	for range 40 {
		d := time.Now().Add(200 * time.Microsecond)
		tm.SleepUntil(d)
		late := time.Since(d)
		if late < 0 {
			t.Fatalf("SleepUntil returned %v early", -late)
		}
		hr = append(hr, late)

		d = time.Now().Add(200 * time.Microsecond)
		time.Sleep(time.Until(d))
		rt = append(rt, time.Since(d))
	}
	slices.Sort(hr)
	slices.Sort(rt)
	hq, rq := hr[len(hr)/4], rt[len(rt)/4]
	t.Logf("overshoot of 200µs sleeps, first quartile / median / max: SleepUntil %v / %v / %v, time.Sleep %v / %v / %v",
		hq, hr[len(hr)/2], hr[len(hr)-1], rq, rt[len(rt)/2], rt[len(rt)-1])
	if isLinux && hq+300*time.Microsecond > rq {
		t.Errorf("SleepUntil overshoots by %v (first quartile), time.Sleep by %v: no better than a runtime timer", hq, rq)
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
