// Package runner runs the peer benchmarks in interleaved rounds and writes
// their raw output, with a header, in the format benchstat reads.
//
// The test binary is built once, then every round runs each group of
// benchmarks once (-test.count=1): round i of every benchmark is measured
// within minutes of round i of every other, so load that comes and goes on a
// shared machine hits all implementations alike, and per-round ratios can be
// paired.
package runner

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ronkms/ronkms"
)

// Group is one go test invocation per round.
type Group struct {
	Name      string
	Bench     string // -test.bench regexp
	Benchtime string // -test.benchtime
}

// Batch sizes: the default profile keeps make bench-peers under ten minutes
// on a 2-core machine at -count 6; FULL=1 runs every size of the issue.
const (
	DefaultSizes = "8|64|512|1024"
	FullSizes    = "8|32|64|128|256|512|1024"
	GateSizes    = "64|512"
)

// Profile returns the groups of a named profile: "default", "full" (every
// batch size) or "gate" (the gated set: ronkms and its crypto/ed25519
// references only). single is the -benchtime of Sign and Verify, batch that
// of the batches.
func Profile(name, single, batch string) ([]Group, error) {
	switch name {
	case "default", "full":
		sizes := DefaultSizes
		if name == "full" {
			sizes = FullSizes
		}
		return []Group{
			{"sign+verify", "^(BenchmarkSign|BenchmarkVerify)$", single},
			{"batch", "^BenchmarkBatch$/^keys=/^n=(" + sizes + ")$", batch},
		}, nil
	case "gate":
		return []Group{
			{"sign", "^BenchmarkSign$/^impl=(stdlib|ronkms)$", single},
			{"verify", "^BenchmarkVerify$/^key=/^impl=(stdlib|ronkms-.*)$", single},
			{"batch", "^BenchmarkBatch$/^keys=/^n=(" + GateSizes + ")$/^workers=/^impl=(stdlib|ronkms-.*)$", batch},
		}, nil
	}
	return nil, fmt.Errorf("unknown profile %q (want default, full or gate)", name)
}

// Config describes one run.
type Config struct {
	PkgDir   string // the bench/peers directory
	Count    int    // rounds
	Profile  string
	Groups   []Group
	Out      string    // raw output file, created or truncated
	Progress io.Writer // one line per group per round; nil for none

	// GODEBUG, if not empty, is set on the benchmark binary's runs, and
	// only there (never on the go command, whose compiler warns about
	// cpu.* options it does not know, a warning the build cache then
	// replays): "cpu.avx512ifma=off" measures the AVX2 path.
	GODEBUG string
}

// Header returns the lines written at the top of every raw output file and
// baseline. The CPU line is a benchstat configuration line (results from
// different machines land in different benchstat tables); the rest is
// metadata in "# key: value" comments, which benchstat ignores, so that runs
// of different dates and counts compare in one table.
//
// cpu is the CPU line of the benchmark binary (CPULine); "" uses this
// process's, which is the same unless GODEBUG differs.
func Header(count int, profile string, groups []Group, cpu, godebug string) []string {
	if cpu == "" {
		cpu = ronkms.DescribeCPU()
	}
	h := []string{
		"ronkms-cpu: " + cpu,
		"# go-version: " + runtime.Version(),
		"# date: " + time.Now().UTC().Format(time.RFC3339),
		fmt.Sprintf("# count: %d", count),
		"# profile: " + profile,
	}
	var bt []string
	for _, g := range groups {
		bt = append(bt, g.Name+"="+g.Benchtime)
	}
	h = append(h, "# benchtime: "+strings.Join(bt, " "))
	if godebug != "" {
		h = append(h, "# godebug: "+godebug)
	}
	if c := gitCommit(); c != "" {
		h = append(h, "# ronkms-commit: "+c)
	}
	if f := os.Getenv("RONKMS_BENCH_INJECT_SLOWDOWN"); f != "" {
		m := os.Getenv("RONKMS_BENCH_INJECT_MATCH")
		if m == "" {
			m = "impl=ronkms"
		}
		h = append(h, "# inject-slowdown: "+f+" on "+m)
	}
	return h
}

