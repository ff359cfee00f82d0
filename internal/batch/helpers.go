package batch

import (
	"runtime"
	"sync/atomic"
	"time"
)

// helpers runs the work of a parallel Verify on the calling goroutine and
// n-1 helper goroutines, and keeps the helpers for a while afterwards.
//
// Starting a goroutine costs Go little, but the idle vCPU it is meant for
// takes a while to run it: on the project's virtual machine a goroutine
// started while the other vCPU was idle began 76-123 us later at the 10th
// percentile and, at the median, only once the spawning goroutine stopped
// (PERFORMANCE.md, "Two workers"): a parallel batch of a millisecond lost
// much of its second worker to that. So a helper whose part is done stays,
// polling its slot (and yielding to the scheduler every 64 polls), for
// lingerFor; a parallel Verify of the same Verifier in that time hands it
// its part at once, on a vCPU that never went idle. A helper that gets no
// work in that time exits. The price is at most lingerFor of CPU time on
// another core after a parallel Verify that no other follows soon; a
// Verifier with one worker starts and keeps no helper.
type helpers struct {
	slots []*helperSlot

	// now and linger replace time.Now and lingerFor when set (tests).
	now    func() time.Time
	linger time.Duration

	started int // helper goroutines started, for tests
}

// lingerFor is how long a helper waits for the next parallel Verify: twice
// the wake-up latency it saves, and under a tenth of the CPU time of the
// smallest parallel batch worth it (a few milliseconds at n = 256).
const lingerFor = 200 * time.Microsecond

// The states of a helper slot.
const (
	slotEmpty int32 = iota // no goroutine: the next Verify starts one
	slotIdle               // a helper polls the slot for work
	slotBusy               // work posted, or running
)

// helperSlot is one helper's mailbox. work, w and done are written by the
// Verify that posts the work before it sets slotBusy (or starts the
// goroutine), and read by the helper after it sees slotBusy; the helper
// clears them before it sets slotIdle and reports done.
type helperSlot struct {
	state atomic.Int32
	work  func(w int)
	w     int
	done  *atomic.Int32

	now    func() time.Time
	linger time.Duration
}

// run calls work(w) for w in [0, n), work(0) on the calling goroutine,
// and returns when every call has returned. Its calls are synchronizing:
// what work wrote is visible to the caller after run.
func (h *helpers) run(n int, work func(w int)) {
	if n <= 1 {
		work(0)
		return
	}
	for len(h.slots) < n-1 {
		h.slots = append(h.slots, new(helperSlot))
	}
	var done atomic.Int32
	for w := 1; w < n; w++ {
		s := h.slots[w-1]
		s.work, s.w, s.done = work, w, &done
		if s.state.CompareAndSwap(slotIdle, slotBusy) {
			continue // a lingering helper takes it
		}
		// The slot is empty: its last helper left (after the CAS that
		// emptied it, it touches nothing).
		s.now, s.linger = time.Now, lingerFor
		if h.now != nil {
			s.now, s.linger = h.now, h.linger
		}
		s.state.Store(slotBusy)
		h.started++
		go s.loop()
	}
	work(0)
	for i := 1; done.Load() != int32(n-1); i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
}

// loop runs the posted work, then waits for more, until none comes.
func (s *helperSlot) loop() {
	for {
		s.work(s.w)
		done := s.done
		s.work, s.done = nil, nil // hold no reference to the batch while idle
		s.state.Store(slotIdle)
		done.Add(1)
		if !s.wait() {
			return
		}
	}
}

// wait polls the slot until work is posted (true) or s.linger has passed
// without any, in which case it empties the slot (false).
func (s *helperSlot) wait() bool {
	start := s.now()
	for i := 1; ; i++ {
		if s.state.Load() == slotBusy {
			return true
		}
		if i%64 == 0 {
			if s.now().Sub(start) >= s.linger && s.state.CompareAndSwap(slotIdle, slotEmpty) {
				return false
			}
			runtime.Gosched()
		}
	}
}
