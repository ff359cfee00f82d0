package peers

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"filippo.io/edwards25519"
	circled "github.com/cloudflare/circl/sign/ed25519"
	"github.com/hdevalence/ed25519consensus"
	voied "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/ronkms/ronkms"
	ronked "github.com/ronkms/ronkms/ed25519"
)

// Benchmark names are shaped for benchstat:
//
//	BenchmarkSign/impl=stdlib
//	BenchmarkVerify/key=cold/impl=voi
//	BenchmarkVerify/key=repeated/impl=voi-expanded
//	BenchmarkBatch/keys=distinct/n=64/workers=1/impl=ronkms-zip215
//
// Every benchmark checks every verdict inside the timed loop and fails on an
// unexpected one, reports allocations, and reports ns/sig and sigs/s.

var (
	voiStdLib = &voied.Options{Verify: voied.VerifyOptionsStdLib}
	voiZIP215 = &voied.Options{Verify: voied.VerifyOptionsZIP_215}
)

// batchSizes are the batch sizes of the issue. The runner (and make
// bench-peers) selects a subset with -bench unless FULL=1.
var batchSizes = []int{8, 32, 64, 128, 256, 512, 1024}

// ---- injected slowdown (gate self-test) -------------------------------------

// RONKMS_BENCH_INJECT_SLOWDOWN=f (f > 1) makes every benchmark whose full
// name matches RONKMS_BENCH_INJECT_MATCH (default "impl=ronkms") do f times
// the work per operation: after every 16 operations or 1 ms, the harness
// reads the process CPU time they took and spins on one goroutine for
// (f - 1) times as much, like real extra work (the wall time of one-goroutine
// operations grows f times too; of parallel ones more, the spin being
// serial). Where the process CPU clock is missing, it spins for (f - 1) times
// each operation's wall time. TestInjectedSlowdown checks the factor. It
// exists to show that make perf-gate catches a regression; it changes
// nothing else, and nothing outside this harness.
var inject = func() (f float64, match *regexp.Regexp) {
	s := os.Getenv("RONKMS_BENCH_INJECT_SLOWDOWN")
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 {
		panic("RONKMS_BENCH_INJECT_SLOWDOWN must be a number >= 1, got " + strconv.Quote(s))
	}
	m := os.Getenv("RONKMS_BENCH_INJECT_MATCH")
	if m == "" {
		m = "impl=ronkms"
	}
	return f, regexp.MustCompile(m)
}

var injectFactor, injectMatch = inject()

// slowed wraps op in the injected slowdown when it applies to b.
func slowed(b *testing.B, op func(i int) bool) func(i int) bool {
	if injectFactor <= 1 || !injectMatch.MatchString(b.Name()) {
		return op
	}
	return slowBy(injectFactor, op, realClock{})
}

// slowClock is what the injected slowdown reads and burns: the process CPU
// clock (ok false where there is none), a wall clock, and a short spin of
// extra work. Benchmarks use realClock; TestInjectedSlowdown uses a fake
// one in which the operations and the spins cost known amounts, so that it
// counts the injected work instead of timing it.
type slowClock interface {
	CPU() (ns int64, ok bool)
	Wall() time.Time
	Spin()
}

type realClock struct{}

func (realClock) CPU() (int64, bool) { return ProcessCPUTime() }
func (realClock) Wall() time.Time    { return time.Now() }
func (realClock) Spin() {
	for range 1024 {
		spinSink++
	}
}

var spinSink int

// slowBy returns op made factor times as costly, as measured by clk.
func slowBy(factor float64, op func(i int) bool, clk slowClock) func(i int) bool {
	extra := factor - 1
	if mark, ok := clk.CPU(); ok {
		// Read the CPU clock (a system call) only after 16 operations or
		// 1 ms of wall time (time.Now is cheap), so that the clock reads
		// add no measurable cost themselves.
		n, wmark := 0, clk.Wall()
		return func(i int) bool {
			ok := op(i)
			if n++; n < 16 && clk.Wall().Sub(wmark) < time.Millisecond {
				return ok
			}
			now, _ := clk.CPU()
			end := now + int64(float64(now-mark)*extra)
			for {
				clk.Spin()
				if c, _ := clk.CPU(); c >= end {
					mark, n, wmark = c, 0, clk.Wall()
					return ok
				}
			}
		}
	}
	return func(i int) bool {
		t0 := clk.Wall()
		ok := op(i)
		end := clk.Wall().Add(time.Duration(float64(clk.Wall().Sub(t0)) * extra))
		for clk.Wall().Before(end) {
			clk.Spin()
		}
		return ok
	}
}

