package main

import (
	"bytes"
	stded25519 "crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/benchdata"
)

const (
	defaultSizes     = "8,32,64,128,256,512,1024"
	defaultRounds    = 7
	defaultRoundTime = 40 * time.Millisecond
	defaultMaxTime   = 90 * time.Second
	maxBatchSize     = 1 << 16
)

// workerSetting is one value of -workers.
type workerSetting struct {
	label string // "1", "all", "4": as given, for output
	n     int    // argument of ronkms.WithWorkers; 0 means GOMAXPROCS
}

func (w workerSetting) count() int {
	if w.n == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w.n
}

type benchConfig struct {
	modes      []ed25519.Rules
	keys       []string // "same", "distinct", "known"
	sizes      []int
	workers    []workerSetting
	rounds     int
	roundTime  time.Duration
	maxTime    time.Duration // no extra rounds start after this much time
	json       bool
	cpuprofile string
}

func benchUsage(fs *flag.FlagSet) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, `usage: ronkms bench [flags]

Measures, on this machine, crypto/ed25519.Verify and Sign against ronkms's
single verifiers and Sign, then ronkms batch verification for each mode, key
set, worker setting and batch size, with its speed-up over
crypto/ed25519.Verify measured in the same run. Times are medians over
rounds in which every measurement of a group runs once, interleaved. Every
result is checked: a rejected valid signature is a fatal error.
Results go to stdout, progress to stderr.

flags:
`)
		fs.PrintDefaults()
	}
}

