package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ronkms/ronkms"
)

// runCmd runs the ronkms command line args in-process.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// tableKey names one batch table.
type tableKey struct{ mode, keys, workers string }

// batchRow is one parsed row of a batch table.
type batchRow struct {
	n                            int
	batch, perSig, stdlibPerSig  time.Duration
	rate, speedup, spreadPercent float64
	cores                        float64 // 0 if not known
	rounds                       int
}

// parseBatchTables reads the batch tables of the text output of bench.
func parseBatchTables(t *testing.T, out string) map[tableKey][]batchRow {
	t.Helper()
	tables := map[tableKey][]batchRow{}
	var cur *tableKey
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mode=") {
			var k tableKey
			for _, f := range strings.Fields(line) {
				key, val, _ := strings.Cut(f, "=")
				switch key {
				case "mode":
					k.mode = val
				case "keys":
					k.keys = val
				case "workers":
					k.workers = val
				}
			}
			if k.mode == "" || k.keys == "" || k.workers == "" {
				t.Fatalf("bad table title %q", line)
			}
			cur = &k
			tables[k] = nil
			continue
		}
		f := strings.Fields(line)
		if cur == nil || len(f) == 0 {
			cur = nil // a table ends at a blank line
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			continue // the column header
		}
		if len(f) != 9 {
			t.Fatalf("row %q: %d columns, want 9", line, len(f))
		}
		r := batchRow{n: n}
		for i, d := range []*time.Duration{&r.batch, nil, &r.perSig, &r.stdlibPerSig} {
			if d == nil {
				continue
			}
			if *d, err = time.ParseDuration(f[1+i]); err != nil || *d <= 0 {
				t.Fatalf("row %q: column %d: bad duration %q", line, 2+i, f[1+i])
			}
		}
		r.rate = parseNumber(t, line, f[2], "/s")
		r.speedup = parseNumber(t, line, f[5], "x")
		if f[6] != "-" {
			r.cores = parseNumber(t, line, f[6], "")
		}
		var clean, rounds int
		if _, err := fmt.Sscanf(strings.TrimSuffix(f[7], "!"), "%d/%d", &clean, &rounds); err != nil ||
			clean < 0 || clean > rounds || rounds < 1 {
			t.Fatalf("row %q: bad clean rounds %q", line, f[7])
		}
		r.rounds = rounds
		r.spreadPercent = parseNumber(t, line, f[8], "%")
		tables[*cur] = append(tables[*cur], r)
	}
	return tables
}

// parseNumber parses s, a number with an optional k or M multiplier
// followed by suffix.
func parseNumber(t *testing.T, line, s, suffix string) float64 {
	t.Helper()
	v, ok := strings.CutSuffix(s, suffix)
	mult := 1.0
	if x, found := strings.CutSuffix(v, "k"); found {
		v, mult = x, 1e3
	} else if x, found := strings.CutSuffix(v, "M"); found {
		v, mult = x, 1e6
	}
	x, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil || x < 0 {
		t.Fatalf("row %q: bad number %q (want a number followed by %q)", line, s, suffix)
	}
	return x * mult
}

// checkSizingTable checks the compact table that comes first in the text
// output of bench -quick -sizes 8,20 (workers 1,all): a row per rule set
// and key set, each with a rate and a speed-up for n=8 and n=20 on one core
// and on all, then the single operations' line, then the details.
func checkSizingTable(t *testing.T, out string) {
	t.Helper()
	sizing, details := strings.Index(out, "\nsizing: "), strings.Index(out, "\ndetails:\n")
	singles := strings.Index(out, "\nsingle operations, cycling")
	if sizing < 0 || details < sizing || singles < details {
		t.Fatalf("want the sizing table, then details:, then the single operations table:\n%s", out)
	}
	lines := strings.Split(out[sizing:details], "\n")
	rows := 0
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 3 || !slices.Contains([]string{"stdlib", "strict", "zip215"}, f[0]) {
			continue
		}
		keys := f[1]
		rest := f[2:]
		if keys == "one" {
			keys, rest = "one key", f[3:]
		}
		if keys != "one key" && keys != "distinct" && keys != "known" || len(rest) != 8 {
			t.Errorf("sizing row %q: want rules, keys and 4 rate/speed-up pairs", line)
			continue
		}
		for i := 0; i < 8; i += 2 {
			parseNumber(t, line, rest[i], "/s")
			if x := parseNumber(t, line, rest[i+1], "x"); x <= 0 {
				t.Errorf("sizing row %q: speed-up %q", line, rest[i+1])
			}
		}
		rows++
	}
	if rows != 9 {
		t.Errorf("%d sizing rows, want 9 (3 rule sets x 3 key sets):\n%s", rows, out[sizing:details])
	}
	if !strings.Contains(out[sizing:details], "single operations, speed-up over crypto/ed25519: ed25519.Verify ") {
		t.Errorf("no single operations line under the sizing table:\n%s", out[sizing:details])
	}
}

