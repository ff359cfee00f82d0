package batcher_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// Helpers of the Batcher tests carry a batcher prefix so that they cannot
// collide with helpers of other test files of package batcher_test.

// batcherModes are the rule sets of the Batcher tests: one cofactorless
// and one cofactored preset beyond the three original ones, so that both
// engines and the byte-level rules go through a Batcher.
var batcherModes = []ed25519.Rules{ed25519.StdLib, ed25519.Strict, ed25519.ZIP215, ed25519.Libsodium, ed25519.Oasis}

// batcherPolicies are the batching policies of the tests: their Policy,
// TargetBatch and MaxWait. natural is the default; window is the batching
// window.
var batcherPolicies = []struct {
	name string
	cfg  batcher.Config
}{
	{"natural", batcher.Config{}},
	{"window", batcher.Config{TargetBatch: 16, MaxWait: time.Millisecond}},
}

// batcherWithPolicy returns cfg with the Policy, TargetBatch and MaxWait of
// batcherPolicies[p].
func batcherWithPolicy(cfg batcher.Config, p int) batcher.Config {
	pol := batcherPolicies[p].cfg
	cfg.Policy, cfg.TargetBatch, cfg.MaxWait = pol.Policy, pol.TargetBatch, pol.MaxWait
	return cfg
}

// batcherRNG returns a deterministic generator for test name. RONKMS_TEST_SEED
// (an integer) changes every test's stream.
func batcherRNG(t testing.TB, name string) *rand.Rand {
	return testgen.RNG(t, name, 0xba7c_4e55)
}

// batcherSingle is the single verifier of mode.
func batcherSingle(mode ed25519.Rules, c testgen.Case) bool {
	return mode.Verify(c.Pub, c.Msg, c.Sig)
}

// batcherCase is a test input with its expected verdict in every mode.
type batcherCase struct {
	testgen.Case
	want map[ed25519.Rules]bool
}

// batcherCases draws n inputs, half honest and half of random testgen kinds
// (crafted, mutated, malformed), and computes each verdict with
// testgen.Reference, checked against the single verifier.
func batcherCases(t testing.TB, rng *rand.Rand, n int) []batcherCase {
	t.Helper()
	signers := make([]*testgen.Signer, 8)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	out := make([]batcherCase, n)
	for i := range out {
		var c testgen.Case
		if rng.IntN(2) == 0 {
			c = signers[rng.IntN(len(signers))].Honest(testgen.RandomMessage(rng, 96))
		} else {
			c = testgen.Random(rng, signers)
		}
		out[i].Case = c
		out[i].want = map[ed25519.Rules]bool{}
		for _, m := range batcherModes {
			ref := testgen.Reference(m, c)
			if single := batcherSingle(m, c); single != ref {
				t.Fatalf("case %d (%s), mode=%v: single verifier says %v, reference %v", i, c.Name, m, single, ref)
			}
			out[i].want[m] = ref
		}
	}
	return out
}

// batcherObserver counts what a Batcher reports.
type batcherObserver struct {
	ops       [3]atomic.Int64 // by VerifyResult
	badOp     atomic.Int64    // ObserveOp with an op other than OpVerify
	batches   atomic.Int64
	verified  atomic.Int64 // sum of BatchStats.Size
	dropped   atomic.Int64
	maxSize   atomic.Int64
	depth     atomic.Int64 // last ObserveQueueDepth
	negDepth  atomic.Int64 // negative depths seen
	mu        sync.Mutex
	failures  map[string]int
	lastStats batcher.BatchStats
	sizes     []int // of every batch, in the order of the reports
	// gate, if not nil, blocks ObserveBatch until it is closed (after the
	// batch's callers have their verdicts), which stalls that verifier.
	gate chan struct{}
}

func newBatcherObserver() *batcherObserver {
	return &batcherObserver{failures: map[string]int{}}
}

func (o *batcherObserver) ObserveOp(op string, mode ed25519.Rules, r batcher.VerifyResult, d time.Duration) {
	if op != batcher.OpVerify || d < 0 {
		o.badOp.Add(1)
	}
	o.ops[r].Add(1)
}

func (o *batcherObserver) ObserveFailure(op, kind string) {
	o.mu.Lock()
	o.failures[kind]++
	o.mu.Unlock()
}

func (o *batcherObserver) ObserveBatch(s batcher.BatchStats) {
	o.batches.Add(1)
	o.verified.Add(int64(s.Size))
	o.dropped.Add(int64(s.Dropped))
	for {
		m := o.maxSize.Load()
		if int64(s.Size) <= m || o.maxSize.CompareAndSwap(m, int64(s.Size)) {
			break
		}
	}
	o.mu.Lock()
	o.lastStats = s
	o.sizes = append(o.sizes, s.Size)
	o.mu.Unlock()
	if o.gate != nil {
		<-o.gate
	}
}

func (o *batcherObserver) ObserveQueueDepth(n int) {
	if n < 0 {
		o.negDepth.Add(1)
	}
	o.depth.Store(int64(n))
}

func (o *batcherObserver) failure(kind string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.failures[kind]
}

func (o *batcherObserver) batchSizes() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.sizes)
}

func (o *batcherObserver) totalOps() int64 {
	return o.ops[0].Load() + o.ops[1].Load() + o.ops[2].Load()
}

