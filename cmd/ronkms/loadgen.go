package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/server"
)

// Endpoints of loadgen.
const (
	epSingle      = "single"       // POST /v1/verify, JSON
	epBatchJSON   = "batch-json"   // POST /v1/verify/batch, JSON
	epBatchBinary = "batch-binary" // POST /v1/verify/batch, binary
)

var allEndpoints = []string{epSingle, epBatchJSON, epBatchBinary}

// Bounds of loadgen's flags: every run stops by itself.
const (
	loadMaxDuration = 10 * time.Minute
	loadMaxRequests = 10_000_000
	loadMaxClients  = 4096
	loadMaxBatch    = 1 << 16
	loadMaxMsgSize  = 1 << 20
	loadPoolSize    = 1024     // distinct signatures generated up front
	loadBodyBudget  = 32 << 20 // bytes of pre-encoded batch bodies per endpoint
)

// Backoff of a client after connection errors (requests that got no
// answer): it waits loadBackoffMin before its next request, twice as long
// after each further error in a row, at most loadBackoffMax, and not at all
// once a request is answered again.
const (
	loadBackoffMin = time.Millisecond
	loadBackoffMax = 100 * time.Millisecond
)

// connBackoff is the backoff of one client.
type connBackoff struct{ wait time.Duration }

// failed records a connection error and returns the wait before the next
// request.
func (b *connBackoff) failed() time.Duration {
	b.wait = min(max(loadBackoffMin, 2*b.wait), loadBackoffMax)
	return b.wait
}

// answered records an answer: the next request goes at once.
func (b *connBackoff) answered() { b.wait = 0 }

// sleepCtx waits for d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

type loadConfig struct {
	base      *url.URL
	endpoints []string
	clients   int
	duration  time.Duration
	requests  int // per endpoint; 0: no limit but the duration
	batch     int
	rules     ed25519.Rules
	invalid   float64
	keys      int
	msgSize   int
	timeout   time.Duration
	seed      uint64
	json      bool
	backoff   bool // honor Retry-After
	// sleep waits (a client's backoff after a connection error); nil
	// means sleepCtx. Tests record the waits instead.
	sleep func(ctx context.Context, d time.Duration)
}

// loadResult is the measurement of one endpoint.
type loadResult struct {
	Endpoint    string  `json:"endpoint"`
	Rules       string  `json:"rules"`
	Clients     int     `json:"clients"`
	Batch       int     `json:"batch"`      // signatures per request
	Requests    int     `json:"requests"`   // answered 200, verdicts checked
	Overloaded  int     `json:"status_503"` // answered 503
	OtherStatus int     `json:"other_status"`
	Errors      int     `json:"errors"` // transport errors, unreadable answers
	Wrong       int     `json:"wrong_verdicts"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"requests_per_second"`
	SigsPerSec  float64 `json:"signatures_per_second"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`

	firstProblem string
	firstConnErr string // the first connection error
}

func (r *loadResult) failed() bool {
	return r.Wrong > 0 || r.Errors > 0 || r.OtherStatus > 0 || r.Requests == 0
}

func loadgenUsage(fs *flag.FlagSet) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, `usage: ronkms loadgen [flags]

Load-tests a running "ronkms serve" on this machine. It generates signatures
up front (a -invalid fraction of them invalid, the expected verdict of each
computed with the single verifier of -rules), then, for each endpoint in turn,
has -c clients send requests back to back for -duration (or until -requests
answers), and reports requests/s, signatures/s and the p50/p90/p99/max
latency of the requests answered 200. Every verdict is checked against the
expected one. Requests answered 503 (overloaded) are counted apart; by
default the client that got one waits as its Retry-After says. Requests
that get no answer (connection errors: the server is down or went away)
are counted as errors and reported, and the client that got one backs off
before its next request: 1ms, doubling with each further error in a row,
up to 100ms, until a request is answered again.

Endpoints: single (POST /v1/verify), batch-json and batch-binary
(POST /v1/verify/batch, -batch signatures per request). The endpoints are
loaded one after the other, each for -duration: the run lasts -duration
times the number of -endpoints (three by default).

Examples:

  ronkms loadgen -duration 5s                          # 15s: 5s for each of the 3 endpoints
  ronkms loadgen -duration 5s -endpoints batch-binary  # 5s
  ronkms loadgen -c 64 -batch 64 -duration 10s -endpoints single,batch-binary   # 20s

Only loopback addresses are accepted (127.0.0.0/8, ::1, localhost), and
every connection is checked to go to one. The run stops by itself.
The exit code is 1 if any verdict was wrong, any request failed other than
with 503 (overloaded, counted), or an endpoint answered nothing.

flags:
`)
		fs.PrintDefaults()
	}
}

