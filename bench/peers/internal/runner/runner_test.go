package runner

import (
	"regexp"
	"strings"
	"testing"
)

// matches reports whether go test -bench pattern selects the benchmark
// called name: like the testing package, the pattern is split at '/' outside
// parentheses and each element must match the name element at its level.
func matches(pattern, name string) bool {
	var elems []string
	depth, start := 0, 0
	for i, c := range pattern {
		switch c {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '/':
			if depth == 0 {
				elems = append(elems, pattern[start:i])
				start = i + 1
			}
		}
	}
	elems = append(elems, pattern[start:])
	parts := strings.Split(name, "/")
	for i, e := range elems {
		if i >= len(parts) {
			break
		}
		if !regexp.MustCompile(e).MatchString(parts[i]) {
			return false
		}
	}
	return true
}

func selected(groups []Group, name string) bool {
	for _, g := range groups {
		if matches(g.Bench, name) {
			return true
		}
	}
	return false
}

func TestProfiles(t *testing.T) {
	def, err := Profile("default", "0.4s", "0.3s")
	if err != nil {
		t.Fatal(err)
	}
	full, _ := Profile("full", "0.4s", "0.3s")
	gate, _ := Profile("gate", "0.4s", "0.3s")
	if _, err := Profile("nope", "1s", "1s"); err == nil {
		t.Error("unknown profile accepted")
	}
	for _, c := range []struct {
		name            string
		def, full, gate bool
	}{
		{"BenchmarkSign/impl=voi", true, true, false},
		{"BenchmarkSign/impl=ronkms", true, true, true},
		{"BenchmarkSign/impl=stdlib", true, true, true},
		{"BenchmarkVerify/key=cold/impl=ronkms-strict", true, true, true},
		{"BenchmarkVerify/key=repeated/impl=voi-expanded", true, true, false},
		{"BenchmarkBatch/keys=same/n=64/workers=1/impl=stdlib", true, true, true},
		{"BenchmarkBatch/keys=same/n=64/workers=all/impl=ronkms-zip215", true, true, true},
		{"BenchmarkBatch/keys=distinct/n=512/workers=1/impl=consensus", true, true, false},
		{"BenchmarkBatch/keys=distinct/n=32/workers=1/impl=ronkms-zip215", false, true, false},
		{"BenchmarkBatch/keys=distinct/n=1024/workers=1/impl=ronkms-zip215", true, true, false},
	} {
		if got := selected(def, c.name); got != c.def {
			t.Errorf("default selects %s: %v", c.name, got)
		}
		if got := selected(full, c.name); got != c.full {
			t.Errorf("full selects %s: %v", c.name, got)
		}
		if got := selected(gate, c.name); got != c.gate {
			t.Errorf("gate selects %s: %v", c.name, got)
		}
	}
	for _, g := range def {
		if !strings.HasPrefix(g.Benchtime, "0.") {
			t.Errorf("benchtime %q", g.Benchtime)
		}
	}
}

func TestHeader(t *testing.T) {
	t.Setenv("RONKMS_BENCH_INJECT_SLOWDOWN", "1.3")
	h := strings.Join(Header(6, "gate", []Group{{"sign", "x", "0.4s"}}, "", "cpu.avx512ifma=off"), "\n")
	for _, want := range []string{"ronkms-cpu: ", "go-version: go", "date: ", "count: 6", "profile: gate", "benchtime: sign=0.4s", "inject-slowdown: 1.3 on impl=ronkms", "# godebug: cpu.avx512ifma=off"} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %q:\n%s", want, h)
		}
	}
}