func newTestBatcher(t testing.TB, cfg batcher.Config) *batcher.Batcher {
	t.Helper()
	b, err := batcher.New(cfg)
	if err != nil {
		t.Fatalf("NewBatcher(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// batcherWaitGroup waits for wg, failing t after timeout.
func batcherWaitGroup(t testing.TB, wg *sync.WaitGroup, timeout time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		t.Fatalf("%s: still running after %v", what, timeout)
	}
}

// batcherEventually waits for cond, failing t after 60,000 polls a
// millisecond apart (a minute at least): the bound only keeps a hang from
// lasting until the test binary's timeout; no test asserts on how soon cond
// holds, and nothing is timed.
func batcherEventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i == 60_000 {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBatcherConfigValidation(t *testing.T) {
	bad := []struct {
		cfg  batcher.Config
		want []string
	}{
		{batcher.Config{Rules: ed25519.AllowNonCanonicalR}, []string{"Rules: invalid rules allow-noncanonical-r: allow-noncanonical-r needs cofactored"}},
		{batcher.Config{Rules: 0x40}, []string{"Rules: invalid rules 0x40: bits outside the five rules"}},
		{batcher.Config{TargetBatch: -1}, []string{"TargetBatch is negative"}},
		{batcher.Config{MaxBatch: -2}, []string{"MaxBatch is negative"}},
		{batcher.Config{MaxWait: -time.Millisecond}, []string{"MaxWait is negative (-1ms)"}},
		{batcher.Config{Workers: -1}, []string{"Workers is negative"}},
		{batcher.Config{Pipeline: -1}, []string{"Pipeline is negative"}},
		{batcher.Config{MaxQueue: -1}, []string{"MaxQueue is negative"}},
		{batcher.Config{KeyCache: -1}, []string{"KeyCache is negative"}},
		{batcher.Config{TargetBatch: 300}, []string{"TargetBatch (300) exceeds MaxBatch (256)"}},
		{batcher.Config{TargetBatch: 65, MaxBatch: 64}, []string{"TargetBatch (65) exceeds MaxBatch (64)"}},
		{batcher.Config{Policy: 3}, []string{"unknown Policy 3"}},
		{batcher.Config{Policy: -1}, []string{"unknown Policy -1"}},
		{batcher.Config{Rules: ed25519.Strict | ed25519.AllowNonCanonicalR, Workers: -1, MaxQueue: -1}, []string{"Rules: invalid rules", "Workers is negative", "MaxQueue is negative"}},
	}
	for _, c := range bad {
		b, err := batcher.New(c.cfg)
		if err == nil {
			b.Close()
			t.Errorf("New(%+v): no error", c.cfg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%+v): error %q does not say %q", c.cfg, err, w)
			}
		}
		if !strings.HasPrefix(err.Error(), "batcher: invalid Config: ") {
			t.Errorf("New(%+v): error %q lacks the package prefix", c.cfg, err)
		}
	}

	def := newTestBatcher(t, batcher.Config{Rules: ed25519.ZIP215}).Config()
	want := batcher.Config{
		Rules: ed25519.ZIP215, Policy: batcher.PolicyNatural, TargetBatch: 64, MaxBatch: 256, MaxWait: 500 * time.Microsecond,
		Workers: 1, Pipeline: runtime.GOMAXPROCS(0), MaxQueue: batcher.DefaultMaxQueue,
		KeyCache: batcher.DefaultKeyCache,
	}
	if def != want {
		t.Errorf("defaults: got %+v, want %+v", def, want)
	}
	// The policy's default: natural, unless TargetBatch or MaxWait is set
	// (the configurations of earlier versions, which had only the window).
	for _, c := range []struct {
		cfg                   batcher.Config
		policy                batcher.Policy
		targetBatch, maxBatch int
		maxWait               time.Duration
	}{
		{batcher.Config{MaxBatch: 16}, batcher.PolicyNatural, 16, 16, batcher.DefaultMaxWait},
		{batcher.Config{Policy: batcher.PolicyNatural, TargetBatch: 1}, batcher.PolicyNatural, 1, 256, batcher.DefaultMaxWait},
		{batcher.Config{MaxWait: 2 * time.Millisecond}, batcher.PolicyWindow, 64, 256, 2 * time.Millisecond},
		{batcher.Config{TargetBatch: 8}, batcher.PolicyWindow, 8, 256, batcher.DefaultMaxWait},
		{batcher.Config{MaxWait: time.Hour, MaxBatch: 16}, batcher.PolicyWindow, 16, 16, time.Hour},
		{batcher.Config{Policy: batcher.PolicyNatural, TargetBatch: 8, MaxWait: time.Hour}, batcher.PolicyNatural, 8, 256, time.Hour},
		{batcher.Config{Policy: batcher.PolicyWindow}, batcher.PolicyWindow, 64, 256, batcher.DefaultMaxWait},
	} {
		got := newTestBatcher(t, c.cfg).Config()
		if got.Policy != c.policy || got.TargetBatch != c.targetBatch || got.MaxBatch != c.maxBatch || got.MaxWait != c.maxWait {
			t.Errorf("%+v: Policy %v, TargetBatch %d, MaxBatch %d, MaxWait %v; want %v, %d, %d, %v",
				c.cfg, got.Policy, got.TargetBatch, got.MaxBatch, got.MaxWait, c.policy, c.targetBatch, c.maxBatch, c.maxWait)
		}
		// Config round-trips.
		if again := newTestBatcher(t, got).Config(); again != got {
			t.Errorf("New(%+v).Config() = %+v", got, again)
		}
	}
	for p, want := range map[batcher.Policy]string{
		batcher.PolicyAuto: "auto", batcher.PolicyNatural: "natural", batcher.PolicyWindow: "window", 7: "Policy(7)",
	} {
		if p.String() != want {
			t.Errorf("Policy(%d).String() = %q, want %q", int(p), p.String(), want)
		}
	}
}

// TestBatcherVerdictsUnderLoad: thousands of goroutines submit a random mix
// of valid, invalid, crafted and malformed signatures to one Batcher per
// mode, some with contexts canceled before or while they wait; every
// verdict equals the reference, every canceled call returns either its
// context's error or the right verdict.
func TestBatcherVerdictsUnderLoad(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherVerdictsUnderLoad")
	goroutines, calls, ncases := 2000, 2, 600
	if testing.Short() {
		goroutines, calls, ncases = 1000, 1, 300
	}
	cases := batcherCases(t, rng, ncases)
	// One Batcher per mode and policy.
	type key struct {
		m      ed25519.Rules
		policy int
	}
	batchers := map[key]*batcher.Batcher{}
	observers := map[key]*batcherObserver{}
	for _, m := range batcherModes {
		for p := range batcherPolicies {
			k := key{m, p}
			observers[k] = newBatcherObserver()
			batchers[k] = newTestBatcher(t, batcherWithPolicy(batcher.Config{
				Rules: m, MaxBatch: 128, Observer: observers[k],
				// One mode with its verifiers unpinned.
				NoPinning: m == ed25519.Strict,
			}, p))
		}
	}

	var (
		verdicts, canceled, preCanceled, badInput atomic.Int64
		wg                                        sync.WaitGroup
		start                                     = make(chan struct{})
	)
	errc := make(chan error, goroutines*calls)
	for g := range goroutines {
		grng := rand.New(rand.NewPCG(rng.Uint64(), uint64(g)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range calls {
				c := cases[grng.IntN(len(cases))]
				m := batcherModes[grng.IntN(len(batcherModes))]
				k := key{m, grng.IntN(len(batcherPolicies))}
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				kind := grng.IntN(20)
				switch kind {
				case 0: // canceled before the call
					ctx, cancel = context.WithCancel(ctx)
					cancel()
				case 1: // canceled while waiting, maybe
					ctx, cancel = context.WithCancel(ctx)
					time.AfterFunc(time.Duration(grng.IntN(3000))*time.Microsecond, cancel)
				case 2: // deadline while waiting, maybe
					ctx, cancel = context.WithTimeout(ctx, time.Duration(grng.IntN(3000))*time.Microsecond)
				}
				ok, err := batchers[k].Verify(ctx, c.Pub, c.Msg, c.Sig)
				cancel()
				if len(c.Pub) != 32 || len(c.Sig) != 64 {
					badInput.Add(1)
				}
				switch {
				case err == nil:
					verdicts.Add(1)
					if ok != c.want[m] {
						errc <- fmt.Errorf("mode=%v/%s case %s: verdict %v, reference %v", m, batcherPolicies[k.policy].name, c.Name, ok, c.want[m])
					}
				case kind == 0:
					preCanceled.Add(1)
					if !errors.Is(err, context.Canceled) {
						errc <- fmt.Errorf("mode=%v: pre-canceled call returned %v", m, err)
					}
				case kind == 1 && errors.Is(err, context.Canceled),
					kind == 2 && errors.Is(err, context.DeadlineExceeded):
					canceled.Add(1)
				default:
					errc <- fmt.Errorf("mode=%v/%s case %s, cancel kind %d: unexpected error %v", m, batcherPolicies[k.policy].name, c.Name, kind, err)
				}
			}
		}()
	}
	close(start)
	batcherWaitGroup(t, &wg, 2*time.Minute, "submitters")
	close(errc)
	n := 0
	for err := range errc {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("... and %d more errors", n-10)
	}
	total := int64(goroutines * calls)
	if got := verdicts.Load() + canceled.Load() + preCanceled.Load(); got != total {
		t.Errorf("%d outcomes for %d calls", got, total)
	}
	for _, b := range batchers {
		b.Close()
	}
	var ops, errs, batches, verified, dropped int64
	for k, o := range observers {
		m := fmt.Sprintf("%v/%s", k.m, batcherPolicies[k.policy].name)
		ops += o.totalOps()
		errs += o.ops[batcher.ResultError].Load()
		batches += o.batches.Load()
		verified += o.verified.Load()
		dropped += o.dropped.Load()
		if o.badOp.Load() != 0 {
			t.Errorf("mode=%v: %d ObserveOp calls with a wrong op or a negative latency", m, o.badOp.Load())
		}
		if mx := o.maxSize.Load(); mx > 128 {
			t.Errorf("mode=%v: a batch of %d > MaxBatch 128", m, mx)
		}
		if o.depth.Load() != 0 || o.negDepth.Load() != 0 {
			t.Errorf("mode=%v: queue depth %d after Close (%d negative reports)", m, o.depth.Load(), o.negDepth.Load())
		}
		if got := o.failure(batcher.FailureCanceled) + o.failure(batcher.FailureDeadline); int64(got) != o.ops[batcher.ResultError].Load() {
			t.Errorf("mode=%v: %d cancellation failures for %d error results", m, got, o.ops[batcher.ResultError].Load())
		}
	}
	if ops != total || errs != canceled.Load()+preCanceled.Load() {
		t.Errorf("observers saw %d ops (%d errors), want %d (%d)", ops, errs, total, canceled.Load()+preCanceled.Load())
	}
	// Every queued call that got a verdict was verified in a batch; calls
	// whose context ended after their batch started were verified too.
	queued := verdicts.Load() - badInput.Load()
	if verified < queued || verified > queued+canceled.Load() {
		t.Errorf("batches verified %d signatures; %d queued calls got verdicts, %d were canceled", verified, queued, canceled.Load())
	}
	t.Logf("%d calls: %d verdicts (%d malformed), %d canceled while waiting, %d pre-canceled; %d batches, mean size %.1f, %d dropped requests",
		total, verdicts.Load(), badInput.Load(), canceled.Load(), preCanceled.Load(), batches, float64(verified)/float64(max(batches, 1)), dropped)
}

// TestBatcherCloseUnderLoad: Close in the middle of load. Every call returns
// either the right verdict or ErrClosed (a request accepted before Close is
// always verified), Close returns with every caller answered, and calls
// after Close return ErrClosed.
func TestBatcherCloseUnderLoad(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherCloseUnderLoad")
	goroutines, before := 400, 1500
	if testing.Short() {
		goroutines, before = 200, 300
	}
	cases := batcherCases(t, rng, 200)
	for p, pol := range batcherPolicies {
		for _, m := range batcherModes {
			for _, block := range []bool{false, true} {
				t.Run(fmt.Sprintf("policy=%s/mode=%v/block=%v", pol.name, m, block), func(t *testing.T) {
					cfg := batcherWithPolicy(batcher.Config{Rules: m, MaxBatch: 64, Observer: newBatcherObserver()}, p)
					if block {
						cfg.BlockWhenFull, cfg.MaxQueue = true, 8 // many callers wait for space at Close
					}
					b := newTestBatcher(t, cfg)
					var verdicts, closed atomic.Int64
					reached := make(chan struct{})
					var once sync.Once
					var wg sync.WaitGroup
					errc := make(chan error, goroutines)
					for g := range goroutines {
						grng := rand.New(rand.NewPCG(rng.Uint64(), uint64(g)))
						wg.Add(1)
						go func() {
							defer wg.Done()
							for {
								c := cases[grng.IntN(len(cases))]
								ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
								if errors.Is(err, batcher.ErrClosed) {
									closed.Add(1)
									return
								}
								if err != nil {
									errc <- fmt.Errorf("unexpected error %v", err)
									return
								}
								if ok != c.want[m] {
									errc <- fmt.Errorf("case %s: verdict %v, reference %v", c.Name, ok, c.want[m])
									return
								}
								if verdicts.Add(1) == int64(before) {
									once.Do(func() { close(reached) })
								}
							}
						}()
					}
					select {
					case <-reached:
					case <-time.After(time.Minute):
						t.Fatal("load did not reach its Close point")
					}
					atClose := verdicts.Load()
					b.Close()
					// Every caller already has its answer: they all finish
					// without further work from the Batcher.
					batcherWaitGroup(t, &wg, 10*time.Second, "callers after Close")
					close(errc)
					for err := range errc {
						t.Error(err)
					}
					if closed.Load() != int64(goroutines) {
						t.Errorf("%d callers saw ErrClosed, want every one of %d", closed.Load(), goroutines)
					}
					if ok, err := b.Verify(context.Background(), cases[0].Pub, cases[0].Msg, cases[0].Sig); ok || !errors.Is(err, batcher.ErrClosed) {
						t.Errorf("Verify after Close: %v, %v; want false, ErrClosed", ok, err)
					}
					o := cfg.Observer.(*batcherObserver)
					if o.failure(batcher.FailureClosed) != goroutines+1 {
						t.Errorf("%d closed failures observed, want %d", o.failure(batcher.FailureClosed), goroutines+1)
					}
					t.Logf("%d verdicts (%d after Close began), %d ErrClosed", verdicts.Load(), verdicts.Load()-atClose, closed.Load())
				})
			}
		}
	}
}

// batcherGated returns a Batcher (PolicyNatural) whose only verifier
// stalls after its first batch until gate is closed, with room for one
// batch of one request in the collector and one in the queue, and counts of
// its intake events. It verifies one request first, so that the stall has
// begun (or will, before the verifier takes another batch) when it returns:
// from then on exactly two more requests are accepted until the gate opens.
// With direct, that first request is lone, verified on its caller's
// goroutine, which stalls in its report, holding the verifier, until the
// gate opens: its result comes on first then, and until then no request
// is lone. Without direct, every request goes through the collector, and
// the first result is on first when batcherGated returns.
func batcherGated(t *testing.T, block, direct bool, c testgen.Case) (*batcher.Batcher, *batcherObserver, *batcher.BatcherCounts, chan struct{}) {
	b, o, counts, gate, _ := batcherGatedConfig(t, batcher.Config{
		Rules: ed25519.ZIP215, Policy: batcher.PolicyNatural, MaxBatch: 1, Pipeline: 1, MaxQueue: 1,
		BlockWhenFull: block,
	}, direct, c)
	return b, o, counts, gate
}

// batcherGatedConfig is batcherGated with cfg, whose Observer it sets, and
// the channel of the first request's result.
func batcherGatedConfig(t *testing.T, cfg batcher.Config, direct bool, c testgen.Case) (*batcher.Batcher, *batcherObserver, *batcher.BatcherCounts, chan struct{}, chan batcherResult) {
	t.Helper()
	gate := make(chan struct{})
	o := newBatcherObserver()
	o.gate = gate
	cfg.Observer = o
	counts := &batcher.BatcherCounts{NoDirect: !direct}
	b, err := batcher.NewCountingBatcher(cfg, counts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
		b.Close()
	})
	first := make(chan batcherResult, 1)
	go func() {
		ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
		first <- batcherResult{ok, err}
	}()
	// The stall has begun once the first batch is reported.
	batcherEventually(t, "the first batch report", func() bool { return o.batches.Load() == 1 })
	if !direct {
		if r := <-first; !r.ok || r.err != nil {
			t.Fatalf("first call: %v, %v; want true, nil", r.ok, r.err)
		}
		first <- batcherResult{true, nil}
	}
	wantDirect := map[bool]int64{true: 1, false: 0}[direct]
	if counts.Direct.Load() != wantDirect || counts.Accepted.Load() != 1-wantDirect {
		t.Fatalf("first call: %d verified directly, %d queued; want %d, %d", counts.Direct.Load(), counts.Accepted.Load(), wantDirect, 1-wantDirect)
	}
	return b, o, counts, gate, first
}

// batcherTaken is the number of requests a Batcher made with
// NewCountingBatcher has taken: queued, or verified on their caller's
// goroutine.
func batcherTaken(c *batcher.BatcherCounts) int64 {
	return c.Accepted.Load() + c.Direct.Load()
}

// batcherDirect runs f as subtests direct=true and direct=false (see
// batcherGated).
func batcherDirect(t *testing.T, f func(t *testing.T, direct bool)) {
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) { f(t, direct) })
	}
}

