// Command report runs the peer benchmarks (with -run) and prints one table
// per workload: each implementation's median ns/sig, its speed relative to
// crypto/ed25519 and to the ronkms mode of the same rules, and the rules it
// applies; then summary tables of the speed-ups.
//
//	go run ./report -run -count 6 -out out/peers.txt   # make bench-peers
//	go run ./report -in out/peers.txt -md               # Markdown, for the README
//
// The raw output file is also benchstat input: benchstat out/peers.txt.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ronkms/ronkms/bench/peers"
	"github.com/ronkms/ronkms/bench/peers/internal/benchfile"
	"github.com/ronkms/ronkms/bench/peers/internal/runner"
)

func main() {
	var (
		doRun     = flag.Bool("run", false, "run the benchmarks first, writing -out")
		count     = flag.Int("count", 6, "rounds (samples per benchmark), with -run")
		full      = flag.Bool("full", false, "every batch size (8 to 1024), with -run")
		benchtime = flag.String("benchtime", "0.4s", "go test -benchtime of Sign and Verify, with -run")
		batchtime = flag.String("batchtime", "0.3s", "go test -benchtime of the batches, with -run")
		unit      = flag.String("unit", peers.WallUnit, "metric of the ratios: ns/sig (wall time) or cpu-ns/sig (process CPU time, steadier on a shared machine; workers=all stays in wall time)")
		out       = flag.String("out", "out/peers.txt", "raw output file written by -run")
		in        = flag.String("in", "", "raw output file to report on (default: -out)")
		markdown  = flag.Bool("md", false, "print Markdown tables")
		summary   = flag.Bool("summary", false, "print only the header and the summary tables")
		godebug   = flag.String("godebug", "", "GODEBUG for the benchmark runs only, with -run (cpu.avx512ifma=off: the AVX2 path)")
	)
	flag.Parse()
	if *doRun {
		profile := "default"
		if *full {
			profile = "full"
		}
		groups, err := runner.Profile(profile, *benchtime, *batchtime)
		check(err)
		wall, err := runner.Run(runner.Config{
			PkgDir: ".", Count: *count, Profile: profile, Groups: groups,
			Out: *out, Progress: os.Stderr, GODEBUG: *godebug,
		})
		check(err)
		fmt.Fprintf(os.Stderr, "benchmarks done in %s; raw output in %s\n\n", wall.Round(time.Second), *out)
	}
	path := *in
	if path == "" {
		path = *out
	}
	f, err := benchfile.ReadFile(path)
	check(err)
	if len(f.Results) == 0 {
		check(fmt.Errorf("%s: no benchmark results", path))
	}
	if *unit != peers.WallUnit && *unit != peers.CPUUnit {
		check(fmt.Errorf("-unit %q: want %s or %s", *unit, peers.WallUnit, peers.CPUUnit))
	}
	Write(os.Stdout, f, path, *unit, *markdown, *summary)
}

// Write prints the whole report.
func Write(w io.Writer, f *benchfile.File, path, unit string, markdown, summaryOnly bool) {
	tables := BuildTables(f, unit)
	writeHeader(w, f, path, markdown)
	if !summaryOnly {
		writeRules(w, markdown)
	}
	for _, p := range BuildPivots(tables) {
		WritePivot(w, p, markdown)
	}
	if summaryOnly {
		return
	}
	for _, t := range tables {
		WriteTable(w, t, markdown)
	}
}

func writeHeader(w io.Writer, f *benchfile.File, path string, markdown bool) {
	c := f.Config
	lines := []string{
		"CPU: " + orDash(c["ronkms-cpu"]),
		"Go: " + orDash(c["go-version"]) + "; date: " + orDash(c["date"]) + "; ronkms commit: " + orDash(c["ronkms-commit"]),
		fmt.Sprintf("rounds: %s (profile %s, benchtime %s), wall time %s", orDash(c["count"]), orDash(c["profile"]), orDash(c["benchtime"]), orDash(c["wall-time"])),
		"other processes' share of the machine during the run: " + loadPct(c["other-load"]),
		"raw output: " + path + " (benchstat reads it as is)",
	}
	if s := c["inject-slowdown"]; s != "" {
		lines = append(lines, "WARNING: injected slowdown "+s+" (a gate self-test run, not a measurement)")
	}
	if markdown {
		for _, l := range lines {
			fmt.Fprintf(w, "- %s\n", l)
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, "ronkms peer benchmarks")
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ns/sig is the median wall time per signature over the rounds, cpu-ns/sig the median process CPU time per")
	fmt.Fprintln(w, "signature (all threads: for workers=all the total work, not the latency); when cpu-ns/sig is well below")
	fmt.Fprintln(w, "ns/sig on a one-goroutine row, other processes took the CPU. ± is half the range of the rounds over the")
	fmt.Fprintln(w, "median, in the ratio unit named in each title; sigs/s = 1e9 / ns/sig.")
	fmt.Fprintln(w, "vs crypto/ed25519 = crypto/ed25519's ns/sig / this ns/sig (Sign: vs crypto/ed25519.Sign; batches: vs a")
	fmt.Fprintln(w, "one-goroutine loop of crypto/ed25519.Verify over the same batch). vs ronkms = the ns/sig of the ronkms mode")
	fmt.Fprintln(w, "of the same rules / this ns/sig: above 1.00x the peer is faster than ronkms. (nearest) marks rules that are")
	fmt.Fprintln(w, "not exactly a ronkms mode. Compare speeds within one rule family: the rules decide what a verifier may skip.")
	fmt.Fprintln(w)
}

func writeRules(w io.Writer, markdown bool) {
	rows := [][]string{{"impl", "rules", "what runs"}}
	for _, im := range peers.Impls {
		rows = append(rows, []string{im.Name, im.Rules, im.Note})
	}
	sets := [][]string{{"rules", "compared with", "definition"}}
	for _, r := range peers.RuleSets {
		cmp := "ronkms-" + r.Family
		if !r.Exact {
			cmp += " (nearest)"
		}
		sets = append(sets, []string{r.Name, cmp, r.Desc})
	}
	if markdown {
		fmt.Fprintln(w, "**Verification rules of each implementation** (checked by TestPeerRules on crafted signatures)")
		fmt.Fprintln(w)
		writeMarkdown(w, rows, 99)
		writeMarkdown(w, sets, 99)
		return
	}
	fmt.Fprintln(w, "Verification rules of each implementation (checked by TestPeerRules on crafted signatures)")
	writeText(w, rows, 99)
	writeText(w, sets, 99)
	fmt.Fprintln(w, "Threads: every peer runs single-threaded (none has a parallel batch API and the harness does not split")
	fmt.Fprintln(w, "their batches); only ronkms uses workers=all. "+strings.TrimSpace(`
voi's BatchVerifier.Add expands each key (a table per key, on every Add) while the batch has fewer than 94
entries; in larger batches those 94 expansions go unused. Its batch verifies every entry serially
when the equation fails. ed25519consensus returns one bool per batch, no per-item verdicts.`))
	fmt.Fprintln(w)
}

func loadPct(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "-"
	}
	note := " (workers=all rows need an idle machine)"
	if v < 0.05 {
		note = ""
	}
	return fmt.Sprintf("%.0f%%%s", 100*v, note)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}
