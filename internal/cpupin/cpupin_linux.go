package cpupin

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maskBits is the number of CPUs in one word of a unix.CPUSet (32 or 64),
// and maxCPUs the number of CPUs a unix.CPUSet can name (1,024). On a
// machine with higher CPU numbers sched_getaffinity refuses the set, and
// nothing is pinned.
const (
	maskBits = int(unsafe.Sizeof(unix.CPUSet{}[0])) * 8
	maxCPUs  = len(unix.CPUSet{}) * maskBits
)

// held has one bit per CPU number: set while a Pin holds the CPU.
var held [maxCPUs / 64]atomic.Uint64

// claim takes CPU c if no Pin holds it.
func claim(c int) bool {
	bit := uint64(1) << (c % 64)
	return held[c/64].Or(bit)&bit == 0
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
	cur := currentCPU()
	c := cur
	if c < 0 || c >= maxCPUs || !p.orig.IsSet(c) || !claim(c) {
		c = p.claimAny(cur)
	}
	if c < 0 {
		return // every CPU the thread may use is held
	}
	var one unix.CPUSet
	one.Set(c)
	if unix.SchedSetaffinity(0, &one) != nil {
		release(c) // refused (a seccomp filter, a cpuset that changed): run unpinned
		return
	}
	p.cpu, p.pinned = c, true
}

// claimAny claims a CPU of the thread's mask that no Pin holds, the first
// after CPU after, wrapping around, or returns -1. Scanning from the current
// CPU rather than from CPU 0 spreads the choices of threads that start on
// different CPUs, instead of sending each to the lowest free one (CPU 0
// usually takes most device interrupts).
func (p *Pin) claimAny(after int) int {
	for _, above := range [2]bool{true, false} {
		for i, w := range p.orig {
			for m := uint64(w); m != 0; m &= m - 1 {
				c := i*maskBits + bits.TrailingZeros64(m)
				if (c > after) == above && claim(c) {
					return c
				}
			}
		}
	}
	return -1
}

// unpin restores the thread's mask, releases the CPU and reports whether
// the thread may again run on more than its one CPU.
//
// It first widens the mask to every CPU, which the kernel narrows to the
// CPUs the process's cpuset allows. Where that is the mask the thread had
// (a thread nobody restricted further), the thread then follows the cpuset
// as it changes, as before the pin. Setting the old mask itself would, since
// Linux 6.2, record it as the thread's requested mask, and the thread would
// stay within it when the cpuset later grows. Where the thread had a
// narrower mask (taskset), that mask is set again.
func (p *Pin) unpin() bool {
	defer release(p.cpu)
	var all, now unix.CPUSet
	all.Fill()
	widened := unix.SchedSetaffinity(0, &all) == nil
	if widened && unix.SchedGetaffinity(0, &now) == nil && now == p.orig {
		return true
	}
	// Failing here means none of the old mask is left in the cpuset; a
	// widened thread may still run on every CPU the cpuset allows.
	return unix.SchedSetaffinity(0, &p.orig) == nil || widened
}