// batcherFill fills a Batcher stalled by batcherGated: one request in the
// collector, then one in the queue, each waited for, so that the requests
// after them find the queue full whatever the timing. It returns the
// channel of their two results.
func batcherFill(t *testing.T, b *batcher.Batcher, counts *batcher.BatcherCounts, c testgen.Case) chan batcherResult {
	t.Helper()
	res := make(chan batcherResult, 2)
	call := func() {
		go func() {
			ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
			res <- batcherResult{ok, err}
		}()
	}
	collected := counts.Collected.Load()
	call()
	batcherEventually(t, "a request in the collector", func() bool { return counts.Collected.Load() == collected+1 })
	call()
	batcherEventually(t, "a request in the queue", func() bool { return batcherTaken(counts) == 3 })
	if got := counts.Full.Load(); got != 0 {
		t.Fatalf("%d requests found the queue full while it had room", got)
	}
	return res
}

type batcherResult struct {
	ok  bool
	err error
}

// TestBatcherOverloaded: with the verifier stalled, seven concurrent calls
// meet room for two; the other five get ErrOverloaded at once. The counts
// do not depend on timing, only on the order in which the calls arrive.
func TestBatcherOverloaded(t *testing.T) {
	batcherDirect(t, testBatcherOverloaded)
}

func testBatcherOverloaded(t *testing.T, direct bool) {
	rng := batcherRNG(t, "TestBatcherOverloaded")
	c := testgen.NewSigner(rng).Honest([]byte("overload"))
	b, o, counts, gate := batcherGated(t, false, direct, c)
	accepted := batcherFill(t, b, counts, c)
	const calls = 7
	res := make(chan batcherResult, calls)
	for range calls - 2 {
		go func() {
			ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
			res <- batcherResult{ok, err}
		}()
	}
	for range calls - 2 {
		if r := <-res; r.ok || !errors.Is(r.err, batcher.ErrOverloaded) {
			t.Fatalf("with room for two of %d calls: %v, %v; want false, ErrOverloaded", calls, r.ok, r.err)
		}
	}
	if got := batcherTaken(counts); got != 3 {
		t.Errorf("%d requests taken, want 3", got)
	}
	if got := counts.Full.Load(); got != calls-2 {
		t.Errorf("%d requests found the queue full, want %d", got, calls-2)
	}
	if got := o.failure(batcher.FailureOverloaded); got != calls-2 {
		t.Errorf("%d overloaded failures observed, want %d", got, calls-2)
	}
	if batcher.FailureKind(fmt.Errorf("wrapped: %w", batcher.ErrOverloaded)) != batcher.FailureOverloaded {
		t.Error("FailureKind does not see a wrapped ErrOverloaded")
	}
	close(gate)
	for range 2 {
		if r := <-accepted; !r.ok || r.err != nil {
			t.Errorf("call accepted before the overload: %v, %v; want true, nil", r.ok, r.err)
		}
	}
	// With room again, calls are accepted.
	if ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig); !ok || err != nil {
		t.Errorf("after the overload: %v, %v", ok, err)
	}
}

