package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/metrics/prom"
)

// Defaults of Config.
const (
	DefaultMaxBody        = 4 << 20 // bytes
	DefaultMaxItems       = 4096
	DefaultRequestTimeout = 30 * time.Second
)

// Paths of the endpoints.
const (
	PathVerify      = "/v1/verify"
	PathVerifyBatch = "/v1/verify/batch"
	PathMetrics     = "/metrics"
	PathHealthz     = "/healthz"
)

// Config configures a Server. The zero value of every field selects its
// default (DefaultRules: ed25519.StdLib, the zero Rules; the command defaults
// to strict); negative values are errors.
type Config struct {
	// DefaultRules are the rules of requests that name none. They must be
	// among the served Rules.
	DefaultRules ed25519.Rules
	// Rules are the rule sets the Server verifies under, one Batcher each;
	// a request that names others is answered 400. nil means every preset
	// of package ed25519 (ed25519.Presets); a set listed twice is served
	// once.
	Rules []ed25519.Rules
	// Batcher configures the Batcher of each rule set. Its Rules and
	// Observer are set by New. Unless BlockWhenFull is set, the Server
	// admits at most MaxQueue signatures per rule set at a time (a batch
	// request counts the items it has in the Batcher at once) and answers
	// 503 beyond: requests are refused whole, before any work, and the
	// Batcher's own queue never fills.
	Batcher batcher.Config
	// MaxBody is the largest request body accepted, in bytes; larger
	// bodies are answered 413. Default DefaultMaxBody (4 MiB).
	MaxBody int64
	// MaxItems is the largest number of items of a batch request; more are
	// answered 400. Default DefaultMaxItems (4096).
	MaxItems int
	// RequestTimeout bounds the wait for the verdicts of one request; past
	// it the request is answered 503. Default DefaultRequestTimeout (30s).
	RequestTimeout time.Duration
	// Registry receives the metrics served on /metrics. nil means a new
	// registry with the Go runtime and process collectors as well.
	Registry *prometheus.Registry
}

// A Server is the verification service: an http.Handler over one Batcher per
// rule set served. Close it after the HTTP server has shut down.
type Server struct {
	bufs    sync.Pool // request body buffers (*bytes.Buffer)
	cfg     Config
	served  [numRules]*served // by rules; nil for rules not served
	obs     batcher.Observer  // the shared Observer (depth-summing)
	reg     *prometheus.Registry
	handler http.Handler
	closed  atomic.Bool
	window  int // items of one batch request in the Batcher at a time
}

// served is one rule set the Server verifies under.
type served struct {
	b *batcher.Batcher
	// slots admits requests to b (Admission in the package documentation).
	slots slots
}

// slots counts the items a Batcher holds for the Server's requests,
// admitted and not yet answered, up to the Batcher's MaxQueue.
type slots struct {
	used  atomic.Int64
	limit int64
}

