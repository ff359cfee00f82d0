package batcher_test

// BenchmarkBatcher measures the micro-batcher under load, beside same-run
// baselines that call VerifyBatch directly and the single verifier. Names
// are key=value for benchstat:
//
//	BenchmarkBatcher/mode={stdlib,strict,zip215}/impl=direct/n=256
//	BenchmarkBatcher/mode={stdlib,strict,zip215}/impl=single
//	BenchmarkBatcher/mode=.../impl=batcher/policy={natural,window}/submitters=1/offered=seq
//	BenchmarkBatcher/mode=.../impl=batcher/policy={natural,window}/submitters=1000/offered={0.1,0.5,0.9}/pinning=on
//	BenchmarkBatcher/mode=.../impl=batcher/policy=natural/submitters=1000/offered=0.5/pinning=off
//	BenchmarkBatcher/mode=.../impl=batcher/policy={natural,window}/submitters=1000/offered=closed
//
// One op is one signature verified, in every variant, so ns/op compares
// directly. Every verdict is checked. The signatures are honest (64 keys,
// 64-byte messages): the common case of a service, and the same items for
// the baselines and the Batcher.
//
// policy=natural is the default Config (PolicyNatural); policy=window is the
// batching window that was the default before it (TargetBatch 64, MaxWait
// 500µs, which select PolicyWindow). Both have MaxBatch 256.
//
// direct-n=256 calls VerifyBatch on batches of 256 (GOMAXPROCS workers),
// the throughput a caller that already holds full batches gets. single
// calls the mode's single verifier (for strict, ed25519.VerifyStrict) one
// signature after another, and reports its p50 and p99 per call.
//
// submitters=1/offered=seq is one goroutine calling Batcher.Verify one
// signature after another: the latency of a lone request. ns/op is the time
// per call; x-single is that over the single run's ns/op just before it.
//
// submitters=1000/offered=closed is a closed loop: 1,000 goroutines each
// call Batcher.Verify again as soon as the previous call returns, so the
// Batcher is saturated. Besides throughput (sigs/s, and x-direct, the ratio
// to the direct-n=256 run just before it) it reports the CPU time per
// signature (cpu-ns/sig, where /proc/self/stat exists, and x-direct-cpu,
// direct's cpu-ns/sig over the Batcher's: on a machine shared with other
// work, the steadier measure of the Batcher's overhead), the latency of
// Verify calls (p50-us, p99-us) and the mean batch size, and logs the
// batch-size histogram. In a saturated closed loop the latency is set by
// the queue, not the Batcher: by Little's law it is about 1,000 /
// throughput.
//
// offered=x is an open loop: requests arrive at a fixed rate, x times the
// direct-n=256 throughput, each served by one of 1,000 submitter
// goroutines. Compare svc-p99-us, the p99 of Verify calls (from the call to
// its return), with bound-us: the measured median time of one MaxBatch
// batch on the Batcher's workers, plus MaxWait for the window (under
// natural batching no batch waits for company). p99-us is stricter: it runs
// from each request's scheduled arrival, so it also counts the generator's
// own delays (it competes with the Batcher for the same processors) and
// queueing before Verify is called. A request may wait for the batch ahead
// of it and then for its own, so when load bursts grow batches p99 can
// exceed one batch time. ns/op there is the arrival interval, nothing more;
// sigs/s is the throughput achieved, and cpu-util the share of GOMAXPROCS
// the process used. pinning=on is the default Config, pinning=off sets
// NoPinning, for comparison.
//
// Under -short (the CI smoke run, -benchtime 1x) only mode=zip215 runs, and
// not pinning=off.
//
//	go test -run '^$' -bench BenchmarkBatcher -benchtime 3s -count 3 .

import (
	"bytes"
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/hrsleep"
	"github.com/ronkms/ronkms/internal/testgen"
)

const (
	batcherBenchSubmitters = 1000
	batcherBenchDirectN    = 256
	batcherBenchPool       = 4 * batcherBenchDirectN
)

// batcherBenchItems are honest signatures, reused cyclically.
type batcherBenchItems struct {
	pubs []ed25519.PublicKey
	msgs [][]byte
	sigs [][]byte
}

