package ronkms

import (
	"time"

	"golang.org/x/sys/unix"
)

// sleepUntil blocks the calling goroutine's thread in nanosleep until d:
// the kernel's high-resolution timers wake it within microseconds, where a
// runtime timer may wait for a whole millisecond (batcher_alarm.go).
func sleepUntil(d time.Time) {
	for {
		left := time.Until(d)
		if left <= 0 {
			return
		}
		ts := unix.NsecToTimespec(left.Nanoseconds())
		if err := unix.Nanosleep(&ts, nil); err == nil {
			return
		}
		// EINTR (a signal, such as the runtime's preemption signal):
		// sleep what is left.
	}
}
