package cpupin

import "runtime"

// Pin is one pinned stretch, from Start to End. Call End exactly once, on
// the goroutine that called Start, and do not copy a Pin.
type Pin struct {
	pinned bool // the thread is pinned to cpu, which this Pin holds
	cpu    int
	pinState
}

// Start pins the calling goroutine's OS thread to a CPU that no other Pin
// holds, if there is one the thread may run on, and locks the goroutine to
// the thread for as long as it is pinned. When nothing can be pinned, Start
// changes nothing and End does nothing.
func Start() Pin {
	runtime.LockOSThread()
	var p Pin
	p.pin()
	if !p.pinned {
		runtime.UnlockOSThread()
	}
	return p
}

// End unpins the thread and unlocks the goroutine. A second End does
// nothing.
//
// If the thread's mask cannot be restored at all (the system refused both
// ways of restoring it), the goroutine stays locked to the thread, so that
// no other goroutine is left on a thread confined to one CPU; the runtime
// ends the thread when the goroutine exits.
func (p *Pin) End() {
	if !p.pinned {
		return
	}
	p.pinned = false
	if p.unpin() {
		runtime.UnlockOSThread()
	}
}

// CPU returns the CPU the thread is pinned to, or -1 if it is not pinned.
func (p *Pin) CPU() int {
	if !p.pinned {
		return -1
	}
	return p.cpu
}
