package ronkms

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/cpupin"
	"github.com/ronkms/ronkms/internal/edverify"
)

// Defaults of BatcherConfig, from the micro-batching heuristics of the
// benchmark playbook: batches of 64 to 256 signatures, formed within 500µs.
const (
	DefaultTargetBatch = 64
	DefaultMaxBatch    = 256
	DefaultMaxWait     = 500 * time.Microsecond
	DefaultMaxQueue    = 4096
	DefaultKeyCache    = 4096
)

var (
	// ErrOverloaded is returned by Batcher.Verify when the queue is full
	// (BatcherConfig.MaxQueue requests wait already) and the Batcher is not
	// configured to wait for space (BatcherConfig.BlockWhenFull). The request
	// was not accepted; the caller may retry later or shed the load.
	ErrOverloaded = errors.New("ronkms: batcher overloaded: verification queue is full")
	// ErrClosed is returned by Batcher.Verify once Close has been called.
	// The request was not accepted.
	ErrClosed = errors.New("ronkms: batcher closed")
)

// BatcherConfig configures a Batcher. The zero value of every field but
// Mode selects its default; negative values are errors.
type BatcherConfig struct {
	// Mode is the verification rules of every verdict.
	Mode Mode
	// TargetBatch is the queue length at which a batch is flushed at once,
	// without waiting for MaxWait. Default DefaultTargetBatch (64), or
	// MaxBatch if MaxBatch is set below 64. It may not exceed MaxBatch.
	TargetBatch int
	// MaxBatch caps the size of a batch. When a batch is flushed, it takes
	// every request already queued, up to MaxBatch, so batches grow past
	// TargetBatch under load. Default DefaultMaxBatch (256).
	MaxBatch int
	// MaxWait is how long the oldest request of a forming batch may wait in
	// the queue before the batch is flushed with fewer than TargetBatch
	// requests. The wait is measured from the moment Verify offers the
	// request to the queue. Default DefaultMaxWait (500µs).
	MaxWait time.Duration
	// Workers is the number of goroutines that verify one batch
	// (WithWorkers), and Pipeline the number of batches that may verify at
	// the same time. By default the cores are split between them: with
	// neither set, Pipeline is GOMAXPROCS (when the Batcher is created)
	// and Workers 1; with one set, the other is GOMAXPROCS divided by it
	// (at least 1).
	//
	// Why one worker per batch and several batches: a batch split over all
	// cores finishes when its slowest part does, and the callers' own work
	// (hashing, waking up) takes cores from it at random; batches verifying
	// side by side on one core each keep every core busy, and a request
	// arriving while one batch verifies can start in the next at once.
	// Measured on 2 cores (ZIP215, 1,000 submitters, BenchmarkBatcher):
	// Pipeline 1 with 2 workers reached 0.56-0.64 times the throughput of
	// calling VerifyBatch directly, Pipeline 2 with 1 worker 0.85-0.97
	// times, with the median latency at half load down from 4-6 ms to
	// 1.1 ms. In every configuration the next batch is collected while
	// the current ones verify: the collector keeps adding arriving
	// requests to it, up to MaxBatch, and hands it over the moment a
	// verifier is free.
	Workers  int
	Pipeline int
	// MaxQueue is the capacity of the queue between Verify and the
	// collector: requests accepted and not yet taken into a batch (the
	// batch being formed, up to MaxBatch, comes on top). The queue is
	// allocated up front, a pointer per slot. Default DefaultMaxQueue
	// (4096).
	MaxQueue int
	// KeyCache is the number of decoded public keys the Batcher keeps
	// between batches (about 600 bytes each), so that a key seen in one
	// batch is not decoded again in the next; when it is full, a new key
	// replaces a uniformly random one. Verdicts are the same with any size,
	// so there is no off switch: a small size bounds its memory. Default
	// DefaultKeyCache (4096). An Observer that is also a KeyCacheObserver
	// receives its size, hits and misses.
	KeyCache int
	// BlockWhenFull makes Verify wait for space in a full queue (until its
	// context ends or the Batcher is closed) instead of returning
	// ErrOverloaded at once.
	BlockWhenFull bool
	// NoPinning turns off CPU pinning. By default, on Linux and with one
	// worker per batch (Workers 1, the default), a verifier pins its thread
	// to a CPU of its own while it verifies a batch, and only then (not
	// while it waits for one, nor while it hands out verdicts); the
	// goroutine is locked to its thread for that time. Package
	// internal/cpupin says how: it keeps the pinned verifiers of every
	// Batcher of the process on distinct CPUs, as many as there are CPUs
	// (the rest run unpinned), and restores each thread's mask after the
	// batch.
	//
	// Why: without it, Linux at times runs two verifiers on one CPU while
	// another CPU idles, and both batches take twice as long. Measured on 2
	// vCPUs (BenchmarkBatcher, half load, p99 from the call, six runs):
	// StdLib 1.8-2.5 ms pinned against 6.0-9.9 ms unpinned, Strict 1.7-2.4
	// ms (5.0 once) against 5.4-7.6 ms, ZIP215 0.9-1.2 ms against 2.9-5.5
	// ms. Closed-loop throughput did not change measurably.
	//
	// What it costs: five system calls per batch (about 5 µs), which a
	// seccomp filter must allow (sched_getaffinity, sched_setaffinity,
	// getcpu); a filter that kills the process on them kills it at the first
	// batch. A pinned thread cannot leave its CPU to another process for
	// the length of a batch (milliseconds), and a stop-the-world pause of
	// the runtime waits for it: saturated by a load generator on the same 2
	// vCPUs, ronkms serve answered 3-9% fewer requests pinned (means of
	// three runs per endpoint). Where the machine is shared with CPU-heavy
	// work, measure both.
	NoPinning bool
	// Observer receives the Batcher's measurements; nil means none.
	Observer Observer
}