func TestBatcherBlockWhenFull(t *testing.T) {
	batcherDirect(t, testBatcherBlockWhenFull)
}

func testBatcherBlockWhenFull(t *testing.T, direct bool) {
	rng := batcherRNG(t, "TestBatcherBlockWhenFull")
	c := testgen.NewSigner(rng).Honest([]byte("block"))
	b, o, counts, gate := batcherGated(t, true, direct, c)
	// With the verifier stalled there is room for two requests (one in
	// the collector, one in the queue); of four callers, two wait for
	// space.
	accepted := batcherFill(t, b, counts, c)
	res := make(chan batcherResult, 2)
	for range 2 {
		go func() {
			ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
			res <- batcherResult{ok, err}
		}()
	}
	batcherEventually(t, "two waiting for space", func() bool { return counts.Full.Load() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig)
	cancel()
	if ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify waiting for space past its deadline: %v, %v; want false, DeadlineExceeded", ok, err)
	}
	if got := counts.Full.Load(); got != 3 {
		t.Errorf("%d requests found the queue full, want 3", got)
	}
	if got := o.failure(batcher.FailureDeadline); got != 1 {
		t.Errorf("%d deadline failures observed, want 1", got)
	}
	// Close while callers wait for space: they get ErrClosed at once, even
	// though the verifier is still stalled; Close waits for the verifier.
	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	for range 2 {
		if r := <-res; r.ok || !errors.Is(r.err, batcher.ErrClosed) {
			t.Fatalf("while stalled: got %v, %v; want ErrClosed for the callers waiting for space", r.ok, r.err)
		}
	}
	select {
	case <-closed:
		t.Fatal("Close returned while two accepted requests had no verdict")
	case <-time.After(20 * time.Millisecond): // time for a wrong Close to return
	}
	close(gate)
	<-closed
	for range 2 {
		if r := <-accepted; !r.ok || r.err != nil {
			t.Errorf("accepted call: %v, %v; want true, nil", r.ok, r.err)
		}
	}
}