// run is the timed loop shared by every benchmark: op(i) performs operation
// number i (i cycles through 0..period-1) and returns false on a wrong
// verdict; sigsPerOp is the number of signatures one operation handles.
func run(b *testing.B, period, sigsPerOp int, op func(i int) bool) {
	b.ReportAllocs()
	op = slowed(b, op)
	cpu0, cpuOK := ProcessCPUTime()
	i := 0
	for b.Loop() {
		if !op(i) {
			b.Fatalf("unexpected verdict at operation %d", i)
		}
		if i++; i == period {
			i = 0
		}
	}
	cpu1, _ := ProcessCPUTime()
	sigs := float64(b.N) * float64(sigsPerOp)
	nsPerSig := float64(b.Elapsed().Nanoseconds()) / sigs
	b.ReportMetric(nsPerSig, "ns/sig")
	b.ReportMetric(1e9/nsPerSig, "sigs/s")
	if cpuOK {
		// CPU time of the whole process (every thread, the garbage
		// collector included) per signature: less disturbed than wall time
		// by other processes on a shared machine, and for workers=all the
		// total work, not the latency.
		b.ReportMetric(float64(cpu1-cpu0)/sigs, "cpu-ns/sig")
	}
}

// ---- Sign -------------------------------------------------------------------

func BenchmarkSign(b *testing.B) {
	items := samePool(sameKeyPool)
	priv := items[0].priv
	voiPriv := voied.PrivateKey(priv)
	circlPriv := circled.PrivateKey(priv)
	signers := []struct {
		impl string
		sign func(msg []byte) []byte
	}{
		{"stdlib", func(m []byte) []byte { return ed25519.Sign(priv, m) }},
		{"voi", func(m []byte) []byte { return voied.Sign(voiPriv, m) }},
		{"circl", func(m []byte) []byte { return circled.Sign(circlPriv, m) }},
		{"ronkms", func(m []byte) []byte { return ronked.Sign(priv, m) }},
	}
	for _, s := range signers {
		b.Run("impl="+s.impl, func(b *testing.B) {
			run(b, len(items), 1, func(i int) bool {
				return bytes.Equal(s.sign(items[i].msg), items[i].sig)
			})
		})
	}
}

// ---- single Verify ----------------------------------------------------------

// verifyEdwards25519 is crypto/ed25519's Verify algorithm on the
// filippo.io/edwards25519 module: StdLib rules.
func verifyEdwards25519(pub, msg, sig []byte) bool {
	if len(pub) != 32 || len(sig) != 64 {
		return false
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(pub)
	h.Write(msg)
	var d [64]byte
	k, _ := new(edwards25519.Scalar).SetUniformBytes(h.Sum(d[:0]))
	minusA := new(edwards25519.Point).Negate(A)
	R := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, minusA, s)
	return bytes.Equal(sig[:32], R.Bytes())
}

