package ronkms

import "time"

// alarm delivers a Batcher's MaxWait deadlines on time.
//
// A runtime timer cannot: when every goroutine is blocked, the Go scheduler
// waits for the next timer in the network poller, whose timeout is a whole
// number of milliseconds (runtime/netpoll_epoll.go rounds anything below
// 1 ms up to 1 ms), so a 500 µs MaxWait flushed after 1.1 ms on an idle
// Linux machine (measured: oldest-request wait p50 1.14 ms at 10,000
// requests/s). The alarm's goroutine instead sleeps in a plain sleep system
// call (sleepUntil: nanosleep on Linux, microsecond resolution), which
// returns on time, and the collector waits on its channel.
//
// One request is outstanding at a time: arm sends a deadline; the alarm
// goroutine sleeps until it and answers on fired with the same deadline.
// The collector ignores answers for deadlines it no longer waits for, so a
// batch that fills before its deadline needs no cancellation; the next
// deadline is always later (requests are queued in order), so a stale
// sleep never delays it.
// alarmMaxSleep is the longest wait given to the alarm: beyond a few
// milliseconds a timer's lateness does not matter, and stop (at Close) waits
// for the sleep in progress.
const alarmMaxSleep = 2 * time.Millisecond

type alarm struct {
	deadlines chan time.Time // to the alarm goroutine
	fired     chan time.Time // from it: the deadline that passed
}

func newAlarm() *alarm {
	a := &alarm{deadlines: make(chan time.Time, 1), fired: make(chan time.Time, 1)}
	go a.run()
	return a
}

func (a *alarm) run() {
	for d := range a.deadlines {
		sleepUntil(d)
		a.fired <- d
	}
	close(a.fired)
}

// arm asks for a wake-up at d. The previous deadline's answer must have
// been received, or be no longer wanted and drained (drain).
func (a *alarm) arm(d time.Time) { a.deadlines <- d }

// stop ends the alarm goroutine.
func (a *alarm) stop() {
	close(a.deadlines)
	for range a.fired {
	}
}