// acquire takes n slots if that many are free.
func (s *slots) acquire(n int64) bool {
	for {
		u := s.used.Load()
		if u+n > s.limit {
			return false
		}
		if s.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

func (s *slots) release(n int64) { s.used.Add(-n) }

// New validates cfg, creates the metrics and starts the Batchers.
func New(cfg Config) (*Server, error) {
	if cfg.Rules == nil {
		cfg.Rules = ed25519.Presets()
	}
	var uniq []ed25519.Rules // in the order given, each once
	for _, r := range cfg.Rules {
		if !slices.Contains(uniq, r) {
			uniq = append(uniq, r)
		}
	}
	cfg.Rules = uniq
	for _, r := range cfg.Rules {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("server: Rules: %w", err)
		}
	}
	switch {
	case len(cfg.Rules) == 0:
		return nil, errors.New("server: Rules is empty: no rule set to serve")
	case !slices.Contains(cfg.Rules, cfg.DefaultRules):
		return nil, fmt.Errorf("server: DefaultRules %v is not among the served Rules %v", cfg.DefaultRules, cfg.Rules)
	case cfg.MaxBody < 0:
		return nil, fmt.Errorf("server: MaxBody is negative (%d)", cfg.MaxBody)
	case cfg.MaxItems < 0:
		return nil, fmt.Errorf("server: MaxItems is negative (%d)", cfg.MaxItems)
	case cfg.RequestTimeout < 0:
		return nil, fmt.Errorf("server: RequestTimeout is negative (%v)", cfg.RequestTimeout)
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxItems == 0 {
		cfg.MaxItems = DefaultMaxItems
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	po, err := prom.NewObserver(reg)
	if err != nil {
		return nil, fmt.Errorf("server: registering metrics: %w", err)
	}
	shared := &depthSum{inner: po}
	s := &Server{cfg: cfg, obs: po, reg: reg}
	var bc batcher.Config
	for _, r := range cfg.Rules {
		c := cfg.Batcher
		c.Rules = r
		c.Observer = shared.forRules(r)
		b, err := batcher.New(c)
		if err != nil {
			s.closeBatchers()
			return nil, fmt.Errorf("server: %w", err)
		}
		s.served[r] = &served{b: b}
		bc = b.Config()
	}
	s.window = max(1, min(2*bc.MaxBatch, bc.MaxQueue))
	for _, sv := range s.served {
		if sv == nil {
			continue
		}
		sv.slots.limit = int64(bc.MaxQueue)
		if bc.BlockWhenFull {
			sv.slots.limit = math.MaxInt64 // the Batcher makes requests wait
		}
	}
	s.cfg.Batcher = bc
	s.cfg.Batcher.Rules = 0
	s.cfg.Batcher.Observer = nil
	if err := s.buildHandler(); err != nil {
		s.closeBatchers()
		return nil, err
	}
	return s, nil
}

// Config returns the Server's configuration with its defaults filled in
// (Batcher.Rules is zero: each Batcher has its own rules and otherwise the
// same configuration).
func (s *Server) Config() Config { return s.cfg }

// Registry returns the registry served on /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Handler returns the handler of every endpoint.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the Batchers: requests they accepted get their verdicts,
// later ones are answered 503. Call it once the HTTP server has shut down.
func (s *Server) Close() error {
	s.closed.Store(true)
	s.closeBatchers()
	return nil
}

func (s *Server) closeBatchers() {
	var wg sync.WaitGroup
	for _, sv := range s.served {
		if sv != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sv.b.Close()
			}()
		}
	}
	wg.Wait()
}

// HandlerOther is the handler label of kms_http_requests_total and
// kms_http_request_duration_seconds for requests to paths that are none of
// the endpoints' (answered 404): never the path itself, which would make
// the number of series unbounded.
const HandlerOther = "other"

// Methods allowed on the endpoints, in their Allow header.
const (
	allowPost = "POST"
	allowGet  = "GET, HEAD"
)

// route is one endpoint: the methods it answers and their handler, and
// the handler of the other methods (405).
type route struct {
	methods []string
	serve   http.Handler
	refuse  http.Handler // 405
}

func (s *Server) buildHandler() error {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kms_http_requests_total",
		Help: "HTTP requests answered, by handler (the endpoint's path, or other for unknown paths) and status code; scrapes of /metrics are not counted.",
	}, []string{"handler", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kms_http_request_duration_seconds",
		Help:    "Time from the start of an HTTP request's handler to the end of its answer, by handler.",
		Buckets: []float64{100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10, 30},
	}, []string{"handler"})
	for _, c := range []prometheus.Collector{requests, duration} {
		if err := s.reg.Register(c); err != nil {
			return fmt.Errorf("server: registering metrics: %w", err)
		}
	}
	// instrument counts the answers of h under the handler label, whose
	// series of codes are resolved now, at zero.
	instrument := func(label string, h http.HandlerFunc, codes ...string) http.Handler {
		for _, code := range codes {
			requests.WithLabelValues(label, code)
		}
		l := prometheus.Labels{"handler": label}
		return promhttp.InstrumentHandlerCounter(requests.MustCurryWith(l),
			promhttp.InstrumentHandlerDuration(duration.MustCurryWith(l), h))
	}
	newRoute := func(path, allow string, h http.HandlerFunc, codes ...string) *route {
		rt := &route{methods: strings.Split(allow, ", ")}
		rt.refuse = instrument(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", clip(r.Method, 32), path, allow))
		}, "405")
		if h != nil {
			rt.serve = instrument(path, h, codes...)
		}
		return rt
	}
	// The codes each handler answers (405 is added by newRoute).
	verifyCodes := []string{"200", "400", "413", "415", "500", "503"}
	routes := map[string]*route{
		PathVerify:      newRoute(PathVerify, allowPost, s.handleVerify, verifyCodes...),
		PathVerifyBatch: newRoute(PathVerifyBatch, allowPost, s.handleBatch, verifyCodes...),
		PathHealthz:     newRoute(PathHealthz, allowGet, s.handleHealthz, "200", "503"),
		// Scrapes are not counted.
		PathMetrics: newRoute(PathMetrics, allowGet, nil),
	}
	routes[PathMetrics].serve = promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
	notFound := instrument(HandlerOther, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint at %q (the endpoints: POST %s, POST %s, GET %s, GET %s)",
			clip(r.URL.Path, 64), PathVerify, PathVerifyBatch, PathMetrics, PathHealthz))
	}, "404")
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[r.URL.Path]
		switch {
		case !ok:
			notFound.ServeHTTP(w, r)
		case slices.Contains(rt.methods, r.Method):
			rt.serve.ServeHTTP(w, r)
		default:
			rt.refuse.ServeHTTP(w, r)
		}
	})
	return nil
}

