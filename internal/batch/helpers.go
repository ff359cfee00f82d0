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
// polling its slot (and yielding to the scheduler every 64 polls), until
// its linger time after the end of the run; a parallel Verify of the same
// Verifier in that time hands it its part at once, on a vCPU that never
// went idle. A helper that gets no work in that time exits.
//
// The linger time is lingerFor, or half the run's duration if that is
// shorter: a helper burns at most half a batch's time after it on its core,
// and a stream of batches, each started right after the last, keeps its
// helpers. A Verifier with one worker, or a batch too small to split
// (minChunk), starts and keeps no helper.
type helpers struct {
	slots []*helperSlot

	// now and linger replace time.Now and lingerFor when now is set
	// (tests).
	now    func() time.Time
	linger time.Duration

	base    time.Time // the clock's reading at the first run: deadlines are offsets from it
	started int       // helper goroutines started, for tests
}

// lingerFor is the longest a helper waits for the next parallel Verify:
// twice the wake-up latency it saves.
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
// clears them before it sets slotIdle and reports done. deadline is the
// clock offset (from helpers.base) after which an idle helper leaves, 0
// while the run that posted its last work is not over.
type helperSlot struct {
	state    atomic.Int32
	deadline atomic.Int64
	work     func(w int)
	w        int
	done     *atomic.Int32

	now  func() time.Time
	base time.Time
}

// run calls work(w) for w in [0, n), work(0) on the calling goroutine,
// and returns when every call has returned. Its calls are synchronizing:
// what work wrote is visible to the caller after run. It must not be
// called concurrently on one helpers (a Verifier is used by one goroutine
// at a time).
func (h *helpers) run(n int, work func(w int)) {
	if n <= 1 {
		work(0)
		return
	}
	now := h.now
	linger := h.linger
	if now == nil {
		now, linger = time.Now, lingerFor
	}
	start := now()
	if h.base.IsZero() {
		h.base = start
	}
	for len(h.slots) < n-1 {
		h.slots = append(h.slots, new(helperSlot))
	}
	slots := h.slots[:n-1]
	completed := false
	defer func() {
		if !completed {
			// work(0) panicked (and a caller may recover): the helpers
			// may still be running this call's work. Leave the slots to
			// them, with a deadline already past so that each leaves once
			// its part is done; the next run starts new ones.
			for _, s := range slots {
				s.deadline.Store(1)
			}
			h.slots = nil
		}
	}()
	var done atomic.Int32
	for i, s := range slots {
		s.deadline.Store(0)
		s.work, s.w, s.done = work, i+1, &done
		if s.state.CompareAndSwap(slotIdle, slotBusy) {
			continue // a lingering helper takes it
		}
		// The slot must be empty: its last helper left (after the CAS
		// that emptied it, it touches nothing).
		if !s.state.CompareAndSwap(slotEmpty, slotBusy) {
			panic("batch: helpers of one Verifier used by two goroutines at once")
		}
		s.now, s.base = now, h.base
		h.started++
		go s.loop()
	}
	work(0)
	for i := 1; done.Load() != int32(n-1); i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
	completed = true
	end := now()
	wait := min(linger, end.Sub(start)/2)
	deadline := int64(end.Sub(h.base) + wait)
	for _, s := range slots {
		s.deadline.Store(max(deadline, 1))
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

// wait polls the slot until work is posted (true) or the deadline of the
// last run has passed without any, in which case it empties the slot
// (false).
func (s *helperSlot) wait() bool {
	for i := 1; ; i++ {
		if s.state.Load() == slotBusy {
			return true
		}
		if i%64 == 0 {
			d := s.deadline.Load()
			if d != 0 && int64(s.now().Sub(s.base)) >= d && s.state.CompareAndSwap(slotIdle, slotEmpty) {
				return false
			}
			runtime.Gosched()
		}
	}
}
