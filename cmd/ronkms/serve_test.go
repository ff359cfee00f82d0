package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/server"
	"github.com/ronkms/ronkms/internal/testgen"
)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// served is a serve command running in-process.
type served struct {
	base   string // http://ADDR
	addr   string
	stderr *syncBuffer
	done   chan int // the exit code
}

// startServe runs "ronkms serve args..." in-process until ctx ends. The
// listening callback makes the address of -addr 127.0.0.1:0 known; serve
// also prints it on stderr.
func startServe(t *testing.T, ctx context.Context, args ...string) *served {
	t.Helper()
	s := &served{stderr: &syncBuffer{}, done: make(chan int, 1)}
	addrs := make(chan net.Addr, 1)
	go func() {
		s.done <- serve(ctx, args, io.Discard, s.stderr, func(a net.Addr) { addrs <- a })
	}()
	select {
	case a := <-addrs:
		s.addr = a.String()
	case code := <-s.done:
		t.Fatalf("serve exited with %d before listening:\n%s", code, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen within 30s")
	}
	s.base = "http://" + s.addr
	if !strings.Contains(s.stderr.String(), "listening on "+s.base) {
		t.Errorf("stderr lacks %q:\n%s", "listening on "+s.base, s.stderr)
	}
	return s
}

// wait returns serve's exit code.
func (s *served) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-s.done:
		return code
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop within 60s:\n%s", s.stderr)
	}
	return -1
}

// sigCase is one signature and its expected verdict: under strict rules,
// the server's default, from makeCases; under the rules given, from caseOf.
type sigCase struct {
	pub, msg, sig []byte
	valid         bool
}

func makeCases(n int) []sigCase {
	out := make([]sigCase, n)
	for i := range out {
		seed := bytes.Repeat([]byte{byte(i % 7)}, ed25519.SeedSize)
		k := ed25519.NewKeyFromSeed(seed)
		msg := []byte(fmt.Sprintf("message %d", i))
		c := sigCase{pub: k.Public().(ed25519.PublicKey), msg: msg, sig: ed25519.Sign(k, msg), valid: true}
		if i%3 == 1 {
			c.sig[5] ^= 0x10
			c.valid = false
		}
		out[i] = c
	}
	return out
}

// json is c as a /v1/verify body naming rules in the field "rules" (""
// names none).
func (c sigCase) json(rules string) []byte { return c.jsonAs("rules", rules) }

// jsonAs is c as a /v1/verify body naming rules in field: "rules", or
// "mode", its former name.
func (c sigCase) jsonAs(field, rules string) []byte {
	m := map[string]string{
		"key": base64.StdEncoding.EncodeToString(c.pub),
		"msg": base64.StdEncoding.EncodeToString(c.msg),
		"sig": base64.StdEncoding.EncodeToString(c.sig),
	}
	if rules != "" {
		m[field] = rules
	}
	b, _ := json.Marshal(m)
	return b
}

func batchJSONBody(cs []sigCase) []byte {
	var items []json.RawMessage
	for _, c := range cs {
		items = append(items, c.json(""))
	}
	b, _ := json.Marshal(map[string]any{"items": items})
	return b
}

// batchBinaryBody is a binary batch of cs under the server's default rules.
func batchBinaryBody(cs []sigCase) []byte { return batchBinaryBodyRules(cs, 0) }

// batchBinaryBodyRules is a binary batch of cs with the given rules byte.
func batchBinaryBodyRules(cs []sigCase, rulesByte byte) []byte {
	b := server.AppendBinaryHeader(nil, rulesByte, len(cs))
	for _, c := range cs {
		b = server.AppendBinaryItem(b, c.pub, c.msg, c.sig)
	}
	return b
}