// TestBatcherFlushRules: a lone request is flushed after MaxWait; TargetBatch
// requests are flushed at once however long MaxWait is; Close flushes what
// is queued without waiting; a request canceled in the queue is dropped.
func TestBatcherFlushRules(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherFlushRules")
	s := testgen.NewSigner(rng)
	c := s.Honest([]byte("flush"))
	ctx := context.Background()

	t.Run("MaxWait", func(t *testing.T) {
		o := newBatcherObserver()
		maxWait := 5 * time.Millisecond
		counts := new(batcher.BatcherCounts)
		b, err := batcher.NewCountingBatcher(batcher.Config{TargetBatch: 64, MaxWait: maxWait, Observer: o}, counts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		if ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig); !ok || err != nil {
			t.Fatalf("Verify: %v, %v", ok, err)
		}
		// A batching window never verifies on the caller's goroutine.
		if counts.Direct.Load() != 0 || counts.Accepted.Load() != 1 {
			t.Errorf("%d requests verified directly, %d queued; want 0, 1", counts.Direct.Load(), counts.Accepted.Load())
		}
		// ObserveBatch comes after the verdicts are sent.
		batcherEventually(t, "the batch report", func() bool { return o.batches.Load() == 1 })
		o.mu.Lock()
		st := o.lastStats
		o.mu.Unlock()
		if st.Size != 1 || st.OldestWait < maxWait {
			t.Errorf("lone request: batch %+v, want size 1 after waiting at least %v", st, maxWait)
		}
	})

	t.Run("TargetBatch", func(t *testing.T) {
		o := newBatcherObserver()
		b := newTestBatcher(t, batcher.Config{TargetBatch: 8, MaxBatch: 8, MaxWait: time.Hour, Observer: o})
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig); !ok || err != nil {
					t.Errorf("Verify: %v, %v", ok, err)
				}
			}()
		}
		batcherWaitGroup(t, &wg, 30*time.Second, "a full TargetBatch")
		batcherEventually(t, "the batch report", func() bool { return o.batches.Load() == 1 })
		if o.batches.Load() != 1 || o.verified.Load() != 8 {
			t.Errorf("%d batches of %d signatures, want one of 8", o.batches.Load(), o.verified.Load())
		}
		// Three more wait for an hour, unless Close flushes them.
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig); !ok || err != nil {
					t.Errorf("Verify before Close: %v, %v", ok, err)
				}
			}()
		}
		batcherEventually(t, "three queued requests", func() bool { return o.depth.Load() == 3 })
		b.Close()
		batcherWaitGroup(t, &wg, 30*time.Second, "callers after Close")
		if o.batches.Load() != 2 || o.verified.Load() != 11 {
			t.Errorf("%d batches of %d signatures in all, want 2 of 11", o.batches.Load(), o.verified.Load())
		}
	})

	t.Run("CanceledDropped", func(t *testing.T) {
		o := newBatcherObserver()
		b := newTestBatcher(t, batcher.Config{TargetBatch: 4, MaxWait: time.Hour, Observer: o})
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan batcherResult)
		go func() {
			ok, err := b.Verify(cctx, c.Pub, c.Msg, c.Sig)
			done <- batcherResult{ok, err}
		}()
		batcherEventually(t, "one queued request", func() bool { return o.depth.Load() == 1 })
		cancel()
		if r := <-done; r.ok || !errors.Is(r.err, context.Canceled) {
			t.Errorf("canceled in the queue: %v, %v; want false, Canceled", r.ok, r.err)
		}
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig); !ok || err != nil {
					t.Errorf("Verify: %v, %v", ok, err)
				}
			}()
		}
		batcherWaitGroup(t, &wg, 30*time.Second, "the batch")
		batcherEventually(t, "the batch report", func() bool { return o.batches.Load() == 1 })
		if o.batches.Load() != 1 || o.verified.Load() != 3 || o.dropped.Load() != 1 {
			t.Errorf("%d batches, %d verified, %d dropped; want 1, 3, 1", o.batches.Load(), o.verified.Load(), o.dropped.Load())
		}
	})
}

