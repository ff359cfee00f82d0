package cpupin

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maskBits is the number of CPUs in one word of a unix.CPUSet (32 or 64),
// and maxCPUs the number of CPUs a unix.CPUSet can name (1,024).
const (
	maskBits = int(unsafe.Sizeof(unix.CPUSet{}[0])) * 8
	maxCPUs  = len(unix.CPUSet{}) * maskBits
)

// held has one bit per CPU number: set while a Pin holds the CPU.
var held [maxCPUs / 64]atomic.Uint64

// claim takes CPU c if no Pin holds it.
func claim(c int) bool {
	w, bit := &held[c/64], uint64(1)<<(c%64)
	for {
		old := w.Load()
		if old&bit != 0 {
			return false
		}
		if w.CompareAndSwap(old, old|bit) {
			return true
		}
	}
}

func release(c int) { held[c/64].And(^(uint64(1) << (c % 64))) }

// pinState is the thread's CPU mask from before the pin.
type pinState struct{ orig unix.CPUSet }

// currentCPU returns the CPU the thread runs on, or -1.
func currentCPU() int {
	var c uint32
	_, _, errno := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&c)), 0, 0)
	if errno != 0 {
		return -1
	}
	return int(c)
}

func (p *Pin) pin() {
	if unix.SchedGetaffinity(0, &p.orig) != nil || p.orig.Count() < 2 {
		return // nothing to spread over
	}
	c := currentCPU()
	if c < 0 || c >= maxCPUs || !p.orig.IsSet(c) || !claim(c) {
		c = p.claimAny()
	}
	if c < 0 {
		return // every CPU the thread may use is held
	}
	var one unix.CPUSet
	one.Set(c)
	if unix.SchedSetaffinity(0, &one) != nil {
		release(c)
		return
	}
	p.cpu, p.pinned = c, true
}

// claimAny claims the first CPU of the thread's mask that no Pin holds, or
// returns -1.
func (p *Pin) claimAny() int {
	for i, w := range p.orig {
		for m := uint64(w); m != 0; m &= m - 1 {
			if c := i*maskBits + bits.TrailingZeros64(m); claim(c) {
				return c
			}
		}
	}
	return -1
}

func (p *Pin) unpin() {
	// An error leaves the thread on its one CPU until the runtime's next
	// use of it; there is nothing better to do, and it cannot happen for a
	// mask the thread had a moment ago unless the process's cpuset changed
	// in between.
	_ = unix.SchedSetaffinity(0, &p.orig)
	release(p.cpu)
}