// singleVerifiers returns, for each implementation, a function verifying
// items[i]. With sameKey, every item has the same key and implementations
// that can cache a key (voi-expanded) prepare it once, outside the loop.
func singleVerifiers(items []item, sameKey bool) []struct {
	impl   string
	verify func(i int) bool
} {
	voiExpanded := func(i int) bool {
		ek, err := voied.NewExpandedPublicKey(voied.PublicKey(items[i].pub))
		if err != nil {
			return false
		}
		return voied.VerifyExpandedWithOptions(ek, items[i].msg, items[i].sig, voiStdLib)
	}
	// ronkms's VerifyingKey, made the same way: on every call with a cold
	// key, once outside the loop with a repeated one.
	ronkmsKey := func(rules ronked.Rules) func(i int) bool {
		if sameKey {
			k, err := ronked.NewVerifyingKey(items[0].pub)
			if err != nil {
				panic(err)
			}
			return func(i int) bool { return k.VerifyWithRules(rules, items[i].msg, items[i].sig) }
		}
		return func(i int) bool {
			k, err := ronked.NewVerifyingKey(items[i].pub)
			return err == nil && k.VerifyWithRules(rules, items[i].msg, items[i].sig)
		}
	}
	if sameKey {
		ek, err := voied.NewExpandedPublicKey(voied.PublicKey(items[0].pub))
		if err != nil {
			panic(err)
		}
		voiExpanded = func(i int) bool {
			return voied.VerifyExpandedWithOptions(ek, items[i].msg, items[i].sig, voiStdLib)
		}
	}
	return []struct {
		impl   string
		verify func(i int) bool
	}{
		{"stdlib", func(i int) bool { return ed25519.Verify(items[i].pub, items[i].msg, items[i].sig) }},
		{"edwards25519", func(i int) bool { return verifyEdwards25519(items[i].pub, items[i].msg, items[i].sig) }},
		{"voi", func(i int) bool { return voied.Verify(voied.PublicKey(items[i].pub), items[i].msg, items[i].sig) }},
		{"voi-stdlib", func(i int) bool {
			return voied.VerifyWithOptions(voied.PublicKey(items[i].pub), items[i].msg, items[i].sig, voiStdLib)
		}},
		{"voi-zip215", func(i int) bool {
			return voied.VerifyWithOptions(voied.PublicKey(items[i].pub), items[i].msg, items[i].sig, voiZIP215)
		}},
		{"voi-expanded", voiExpanded},
		{"consensus", func(i int) bool { return ed25519consensus.Verify(items[i].pub, items[i].msg, items[i].sig) }},
		{"circl", func(i int) bool { return circled.Verify(circled.PublicKey(items[i].pub), items[i].msg, items[i].sig) }},
		{"ronkms-stdlib", func(i int) bool { return ronked.Verify(items[i].pub, items[i].msg, items[i].sig) }},
		{"ronkms-strict", func(i int) bool { return ronked.VerifyStrict(items[i].pub, items[i].msg, items[i].sig) }},
		{"ronkms-zip215", func(i int) bool { return ronked.VerifyZIP215(items[i].pub, items[i].msg, items[i].sig) }},
		{"ronkms-stdlib-key", ronkmsKey(ronked.StdLib)},
		{"ronkms-zip215-key", ronkmsKey(ronked.ZIP215)},
	}
}

// BenchmarkVerify verifies one signature per operation. key=cold cycles
// through 4096 distinct keys; key=repeated verifies 64 messages under one
// key.
func BenchmarkVerify(b *testing.B) {
	for _, key := range []string{"cold", "repeated"} {
		b.Run("key="+key, func(b *testing.B) {
			var items []item
			if key == "cold" {
				items = distinctPool(coldPool)
			} else {
				items = samePool(sameKeyPool)
			}
			for _, v := range singleVerifiers(items, key == "repeated") {
				b.Run("impl="+v.impl, func(b *testing.B) {
					run(b, len(items), 1, v.verify)
				})
			}
		})
	}
}

// ---- batches ----------------------------------------------------------------

// batchImpl prepares a function verifying the whole batch once; it returns
// false unless every item was found valid.
type batchImpl struct {
	impl string
	// parallel implementations run at workers=1 and workers=all; the others
	// (every peer: none parallelizes a batch) only at workers=1.
	parallel bool
	prepare  func(items []item, sameKey bool, workers int) func() bool
}

func allTrue(v []bool, n int) bool {
	if len(v) != n {
		return false
	}
	for _, ok := range v {
		if !ok {
			return false
		}
	}
	return true
}

func ronkmsBatch(mode ronked.Rules) func(items []item, sameKey bool, workers int) func() bool {
	return func(items []item, _ bool, workers int) func() bool {
		v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(workers))
		return func() bool {
			v.Reset()
			for _, it := range items {
				v.Add(it.pub, it.msg, it.sig)
			}
			ok, valid := v.Verify()
			return ok && allTrue(valid, len(items))
		}
	}
}

