package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/server"
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

// TestLoadgenDurationIsPerEndpoint: the help and the first line loadgen
// prints say that -duration is per endpoint, and the total.
func TestLoadgenDurationIsPerEndpoint(t *testing.T) {
	code, out, _ := runCmd(t, "help", "loadgen")
	if code != exitOK {
		t.Fatalf("help loadgen: exit %d", code)
	}
	for _, want := range []string{
		"load duration of each endpoint; the endpoints are loaded one after the other, so the run lasts this times the number of -endpoints (30s with the defaults",
		"ronkms loadgen -duration 5s                          # 15s: 5s for each of the 3 endpoints",
		"ronkms loadgen -duration 5s -endpoints batch-binary  # 5s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help loadgen lacks %q:\n%s", want, out)
		}
	}
	u, _ := loopbackURL("http://127.0.0.1:8125")
	for _, tc := range []struct {
		endpoints []string
		duration  time.Duration
		requests  int
		want      string
	}{
		{allEndpoints, 5 * time.Second, 0, "; 3 endpoints in turn (single, batch-json, batch-binary), 5s each: 15s in all"},
		{[]string{epBatchBinary}, 5 * time.Second, 0, "; 1 endpoint (batch-binary), 5s each: 5s in all"},
		{[]string{epSingle, epBatchJSON}, time.Minute, 100, "; 2 endpoints in turn (single, batch-json), 1m0s or 100 requests each, whichever comes first: at most 2m0s in all"},
	} {
		cfg := loadConfig{base: u, endpoints: tc.endpoints, clients: 64, duration: tc.duration, requests: tc.requests, batch: 64, invalid: 0.25}
		if got := runSummary(cfg); got != "http://127.0.0.1:8125, rules stdlib, 64 clients, batch 64, 25% invalid"+tc.want {
			t.Errorf("runSummary: %q, want the suffix %q", got, tc.want)
		}
	}
}