// clip returns s, cut to at most n bytes (with "..." when cut), for an
// error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Media types of the requests.
const (
	mediaJSON = "application/json"
	// The media types each endpoint accepts, as its 415 answers' Accept
	// header lists them.
	acceptVerify = mediaJSON
	acceptBatch  = mediaJSON + ", " + ContentTypeBatch
)

// requestMediaType returns the media type of r's body, application/json or,
// if binary is allowed, the binary batch form's; anything else, or no
// Content-Type, is a 415. Parameters (charset=utf-8) are ignored and the
// media type is compared case-insensitively.
func requestMediaType(r *http.Request, binary bool) (string, error) {
	accepted := mediaJSON
	if binary {
		accepted = mediaJSON + " or " + ContentTypeBatch
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("no Content-Type: %s accepts %s", r.URL.Path, accepted)}
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		mt = ""
	}
	if mt == mediaJSON || binary && mt == ContentTypeBatch {
		return mt, nil
	}
	return "", &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q is not accepted: %s accepts %s", clip(ct, 100), r.URL.Path, accepted)}
}

const maxPooledBuf = 1 << 20

// getBuf returns an empty request body buffer from the server's pool.
func (s *Server) getBuf() *bytes.Buffer {
	if b, ok := s.bufs.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// putBuf returns b to the pool unless it grew past maxPooledBuf.
func (s *Server) putBuf(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuf {
		return
	}
	b.Reset()
	s.bufs.Put(b)
}

// readBody reads the request body, at most MaxBody bytes, into buf.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) error {
	if r.ContentLength > s.cfg.MaxBody {
		return s.tooLarge(r.ContentLength)
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return s.tooLarge(-1)
		}
		return badRequest("reading the body: %v", err)
	}
	return nil
}

func (s *Server) tooLarge(n int64) error {
	if n >= 0 {
		return &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes exceeds the limit of %d bytes", n, s.cfg.MaxBody)}
	}
	return &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds the limit of %d bytes", s.cfg.MaxBody)}
}

// requestContext returns the context of the verification of r: it ends when
// the client goes away or after RequestTimeout.
func (s *Server) requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
}

// handleVerify serves POST /v1/verify.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if _, err := requestMediaType(r, false); err != nil {
		w.Header().Set("Accept", acceptVerify)
		s.badInput(w, batcher.OpVerify, err)
		return
	}
	buf := s.getBuf()
	defer s.putBuf(buf)
	if err := s.readBody(w, r, buf); err != nil {
		s.badInput(w, batcher.OpVerify, err)
		return
	}
	it, rules, err := decodeVerifyJSON(buf.Bytes(), s.cfg.DefaultRules)
	if err == nil {
		err = s.checkServed(rules)
	}
	if err != nil {
		s.badInput(w, batcher.OpVerify, err)
		return
	}
	sv := s.served[rules]
	if !sv.slots.acquire(1) {
		s.overloaded(w, batcher.OpVerify, rules, start)
		return
	}
	defer sv.slots.release(1)
	ctx, cancel := s.requestContext(r)
	defer cancel()
	// The Batcher reports the operation, its failures included.
	ok, err := sv.b.Verify(ctx, it.key, it.msg, it.sig)
	if err != nil {
		s.verifyFailed(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if ok {
		w.Write(answerValid)
	} else {
		w.Write(answerInvalid)
	}
}

// handleBatch serves POST /v1/verify/batch, JSON or binary.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	mt, err := requestMediaType(r, true)
	if err != nil {
		w.Header().Set("Accept", acceptBatch)
		s.badInput(w, batcher.OpVerifyBatch, err)
		return
	}
	bin := mt == ContentTypeBatch
	buf := s.getBuf()
	defer s.putBuf(buf)
	if err := s.readBody(w, r, buf); err != nil {
		s.badInput(w, batcher.OpVerifyBatch, err)
		return
	}
	var (
		items []item
		rules ed25519.Rules
	)
	if bin {
		items, rules, err = decodeBatchBinary(buf.Bytes(), s.cfg.DefaultRules, s.cfg.MaxItems)
	} else {
		items, rules, err = decodeBatchJSON(buf.Bytes(), s.cfg.DefaultRules, s.cfg.MaxItems)
	}
	if err == nil {
		err = s.checkServed(rules)
	}
	if err != nil {
		s.badInput(w, batcher.OpVerifyBatch, err)
		return
	}
	sv := s.served[rules]
	// At most window items of the request are in the Batcher at a time.
	need := int64(min(len(items), s.window))
	if !sv.slots.acquire(need) {
		s.overloaded(w, batcher.OpVerifyBatch, rules, start)
		return
	}
	defer sv.slots.release(need)
	ctx, cancel := s.requestContext(r)
	defer cancel()
	valid, err := s.verifyAll(ctx, sv.b, items)
	if err != nil {
		s.obs.ObserveOp(batcher.OpVerifyBatch, rules, batcher.ResultError, time.Since(start))
		s.obs.ObserveFailure(batcher.OpVerifyBatch, batcher.FailureKind(err))
		s.verifyFailed(w, r, err)
		return
	}
	res := batcher.ResultValid
	for _, v := range valid {
		if !v {
			res = batcher.ResultInvalid
			break
		}
	}
	s.obs.ObserveOp(batcher.OpVerifyBatch, rules, res, time.Since(start))
	// The body buffer is free: every Verify has returned.
	out := buf.Bytes()[:0]
	if bin {
		w.Header().Set("Content-Type", ContentTypeBatchResult)
		out = appendBatchBinary(out, valid)
	} else {
		w.Header().Set("Content-Type", "application/json")
		out = appendBatchJSON(out, valid)
	}
	w.Write(out)
}