// withDefaults validates c and returns it with its defaults filled in.
func (c BatcherConfig) withDefaults() (BatcherConfig, error) {
	var errs []string
	if !c.Mode.valid() {
		errs = append(errs, fmt.Sprintf("Mode is %v, not one of stdlib, strict, zip215", c.Mode))
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"TargetBatch", int64(c.TargetBatch)},
		{"MaxBatch", int64(c.MaxBatch)},
		{"Workers", int64(c.Workers)},
		{"Pipeline", int64(c.Pipeline)},
		{"MaxQueue", int64(c.MaxQueue)},
		{"KeyCache", int64(c.KeyCache)},
	} {
		if f.v < 0 {
			errs = append(errs, fmt.Sprintf("%s is negative (%d); use 0 for the default", f.name, f.v))
		}
	}
	if c.MaxWait < 0 {
		errs = append(errs, fmt.Sprintf("MaxWait is negative (%v); use 0 for the default", c.MaxWait))
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.TargetBatch == 0 {
		c.TargetBatch = min(DefaultTargetBatch, c.MaxBatch)
	}
	if c.TargetBatch > c.MaxBatch && c.MaxBatch > 0 {
		errs = append(errs, fmt.Sprintf("TargetBatch (%d) exceeds MaxBatch (%d)", c.TargetBatch, c.MaxBatch))
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	procs := runtime.GOMAXPROCS(0)
	switch {
	case c.Pipeline == 0 && c.Workers == 0:
		c.Pipeline, c.Workers = procs, 1
	case c.Pipeline == 0:
		c.Pipeline = max(1, procs/c.Workers)
	case c.Workers == 0:
		c.Workers = max(1, procs/c.Pipeline)
	}
	if c.KeyCache == 0 {
		c.KeyCache = DefaultKeyCache
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = DefaultMaxQueue
	}
	if len(errs) > 0 {
		return c, errors.New("ronkms: invalid BatcherConfig: " + strings.Join(errs, "; "))
	}
	return c, nil
}

// A Batcher verifies signatures submitted one at a time by many goroutines
// in micro-batches: a collector goroutine gathers queued requests into a
// batch, flushed when TargetBatch requests are queued or when the oldest has
// waited MaxWait, whichever comes first, and capped at MaxBatch; verifier
// goroutines verify the batches with a BatchVerifier and hand each caller its
// verdict.
//
// Every verdict equals the single verifier of the Batcher's mode
// (ed25519.Verify, VerifyStrict or VerifyZIP215), except that a public key of
// the wrong length is a false verdict where ed25519.Verify panics.
//
// A Batcher must be closed with Close, which stops its goroutines.
type Batcher struct {
	cfg BatcherConfig
	obs Observer

	reqs chan *batcherRequest   // the bounded queue; closed by Close
	work chan []*batcherRequest // collector to verifiers; closed by the collector
	// spare returns verified batches' slices to the collector for reuse, so
	// that forming a batch allocates nothing (garbage is the main source of
	// latency outliers under load). Sends and receives never block.
	spare chan []*batcherRequest

	// mu orders sends on reqs (read-locked) before Close closes it.
	mu        sync.RWMutex
	closing   chan struct{} // closed when Close is called
	closeOnce sync.Once
	done      chan struct{} // closed when every goroutine has exited
	verifiers sync.WaitGroup

	free sync.Pool // of *batcherRequest, recycled by Verify

	keys     *keyCache        // decoded keys, shared by the verifiers
	cacheObs KeyCacheObserver // obs, if it observes the key cache

	// hooks is nil except in this package's tests, which learn from it
	// what no Observer sees: that a request entered the queue, or found it
	// full. Tests wait on these counts instead of sleeping.
	hooks *batcherHooks
}

// batcherHooks is told of intake events (tests only; see Batcher.hooks).
// Its functions run on the caller of Verify and must not block.
type batcherHooks struct {
	accepted func() // a request entered the queue
	full     func() // a request found the queue full (before ErrOverloaded or waiting for space)
}

// batcherRequest is one queued Verify call. The caller copies the key and
// the signature and hashes the message before queueing, so the Batcher never
// reads caller memory after Verify returns, and the hashing runs in parallel
// on the callers' goroutines.
type batcherRequest struct {
	ctx  context.Context
	item batchItem
	enq  time.Time // when Verify offered the request to the queue
	// done receives the verdict. It is buffered so that the verifier never
	// blocks on a caller that stopped waiting.
	done chan bool
}

// NewBatcher validates cfg, fills in its defaults and starts the Batcher's
// goroutines. The error says which fields are wrong.
func NewBatcher(cfg BatcherConfig) (*Batcher, error) {
	return newBatcher(cfg, nil)
}

func newBatcher(cfg BatcherConfig, hooks *batcherHooks) (*Batcher, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Batcher{
		cfg:     cfg,
		obs:     cfg.Observer,
		reqs:    make(chan *batcherRequest, cfg.MaxQueue),
		work:    make(chan []*batcherRequest),
		spare:   make(chan []*batcherRequest, cfg.Pipeline+1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		keys:    newKeyCache(cfg.KeyCache),
		hooks:   hooks,
	}
	if b.obs == nil {
		b.obs = nopObserver{}
	}
	b.cacheObs, _ = b.obs.(KeyCacheObserver)
	b.verifiers.Add(cfg.Pipeline)
	for range cfg.Pipeline {
		go b.verifyLoop()
	}
	go b.collect()
	return b, nil
}

// Config returns the Batcher's configuration with its defaults filled in.
func (b *Batcher) Config() BatcherConfig { return b.cfg }

// Verify queues one signature and waits for its verdict, which equals the
// single verifier of the Batcher's mode. It is safe for concurrent use by
// any number of goroutines. It does not retain pub, msg or sig: the key and
// signature are copied and the message hashed before the request is queued.
//
// Verify returns an error, and no verdict, when:
//   - ctx ends before the verdict is ready: ctx.Err(). The request is
//     dropped from its batch if the batch has not started verifying;
//   - the queue is full: ErrOverloaded, or, with BlockWhenFull, Verify waits
//     for space until ctx ends or the Batcher is closed;
//   - the Batcher is closed: ErrClosed. A request accepted before Close
//     always gets its verdict.
//
// A key or signature of the wrong length is a false verdict, returned
// without queueing.
func (b *Batcher) Verify(ctx context.Context, pub ed25519.PublicKey, msg, sig []byte) (bool, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return b.fail(start, err)
	}
	select {
	case <-b.closing:
		return b.fail(start, ErrClosed)
	default:
	}
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		b.obs.ObserveFailure(OpVerify, FailureBadInput)
		return b.verdict(start, false)
	}
	r := b.newRequest(ctx)
	r.item.set(pub, sig)
	edverify.Challenge(&r.item.k, edverify.DomPrefixPure, "", r.item.sig[:32], r.item.pub[:], msg)
	if err := b.enqueue(ctx, r); err != nil {
		b.freeRequest(r)
		return b.fail(start, err)
	}
	select {
	case ok := <-r.done:
		b.freeRequest(r)
		return b.verdict(start, ok)
	case <-ctx.Done():
		// A verdict that arrived at the same moment is still an answer.
		select {
		case ok := <-r.done:
			b.freeRequest(r)
			return b.verdict(start, ok)
		default:
		}
		// The Batcher may still send a verdict to r: it is not reused.
		return b.fail(start, ctx.Err())
	}
}