// runBench is the bench command.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var modes string
	fs.StringVar(&modes, "rules", "stdlib,strict,zip215", "comma-separated verification `rules` to batch: presets ("+presetNames()+") or rules joined by +")
	fs.StringVar(&modes, "modes", "stdlib,strict,zip215", "the former name of -rules (not both)")
	keys := fs.String("keys", "same,distinct,known", "comma-separated key `sets`: same (one key signs every item), distinct (one key per item) or known (one key per item, every key already in the BatchVerifier's KeyCache: callers with a known set of signers)")
	sizes := fs.String("sizes", defaultSizes, "comma-separated batch `sizes`")
	workers := fs.String("workers", "1,all", "comma-separated worker `counts`; all is GOMAXPROCS")
	rounds := fs.Int("rounds", defaultRounds, "rounds per measurement; the median is reported")
	roundTime := fs.Duration("round-time", defaultRoundTime, "minimum `duration` of one measurement in one round (a batch longer than this runs once)")
	maxTime := fs.Duration("max-time", defaultMaxTime, "no extra rounds (which replace rounds disturbed by other load, up to -rounds more per group) start after this `duration`")
	quick := fs.Bool("quick", false, "tiny run for tests: sizes 8,16, 3 rounds of 1ms, max-time 1s, unless those flags are given")
	jsonOut := fs.Bool("json", false, "print JSON lines, one object per result, instead of tables")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measurements to `file`")
	fs.Usage = benchUsage(fs)

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // fs.Parse printed the error and the usage
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ronkms bench: "+format+"\n", a...)
		fs.Usage()
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	if bothGiven(fs, "rules", "modes") {
		return usageErr("-rules and -modes are two names of one flag; give one")
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *quick {
		if !given["sizes"] {
			*sizes = "8,16"
		}
		if !given["rounds"] {
			*rounds = 3
		}
		if !given["round-time"] {
			*roundTime = time.Millisecond
		}
		if !given["max-time"] {
			*maxTime = time.Second
		}
	}

	cfg := benchConfig{rounds: *rounds, roundTime: *roundTime, maxTime: *maxTime, json: *jsonOut, cpuprofile: *cpuprofile}
	for _, s := range splitList(modes) {
		m, err := ed25519.ParseRules(s)
		if err != nil {
			return usageErr("-rules: %v", err)
		}
		if !slices.Contains(cfg.modes, m) {
			cfg.modes = append(cfg.modes, m)
		}
	}
	for _, s := range splitList(*keys) {
		if s != "same" && s != "distinct" && s != "known" {
			return usageErr("-keys: unknown key set %q (want same, distinct or known)", s)
		}
		if !slices.Contains(cfg.keys, s) {
			cfg.keys = append(cfg.keys, s)
		}
	}
	for _, s := range splitList(*sizes) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxBatchSize {
			return usageErr("-sizes: bad batch size %q (want 1 to %d)", s, maxBatchSize)
		}
		if !slices.Contains(cfg.sizes, n) {
			cfg.sizes = append(cfg.sizes, n)
		}
	}
	for _, s := range splitList(*workers) {
		w := workerSetting{label: s}
		if s != "all" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 4096 {
				return usageErr("-workers: bad worker count %q (want all or 1 to 4096)", s)
			}
			w.n = n
		}
		if !slices.ContainsFunc(cfg.workers, func(x workerSetting) bool { return x.label == w.label }) {
			cfg.workers = append(cfg.workers, w)
		}
	}
	switch {
	case len(cfg.modes) == 0:
		return usageErr("-rules is empty")
	case len(cfg.keys) == 0:
		return usageErr("-keys is empty")
	case len(cfg.sizes) == 0:
		return usageErr("-sizes is empty")
	case len(cfg.workers) == 0:
		return usageErr("-workers is empty")
	case cfg.rounds < 1 || cfg.rounds > 1000:
		return usageErr("-rounds must be 1 to 1000")
	case cfg.roundTime <= 0 || cfg.roundTime > time.Minute:
		return usageErr("-round-time must be positive and at most 1m")
	case cfg.maxTime < 0:
		return usageErr("-max-time must not be negative")
	}

	if err := bench(cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "ronkms bench: %v\n", err)
		return exitFail
	}
	return exitOK
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// bench runs the measurements of cfg and prints the results to stdout and
// the progress to stderr.
func bench(cfg benchConfig, stdout, stderr io.Writer) error {
	start := time.Now()
	progress := func(format string, a ...any) {
		fmt.Fprintf(stderr, "bench: %6.1fs  "+format+"\n", append([]any{time.Since(start).Seconds()}, a...)...)
	}
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	maxN := slices.Max(cfg.sizes)
	fixtures := map[string]*fixture{}
	for _, k := range cfg.keys {
		fixtures[k] = newFixture(k == "same", maxN)
	}
	pool := fixtures["distinct"]
	if pool == nil || len(pool.Sigs) < singlePoolSize {
		pool = newFixture(false, singlePoolSize)
	}
	progress("generated %d signatures per key set (%s keys) with crypto/ed25519", maxN, strings.Join(cfg.keys, ", "))

	out := newPrinter(cfg, stdout)
	out.capStart = parallelCapacity()
	out.header()

	// Single operations.
	singles := append(singleSubjects(cfg.modes, pool), fieldSingles()...)
	subjects := make([]*subject, len(singles))
	for i, s := range singles {
		subjects[i] = s.subject
	}
	deadline := start.Add(cfg.maxTime)
	if err := measure(subjects, cfg.rounds, cfg.roundTime, deadline); err != nil {
		return err
	}
	all := slices.Clone(subjects)
	groups := len(cfg.keys) * len(cfg.sizes)
	progress("[%d/%d] single operations: %d measurements × %s", 1, groups+1, len(subjects), roundsDone(subjects))

	// Batches: one group per key set and size, in which the
	// crypto/ed25519.Verify loop and every mode and worker setting are
	// measured once per round.
	var cells []*batchCell
	done := 1
	for _, keys := range cfg.keys {
		fx := fixtures[keys]
		for _, n := range cfg.sizes {
			base := stdlibLoopSubject(fx, n)
			subjects := []*subject{base}
			for _, mode := range cfg.modes {
				for _, w := range cfg.workers {
					c := &batchCell{mode: mode, keys: keys, n: n, workers: w, base: base,
						batch: batchSubject(mode, keys, w, fx, n)}
					cells = append(cells, c)
					subjects = append(subjects, c.batch)
				}
			}
			t0 := time.Now()
			if err := measure(subjects, cfg.rounds, cfg.roundTime, deadline); err != nil {
				return err
			}
			all = append(all, subjects...)
			done++
			progress("[%d/%d] keys=%s n=%d: %d measurements × %s in %.1fs",
				done, groups+1, keys, n, len(subjects), roundsDone(subjects), time.Since(t0).Seconds())
		}
	}
	out.summary(singles, cells)
	out.singles(singles)
	out.batches(cells)
	out.capEnd = parallelCapacity()
	out.disturbed = disturbedFraction(all)
	if out.disturbed > disturbedWarn {
		progress("warning: %.0f%% of the measurement rounds were disturbed by other load on the machine", 100*out.disturbed)
	}
	out.footer(time.Since(start))
	return out.err
}

// A subject is one thing measured: run performs reps repetitions of unit
// signatures each, checks every result, and returns the time taken.
type subject struct {
	name   string
	unit   int
	serial bool // runs on one goroutine: should get a whole core
	run    func(reps int) (time.Duration, error)
	reps   int // repetitions per round, from calibrate

	// One entry per round.
	ns    []float64 // ns per signature
	cores []float64 // process CPU time / wall time
	clean []bool    // not disturbed by other load
}

const (
	// A round is disturbed when the threads doing its work spent more
	// than this fraction of their runnable time waiting for a CPU (or,
	// where that is not known, when a one-goroutine subject got less than
	// 1-disturbedWait of a core).
	disturbedWait = 0.05
	// Medians use only undisturbed rounds when at least this many exist.
	minClean = 2
	// The fraction of disturbed rounds that gets a warning.
	disturbedWarn = 0.1
)

