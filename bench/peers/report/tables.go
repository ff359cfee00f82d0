package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ronkms/ronkms/bench/peers"
	"github.com/ronkms/ronkms/bench/peers/internal/benchfile"
)

// Row is one implementation in one workload table.
type Row struct {
	Impl     string
	Rules    string
	NsPerSig float64 // median wall ns/sig
	CPUNs    float64 // median cpu-ns/sig (NaN when not measured)
	Spread   float64 // half range / median, in the ratio unit
	Samples  int
	VsStdlib float64 // stdlib ns/sig / this ns/sig (NaN if no reference)
	VsRonkms float64 // ronkms (same family) ns/sig / this ns/sig
	RonkmsAs string  // the ronkms implementation VsRonkms refers to
	Exact    bool    // Rules are exactly those of RonkmsAs
	OneCore  bool    // a peer row of a workers=all table: its workers=1 run
}

// Table is one workload.
type Table struct {
	Workload string // e.g. "Batch/keys=same/n=64/workers=1"
	Unit     string // the metric of the ratio columns
	Rows     []Row
}

// BuildTables groups the results of f by workload, in report order. The
// ratios are computed in unit (peers.WallUnit or peers.CPUUnit; see
// peers.RatioUnit).
func BuildTables(f *benchfile.File, unit string) []Table {
	wall, cpu := f.Samples(peers.WallUnit), f.Samples(peers.CPUUnit)
	samples := wall
	byWorkload := map[string][]string{} // workload -> impls measured
	for _, name := range f.Names() {
		w, impl, ok := peers.SplitName(name)
		if !ok || samples[name] == nil {
			continue
		}
		byWorkload[w] = append(byWorkload[w], impl)
	}
	var workloads []string
	for w := range byWorkload {
		workloads = append(workloads, w)
	}
	sort.Slice(workloads, func(i, j int) bool { return workloadLess(workloads[i], workloads[j]) })

	var tables []Table
	for _, w := range workloads {
		impls := byWorkload[w]
		parallelTable := strings.Contains(w, "/workers=all")
		if parallelTable {
			// The peers have no parallel batch: show their one-goroutine
			// runs beside ronkms's parallel ones.
			have := map[string]bool{}
			for _, im := range impls {
				have[im] = true
			}
			for _, im := range byWorkload[peers.WorkersOne(w)] {
				if !have[im] {
					impls = append(impls, im)
				}
			}
		}
		sort.Slice(impls, func(i, j int) bool { return implIndex(impls[i]) < implIndex(impls[j]) })
		t := Table{Workload: w, Unit: peers.RatioUnit(w, unit)}
		rs := wall
		if t.Unit == peers.CPUUnit {
			rs = cpu
		}
		for _, im := range impls {
			name := w + "/impl=" + im
			oneCore := false
			if samples[name] == nil {
				name = peers.WorkersOne(w) + "/impl=" + im
				oneCore = true
			}
			s := rs[name]
			row := Row{
				Impl:     im,
				NsPerSig: benchfile.Median(wall[name]),
				CPUNs:    benchfile.Median(cpu[name]),
				Spread:   benchfile.Spread(s),
				Samples:  len(s),
				VsStdlib: benchfile.Ratio(rs[peers.StdlibRef(w+"/impl="+im)], s),
				OneCore:  oneCore,
			}
			if info, ok := peers.Lookup(im); ok {
				row.Rules = info.Rules
			}
			if ref := peers.RonkmsRef(w + "/impl=" + im); ref != "" {
				_, row.RonkmsAs, _ = peers.SplitName(ref)
				row.VsRonkms = benchfile.Ratio(rs[ref], s)
				_, row.Exact = peers.Family(im)
			} else {
				row.VsRonkms = math.NaN()
			}
			t.Rows = append(t.Rows, row)
		}
		tables = append(tables, t)
	}
	return tables
}

func implIndex(impl string) int {
	for i, im := range peers.Impls {
		if im.Name == impl {
			return i
		}
	}
	return len(peers.Impls)
}