// newRequest returns a request for ctx with an empty done channel.
func (b *Batcher) newRequest(ctx context.Context) *batcherRequest {
	r, _ := b.free.Get().(*batcherRequest)
	if r == nil {
		r = &batcherRequest{done: make(chan bool, 1)}
	}
	r.ctx = ctx
	return r
}

// freeRequest recycles r, which the Batcher no longer references: it was
// never queued, or its verdict has been received.
func (b *Batcher) freeRequest(r *batcherRequest) {
	r.ctx = nil
	b.free.Put(r)
}

// enqueue offers r to the queue.
func (b *Batcher) enqueue(ctx context.Context, r *batcherRequest) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	select {
	case <-b.closing:
		return ErrClosed
	default:
	}
	r.enq = time.Now()
	select {
	case b.reqs <- r:
		b.hookAccepted()
		return nil
	default:
	}
	if b.hooks != nil {
		b.hooks.full()
	}
	if !b.cfg.BlockWhenFull {
		return ErrOverloaded
	}
	select {
	case b.reqs <- r:
		b.hookAccepted()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.closing:
		return ErrClosed
	}
}

func (b *Batcher) hookAccepted() {
	if b.hooks != nil {
		b.hooks.accepted()
	}
}

func (b *Batcher) verdict(start time.Time, ok bool) (bool, error) {
	res := ResultInvalid
	if ok {
		res = ResultValid
	}
	b.obs.ObserveOp(OpVerify, b.cfg.Mode, res, time.Since(start))
	return ok, nil
}