func newBatcherBenchItems() *batcherBenchItems {
	rng := rand.New(rand.NewPCG(0xbe7c, 0xba7c))
	signers := make([]*testgen.Signer, 64)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	it := &batcherBenchItems{}
	for i := range batcherBenchPool {
		msg := make([]byte, 64)
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		c := signers[i%len(signers)].Honest(msg)
		it.pubs = append(it.pubs, ed25519.PublicKey(c.Pub))
		it.msgs = append(it.msgs, c.Msg)
		it.sigs = append(it.sigs, c.Sig)
	}
	return it
}

// batcherBenchHist counts batch sizes in power-of-two buckets: bucket k
// holds sizes in (2^(k-1), 2^k].
type batcherBenchHist struct {
	buckets [12]atomic.Int64
	batches atomic.Int64
	sigs    atomic.Int64
}

func (h *batcherBenchHist) ObserveOp(string, ed25519.Rules, batcher.VerifyResult, time.Duration) {}
func (h *batcherBenchHist) ObserveFailure(string, string)                                        {}
func (h *batcherBenchHist) ObserveQueueDepth(int)                                                {}
func (h *batcherBenchHist) ObserveBatch(s batcher.BatchStats) {
	h.buckets[min(bits.Len(uint(s.Size-1)), len(h.buckets)-1)].Add(1)
	h.batches.Add(1)
	h.sigs.Add(int64(s.Size))
}

func (h *batcherBenchHist) String() string {
	var sb strings.Builder
	for k := range h.buckets {
		n := h.buckets[k].Load()
		if n == 0 {
			continue
		}
		lo, hi := 1<<k>>1+1, 1<<k
		if k == 0 {
			lo = 1
		}
		fmt.Fprintf(&sb, " %d-%d:%d", lo, hi, n)
	}
	return fmt.Sprintf("%d batches, mean %.1f; sizes%s", h.batches.Load(), h.mean(), sb.String())
}

func (h *batcherBenchHist) mean() float64 {
	return float64(h.sigs.Load()) / float64(max(h.batches.Load(), 1))
}

// batcherBenchCPU returns the CPU time (user and system) this process has
// used, from /proc/self/stat, or false where there is no such file. On a
// machine shared with other work, the CPU time per signature is a steadier
// measure of the Batcher's overhead than wall-clock throughput.
func batcherBenchCPU() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses: state is
	// field 3, utime and stime are fields 14 and 15, in 1/100 s (USER_HZ).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * 10 * time.Millisecond, true
}

// batcherBenchPercentiles returns the p50 and p99 of lat, sorting it.
func batcherBenchPercentiles(lat []time.Duration) (p50, p99 time.Duration) {
	if len(lat) == 0 {
		return 0, 0
	}
	slices.Sort(lat)
	return lat[(len(lat)-1)/2], lat[(len(lat)*99+99)/100-1]
}

// batcherBenchModes are the modes of BenchmarkBatcher.
var batcherBenchModes = []ed25519.Rules{ed25519.StdLib, ed25519.Strict, ed25519.ZIP215}

// batcherBenchPolicies are the batching policies BenchmarkBatcher compares:
// their Policy, TargetBatch and MaxWait.
var batcherBenchPolicies = []struct {
	name string
	cfg  batcher.Config
}{
	{"natural", batcher.Config{}},
	{"window", batcher.Config{TargetBatch: 64, MaxWait: 500 * time.Microsecond}},
}