// TestConnBackoff: 1ms, doubling per error in a row, at most 100ms; an
// answer resets it.
func TestConnBackoff(t *testing.T) {
	var b connBackoff
	ms := time.Millisecond
	var got []time.Duration
	for range 10 {
		got = append(got, b.failed())
	}
	b.answered()
	got = append(got, b.failed(), b.failed())
	want := []time.Duration{1 * ms, 2 * ms, 4 * ms, 8 * ms, 16 * ms, 32 * ms, 64 * ms, 100 * ms, 100 * ms, 100 * ms, 1 * ms, 2 * ms}
	if !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

// scriptedTransport answers the requests of a loadgen client by a script:
// true is an answer (a 503 without Retry-After: no wait), false a
// connection error. It counts the attempts.
type scriptedTransport struct {
	mu       sync.Mutex
	script   []bool
	attempts int
}

func (s *scriptedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Body != nil {
		req.Body.Close()
	}
	i := s.attempts
	s.attempts++
	if i >= len(s.script) || !s.script[i] {
		return nil, fmt.Errorf("scripted connection error %d", i)
	}
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// waitRecorder records the backoff waits of loadgen's clients.
type waitRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitRecorder) sleep(_ context.Context, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waits = append(w.waits, d)
}

// testLoadConfig is a loadgen configuration of one client and n requests
// per endpoint, whose waits go to rec.
func testLoadConfig(t *testing.T, base string, n int, rec *waitRecorder) loadConfig {
	t.Helper()
	u, err := loopbackURL(base)
	if err != nil {
		t.Fatal(err)
	}
	return loadConfig{
		base: u, endpoints: []string{epSingle}, clients: 1, duration: loadMaxDuration, requests: n, batch: 4,
		rules: ed25519.Strict, invalid: 0.25, keys: 2, msgSize: 16, timeout: 30 * time.Second, seed: 1, backoff: true,
		sleep: rec.sleep,
	}
}

// TestLoadgenBackoff: a client backs off after each connection error,
// 1ms doubling, and goes on at once after an answer; every attempt is
// counted, as an answer or as an error. The run is bounded by the number
// of requests, and the waits are recorded, not slept: nothing depends on
// time.
func TestLoadgenBackoff(t *testing.T) {
	ms := time.Millisecond
	script := []bool{false, false, false, true, false, false, true, true, false, false, false, false, false, false, false, false, false, false}
	tr := &scriptedTransport{script: script}
	rec := &waitRecorder{}
	cfg := testLoadConfig(t, "http://127.0.0.1:1", len(script), rec)
	r := runEndpoint(context.Background(), cfg, &http.Client{Transport: tr}, newSigPool(cfg), epSingle)
	answered := 0
	for _, ok := range script {
		if ok {
			answered++
		}
	}
	if tr.attempts != len(script) || r.Overloaded != answered || r.Errors != len(script)-answered || r.Requests != 0 {
		t.Errorf("%d attempts: %d answered (503), %d errors, %d 200s; want %d, %d, %d, 0", tr.attempts, r.Overloaded, r.Errors, r.Requests, len(script), answered, len(script)-answered)
	}
	// A wait before each attempt that follows an error, none after an
	// answer, none after the last attempt.
	want := []time.Duration{1 * ms, 2 * ms, 4 * ms /* answer */, 1 * ms, 2 * ms /* answer, answer */, 1 * ms, 2 * ms, 4 * ms, 8 * ms, 16 * ms, 32 * ms, 64 * ms, 100 * ms, 100 * ms}
	if !slices.Equal(rec.waits, want) {
		t.Errorf("waits %v,\nwant  %v", rec.waits, want)
	}
	if !strings.Contains(r.firstConnErr, "scripted connection error 0") {
		t.Errorf("first connection error %q", r.firstConnErr)
	}
}

// TestLoadgenServerStops: a server answers k requests, then stops (closes
// its listener and the connection of the next request without an answer):
// the client counts k answers and n-k errors, backing off between them.
func TestLoadgenServerStops(t *testing.T) {
	const n, k = 20, 6
	svc, err := server.New(server.Config{DefaultRules: ed25519.Strict})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) <= k {
			svc.Handler().ServeHTTP(w, r)
			return
		}
		ln.Close() // stop listening, then drop this request unanswered
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
	})}
	go hs.Serve(ln)
	defer hs.Close()

	rec := &waitRecorder{}
	cfg := testLoadConfig(t, "http://"+ln.Addr().String(), n, rec)
	client := loopbackClient(cfg.clients, cfg.timeout)
	defer client.CloseIdleConnections()
	r := runEndpoint(context.Background(), cfg, client, newSigPool(cfg), epSingle)
	if r.Requests != k || r.Errors != n-k || r.Wrong != 0 || r.Overloaded+r.OtherStatus != 0 {
		t.Errorf("%d answered, %d errors, %d wrong, %d other; want %d, %d, 0, 0", r.Requests, r.Errors, r.Wrong, r.Overloaded+r.OtherStatus, k, n-k)
	}
	ms := time.Millisecond
	want := []time.Duration{1 * ms, 2 * ms, 4 * ms, 8 * ms, 16 * ms, 32 * ms, 64 * ms, 100 * ms}
	for len(want) < n-k-1 {
		want = append(want, 100*ms)
	}
	if !slices.Equal(rec.waits, want) {
		t.Errorf("waits %v,\nwant  %v", rec.waits, want)
	}
}

// TestLoadgenServerDown: against a port nobody listens on, every request
// is a connection error, counted and reported, and the run ends by
// -requests, with exit code 1.
func TestLoadgenServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	const requests = 12
	code, results, errOut := runLoadgenJSON(t, "-url", base, "-requests", fmt.Sprint(requests), "-duration", "10m", "-c", "3", "-endpoints", "single,batch-binary")
	if code != exitFail {
		t.Errorf("exit code %d, want %d", code, exitFail)
	}
	if len(results) != 2 {
		t.Fatalf("results %+v", results)
	}
	for _, r := range results {
		if r.Errors != requests || r.Requests+r.Overloaded+r.OtherStatus+r.Wrong != 0 {
			t.Errorf("%s: %+v; want %d errors and nothing else", r.Endpoint, r, requests)
		}
		for _, want := range []string{
			fmt.Sprintf("ronkms loadgen: %s: %d requests got no answer (connection errors; each client backed off 1ms to 100ms before its next request); the first: ", r.Endpoint, requests),
			"connection refused",
			fmt.Sprintf("ronkms loadgen: %s: no request was answered: is ronkms serve running at %s?", r.Endpoint, base),
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
	}
	if first, _, _ := strings.Cut(errOut, "\n"); !strings.HasSuffix(first, "; 2 endpoints in turn (single, batch-binary), 10m0s or 12 requests each, whichever comes first: at most 20m0s in all") {
		t.Errorf("first line %q", first)
	}
}
