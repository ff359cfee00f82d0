package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// runLoadgenJSON runs "ronkms loadgen -json args..." and parses its results.
func runLoadgenJSON(t *testing.T, args ...string) (int, []loadResult, string) {
	t.Helper()
	code, out, errOut := runCmd(t, append([]string{"loadgen", "-json"}, args...)...)
	var results []loadResult
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r loadResult
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("result line %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	return code, results, errOut
}

// TestLoadgenAgainstServe runs a short load against the serve command on a
// loopback port, bounded by a number of requests (so that a slow machine
// makes it longer, never different): every endpoint reports throughput and
// latency percentiles, and no verdict is wrong.
func TestLoadgenAgainstServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startServe(t, ctx, "-addr", "127.0.0.1:0")
	code, results, errOut := runLoadgenJSON(t, "-url", s.base, "-requests", "96", "-duration", "10m", "-c", "8", "-batch", "16", "-mode", "zip215")
	if code != exitOK {
		t.Fatalf("loadgen exit code %d:\n%s", code, errOut)
	}
	var eps []string
	for _, r := range results {
		eps = append(eps, r.Endpoint)
		if r.Requests == 0 || r.RPS <= 0 || r.SigsPerSec < r.RPS || r.Seconds <= 0 {
			t.Errorf("%s: no throughput: %+v", r.Endpoint, r)
		}
		if !(r.P50ms > 0 && r.P50ms <= r.P90ms && r.P90ms <= r.P99ms && r.P99ms <= r.Maxms) {
			t.Errorf("%s: bad percentiles: %+v", r.Endpoint, r)
		}
		if r.Wrong != 0 || r.Errors != 0 || r.OtherStatus != 0 || r.Rules != "zip215" || r.Clients != 8 {
			t.Errorf("%s: %+v", r.Endpoint, r)
		}
		if want := map[string]int{epSingle: 1}[r.Endpoint]; want == 0 && r.Batch != 16 || want == 1 && r.Batch != 1 {
			t.Errorf("%s: batch %d", r.Endpoint, r.Batch)
		}
		t.Logf("%s: %d requests, %.0f req/s, %.0f sigs/s, p50 %.2fms p99 %.2fms", r.Endpoint, r.Requests, r.RPS, r.SigsPerSec, r.P50ms, r.P99ms)
	}
	if !slices.Equal(eps, allEndpoints) {
		t.Errorf("endpoints %v, want %v", eps, allEndpoints)
	}

	// -requests bounds a run as well; the table output has every endpoint.
	code, out, errOut := runCmd(t, "loadgen", "-url", s.base, "-requests", "30", "-duration", "1m", "-c", "4", "-batch", "4", "-invalid", "0.5")
	if code != exitOK {
		t.Fatalf("loadgen -requests: exit %d:\n%s", code, errOut)
	}
	for _, ep := range allEndpoints {
		if !strings.Contains(out, ep) {
			t.Errorf("table lacks %s:\n%s", ep, out)
		}
	}
	_, results, _ = runLoadgenJSON(t, "-url", s.base, "-requests", "30", "-duration", "1m", "-c", "4", "-endpoints", "single")
	if len(results) != 1 || results[0].Requests+results[0].Overloaded != 30 {
		t.Errorf("-requests 30: %+v", results)
	}
	// -duration alone bounds a run by time: it lasts at least that long
	// (how much it does meanwhile depends on the machine).
	code, results, errOut = runLoadgenJSON(t, "-url", s.base, "-duration", "200ms", "-c", "2", "-endpoints", "single")
	if code != exitOK || len(results) != 1 || results[0].Seconds < 0.2 || results[0].Wrong != 0 || results[0].Errors != 0 {
		t.Errorf("-duration 200ms: exit %d, %+v\n%s", code, results, errOut)
	}
	cancel()
	s.wait(t)
}

// TestLoadgenCatchesWrongVerdicts: a server that says every signature is
// valid is caught.
func TestLoadgenCatchesWrongVerdicts(t *testing.T) {
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		buf.ReadFrom(r.Body)
		if r.URL.Path == "/v1/verify" {
			w.Write([]byte(`{"valid":true}`))
			return
		}
		http.Error(w, "nope", http.StatusTeapot)
	}))
	defer liar.Close()
	code, results, errOut := runLoadgenJSON(t, "-url", liar.URL, "-requests", "50", "-c", "2", "-invalid", "0.5")
	if code != exitFail {
		t.Errorf("exit code %d, want %d", code, exitFail)
	}
	if len(results) != 3 || results[0].Wrong == 0 || results[1].OtherStatus == 0 || results[2].OtherStatus == 0 {
		t.Errorf("results %+v", results)
	}
	if !strings.Contains(errOut, "verdict true, want false") || !strings.Contains(errOut, "418") {
		t.Errorf("stderr:\n%s", errOut)
	}
}

func TestLoadgenUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-url", "http://example.com:8125"},
		{"-url", "http://10.0.0.1:8125"},
		{"-url", "http://[2001:db8::1]:8125"},
		{"-url", "http://0.0.0.0:8125"},
		{"-url", "https://127.0.0.1:8125"},
		{"-url", "http://127.0.0.1:8125/v1/verify"},
		{"-url", "http://user@127.0.0.1:8125"},
		{"-url", "127.0.0.1:8125"},
		{"-duration", "0s"},
		{"-duration", "11m"},
		{"-requests", "-1"},
		{"-c", "0"},
		{"-batch", "0"},
		{"-invalid", "1.5"},
		{"-keys", "0"},
		{"-msg-size", "-1"},
		{"-mode", "lax"},
		{"-rules", "lax"},
		{"-rules", "strict+lax"},
		{"-rules", "strict", "-mode", "zip215"},
		{"-rules", "allow-noncanonical-r"},
		{"-rules", ""},
		{"-endpoints", "single,nope"},
		{"-endpoints", ""},
		{"extra"},
	} {
		args = append([]string{"loadgen"}, args...)
		code, out, errOut := runCmd(t, args...)
		if code != exitUsage {
			t.Errorf("ronkms %q: exit code %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errOut, "usage: ronkms loadgen") {
			t.Errorf("ronkms %q: stderr lacks the usage:\n%s", args, errOut)
		}
		if out != "" {
			t.Errorf("ronkms %q: wrote to stdout: %s", args, out)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1", "http://127.1.2.3"} {
		if _, err := loopbackURL(u); err != nil {
			t.Errorf("loopbackURL(%q): %v", u, err)
		}
	}
}

// TestLoopbackDial: the dialer refuses every address that is not loopback,
// without connecting.
func TestLoopbackDial(t *testing.T) {
	for _, addr := range []string{"10.0.0.1:80", "[2001:db8::1]:80", "example.com:80", "0.0.0.0:80"} {
		if c, err := loopbackDial(context.Background(), "tcp", addr); err == nil {
			c.Close()
			t.Errorf("dialed %s", addr)
		} else if !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

// TestLoadgenRules runs loadgen with a preset beyond the original three
// (-rules libsodium, its expected verdicts from libsodium's single
// verifier) against serve started with that preset as its default, bounded
// by a number of requests: no verdict is wrong, the results name the
// rules, and the server's metrics show every signature verified under
// them, none under another.
func TestLoadgenRules(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startServe(t, ctx, "-addr", "127.0.0.1:0", "-rules", "libsodium")
	if !strings.Contains(s.stderr.String(), "default rules libsodium") {
		t.Errorf("serve stderr lacks the default rules:\n%s", s.stderr)
	}
	const requests = 40
	code, results, errOut := runLoadgenJSON(t, "-url", s.base, "-requests", fmt.Sprint(requests), "-duration", "10m",
		"-c", "4", "-batch", "8", "-rules", "libsodium", "-invalid", "0.5", "-keys", "3")
	if code != exitOK {
		t.Fatalf("loadgen exit code %d:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "rules libsodium") {
		t.Errorf("loadgen stderr lacks the rules:\n%s", errOut)
	}
	var eps []string
	sigs, batches := 0, 0
	opErrors := map[string]int{}
	for _, r := range results {
		eps = append(eps, r.Endpoint)
		if r.Rules != "libsodium" || r.Wrong != 0 || r.Errors != 0 || r.OtherStatus != 0 || r.Clients != 4 {
			t.Errorf("%s: %+v", r.Endpoint, r)
		}
		if r.Requests == 0 || r.Requests+r.Overloaded != requests {
			t.Errorf("%s: %d requests answered and %d overloaded, want %d in all", r.Endpoint, r.Requests, r.Overloaded, requests)
		}
		sigs += r.Requests * r.Batch
		if r.Endpoint == epSingle {
			opErrors["verify"] += r.Overloaded
		} else {
			batches += r.Requests
			opErrors["verify_batch"] += r.Overloaded
		}
	}
	if !slices.Equal(eps, allEndpoints) {
		t.Errorf("endpoints %v, want %v", eps, allEndpoints)
	}

	fams := scrapeMetrics(t, &http.Client{Timeout: 30 * time.Second}, s.base)
	ops := func(op, alg, result string) int {
		v, ok := metricValue(fams, "kms_ops_total", map[string]string{"op": op, "alg": alg, "result": result})
		if !ok {
			t.Errorf("kms_ops_total{op=%s,alg=%s,result=%s} not exposed", op, alg, result)
		}
		return int(v)
	}
	if got := ops("verify", "ed25519-libsodium", "valid") + ops("verify", "ed25519-libsodium", "invalid"); got != sigs {
		t.Errorf("signatures verified under libsodium: %d, want the %d answered", got, sigs)
	}
	if ops("verify", "ed25519-libsodium", "valid") == 0 || ops("verify", "ed25519-libsodium", "invalid") == 0 {
		t.Errorf("libsodium: want valid and invalid verdicts (-invalid 0.5)")
	}
	if got := ops("verify_batch", "ed25519-libsodium", "valid") + ops("verify_batch", "ed25519-libsodium", "invalid"); got != batches {
		t.Errorf("batch requests verified under libsodium: %d, want the %d answered", got, batches)
	}
	for op, n := range opErrors {
		if got := ops(op, "ed25519-libsodium", "error"); got != n {
			t.Errorf("kms_ops_total{op=%s,alg=ed25519-libsodium,result=error} = %d, want the %d answered 503", op, got, n)
		}
	}
	for _, alg := range []string{"ed25519-stdlib", "ed25519-strict", "ed25519-zip215", "ed25519-oasis"} {
		for _, res := range []string{"valid", "invalid", "error"} {
			if got := ops("verify", alg, res); got != 0 {
				t.Errorf("kms_ops_total{op=verify,alg=%s,result=%s} = %d, want 0", alg, res, got)
			}
		}
	}
	cancel()
	if code := s.wait(t); code != exitOK {
		t.Errorf("serve exit code %d:\n%s", code, s.stderr)
	}
}
