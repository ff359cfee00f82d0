// Command gate records benchmark baselines and checks new runs against them:
// the programs behind make bench-save and make perf-gate.
//
//	go run ./gate save  -name NAME [-count 6]
//	go run ./gate check -baseline NAME [-threshold 10] [-floor REGEXP=MIN ...] [-count 6]
//	go run ./gate check -baseline NAME -current FILE ...   # no run: check a saved run
//
// Both run the gated set (ronkms's Sign, Verify and Batch n=64 and 512
// benchmarks with their crypto/ed25519 references) in interleaved rounds.
// save writes ../baselines/NAME.txt: raw go test -bench output (benchstat
// reads it) under a header with the CPU line of ronkms.DescribeCPU, the Go
// version, the date and the count. check exits 1 when a check fails; see
// package internal/gate for the rules.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ronkms/ronkms/bench/peers/internal/benchfile"
	"github.com/ronkms/ronkms/bench/peers/internal/gate"
	"github.com/ronkms/ronkms/bench/peers/internal/runner"
)

type floorList []gate.Floor

func (f *floorList) String() string { return fmt.Sprint(len(*f), " floors") }
func (f *floorList) Set(s string) error {
	fl, err := gate.ParseFloor(s)
	if err != nil {
		return err
	}
	*f = append(*f, fl)
	return nil
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "save":
		save(os.Args[2:])
	case "check":
		os.Exit(check(os.Args[2:]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gate save -name NAME [-count N] | gate check -baseline NAME [-threshold PCT] [-floor REGEXP=MIN]... [-current FILE]")
	os.Exit(2)
}

func baselinePath(dir, name string) string {
	if !validName.MatchString(name) {
		fatal(fmt.Errorf("baseline name %q: use letters, digits, '.', '_' and '-'", name))
	}
	return filepath.Join(dir, name+".txt")
}

func runGated(count int, benchtime, batchtime, out string) {
	groups, err := runner.Profile("gate", benchtime, batchtime)
	fatal(err)
	wall, err := runner.Run(runner.Config{PkgDir: ".", Count: count, Profile: "gate", Groups: groups, Out: out, Progress: os.Stderr})
	fatal(err)
	fmt.Fprintf(os.Stderr, "gated benchmarks done in %s\n", wall.Round(time.Second))
}

func save(args []string) {
	fs := flag.NewFlagSet("save", flag.ExitOnError)
	name := fs.String("name", "", "baseline name (required)")
	dir := fs.String("dir", "../baselines", "baseline directory")
	count := fs.Int("count", 6, "rounds")
	benchtime := fs.String("benchtime", "0.4s", "go test -benchtime of Sign and Verify")
	batchtime := fs.String("batchtime", "0.3s", "go test -benchtime of the batches")
	from := fs.String("from", "", "save this existing run instead of running the benchmarks")
	fs.Parse(args)
	if *name == "" {
		fatal(fmt.Errorf("save: -name is required (make bench-save BASELINE=name)"))
	}
	path := baselinePath(*dir, *name)
	if *from != "" {
		data, err := os.ReadFile(*from)
		fatal(err)
		fatal(os.MkdirAll(*dir, 0o755))
		fatal(os.WriteFile(path, data, 0o644))
	} else {
		runGated(*count, *benchtime, *batchtime, path)
	}
	f, err := benchfile.ReadFile(path)
	fatal(err)
	fmt.Printf("saved %s: %d results\n  cpu:  %s\n  go:   %s\n  date: %s\n", path, len(f.Results),
		f.Config["ronkms-cpu"], f.Config["go-version"], f.Config["date"])
}

func check(args []string) int {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	name := fs.String("baseline", "", "baseline name (required)")
	dir := fs.String("dir", "../baselines", "baseline directory")
	count := fs.Int("count", 6, "rounds")
	benchtime := fs.String("benchtime", "0.4s", "go test -benchtime of Sign and Verify")
	batchtime := fs.String("batchtime", "0.3s", "go test -benchtime of the batches")
	unit := fs.String("unit", "ns/sig", "metric gated: ns/sig (wall) or cpu-ns/sig (process CPU time; steadier on a shared machine)")
	threshold := fs.String("threshold", "10", "regression threshold, percent")
	alpha := fs.Float64("alpha", 0.05, "significance level of the U test")
	mode := fs.String("mode", "auto", "auto, absolute or ratio")
	busyLimit := fs.Float64("busy-limit", 0.10, "share of the machine's CPU time taken by other processes above which parallel wall-time checks are skipped (negative: never skip)")
	current := fs.String("current", "", "check this existing run instead of running the benchmarks")
	out := fs.String("out", "out/gate-current.txt", "where the current run is written")
	var floors floorList
	fs.Var(&floors, "floor", "REGEXP=MIN: the gated benchmarks matching REGEXP must be at least MIN times as fast as crypto/ed25519 (repeatable)")
	fs.Parse(args)
	if *name == "" {
		fatal(fmt.Errorf("check: -baseline is required (make perf-gate BASELINE=name)"))
	}
	th, err := gate.ParseThreshold(*threshold)
	fatal(err)
	path := baselinePath(*dir, *name)
	base, err := benchfile.ReadFile(path)
	if os.IsNotExist(err) {
		fatal(fmt.Errorf("no baseline %s: record one with make bench-save BASELINE=%s", path, *name))
	}
	fatal(err)
	curPath := *current
	if curPath == "" {
		runGated(*count, *benchtime, *batchtime, *out)
		curPath = *out
	}
	cur, err := benchfile.ReadFile(curPath)
	fatal(err)
	res, err := gate.Evaluate(base, cur, gate.Options{Threshold: th, Alpha: *alpha, Floors: floors, Mode: *mode, Unit: *unit, BusyLimit: *busyLimit})
	fatal(err)
	fmt.Printf("baseline %s (%s, %s, commit %s)\ncurrent  %s (%s, %s, commit %s)\n",
		path, base.Config["date"], base.Config["go-version"], orDash(base.Config["ronkms-commit"]),
		curPath, cur.Config["date"], cur.Config["go-version"], orDash(cur.Config["ronkms-commit"]))
	fmt.Printf("threshold %s%%, alpha %g, %d floors\n", strings.TrimSuffix(*threshold, "%"), *alpha, len(floors))
	res.Write(os.Stdout)
	if res.Failures > 0 {
		return 1
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fatal(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gate:", err)
		os.Exit(2)
	}
}
