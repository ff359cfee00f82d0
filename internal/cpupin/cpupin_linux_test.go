package cpupin

import (
	"runtime"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// allowed returns the calling thread's CPU mask, skipping the test unless
// it has at least n CPUs.
func allowed(t *testing.T, n int) unix.CPUSet {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatalf("sched_getaffinity: %v", err)
	}
	if set.Count() < n {
		t.Skipf("the thread may run on %d CPUs; the test needs %d", set.Count(), n)
	}
	return set
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
	var during unix.CPUSet
	if err := unix.SchedGetaffinity(0, &during); err != nil {
		t.Fatal(err)
	}
	if during.Count() != 1 || !during.IsSet(c) {
		t.Errorf("pinned to CPU %d, but the thread's mask has %d CPUs (CPU %d in it: %v)", c, during.Count(), c, during.IsSet(c))
	}
	if got := currentCPU(); got != c {
		t.Errorf("pinned to CPU %d, running on CPU %d", c, got)
	}
	p.End()
	if p.CPU() != -1 {
		t.Errorf("CPU() = %d after End, want -1", p.CPU())
	}
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("End left mask with %d CPUs, want the %d from before Start", after.Count(), before.Count())
	}
	if claimed(c) {
		t.Errorf("CPU %d still held after End", c)
	}
}

// TestPinsDistinct holds as many pins at once as there are CPUs, and one
// more: the pins hold distinct CPUs, the extra one none.
func TestPinsDistinct(t *testing.T) {
	set := allowed(t, 2)
	n := set.Count()
	type result struct{ cpu int }
	results := make(chan result, n+1)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range n + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := Start()
			results <- result{p.CPU()}
			<-release
			p.End()
		}()
	}
	seen := map[int]bool{}
	unpinned := 0
	for range n + 1 {
		r := <-results
		switch {
		case r.cpu < 0:
			unpinned++
		case seen[r.cpu]:
			t.Errorf("two pins hold CPU %d", r.cpu)
		case !set.IsSet(r.cpu):
			t.Errorf("pinned to CPU %d, outside the process's mask", r.cpu)
		default:
			seen[r.cpu] = true
		}
	}
	close(release)
	wg.Wait()
	if len(seen) != n || unpinned != 1 {
		t.Errorf("%d pins held %d distinct CPUs and %d held none; want %d and 1", n+1, len(seen), unpinned, n)
	}
	for c := range seen {
		if claimed(c) {
			t.Errorf("CPU %d still held after every End", c)
		}
	}
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
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil {
		t.Fatal(err)
	}
	if after != one {
		t.Errorf("End changed the mask of a thread that was not pinned")
	}
}

func claimed(c int) bool { return held[c/64].Load()&(uint64(1)<<(c%64)) != 0 }

// BenchmarkStartEnd is the cost a pinned batch pays (four system calls).
func BenchmarkStartEnd(b *testing.B) {
	pinned := 0
	for b.Loop() {
		p := Start()
		if p.CPU() >= 0 {
			pinned++
		}
		p.End()
	}
	if pinned == 0 && runtime.NumCPU() > 1 {
		b.Fatal("no Start pinned its thread")
	}
}