// verifyAll verifies items through b, at most s.window at a time, and
// returns their verdicts, or the first error of any item (the others are
// then abandoned).
func (s *Server) verifyAll(ctx context.Context, b *batcher.Batcher, items []item) ([]bool, error) {
	valid := make([]bool, len(items))
	if len(items) == 1 {
		ok, err := b.Verify(ctx, items[0].key, items[0].msg, items[0].sig)
		valid[0] = ok
		return valid, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		done     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	n := int64(len(items))
	for range min(len(items), s.window) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				it := &items[i]
				ok, err := b.Verify(ctx, it.key, it.msg, it.sig)
				if err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
					return
				}
				valid[i] = ok
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if done.Load() < n {
		// The parent context ended between two items of a worker.
		return nil, context.Cause(ctx)
	}
	return valid, nil
}

// handleHealthz serves GET /healthz.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.closed.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("shutting down\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// checkServed returns a 400 unless the Server verifies under rules.
func (s *Server) checkServed(rules ed25519.Rules) error {
	if s.served[rules] != nil {
		return nil
	}
	names := make([]string, len(s.cfg.Rules))
	for i, r := range s.cfg.Rules {
		names[i] = r.String()
	}
	return badRequest("rules %v are not served here (served: %s)", rules, strings.Join(names, ", "))
}

// badInput answers a request refused before any verdict, one that could not
// be read or decoded or that names rules not served (400, 413 or 415), and
// counts it as bad input of op, and as no operation.
func (s *Server) badInput(w http.ResponseWriter, op string, err error) {
	s.obs.ObserveFailure(op, batcher.FailureBadInput)
	status := http.StatusBadRequest
	var re *requestError
	if errors.As(err, &re) {
		status = re.status
	}
	writeError(w, status, err.Error())
}

// overloaded answers a request refused admission: 503, counted as an
// overloaded failure of op.
func (s *Server) overloaded(w http.ResponseWriter, op string, rules ed25519.Rules, start time.Time) {
	s.obs.ObserveFailure(op, batcher.FailureOverloaded)
	s.obs.ObserveOp(op, rules, batcher.ResultError, time.Since(start))
	writeOverloaded(w)
}

func writeOverloaded(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, "overloaded: the verification queue is full; retry later")
}

// verifyFailed answers a request whose verification returned err.
func (s *Server) verifyFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case r.Context().Err() != nil:
		// The client is gone: nobody reads an answer.
	case errors.Is(err, batcher.ErrOverloaded):
		// Rare: admission keeps the queue from filling up, but requests
		// abandoned by their clients keep their place in the queue until
		// their batch forms.
		writeOverloaded(w)
	case errors.Is(err, batcher.ErrClosed):
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusServiceUnavailable, "shutting down")
	case errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("no verdict within the request time limit (%v); retry later", s.cfg.RequestTimeout))
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(errorBody{msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