// runLoadgen is the loadgen command.
func runLoadgen(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return loadgen(ctx, args, stdout, stderr)
}

func loadgen(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "http://"+defaultServeAddr, "base `URL` of the server (loopback only)")
	endpoints := fs.String("endpoints", strings.Join(allEndpoints, ","), "comma-separated `endpoints` to load, in turn")
	clients := fs.Int("c", 64, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, fmt.Sprintf("load `duration` of each endpoint; the endpoints are loaded one after the other, so the run lasts this times the number of -endpoints (30s with the defaults; at most %v each)", loadMaxDuration))
	requests := fs.Int("requests", 0, "stop each endpoint after this many requests, if sooner than -duration (0: only -duration)")
	batch := fs.Int("batch", 64, "signatures per batch request")
	var rulesName string
	fs.StringVar(&rulesName, "rules", "strict", "verification `rules` named in every request: a preset ("+presetNames()+") or rules joined by +")
	fs.StringVar(&rulesName, "mode", "strict", "the former name of -rules (not both)")
	invalid := fs.Float64("invalid", 0.25, "fraction of invalid signatures, 0 to 1")
	keys := fs.Int("keys", 16, "distinct signing keys")
	msgSize := fs.Int("msg-size", 64, "message size in bytes")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one request")
	seed := fs.Uint64("seed", 1, "seed of the generated signatures")
	jsonOut := fs.Bool("json", false, "print one JSON object per endpoint instead of a table")
	backoff := fs.Bool("retry-after", true, "after a 503, wait as its Retry-After says (at most 10s) before the client's next request, as a well-behaved client does; false sends the next at once")
	fs.Usage = loadgenUsage(fs)

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ronkms loadgen: "+format+"\n", a...)
		fs.Usage()
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	if bothGiven(fs, "rules", "mode") {
		return usageErr("-rules and -mode are two names of one flag; give one")
	}
	cfg := loadConfig{
		clients: *clients, duration: *duration, requests: *requests, batch: *batch,
		invalid: *invalid, keys: *keys, msgSize: *msgSize, timeout: *timeout, seed: *seed, json: *jsonOut,
		backoff: *backoff,
	}
	var err error
	if cfg.base, err = loopbackURL(*rawURL); err != nil {
		return usageErr("-url: %v", err)
	}
	if cfg.rules, err = ed25519.ParseRules(rulesName); err != nil {
		return usageErr("-rules: %v", err)
	}
	for _, e := range splitList(*endpoints) {
		if !slices.Contains(allEndpoints, e) {
			return usageErr("-endpoints: unknown endpoint %q (want %s)", e, strings.Join(allEndpoints, ", "))
		}
		if !slices.Contains(cfg.endpoints, e) {
			cfg.endpoints = append(cfg.endpoints, e)
		}
	}
	switch {
	case len(cfg.endpoints) == 0:
		return usageErr("-endpoints is empty")
	case cfg.clients < 1 || cfg.clients > loadMaxClients:
		return usageErr("-c must be 1 to %d", loadMaxClients)
	case cfg.duration <= 0 || cfg.duration > loadMaxDuration:
		return usageErr("-duration must be positive and at most %v", loadMaxDuration)
	case cfg.requests < 0 || cfg.requests > loadMaxRequests:
		return usageErr("-requests must be 0 to %d", loadMaxRequests)
	case cfg.batch < 1 || cfg.batch > loadMaxBatch:
		return usageErr("-batch must be 1 to %d", loadMaxBatch)
	case !(cfg.invalid >= 0 && cfg.invalid <= 1):
		return usageErr("-invalid must be 0 to 1")
	case cfg.keys < 1 || cfg.keys > loadPoolSize:
		return usageErr("-keys must be 1 to %d", loadPoolSize)
	case cfg.msgSize < 0 || cfg.msgSize > loadMaxMsgSize:
		return usageErr("-msg-size must be 0 to %d", loadMaxMsgSize)
	case cfg.timeout <= 0:
		return usageErr("-timeout must be positive")
	}

	fmt.Fprintf(stderr, "ronkms loadgen: %s\n", runSummary(cfg))
	pool := newSigPool(cfg)
	client := loopbackClient(cfg.clients, cfg.timeout)
	defer client.CloseIdleConnections()

	var results []*loadResult
	failed := false
	for _, ep := range cfg.endpoints {
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(stderr, "ronkms loadgen: %s ...\n", ep)
		r := runEndpoint(ctx, cfg, client, pool, ep)
		if r.failed() {
			failed = true
			if r.firstProblem != "" && r.firstProblem != r.firstConnErr {
				fmt.Fprintf(stderr, "ronkms loadgen: %s: %s\n", ep, r.firstProblem)
			}
		}
		if r.Errors > 0 {
			fmt.Fprintf(stderr, "ronkms loadgen: %s: %d requests got no answer (connection errors; each client backed off %v to %v before its next request); the first: %s\n",
				ep, r.Errors, loadBackoffMin, loadBackoffMax, r.firstConnErr)
			if r.Requests+r.Overloaded+r.OtherStatus == 0 {
				fmt.Fprintf(stderr, "ronkms loadgen: %s: no request was answered: is ronkms serve running at %s?\n", ep, cfg.base)
			}
		}
		results = append(results, r)
	}
	if cfg.json {
		enc := json.NewEncoder(stdout)
		for _, r := range results {
			enc.Encode(r)
		}
	} else {
		printLoadTable(stdout, results)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "ronkms loadgen: interrupted\n")
		return exitFail
	}
	if failed {
		return exitFail
	}
	return exitOK
}