// calibrate sets s.reps so that one round of s lasts about target. The runs
// it makes also warm s up. The last size is timed twice and the faster
// time kept, so that a burst of other load does not shorten every round.
func (s *subject) calibrate(target time.Duration) error {
	for reps := 1; ; reps *= 2 {
		d, err := s.run(reps)
		if err != nil {
			return err
		}
		if d >= target/4 || reps >= 1<<24 {
			d2, err := s.run(reps)
			if err != nil {
				return err
			}
			d = max(min(d, d2), time.Microsecond)
			s.reps = max(1, int(math.Ceil(float64(reps)*float64(target)/float64(d))))
			return nil
		}
	}
}

// round runs s once and records its time, the cores it got and whether
// other load disturbed it.
func (s *subject) round() error {
	sched0 := takeSchedSnapshot()
	cpu0 := processCPUTime()
	d, err := s.run(s.reps)
	if err != nil {
		return err
	}
	cpu := processCPUTime() - cpu0
	sched1 := takeSchedSnapshot()
	d = max(d, 1)
	cores := float64(cpu) / float64(d)
	disturbed := false
	switch {
	case sched0 != nil && sched1 != nil:
		disturbed = deniedFraction(sched0, sched1, d, !s.serial) > disturbedWait
	case s.serial && cpu > 0:
		disturbed = cores < 1-disturbedWait
	}
	s.ns = append(s.ns, float64(d.Nanoseconds())/float64(s.reps*s.unit))
	s.cores = append(s.cores, cores)
	s.clean = append(s.clean, !disturbed)
	return nil
}

// wakeAllowance is how long a thread may wait each time it is put on a CPU
// without that counting as a CPU held by another process: on a virtual
// machine, waking an idle virtual CPU takes this order of time (about
// 0.13ms measured on the 2-core development VM), which is a cost of
// starting parallel work, not a disturbance. A thread preempted by another
// process waits for a scheduler time slice, milliseconds.
const wakeAllowance = 300 * time.Microsecond

// deniedFraction returns, for the threads that did the work of a round of
// duration d, the fraction of their runnable time that they spent waiting
// for a CPU held by another process, beyond wakeAllowance per wake-up. The
// working threads are those that ran for at least a tenth of the round or,
// if parallel, that ran or waited that long: a worker that never got a CPU
// counts too. Threads that were barely runnable, such as the runtime's
// sysmon, do not count: their short waits do not slow the work.
func deniedFraction(before, after schedSnapshot, d time.Duration, parallel bool) float64 {
	var run, wait int64
	for tid, a := range after {
		b := before[tid] // zero for a thread started during the round
		dr, dw, dn := a[0]-b[0], a[1]-b[1], a[2]-b[2]
		busy := dr
		if parallel {
			busy += dw
		}
		if busy >= int64(d)/10 {
			run += dr
			wait += max(0, dw-dn*int64(wakeAllowance))
		}
	}
	if run+wait <= 0 {
		return 0
	}
	return float64(wait) / float64(run+wait)
}

func (s *subject) cleanRounds() int { return countTrue(s.clean) }

// used reports whether round r of s counts: every round if s has fewer
// than minClean undisturbed ones, else only those.
func (s *subject) used(r int) bool { return s.clean[r] || s.cleanRounds() < minClean }

// sample returns the values of xs in the rounds of s that count.
func (s *subject) sample(xs []float64) []float64 {
	var out []float64
	for r, x := range xs {
		if s.used(r) {
			out = append(out, x)
		}
	}
	return out
}

// medianNS is the median time per signature over the rounds that count.
func (s *subject) medianNS() float64 { return median(s.sample(s.ns)) }

// cpuNS returns the process CPU time per signature of each round. Unlike
// wall time it hardly grows while other processes hold the CPU, so for
// one-goroutine subjects it is a steadier measure of the work on a busy
// machine; for parallel ones it is the total work, not the latency.
func (s *subject) cpuNS() []float64 {
	out := make([]float64, len(s.ns))
	for r := range s.ns {
		out[r] = s.ns[r] * s.cores[r]
	}
	return out
}

// cpuSpeedup is the median over all rounds of the ratio of the CPU times
// per signature of base and x.
func cpuSpeedup(base, x *subject) float64 {
	b, c := base.cpuNS(), x.cpuNS()
	r := make([]float64, min(len(b), len(c)))
	for i := range r {
		r[i] = b[i] / c[i]
	}
	return median(r)
}

// measure calibrates subjects, then runs rounds rounds in which each subject
// runs once, starting one place further in the list each round, so that
// drifts in the machine's speed hit every subject alike. Then, while a
// subject has fewer than rounds undisturbed rounds, it runs up to rounds
// extra rounds, none starting after deadline.
func measure(subjects []*subject, rounds int, target time.Duration, deadline time.Time) error {
	runtime.GC()
	for _, s := range subjects {
		if err := s.calibrate(target); err != nil {
			return err
		}
	}
	short := func() bool {
		return slices.ContainsFunc(subjects, func(s *subject) bool { return s.cleanRounds() < rounds })
	}
	for r := 0; r < rounds || (r < 2*rounds && short() && time.Now().Before(deadline)); r++ {
		for k := range subjects {
			if err := subjects[(k+r)%len(subjects)].round(); err != nil {
				return err
			}
		}
	}
	return nil
}

