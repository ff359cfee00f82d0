package batcher

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/batch"
	"github.com/ronkms/ronkms/internal/cpupin"
	"github.com/ronkms/ronkms/internal/edverify"
)

// Defaults of Config, from the micro-batching heuristics of the
// benchmark playbook: batches of 64 to 256 signatures, formed within 500µs
// (TargetBatch and MaxWait apply to PolicyWindow only).
const (
	DefaultTargetBatch = 64
	DefaultMaxBatch    = 256
	DefaultMaxWait     = 500 * time.Microsecond
	DefaultMaxQueue    = 4096
	DefaultKeyCache    = 4096
)

var (
	// ErrOverloaded is returned by Batcher.Verify when the queue is full
	// (Config.MaxQueue requests wait already) and the Batcher is not
	// configured to wait for space (Config.BlockWhenFull). The request
	// was not accepted; the caller may retry later or shed the load.
	ErrOverloaded = errors.New("batcher: overloaded: verification queue is full")
	// ErrClosed is returned by Batcher.Verify once Close has been called.
	// The request was not accepted.
	ErrClosed = errors.New("batcher: closed")
)

// Policy is when a Batcher hands the batch it is forming to a verifier
// (Config.Policy). Under both policies a verifier takes the batch with
// every request queued by then, up to MaxBatch, and while every verifier is
// busy the batch grows, up to MaxBatch; they differ in whether a batch
// waits for company while a verifier is free.
type Policy int

const (
	// PolicyAuto, the zero value, is PolicyNatural, or PolicyWindow if
	// Config.TargetBatch or Config.MaxWait is set (the configurations of
	// earlier versions, which had only the window, keep their meaning).
	PolicyAuto Policy = iota
	// PolicyNatural is natural batching: no request waits for company. A
	// free verifier takes whatever is queued at once, so batches form only
	// from the requests that arrive while every verifier is busy, and grow
	// with the load: a request alone under light load, MaxBatch when the
	// verifiers cannot keep up. TargetBatch and MaxWait are not used.
	//
	// A lone request, one that arrives while no other Verify call of the
	// Batcher is in progress, nothing is queued and a verifier is free, is
	// verified at once on its caller's goroutine, without the queue, the
	// collector and a verifier goroutine, so that it costs about what the
	// single verifier does. It takes a verifier's place while it verifies
	// (through the batch engine and the key cache, or under cofactorless
	// rules, for which the engine's batch of one costs more, through the
	// single verifier, without the key cache), and its caller reports it to
	// the Observer as a batch of one before Verify returns.
	PolicyNatural
	// PolicyWindow is the batching window, the policy of earlier versions:
	// a batch is held, even while a verifier is free, until it has
	// TargetBatch requests or its oldest request has waited MaxWait,
	// whichever comes first. It spends latency under light load on fewer,
	// larger batches, which cost less CPU time per signature.
	PolicyWindow
)

