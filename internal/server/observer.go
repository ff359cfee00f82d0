package server

import (
	"sync"
	"time"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
)

// depthSum shares one Observer among the Batchers of the rule sets served.
// Every measurement is passed on as is, except the queue depth: each Batcher
// reports its own, and the inner Observer gets their sum, so that one
// Batcher's idle zero does not hide another's queue.
type depthSum struct {
	inner batcher.Observer

	mu    sync.Mutex
	depth [numRules]int
}

// numRules is the number of values of ed25519.Rules's five choices.
const numRules = 32

// forRules returns the Observer of the Batcher of rules r.
func (d *depthSum) forRules(r ed25519.Rules) batcher.Observer {
	return rulesObserver{d, r}
}

type rulesObserver struct {
	d *depthSum
	r ed25519.Rules
}

func (o rulesObserver) ObserveOp(op string, rules ed25519.Rules, result batcher.VerifyResult, latency time.Duration) {
	o.d.inner.ObserveOp(op, rules, result, latency)
}

func (o rulesObserver) ObserveFailure(op, kind string) { o.d.inner.ObserveFailure(op, kind) }

func (o rulesObserver) ObserveBatch(s batcher.BatchStats) { o.d.inner.ObserveBatch(s) }

// ObserveKeyCache passes the key cache's measurements on, if the inner
// Observer takes them (the metrics/prom Observer does).
func (o rulesObserver) ObserveKeyCache(rules ed25519.Rules, hits, misses, size int) {
	if kc, ok := o.d.inner.(batcher.KeyCacheObserver); ok {
		kc.ObserveKeyCache(rules, hits, misses, size)
	}
}

// ObserveQueueDepth records the depth of o's Batcher and reports the sum.
// The lock orders the sums: the last one reported is the current total. It is
// taken by the Batchers' collector goroutines only, briefly.
func (o rulesObserver) ObserveQueueDepth(depth int) {
	d := o.d
	d.mu.Lock()
	d.depth[o.r] = depth
	sum := 0
	for _, v := range d.depth {
		sum += v
	}
	d.inner.ObserveQueueDepth(sum)
	d.mu.Unlock()
}