// batcherBenchUs is d in microseconds, for ReportMetric.
func batcherBenchUs(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func BenchmarkBatcher(b *testing.B) {
	items := newBatcherBenchItems()
	modes := batcherBenchModes
	if testing.Short() {
		modes = []ed25519.Rules{ed25519.ZIP215}
	}
	for _, mode := range modes {
		// directNsPerSig and directCPUNsPerSig are set by the direct-n=256
		// run (its last, longest round), for the ratios and the latency
		// bound of the others; singleNsPerSig by the single run.
		var directNsPerSig, directCPUNsPerSig, singleNsPerSig float64
		direct := func(b *testing.B) {
			var done int
			for done < b.N {
				n := min(batcherBenchDirectN, b.N-done)
				lo := (done / batcherBenchDirectN % (batcherBenchPool / batcherBenchDirectN)) * batcherBenchDirectN
				all, valid := ronkms.VerifyBatch(mode, items.pubs[lo:lo+n], items.msgs[lo:lo+n], items.sigs[lo:lo+n])
				if !all || len(valid) != n {
					b.Fatalf("VerifyBatch rejected honest signatures")
				}
				done += n
			}
		}
		b.Run("mode="+mode.String()+"/impl=direct/n=256", func(b *testing.B) {
			b.ReportAllocs()
			cpu0, cpuOK := batcherBenchCPU()
			start := time.Now()
			direct(b)
			el := time.Since(start)
			cpu1, _ := batcherBenchCPU()
			b.ReportMetric(float64(b.N)/el.Seconds(), "sigs/s")
			if el < 100*time.Millisecond {
				return // too short a round to calibrate the others
			}
			directNsPerSig = float64(el.Nanoseconds()) / float64(b.N)
			if cpuOK {
				directCPUNsPerSig = float64((cpu1 - cpu0).Nanoseconds()) / float64(b.N)
				b.ReportMetric(directCPUNsPerSig, "cpu-ns/sig")
			}
		})
		single := func(b *testing.B, lat []time.Duration) time.Duration {
			start := time.Now()
			for i := range b.N {
				j := i % batcherBenchPool
				t0 := time.Now()
				ok := mode.Verify(items.pubs[j], items.msgs[j], items.sigs[j])
				if lat != nil {
					lat[i] = time.Since(t0)
				}
				if !ok {
					b.Fatal("the single verifier rejected an honest signature")
				}
			}
			return time.Since(start)
		}
		b.Run("mode="+mode.String()+"/impl=single", func(b *testing.B) {
			lat := make([]time.Duration, b.N)
			el := single(b, lat)
			p50, p99 := batcherBenchPercentiles(lat)
			b.ReportMetric(batcherBenchUs(p50), "p50-us")
			b.ReportMetric(batcherBenchUs(p99), "p99-us")
			if el >= 100*time.Millisecond {
				singleNsPerSig = float64(el.Nanoseconds()) / float64(b.N)
			}
		})
		// calibrate sets directNsPerSig and singleNsPerSig if their runs
		// were filtered out, with about 200ms of each (testing.Benchmark
		// would deadlock in a benchmark).
		calibrate := func(b *testing.B) {
			if directNsPerSig == 0 {
				start, n := time.Now(), 0
				for time.Since(start) < 200*time.Millisecond {
					lo := n % batcherBenchPool
					hi := lo + batcherBenchDirectN
					if all, _ := ronkms.VerifyBatch(mode, items.pubs[lo:hi], items.msgs[lo:hi], items.sigs[lo:hi]); !all {
						b.Fatal("VerifyBatch rejected honest signatures")
					}
					n += batcherBenchDirectN
				}
				directNsPerSig = float64(time.Since(start).Nanoseconds()) / float64(n)
			}
			if singleNsPerSig == 0 {
				start, n := time.Now(), 0
				for ; time.Since(start) < 200*time.Millisecond; n++ {
					j := n % batcherBenchPool
					if !mode.Verify(items.pubs[j], items.msgs[j], items.sigs[j]) {
						b.Fatal("the single verifier rejected an honest signature")
					}
				}
				singleNsPerSig = float64(time.Since(start).Nanoseconds()) / float64(n)
			}
		}
		newBatcher := func(b *testing.B, policy int, noPinning bool) (*batcher.Batcher, *batcherBenchHist) {
			hist := &batcherBenchHist{}
			cfg := batcherBenchPolicies[policy].cfg
			cfg.Rules, cfg.Observer, cfg.NoPinning = mode, hist, noPinning
			bt, err := batcher.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			return bt, hist
		}
		// bound is the latency target of the design for the Batcher bt: the
		// time of one MaxBatch batch verified with the Batcher's Workers
		// (median of direct VerifyBatch calls), plus MaxWait for the window.
		bound := func(b *testing.B, bt *batcher.Batcher) time.Duration {
			cfg := bt.Config()
			d := batcherBenchBatchTime(b, mode, items, cfg.MaxBatch, cfg.Workers)
			if cfg.Policy == batcher.PolicyWindow {
				d += cfg.MaxWait
			}
			return d
		}

		sequential := func(b *testing.B, policy int) {
			calibrate(b)
			bt, hist := newBatcher(b, policy, false)
			defer bt.Close()
			lat := make([]time.Duration, b.N)
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				j := i % batcherBenchPool
				t0 := time.Now()
				ok, err := bt.Verify(ctx, items.pubs[j], items.msgs[j], items.sigs[j])
				lat[i] = time.Since(t0)
				if !ok || err != nil {
					b.Fatalf("honest signature: %v, %v", ok, err)
				}
			}
			el := time.Since(start)
			b.StopTimer()
			p50, p99 := batcherBenchPercentiles(lat)
			perCall := float64(el.Nanoseconds()) / float64(b.N)
			b.ReportMetric(batcherBenchUs(p50), "p50-us")
			b.ReportMetric(batcherBenchUs(p99), "p99-us")
			b.ReportMetric(perCall/singleNsPerSig, "x-single")
			b.ReportMetric(hist.mean(), "sigs/batch")
			b.Logf("N=%d: %.1fµs per call = %.2f x single (%.1fµs); p50 %v, p99 %v; %v",
				b.N, perCall/1e3, perCall/singleNsPerSig, singleNsPerSig/1e3, p50, p99, hist)
		}

		closedLoop := func(b *testing.B, policy int) {
			b.ReportAllocs()
			calibrate(b)
			bt, hist := newBatcher(b, policy, false)
			defer bt.Close()
			lat := make([]time.Duration, b.N)
			var next, wrong atomic.Int64
			var firstErr atomic.Value
			var wg sync.WaitGroup
			ctx := context.Background()
			b.ResetTimer()
			cpu0, cpuOK := batcherBenchCPU()
			start := time.Now()
			for range batcherBenchSubmitters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							return
						}
						j := i % batcherBenchPool
						t0 := time.Now()
						ok, err := bt.Verify(ctx, items.pubs[j], items.msgs[j], items.sigs[j])
						lat[i] = time.Since(t0)
						if !ok || err != nil {
							wrong.Add(1)
							if err != nil {
								firstErr.CompareAndSwap(nil, err)
							}
						}
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			cpu1, _ := batcherBenchCPU()
			b.StopTimer()
			if w := wrong.Load(); w != 0 {
				b.Fatalf("%d of %d honest signatures not verified (first error: %v)", w, b.N, firstErr.Load())
			}
			p50, p99 := batcherBenchPercentiles(lat)
			sps := float64(b.N) / el.Seconds()
			b.ReportMetric(sps, "sigs/s")
			b.ReportMetric(sps*directNsPerSig/1e9, "x-direct")
			b.ReportMetric(batcherBenchUs(p50), "p50-us")
			b.ReportMetric(batcherBenchUs(p99), "p99-us")
			b.ReportMetric(hist.mean(), "sigs/batch")
			cpuRatio := ""
			if cpuOK && directCPUNsPerSig > 0 {
				cpuNsPerSig := float64((cpu1 - cpu0).Nanoseconds()) / float64(b.N)
				b.ReportMetric(cpuNsPerSig, "cpu-ns/sig")
				b.ReportMetric(directCPUNsPerSig/cpuNsPerSig, "x-direct-cpu")
				cpuRatio = fmt.Sprintf(" (CPU time per signature: %.2f x direct)", cpuNsPerSig/directCPUNsPerSig)
			}
			b.Logf("N=%d: %.0f sigs/s = %.2f x direct-n=256%s; p50 %v, p99 %v; %v",
				b.N, sps, sps*directNsPerSig/1e9, cpuRatio, p50, p99, hist)
		}

		openLoop := func(b *testing.B, policy int, offered float64, noPinning bool) {
			calibrate(b)
			bt, hist := newBatcher(b, policy, noPinning)
			defer bt.Close()
			bound := bound(b, bt)
			interval := time.Duration(directNsPerSig / offered)
			type arrival struct {
				i   int
				due time.Time
			}
			arrivals := make(chan arrival, batcherBenchSubmitters)
			// lat runs from the request's scheduled arrival (so a late
			// dispatcher counts against us); svc from the call to Verify (the
			// service alone: the dispatcher's sleeps overshoot by up to a
			// timer tick, which no network arrival would).
			lat := make([]time.Duration, b.N)
			svc := make([]time.Duration, b.N)
			var wrong atomic.Int64
			var wg sync.WaitGroup
			ctx := context.Background()
			for range batcherBenchSubmitters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for a := range arrivals {
						j := a.i % batcherBenchPool
						t0 := time.Now()
						ok, err := bt.Verify(ctx, items.pubs[j], items.msgs[j], items.sigs[j])
						end := time.Now()
						lat[a.i] = end.Sub(a.due)
						svc[a.i] = end.Sub(t0)
						if !ok || err != nil {
							wrong.Add(1)
						}
					}
				}()
			}
			pacer, err := hrsleep.New()
			if err != nil {
				b.Fatal(err)
			}
			defer pacer.Close()
			b.ResetTimer()
			cpu0, cpuOK := batcherBenchCPU()
			start := time.Now()
			for i := range b.N {
				// Sleep only when at least 50µs ahead (arrivals come in
				// bursts of at most 50µs of traffic), on an hrsleep.Timer:
				// a runtime timer would sleep whole milliseconds and turn
				// the arrivals into bursts of a millisecond's traffic.
				due := start.Add(time.Duration(i) * interval)
				if time.Until(due) > 50*time.Microsecond {
					pacer.SleepUntil(due)
				}
				arrivals <- arrival{i, due}
			}
			close(arrivals)
			wg.Wait()
			el := time.Since(start)
			cpu1, _ := batcherBenchCPU()
			b.StopTimer()
			if w := wrong.Load(); w != 0 {
				b.Fatalf("%d of %d honest signatures not verified", w, b.N)
			}
			// The share of the processors' time the process used: an
			// offered load of x times the direct throughput is a heavier
			// load than x when the Batcher's batches cost more per
			// signature than direct's.
			util := ""
			if cpuOK {
				u := float64(cpu1-cpu0) / float64(el) / float64(runtime.GOMAXPROCS(0))
				b.ReportMetric(u, "cpu-util")
				util = fmt.Sprintf(", CPU use %.0f%% of GOMAXPROCS", 100*u)
			}
			p50, p99 := batcherBenchPercentiles(lat)
			s50, s99 := batcherBenchPercentiles(svc)
			sps := float64(b.N) / el.Seconds()
			b.ReportMetric(sps, "sigs/s")
			b.ReportMetric(batcherBenchUs(p50), "p50-us")
			b.ReportMetric(batcherBenchUs(p99), "p99-us")
			b.ReportMetric(batcherBenchUs(s50), "svc-p50-us")
			b.ReportMetric(batcherBenchUs(s99), "svc-p99-us")
			b.ReportMetric(batcherBenchUs(bound), "bound-us")
			b.ReportMetric(hist.mean(), "sigs/batch")
			b.Logf("N=%d at %.0f sigs/s offered (%.0f achieved)%s: from arrival p50 %v, p99 %v; from the call p50 %v, p99 %v; bound %v; %v",
				b.N, 1e9/float64(interval), sps, util, p50, p99, s50, s99, bound, hist)
		}

		prefix := fmt.Sprintf("mode=%v/impl=batcher/policy=", mode)
		for p, pol := range batcherBenchPolicies {
			b.Run(prefix+pol.name+"/submitters=1/offered=seq", func(b *testing.B) { sequential(b, p) })
		}
		for _, offered := range []float64{0.1, 0.5, 0.9} {
			for p, pol := range batcherBenchPolicies {
				for _, noPinning := range []bool{false, true} {
					if noPinning && (testing.Short() || offered != 0.5 || pol.name != "natural") {
						continue
					}
					pinning := map[bool]string{false: "on", true: "off"}[noPinning]
					b.Run(fmt.Sprintf("%s%s/submitters=%d/offered=%v/pinning=%s", prefix, pol.name, batcherBenchSubmitters, offered, pinning), func(b *testing.B) {
						openLoop(b, p, offered, noPinning)
					})
				}
			}
		}
		for p, pol := range batcherBenchPolicies {
			b.Run(fmt.Sprintf("%s%s/submitters=%d/offered=closed", prefix, pol.name, batcherBenchSubmitters), func(b *testing.B) { closedLoop(b, p) })
		}
	}
}

// batcherBenchBatchTime returns the median time of a BatchVerifier batch
// of n honest items (Add, which hashes, and Verify) on the given number of
// workers, over seven rounds.
func batcherBenchBatchTime(b *testing.B, mode ed25519.Rules, items *batcherBenchItems, n, workers int) time.Duration {
	n = min(n, batcherBenchPool)
	var ts []time.Duration
	v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(workers))
	for r := 0; r < 7; r++ {
		lo := (r * n) % (batcherBenchPool - n + 1)
		t0 := time.Now()
		v.Reset()
		for i := lo; i < lo+n; i++ {
			v.Add(items.pubs[i], items.msgs[i], items.sigs[i])
		}
		all, _ := v.Verify()
		ts = append(ts, time.Since(t0))
		if !all {
			b.Fatal("VerifyBatch rejected honest signatures")
		}
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}
