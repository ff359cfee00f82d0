package hrsleep

import (
	"slices"
	"testing"
	"time"
)

// TestSleepUntil checks that SleepUntil neither returns early nor, on
// Linux, keeps the runtime timers' millisecond granularity: the median
// overshoot of 200 µs sleeps must stay well under a millisecond.
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
	med := over[len(over)/2]
	t.Logf("overshoot of 200µs sleeps: median %v, max %v", med, over[len(over)-1])
	if isLinux && med > 500*time.Microsecond {
		t.Errorf("median overshoot %v: no better than a runtime timer", med)
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