// ronkmsCachedBatch is ronkmsBatch with a KeyCache that one untimed Verify
// of the same items has filled: every key of the timed batches is a hit.
func ronkmsCachedBatch(mode ronked.Rules) func(items []item, sameKey bool, workers int) func() bool {
	return func(items []item, _ bool, workers int) func() bool {
		v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(workers), ronkms.WithKeyCache(ronkms.NewKeyCache(len(items))))
		op := func() bool {
			v.Reset()
			for _, it := range items {
				v.Add(it.pub, it.msg, it.sig)
			}
			ok, valid := v.Verify()
			return ok && allTrue(valid, len(items))
		}
		op() // the warm-up: its verdict is the timed batches' (TestPeerRules checks them)
		return op
	}
}

var batchImpls = []batchImpl{
	{impl: "stdlib", prepare: func(items []item, _ bool, _ int) func() bool {
		return func() bool {
			ok := true
			for _, it := range items {
				ok = ed25519.Verify(it.pub, it.msg, it.sig) && ok
			}
			return ok
		}
	}},
	{impl: "voi-zip215", prepare: func(items []item, _ bool, _ int) func() bool {
		v := voied.NewBatchVerifierWithCapacity(len(items))
		return func() bool {
			v.Reset()
			for _, it := range items {
				v.AddWithOptions(voied.PublicKey(it.pub), it.msg, it.sig, voiZIP215)
			}
			ok, valid := v.Verify(nil)
			return ok && allTrue(valid, len(items))
		}
	}},
	{impl: "voi-expanded-zip215", prepare: func(items []item, sameKey bool, _ int) func() bool {
		// The caller keeps expanded keys (a key cache): expansion is not
		// timed. Same-key batches share one expanded key.
		eks := make([]*voied.ExpandedPublicKey, len(items))
		for i, it := range items {
			if sameKey && i > 0 {
				eks[i] = eks[0]
				continue
			}
			ek, err := voied.NewExpandedPublicKey(voied.PublicKey(it.pub))
			if err != nil {
				panic(err)
			}
			eks[i] = ek
		}
		v := voied.NewBatchVerifierWithCapacity(len(items))
		return func() bool {
			v.Reset()
			for i, it := range items {
				v.AddExpandedWithOptions(eks[i], it.msg, it.sig, voiZIP215)
			}
			ok, valid := v.Verify(nil)
			return ok && allTrue(valid, len(items))
		}
	}},
	{impl: "consensus", prepare: func(items []item, _ bool, _ int) func() bool {
		return func() bool {
			v := ed25519consensus.NewPreallocatedBatchVerifier(len(items))
			for _, it := range items {
				v.Add(it.pub, it.msg, it.sig)
			}
			return v.Verify()
		}
	}},
	{impl: "ronkms-stdlib", parallel: true, prepare: ronkmsBatch(ronked.StdLib)},
	{impl: "ronkms-strict", parallel: true, prepare: ronkmsBatch(ronked.Strict)},
	{impl: "ronkms-zip215", parallel: true, prepare: ronkmsBatch(ronked.ZIP215)},
	{impl: "ronkms-strict-cached", parallel: true, prepare: ronkmsCachedBatch(ronked.Strict)},
	{impl: "ronkms-zip215-cached", parallel: true, prepare: ronkmsCachedBatch(ronked.ZIP215)},
}

// BenchmarkBatch verifies a batch of n valid signatures per operation, under
// n distinct keys or one key, with one worker goroutine or all
// (GOMAXPROCS). Only ronkms parallelizes: the peers have no parallel batch
// API and the harness does not split their batches, so they run at
// workers=1 only. Adding the batch (hashing included) is part of every
// operation, for every implementation.
func BenchmarkBatch(b *testing.B) {
	for _, keys := range []string{"same", "distinct"} {
		b.Run("keys="+keys, func(b *testing.B) {
			for _, n := range batchSizes {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					var items []item
					if keys == "same" {
						items = samePool(n)
					} else {
						items = distinctPool(n)
					}
					for _, workers := range []string{"1", "all"} {
						b.Run("workers="+workers, func(b *testing.B) {
							w := 1
							if workers == "all" {
								w = 0 // GOMAXPROCS
							}
							for _, bi := range batchImpls {
								if workers == "all" && !bi.parallel {
									continue
								}
								b.Run("impl="+bi.impl, func(b *testing.B) {
									op := bi.prepare(items, keys == "same", w)
									run(b, 1, len(items), func(int) bool { return op() })
								})
							}
						})
					}
				})
			}
		})
	}
}
