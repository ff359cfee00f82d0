//go:build !linux

package ronkms

import "time"

// sleepUntil waits until d with a runtime timer; on systems other than
// Linux the Batcher's MaxWait has the runtime timers' resolution.
func sleepUntil(d time.Time) { time.Sleep(time.Until(d)) }