func (b *Batcher) fail(start time.Time, err error) (bool, error) {
	b.obs.ObserveFailure(OpVerify, FailureKind(err))
	b.obs.ObserveOp(OpVerify, b.cfg.Mode, ResultError, time.Since(start))
	return false, err
}

// Close stops intake: Verify calls made after Close, or waiting for space in
// a full queue, return ErrClosed. Close then verifies every request already
// accepted and returns when each of their callers has its verdict and every
// goroutine of the Batcher has exited. Close may be called more than once,
// concurrently; every call waits. It always returns nil.
func (b *Batcher) Close() error {
	b.closeOnce.Do(func() {
		close(b.closing)
		b.mu.Lock() // waits for senders in flight
		close(b.reqs)
		b.mu.Unlock()
	})
	<-b.done
	return nil
}

// collect is the collector goroutine: it forms batches from the queue and
// hands them to the verifiers until the queue is closed and drained.
func (b *Batcher) collect() {
	al := newAlarm()
	var alarmFired <-chan time.Time // nil, never ready, without an alarm
	if al != nil {
		alarmFired = al.fired
	}
	defer func() {
		if al != nil {
			al.stop()
		}
		close(b.work)
		b.verifiers.Wait()
		b.obs.ObserveQueueDepth(0)
		close(b.done)
	}()
	target, maxBatch := b.cfg.TargetBatch, b.cfg.MaxBatch
	// The MaxWait deadline comes from the alarm (batcher_alarm.go), which
	// is on time where a runtime timer may be a millisecond late; while
	// the alarm still sleeps for an earlier batch that filled before its
	// deadline (or without an alarm), the timer stands in.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	alarmBusy := false
	for {
		r, ok := <-b.reqs
		if !ok {
			return
		}
		select {
		case <-alarmFired: // a stale answer: the alarm is free
			alarmBusy = false
		default:
		}
		var batch []*batcherRequest
		select {
		case batch = <-b.spare:
			batch = append(batch[:0], r)
		default:
			batch = make([]*batcherRequest, 1, maxBatch)
			batch[0] = r
		}
		open := true
		b.obs.ObserveQueueDepth(len(b.reqs) + 1)
		if len(batch) < target {
			deadline := r.enq.Add(b.cfg.MaxWait)
			if al != nil && !alarmBusy {
				al.arm(deadline)
				alarmBusy = true
			} else {
				// Timers have no stale ticks since Go 1.23: Reset after
				// Stop is safe, and a non-positive duration fires at once.
				timer.Reset(time.Until(deadline))
			}
		wait:
			for len(batch) < target {
				select {
				case r, ok := <-b.reqs:
					if !ok {
						open = false
						break wait
					}
					batch = append(batch, r)
					b.obs.ObserveQueueDepth(len(b.reqs) + len(batch))
				case d := <-alarmFired:
					alarmBusy = false
					if d.Equal(deadline) {
						break wait
					}
					// An earlier batch's deadline; this one's is on the
					// timer, which stands in until it fires.
				case <-timer.C:
					break wait
				}
			}
			timer.Stop()
		}
		// Flush: take whatever else is queued already, up to MaxBatch.
	topUp:
		for open && len(batch) < maxBatch {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					open = false
					break topUp
				}
				batch = append(batch, r)
			default:
				break topUp
			}
		}
		// Hand the batch off. Until a verifier is free to take it, keep
		// adding requests as they arrive, up to MaxBatch: the batch could
		// not start any earlier, and larger batches verify faster per
		// signature.
		b.obs.ObserveQueueDepth(len(b.reqs) + len(batch))
	handOff:
		for {
			if !open || len(batch) >= maxBatch {
				b.work <- batch
				break
			}
			select {
			case b.work <- batch:
				break handOff
			case r, ok := <-b.reqs:
				if !ok {
					open = false
					continue
				}
				batch = append(batch, r)
				b.obs.ObserveQueueDepth(len(b.reqs) + len(batch))
			}
		}
		b.obs.ObserveQueueDepth(len(b.reqs))
		if !open {
			return
		}
	}
}