func TestBenchQuickText(t *testing.T) {
	code, out, errOut := runCmd(t, "bench", "-quick", "-sizes", "8,20")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "cpu:    "+ronkms.DescribeCPU()+"\n") {
		t.Errorf("output lacks the CPU line %q:\n%s", ronkms.DescribeCPU(), out)
	}
	if !strings.Contains(out, "date:   ") {
		t.Errorf("output lacks the date:\n%s", out)
	}
	checkSizingTable(t, out)
	for _, fn := range []string{"crypto/ed25519.Verify", "ed25519.Verify", "ed25519.VerifyStrict",
		"ed25519.VerifyZIP215", "ed25519.VerifyingKey.Verify", "crypto/ed25519.Sign", "ed25519.Sign"} {
		if !strings.Contains(out, "\n"+fn+" ") && !strings.Contains(out, " "+fn+" ") {
			t.Errorf("single operations lack %s", fn)
		}
	}
	if !strings.Contains(out, "\ndisturbed rounds: ") {
		t.Errorf("output lacks the disturbed-rounds line:\n%s", out)
	}
	if !strings.Contains(errOut, "[7/7]") {
		t.Errorf("stderr shows no progress up to [7/7]:\n%s", errOut)
	}

	tables := parseBatchTables(t, out)
	for _, mode := range []string{"stdlib", "strict", "zip215"} {
		for _, keys := range []string{"same", "distinct", "known"} {
			for _, w := range []string{"1", "all"} {
				k := tableKey{mode, keys, w}
				rows, ok := tables[k]
				if !ok {
					t.Errorf("no table %+v", k)
					continue
				}
				var sizes []int
				for _, r := range rows {
					sizes = append(sizes, r.n)
					if r.rate <= 0 || r.speedup <= 0 {
						t.Errorf("%+v n=%d: non-positive rate or speed-up: %+v", k, r.n, r)
					}
					// The columns must agree: batch = n × per verification,
					// rate = 1/per verification, within rounding.
					if got := float64(r.batch) / float64(r.n) / float64(r.perSig); got < 0.99 || got > 1.01 {
						t.Errorf("%+v n=%d: median batch %v is not n × %v", k, r.n, r.batch, r.perSig)
					}
					if got := r.rate * r.perSig.Seconds(); got < 0.99 || got > 1.01 {
						t.Errorf("%+v n=%d: rate %v/s is not 1/%v", k, r.n, r.rate, r.perSig)
					}
				}
				if !slices.Equal(sizes, []int{8, 20}) {
					t.Errorf("%+v: rows for sizes %v, want [8 20]", k, sizes)
				}
			}
		}
	}
	if len(tables) != 18 {
		t.Errorf("%d batch tables, want 18 (3 rule sets x 3 key sets x 2 worker settings)", len(tables))
	}
}

func TestBenchQuickSubset(t *testing.T) {
	code, out, errOut := runCmd(t, "bench", "-quick", "-modes", "zip215", "-keys", "distinct",
		"-sizes", "5,17,33", "-workers", "2", "-rounds", "2")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	tables := parseBatchTables(t, out)
	if len(tables) != 1 {
		t.Fatalf("tables %v, want only mode=zip215 keys=distinct workers=2", tables)
	}
	rows := tables[tableKey{"zip215", "distinct", "2"}]
	var sizes []int
	for _, r := range rows {
		sizes = append(sizes, r.n)
	}
	if !slices.Equal(sizes, []int{5, 17, 33}) {
		t.Errorf("rows for sizes %v, want [5 17 33]", sizes)
	}
	if strings.Contains(out, "ed25519.VerifyStrict") {
		t.Errorf("single operations measure VerifyStrict although -modes is zip215")
	}
}

