package cpupin

import "runtime"

// Pin is one pinned stretch, from Start to End.
type Pin struct {
	pinned bool // the thread is pinned to cpu, which this Pin holds
	cpu    int
	pinState
}

// Start locks the calling goroutine to its OS thread and pins the thread
// to a CPU that no other Pin holds, if there is one it may run on. The
// caller must call End on the same goroutine.
func Start() Pin {
	runtime.LockOSThread()
	var p Pin
	p.pin()
	return p
}

// End unpins the thread, restoring its CPU mask from before Start, and
// unlocks the goroutine.
func (p *Pin) End() {
	if p.pinned {
		p.unpin()
		p.pinned = false
	}
	runtime.UnlockOSThread()
}

// CPU returns the CPU the thread is pinned to, or -1 if it is not pinned.
func (p *Pin) CPU() int {
	if !p.pinned {
		return -1
	}
	return p.cpu
}