// String returns "auto", "natural" or "window".
func (p Policy) String() string {
	switch p {
	case PolicyAuto:
		return "auto"
	case PolicyNatural:
		return "natural"
	case PolicyWindow:
		return "window"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// Config configures a Batcher. The zero value of every field selects its
// default (for Rules, ed25519.StdLib); negative values are errors.
type Config struct {
	// Rules are the verification rules of every verdict.
	Rules ed25519.Rules
	// Policy is when a verifier takes the batch being formed: at once
	// under PolicyNatural, the default, which also verifies a lone request
	// on its caller's goroutine; under PolicyWindow once it has
	// TargetBatch requests or has waited MaxWait. The zero value,
	// PolicyAuto, is PolicyNatural, or PolicyWindow if TargetBatch or
	// MaxWait is set; Config returns the policy chosen.
	Policy Policy
	// TargetBatch (PolicyWindow only) is the number of requests at which a
	// forming batch is handed to a free verifier without waiting for
	// MaxWait. Default DefaultTargetBatch (64), or MaxBatch if MaxBatch is
	// set below 64. It may not exceed MaxBatch.
	TargetBatch int
	// MaxBatch caps the size of a batch. A batch handed to a verifier takes
	// every request queued at that moment, up to MaxBatch, so batches grow
	// with the load (past TargetBatch under PolicyWindow). Default
	// DefaultMaxBatch (256).
	MaxBatch int
	// MaxWait (PolicyWindow only) is how long the oldest request of a
	// forming batch may wait in the queue, while a verifier is free, before
	// the batch is handed over with fewer than TargetBatch requests. The
	// wait is measured from the moment Verify offers the request to the
	// queue. While every verifier is busy, requests wait for one
	// regardless: MaxWait bounds the waiting for company, not for a
	// verifier. Default DefaultMaxWait (500µs).
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
	// arriving while one batch verifies can start in the next at once. The
	// README's Batcher section has the measurements. In every configuration
	// the next batch is collected while the current ones verify: the
	// collector keeps adding arriving requests to it, up to MaxBatch, and
	// hands it over when a verifier is free (with PolicyWindow, once it has
	// TargetBatch requests or has waited MaxWait). A lone request verified
	// on its caller's goroutine (PolicyNatural) takes the place of one of
	// the Pipeline verifiers while it verifies, so at most Pipeline batches
	// verify at once in every case.
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
	// to a CPU of its own while it verifies a batch of 32 signatures or
	// more, and only then (not while it waits for one, nor while it hands
	// out verdicts); the goroutine is locked to its thread for that time.
	// Smaller batches, and lone requests verified on their caller's
	// goroutine (PolicyNatural), run unpinned: the pin's system calls would cost
	// them a larger share of their time than an imbalance between CPUs
	// would, over so short a batch. Package internal/cpupin says how: it
	// keeps the pinned verifiers of every Batcher of the process on
	// distinct CPUs, as many as there are CPUs (the rest run unpinned), and
	// restores each thread's mask after the batch.
	//
	// Why: without it, Linux at times runs two verifiers on one CPU while
	// another CPU idles, and both batches take twice as long; pinning
	// shortens the latency tail (the README has the measurements).
	//
	// What it costs: five system calls per batch (a few microseconds), which
	// a seccomp filter must allow (sched_getaffinity, sched_setaffinity,
	// getcpu); a filter that kills the process on them kills it at the first
	// batch it pins. A pinned thread cannot leave its CPU to another process
	// for the length of a batch (milliseconds), and a stop-the-world pause
	// of the runtime waits for it, so a host shared with CPU-heavy work may
	// do better without pinning: measure both.
	NoPinning bool
	// Observer receives the Batcher's measurements; nil means none.
	Observer Observer
}

// withDefaults validates c and returns it with its defaults filled in.
func (c Config) withDefaults() (Config, error) {
	var errs []string
	if err := c.Rules.Validate(); err != nil {
		errs = append(errs, "Rules: "+strings.TrimPrefix(err.Error(), "ed25519: "))
	}
	if c.Policy < PolicyAuto || c.Policy > PolicyWindow {
		errs = append(errs, fmt.Sprintf("unknown Policy %d", int(c.Policy)))
	}
	if c.Policy == PolicyAuto {
		c.Policy = PolicyNatural
		if c.TargetBatch != 0 || c.MaxWait != 0 {
			c.Policy = PolicyWindow
		}
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
		return c, errors.New("batcher: invalid Config: " + strings.Join(errs, "; "))
	}
	return c, nil
}

// pinMinBatch is the smallest batch a verifier pins its thread for
// (Config.NoPinning, whose documentation states it): the pin's system calls
// cost about as much as a signature's verification, and an imbalance between
// CPUs costs a short batch little.
const pinMinBatch = 32

// directYield is how often a lone caller yields its processor after
// verifying its request itself (verifyDirect): every directYield-th such
// verification of the Batcher. A goroutine that verifies requests one
// after another on its own goroutine never blocks, so goroutines made
// runnable meanwhile, by timers or the network poller, wait for it (the
// runtime preempts it only after milliseconds): in BenchmarkBatcher at
// half load, whose submitters find requests waiting, without the yield p99
// was two to three times that of the window. A yield after each costs a
// lone request a third of its time or more (it wakes another thread); one
// after every eighth costs it little and bounds the wait to a few
// verifications.
const directYield = 8

// A Batcher verifies signatures submitted one at a time by many goroutines
// in micro-batches: a collector goroutine gathers queued requests into a
// batch, handed to a free verifier goroutine as the Config.Policy says,
// which verifies it with ronkms's batch engine and hands each caller its
// verdict. Under PolicyNatural, the default, a lone request is verified at
// once on its caller's goroutine instead.
//
// Every verdict equals Config.Rules.Verify on the same signature (so a
// public key of the wrong length is a false verdict, where ed25519.Verify
// panics).
//
// A Batcher must be closed with Close, which stops its goroutines.
type Batcher struct {
	cfg     Config
	obs     Observer
	natural bool // PolicyNatural

	reqs chan *batcherRequest // the bounded queue; closed by Close
	// slots holds the free verifiers, Pipeline in all. Every verification
	// takes one, with its working memory: a batch the collector hands to
	// a verifier goroutine, or a lone request verified on its caller's
	// goroutine. It is returned last of all, after the report to the
	// Observer, so a slot that is out always stands for a busy verifier.
	slots chan *verifier
	// work takes a slot with a batch (verifier.batch) from the collector to
	// a verifier goroutine. There are as many verifier goroutines as slots
	// and each has returned its slot when it waits here, so the collector,
	// holding a slot, finds a goroutine ready to receive. Closed by the
	// collector once every slot is back.
	work chan *verifier
	// spare returns verified batches' slices to the collector for reuse, so
	// that forming a batch allocates nothing (garbage is the main source of
	// latency outliers under load). Sends and receives never block.
	spare chan []*batcherRequest
	// Under PolicyNatural, inflight counts the Verify calls in progress
	// (past the checks of their arguments), and pending the requests
	// offered to the queue and not yet handed to a verifier (queued, in the
	// batch being formed, or waiting for space). A request is lone, and
	// verified on its caller's goroutine, only when its call is the only
	// one in progress and no request is pending (one whose caller gave up
	// waiting may be): it never overtakes a queued request, and under load,
	// when calls overlap, every request goes through the queue.
	inflight atomic.Int64
	pending  atomic.Int64
	directs  atomic.Int64 // lone requests verified, for directYield

	// mu orders sends on reqs, and the taking of slots by callers,
	// (read-locked) before Close closes reqs.
	mu        sync.RWMutex
	closing   chan struct{} // closed when Close is called
	closeOnce sync.Once
	done      chan struct{} // closed when every goroutine has exited
	verifiers sync.WaitGroup

	free sync.Pool // of *batcherRequest, recycled by Verify

	keys     *batch.KeyCache  // decoded keys, shared by the verifiers
	cacheObs KeyCacheObserver // obs, if it observes the key cache

	// hooks is nil except in this package's tests, which learn from it
	// what no Observer sees: that a request entered the queue, found it
	// full, was verified on its caller's goroutine, or was taken by the
	// collector. Tests wait on these counts instead of sleeping.
	hooks *batcherHooks
}

// batcherHooks is told of intake events (tests only; see Batcher.hooks).
// Its functions run on the caller of Verify, but collected on the
// collector, and must not block.
type batcherHooks struct {
	accepted  func() // a request entered the queue
	full      func() // a request found the queue full (before ErrOverloaded or waiting for space)
	direct    func() // a request took a free verifier, to be verified on its caller's goroutine
	collected func() // the collector took a request from the queue
	// noDirect turns off verification on the callers' goroutines, so that
	// every request goes through the queue and the collector.
	noDirect bool
}

// batcherRequest is one queued Verify call. The caller copies the key and
// the signature and hashes the message before queueing, so the Batcher never
// reads caller memory after Verify returns, and the hashing runs in parallel
// on the callers' goroutines.
type batcherRequest struct {
	ctx  context.Context
	item batch.Item
	enq  time.Time // when Verify offered the request to the queue
	// done receives the verdict. It is buffered so that the verifier never
	// blocks on a caller that stopped waiting.
	done chan bool
}

// New validates cfg, fills in its defaults and starts the Batcher's
// goroutines. The error says which fields are wrong.
func New(cfg Config) (*Batcher, error) {
	return newBatcher(cfg, nil)
}

func newBatcher(cfg Config, hooks *batcherHooks) (*Batcher, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Batcher{
		cfg:     cfg,
		obs:     cfg.Observer,
		natural: cfg.Policy == PolicyNatural,
		reqs:    make(chan *batcherRequest, cfg.MaxQueue),
		slots:   make(chan *verifier, cfg.Pipeline),
		work:    make(chan *verifier),
		spare:   make(chan []*batcherRequest, cfg.Pipeline+1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		keys:    batch.NewKeyCache(cfg.KeyCache),
		hooks:   hooks,
	}
	if b.obs == nil {
		b.obs = nopObserver{}
	}
	b.cacheObs, _ = b.obs.(KeyCacheObserver)
	for range cfg.Pipeline {
		b.slots <- new(verifier)
	}
	b.verifiers.Add(cfg.Pipeline)
	for range cfg.Pipeline {
		go b.verifyLoop()
	}
	go b.collect()
	return b, nil
}

// Config returns the Batcher's configuration with its defaults filled in.
func (b *Batcher) Config() Config { return b.cfg }

// Verify verifies one signature, in a batch with others submitted
// meanwhile or, under PolicyNatural when no other call is in progress, at
// once on the calling goroutine, and returns its verdict,
// which equals the single verifier of the Batcher's rules. It is safe for
// concurrent use by any number of goroutines. It does not retain pub, msg or
// sig: the key and signature are copied and the message hashed before the
// request is queued.
//
// Verify returns an error, and no verdict, when:
//   - ctx ends before the verdict is ready: ctx.Err(). The request is
//     dropped from its batch if the batch has not started verifying (a
//     request verified on the calling goroutine starts at once);
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
	if b.natural {
		lone := b.inflight.Add(1) == 1
		defer b.inflight.Add(-1)
		if lone {
			v, err := b.takeFree()
			if err != nil {
				return b.fail(start, err)
			}
			if v != nil {
				return b.verdict(start, b.verifyDirect(v, pub, msg, sig))
			}
		}
	}
	r := b.newRequest(ctx)
	r.item.Set(pub, msg, sig)
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

// takeFree returns the slot of a free verifier, for a lone caller to
// verify its request itself (verifyDirect), if no request is pending and a
// verifier is free, or nil.
func (b *Batcher) takeFree() (*verifier, error) {
	if b.pending.Load() != 0 || b.hooks != nil && b.hooks.noDirect {
		return nil, nil
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	select {
	case <-b.closing:
		return nil, ErrClosed
	default:
	}
	select {
	case v := <-b.slots:
		if b.hooks != nil {
			b.hooks.direct()
		}
		return v, nil
	default:
		return nil, nil
	}
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
	if b.natural {
		// Counted before it is queued, so that no lone caller that comes
		// after it overtakes it (takeFree).
		b.pending.Add(1)
	}
	r.enq = time.Now()
	err := b.send(ctx, r)
	if err != nil && b.natural {
		b.pending.Add(-1)
	}
	return err
}

// send puts r in the queue.
func (b *Batcher) send(ctx context.Context, r *batcherRequest) error {
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

func (b *Batcher) hookCollected() {
	if b.hooks != nil {
		b.hooks.collected()
	}
}

// verifyDirect verifies a lone request, a batch of one, on the calling
// goroutine with v, a free verifier's slot; reports it to the Observer, as
// a verifier goroutine reports its batches; returns the slot; and returns
// the verdict.
//
// Under cofactored rules the signature goes through the batch engine, with
// the key cache, as in a batch: for one signature it costs about what the
// single verifier does. Under cofactorless rules the engine's batch of one
// would cost more, for the prime-order-subgroup tests that only a batch
// equation needs, so the single verifier verifies it, without the key
// cache.
//
// The report runs here, not on a verifier goroutine: handing it to one
// would wake a thread (and another processor) per request, which cost a
// lone request measurably more than the report itself.
func (b *Batcher) verifyDirect(v *verifier, pub, msg, sig []byte) bool {
	var ok bool
	start := time.Now()
	if b.cfg.Rules&ed25519.Cofactored != 0 {
		v.items = resize(v.items, 1)
		v.items[0].Set(pub, msg, sig)
		v.valid = resize(v.valid, 1)
		v.engine.Verify(edverify.Rules(b.cfg.Rules), v.items, v.valid, batch.Config{Workers: 1, Cache: b.keys})
		ok = v.valid[0]
	} else {
		v.items = v.items[:0] // no key decodings to remember
		ok = b.cfg.Rules.Verify(pub, msg, sig)
	}
	b.report(v, BatchStats{Rules: b.cfg.Rules, Size: 1, Duration: time.Since(start)})
	b.slots <- v
	if b.directs.Add(1)%directYield == 0 {
		runtime.Gosched()
	}
	return ok
}

func (b *Batcher) verdict(start time.Time, ok bool) (bool, error) {
	res := ResultInvalid
	if ok {
		res = ResultValid
	}
	b.obs.ObserveOp(OpVerify, b.cfg.Rules, res, time.Since(start))
	return ok, nil
}

func (b *Batcher) fail(start time.Time, err error) (bool, error) {
	b.obs.ObserveFailure(OpVerify, FailureKind(err))
	b.obs.ObserveOp(OpVerify, b.cfg.Rules, ResultError, time.Since(start))
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
	target, maxBatch := b.cfg.TargetBatch, b.cfg.MaxBatch
	if b.natural {
		target = 1 // no batch waits for company
	}
	var al *alarm
	if target > 1 {
		al = newAlarm()
	}
	var alarmFired <-chan time.Time // nil, never ready, without an alarm
	if al != nil {
		alarmFired = al.fired
	}
	defer func() {
		if al != nil {
			al.stop()
		}
		// Every verification, on a verifier goroutine or a lone caller's,
		// ends by returning its slot.
		for range b.cfg.Pipeline {
			<-b.slots
		}
		close(b.work)
		b.verifiers.Wait()
		b.obs.ObserveQueueDepth(0)
		close(b.done)
	}()
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
		b.hookCollected()
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
		if len(batch) < target { // PolicyWindow
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
					b.hookCollected()
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
		// Hand the batch off. Until a verifier is free to take it, keep
		// adding requests as they arrive, up to MaxBatch: the batch could
		// not start any earlier, and larger batches verify faster per
		// signature.
		b.obs.ObserveQueueDepth(len(b.reqs) + len(batch))
		var v *verifier
	handOff:
		for {
			if !open || len(batch) >= maxBatch {
				v = <-b.slots
				break
			}
			select {
			case v = <-b.slots:
				break handOff
			case r, ok := <-b.reqs:
				if !ok {
					open = false
					continue
				}
				b.hookCollected()
				batch = append(batch, r)
				b.obs.ObserveQueueDepth(len(b.reqs) + len(batch))
			}
		}
		// A verifier is free: the batch takes whatever else is queued by
		// now, up to MaxBatch (the select above may have taken the slot
		// before requests that were queued already).
		if open {
			batch, open = b.takeQueued(batch, maxBatch)
		}
		if b.natural {
			b.pending.Add(-int64(len(batch)))
		}
		v.batch = batch
		b.work <- v
		b.obs.ObserveQueueDepth(len(b.reqs))
		if !open {
			return
		}
	}
}

// takeQueued appends to batch the requests in the queue, without waiting,
// until it has max. It reports whether the queue is still open.
func (b *Batcher) takeQueued(batch []*batcherRequest, max int) ([]*batcherRequest, bool) {
	for len(batch) < max {
		select {
		case r, ok := <-b.reqs:
			if !ok {
				return batch, false
			}
			b.hookCollected()
			batch = append(batch, r)
		default:
			return batch, true
		}
	}
	return batch, true
}

// verifyLoop is a verifier goroutine. It receives a slot with a batch to
// verify and returns the slot when it is done.
func (b *Batcher) verifyLoop() {
	defer b.verifiers.Done()
	for v := range b.work {
		reqs := v.batch
		v.batch = nil
		b.verifyBatch(v, reqs)
		clear(reqs) // drop the requests, which their callers recycle
		select {
		case b.spare <- reqs[:0]:
		default:
		}
		// Let the callers just handed their verdicts run before the next
		// batch. A verifier that went straight on would keep them queued
		// behind it on its processor for a whole batch, so under load they
		// could not submit again in time and batches shrank, which verify
		// slower per signature: measured in the closed loop of
		// BenchmarkBatcher (zip215, TargetBatch 64), 0.65x direct
		// VerifyBatch and batches of 64 without this, 0.89-1.01x and
		// batches of 256 with it.
		runtime.Gosched()
		b.slots <- v
	}
}

// verifier is the working memory of one verification slot (Batcher.slots),
// kept between batches, and the batch it carries to a verifier goroutine.
type verifier struct {
	engine batch.Verifier
	items  []batch.Item
	valid  []bool
	batch  []*batcherRequest
}

// verifyPinned verifies v.items with the verifier's thread pinned to a CPU
// of its own (Config.NoPinning), where it is pinned: one worker, which is
// the verifier itself, and a batch of at least pinMinBatch. Helper
// goroutines of more workers would run unpinned, while the verifier waited
// for them pinned.
func (b *Batcher) verifyPinned(v *verifier) {
	if !b.cfg.NoPinning && b.cfg.Workers == 1 && len(v.items) >= pinMinBatch {
		pin := cpupin.Start()
		defer pin.End()
	}
	v.engine.Verify(edverify.Rules(b.cfg.Rules), v.items, v.valid, batch.Config{Workers: b.cfg.Workers, Cache: b.keys})
}

// verifyBatch verifies the requests of reqs whose context has not ended
// and sends each its verdict.
func (b *Batcher) verifyBatch(v *verifier, reqs []*batcherRequest) {
	live := reqs[:0]
	v.items = v.items[:0]
	var oldest time.Time
	for _, r := range reqs {
		if r.ctx.Err() != nil {
			continue // its caller returns ctx.Err()
		}
		live = append(live, r)
		v.items = append(v.items, r.item)
		if oldest.IsZero() || r.enq.Before(oldest) {
			oldest = r.enq
		}
	}
	dropped := len(reqs) - len(live)
	if len(live) == 0 {
		return
	}
	v.valid = resize(v.valid, len(live))
	start := time.Now()
	b.verifyPinned(v)
	dur := time.Since(start)
	for i, r := range live {
		r.done <- v.valid[i]
	}
	// Off the callers' latency: they have their verdicts.
	b.report(v, BatchStats{
		Rules:      b.cfg.Rules,
		Size:       len(live),
		Dropped:    dropped,
		OldestWait: start.Sub(oldest),
		Duration:   dur,
	})
}

// report stores the key decodings of the batch v just verified in the key
// cache and reports the batch to the Observer. v.items is empty after a
// verification without the engine (verifyDirect), which used no key cache.
func (b *Batcher) report(v *verifier, st BatchStats) {
	if len(v.items) > 0 {
		cs := v.engine.Remember(b.keys, v.items)
		if b.cacheObs != nil {
			b.cacheObs.ObserveKeyCache(b.cfg.Rules, cs.Hits, cs.Misses, cs.Size)
		}
	}
	b.obs.ObserveBatch(st)
}

// resize returns s with length n, reusing its memory when it is large
// enough. The contents are unspecified.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
