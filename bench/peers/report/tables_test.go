package main

import (
	"math"
	"strings"
	"testing"

	"github.com/ronkms/ronkms/bench/peers/internal/benchfile"
)

// Two rounds of a small run, with round-to-round noise, in runner order.
const raw = `ronkms-cpu: AMD EPYC | 2 logical cores, GOMAXPROCS 2 | bmi2adx avx2 | backend edwards25519-generic | go1.26.8 linux/amd64
go-version: go1.26.8
date: 2026-01-01T00:00:00Z
count: 3
BenchmarkSign/impl=stdlib-2 	 100 	 30000 ns/op 	 30000 ns/sig
BenchmarkSign/impl=ronkms-2 	 100 	 20000 ns/op 	 20000 ns/sig
BenchmarkVerify/key=cold/impl=stdlib-2 	 100 	 40000 ns/op 	 40000 ns/sig
BenchmarkVerify/key=cold/impl=voi-2 	 100 	 20000 ns/op 	 20000 ns/sig
BenchmarkVerify/key=cold/impl=circl-2 	 100 	 40000 ns/op 	 40000 ns/sig
BenchmarkVerify/key=cold/impl=ronkms-stdlib-2 	 100 	 50000 ns/op 	 50000 ns/sig
BenchmarkVerify/key=cold/impl=ronkms-zip215-2 	 100 	 80000 ns/op 	 80000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=1/impl=stdlib-2 	 10 	 2560000 ns/op 	 40000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=1/impl=consensus-2 	 10 	 1280000 ns/op 	 20000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=1/impl=ronkms-zip215-2 	 10 	 640000 ns/op 	 10000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=all/impl=ronkms-zip215-2 	 10 	 320000 ns/op 	 5000 ns/sig
BenchmarkSign/impl=stdlib-2 	 100 	 31000 ns/op 	 31000 ns/sig
BenchmarkSign/impl=ronkms-2 	 100 	 20000 ns/op 	 20000 ns/sig
BenchmarkVerify/key=cold/impl=stdlib-2 	 100 	 40000 ns/op 	 40000 ns/sig
BenchmarkVerify/key=cold/impl=voi-2 	 100 	 20000 ns/op 	 20000 ns/sig
BenchmarkVerify/key=cold/impl=circl-2 	 100 	 40000 ns/op 	 40000 ns/sig
BenchmarkVerify/key=cold/impl=ronkms-stdlib-2 	 100 	 50000 ns/op 	 50000 ns/sig
BenchmarkVerify/key=cold/impl=ronkms-zip215-2 	 100 	 80000 ns/op 	 80000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=1/impl=stdlib-2 	 10 	 2560000 ns/op 	 40000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=1/impl=consensus-2 	 10 	 1280000 ns/op 	 20000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=1/impl=ronkms-zip215-2 	 10 	 640000 ns/op 	 10000 ns/sig
BenchmarkBatch/keys=same/n=64/workers=all/impl=ronkms-zip215-2 	 10 	 320000 ns/op 	 5000 ns/sig
BenchmarkSign/impl=stdlib-2 	 100 	 29000 ns/op 	 29000 ns/sig
BenchmarkSign/impl=ronkms-2 	 100 	 20000 ns/op 	 20000 ns/sig
`

func parse(t *testing.T) []Table {
	t.Helper()
	f, err := benchfile.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return BuildTables(f, "ns/sig")
}

func row(t *testing.T, tables []Table, workload, impl string) Row {
	t.Helper()
	for _, tb := range tables {
		if tb.Workload != workload {
			continue
		}
		for _, r := range tb.Rows {
			if r.Impl == impl {
				return r
			}
		}
	}
	t.Fatalf("no row %s in %s", impl, workload)
	return Row{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestTables(t *testing.T) {
	tables := parse(t)
	var order []string
	for _, tb := range tables {
		order = append(order, tb.Workload)
	}
	want := "Sign,Verify/key=cold,Batch/keys=same/n=64/workers=1,Batch/keys=same/n=64/workers=all"
	if got := strings.Join(order, ","); got != want {
		t.Fatalf("workload order %s, want %s", got, want)
	}

	// Sign: median of 30000, 31000, 29000 is 30000; ronkms 20000: 1.5x.
	if r := row(t, tables, "Sign", "ronkms"); !near(r.VsStdlib, 1.5) || r.RonkmsAs != "ronkms" || !near(r.VsRonkms, 1) || r.Samples != 3 {
		t.Errorf("Sign ronkms: %+v", r)
	}
	if r := row(t, tables, "Sign", "stdlib"); !near(r.NsPerSig, 30000) || !near(r.VsRonkms, 20000.0/30000) {
		t.Errorf("Sign stdlib: %+v", r)
	}

	// voi (voi-default rules) is compared with ronkms-zip215, the nearest
	// family, and flagged as not exact; circl with ronkms-stdlib.
	voi := row(t, tables, "Verify/key=cold", "voi")
	if !near(voi.VsStdlib, 2) || voi.RonkmsAs != "ronkms-zip215" || voi.Exact || !near(voi.VsRonkms, 4) {
		t.Errorf("voi: %+v", voi)
	}
	circl := row(t, tables, "Verify/key=cold", "circl")
	if circl.RonkmsAs != "ronkms-stdlib" || !near(circl.VsRonkms, 1.25) || circl.Rules != "circl" {
		t.Errorf("circl: %+v", circl)
	}
	if r := row(t, tables, "Verify/key=cold", "ronkms-stdlib"); !near(r.VsStdlib, 0.8) || !r.Exact {
		t.Errorf("ronkms-stdlib: %+v", r)
	}

	// Batches: per-signature ratios against the stdlib loop of the same
	// batch; workers=all uses the workers=1 stdlib loop, and shows the
	// peers' one-goroutine rows.
	if r := row(t, tables, "Batch/keys=same/n=64/workers=1", "consensus"); !near(r.VsStdlib, 2) || !near(r.VsRonkms, 0.5) {
		t.Errorf("consensus: %+v", r)
	}
	par := row(t, tables, "Batch/keys=same/n=64/workers=all", "ronkms-zip215")
	if !near(par.VsStdlib, 8) || par.OneCore || !near(par.VsRonkms, 1) {
		t.Errorf("parallel ronkms: %+v", par)
	}
	cons := row(t, tables, "Batch/keys=same/n=64/workers=all", "consensus")
	if !cons.OneCore || !near(cons.VsStdlib, 2) || !near(cons.VsRonkms, 0.25) {
		t.Errorf("consensus in the workers=all table: %+v", cons)
	}
}

func TestPivotsAndOutput(t *testing.T) {
	tables := parse(t)
	pivots := BuildPivots(tables)
	if len(pivots) != 3 {
		t.Fatalf("%d pivots", len(pivots))
	}
	if v := pivots[1].Cells["ronkms-zip215"]["Batch/keys=same/n=64/workers=1"]; !near(v, 4) {
		t.Errorf("pivot cell %v", v)
	}
	f, _ := benchfile.Parse(strings.NewReader(raw))
	var text, md strings.Builder
	Write(&text, f, "x.txt", "ns/sig", false, false)
	Write(&md, f, "x.txt", "ns/sig", true, false)
	for _, want := range []string{"CPU: AMD EPYC", "4.00x vs ronkms-zip215 (nearest)", "consensus *", "1.50x", "ZIP215"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if !strings.Contains(md.String(), "| impl | rules | ns/sig |") || !strings.Contains(md.String(), "---:") {
		t.Errorf("markdown report:\n%s", md.String())
	}
}
