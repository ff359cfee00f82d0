// Package gate decides whether a benchmark run regressed against a saved
// baseline.
//
// Gated benchmarks are ronkms's own (impl=ronkms*). Three checks:
//
//  1. Same machine (the CPU line of ronkms.DescribeCPU equal, backend
//     aside, Go version included): a gated benchmark fails when its median
//     ns/sig grew by more than Threshold and the Mann-Whitney U test
//     (benchstat's) finds the change significant, p < Alpha.
//  2. Another machine: absolute times mean nothing, so the same test is
//     applied to the per-round ratio crypto/ed25519 ns/sig / ronkms ns/sig,
//     measured in the same run on each side: it fails when the median ratio
//     fell by more than Threshold, significantly.
//  3. Any machine: the ratio of medians crypto/ed25519 / ronkms in the
//     current run must not be below the floor of every Floor pattern that
//     matches the benchmark's name.
//
// Times are wall ns/sig by default. With Unit cpu-ns/sig (process CPU time,
// far steadier on a machine shared with other work) the time checks use CPU
// time, and the ratio checks and floors too, except for workers=all
// benchmarks, whose speed-up only wall time shows (peers.RatioUnit).
//
// A parallel speed-up can only be measured on idle cores, and from inside the
// benchmark a parallel batch that lost its cores to another process looks
// exactly like one whose parallelism broke. So the runner records the share
// of the machine's CPU time that other processes took during the run
// (other-load, from /proc/stat); where that is missing the gate estimates it
// from the one-goroutine crypto/ed25519 references, 1 - CPU time / wall time.
// Above BusyLimit, the wall-time ratio checks and floors of workers=all
// benchmarks are reported as skipped, with a warning, instead of failing on
// cores that other processes held.
package gate

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ronkms/ronkms/bench/peers"
	"github.com/ronkms/ronkms/bench/peers/internal/benchfile"
)

// Floor is a minimum speed ratio over crypto/ed25519 for the gated
// benchmarks whose name (without Benchmark and -procs) matches Pattern.
type Floor struct {
	Pattern *regexp.Regexp
	Min     float64
}

// ParseFloor parses "REGEXP=MIN" (split at the last '=').
func ParseFloor(s string) (Floor, error) {
	i := strings.LastIndexByte(s, '=')
	if i <= 0 {
		return Floor{}, fmt.Errorf("floor %q: want REGEXP=MIN", s)
	}
	re, err := regexp.Compile(s[:i])
	if err != nil {
		return Floor{}, fmt.Errorf("floor %q: %w", s, err)
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s[i+1:]), "x"), 64)
	if err != nil || v <= 0 {
		return Floor{}, fmt.Errorf("floor %q: bad minimum ratio", s)
	}
	return Floor{Pattern: re, Min: v}, nil
}

// ParseThreshold accepts "10", "10%" (percent) and returns 0.10.
func ParseThreshold(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v <= 0 || v >= 1000 {
		return 0, fmt.Errorf("threshold %q: want a percentage such as 10", s)
	}
	return v / 100, nil
}

// Options configures Evaluate.
type Options struct {
	Threshold float64 // relative, 0.10 for 10%
	Alpha     float64 // significance level, 0.05
	Floors    []Floor
	// Mode is "auto" (absolute on the same machine, ratios otherwise),
	// "absolute" or "ratio".
	Mode string
	// Unit is peers.WallUnit (default) or peers.CPUUnit.
	Unit string
	// BusyLimit is the share of the machine's CPU time taken by other
	// processes above which it counts as busy (default 0.10; negative:
	// never busy).
	BusyLimit float64
}

// Check is one comparison.
type Check struct {
	Kind  string // "time", "ratio" or "floor"
	Name  string
	Base  float64 // baseline median (time: ns/sig; ratio: speed-up); floor: the floor
	Cur   float64 // current median
	Delta float64 // relative change of the median (time: +0.3 = 30% slower; ratio: -0.3 = 30% lower)
	P     float64 // U-test p-value (1 for floors)
	Fail  bool
	Note  string
}