// workloadKey orders workloads: Sign, Verify cold, Verify repeated, then
// batches by keys (same first), n, workers (1 first).
func workloadKey(w string) (kind int, a, n, b int) {
	params := map[string]string{}
	parts := strings.Split(w, "/")
	for _, p := range parts[1:] {
		if k, v, ok := strings.Cut(p, "="); ok {
			params[k] = v
		}
	}
	switch parts[0] {
	case "Sign":
		kind = 0
	case "Verify":
		kind = 1
		if params["key"] != "cold" {
			a = 1
		}
	case "Batch":
		kind = 2
		if params["keys"] != "same" {
			a = 1
		}
		n, _ = strconv.Atoi(params["n"])
		if params["workers"] != "1" {
			b = 1
		}
	default:
		kind = 3
	}
	return
}

func workloadLess(x, y string) bool {
	k1, a1, n1, b1 := workloadKey(x)
	k2, a2, n2, b2 := workloadKey(y)
	switch {
	case k1 != k2:
		return k1 < k2
	case a1 != a2:
		return a1 < a2
	case b1 != b2:
		return b1 < b2
	case n1 != n2:
		return n1 < n2
	}
	return x < y
}

// Title describes a workload in words.
func Title(w string) string {
	parts := strings.Split(w, "/")
	params := map[string]string{}
	for _, p := range parts[1:] {
		if k, v, ok := strings.Cut(p, "="); ok {
			params[k] = v
		}
	}
	switch parts[0] {
	case "Sign":
		return "Sign: one key, 64 messages of 32-128 bytes (ratios vs crypto/ed25519.Sign)"
	case "Verify":
		if params["key"] == "cold" {
			return "Verify, key=cold: one signature per call, 4096 keys in rotation"
		}
		return "Verify, key=repeated: one signature per call, one key, 64 messages"
	case "Batch":
		keys := "n distinct keys"
		if params["keys"] == "same" {
			keys = "one key"
		}
		s := fmt.Sprintf("Batch n=%s, %s, workers=%s: per signature, Add+Verify of the whole batch", params["n"], keys, params["workers"])
		if params["workers"] == "all" {
			s += "; only ronkms runs in parallel, peer rows marked * are their one-goroutine runs"
		}
		return s
	}
	return w
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r)
}

func fmtNs(ns float64) string {
	if math.IsNaN(ns) {
		return "-"
	}
	if ns >= 100 {
		return groupDigits(int64(math.Round(ns)))
	}
	return fmt.Sprintf("%.1f", ns)
}

func groupDigits(v int64) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r Row) implCell() string {
	if r.OneCore {
		return r.Impl + " *"
	}
	return r.Impl
}

func (r Row) ronkmsCell() string {
	if r.RonkmsAs == "" {
		return "-"
	}
	s := fmtRatio(r.VsRonkms) + " vs " + r.RonkmsAs
	if !r.Exact {
		s += " (nearest)"
	}
	return s
}

func (r Row) cells() []string {
	return []string{
		r.implCell(),
		r.Rules,
		fmtNs(r.NsPerSig),
		fmtNs(r.CPUNs),
		fmt.Sprintf("%.0f%%", 100*r.Spread),
		groupDigits(int64(math.Round(1e9 / r.NsPerSig))),
		fmtRatio(r.VsStdlib),
		r.ronkmsCell(),
	}
}

var tableHeader = []string{"impl", "rules", "ns/sig", "cpu-ns/sig", "±", "sigs/s", "vs crypto/ed25519", "vs ronkms, same rules"}

// WriteTable prints t as aligned text, or as Markdown.
func WriteTable(w io.Writer, t Table, markdown bool) {
	rows := [][]string{tableHeader}
	for _, r := range t.Rows {
		rows = append(rows, r.cells())
	}
	title := Title(t.Workload) + " [ratios in " + t.Unit + "]"
	if markdown {
		fmt.Fprintf(w, "**%s**\n\n", title)
		writeMarkdown(w, rows, 2)
		return
	}
	fmt.Fprintf(w, "%s\n", title)
	writeText(w, rows, 2)
}

// writeText aligns columns; columns from numericFrom on are right-aligned.
func writeText(w io.Writer, rows [][]string, numericFrom int) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-len(c))
			if i >= numericFrom && i < len(r)-1 { // the last column is text
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(w)
}

