package batcher

import "sync/atomic"

// BatcherCounts counts a Batcher's intake events (batcherHooks) for the
// tests of package batcher_test.
type BatcherCounts struct {
	Accepted atomic.Int64 // requests that entered the queue
	Full     atomic.Int64 // requests that found the queue full
}

// NewCountingBatcher is New with its intake events counted in c.
func NewCountingBatcher(cfg Config, c *BatcherCounts) (*Batcher, error) {
	return newBatcher(cfg, &batcherHooks{
		accepted: func() { c.Accepted.Add(1) },
		full:     func() { c.Full.Add(1) },
	})
}
