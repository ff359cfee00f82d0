package gate

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ronkms/ronkms/bench/peers/internal/benchfile"
)

const (
	cpuA = "AMD EPYC | 2 logical cores, GOMAXPROCS 2 | bmi2adx avx2 | backend edwards25519-generic | go1.26.8 linux/amd64"
	// The same machine with another ronkms backend: still the same machine.
	cpuA2 = "AMD EPYC | 2 logical cores, GOMAXPROCS 2 | bmi2adx avx2 | backend avx2 | go1.26.8 linux/amd64"
	cpuB  = "Intel(R) Xeon(R) | 8 logical cores, GOMAXPROCS 8 | bmi2adx avx2 avx512ifma | backend edwards25519-generic | go1.26.8 linux/amd64"
)

const (
	stdVerify = "Verify/key=cold/impl=stdlib"
	ronVerify = "Verify/key=cold/impl=ronkms-zip215"
	stdBatch  = "Batch/keys=distinct/n=64/workers=1/impl=stdlib"
	ronBatch  = "Batch/keys=distinct/n=64/workers=all/impl=ronkms-zip215"
)

// synth writes a raw benchmark file: rounds rounds, each benchmark's ns/sig
// drawn around its center with relative noise, in the runner's interleaved
// order, and parses it back (so the tests also go through the parser).
func synth(t *testing.T, cpu string, rounds int, noise float64, seed uint64, centers map[string]float64) *benchfile.File {
	t.Helper()
	return synthLoad(t, cpu, rounds, noise, 1, seed, centers)
}

