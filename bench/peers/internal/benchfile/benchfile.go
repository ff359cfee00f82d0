// Package benchfile reads the raw output of go test -bench (the format that
// benchstat reads) as written by the peer runner, and provides the statistics
// the report and the performance gate need: medians, spreads, ratios and the
// Mann-Whitney U test that benchstat applies (go-moremath's, the same
// function benchstat calls, so a change this package calls significant is one
// benchstat calls significant at the same alpha).
package benchfile

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/aclements/go-moremath/stats"
)

// Result is one benchmark result line.
type Result struct {
	Name    string // without the "Benchmark" prefix and the -GOMAXPROCS suffix
	Procs   int    // the -N suffix, 1 when absent
	Iters   int
	Metrics map[string]float64 // unit -> value, e.g. "ns/op", "ns/sig", "sigs/s"
}

// File is a parsed benchmark output file.
type File struct {
	// Config holds the "key: value" configuration lines (goos, cpu, the
	// runner's ronkms-cpu) and the runner's "# key: value" metadata lines
	// (go-version, date, count, wall-time, other-load...). A key seen more
	// than once keeps its first value.
	Config  map[string]string
	Results []Result
}

// ReadFile parses the file at path.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := Parse(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Parse reads go test -bench output. Lines that are neither configuration
// nor benchmark results (PASS, ok, log output) are ignored; a malformed
// result line is an error.
func Parse(r io.Reader) (*File, error) {
	f := &File{Config: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "Benchmark") {
			res, ok, err := parseResult(text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if ok {
				f.Results = append(f.Results, res)
			}
			continue
		}
		// "# key: value" lines carry run metadata (date, count, load...)
		// that benchstat must not see as configuration: files with
		// different dates would land in different benchstat tables.
		if k, v, ok := parseConfig(strings.TrimPrefix(text, "# ")); ok {
			if _, seen := f.Config[k]; !seen {
				f.Config[k] = v
			}
		}
	}
	return f, sc.Err()
}

// parseConfig recognizes a configuration line as benchstat does: a key that
// starts with a lower-case letter and has no space or upper-case letter,
// then ": ".
func parseConfig(text string) (key, value string, ok bool) {
	i := strings.Index(text, ":")
	if i <= 0 || !unicode.IsLower(rune(text[0])) {
		return "", "", false
	}
	key = text[:i]
	for _, c := range key {
		if unicode.IsSpace(c) || unicode.IsUpper(c) {
			return "", "", false
		}
	}
	rest := text[i+1:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", "", false
	}
	return key, strings.TrimSpace(rest), true
}

// parseResult parses "BenchmarkX/a=b-2  <iters>  <value> <unit> ...". A line
// starting with Benchmark that has no iteration count (a benchmark that only
// printed its name, or a log line) is skipped (ok false).
func parseResult(text string) (Result, bool, error) {
	fields := strings.Fields(text)
	if len(fields) < 2 {
		return Result{}, false, nil
	}
	iters, err := strconv.Atoi(fields[1])
	if err != nil {
		return Result{}, false, nil
	}
	if (len(fields)-2)%2 != 0 || len(fields) < 4 {
		return Result{}, false, fmt.Errorf("malformed benchmark line %q", text)
	}
	name, procs := SplitProcs(strings.TrimPrefix(fields[0], "Benchmark"))
	res := Result{Name: name, Procs: procs, Iters: iters, Metrics: map[string]float64{}}
	for i := 2; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return Result{}, false, fmt.Errorf("bad value %q in %q", fields[i], text)
		}
		res.Metrics[fields[i+1]] = v
	}
	return res, true, nil
}

// SplitProcs removes the -GOMAXPROCS suffix that go test appends to a
// benchmark name when GOMAXPROCS > 1.
func SplitProcs(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 || strings.LastIndexByte(name, '/') > i {
		return name, 1
	}
	p, err := strconv.Atoi(name[i+1:])
	if err != nil || p < 1 {
		return name, 1
	}
	return name[:i], p
}

// Names returns the benchmark names in order of first appearance.
func (f *File) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range f.Results {
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r.Name)
		}
	}
	return out
}

// Samples returns, for each benchmark name, its values of unit in file order.
// The runner runs every benchmark once per round, so value i of every
// benchmark comes from round i: samples of two benchmarks can be paired.
func (f *File) Samples(unit string) map[string][]float64 {
	out := map[string][]float64{}
	for _, r := range f.Results {
		if v, ok := r.Metrics[unit]; ok {
			out[r.Name] = append(out[r.Name], v)
		}
	}
	return out
}

// Median returns the median of xs (NaN for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Spread returns half the range of xs relative to their median: a
// conservative, simple stand-in for benchstat's ± column.
func Spread(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return (hi - lo) / 2 / Median(xs)
}

// Ratio returns median(num)/median(den): with num the reference's ns/sig and
// den an implementation's, the implementation's speed relative to the
// reference (2 = twice as fast). NaN when either is missing.
func Ratio(num, den []float64) float64 {
	if len(num) == 0 || len(den) == 0 {
		return math.NaN()
	}
	return Median(num) / Median(den)
}

// PairedRatios returns num[i]/den[i] for the rounds both samples have.
func PairedRatios(num, den []float64) []float64 {
	n := min(len(num), len(den))
	out := make([]float64, n)
	for i := range n {
		out[i] = num[i] / den[i]
	}
	return out
}

// UTest returns the two-sided Mann-Whitney U test p-value of samples a and b,
// exactly as benchstat computes it; 1 when the test cannot be run (too few
// samples, or all values equal).
func UTest(a, b []float64) float64 {
	res, err := stats.MannWhitneyUTest(a, b, stats.LocationDiffers)
	if err != nil {
		return 1
	}
	return res.P
}
