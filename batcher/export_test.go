package batcher

import "sync/atomic"

// BatcherCounts counts a Batcher's intake events (batcherHooks) for the
// tests of package batcher_test.
type BatcherCounts struct {
	Accepted atomic.Int64 // requests that entered the queue
	Full     atomic.Int64 // requests that found the queue full
	Direct   atomic.Int64 // requests verified on their caller's goroutine
	// Collected counts the requests the collector took from the queue.
	Collected atomic.Int64
	// NoDirect, set before NewCountingBatcher, sends every request through
	// the queue and the collector, as if no verifier were ever free when a
	// request arrives.
	NoDirect bool
}

// NewCountingBatcher is New with its intake events counted in c.
func NewCountingBatcher(cfg Config, c *BatcherCounts) (*Batcher, error) {
	return newBatcher(cfg, &batcherHooks{
		accepted:  func() { c.Accepted.Add(1) },
		full:      func() { c.Full.Add(1) },
		direct:    func() { c.Direct.Add(1) },
		collected: func() { c.Collected.Add(1) },
		noDirect:  c.NoDirect,
	})
}