// verifyLoop is a verifier goroutine.
func (b *Batcher) verifyLoop() {
	defer b.verifiers.Done()
	v := NewBatchVerifier(b.cfg.Mode, WithWorkers(b.cfg.Workers))
	v.cache = b.keys
	for batch := range b.work {
		b.verifyBatch(v, batch)
		clear(batch) // drop the requests, which their callers recycle
		select {
		case b.spare <- batch[:0]:
		default:
		}
		// Let the callers just handed their verdicts run before the next
		// batch. A verifier that went straight on would keep them queued
		// behind it on its processor for a whole batch, so under load they
		// could not submit again in time and batches shrank to TargetBatch,
		// which verify slower per signature: measured in the closed loop
		// of BenchmarkBatcher (zip215), 0.65x direct VerifyBatch and
		// batches of 64 without this, 0.89-1.01x and batches of 256 with it.
		runtime.Gosched()
	}
}

// verifyPinned runs v.Verify with the verifier's thread pinned to a CPU of
// its own (BatcherConfig.NoPinning), where it is pinned: one worker, which
// is the verifier itself. Helper goroutines of more workers would run
// unpinned, while the verifier waited for them pinned.
func (b *Batcher) verifyPinned(v *BatchVerifier) []bool {
	if !b.cfg.NoPinning && b.cfg.Workers == 1 {
		pin := cpupin.Start()
		defer pin.End()
	}
	_, valid := v.verify()
	return valid
}

// verifyBatch verifies the requests of batch whose context has not ended
// and sends each its verdict.
func (b *Batcher) verifyBatch(v *BatchVerifier, batch []*batcherRequest) {
	v.Reset()
	live := batch[:0]
	var oldest time.Time
	for _, r := range batch {
		if r.ctx.Err() != nil {
			continue // its caller returns ctx.Err()
		}
		live = append(live, r)
		v.items = append(v.items, r.item)
		if oldest.IsZero() || r.enq.Before(oldest) {
			oldest = r.enq
		}
	}
	dropped := len(batch) - len(live)
	if len(live) == 0 {
		return
	}
	start := time.Now()
	valid := b.verifyPinned(v)
	dur := time.Since(start)
	for i, r := range live {
		r.done <- valid[i]
	}
	v.rememberKeys() // off the callers' latency: they have their verdicts
	v.Reset()
	if b.cacheObs != nil {
		hits, misses, size := v.cacheStats()
		b.cacheObs.ObserveKeyCache(b.cfg.Mode, hits, misses, size)
	}
	b.obs.ObserveBatch(BatchStats{
		Mode:       b.cfg.Mode,
		Size:       len(live),
		Dropped:    dropped,
		OldestWait: start.Sub(oldest),
		Duration:   dur,
	})
}