// runSummary is the first line loadgen prints: what it will do, and for
// how long in all.
func runSummary(cfg loadConfig) string {
	n := len(cfg.endpoints)
	each := fmt.Sprintf("%v each", cfg.duration)
	total := fmt.Sprintf("%v in all", time.Duration(n)*cfg.duration)
	if cfg.requests > 0 {
		each = fmt.Sprintf("%v or %d requests each, whichever comes first", cfg.duration, cfg.requests)
		total = "at most " + total
	}
	eps := "1 endpoint"
	if n > 1 {
		eps = fmt.Sprintf("%d endpoints in turn", n)
	}
	return fmt.Sprintf("%s, rules %v, %d clients, batch %d, %.0f%% invalid; %s (%s), %s: %s",
		cfg.base, cfg.rules, cfg.clients, cfg.batch, 100*cfg.invalid, eps, strings.Join(cfg.endpoints, ", "), each, total)
}

// loopbackURL parses raw, an http URL whose host is a loopback address or
// localhost, with no path beyond "/".
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%q: scheme %q, want http", raw, u.Scheme)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: want a base URL, http://host:port", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%q: refusing a host that is not loopback (127.0.0.0/8, ::1, localhost)", raw)
	}
	u.Path = ""
	return u, nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// loopbackDial dials addr only at loopback addresses: a name is resolved