// synthLoad is synth on a machine where other processes take the CPU: wall
// times are multiplied by extra (on top of the noise), CPU times are not.
// CPU time of a workers=all benchmark is twice its wall time (2 workers).
func synthLoad(t *testing.T, cpu string, rounds int, noise, extra float64, seed uint64, centers map[string]float64) *benchfile.File {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	fmt.Fprintf(&b, "ronkms-cpu: %s\ngo-version: go1.26.8\ncount: %d\n", cpu, rounds)
	names := []string{stdVerify, ronVerify, stdBatch, ronBatch}
	for range rounds {
		// Load that comes and goes hits every benchmark of a round alike.
		load := 1 + noise*r.Float64()
		for _, n := range names {
			c, ok := centers[n]
			if !ok {
				continue
			}
			v := c * load * extra * (1 + noise*(r.Float64()-0.5)/2)
			cpuNs := c * (1 + 0.01*(r.Float64()-0.5))
			if strings.Contains(n, "workers=all") {
				cpuNs *= 2
			}
			fmt.Fprintf(&b, "Benchmark%s-2 \t 100 \t %.0f ns/op \t %.1f cpu-ns/sig \t %.1f ns/sig \t %.1f sigs/s\n", n, v, cpuNs, v, 1e9/v)
		}
	}
	f, err := benchfile.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func today(ronkmsVerify, ronkmsBatch float64) map[string]float64 {
	return map[string]float64{stdVerify: 38000, ronVerify: ronkmsVerify, stdBatch: 38000, ronBatch: ronkmsBatch}
}

func failed(res *Result, kind, name string) bool {
	for _, c := range res.Checks {
		if c.Kind == kind && c.Name == name {
			return c.Fail
		}
	}
	return false
}

func mustFloor(t *testing.T, s string) Floor {
	f, err := ParseFloor(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSameMachineRegression(t *testing.T) {
	base := synth(t, cpuA, 6, 0.02, 1, today(40000, 10000))
	opt := Options{Threshold: 0.10}

	// Unchanged: passes.
	res, err := Evaluate(base, synth(t, cpuA, 6, 0.02, 2, today(40000, 10000)), opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "absolute" || res.Failures != 0 {
		t.Fatalf("unchanged run: mode %s, %d failures\n%+v", res.Mode, res.Failures, res.Checks)
	}

	// The batch 30% slower (what RONKMS_BENCH_INJECT_SLOWDOWN=1.3 does):
	// fails, the untouched Verify does not.
	res, _ = Evaluate(base, synth(t, cpuA, 6, 0.02, 3, today(40000, 13000)), opt)
	if !failed(res, "time", ronBatch) || failed(res, "time", ronVerify) || res.Failures != 1 {
		t.Fatalf("30%% slower batch: %+v", res.Checks)
	}

	// 5% slower: within the threshold.
	res, _ = Evaluate(base, synth(t, cpuA, 6, 0.02, 4, today(42000, 10500)), opt)
	if res.Failures != 0 {
		t.Fatalf("5%% slower: %+v", res.Checks)
	}

	// A new backend on the same machine is still compared in absolute time.
	res, _ = Evaluate(base, synth(t, cpuA2, 6, 0.02, 5, today(40000, 10000)), opt)
	if res.Mode != "absolute" {
		t.Fatalf("backend change: mode %s", res.Mode)
	}
}

func TestNotSignificantDoesNotFail(t *testing.T) {
	// Three rounds each: even completely separated samples cannot reach
	// p < 0.05 (the smallest two-sided p is 0.1), so a 30% change does not
	// fail the gate, as benchstat would print "~".
	base := synth(t, cpuA, 3, 0.01, 1, today(40000, 10000))
	cur := synth(t, cpuA, 3, 0.01, 2, today(52000, 10000))
	res, err := Evaluate(base, cur, Options{Threshold: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	if failed(res, "time", ronVerify) {
		t.Fatalf("3 rounds: failed on a change benchstat would not call significant: %+v", res.Checks)
	}
	for _, c := range res.Checks {
		if c.Name == ronVerify && !strings.Contains(c.Note, "not significant") {
			t.Errorf("note = %q", c.Note)
		}
	}
}

func TestOtherMachineUsesRatios(t *testing.T) {
	base := synth(t, cpuA, 6, 0.02, 1, today(40000, 10000))
	// A machine twice as fast: every absolute time halves, ratios hold.
	fast := map[string]float64{stdVerify: 19000, ronVerify: 20000, stdBatch: 19000, ronBatch: 5000}
	res, err := Evaluate(base, synth(t, cpuB, 6, 0.02, 2, fast), Options{Threshold: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "ratio" || res.SameMachine || res.Failures != 0 {
		t.Fatalf("faster machine: mode %s, %d failures: %+v", res.Mode, res.Failures, res.Checks)
	}
	// On that machine the batch lost 30% relative to crypto/ed25519: fails,
	// although its absolute time (6,500 ns) is better than the baseline's.
	fast[ronBatch] = 6500
	res, _ = Evaluate(base, synth(t, cpuB, 6, 0.02, 3, fast), Options{Threshold: 0.10})
	if !failed(res, "ratio", ronBatch) || failed(res, "ratio", ronVerify) {
		t.Fatalf("ratio regression not caught: %+v", res.Checks)
	}
	// The Go version is part of the machine identity.
	other := strings.Replace(cpuA, "go1.26.8", "go1.27.0", 1)
	res, _ = Evaluate(base, synth(t, other, 6, 0.02, 4, today(40000, 10000)), Options{})
	if res.Mode != "ratio" {
		t.Errorf("another Go version: mode %s", res.Mode)
	}
}

func TestFloors(t *testing.T) {
	base := synth(t, cpuA, 6, 0.02, 1, today(40000, 10000))
	cur := synth(t, cpuA, 6, 0.02, 2, today(40000, 10000)) // verify 0.95x, batch 3.8x
	opt := Options{Floors: []Floor{
		mustFloor(t, `^Verify/.*/impl=ronkms-=0.9`),
		mustFloor(t, `^Batch/.*workers=all/impl=ronkms-zip215$=3.0x`),
	}}
	res, err := Evaluate(base, cur, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failures != 0 {
		t.Fatalf("floors met: %+v", res.Checks)
	}
	opt.Floors[1] = mustFloor(t, `^Batch/.*workers=all/impl=ronkms-zip215$=4.5`)
	res, _ = Evaluate(base, cur, opt)
	if !failed(res, "floor", ronBatch) || res.Failures != 1 {
		t.Fatalf("floor 4.5x on a 3.8x batch: %+v", res.Checks)
	}
	// A floor is checked on any machine, whatever the baseline.
	res, _ = Evaluate(synth(t, cpuB, 6, 0.02, 9, today(1, 1)), cur, opt)
	if !failed(res, "floor", ronBatch) {
		t.Fatalf("floor not checked across machines: %+v", res.Checks)
	}
	// A floor that matches nothing is a configuration error, not a pass.
	opt.Floors = []Floor{mustFloor(t, `^Sign/impl=ronkms$=1`)}
	if _, err := Evaluate(base, cur, opt); err == nil {
		t.Error("a floor matching no benchmark did not fail")
	}
}

func TestParse(t *testing.T) {
	f, err := ParseFloor(`^Batch/keys=same/n=64/workers=1/impl=ronkms-zip215$=2.5`)
	if err != nil || f.Min != 2.5 || !f.Pattern.MatchString("Batch/keys=same/n=64/workers=1/impl=ronkms-zip215") {
		t.Errorf("ParseFloor: %+v, %v", f, err)
	}
	for _, bad := range []string{"noequals", "=1", "x=abc", "x=-1", "(=1"} {
		if _, err := ParseFloor(bad); err == nil {
			t.Errorf("ParseFloor(%q): no error", bad)
		}
	}
	for in, want := range map[string]float64{"10": 0.10, "10%": 0.10, "2.5": 0.025} {
		if got, err := ParseThreshold(in); err != nil || got != want {
			t.Errorf("ParseThreshold(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseThreshold("-3"); err == nil {
		t.Error("negative threshold accepted")
	}
	if Machine(cpuA) != Machine(cpuA2) || Machine(cpuA) == Machine(cpuB) {
		t.Error("Machine does not ignore the backend field, or confuses machines")
	}
}

func TestWrite(t *testing.T) {
	base := synth(t, cpuA, 6, 0.02, 1, today(40000, 10000))
	res, _ := Evaluate(base, synth(t, cpuA, 6, 0.02, 3, today(40000, 13000)), Options{})
	var b strings.Builder
	res.Write(&b)
	out := b.String()
	for _, want := range []string{"absolute comparison", ronBatch, "FAIL: regression beyond 10%", "perf-gate: FAIL: 1 of 2 checks failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCPUUnit(t *testing.T) {
	base := synth(t, cpuA, 6, 0.02, 1, today(40000, 10000))
	// Nothing changed in the code, but other processes took a third of the
	// CPU during the whole run: wall time fails the gate (and says that
	// crypto/ed25519 moved too), CPU time does not.
	loaded := synthLoad(t, cpuA, 6, 0.02, 1.5, 2, today(40000, 10000))
	res, err := Evaluate(base, loaded, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !failed(res, "time", ronVerify) {
		t.Fatalf("wall time under load did not fail: %+v", res.Checks)
	}
	for _, c := range res.Checks {
		if c.Name == ronVerify && !strings.Contains(c.Note, "crypto/ed25519 moved") {
			t.Errorf("note %q does not point at the load", c.Note)
		}
	}
	res, _ = Evaluate(base, loaded, Options{Unit: "cpu-ns/sig"})
	if res.Failures != 0 || res.Unit != "cpu-ns/sig" {
		t.Fatalf("cpu-ns/sig under load: %+v", res.Checks)
	}
	// A real 30% slowdown under the same load: CPU time catches it.
	slow := synthLoad(t, cpuA, 6, 0.02, 1.5, 3, today(52000, 10000))
	res, _ = Evaluate(base, slow, Options{Unit: "cpu-ns/sig"})
	if !failed(res, "time", ronVerify) || failed(res, "time", ronBatch) {
		t.Fatalf("cpu-ns/sig missed a 30%% slowdown: %+v", res.Checks)
	}
	// Floors of workers=all benchmarks stay in wall time: their CPU time
	// (twice the wall time here) would hide the parallel speed-up.
	opt := Options{Unit: "cpu-ns/sig", Floors: []Floor{mustFloor(t, `workers=all/impl=ronkms-zip215$=3.5`)}}
	res, _ = Evaluate(base, synth(t, cpuA, 6, 0.02, 4, today(40000, 10000)), opt)
	if res.Failures != 0 {
		t.Fatalf("workers=all floor in cpu mode: %+v", res.Checks)
	}
	if _, err := Evaluate(base, loaded, Options{Unit: "furlongs"}); err == nil {
		t.Error("unknown unit accepted")
	}
}

func TestBusyMachineSkipsParallelWallChecks(t *testing.T) {
	base := synth(t, cpuA, 6, 0.02, 1, today(40000, 10000))
	// Other processes held the cores: every wall time 1.5x, CPU times
	// unchanged, and the parallel batch lost its speed-up (wall 20000).
	busy := synthLoad(t, cpuA, 6, 0.02, 1.5, 2, today(40000, 13333))
	opt := Options{Unit: "cpu-ns/sig", Floors: []Floor{
		mustFloor(t, `workers=all/impl=ronkms-zip215$=3.5`),
		mustFloor(t, `^Verify/.*/impl=ronkms-zip215$=0.9`),
	}}
	res, err := Evaluate(base, busy, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Busy < 0.3 || len(res.Skipped) != 1 || !strings.HasPrefix(res.Skipped[0], "floor "+ronBatch) {
		t.Fatalf("busy %.2f, skipped %v", res.Busy, res.Skipped)
	}
	// The Verify floor is still checked (in CPU time), and the parallel
	// batch's CPU time (a 33% regression in work) still fails.
	if failed(res, "floor", ronVerify) || !failed(res, "time", ronBatch) {
		t.Fatalf("checks: %+v", res.Checks)
	}
	// With the busy guard off, the parallel floor is checked and fails.
	opt.BusyLimit = -1
	res, _ = Evaluate(base, busy, opt)
	if len(res.Skipped) != 0 || !failed(res, "floor", ronBatch) {
		t.Fatalf("guard off: skipped %v, checks %+v", res.Skipped, res.Checks)
	}
	// An idle machine is not busy.
	if b, _ := Busyness(base); b > 0.05 {
		t.Errorf("idle machine busyness %.2f", b)
	}
	// The runner's measurement, when there, wins over the estimate.
	busy.Config["other-load"] = "0.02"
	opt.BusyLimit = 0
	res, _ = Evaluate(base, busy, opt)
	if res.Busy != 0.02 || len(res.Skipped) != 0 || !failed(res, "floor", ronBatch) {
		t.Fatalf("other-load 0.02: busy %v, skipped %v", res.Busy, res.Skipped)
	}
}
