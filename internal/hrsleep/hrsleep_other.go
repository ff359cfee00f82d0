//go:build !linux

package hrsleep

import "time"

// Timer sleeps until deadlines with a runtime timer on this system.
type Timer struct{ done chan struct{} }

// New returns a Timer.
func New() (*Timer, error) { return &Timer{done: make(chan struct{})}, nil }

// SleepUntil returns at d, or when the Timer is closed.
func (t *Timer) SleepUntil(d time.Time) {
	tm := time.NewTimer(time.Until(d))
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-t.done:
	}
}

// Close wakes a goroutine sleeping on t.
func (t *Timer) Close() error { close(t.done); return nil }