// roundsDone describes the rounds run for subjects, for progress lines.
func roundsDone(subjects []*subject) string {
	total, clean := 0, 0
	for _, s := range subjects {
		total += len(s.clean)
		clean += s.cleanRounds()
	}
	return fmt.Sprintf("%d rounds (%d%% undisturbed)", len(subjects[0].clean), 100*clean/max(total, 1))
}

// disturbedFraction returns the fraction of all rounds of subjects that
// other load disturbed.
func disturbedFraction(subjects []*subject) float64 {
	total, clean := 0, 0
	for _, s := range subjects {
		total += len(s.clean)
		clean += s.cleanRounds()
	}
	return 1 - float64(clean)/float64(max(total, 1))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is half the range of the counted rounds of s relative to their
// median, in percent.
func spread(s *subject) float64 {
	xs := s.sample(s.ns)
	return (slices.Max(xs) - slices.Min(xs)) / 2 / median(xs) * 100
}

// speedup is the median over rounds of base/x per signature: both were
// measured in the same round, so a slow round slows both. It uses the
// rounds that count for both, or every round if there are fewer than
// minClean of those.
func speedup(base, x *subject) float64 {
	var r, all []float64
	for i := range min(len(base.ns), len(x.ns)) {
		ratio := base.ns[i] / x.ns[i]
		all = append(all, ratio)
		if base.clean[i] && x.clean[i] {
			r = append(r, ratio)
		}
	}
	if len(r) < minClean {
		r = all
	}
	return median(r)
}

// fixture is a set of signed messages, valid under every mode.
// fixture is n signed messages, valid under every mode.
type fixture = benchdata.Set

const (
	msgLen         = 64
	singlePoolSize = 64
)

// newFixture signs n distinct 64-byte messages with crypto/ed25519, under
// one key if sameKey, else under n keys. Keys and messages are deterministic.
func newFixture(sameKey bool, n int) *fixture {
	var seed [32]byte
	if sameKey {
		seed[0] = 1
	}
	return benchdata.New(seed, sameKey, n, msgLen)
}

// single is one single-operation measurement.
type single struct {
	*subject
	op   string // "verify" or "sign"
	impl string // "stdlib" or "ronkms"
	mode string // verification mode, "" for sign
	fn   string // the function measured
	base *subject
}

func singleSubjects(modes []ed25519.Rules, pool *fixture) []*single {
	// verifyItem measures f(j), the verification of pool item j.
	verifyItem := func(name string, f func(j int) bool) *subject {
		return &subject{name: name, unit: 1, serial: true, run: func(reps int) (time.Duration, error) {
			start := time.Now()
			for i := range reps {
				j := i % singlePoolSize
				if !f(j) {
					return 0, fmt.Errorf("%s rejected valid signature %d", name, j)
				}
			}
			return time.Since(start), nil
		}}
	}
	verify := func(name string, f func(ed25519.PublicKey, []byte, []byte) bool) *subject {
		return verifyItem(name, func(j int) bool { return f(pool.Pubs[j], pool.Msgs[j], pool.Sigs[j]) })
	}
	sign := func(name string, f func(ed25519.PrivateKey, []byte) []byte) *subject {
		return &subject{name: name, unit: 1, serial: true, run: func(reps int) (time.Duration, error) {
			start := time.Now()
			for i := range reps {
				j := i % singlePoolSize
				if !bytes.Equal(f(pool.Privs[j], pool.Msgs[j]), pool.Sigs[j]) {
					return 0, fmt.Errorf("%s: signature %d differs from crypto/ed25519's", name, j)
				}
			}
			return time.Since(start), nil
		}}
	}
	stdVerify := verify("crypto/ed25519.Verify", stded25519.Verify)
	stdSign := sign("crypto/ed25519.Sign", stded25519.Sign)
	out := []*single{{subject: stdVerify, op: "verify", impl: "stdlib", mode: "stdlib", fn: stdVerify.name, base: stdVerify}}
	for _, m := range modes {
		var s *subject
		switch m {
		case ed25519.StdLib:
			s = verify("ed25519.Verify", ed25519.Verify)
		case ed25519.Strict:
			s = verify("ed25519.VerifyStrict", ed25519.VerifyStrict)
		case ed25519.ZIP215:
			s = verify("ed25519.VerifyZIP215", ed25519.VerifyZIP215)
		default:
			s = verify("ed25519.Rules("+m.String()+").Verify", m.Verify)
		}
		out = append(out, &single{subject: s, op: "verify", impl: "ronkms", mode: m.String(), fn: s.name, base: stdVerify})
	}
	// The keys decoded once, outside the timed loop: what a verifier of a
	// few known keys (a token issuer's) pays per signature.
	if slices.Contains(modes, ed25519.StdLib) {
		// A key that fails to decode stays nil: its Verify is false, which
		// the measurement reports as a rejected valid signature.
		keys := make([]*ed25519.VerifyingKey, singlePoolSize)
		for j := range keys {
			keys[j], _ = ed25519.NewVerifyingKey(pool.Pubs[j])
		}
		s := verifyItem("ed25519.VerifyingKey.Verify", func(j int) bool { return keys[j].Verify(pool.Msgs[j], pool.Sigs[j]) })
		out = append(out, &single{subject: s, op: "verify", impl: "ronkms-key", mode: ed25519.StdLib.String(), fn: s.name, base: stdVerify})
	}
	ourSign := sign("ed25519.Sign", ed25519.Sign)
	out = append(out,
		&single{subject: stdSign, op: "sign", impl: "stdlib", fn: stdSign.name, base: stdSign},
		&single{subject: ourSign, op: "sign", impl: "ronkms", fn: ourSign.name, base: stdSign})
	return out
}

// stdlibLoopSubject verifies the first n items of fx with
// crypto/ed25519.Verify, one after the other: the baseline of every batch
// of the same items.
func stdlibLoopSubject(fx *fixture, n int) *subject {
	return &subject{name: "crypto/ed25519.Verify loop", unit: n, serial: true, run: func(reps int) (time.Duration, error) {
		start := time.Now()
		for range reps {
			for i := range n {
				if !stded25519.Verify(fx.Pubs[i], fx.Msgs[i], fx.Sigs[i]) {
					return 0, fmt.Errorf("crypto/ed25519.Verify rejected valid signature %d", i)
				}
			}
		}
		return time.Since(start), nil
	}}
}

// batchSubject verifies the first n items of fx with a BatchVerifier: Reset,
// n Adds (which hash the messages) and Verify per repetition.
func batchSubject(mode ed25519.Rules, keys string, w workerSetting, fx *fixture, n int) *subject {
	name := fmt.Sprintf("mode=%v keys=%s n=%d workers=%s", mode, keys, n, w.label)
	opts := []ronkms.Option{ronkms.WithWorkers(w.n)}
	if keys == "known" {
		// The first run (calibration, untimed) fills the cache; every
		// measured batch then finds its keys there.
		opts = append(opts, ronkms.WithKeyCache(ronkms.NewKeyCache(n)))
	}
	v := ronkms.NewBatchVerifier(mode, opts...)
	return &subject{name: name, unit: n, serial: w.count() == 1, run: func(reps int) (time.Duration, error) {
		start := time.Now()
		for range reps {
			v.Reset()
			for i := range n {
				v.Add(fx.Pubs[i], fx.Msgs[i], fx.Sigs[i])
			}
			ok, valid := v.Verify()
			if !ok || len(valid) != n {
				bad := len(valid) - countTrue(valid)
				return 0, fmt.Errorf("%s: batch of %d valid signatures not all valid (%d verdicts of %d false)", name, n, bad, len(valid))
			}
		}
		return time.Since(start), nil
	}}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// batchCell is one row of a batch table.
type batchCell struct {
	mode    ed25519.Rules
	keys    string
	n       int
	workers workerSetting
	batch   *subject
	base    *subject // crypto/ed25519.Verify over the same items, same rounds
}

// printer writes the results as text tables or JSON lines, remembering the
// first write error.
type printer struct {
	cfg              benchConfig
	w                io.Writer
	enc              *json.Encoder
	err              error
	date             time.Time
	capStart, capEnd float64 // parallelCapacity before and after
	disturbed        float64 // disturbedFraction
}

func newPrinter(cfg benchConfig, w io.Writer) *printer {
	p := &printer{cfg: cfg, w: w, date: time.Now()}
	if cfg.json {
		p.enc = json.NewEncoder(w)
	}
	return p
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *printer) emit(v any) {
	if p.err == nil {
		p.err = p.enc.Encode(v)
	}
}

// table writes rows of cells, right-aligned; if leftFirst, the first column
// is padded to read left-aligned.
func (p *printer) table(rows [][]string, leftFirst bool) {
	if p.err != nil {
		return
	}
	first := 0
	for _, r := range rows {
		first = max(first, len([]rune(r[0])))
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range rows {
		if leftFirst {
			r[0] += strings.Repeat(" ", first-len([]rune(r[0])))
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(r, "\t"))
	}
	p.err = tw.Flush()
}

type jsonEnv struct {
	Kind        string `json:"kind"` // "env"
	CPU         string `json:"cpu"`
	Date        string `json:"date"`
	GoVersion   string `json:"go_version"`
	GOMAXPROCS  int    `json:"gomaxprocs"`
	Rounds      int    `json:"rounds"`
	RoundTimeNS int64  `json:"round_time_ns"`
	MsgLen      int    `json:"msg_len"`
	// Capacity is parallelCapacity at the start: the cores this process
	// actually got, out of GOMAXPROCS.
	Capacity float64 `json:"capacity"`
}

type jsonEnd struct {
	Kind     string  `json:"kind"` // "end"
	Capacity float64 `json:"capacity"`
	// DisturbedFraction is the fraction of all measurement rounds that
	// other load on the machine disturbed; above 0.1 the run is suspect.
	DisturbedFraction float64 `json:"disturbed_fraction"`
	ElapsedNS         int64   `json:"elapsed_ns"`
}

type jsonSingle struct {
	Kind      string  `json:"kind"` // "single"
	Op        string  `json:"op"`   // "verify" or "sign"
	Impl      string  `json:"impl"` // "stdlib" or "ronkms"
	Mode      string  `json:"mode,omitempty"`
	Func      string  `json:"func"`
	MedianNS  float64 `json:"median_ns"`
	OpsPerSec float64 `json:"ops_per_sec"`
	Speedup   float64 `json:"speedup"` // over crypto/ed25519, same rounds
	SpreadPct float64 `json:"spread_pct"`
	// CPU time per operation (median over all rounds) and the speed-up it
	// gives: steadier than wall time on a busy machine. 0 where unknown.
	CPUNS        float64 `json:"cpu_ns"`
	CPUSpeedup   float64 `json:"cpu_speedup"`
	Rounds       int     `json:"rounds"`       // rounds run
	CleanRounds  int     `json:"clean_rounds"` // undisturbed rounds
	RepsPerRound int     `json:"reps_per_round"`
}

type jsonBatch struct {
	Kind                    string  `json:"kind"` // "batch"
	Mode                    string  `json:"mode"`
	Keys                    string  `json:"keys"`
	N                       int     `json:"n"`
	Workers                 string  `json:"workers"`
	WorkerCount             int     `json:"worker_count"`
	MedianBatchNS           float64 `json:"median_batch_ns"`
	VerificationsPerSec     float64 `json:"verifications_per_sec"`
	NSPerVerification       float64 `json:"ns_per_verification"`
	StdlibNSPerVerification float64 `json:"stdlib_ns_per_verification"`
	Speedup                 float64 `json:"speedup"`
	SpreadPct               float64 `json:"spread_pct"`
	CoresUsed               float64 `json:"cores_used"` // 0 where unknown
	// Process CPU time per verification of the batch and of the
	// crypto/ed25519.Verify loop (medians over all rounds), and the
	// paired speed-up they give: total work rather than latency, and
	// steadier than wall time on a busy machine. 0 where unknown.
	CPUNSPerVerification       float64 `json:"cpu_ns_per_verification"`
	StdlibCPUNSPerVerification float64 `json:"stdlib_cpu_ns_per_verification"`
	CPUSpeedup                 float64 `json:"cpu_speedup"`
	MinBatchNS                 float64 `json:"min_batch_ns"`
	MaxBatchNS                 float64 `json:"max_batch_ns"`
	Rounds                     int     `json:"rounds"`       // rounds run
	CleanRounds                int     `json:"clean_rounds"` // undisturbed rounds
	RepsPerRound               int     `json:"reps_per_round"`
}

func (p *printer) header() {
	if p.cfg.json {
		p.emit(jsonEnv{Kind: "env", CPU: ronkms.DescribeCPU(), Date: p.date.Format(time.RFC3339),
			GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), Rounds: p.cfg.rounds,
			RoundTimeNS: p.cfg.roundTime.Nanoseconds(), MsgLen: msgLen, Capacity: p.capStart})
		return
	}
	p.printf("ronkms bench\n")
	p.printf("cpu:    %s\n", ronkms.DescribeCPU())
	p.printf("date:   %s\n", p.date.Format("2006-01-02 15:04:05 MST"))
	p.printf("cores:  %.2f of GOMAXPROCS %d free at the start (spin probe; below GOMAXPROCS, other load holds cores and workers>1 results suffer)\n", p.capStart, runtime.GOMAXPROCS(0))
	p.printf("method: medians of %d+ interleaved rounds, each measurement >= %v per round, rounds disturbed by other load left out;\n        %d-byte messages signed by crypto/ed25519; every result checked\n",
		p.cfg.rounds, p.cfg.roundTime, msgLen)
}

// summary prints the sizing table first: per rule set and key set,
// verifications per second and the speed-up over crypto/ed25519.Verify, at
// a small batch (64, or the smallest size) and the largest, for each worker
// setting; then one line of single-operation speed-ups. The details follow.
func (p *printer) summary(ss []*single, cells []*batchCell) {
	if p.cfg.json || len(cells) == 0 {
		return
	}
	sizes := slices.Sorted(slices.Values(p.cfg.sizes))
	small, large := sizes[0], sizes[len(sizes)-1]
	if slices.Contains(sizes, 64) {
		small = 64
	}
	type col struct {
		w workerSetting
		n int
	}
	var cols []col
	head := []string{"rules", "keys"}
	for _, w := range p.cfg.workers {
		for _, n := range []int{small, large} {
			if len(cols) > 0 && cols[len(cols)-1] == (col{w, n}) {
				continue
			}
			cols = append(cols, col{w, n})
			head = append(head, fmt.Sprintf("n=%d, %s", n, plural(w.count(), "core")), "")
		}
	}
	p.printf("\nsizing: signatures verified per second by one batch, and the speed-up over crypto/ed25519.Verify\n")
	p.printf("(per signature, measured in the same rounds); keys: one key signs every item, one key per item, or one\n")
	p.printf("known key per item (decoded and tested by an earlier batch, kept in a ronkms.KeyCache)\n")
	rows := [][]string{head}
	for _, mode := range p.cfg.modes {
		for _, keys := range p.cfg.keys {
			name := map[string]string{"same": "one key", "distinct": "distinct", "known": "known"}[keys]
			row := []string{mode.String(), name}
			for _, c := range cols {
				i := slices.IndexFunc(cells, func(x *batchCell) bool {
					return x.mode == mode && x.keys == keys && x.workers == c.w && x.n == c.n
				})
				if i < 0 {
					row = append(row, "-", "")
					continue
				}
				perSig := cells[i].batch.medianNS()
				row = append(row, fmtRate(1e9/perSig), fmtSpeedup(speedup(cells[i].base, cells[i].batch)))
			}
			rows = append(rows, row)
		}
	}
	p.table(rows, true)
	var parts []string
	for _, s := range ss {
		if strings.HasPrefix(s.impl, "ronkms") && (s.op == "verify" || s.op == "sign") {
			parts = append(parts, fmt.Sprintf("%s %s", s.fn, fmtSpeedup(speedup(s.base, s.subject))))
		}
	}
	p.printf("single operations, speed-up over crypto/ed25519: %s\n", strings.Join(parts, ", "))
	p.printf("\ndetails:\n")
}

func (p *printer) singles(ss []*single) {
	if p.cfg.json {
		for _, s := range ss {
			med := s.medianNS()
			p.emit(jsonSingle{Kind: "single", Op: s.op, Impl: s.impl, Mode: s.mode, Func: s.fn,
				MedianNS: med, OpsPerSec: 1e9 / med, Speedup: speedup(s.base, s.subject),
				SpreadPct: spread(s.subject), CPUNS: median(s.cpuNS()), CPUSpeedup: cpuSpeedup(s.base, s.subject),
				Rounds: len(s.ns), CleanRounds: s.cleanRounds(), RepsPerRound: s.reps})
		}
		return
	}
	p.printf("\nsingle operations, cycling over %d keys and messages (speed-up: over crypto/ed25519, or over filippo.io/edwards25519/field for field operations, per operation, same rounds)\n", singlePoolSize)
	rows := [][]string{{"operation", "median", "ops/s", "speed-up", "clean", "±"}}
	for _, s := range ss {
		med := s.medianNS()
		rows = append(rows, []string{s.fn, fmtDur(med), fmtRate(1e9 / med),
			fmtSpeedup(speedup(s.base, s.subject)), fmtClean(s.subject), fmtPct(spread(s.subject))})
	}
	p.table(rows, true)
}

func (p *printer) batches(cells []*batchCell) {
	if p.cfg.json {
		for _, c := range cells {
			perSig := c.batch.medianNS()
			used := c.batch.sample(c.batch.ns)
			p.emit(jsonBatch{Kind: "batch", Mode: c.mode.String(), Keys: c.keys, N: c.n,
				Workers: c.workers.label, WorkerCount: c.workers.count(),
				MedianBatchNS: perSig * float64(c.n), VerificationsPerSec: 1e9 / perSig,
				NSPerVerification: perSig, StdlibNSPerVerification: c.base.medianNS(),
				Speedup: speedup(c.base, c.batch), SpreadPct: spread(c.batch),
				CoresUsed:            median(c.batch.sample(c.batch.cores)),
				CPUNSPerVerification: median(c.batch.cpuNS()), StdlibCPUNSPerVerification: median(c.base.cpuNS()),
				CPUSpeedup: cpuSpeedup(c.base, c.batch),
				MinBatchNS: slices.Min(used) * float64(c.n), MaxBatchNS: slices.Max(used) * float64(c.n),
				Rounds: len(c.batch.ns), CleanRounds: c.batch.cleanRounds(), RepsPerRound: c.batch.reps})
		}
		return
	}
	for _, mode := range p.cfg.modes {
		for _, keys := range p.cfg.keys {
			for _, w := range p.cfg.workers {
				p.printf("\nmode=%v keys=%s workers=%s (%s): ronkms.BatchVerifier vs crypto/ed25519.Verify in a loop\n",
					mode, keys, w.label, plural(w.count(), "goroutine"))
				rows := [][]string{{"batch", "median batch", "verifications/s", "per verification",
					"crypto/ed25519.Verify", "speed-up", "cores", "clean", "±"}}
				for _, c := range cells {
					if c.mode != mode || c.keys != keys || c.workers.label != w.label {
						continue
					}
					perSig := c.batch.medianNS()
					rows = append(rows, []string{strconv.Itoa(c.n), fmtDur(perSig * float64(c.n)), fmtRate(1e9 / perSig),
						fmtDur(perSig), fmtDur(c.base.medianNS()), fmtSpeedup(speedup(c.base, c.batch)),
						fmtCores(median(c.batch.sample(c.batch.cores))), fmtClean(c.batch), fmtPct(spread(c.batch))})
				}
				p.table(rows, false)
			}
		}
	}
}

func (p *printer) footer(elapsed time.Duration) {
	if p.cfg.json {
		p.emit(jsonEnd{Kind: "end", Capacity: p.capEnd, DisturbedFraction: p.disturbed, ElapsedNS: elapsed.Nanoseconds()})
		return
	}
	p.printf(`
median batch: Reset, Add of every item (hashing its message) and Verify.
crypto/ed25519.Verify: per signature, one goroutine, same items and rounds.
speed-up: median over rounds of crypto/ed25519.Verify time / batch time, per signature.
cores: CPU time of the process / wall time during the batch: the parallelism it got.
clean: undisturbed rounds / rounds run. A round is disturbed when the threads doing its
  work waited for a CPU held by another process for over %.0f%% of their runnable time;
  medians leave disturbed rounds out when at least %d are clean; "!" marks a row with fewer.
±: half the min-max range of the rounds used, relative to the median.
cores free at the end: %.2f of %d; measured in %.1fs
disturbed rounds: %.0f%% of all`, 100*disturbedWait, minClean, p.capEnd, runtime.GOMAXPROCS(0), elapsed.Seconds(), 100*p.disturbed)
	if p.disturbed > disturbedWarn {
		p.printf(" -- WARNING: the machine is busy; these numbers are unreliable, rerun when it is idle")
	}
	p.printf("\n")
}

// fmtDur formats ns in the units of time.Duration, so that
// time.ParseDuration reads it back.
func fmtDur(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.0fns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.2fµs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.3fms", ns/1e6)
	}
	return fmt.Sprintf("%.3fs", ns/1e9)
}

// fmtRate formats a rate with three significant digits.
func fmtRate(perSec float64) string {
	switch {
	case perSec >= 1e6:
		return fmt.Sprintf("%.2fM/s", perSec/1e6)
	case perSec >= 1e5:
		return fmt.Sprintf("%.0fk/s", perSec/1e3)
	case perSec >= 1e4:
		return fmt.Sprintf("%.1fk/s", perSec/1e3)
	case perSec >= 1e3:
		return fmt.Sprintf("%.2fk/s", perSec/1e3)
	}
	return fmt.Sprintf("%.0f/s", perSec)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func fmtSpeedup(x float64) string { return fmt.Sprintf("%.2fx", x) }

// fmtClean formats the undisturbed rounds of s out of those run, marked
// with "!" when too few were clean to leave the disturbed ones out.
func fmtClean(s *subject) string {
	mark := ""
	if s.cleanRounds() < minClean {
		mark = "!"
	}
	return fmt.Sprintf("%d/%d%s", s.cleanRounds(), len(s.clean), mark)
}

func fmtCores(x float64) string {
	if x <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}

func fmtPct(x float64) string { return fmt.Sprintf("%.1f%%", x) }

var spinSink atomic.Uint64

// spin does k steps of integer work, about 1ns each.
func spin(k int) {
	x := uint64(k)
	for range k {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 29
	}
	spinSink.Add(x)
}

// parallelCapacity estimates how many of the GOMAXPROCS cores this process
// gets right now: it times about 20ms of integer work on one goroutine, then
// the same work on each of GOMAXPROCS goroutines at once, twice, and keeps
// the better estimate. On an idle machine it is close to GOMAXPROCS; when
// other processes hold cores it falls, and with it every workers > 1 result.
func parallelCapacity() float64 {
	const d = 20 * time.Millisecond
	procs := runtime.GOMAXPROCS(0)
	k := 1 << 16
	var one time.Duration
	for {
		t := time.Now()
		spin(k)
		one = time.Since(t)
		if one >= d/2 || k >= 1<<30 { // 1<<30 fits a 32-bit int
			break
		}
		k *= 2
	}
	best := 0.0
	for range 2 {
		var wg sync.WaitGroup
		t := time.Now()
		for range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				spin(k)
			}()
		}
		wg.Wait()
		best = max(best, float64(procs)*float64(one)/float64(time.Since(t)))
	}
	return math.Min(float64(procs), best)
}