// TestBatcherNatural: under PolicyNatural, a lone request is verified at
// once, however long MaxWait is; while the only verifier is stalled,
// requests accumulate into one batch of MaxBatch, handed over when the
// verifier is free, and the rest form the next; a request canceled while it
// waits is dropped; while one verifier is stalled, the other takes a
// request at once, however long MaxWait is. Each runs with the first
// request lone, verified on its caller's goroutine, and with every request
// through the collector.
func TestBatcherNatural(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherNatural")
	c := testgen.NewSigner(rng).Honest([]byte("natural"))
	ctx := context.Background()
	wantDirect := map[bool]int64{true: 1, false: 0}

	t.Run("LoneRequest", func(t *testing.T) {
		batcherDirect(t, func(t *testing.T, direct bool) {
			o := newBatcherObserver()
			counts := &batcher.BatcherCounts{NoDirect: !direct}
			// MaxWait would select the window without the Policy.
			b, err := batcher.NewCountingBatcher(batcher.Config{Policy: batcher.PolicyNatural, MaxWait: time.Hour, Observer: o}, counts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			for i := range 3 { // one after another, each alone
				if ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig); !ok || err != nil {
					t.Fatalf("call %d: %v, %v; want true, nil", i, ok, err)
				}
			}
			if !direct && (counts.Direct.Load() != 0 || counts.Accepted.Load() != 3) {
				t.Errorf("without the direct path: %d verified directly, %d queued; want 0, 3", counts.Direct.Load(), counts.Accepted.Load())
			}
			if direct && (counts.Direct.Load() != 3 || counts.Accepted.Load() != 0) {
				t.Errorf("lone requests: %d verified directly, %d queued; want 3, 0", counts.Direct.Load(), counts.Accepted.Load())
			}
			b.Close() // the reports come after the verdicts
			if got := o.batchSizes(); !slices.Equal(got, []int{1, 1, 1}) {
				t.Errorf("batch sizes %v, want [1 1 1]", got)
			}
			if o.dropped.Load() != 0 || o.depth.Load() != 0 {
				t.Errorf("%d dropped, queue depth %d; want 0, 0", o.dropped.Load(), o.depth.Load())
			}
		})
	})

	t.Run("Accumulates", func(t *testing.T) {
		batcherDirect(t, func(t *testing.T, direct bool) {
			const maxBatch, calls = 8, 11
			b, o, counts, gate, first := batcherGatedConfig(t, batcher.Config{
				Policy: batcher.PolicyNatural, MaxBatch: maxBatch, MaxWait: time.Hour, Pipeline: 1, MaxQueue: 64,
			}, direct, c)
			var wg sync.WaitGroup
			for range calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig); !ok || err != nil {
						t.Errorf("Verify: %v, %v; want true, nil", ok, err)
					}
				}()
			}
			// Every one is queued: the only verifier is busy.
			batcherEventually(t, "every request queued", func() bool { return counts.Accepted.Load() == calls+1-wantDirect[direct] })
			if counts.Direct.Load() != wantDirect[direct] {
				t.Errorf("%d verified directly while the verifier was stalled", counts.Direct.Load()-wantDirect[direct])
			}
			close(gate)
			batcherWaitGroup(t, &wg, time.Minute, "callers")
			if r := <-first; !r.ok || r.err != nil {
				t.Errorf("first call: %v, %v; want true, nil", r.ok, r.err)
			}
			b.Close()
			if got, want := o.batchSizes(), []int{1, maxBatch, calls - maxBatch}; !slices.Equal(got, want) {
				t.Errorf("batch sizes %v, want %v", got, want)
			}
		})
	})

	t.Run("Canceled", func(t *testing.T) {
		batcherDirect(t, func(t *testing.T, direct bool) {
			b, o, counts, gate, _ := batcherGatedConfig(t, batcher.Config{
				Policy: batcher.PolicyNatural, MaxBatch: 8, Pipeline: 1, MaxQueue: 8,
			}, direct, c)
			cctx, cancel := context.WithCancel(ctx)
			canceled := make(chan batcherResult)
			go func() {
				ok, err := b.Verify(cctx, c.Pub, c.Msg, c.Sig)
				canceled <- batcherResult{ok, err}
			}()
			batcherEventually(t, "one queued request", func() bool { return counts.Accepted.Load() == 2-wantDirect[direct] })
			cancel()
			if r := <-canceled; r.ok || !errors.Is(r.err, context.Canceled) {
				t.Errorf("canceled while waiting: %v, %v; want false, Canceled", r.ok, r.err)
			}
			waiting := make(chan batcherResult)
			go func() {
				ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig)
				waiting <- batcherResult{ok, err}
			}()
			batcherEventually(t, "two queued requests", func() bool { return counts.Accepted.Load() == 3-wantDirect[direct] })
			close(gate)
			if r := <-waiting; !r.ok || r.err != nil {
				t.Errorf("Verify: %v, %v; want true, nil", r.ok, r.err)
			}
			b.Close()
			if got := o.batchSizes(); !slices.Equal(got, []int{1, 1}) || o.dropped.Load() != 1 {
				t.Errorf("batch sizes %v, %d dropped; want [1 1], 1", got, o.dropped.Load())
			}
		})
	})
}