// Result is the outcome of Evaluate.
type Result struct {
	Unit        string
	Busy        float64 // share of the machine other processes took (NaN if unknown)
	BusyHow     string  // how Busy was measured
	SameMachine bool
	Mode        string // "absolute" or "ratio"
	Reason      string // why that mode
	Checks      []Check
	Skipped     []string // checks not run on a busy machine
	Failures    int
	Warnings    []string
}

// Machine returns the machine identity of a CPU line: every field of
// ronkms.DescribeCPU except the backend, which belongs to the code under
// test, not to the machine.
func Machine(cpuLine string) string {
	var keep []string
	for _, f := range strings.Split(cpuLine, "|") {
		f = strings.TrimSpace(f)
		if strings.HasPrefix(f, "backend ") {
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, " | ")
}

// Gated reports whether the benchmark called name is gated: ronkms's own.
func Gated(name string) bool {
	_, impl, ok := peers.SplitName(name)
	if !ok {
		return false
	}
	im, ok := peers.Lookup(impl)
	return ok && im.Ronkms
}

// Evaluate compares the current run with the baseline.
func Evaluate(base, cur *benchfile.File, opt Options) (*Result, error) {
	if opt.Threshold <= 0 {
		opt.Threshold = 0.10
	}
	if opt.Alpha <= 0 {
		opt.Alpha = 0.05
	}
	switch opt.Unit {
	case "":
		opt.Unit = peers.WallUnit
	case peers.WallUnit, peers.CPUUnit:
	default:
		return nil, fmt.Errorf("unknown unit %q (want %s or %s)", opt.Unit, peers.WallUnit, peers.CPUUnit)
	}
	if opt.BusyLimit == 0 {
		opt.BusyLimit = 0.10
	}
	res := &Result{Unit: opt.Unit}
	bm, cm := Machine(base.Config["ronkms-cpu"]), Machine(cur.Config["ronkms-cpu"])
	res.SameMachine = bm != "" && bm == cm
	switch opt.Mode {
	case "", "auto":
		if res.SameMachine {
			res.Mode, res.Reason = "absolute", "same machine and Go version as the baseline"
		} else {
			res.Mode = "ratio"
			res.Reason = fmt.Sprintf("the baseline comes from another machine or Go version:\n    baseline: %s\n    current:  %s", orUnknown(bm), orUnknown(cm))
		}
	case "absolute", "ratio":
		res.Mode, res.Reason = opt.Mode, "forced by -mode"
	default:
		return nil, fmt.Errorf("unknown mode %q (want auto, absolute or ratio)", opt.Mode)
	}
	if s := base.Config["inject-slowdown"]; s != "" {
		res.Warnings = append(res.Warnings, "the baseline was recorded with an injected slowdown ("+s+")")
	}
	if s := cur.Config["inject-slowdown"]; s != "" {
		res.Warnings = append(res.Warnings, "this run has an injected slowdown ("+s+"): a gate self-test")
	}

	samples := func(f *benchfile.File) map[string]map[string][]float64 {
		return map[string]map[string][]float64{
			peers.WallUnit: f.Samples(peers.WallUnit),
			peers.CPUUnit:  f.Samples(peers.CPUUnit),
		}
	}
	bAll, cAll := samples(base), samples(cur)
	bs, cs := bAll[opt.Unit], cAll[opt.Unit]
	var gated []string
	for _, name := range cur.Names() {
		if Gated(name) && cs[name] != nil {
			gated = append(gated, name)
		}
	}
	if len(gated) == 0 {
		return nil, fmt.Errorf("the current run has no gated (impl=ronkms*) %s results", opt.Unit)
	}

	res.Busy, res.BusyHow = Busyness(cur)
	busy := opt.BusyLimit > 0 && res.Busy > opt.BusyLimit
	if busy {
		res.Warnings = append(res.Warnings, fmt.Sprintf("busy machine: other processes took %.0f%% of its CPU time (limit %.0f%%);\n    the parallel (workers=all) wall-time ratio checks and floors are skipped: they need idle cores", 100*res.Busy, 100*opt.BusyLimit))
	}
	skipParallel := func(name, unit string) bool {
		return busy && unit == peers.WallUnit && strings.Contains(name, "/workers=all")
	}

	for _, name := range gated {
		if bs[name] == nil {
			res.Warnings = append(res.Warnings, name+": not in the baseline, not compared")
			continue
		}
		var c Check
		if res.Mode == "absolute" {
			c = compare("time", name, bs[name], cs[name], opt, +1)
			// Say when the crypto/ed25519 reference moved too: a machine
			// under load slows every implementation alike.
			if ref := peers.StdlibRef(name); c.Fail && bs[ref] != nil && cs[ref] != nil {
				if d := benchfile.Median(cs[ref])/benchfile.Median(bs[ref]) - 1; d > opt.Threshold {
					c.Note += fmt.Sprintf("; crypto/ed25519 moved %+.0f%% too: machine load? re-run, or use -mode ratio", 100*d)
				}
			}
		} else {
			ref := peers.StdlibRef(name)
			u := peers.RatioUnit(name, opt.Unit)
			if skipParallel(name, u) {
				res.Skipped = append(res.Skipped, "ratio "+name)
				continue
			}
			b, c2 := bAll[u], cAll[u]
			if b[ref] == nil || c2[ref] == nil || b[name] == nil {
				res.Warnings = append(res.Warnings, name+": no "+ref+" in both runs, ratio not compared")
				continue
			}
			c = compare("ratio", name, benchfile.PairedRatios(b[ref], b[name]),
				benchfile.PairedRatios(c2[ref], c2[name]), opt, -1)
		}
		res.Checks = append(res.Checks, c)
	}

	for _, fl := range opt.Floors {
		matched := false
		for _, name := range gated {
			if !fl.Pattern.MatchString(name) {
				continue
			}
			matched = true
			ref := peers.StdlibRef(name)
			u := peers.RatioUnit(name, opt.Unit)
			if skipParallel(name, u) {
				res.Skipped = append(res.Skipped, fmt.Sprintf("floor %s >= %gx", name, fl.Min))
				continue
			}
			r := benchfile.Ratio(cAll[u][ref], cAll[u][name])
			c := Check{Kind: "floor", Name: name, Base: fl.Min, Cur: r, P: 1}
			switch {
			case math.IsNaN(r):
				c.Fail, c.Note = true, "no "+ref+" in this run"
			case r < fl.Min:
				c.Fail, c.Note = true, fmt.Sprintf("below the floor %s", fl.Pattern)
			}
			res.Checks = append(res.Checks, c)
		}
		if !matched {
			return nil, fmt.Errorf("floor %s=%g matches no gated benchmark of this run", fl.Pattern, fl.Min)
		}
	}
	for _, c := range res.Checks {
		if c.Fail {
			res.Failures++
		}
	}
	return res, nil
}

// Busyness returns the share of the machine's CPU time that other processes
// took during the run of f, and how it was measured: the runner's
// other-load line, or else an estimate from the one-goroutine
// crypto/ed25519 benchmarks, 1 - median(CPU time / wall time). NaN when
// neither is available.
func Busyness(f *benchfile.File) (float64, string) {
	if v, err := strconv.ParseFloat(f.Config["other-load"], 64); err == nil {
		return v, "other processes' share of the machine's CPU time (/proc/stat)"
	}
	wall, cpu := f.Samples(peers.WallUnit), f.Samples(peers.CPUUnit)
	var rs []float64
	for _, name := range f.Names() {
		_, impl, ok := peers.SplitName(name)
		if !ok || impl != "stdlib" || strings.Contains(name, "/workers=all") {
			continue
		}
		rs = append(rs, benchfile.PairedRatios(cpu[name], wall[name])...)
	}
	return 1 - benchfile.Median(rs), "1 - CPU time / wall time of the one-goroutine crypto/ed25519 benchmarks"
}

// compare tests a change of median between samples b (baseline) and c
// (current). worse is +1 when a larger value is a regression (times), -1
// when a smaller one is (speed ratios).
func compare(kind, name string, b, c []float64, opt Options, worse float64) Check {
	mb, mc := benchfile.Median(b), benchfile.Median(c)
	ch := Check{Kind: kind, Name: name, Base: mb, Cur: mc, Delta: mc/mb - 1, P: benchfile.UTest(b, c)}
	regressed := ch.Delta*worse > opt.Threshold
	significant := ch.P < opt.Alpha
	switch {
	case regressed && significant:
		ch.Fail = true
		ch.Note = fmt.Sprintf("regression beyond %.0f%%", 100*opt.Threshold)
	case regressed:
		ch.Note = fmt.Sprintf("beyond %.0f%% but not significant (p >= %.2g)", 100*opt.Threshold, opt.Alpha)
	case ch.Delta*worse < -opt.Threshold && significant:
		ch.Note = "improvement"
	}
	if len(b) < 4 || len(c) < 4 {
		ch.Note = strings.TrimSpace(ch.Note + " (too few samples for significance: use -count 6)")
	}
	return ch
}

func orUnknown(s string) string {
	if s == "" {
		return "(no ronkms-cpu line)"
	}
	return s
}

// Write prints the result as a table and a verdict line.
func (r *Result) Write(w io.Writer) {
	fmt.Fprintf(w, "perf-gate: %s comparison in %s: %s\n", r.Mode, r.Unit, r.Reason)
	if !math.IsNaN(r.Busy) {
		fmt.Fprintf(w, "  machine load: %.0f%% (%s)\n", 100*r.Busy, r.BusyHow)
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", s)
	}
	checks := append([]Check(nil), r.Checks...)
	sort.SliceStable(checks, func(i, j int) bool { return kindOrder(checks[i].Kind) < kindOrder(checks[j].Kind) })
	var lastKind string
	for _, c := range checks {
		if c.Kind != lastKind {
			lastKind = c.Kind
			switch c.Kind {
			case "time":
				fmt.Fprintf(w, "\n  %-62s %12s %12s %8s %7s  %s\n", r.Unit+" (median)", "baseline", "current", "delta", "p", "verdict")
			case "ratio":
				fmt.Fprintf(w, "\n  %-62s %12s %12s %8s %7s  %s\n", "speed-up over crypto/ed25519 (median of rounds)", "baseline", "current", "delta", "p", "verdict")
			case "floor":
				fmt.Fprintf(w, "\n  %-62s %12s %12s %8s %7s  %s\n", "speed-up over crypto/ed25519, this run", "floor", "current", "", "", "verdict")
			}
		}
		verdict := "ok"
		if c.Fail {
			verdict = "FAIL"
		}
		if c.Note != "" {
			verdict += ": " + c.Note
		}
		switch c.Kind {
		case "floor":
			fmt.Fprintf(w, "  %-62s %11.2fx %11.2fx %8s %7s  %s\n", c.Name, c.Base, c.Cur, "", "", verdict)
		case "ratio":
			fmt.Fprintf(w, "  %-62s %11.2fx %11.2fx %+7.1f%% %7.3f  %s\n", c.Name, c.Base, c.Cur, 100*c.Delta, c.P, verdict)
		default:
			fmt.Fprintf(w, "  %-62s %12.0f %12.0f %+7.1f%% %7.3f  %s\n", c.Name, c.Base, c.Cur, 100*c.Delta, c.P, verdict)
		}
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "\n  skipped on a busy machine (other processes took %.0f%% of it): %d checks\n", 100*r.Busy, len(r.Skipped))
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "    %s\n", s)
		}
	}
	fmt.Fprintln(w)
	if r.Failures > 0 {
		fmt.Fprintf(w, "perf-gate: FAIL: %d of %d checks failed\n", r.Failures, len(r.Checks))
	} else {
		fmt.Fprintf(w, "perf-gate: PASS: %d checks\n", len(r.Checks))
		if len(r.Skipped) > 0 {
			fmt.Fprintf(w, "perf-gate: %d parallel checks were skipped (busy machine): re-run on idle cores to cover them\n", len(r.Skipped))
		}
	}
}

func kindOrder(k string) int {
	switch k {
	case "time":
		return 0
	case "ratio":
		return 1
	}
	return 2
}
