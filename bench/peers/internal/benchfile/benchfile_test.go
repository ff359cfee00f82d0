package benchfile

import (
	"math"
	"strings"
	"testing"
)

const sample = `ronkms-cpu: AMD EPYC | 2 logical cores, GOMAXPROCS 2 | bmi2adx avx2 | backend edwards25519-generic | go1.26.8 linux/amd64
# go-version: go1.26.8
# count: 2
goos: linux
goarch: amd64
pkg: github.com/ronkms/ronkms/bench/peers
cpu: AMD EPYC
BenchmarkVerify/key=cold/impl=stdlib-2         	   15925	     37690 ns/op	     37690 ns/sig	     26532 sigs/s	       0 B/op	       0 allocs/op
BenchmarkVerify/key=cold/impl=ronkms-zip215-2  	   15763	     38033 ns/op	     38033 ns/sig	     26293 sigs/s	       0 B/op	       0 allocs/op
BenchmarkBatch/keys=same/n=64/workers=all/impl=ronkms-zip215   	  100	  700000 ns/op	  10937.5 ns/sig
--- BENCH: BenchmarkSomething
    some_test.go:12: a log line
PASS
goos: linux
cpu: another value is ignored
BenchmarkVerify/key=cold/impl=stdlib-2         	   15000	     40000 ns/op	     40000 ns/sig	     25000 sigs/s
BenchmarkVerify/key=cold/impl=ronkms-zip215-2  	   15000	     36000 ns/op	     36000 ns/sig	     27777 sigs/s
ok  	github.com/ronkms/ronkms/bench/peers	2.117s
# wall-time: 1m2s
# a comment that is not configuration
`

func TestParse(t *testing.T) {
	f, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Config["ronkms-cpu"]; !strings.HasPrefix(got, "AMD EPYC | 2 logical cores") {
		t.Errorf("ronkms-cpu = %q", got)
	}
	if f.Config["cpu"] != "AMD EPYC" || f.Config["wall-time"] != "1m2s" || f.Config["count"] != "2" {
		t.Errorf("config = %v", f.Config)
	}
	if len(f.Results) != 5 {
		t.Fatalf("%d results, want 5", len(f.Results))
	}
	r := f.Results[1]
	if r.Name != "Verify/key=cold/impl=ronkms-zip215" || r.Procs != 2 || r.Iters != 15763 ||
		r.Metrics["ns/sig"] != 38033 || r.Metrics["allocs/op"] != 0 {
		t.Errorf("result 1 = %+v", r)
	}
	if r := f.Results[2]; r.Name != "Batch/keys=same/n=64/workers=all/impl=ronkms-zip215" || r.Procs != 1 || r.Metrics["ns/sig"] != 10937.5 {
		t.Errorf("result 2 = %+v", r)
	}
	want := []string{"Verify/key=cold/impl=stdlib", "Verify/key=cold/impl=ronkms-zip215", "Batch/keys=same/n=64/workers=all/impl=ronkms-zip215"}
	if got := f.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Names = %v", got)
	}
	s := f.Samples("ns/sig")
	if got := s["Verify/key=cold/impl=stdlib"]; len(got) != 2 || got[0] != 37690 || got[1] != 40000 {
		t.Errorf("samples = %v", got)
	}
}

func TestParseMalformed(t *testing.T) {
	if _, err := Parse(strings.NewReader("BenchmarkX-2  10  5 ns/op 7\n")); err == nil {
		t.Error("odd value/unit fields: no error")
	}
	if _, err := Parse(strings.NewReader("BenchmarkX-2  10  five ns/op\n")); err == nil {
		t.Error("bad value: no error")
	}
	// A benchmark that printed only its name (it failed, or has sub-benchmarks).
	f, err := Parse(strings.NewReader("BenchmarkX\nBenchmarkX/a-2 \t 3 \t 4 ns/op\n"))
	if err != nil || len(f.Results) != 1 {
		t.Errorf("got %v, %v", f, err)
	}
}

func TestSplitProcs(t *testing.T) {
	for _, c := range []struct {
		in    string
		name  string
		procs int
	}{
		{"Verify/key=cold/impl=ronkms-zip215-2", "Verify/key=cold/impl=ronkms-zip215", 2},
		{"Verify/key=cold/impl=ronkms-zip215", "Verify/key=cold/impl=ronkms-zip215", 1},
		{"Sign/impl=stdlib-16", "Sign/impl=stdlib", 16},
		{"Batch/n=8-4/impl=x", "Batch/n=8-4/impl=x", 1},
		{"X-", "X-", 1},
	} {
		if name, procs := SplitProcs(c.in); name != c.name || procs != c.procs {
			t.Errorf("SplitProcs(%q) = %q, %d", c.in, name, procs)
		}
	}
}

func TestStats(t *testing.T) {
	if m := Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	if s := Spread([]float64{90, 100, 110}); math.Abs(s-0.1) > 1e-12 {
		t.Errorf("spread = %v", s)
	}
	// 100 ns for the reference, 50 ns for the implementation: twice as fast.
	if r := Ratio([]float64{100, 101, 99}, []float64{50, 49, 51}); r != 2 {
		t.Errorf("ratio = %v", r)
	}
	if !math.IsNaN(Ratio(nil, []float64{1})) {
		t.Error("ratio without reference is not NaN")
	}
	if p := PairedRatios([]float64{10, 20, 30}, []float64{5, 10}); len(p) != 2 || p[0] != 2 || p[1] != 2 {
		t.Errorf("paired = %v", p)
	}
}

func TestUTest(t *testing.T) {
	a := []float64{100, 101, 99, 100.5, 99.5, 100.2}
	b := []float64{130, 131, 129, 130.5, 129.5, 130.2}
	// Completely separated samples of 6 and 6: the smallest two-sided p,
	// 2/C(12,6) = 0.00216, as benchstat prints.
	if p := UTest(a, b); math.Abs(p-0.0021645) > 1e-6 {
		t.Errorf("p = %v, want 0.0021645", p)
	}
	if p := UTest(a, a); p < 0.5 {
		t.Errorf("identical samples: p = %v", p)
	}
	if p := UTest([]float64{1}, nil); p != 1 {
		t.Errorf("empty sample: p = %v", p)
	}
}