func postBody(t *testing.T, client *http.Client, url, ctype string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := client.Post(url, ctype, bytes.NewReader(body))
	if err != nil {
		t.Errorf("POST %s: %v", url, err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("POST %s: reading the answer: %v", url, err)
	}
	return resp.StatusCode, b
}

// checkSingle checks a /v1/verify answer.
func checkSingle(t *testing.T, status int, body []byte, want bool) {
	t.Helper()
	var a struct {
		Valid *bool `json:"valid"`
	}
	if status != 200 || json.Unmarshal(body, &a) != nil || a.Valid == nil {
		t.Errorf("answer %d %q, want 200 {\"valid\": %v}", status, body, want)
		return
	}
	if *a.Valid != want {
		t.Errorf("verdict %v, want %v", *a.Valid, want)
	}
}

func checkBatchJSON(t *testing.T, status int, body []byte, cs []sigCase) {
	t.Helper()
	var a struct {
		Valid    []bool `json:"valid"`
		AllValid bool   `json:"all_valid"`
	}
	if status != 200 || json.Unmarshal(body, &a) != nil || len(a.Valid) != len(cs) {
		t.Errorf("batch answer %d %q", status, body)
		return
	}
	all := true
	for i, c := range cs {
		all = all && c.valid
		if a.Valid[i] != c.valid {
			t.Errorf("batch item %d: verdict %v, want %v", i, a.Valid[i], c.valid)
		}
	}
	if a.AllValid != all {
		t.Errorf("all_valid %v, want %v", a.AllValid, all)
	}
}

func scrapeMetrics(t *testing.T, client *http.Client, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := client.Get(base + server.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
outer:
	for _, m := range fams[name].GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] != lp.GetValue() {
				continue outer
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// TestServeEndToEnd runs the serve command on a loopback port and talks to it
// with a real HTTP client: every endpoint, a bad request, the metrics, then a
// shutdown.
func TestServeEndToEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startServe(t, ctx, "-addr", "127.0.0.1:0", "-max-items", "64")
	client := &http.Client{Timeout: 30 * time.Second}
	cs := makeCases(12)

	resp, err := client.Get(s.base + server.PathHealthz)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok\n" {
		t.Errorf("healthz: %s %q", resp.Status, b)
	}
	for _, c := range cs {
		st, body := postBody(t, client, s.base+server.PathVerify, "application/json", c.json(""))
		checkSingle(t, st, body, c.valid)
	}
	st, body := postBody(t, client, s.base+server.PathVerifyBatch, "application/json", batchJSONBody(cs))
	checkBatchJSON(t, st, body, cs)
	st, body = postBody(t, client, s.base+server.PathVerifyBatch, server.ContentTypeBatch, batchBinaryBody(cs))
	if st != 200 || len(body) != len(cs) {
		t.Fatalf("binary batch: %d %q", st, body)
	}
	for i, c := range cs {
		if (body[i] == 1) != c.valid || body[i] > 1 {
			t.Errorf("binary item %d: %d, want %v", i, body[i], c.valid)
		}
	}
	// stdlib with a 31-byte key: 400, not a panic.
	short := cs[0]
	short.pub = short.pub[:31]
	st, body = postBody(t, client, s.base+server.PathVerify, "application/json", short.jsonAs("mode", "stdlib"))
	if st != 400 || !strings.Contains(string(body), "key: 31 bytes, want 32") {
		t.Errorf("31-byte key: %d %s", st, body)
	}

	fams := scrapeMetrics(t, client, s.base)
	valid := 0
	for _, c := range cs {
		if c.valid {
			valid++
		}
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"kms_ops_total", map[string]string{"op": "verify", "alg": "ed25519-strict", "result": "valid"}, float64(3 * valid)},
		{"kms_ops_total", map[string]string{"op": "verify", "alg": "ed25519-strict", "result": "invalid"}, float64(3 * (len(cs) - valid))},
		{"kms_ops_total", map[string]string{"op": "verify_batch", "alg": "ed25519-strict", "result": "invalid"}, 2},
		{"kms_failures_total", map[string]string{"op": "verify", "kind": "bad_input"}, 1},
		{"kms_http_requests_total", map[string]string{"handler": "/v1/verify", "code": "200"}, float64(len(cs))},
		{"kms_http_requests_total", map[string]string{"handler": "/v1/verify", "code": "400"}, 1},
		{"kms_http_requests_total", map[string]string{"handler": "/v1/verify/batch", "code": "200"}, 2},
		{"kms_queue_depth", nil, 0},
	} {
		if got, ok := metricValue(fams, tc.name, tc.labels); !ok || got != tc.want {
			t.Errorf("%s%v = %v (exposed: %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}

	cancel()
	if code := s.wait(t); code != exitOK {
		t.Errorf("serve exit code %d:\n%s", code, s.stderr)
	}
	if _, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		t.Error("still accepting connections after shutdown")
	}
	if out := s.stderr.String(); !strings.Contains(out, "shutting down") || !strings.Contains(out, "stopped") {
		t.Errorf("stderr:\n%s", out)
	}
}

// waitQueued polls /metrics until n requests wait in the Batchers' queues.
func waitQueued(t *testing.T, client *http.Client, base string, n int) {
	t.Helper()
	for i := 0; ; i++ { // 12,000 polls 5 ms apart bound a hang only
		fams := scrapeMetrics(t, client, base)
		if d, _ := metricValue(fams, "kms_queue_depth", nil); int(d) >= n {
			return
		}
		if i == 12_000 {
			t.Fatalf("%d requests never queued", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inFlight sends singles single requests and one JSON batch request of
// batch items concurrently and returns a function that waits for them and
// checks their answers, and the number answered so far.
func inFlight(t *testing.T, client *http.Client, base string, singles, batch int) (check func(), answered *atomic.Int64) {
	cs := makeCases(singles + batch)
	answered = new(atomic.Int64)
	var wg sync.WaitGroup
	type result struct {
		status int
		body   []byte
	}
	results := make([]result, singles+1)
	for i := range singles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].status, results[i].body = postBody(t, client, base+server.PathVerify, "application/json", cs[i].json(""))
			answered.Add(1)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		results[singles].status, results[singles].body = postBody(t, client, base+server.PathVerifyBatch, "application/json", batchJSONBody(cs[singles:]))
		answered.Add(1)
	}()
	return func() {
		wg.Wait()
		for i := range singles {
			checkSingle(t, results[i].status, results[i].body, cs[i].valid)
		}
		checkBatchJSON(t, results[singles].status, results[singles].body, cs[singles:])
	}, answered
}

// TestServeGracefulShutdown ends serve's context (as SIGTERM does) while
// requests wait in the Batcher: every one of them is answered, then serve
// exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Batches wait 3s to fill: the requests are surely in flight at the
	// shutdown.
	s := startServe(t, ctx, "-addr", "127.0.0.1:0", "-target-batch", "256", "-max-wait", "3s")
	client := &http.Client{Timeout: 30 * time.Second}
	const singles, batch = 12, 6
	check, answered := inFlight(t, client, s.base, singles, batch)
	waitQueued(t, client, s.base, singles+batch)
	if n := answered.Load(); n != 0 {
		t.Fatalf("%d requests answered before the shutdown; the test needs them in flight", n)
	}
	cancel() // SIGTERM
	check()
	if code := s.wait(t); code != exitOK {
		t.Errorf("serve exit code %d:\n%s", code, s.stderr)
	}
	if _, err := client.Get(s.base + server.PathHealthz); err == nil {
		t.Error("a request after the shutdown was answered")
	}
}

const serveChildEnv = "RONKMS_TEST_SERVE_CHILD"

// TestServeSIGTERM runs serve in a child process (this test binary), sends it
// SIGTERM while requests are in flight, and checks that they are answered
// and that it exits 0.
func TestServeSIGTERM(t *testing.T) {
	if os.Getenv(serveChildEnv) == "1" {
		os.Exit(run([]string{"serve", "-addr", "127.0.0.1:0", "-target-batch", "256", "-max-wait", "3s"}, os.Stdout, os.Stderr))
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no SIGTERM on " + runtime.GOOS)
	}
	// Under user-mode emulation (scripts/test-cross.sh) the kernel cannot
	// run this binary itself: RONKMS_TEST_EXEC names the emulator.
	args := []string{os.Args[0], "-test.run=^TestServeSIGTERM$", "-test.count=1"}
	if w := os.Getenv("RONKMS_TEST_EXEC"); w != "" {
		args = append([]string{w}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), serveChildEnv+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Read the address, then keep the rest of stderr.
	sc := bufio.NewScanner(stderr)
	var base string
	for sc.Scan() {
		line := sc.Text()
		if _, after, ok := strings.Cut(line, "listening on "); ok {
			base, _, _ = strings.Cut(after, " ")
			break
		}
	}
	if base == "" {
		t.Fatalf("no listening line from the child: %v", sc.Err())
	}
	var rest strings.Builder
	restDone := make(chan struct{})
	go func() {
		defer close(restDone)
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
	}()

	client := &http.Client{Timeout: 30 * time.Second}
	const singles, batch = 5, 3
	check, answered := inFlight(t, client, base, singles, batch)
	waitQueued(t, client, base, singles+batch)
	if n := answered.Load(); n != 0 {
		t.Fatalf("%d requests answered before SIGTERM", n)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	check()
	// Read stderr to its end (the child's exit closes it) before Wait,
	// which closes the pipe once the child has exited and would cut off
	// whatever the reader had not read yet: on a slow machine (386 CI)
	// that lost the "stopped" line.
	<-restDone
	err = cmd.Wait()
	if err != nil {
		t.Errorf("child: %v\nstderr:\n%s", err, rest.String())
	}
	if !strings.Contains(rest.String(), "shutting down") || !strings.Contains(rest.String(), "stopped") {
		t.Errorf("child stderr:\n%s", rest.String())
	}
}

func TestServeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "-nope"},
		{"serve", "-mode", "lax"},
		{"serve", "-rules", "lax"},
		{"serve", "-rules", ""},
		{"serve", "-rules", "allow-noncanonical-r"},
		{"serve", "-serve", "strict,lax"},
		{"serve", "-serve", "strict,"},
		{"serve", "-serve", "zip215,allow-noncanonical-r", "-rules", "zip215"},
		{"serve", "-serve", "libsodium"},
		{"serve", "-serve", "zip215,oasis", "-rules", "strict"},
		{"serve", "-serve", "zip215", "-mode", "zip215+reject-small-order-a"},
		{"serve", "-rules", "strict", "-mode", "strict"},
		{"serve", "-max-body", "0"},
		{"serve", "-max-items", "0"},
		{"serve", "-request-timeout", "0s"},
		{"serve", "-shutdown-timeout", "-1s"},
		{"serve", "-target-batch", "300", "-max-batch", "100"},
		{"serve", "-max-queue", "-1"},
	} {
		code, out, errOut := runCmd(t, args...)
		if code != exitUsage {
			t.Errorf("ronkms %q: exit code %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errOut, "usage: ronkms serve") {
			t.Errorf("ronkms %q: stderr lacks the usage:\n%s", args, errOut)
		}
		if out != "" {
			t.Errorf("ronkms %q: wrote to stdout: %s", args, out)
		}
	}
	// A listen error is a failure, not a usage error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errOut := runCmd(t, "serve", "-addr", ln.Addr().String())
	if code != exitFail || !strings.Contains(errOut, "address already in use") {
		t.Errorf("serve on a busy port: exit %d, stderr %s", code, errOut)
	}
	code, out, _ := runCmd(t, "help", "serve")
	if code != exitOK || !strings.Contains(out, "-max-body") || !strings.Contains(out, "-rules") || !strings.Contains(out, "-serve") {
		t.Errorf("help serve: %d\n%s", code, out)
	}
	// The rules errors say what was wrong.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rules", "lax"}, `ronkms serve: -rules: ed25519: unknown rules "lax"`},
		{[]string{"-mode", "lax"}, `ronkms serve: -rules: ed25519: unknown rules "lax"`},
		{[]string{"-rules", "allow-noncanonical-r"}, "ronkms serve: -rules: ed25519: invalid rules allow-noncanonical-r"},
		{[]string{"-serve", "strict,lax"}, `ronkms serve: -serve: ed25519: unknown rules "lax"`},
		{[]string{"-serve", "strict,"}, `ronkms serve: -serve: ed25519: unknown rules ""`},
		{[]string{"-serve", "libsodium"}, "ronkms serve: -serve: the default rules strict (-rules) are not among them"},
		{[]string{"-serve", "zip215,oasis", "-rules", "fips186-5"}, "ronkms serve: -serve: the default rules fips186-5 (-rules) are not among them"},
	} {
		code, _, errOut := runCmd(t, append([]string{"serve"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("serve %q: exit %d, stderr lacks %q:\n%s", tc.args, code, tc.want, errOut)
		}
	}
}

// caseOf is c as a sigCase whose verdict is that of rules' single verifier.
func caseOf(c testgen.Case, rules ed25519.Rules) sigCase {
	return sigCase{pub: c.Pub, msg: c.Msg, sig: c.Sig, valid: rules.Verify(c.Pub, c.Msg, c.Sig)}
}

// rulesCases returns testgen inputs on which the rule sets of
// TestServeRules disagree: an honest signature, a torsioned R, the identity
// as R and as the public key, s >= l.
func rulesCases(t *testing.T) []testgen.Case {
	rng := rand.New(rand.NewPCG(31, 32))
	s := testgen.NewSigner(rng)
	id := testgen.IdentityEncodings()[0]
	sPlusL := s.Honest([]byte("s >= l"))
	sPlusL.Sig[63] |= 0x20
	cs := []testgen.Case{
		s.Honest([]byte("honest")),
		s.TorsionR(rng, []byte("torsion-R"), 8),
		s.IdentityR([]byte("identity-R"), id),
		testgen.SmallOrderA(rng, []byte("identity-A"), id),
		sPlusL,
	}
	for _, c := range cs {
		for _, r := range append(ed25519.Presets(), ed25519.ZIP215|ed25519.RejectSmallOrderA) {
			if ref := testgen.Reference(r, c); ref != r.Verify(c.Pub, c.Msg, c.Sig) {
				t.Fatalf("%v: %s: the single verifier disagrees with testgen.Reference (%v)", r, c.Name, ref)
			}
		}
	}
	return cs
}

// checkRules sends every case of cs to the server at base, naming rules in
// field ("" names none), as a single request, a JSON batch and (unless
// rulesByte is 0xff) a binary batch with rulesByte, and checks the
// verdicts against those of want, the rules' single verifier.
func checkRules(t *testing.T, client *http.Client, base string, cs []testgen.Case, field, name string, rulesByte byte, want ed25519.Rules) {
	t.Helper()
	var scs []sigCase
	for _, c := range cs {
		sc := caseOf(c, want)
		scs = append(scs, sc)
		st, body := postBody(t, client, base+server.PathVerify, "application/json", sc.jsonAs(field, name))
		checkSingle(t, st, body, sc.valid)
	}
	var items []json.RawMessage
	for _, c := range scs {
		items = append(items, c.json(""))
	}
	req := map[string]any{"items": items}
	if name != "" {
		req[field] = name
	}
	b, _ := json.Marshal(req)
	st, body := postBody(t, client, base+server.PathVerifyBatch, "application/json", b)
	checkBatchJSON(t, st, body, scs)
	if rulesByte == 0xff {
		return
	}
	st, body = postBody(t, client, base+server.PathVerifyBatch, server.ContentTypeBatch, batchBinaryBodyRules(scs, rulesByte))
	if st != 200 || len(body) != len(scs) {
		t.Fatalf("binary batch, rules byte %#x: %d %q", rulesByte, st, body)
	}
	for i, c := range scs {
		if body[i] > 1 || (body[i] == 1) != c.valid {
			t.Errorf("binary batch, rules byte %#x: item %d (%s): %d, want %v", rulesByte, i, cs[i].Name, body[i], c.valid)
		}
	}
}

// TestServeRules: -rules sets the default rules of requests, and may name
// rules of no preset, which are then served beside every preset; -mode is
// its former name; -serve narrows the rule sets served, and requests naming
// others are answered 400.
func TestServeRules(t *testing.T) {
	cs := rulesCases(t)
	client := &http.Client{Timeout: 30 * time.Second}
	custom := ed25519.ZIP215 | ed25519.RejectSmallOrderA
	const customAlg = "ed25519-reject-small-order-a+allow-noncanonical-r+cofactored"
	// The custom rules, zip215 and oasis give different verdicts on cs.
	for _, r := range []ed25519.Rules{ed25519.ZIP215, ed25519.Oasis} {
		same := true
		for _, c := range cs {
			same = same && r.Verify(c.Pub, c.Msg, c.Sig) == custom.Verify(c.Pub, c.Msg, c.Sig)
		}
		if same {
			t.Fatalf("the cases do not tell %v from %v", custom, r)
		}
	}

	t.Run("custom default", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := startServe(t, ctx, "-addr", "127.0.0.1:0", "-rules", "zip215+reject-small-order-a")
		if want := "(default rules " + custom.String() + ", serving [stdlib strict zip215 libsodium fips186-5 voi-default oasis " + custom.String() + "];"; !strings.Contains(s.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, s.stderr)
		}
		checkRules(t, client, s.base, cs, "rules", "", 0, custom)
		checkRules(t, client, s.base, cs, "rules", "zip215+reject-small-order-a", server.BinaryRules(custom), custom)
		for _, r := range ed25519.Presets() {
			checkRules(t, client, s.base, cs, "rules", r.String(), server.BinaryRules(r), r)
		}
		checkRules(t, client, s.base, cs, "mode", "oasis", 0xff, ed25519.Oasis)
		fams := scrapeMetrics(t, client, s.base)
		for _, r := range []ed25519.Rules{custom, ed25519.ZIP215, ed25519.Oasis} {
			n := 0
			for _, c := range cs {
				if r.Verify(c.Pub, c.Msg, c.Sig) {
					n++
				}
			}
			// custom: no rules and its name (3 requests of every case
			// each); zip215: its name; oasis: its name, and as mode
			// without the binary batch.
			want := map[ed25519.Rules]int{custom: 2 * 3 * n, ed25519.ZIP215: 3 * n, ed25519.Oasis: 3*n + 2*n}[r]
			alg := "ed25519-" + r.String()
			if got, ok := metricValue(fams, "kms_ops_total", map[string]string{"op": "verify", "alg": alg, "result": "valid"}); !ok || int(got) != want {
				t.Errorf("kms_ops_total{op=verify,alg=%s,result=valid} = %v (exposed: %v), want %d", alg, got, ok, want)
			}
		}
		if alg := "ed25519-" + custom.String(); alg != customAlg {
			t.Errorf("alg of the custom rules %q, want %q", alg, customAlg)
		}
		cancel()
		if code := s.wait(t); code != exitOK {
			t.Errorf("serve exit code %d:\n%s", code, s.stderr)
		}
	})

	t.Run("serve a subset", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := startServe(t, ctx, "-addr", "127.0.0.1:0", "-serve", "oasis, fips186-5", "-mode", "fips186-5")
		if want := "(default rules fips186-5, serving [oasis fips186-5];"; !strings.Contains(s.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, s.stderr)
		}
		checkRules(t, client, s.base, cs, "rules", "", 0, ed25519.FIPS186_5)
		checkRules(t, client, s.base, cs, "rules", "oasis", server.BinaryRules(ed25519.Oasis), ed25519.Oasis)
		checkRules(t, client, s.base, cs, "mode", "fips186-5", 0x80|byte(ed25519.FIPS186_5), ed25519.FIPS186_5)
		c := caseOf(cs[0], ed25519.Strict)
		for _, name := range []string{"strict", "zip215", "zip215+reject-small-order-a"} {
			r, _ := ed25519.ParseRules(name)
			want := "rules " + r.String() + " are not served here (served: oasis, fips186-5)"
			st, body := postBody(t, client, s.base+server.PathVerify, "application/json", c.json(name))
			if st != 400 || !strings.Contains(string(body), want) {
				t.Errorf("rules %s: %d %s, want 400 %q", name, st, body, want)
			}
			st, body = postBody(t, client, s.base+server.PathVerifyBatch, server.ContentTypeBatch, batchBinaryBodyRules([]sigCase{c}, server.BinaryRules(r)))
			if st != 400 || !strings.Contains(string(body), want) {
				t.Errorf("binary rules byte %#x: %d %s, want 400 %q", server.BinaryRules(r), st, body, want)
			}
		}
		fams := scrapeMetrics(t, client, s.base)
		if got, ok := metricValue(fams, "kms_failures_total", map[string]string{"op": "verify", "kind": "bad_input"}); !ok || got != 3 {
			t.Errorf("kms_failures_total{op=verify,kind=bad_input} = %v (exposed: %v), want 3", got, ok)
		}
		if got, ok := metricValue(fams, "kms_ops_total", map[string]string{"op": "verify", "alg": "ed25519-strict", "result": "valid"}); !ok || got != 0 {
			t.Errorf("kms_ops_total{op=verify,alg=ed25519-strict,result=valid} = %v (exposed: %v), want 0", got, ok)
		}
		cancel()
		if code := s.wait(t); code != exitOK {
			t.Errorf("serve exit code %d:\n%s", code, s.stderr)
		}
	})
}