// and its non-loopback addresses are skipped.
func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		if !strings.EqualFold(host, "localhost") {
			return nil, fmt.Errorf("loadgen: refusing to dial %q: not a loopback host", host)
		}
		as, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			ips = append(ips, a.IP)
		}
	}
	var d net.Dialer
	var lastErr error = fmt.Errorf("loadgen: refusing to dial %q: no loopback address", addr)
	for _, ip := range ips {
		if !ip.IsLoopback() {
			continue
		}
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// loopbackClient returns an HTTP client that reaches loopback addresses
// only, with no proxy and no redirects, with one keep-alive connection per
// client (MaxConnsPerHost stops the churn of extra connections dialed while
// a finished one is on its way back to the idle pool).
func loopbackClient(clients int, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         loopbackDial,
			MaxIdleConns:        clients,
			MaxIdleConnsPerHost: clients,
			MaxConnsPerHost:     clients,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// sigPool is the signatures generated up front, with their expected
// verdicts under the rules.
type sigPool struct {
	rules ed25519.Rules
	pubs  [][]byte
	msgs  [][]byte
	sigs  [][]byte
	want  []bool
}

func newSigPool(cfg loadConfig) *sigPool {
	rng := rand.New(rand.NewPCG(cfg.seed, 0x6c6f616467656e))
	keys := make([]ed25519.PrivateKey, cfg.keys)
	for i := range keys {
		seed := make([]byte, ed25519.SeedSize)
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		keys[i] = ed25519.NewKeyFromSeed(seed)
	}
	verify := cfg.rules.Verify
	p := &sigPool{rules: cfg.rules}
	for range loadPoolSize {
		k := keys[rng.IntN(len(keys))]
		pub := []byte(k.Public().(ed25519.PublicKey))
		msg := make([]byte, cfg.msgSize)
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig := ed25519.Sign(k, msg)
		if rng.Float64() < cfg.invalid {
			switch rng.IntN(4) {
			case 0: // another message
				if len(msg) > 0 {
					msg[rng.IntN(len(msg))] ^= 1 << rng.IntN(8)
					break
				}
				fallthrough
			case 1: // a bit of R
				sig[rng.IntN(32)] ^= 1 << rng.IntN(8)
			case 2: // a bit of s (may push s past l)
				sig[32+rng.IntN(32)] ^= 1 << rng.IntN(8)
			default: // another key
				other := keys[rng.IntN(len(keys))].Public().(ed25519.PublicKey)
				if bytes.Equal(other, pub) {
					pub = slices.Clone(pub)
					pub[rng.IntN(32)] ^= 1 << rng.IntN(8)
				} else {
					pub = other
				}
			}
		}
		p.pubs = append(p.pubs, pub)
		p.msgs = append(p.msgs, msg)
		p.sigs = append(p.sigs, sig)
		p.want = append(p.want, verify(pub, msg, sig))
	}
	return p
}

// loadBody is one pre-encoded request with its expected verdicts.
type loadBody struct {
	body []byte
	want []bool
}

// bodies returns the pre-encoded requests of an endpoint.
func (p *sigPool) bodies(ep string, batch int, rng *rand.Rand) []loadBody {
	b64 := base64.StdEncoding
	if ep == epSingle {
		out := make([]loadBody, len(p.want))
		for i := range out {
			body, _ := json.Marshal(map[string]string{
				"key": b64.EncodeToString(p.pubs[i]), "msg": b64.EncodeToString(p.msgs[i]),
				"sig": b64.EncodeToString(p.sigs[i]), "rules": p.rules.String(),
			})
			out[i] = loadBody{body, p.want[i : i+1]}
		}
		return out
	}
	type jsonItem struct {
		Key string `json:"key"`
		Msg string `json:"msg"`
		Sig string `json:"sig"`
	}
	perItem := 100 + len(p.msgs[0])*4/3 + 8
	n := min(64, max(4, loadBodyBudget/(perItem*batch)))
	out := make([]loadBody, n)
	for j := range out {
		idx := make([]int, batch)
		want := make([]bool, batch)
		for k := range idx {
			idx[k] = rng.IntN(len(p.want))
			want[k] = p.want[idx[k]]
		}
		var body []byte
		if ep == epBatchBinary {
			body = server.AppendBinaryHeader(nil, server.BinaryRules(p.rules), batch)
			for _, i := range idx {
				body = server.AppendBinaryItem(body, p.pubs[i], p.msgs[i], p.sigs[i])
			}
		} else {
			items := make([]jsonItem, batch)
			for k, i := range idx {
				items[k] = jsonItem{b64.EncodeToString(p.pubs[i]), b64.EncodeToString(p.msgs[i]), b64.EncodeToString(p.sigs[i])}
			}
			body, _ = json.Marshal(struct {
				Rules string     `json:"rules"`
				Items []jsonItem `json:"items"`
			}{p.rules.String(), items})
		}
		out[j] = loadBody{body, want}
	}
	return out
}

// runEndpoint loads one endpoint with cfg.clients clients.
func runEndpoint(ctx context.Context, cfg loadConfig, client *http.Client, pool *sigPool, ep string) *loadResult {
	rng := rand.New(rand.NewPCG(cfg.seed, uint64(len(ep))))
	bodies := pool.bodies(ep, cfg.batch, rng)
	target := cfg.base.JoinPath(server.PathVerifyBatch).String()
	ctype := "application/json"
	perReq := cfg.batch
	switch ep {
	case epSingle:
		target = cfg.base.JoinPath(server.PathVerify).String()
		perReq = 1
	case epBatchBinary:
		ctype = server.ContentTypeBatch
	}

	sleep := cfg.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	type worker struct {
		lat                                []time.Duration
		ok, overloaded, other, errs, wrong int
		problem, connErr                   string
		backoff                            connBackoff
	}
	workers := make([]worker, cfg.clients)
	var issued atomic.Int64
	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			me := &workers[w]
			note := func(format string, a ...any) {
				if me.problem == "" {
					me.problem = fmt.Sprintf(format, a...)
				}
			}
			connError := func(format string, a ...any) time.Duration {
				me.errs++
				note(format, a...)
				if me.connErr == "" {
					me.connErr = fmt.Sprintf(format, a...)
				}
				return me.backoff.failed()
			}
			r := rand.New(rand.NewPCG(cfg.seed, uint64(w)+1))
			var answer []byte
			var wait time.Duration // before the next request
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if cfg.requests > 0 && issued.Add(1) > int64(cfg.requests) {
					return
				}
				if wait > 0 {
					// Do not spin on a server that is down.
					sleep(ctx, min(wait, time.Until(deadline)))
					wait = 0
					if ctx.Err() != nil || !time.Now().Before(deadline) {
						return
					}
				}
				lb := &bodies[r.IntN(len(bodies))]
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(lb.body))
				if err != nil {
					me.errs++
					note("%v", err)
					return
				}
				req.Header.Set("Content-Type", ctype)
				// Verification is idempotent: a nil Idempotency-Key (not
				// sent) lets the Transport resend the request when a
				// reused keep-alive connection turns out to be closed.
				req.Header["Idempotency-Key"] = nil
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						wait = connError("%v", err)
					}
					continue
				}
				answer, err = readAll(resp.Body, answer[:0])
				resp.Body.Close()
				lat := time.Since(t0)
				if err != nil {
					wait = connError("reading an answer: %v", err)
					continue
				}
				me.backoff.answered()
				switch resp.StatusCode {
				case http.StatusOK:
				case http.StatusServiceUnavailable:
					me.overloaded++
					if cfg.backoff {
						sleepRetryAfter(ctx, resp.Header.Get("Retry-After"), deadline)
					}
					continue
				default:
					me.other++
					note("status %s: %s", resp.Status, bytes.TrimSpace(answer))
					continue
				}
				me.ok++
				me.lat = append(me.lat, lat)
				if err := checkAnswer(ep, answer, lb.want); err != nil {
					me.wrong++
					note("%v", err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	res := &loadResult{Endpoint: ep, Rules: pool.rules.String(), Clients: cfg.clients, Batch: perReq, Seconds: elapsed.Seconds()}
	var lat []time.Duration
	for i := range workers {
		w := &workers[i]
		res.Requests += w.ok
		res.Overloaded += w.overloaded
		res.OtherStatus += w.other
		res.Errors += w.errs
		res.Wrong += w.wrong
		lat = append(lat, w.lat...)
		if res.firstProblem == "" {
			res.firstProblem = w.problem
		}
		if res.firstConnErr == "" {
			res.firstConnErr = w.connErr
		}
	}
	res.RPS = float64(res.Requests) / elapsed.Seconds()
	res.SigsPerSec = res.RPS * float64(perReq)
	if len(lat) > 0 {
		slices.Sort(lat)
		ms := func(q float64) float64 {
			i := int(q*float64(len(lat))+0.5) - 1
			i = max(0, min(i, len(lat)-1))
			return float64(lat[i]) / float64(time.Millisecond)
		}
		res.P50ms, res.P90ms, res.P99ms, res.Maxms = ms(0.50), ms(0.90), ms(0.99), ms(1)
	}
	return res
}

// sleepRetryAfter waits for the Retry-After seconds of a 503 (at most 10),
// but not past deadline or the end of ctx.
func sleepRetryAfter(ctx context.Context, retryAfter string, deadline time.Time) {
	secs, err := strconv.Atoi(strings.TrimSpace(retryAfter))
	if err != nil || secs <= 0 {
		return
	}
	sleepCtx(ctx, min(time.Duration(min(secs, 10))*time.Second, time.Until(deadline)))
}

// readAll appends r to buf.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	b := bytes.NewBuffer(buf)
	_, err := b.ReadFrom(io.LimitReader(r, 64<<20))
	return b.Bytes(), err
}

