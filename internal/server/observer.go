package server

import (
	"sync"
	"time"

	"github.com/ronkms/ronkms"
)

// depthSum shares one Observer among the Batchers of the three modes. Every
// measurement is passed on as is, except the queue depth: each Batcher
// reports its own, and the inner Observer gets their sum, so that one
// Batcher's idle zero does not hide another's queue.
type depthSum struct {
	inner ronkms.Observer

	mu    sync.Mutex
	depth [numModes]int
}

const numModes = 3

// forMode returns the Observer of the Batcher of mode m.
func (d *depthSum) forMode(m ronkms.Mode) ronkms.Observer {
	return modeObserver{d, m}
}

type modeObserver struct {
	d *depthSum
	m ronkms.Mode
}

func (o modeObserver) ObserveOp(op string, mode ronkms.Mode, result ronkms.VerifyResult, latency time.Duration) {
	o.d.inner.ObserveOp(op, mode, result, latency)
}

func (o modeObserver) ObserveFailure(op, kind string) { o.d.inner.ObserveFailure(op, kind) }

func (o modeObserver) ObserveBatch(s ronkms.BatchStats) { o.d.inner.ObserveBatch(s) }

// ObserveKeyCache passes the key cache's measurements on, if the inner
// Observer takes them (the metrics/prom Observer does).
func (o modeObserver) ObserveKeyCache(mode ronkms.Mode, hits, misses, size int) {
	if kc, ok := o.d.inner.(ronkms.KeyCacheObserver); ok {
		kc.ObserveKeyCache(mode, hits, misses, size)
	}
}

// ObserveQueueDepth records the depth of o's Batcher and reports the sum.
// The lock orders the sums: the last one reported is the current total. It is
// taken by the three collector goroutines only, briefly.
func (o modeObserver) ObserveQueueDepth(depth int) {
	d := o.d
	d.mu.Lock()
	d.depth[o.m] = depth
	sum := 0
	for _, v := range d.depth {
		sum += v
	}
	d.inner.ObserveQueueDepth(sum)
	d.mu.Unlock()
}