// TestServeUsageExamples: serve's usage says to build the binary and send
// it the signals, and that curl -d needs the JSON Content-Type; its
// examples, sent as its curl commands send them, verify against a running
// serve, and without the header they get a 415. A 404 and a 405 have JSON
// bodies too, and every answer is counted in kms_http_requests_total.
func TestServeUsageExamples(t *testing.T) {
	code, usage, _ := runCmd(t, "help", "serve")
	if code != exitOK {
		t.Fatalf("help serve: exit %d", code)
	}
	for _, want := range []string{
		"go build -o ronkms ./cmd/ronkms\n  ./ronkms serve &\n  kill -TERM $!",
		`Do not send them to "go run ./cmd/ronkms serve": a SIGTERM sent to the go`,
		"curl -d needs -H 'Content-Type: application/json'",
		"curl -s -H 'Content-Type: application/json' \\\n    -d '{\"key\":\"'$K'\",\"msg\":\"'$M'\",\"sig\":\"'$S'\"}' http://127.0.0.1:8125/v1/verify",
		"Content-Type: application/json\n",
		"Content-Type: application/x-ronkms-batch",
		"415  a Content-Type other than the ones above, or none (with Accept)",
		"404  no such path",
		"405  a method the endpoint does not answer (with Allow)",
		"an empty batch",
	} {
		if !strings.Contains(usage, want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
	// The example's values, as the usage shows them.
	vals := map[string]string{}
	for _, line := range strings.Split(usage, "\n") {
		line = strings.TrimSpace(line)
		for _, v := range []string{"K", "M", "S"} {
			if after, ok := strings.CutPrefix(line, v+"="); ok {
				vals[v], _, _ = strings.Cut(after, " ")
			}
		}
	}
	key, err1 := base64.StdEncoding.DecodeString(vals["K"])
	msg, err2 := base64.StdEncoding.DecodeString(vals["M"])
	sig, err3 := base64.StdEncoding.DecodeString(vals["S"])
	if err1 != nil || err2 != nil || err3 != nil || string(msg) != "hello, ronkms" || !ed25519.Strict.Verify(key, msg, sig) {
		t.Fatalf("the usage's example %v does not verify: %v %v %v", vals, err1, err2, err3)
	}
	expand := func(s string) []byte {
		return []byte(strings.NewReplacer("'$K'", vals["K"], "'$M'", vals["M"], "'$S'", vals["S"]).Replace(s))
	}
	single := expand(`{"key":"'$K'","msg":"'$M'","sig":"'$S'"}`)
	batch := expand(`{"rules":"zip215","items":[{"key":"'$K'","msg":"'$M'","sig":"'$S'"}]}`)
	for _, body := range [][]byte{single, batch} {
		if !strings.Contains(usage, "-d '"+strings.NewReplacer(vals["K"], "'$K'", vals["M"], "'$M'", vals["S"], "'$S'").Replace(string(body))+"'") {
			t.Errorf("the usage lacks the body %s", body)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startServe(t, ctx, "-addr", "127.0.0.1:0")
	client := &http.Client{Timeout: 30 * time.Second}
	st, b := postBody(t, client, s.base+server.PathVerify, "application/json", single)
	checkSingle(t, st, b, true)
	st, b = postBody(t, client, s.base+server.PathVerifyBatch, "application/json", batch)
	checkBatchJSON(t, st, b, []sigCase{{pub: key, msg: msg, sig: sig, valid: true}})
	jsonError := func(st int, b []byte, want int, sub string) {
		t.Helper()
		var e struct {
			Error string `json:"error"`
		}
		if st != want || json.Unmarshal(b, &e) != nil || !strings.Contains(e.Error, sub) {
			t.Errorf("answer %d %s, want %d with an error containing %q", st, b, want, sub)
		}
	}
	// What curl -d sends without -H.
	st, b = postBody(t, client, s.base+server.PathVerify, "application/x-www-form-urlencoded", single)
	jsonError(st, b, 415, "/v1/verify accepts application/json")
	st, b = postBody(t, client, s.base+server.PathVerifyBatch, "application/x-www-form-urlencoded", batch)
	jsonError(st, b, 415, "/v1/verify/batch accepts application/json or application/x-ronkms-batch")
	resp, err := client.Get(s.base + "/v1/nope")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	jsonError(resp.StatusCode, b, 404, `no endpoint at "/v1/nope"`)
	resp, err = client.Get(s.base + server.PathVerify)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	jsonError(resp.StatusCode, b, 405, "method GET is not allowed on /v1/verify (allowed: POST)")
	if allow := resp.Header.Get("Allow"); allow != "POST" {
		t.Errorf("405 with Allow %q", allow)
	}

	fams := scrapeMetrics(t, client, s.base)
	for _, tc := range []struct {
		handler, code string
		want          float64
	}{
		{"/v1/verify", "200", 1}, {"/v1/verify", "415", 1}, {"/v1/verify", "405", 1},
		{"/v1/verify/batch", "200", 1}, {"/v1/verify/batch", "415", 1},
		{"other", "404", 1},
	} {
		labels := map[string]string{"handler": tc.handler, "code": tc.code}
		if got, ok := metricValue(fams, "kms_http_requests_total", labels); !ok || got != tc.want {
			t.Errorf("kms_http_requests_total%v = %v (exposed: %v), want %v", labels, got, ok, tc.want)
		}
	}
	cancel()
	if code := s.wait(t); code != exitOK {
		t.Errorf("serve exit code %d:\n%s", code, s.stderr)
	}
}