// TestBatcherSequentialVerdicts: one caller verifies the cases one after
// another, in every mode, so that (natural batching) most are verified on
// the caller's goroutine, and again with every request through the
// collector; every verdict equals the reference.
func TestBatcherSequentialVerdicts(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherSequentialVerdicts")
	n := 300
	if testing.Short() {
		n = 100
	}
	cases := batcherCases(t, rng, n)
	for _, m := range batcherModes {
		t.Run("mode="+m.String(), func(t *testing.T) {
			batcherDirect(t, func(t *testing.T, direct bool) {
				o := newBatcherObserver()
				counts := &batcher.BatcherCounts{NoDirect: !direct}
				b, err := batcher.NewCountingBatcher(batcher.Config{Rules: m, Observer: o}, counts)
				if err != nil {
					t.Fatal(err)
				}
				malformed := 0
				for _, c := range cases {
					ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
					if err != nil || ok != c.want[m] {
						t.Errorf("mode=%v case %s: %v, %v; want %v, nil", m, c.Name, ok, err, c.want[m])
					}
					if len(c.Pub) != 32 || len(c.Sig) != 64 {
						malformed++
					}
				}
				b.Close()
				if got := batcherTaken(counts); got != int64(len(cases)-malformed) {
					t.Errorf("mode=%v: %d requests taken, want %d", m, got, len(cases)-malformed)
				}
				if direct && counts.Direct.Load() == 0 {
					t.Errorf("mode=%v: no request verified on the caller's goroutine", m)
				}
				if o.verified.Load() != batcherTaken(counts) || o.maxSize.Load() != 1 {
					t.Errorf("mode=%v: %d signatures in batches of at most %d, want %d in batches of 1", m, o.verified.Load(), o.maxSize.Load(), batcherTaken(counts))
				}
			})
		})
	}
}

// batcherCacheObserver counts key cache reports.
type batcherCacheObserver struct {
	*batcherObserver
	reports, hits, misses atomic.Int64
}

func (o *batcherCacheObserver) ObserveKeyCache(_ ed25519.Rules, hits, misses, _ int) {
	o.reports.Add(1)
	o.hits.Add(int64(hits))
	o.misses.Add(int64(misses))
}

// TestBatcherDirectKeyCache: a signature verified on its caller's
// goroutine goes through the key cache under cofactored rules, as in a
// batch, and not under cofactorless rules, where the single verifier
// verifies it.
func TestBatcherDirectKeyCache(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherDirectKeyCache")
	s := testgen.NewSigner(rng)
	const calls = 5
	for _, m := range []ed25519.Rules{ed25519.ZIP215, ed25519.Strict} {
		o := &batcherCacheObserver{batcherObserver: newBatcherObserver()}
		counts := new(batcher.BatcherCounts)
		b, err := batcher.NewCountingBatcher(batcher.Config{Rules: m, Pipeline: 1, Observer: o}, counts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			c := s.Honest([]byte{byte(i)})
			if ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig); !ok || err != nil {
				t.Fatalf("mode=%v: %v, %v", m, ok, err)
			}
		}
		b.Close()
		if counts.Direct.Load() == 0 || o.batches.Load() != calls {
			t.Fatalf("mode=%v: %d verified directly, %d batches; want some, %d", m, counts.Direct.Load(), o.batches.Load(), calls)
		}
		// One key: a miss, then hits, for every signature the engine
		// verified.
		engine := int64(calls)
		if m&ed25519.Cofactored == 0 {
			engine = counts.Accepted.Load()
		}
		if o.reports.Load() != engine || o.hits.Load()+o.misses.Load() != engine || engine > 0 && o.misses.Load() != 1 {
			t.Errorf("mode=%v: %d key cache reports, %d hits, %d misses; want %d reports, one miss", m, o.reports.Load(), o.hits.Load(), o.misses.Load(), engine)
		}
	}
}

// TestBatcherNaturalFreeVerifier: under PolicyNatural, while one of two
// verifiers is stalled, the other takes a request at once, however long
// MaxWait is (it would wait for TargetBatch under PolicyWindow); a request
// that comes while another call is in progress is not lone.
func TestBatcherNaturalFreeVerifier(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherNaturalFreeVerifier")
	c := testgen.NewSigner(rng).Honest([]byte("free verifier"))
	batcherDirect(t, func(t *testing.T, direct bool) {
		b, o, counts, gate, first := batcherGatedConfig(t, batcher.Config{
			Policy: batcher.PolicyNatural, TargetBatch: 64, MaxWait: time.Hour, Pipeline: 2,
		}, direct, c)
		res := make(chan batcherResult, 1)
		go func() {
			ok, err := b.Verify(context.Background(), c.Pub, c.Msg, c.Sig)
			res <- batcherResult{ok, err}
		}()
		select {
		case r := <-res:
			if !r.ok || r.err != nil {
				t.Errorf("Verify: %v, %v; want true, nil", r.ok, r.err)
			}
		case <-time.After(time.Minute): // bounds a hang only
			t.Fatal("no verdict: the request was not handed to the free verifier")
		}
		// The first call was in progress (direct) or every request goes
		// through the collector: this one was queued.
		if counts.Direct.Load() != map[bool]int64{true: 1, false: 0}[direct] || counts.Accepted.Load() != 2-counts.Direct.Load() {
			t.Errorf("%d verified directly, %d queued", counts.Direct.Load(), counts.Accepted.Load())
		}
		close(gate)
		if r := <-first; !r.ok || r.err != nil {
			t.Errorf("first call: %v, %v; want true, nil", r.ok, r.err)
		}
		b.Close()
		if got := o.batchSizes(); !slices.Equal(got, []int{1, 1}) {
			t.Errorf("batch sizes %v, want [1 1]", got)
		}
	})
}