// checkAnswer compares a 200 answer of ep with the expected verdicts.
func checkAnswer(ep string, answer []byte, want []bool) error {
	switch ep {
	case epSingle:
		var a struct {
			Valid *bool `json:"valid"`
		}
		if err := json.Unmarshal(answer, &a); err != nil || a.Valid == nil {
			return fmt.Errorf("bad answer %q", answer)
		}
		if *a.Valid != want[0] {
			return fmt.Errorf("verdict %v, want %v", *a.Valid, want[0])
		}
	case epBatchJSON:
		var a struct {
			Valid    []bool `json:"valid"`
			AllValid *bool  `json:"all_valid"`
		}
		if err := json.Unmarshal(answer, &a); err != nil || a.AllValid == nil {
			return fmt.Errorf("bad answer %.200q", answer)
		}
		if !slices.Equal(a.Valid, want) {
			return fmt.Errorf("verdicts %v, want %v", a.Valid, want)
		}
		if *a.AllValid != !slices.Contains(want, false) {
			return fmt.Errorf("all_valid %v, want %v", *a.AllValid, !*a.AllValid)
		}
	case epBatchBinary:
		if len(answer) != len(want) {
			return fmt.Errorf("%d answer bytes, want %d", len(answer), len(want))
		}
		for i, v := range want {
			if b := answer[i]; b > 1 || (b == 1) != v {
				return fmt.Errorf("item %d: answer byte %d, want verdict %v", i, b, v)
			}
		}
	}
	return nil
}

func printLoadTable(w io.Writer, results []*loadResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\trules\tclients\tbatch\trequests\treq/s\tsigs/s\tp50\tp90\tp99\tmax\t503s\tother\terrors\twrong\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n",
			r.Endpoint, r.Rules, r.Clients, r.Batch, r.Requests, r.RPS, r.SigsPerSec,
			fmtMS(r.P50ms), fmtMS(r.P90ms), fmtMS(r.P99ms), fmtMS(r.Maxms),
			r.Overloaded, r.OtherStatus, r.Errors, r.Wrong)
	}
	tw.Flush()
}

func fmtMS(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0fms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.2fms", ms)
}