// Run builds the test binary, runs cfg.Count rounds and writes the raw
// output to cfg.Out. It returns the wall time of the rounds.
func Run(cfg Config) (time.Duration, error) {
	if cfg.Count < 1 {
		return 0, fmt.Errorf("count must be at least 1")
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	tmp, err := os.MkdirTemp("", "ronkms-peers-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "peers.test")
	fmt.Fprintf(progress, "building the peer benchmarks in %s\n", cfg.PkgDir)
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Dir = cfg.PkgDir
	build.Env = envWithout(os.Environ(), "GODEBUG")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("building the benchmarks: %w", err)
	}

	if dir := filepath.Dir(cfg.Out); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
	}
	out, err := os.Create(cfg.Out)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	runEnv := envWithout(os.Environ(), "GODEBUG")
	if cfg.GODEBUG != "" {
		runEnv = append(runEnv, "GODEBUG="+cfg.GODEBUG)
	}
	cpu, err := CPULine(bin, cfg.PkgDir, runEnv)
	if err != nil {
		return 0, err
	}
	for _, l := range Header(cfg.Count, cfg.Profile, cfg.Groups, cpu, cfg.GODEBUG) {
		fmt.Fprintln(w, l)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}

	// other accumulates the CPU time other processes used during the
	// benchmarks: the machine's busy time minus the benchmark process's.
	var other, capacity float64
	haveLoad := true
	start := time.Now()
	for round := 1; round <= cfg.Count; round++ {
		for _, g := range cfg.Groups {
			t0 := time.Now()
			cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", g.Bench,
				"-test.benchtime", g.Benchtime, "-test.count", "1", "-test.timeout", "0")
			cmd.Dir = cfg.PkgDir
			cmd.Env = runEnv
			var buf strings.Builder
			cmd.Stdout = &buf
			cmd.Stderr = &buf
			busy0, total0, ok0 := cpuTimes()
			err := cmd.Run()
			busy1, total1, ok1 := cpuTimes()
			if ok0 && ok1 && cmd.ProcessState != nil {
				own := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
				other += max(0, busy1-busy0-own)
				capacity += total1 - total0
			} else {
				haveLoad = false
			}
			if _, werr := io.WriteString(w, buf.String()); werr != nil {
				return 0, werr
			}
			if ferr := w.Flush(); ferr != nil {
				return 0, ferr
			}
			if err != nil {
				return 0, fmt.Errorf("round %d, %s: %w\n%s", round, g.Name, err, tail(buf.String(), 20))
			}
			fmt.Fprintf(progress, "round %d/%d %-12s %6.1fs  (elapsed %s)\n", round, cfg.Count, g.Name,
				time.Since(t0).Seconds(), time.Since(start).Round(time.Second))
		}
	}
	wall := time.Since(start)
	fmt.Fprintf(w, "# wall-time: %s\n", wall.Round(time.Second))
	if haveLoad && capacity > 0 {
		// The share of the machine's CPU capacity that other processes
		// took during the run: 0 on an idle machine.
		fmt.Fprintf(w, "# other-load: %.3f\n", other/capacity)
		fmt.Fprintf(progress, "other processes took %.0f%% of the machine's CPU time during the run\n", 100*other/capacity)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return wall, out.Close()
}

// gitCommit names the commit of the working tree the benchmarks are built
// from, with "+dirty" when files differ from it; "" outside a git checkout.
// It only reads the repository.
func gitCommit() string {
	rev, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(rev))
	if st, err := exec.Command("git", "status", "--porcelain").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += "+dirty"
	}
	return c
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// CPULine runs the benchmark binary bin with env to ask for its CPU line
// (ronkms.DescribeCPU as the benchmarks see it: under GODEBUG's switches).
func CPULine(bin, dir string, env []string) (string, error) {
	cmd := exec.Command(bin, "-test.run", "^$")
	cmd.Dir = dir
	cmd.Env = append(env, PrintCPUEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("asking the benchmarks for their CPU line: %w", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if c, ok := strings.CutPrefix(l, "ronkms-cpu: "); ok {
			return strings.TrimSpace(c), nil
		}
	}
	return "", fmt.Errorf("the benchmark binary printed no ronkms-cpu line")
}

// PrintCPUEnv, set to 1, makes the benchmark binary print its CPU line and
// exit (TestMain in bench/peers).
const PrintCPUEnv = "RONKMS_PEERS_PRINT_CPU"

// envWithout returns env without the variable key.
func envWithout(env []string, key string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}