func writeMarkdown(w io.Writer, rows [][]string, numericFrom int) {
	fmt.Fprintln(w, "| "+strings.Join(rows[0], " | ")+" |")
	seps := make([]string, len(rows[0]))
	for i := range seps {
		if i >= numericFrom {
			seps[i] = "---:"
		} else {
			seps[i] = "---"
		}
	}
	fmt.Fprintln(w, "| "+strings.Join(seps, " | ")+" |")
	for _, r := range rows[1:] {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
	fmt.Fprintln(w)
}

// Pivot is a summary: one row per implementation, one column per workload,
// each cell the speed-up over crypto/ed25519.
type Pivot struct {
	Title   string
	Columns []string // workloads
	Labels  []string // column headers
	Impls   []string
	Cells   map[string]map[string]float64 // impl -> workload -> ratio
}

// BuildPivots summarizes the tables: single-call workloads, then batches at
// workers=1 and at workers=all.
func BuildPivots(tables []Table) []Pivot {
	units := map[string]string{}
	for _, t := range tables {
		units[t.Workload] = t.Unit
	}
	groups := []struct {
		title string
		match func(w string) bool
		label func(w string) string
	}{
		{"Sign and single Verify: speed-up per signature over crypto/ed25519", func(w string) bool {
			return strings.HasPrefix(w, "Sign") || strings.HasPrefix(w, "Verify/")
		}, func(w string) string {
			return strings.ReplaceAll(strings.TrimPrefix(w, "Verify/"), "/", " ")
		}},
		{"Batches, workers=1: speed-up per signature over a loop of crypto/ed25519.Verify", func(w string) bool {
			return strings.HasPrefix(w, "Batch/") && strings.HasSuffix(w, "/workers=1")
		}, batchLabel},
		{"Batches, workers=all: speed-up per signature over a one-goroutine loop of crypto/ed25519.Verify (peers: one goroutine)", func(w string) bool {
			return strings.HasPrefix(w, "Batch/") && strings.HasSuffix(w, "/workers=all")
		}, batchLabel},
	}
	var out []Pivot
	for _, g := range groups {
		p := Pivot{Title: g.title, Cells: map[string]map[string]float64{}}
		seen := map[string]bool{}
		for _, t := range tables {
			if !g.match(t.Workload) {
				continue
			}
			p.Columns = append(p.Columns, t.Workload)
			p.Labels = append(p.Labels, g.label(t.Workload))
			for _, r := range t.Rows {
				if !seen[r.Impl] {
					seen[r.Impl] = true
					p.Impls = append(p.Impls, r.Impl)
				}
				if p.Cells[r.Impl] == nil {
					p.Cells[r.Impl] = map[string]float64{}
				}
				p.Cells[r.Impl][t.Workload] = r.VsStdlib
			}
		}
		if len(p.Columns) == 0 {
			continue
		}
		p.Title += " [ratios in " + units[p.Columns[0]] + "]"
		sort.Slice(p.Impls, func(i, j int) bool { return implIndex(p.Impls[i]) < implIndex(p.Impls[j]) })
		out = append(out, p)
	}
	return out
}

func batchLabel(w string) string {
	parts := strings.Split(w, "/")
	var keys, n string
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		switch k {
		case "keys":
			keys = v
		case "n":
			n = v
		}
	}
	return keys + " n=" + n
}

// WritePivot prints p as aligned text or Markdown.
func WritePivot(w io.Writer, p Pivot, markdown bool) {
	rows := [][]string{append([]string{"impl", "rules"}, p.Labels...)}
	for _, im := range p.Impls {
		info, _ := peers.Lookup(im)
		r := []string{im, info.Rules}
		for _, c := range p.Columns {
			v, ok := p.Cells[im][c]
			if !ok {
				r = append(r, "")
				continue
			}
			r = append(r, fmtRatio(v))
		}
		rows = append(rows, r)
	}
	if markdown {
		fmt.Fprintf(w, "**%s**\n\n", p.Title)
		writeMarkdown(w, rows, 2)
		return
	}
	fmt.Fprintf(w, "%s\n", p.Title)
	writePivotText(w, rows)
}

func writePivotText(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-len(c))
			if i >= 2 {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(w)
}