func TestBenchQuickJSON(t *testing.T) {
	code, out, errOut := runCmd(t, "bench", "-quick", "-json", "-sizes", "8,16")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	kinds := map[string]int{}
	cells := map[string]bool{}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, line := range lines {
		var head struct{ Kind string }
		if err := json.Unmarshal([]byte(line), &head); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		kinds[head.Kind]++
		switch head.Kind {
		case "env":
			var e jsonEnv
			mustUnmarshalStrict(t, line, &e)
			if i != 0 || e.CPU != ronkms.DescribeCPU() || e.Rounds != 3 || e.GOMAXPROCS < 1 {
				t.Errorf("line %d: bad env object %+v", i+1, e)
			}
		case "single":
			var s jsonSingle
			mustUnmarshalStrict(t, line, &s)
			if s.MedianNS <= 0 || s.OpsPerSec <= 0 || s.Speedup <= 0 || s.Rounds < 3 || s.Rounds > 6 ||
				s.CleanRounds > s.Rounds || s.Func == "" {
				t.Errorf("line %d: bad single object %+v", i+1, s)
			}
		case "batch":
			var b jsonBatch
			mustUnmarshalStrict(t, line, &b)
			if b.MedianBatchNS <= 0 || b.VerificationsPerSec <= 0 || b.NSPerVerification <= 0 ||
				b.StdlibNSPerVerification <= 0 || b.Speedup <= 0 || b.Rounds < 3 || b.Rounds > 6 ||
				b.CleanRounds > b.Rounds || b.WorkerCount < 1 ||
				b.MinBatchNS > b.MedianBatchNS || b.MaxBatchNS < b.MedianBatchNS {
				t.Errorf("line %d: bad batch object %+v", i+1, b)
			}
			cells[fmt.Sprintf("%s/%s/%d/%s", b.Mode, b.Keys, b.N, b.Workers)] = true
		case "end":
			var e jsonEnd
			mustUnmarshalStrict(t, line, &e)
			if i != len(lines)-1 || e.ElapsedNS <= 0 || e.Capacity <= 0 || e.DisturbedFraction < 0 || e.DisturbedFraction > 1 {
				t.Errorf("line %d: bad end object %+v", i+1, e)
			}
		default:
			t.Errorf("line %d: unknown kind %q", i+1, head.Kind)
		}
	}
	// 7 signature operations (three verifiers, VerifyingKey.Verify, Sign,
	// and their stdlib baselines) and 6 field operations (filippo, scalar
	// and four-way, for multiply and square).
	if kinds["env"] != 1 || kinds["single"] != 13 || kinds["batch"] != 36 || kinds["end"] != 1 {
		t.Errorf("object kinds %v, want 1 env, 13 single, 36 batch, 1 end", kinds)
	}
	for _, mode := range []string{"stdlib", "strict", "zip215"} {
		for _, keys := range []string{"same", "distinct", "known"} {
			for _, n := range []int{8, 16} {
				for _, w := range []string{"1", "all"} {
					if c := fmt.Sprintf("%s/%s/%d/%s", mode, keys, n, w); !cells[c] {
						t.Errorf("no batch object for %s", c)
					}
				}
			}
		}
	}
}

func mustUnmarshalStrict(t *testing.T, line string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%v in %s", err, line)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"help", "frobnicate"},
		{"bench", "-nope"},
		{"bench", "extra-argument"},
		{"bench", "-modes", "lax"},
		{"bench", "-modes", ""},
		{"bench", "-rules", "stdlib", "-modes", "strict"},
		{"bench", "-rules", "allow-noncanonical-r"},
		{"bench", "-keys", "some"},
		{"bench", "-sizes", "8,0"},
		{"bench", "-sizes", "eight"},
		{"bench", "-workers", "none"},
		{"bench", "-rounds", "0"},
		{"bench", "-round-time", "-1s"},
	} {
		code, out, errOut := runCmd(t, args...)
		if code != exitUsage {
			t.Errorf("ronkms %q: exit code %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errOut, "usage: ronkms") {
			t.Errorf("ronkms %q: stderr lacks a usage message:\n%s", args, errOut)
		}
		if out != "" {
			t.Errorf("ronkms %q: wrote to stdout:\n%s", args, out)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "bench"},
		{[]string{"-h"}, "bench"},
		{[]string{"help", "bench"}, "-modes"},
		{[]string{"bench", "-h"}, "-round-time"},
	} {
		code, out, errOut := runCmd(t, tc.args...)
		if code != exitOK {
			t.Errorf("ronkms %q: exit code %d, want 0; stderr:\n%s", tc.args, code, errOut)
		}
		if !strings.Contains(out+errOut, tc.want) {
			t.Errorf("ronkms %q: output lacks %q:\n%s%s", tc.args, tc.want, out, errOut)
		}
	}
}
