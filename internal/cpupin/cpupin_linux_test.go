package cpupin

import (
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// allowed returns the calling thread's CPU mask, skipping the test unless
// it has at least n CPUs and the system lets threads set their masks.
func allowed(tb testing.TB, n int) unix.CPUSet {
	tb.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		tb.Fatalf("sched_getaffinity: %v", err)
	}
	if set.Count() < n {
		tb.Skipf("the thread may run on %d CPUs; the test needs %d", set.Count(), n)
	}
	if err := unix.SchedSetaffinity(0, &set); errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS) {
		tb.Skipf("the system refuses sched_setaffinity: %v", err)
	} else if err != nil {
		tb.Fatalf("sched_setaffinity to the thread's own mask: %v", err)
	}
	return set
}

func mask(t *testing.T) unix.CPUSet {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	return set
}

func claimed(c int) bool { return held[c/64].Load()&(uint64(1)<<(c%64)) != 0 }

func noneHeld(t *testing.T) {
	t.Helper()
	for i := range held {
		if w := held[i].Load(); w != 0 {
			t.Fatalf("CPUs still held after every End: word %d = %#x", i, w)
		}
	}
}

func TestPinOneCPUAndRestore(t *testing.T) {
	runtime.LockOSThread() // so that the masks read are this thread's
	defer runtime.UnlockOSThread()
	before := allowed(t, 2)
	p := Start()
	c := p.CPU()
	if c < 0 {
		t.Fatal("Start pinned nothing on a thread that may run on several CPUs")
	}
	if during := mask(t); during.Count() != 1 || !during.IsSet(c) {
		t.Errorf("pinned to CPU %d, but the thread's mask has %d CPUs (CPU %d in it: %v)", c, during.Count(), c, during.IsSet(c))
	}
	if got := currentCPU(); got != c {
		t.Errorf("pinned to CPU %d, running on CPU %d", c, got)
	}
	if !claimed(c) {
		t.Errorf("CPU %d not marked held while pinned", c)
	}
	p.End()
	if p.CPU() != -1 {
		t.Errorf("CPU() = %d after End, want -1", p.CPU())
	}
	if after := mask(t); after != before {
		t.Errorf("End left a mask of %d CPUs, want the %d from before Start", after.Count(), before.Count())
	}
	noneHeld(t)
}

// TestPinsDistinct holds as many pins at once as there are CPUs, and one
// more: the pins hold distinct CPUs of the mask, the extra one none, and
// every thread has its mask back afterwards.
func TestPinsDistinct(t *testing.T) {
	set := allowed(t, 2)
	n := set.Count()
	cpus := make(chan int, n+1)
	release := make(chan struct{})
	restored := make(chan bool, n+1)
	var wg sync.WaitGroup
	for range n + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // to read this thread's mask after End
			defer runtime.UnlockOSThread()
			p := Start()
			cpus <- p.CPU()
			<-release
			p.End()
			var after unix.CPUSet
			restored <- unix.SchedGetaffinity(0, &after) == nil && after == set
		}()
	}
	seen := map[int]bool{}
	unpinned := 0
	for range n + 1 {
		switch c := <-cpus; {
		case c < 0:
			unpinned++
		case seen[c]:
			t.Errorf("two pins hold CPU %d", c)
		case !set.IsSet(c):
			t.Errorf("pinned to CPU %d, outside the process's mask", c)
		default:
			seen[c] = true
		}
	}
	close(release)
	wg.Wait()
	close(restored)
	for ok := range restored {
		if !ok {
			t.Error("a thread's mask differs from the process's after End")
		}
	}
	if len(seen) != n || unpinned != 1 {
		t.Errorf("%d pins held %d distinct CPUs and %d held none; want %d and 1", n+1, len(seen), unpinned, n)
	}
	noneHeld(t)
}

// TestPinSingleCPUThread: a thread restricted to one CPU is left alone.
func TestPinSingleCPUThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := allowed(t, 2)
	var one unix.CPUSet
	one.Set(currentCPU())
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		t.Fatal(err)
	}
	defer unix.SchedSetaffinity(0, &before)
	p := Start()
	if p.CPU() != -1 {
		t.Errorf("pinned a single-CPU thread to CPU %d", p.CPU())
	}
	p.End()
	if after := mask(t); after != one {
		t.Errorf("End changed the mask of a thread that was not pinned")
	}
	noneHeld(t)
}

// TestNewThreadsNotPinned: threads the runtime starts while a goroutine
// is pinned (here for goroutines that lock threads of their own) do not
// inherit the pin.
func TestNewThreadsNotPinned(t *testing.T) {
	set := allowed(t, 2)
	p := Start()
	if p.CPU() < 0 {
		t.Fatal("Start pinned nothing")
	}
	defer p.End()
	var wg sync.WaitGroup
	counts := make(chan int, 16)
	hold := make(chan struct{})
	for range cap(counts) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // a thread of its own, possibly a new one
			defer runtime.UnlockOSThread()
			var m unix.CPUSet
			if unix.SchedGetaffinity(0, &m) == nil {
				counts <- m.Count()
			}
			<-hold
		}()
	}
	for range cap(counts) {
		if c := <-counts; c != set.Count() {
			t.Errorf("a thread started while pinned may run on %d CPUs, want %d", c, set.Count())
		}
	}
	close(hold)
	wg.Wait()
}

// TestEndOnceKeepsCallersLock: End after End does nothing, and neither
// undoes a lock the caller took itself.
func TestEndOnceKeepsCallersLock(t *testing.T) {
	allowed(t, 2)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	p := Start()
	c := p.CPU()
	p.End()
	// Another pin takes the CPU; a second End must not release it.
	q := Start()
	if q.CPU() != c {
		t.Logf("second pin on CPU %d, first was on %d", q.CPU(), c)
	}
	p.End()
	if q.CPU() >= 0 && !claimed(q.CPU()) {
		t.Errorf("a second End of another pin released CPU %d", q.CPU())
	}
	q.End()
	for range 100 {
		runtime.Gosched()
		if unix.Gettid() != tid {
			t.Fatal("the caller's own LockOSThread was undone")
		}
	}
	noneHeld(t)
}

// TestClaimAnyOrder checks the scan on a mask across words, without
// system calls: from after the given CPU, wrapping, skipping held CPUs.
func TestClaimAnyOrder(t *testing.T) {
	var p Pin
	cpus := []int{5, 31, 32, 63, 64, 700, 1023}
	for _, c := range cpus {
		p.orig.Set(c)
	}
	if !claim(700) {
		t.Fatal("CPU 700 was held already")
	}
	var got []int
	for c := p.claimAny(63); c >= 0; c = p.claimAny(63) {
		got = append(got, c)
	}
	if want := []int{64, 1023, 5, 31, 32, 63}; !slices.Equal(got, want) {
		t.Errorf("claimAny(63) took %v, want %v", got, want)
	}
	for _, c := range cpus {
		release(c)
	}
	noneHeld(t)
}

// BenchmarkStartEnd is the cost a pinned batch pays (five system calls).
func BenchmarkStartEnd(b *testing.B) {
	allowed(b, 2)
	pinned := 0
	for b.Loop() {
		p := Start()
		if p.CPU() >= 0 {
			pinned++
		}
		p.End()
	}
	if pinned == 0 {
		b.Fatal("no Start pinned its thread")
	}
}
