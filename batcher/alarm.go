package batcher

import (
	"time"

	"github.com/ronkms/ronkms/internal/hrsleep"
)

// alarm delivers a Batcher's MaxWait deadlines on time.
//
// A runtime timer cannot: on an idle process the Go scheduler waits for
// timers in whole milliseconds, so a 500 µs MaxWait flushed after 1.1 ms
// (measured: oldest-request wait p50 1.14 ms at 10,000 requests/s). The
// alarm's goroutine sleeps on an hrsleep.Timer (a timerfd read through the
// network poller on Linux: accurate to tens of microseconds, and it holds
// no processor while it sleeps), and the collector waits on its channel.
//
// One request is outstanding at a time: arm sends a deadline; the alarm
// goroutine sleeps until it and answers on fired with the same deadline.
// The collector ignores answers for deadlines it no longer waits for, so a
// batch that fills before its deadline needs no cancellation.
type alarm struct {
	timer     *hrsleep.Timer
	deadlines chan time.Time // to the alarm goroutine
	fired     chan time.Time // from it: the deadline that passed
}

// newAlarm starts an alarm, or returns nil if the system has no timer for
// it (the collector then uses runtime timers only).
func newAlarm() *alarm {
	t, err := hrsleep.New()
	if err != nil {
		return nil
	}
	a := &alarm{timer: t, deadlines: make(chan time.Time, 1), fired: make(chan time.Time, 1)}
	go a.run()
	return a
}

func (a *alarm) run() {
	for d := range a.deadlines {
		a.timer.SleepUntil(d)
		a.fired <- d
	}
	close(a.fired)
}

// arm asks for a wake-up at d. The previous answer must have been
// received.
func (a *alarm) arm(d time.Time) { a.deadlines <- d }

// stop ends the alarm goroutine, waking it if it sleeps.
func (a *alarm) stop() {
	close(a.deadlines)
	a.timer.Close()
	for range a.fired {
	}
}