// TestBatcherBadInput: keys and signatures of the wrong length get a false
// verdict in every mode, without a panic and without queueing.
func TestBatcherBadInput(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherBadInput")
	c := testgen.NewSigner(rng).Honest([]byte("bad input"))
	for _, m := range batcherModes {
		o := newBatcherObserver()
		b := newTestBatcher(t, batcher.Config{Rules: m, Observer: o})
		for _, in := range [][2][]byte{{nil, c.Sig}, {c.Pub[:31], c.Sig}, {append(c.Pub[:32:32], 0), c.Sig}, {c.Pub, c.Sig[:63]}, {c.Pub, nil}} {
			ok, err := b.Verify(context.Background(), in[0], c.Msg, in[1])
			if ok || err != nil {
				t.Errorf("mode=%v, key %d bytes, signature %d bytes: %v, %v; want false, nil", m, len(in[0]), len(in[1]), ok, err)
			}
		}
		if o.failure(batcher.FailureBadInput) != 5 || o.ops[batcher.ResultInvalid].Load() != 5 || o.batches.Load() != 0 {
			t.Errorf("mode=%v: %d bad_input failures, %d invalid results, %d batches; want 5, 5, 0",
				m, o.failure(batcher.FailureBadInput), o.ops[batcher.ResultInvalid].Load(), o.batches.Load())
		}
	}
}

func TestBatcherClose(t *testing.T) {
	b := newTestBatcher(t, batcher.Config{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); b.Close() }()
	}
	batcherWaitGroup(t, &wg, 10*time.Second, "concurrent Close")
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Verify(ctx, nil, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a canceled context after Close: %v, want Canceled", err)
	}
	if _, err := b.Verify(context.Background(), nil, nil, nil); !errors.Is(err, batcher.ErrClosed) {
		t.Errorf("Verify after Close: %v, want ErrClosed", err)
	}
}

// TestBatcherNoGoroutineLeak: after Close, the number of goroutines is back
// to what it was before NewBatcher, load and cancellations included.
func TestBatcherNoGoroutineLeak(t *testing.T) {
	rng := batcherRNG(t, "TestBatcherNoGoroutineLeak")
	cases := batcherCases(t, rng, 50)
	settle := func(before int) int {
		// 12,000 polls 5 ms apart (a minute at least) bound a hang only.
		for i := 0; ; i++ {
			now := runtime.NumGoroutine()
			if now <= before || i == 12_000 {
				return now
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i, m := range batcherModes {
		before := runtime.NumGoroutine()
		b, err := batcher.New(batcherWithPolicy(batcher.Config{Rules: m, Workers: 4, Pipeline: 3,
			NoPinning: m == ed25519.StdLib}, i%len(batcherPolicies)))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := cases[i%len(cases)]
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%7)*300*time.Microsecond)
				defer cancel()
				ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig)
				if err == nil && ok != c.want[m] {
					t.Errorf("mode=%v: wrong verdict", m)
				}
			}()
		}
		batcherWaitGroup(t, &wg, time.Minute, "callers")
		b.Close()
		if after := settle(before); after > before {
			t.Errorf("mode=%v: %d goroutines before NewBatcher, %d after Close", m, before, after)
		}
	}
	before := runtime.NumGoroutine()
	b, err := batcher.New(batcher.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if after := settle(before); after > before {
		t.Errorf("unused Batcher: %d goroutines before, %d after Close", before, after)
	}
}

func TestObserverLabels(t *testing.T) {
	for r, want := range map[batcher.VerifyResult]string{
		batcher.ResultValid: "valid", batcher.ResultInvalid: "invalid", batcher.ResultError: "error", 7: "unknown",
	} {
		if r.String() != want {
			t.Errorf("VerifyResult(%d).String() = %q, want %q", int(r), r.String(), want)
		}
	}
	for err, want := range map[error]string{
		nil:                                   "",
		batcher.ErrOverloaded:                 batcher.FailureOverloaded,
		batcher.ErrClosed:                     batcher.FailureClosed,
		context.Canceled:                      batcher.FailureCanceled,
		context.DeadlineExceeded:              batcher.FailureDeadline,
		fmt.Errorf("x: %w", context.Canceled): batcher.FailureCanceled,
		errors.New("other"):                   batcher.FailureOther,
	} {
		if got := batcher.FailureKind(err); got != want {
			t.Errorf("FailureKind(%v) = %q, want %q", err, got, want)
		}
	}
}

func ExampleBatcher() {
	b, err := batcher.New(batcher.Config{Rules: ed25519.ZIP215})
	if err != nil {
		panic(err)
	}
	defer b.Close() // verifies what was accepted, then stops the goroutines

	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)

	// Many goroutines (request handlers, say) call Verify at once; their
	// signatures are verified together in micro-batches.
	var wg sync.WaitGroup
	verdicts := make([]bool, 8)
	for i := range verdicts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := fmt.Appendf(nil, "request %d", i)
			sig := ed25519.Sign(priv, msg)
			if i == 5 {
				msg = []byte("tampered")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ok, err := b.Verify(ctx, pub, msg, sig)
			if err != nil { // ctx ended, ErrOverloaded or ErrClosed
				fmt.Println(err)
				return
			}
			verdicts[i] = ok
		}()
	}
	wg.Wait()
	fmt.Println(verdicts)
	// Output: [true true true true true false true true]
}
