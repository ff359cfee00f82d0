package prom_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/metrics/prom"
)

// scrape fetches url and parses the text exposition format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("GET %s: Content-Type %q, want the text format", url, ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the exposition format: %v", err)
	}
	return fams
}

func labelsMatch(m *dto.Metric, labels map[string]string) bool {
	if len(m.GetLabel()) != len(labels) {
		return false
	}
	for _, lp := range m.GetLabel() {
		if v, ok := labels[lp.GetName()]; !ok || v != lp.GetValue() {
			return false
		}
	}
	return true
}

// series returns the metric of family name with exactly labels.
func series(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("metric %s not exposed", name)
	}
	for _, m := range f.GetMetric() {
		if labelsMatch(m, labels) {
			return m
		}
	}
	t.Fatalf("metric %s has no series %v", name, labels)
	return nil
}

func counter(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) int {
	t.Helper()
	return int(series(t, fams, name, labels).GetCounter().GetValue())
}

// counterOrZero returns the value of the counter of family name with
// exactly labels, or 0 if there is no such series.
func counterOrZero(fams map[string]*dto.MetricFamily, name string, labels map[string]string) int {
	for _, m := range fams[name].GetMetric() {
		if labelsMatch(m, labels) {
			return int(m.GetCounter().GetValue())
		}
	}
	return 0
}

type outcome struct {
	ok  bool
	err error
}

// newScrapedObserver returns an Observer on a new registry and an HTTP
// server exposing that registry, closed when t ends.
func newScrapedObserver(t *testing.T) (*prom.Observer, *httptest.Server) {
	t.Helper()
	reg := prometheus.NewRegistry()
	obs, err := prom.NewObserver(reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return obs, srv
}

func TestObserverScrape(t *testing.T) {
	obs, srv := newScrapedObserver(t)

	// Before any event: every family is exposed, every known series at 0.
	fams := scrape(t, srv.URL)
	wantTypes := map[string]dto.MetricType{
		prom.OpsTotal:        dto.MetricType_COUNTER,
		prom.FailuresTotal:   dto.MetricType_COUNTER,
		prom.OpLatency:       dto.MetricType_HISTOGRAM,
		prom.BatchSize:       dto.MetricType_HISTOGRAM,
		prom.BatchWait:       dto.MetricType_HISTOGRAM,
		prom.QueueDepth:      dto.MetricType_GAUGE,
		prom.KeyCacheLookups: dto.MetricType_COUNTER,
		prom.KeyCacheSize:    dto.MetricType_GAUGE,
	}
	var names []string
	for name := range fams {
		names = append(names, name)
	}
	sort.Strings(names)
	want := []string{"kms_batch_size", "kms_batch_wait_seconds", "kms_failures_total", "kms_key_cache_lookups_total", "kms_key_cache_size", "kms_op_latency_seconds", "kms_ops_total", "kms_queue_depth"}
	if !slices.Equal(names, want) {
		t.Fatalf("exposed families %v, want %v", names, want)
	}
	for name, typ := range wantTypes {
		if got := fams[name].GetType(); got != typ {
			t.Errorf("%s: type %v, want %v", name, got, typ)
		}
		if fams[name].GetHelp() == "" {
			t.Errorf("%s: no HELP", name)
		}
	}
	// 7 presets x 2 ops x 3 results.
	if n := len(fams[prom.OpsTotal].GetMetric()); n != 42 || n != len(ed25519.Presets())*2*3 {
		t.Errorf("%s: %d series before any event, want 42", prom.OpsTotal, n)
	}
	if got := counter(t, fams, prom.OpsTotal, map[string]string{"op": "verify_batch", "alg": "ed25519-strict", "result": "error"}); got != 0 {
		t.Errorf("fresh counter is %d", got)
	}
	checkPresetSeries(t, fams)
	bs := series(t, fams, prom.BatchSize, nil).GetHistogram()
	var bounds []float64
	for _, bk := range bs.GetBucket() {
		bounds = append(bounds, bk.GetUpperBound())
	}
	// The text format lists the +Inf bucket too.
	if len(bounds) != 12 || bounds[0] != 1 || bounds[10] != 1024 || !math.IsInf(bounds[11], 1) {
		t.Errorf("%s buckets %v, want 1, 2, 4, ..., 1024", prom.BatchSize, bounds)
	}

	// Drive a Batcher: valid, invalid and malformed signatures, canceled
	// contexts, an overload and calls after Close.
	rng := rand.New(rand.NewPCG(1, 2))
	s := testgen.NewSigner(rng)
	gate := make(chan struct{})
	b, err := batcher.New(batcher.Config{
		Rules: ed25519.ZIP215, TargetBatch: 1, MaxBatch: 1, Pipeline: 1, MaxQueue: 1,
		Observer: gatedObserver{obs, gate},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	valid, invalid := s.Honest([]byte("valid")), testgen.Mutate(rng, s.Honest([]byte("invalid")))

	// Stall the only verifier after its first batch. Then there is room
	// for two requests (one in the collector, one in the queue), and of
	// seven concurrent calls five are overloaded at once, whatever the
	// timing; the two others wait behind the stall.
	results := make(chan outcome, 16)
	ok, err := b.Verify(ctx, valid.Pub, valid.Msg, valid.Sig)
	results <- outcome{ok, err}
	const calls = 7
	stalled := make(chan outcome, calls)
	for i := range calls {
		c := valid
		if i == 2 {
			c = invalid
		}
		go func() {
			ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig)
			stalled <- outcome{ok, err}
		}()
	}
	overloaded := calls - 2
	for range overloaded {
		if r := <-stalled; !errors.Is(r.err, batcher.ErrOverloaded) {
			t.Fatalf("with room for two of %d calls: %v, %v; want ErrOverloaded", calls, r.ok, r.err)
		}
	}
	// While stalled, the gauge shows waiting requests: sampled by the
	// collector when it takes a request and at its last hand-off, so 1 or
	// 2, once it has taken the first.
	var depth float64
	waitFor(t, "a queue depth sample", func() bool {
		depth = series(t, scrape(t, srv.URL), prom.QueueDepth, nil).GetGauge().GetValue()
		return depth >= 1
	})
	if depth > 2 {
		t.Errorf("%s = %v with one request in the collector and one queued, want 1 or 2", prom.QueueDepth, depth)
	}
	close(gate)
	for range 2 {
		results <- <-stalled
	}
	close(results)
	validN, invalidN := 0, 0
	for r := range results {
		switch {
		case r.err != nil:
			t.Errorf("accepted call: %v", r.err)
		case r.ok:
			validN++
		default:
			invalidN++
		}
	}
	// The first call and two of the seven (one of which was invalid):
	// which two depends on the order in which they arrived.
	if validN+invalidN != 3 || validN < 2 {
		t.Errorf("%d valid and %d invalid verdicts, want 3 in all, 2 or 3 valid", validN, invalidN)
	}

	for range 5 {
		ok, err := b.Verify(ctx, valid.Pub, valid.Msg, valid.Sig)
		if !ok || err != nil {
			t.Fatalf("valid: %v, %v", ok, err)
		}
		validN++
	}
	for range 4 {
		ok, err := b.Verify(ctx, invalid.Pub, invalid.Msg, invalid.Sig)
		if ok || err != nil {
			t.Fatalf("invalid: %v, %v", ok, err)
		}
		invalidN++
	}
	for range 3 { // malformed: a false verdict, never queued
		if ok, err := b.Verify(ctx, valid.Pub[:31], valid.Msg, valid.Sig); ok || err != nil {
			t.Fatalf("malformed: %v, %v", ok, err)
		}
		invalidN++
	}
	canceledCtx, cancel := context.WithCancel(ctx)
	cancel()
	for range 2 {
		if _, err := b.Verify(canceledCtx, valid.Pub, valid.Msg, valid.Sig); !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled: %v", err)
		}
	}
	expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	if _, err := b.Verify(expired, valid.Pub, valid.Msg, valid.Sig); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expired: %v", err)
	}
	b.Close()
	if _, err := b.Verify(ctx, valid.Pub, valid.Msg, valid.Sig); !errors.Is(err, batcher.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}

	fams = scrape(t, srv.URL)
	alg := "ed25519-zip215"
	errorsN := overloaded + 2 + 1 + 1
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   int
	}{
		{prom.OpsTotal, map[string]string{"op": "verify", "alg": alg, "result": "valid"}, validN},
		{prom.OpsTotal, map[string]string{"op": "verify", "alg": alg, "result": "invalid"}, invalidN},
		{prom.OpsTotal, map[string]string{"op": "verify", "alg": alg, "result": "error"}, errorsN},
		{prom.OpsTotal, map[string]string{"op": "verify", "alg": "ed25519-stdlib", "result": "valid"}, 0},
		{prom.FailuresTotal, map[string]string{"op": "verify", "kind": "overloaded"}, overloaded},
		{prom.FailuresTotal, map[string]string{"op": "verify", "kind": "canceled"}, 2},
		{prom.FailuresTotal, map[string]string{"op": "verify", "kind": "deadline_exceeded"}, 1},
		{prom.FailuresTotal, map[string]string{"op": "verify", "kind": "closed"}, 1},
		{prom.FailuresTotal, map[string]string{"op": "verify", "kind": "bad_input"}, 3},
		{prom.FailuresTotal, map[string]string{"op": "verify", "kind": "other"}, 0},
	} {
		if got := counter(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %d, want %d", c.name, c.labels, got, c.want)
		}
	}
	lat := series(t, fams, prom.OpLatency, map[string]string{"op": "verify"}).GetHistogram()
	if got, want := int(lat.GetSampleCount()), validN+invalidN+errorsN; got != want {
		t.Errorf("%s{op=verify} count %d, want %d", prom.OpLatency, got, want)
	}
	if lat.GetSampleSum() <= 0 {
		t.Errorf("%s{op=verify} sum %v", prom.OpLatency, lat.GetSampleSum())
	}
	// Every queued signature was verified in a batch of one (MaxBatch 1).
	queued := validN + invalidN - 3
	size := series(t, fams, prom.BatchSize, nil).GetHistogram()
	if int(size.GetSampleCount()) != queued || int(size.GetSampleSum()) != queued {
		t.Errorf("%s: %d batches of %v signatures, want %d of %d", prom.BatchSize, size.GetSampleCount(), size.GetSampleSum(), queued, queued)
	}
	if got := size.GetBucket()[0].GetCumulativeCount(); int(got) != queued {
		t.Errorf("%s: %d batches of size <= 1, want %d", prom.BatchSize, got, queued)
	}
	wait := series(t, fams, prom.BatchWait, nil).GetHistogram()
	if int(wait.GetSampleCount()) != queued {
		t.Errorf("%s: count %d, want %d", prom.BatchWait, wait.GetSampleCount(), queued)
	}
	if got := series(t, fams, prom.QueueDepth, nil).GetGauge().GetValue(); got != 0 {
		t.Errorf("%s = %v after Close, want 0", prom.QueueDepth, got)
	}
	// One key lookup per batch (one signature each). The valid signatures
	// share one key: after the first, every one is a hit. The invalid one's
	// key may be remembered or not (a signature whose s is out of range
	// never needs its key decoded).
	hits := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": alg, "result": "hit"})
	misses := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": alg, "result": "miss"})
	if hits+misses != queued || hits < 5 {
		t.Errorf("%s: %d hits and %d misses for %d batches of one, want at least 5 hits", prom.KeyCacheLookups, hits, misses, queued)
	}
	if got := series(t, fams, prom.KeyCacheSize, map[string]string{"alg": alg}).GetGauge().GetValue(); got < 1 || got > 2 {
		t.Errorf("%s = %v with one or two keys seen, want 1 or 2", prom.KeyCacheSize, got)
	}
}

// waitFor polls cond until it holds, failing t after 60,000 polls a
// millisecond apart (a minute at least): the bound only keeps a hang from
// lasting until the test binary's timeout; nothing is timed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i == 60_000 {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// gatedObserver stalls ObserveBatch (and with it the Batcher's verifier)
// until gate is closed.
type gatedObserver struct {
	*prom.Observer
	gate chan struct{}
}

func (g gatedObserver) ObserveBatch(s batcher.BatchStats) {
	g.Observer.ObserveBatch(s)
	<-g.gate
}

func TestObserverDirectCalls(t *testing.T) {
	reg := prometheus.NewRegistry()
	obs, err := prom.NewObserver(reg)
	if err != nil {
		t.Fatal(err)
	}
	// A service reporting its own batch endpoint and decoding failures,
	// and label values this package does not know in advance.
	obs.ObserveOp(batcher.OpVerifyBatch, ed25519.Strict, batcher.ResultInvalid, 3*time.Millisecond)
	obs.ObserveOp(batcher.OpVerifyBatch, ed25519.Strict, batcher.ResultValid, 2*time.Millisecond)
	obs.ObserveOp(batcher.OpVerifyBatch, ed25519.Strict, batcher.ResultValid, time.Millisecond)
	obs.ObserveFailure(batcher.OpVerifyBatch, batcher.FailureBadInput)
	obs.ObserveOp("sign", ed25519.StdLib, batcher.ResultValid, time.Microsecond)
	obs.ObserveFailure("sign", "no_key")
	obs.ObserveBatch(batcher.BatchStats{Size: 1000, OldestWait: 300 * time.Microsecond})
	obs.ObserveQueueDepth(17)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	fams := map[string]*dto.MetricFamily{}
	for _, f := range mfs {
		fams[f.GetName()] = f
	}
	// The same through the exposition format.
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	scraped := scrape(t, srv.URL)
	for _, fs := range []map[string]*dto.MetricFamily{fams, scraped} {
		for _, c := range []struct {
			name   string
			labels map[string]string
			want   int
		}{
			{prom.OpsTotal, map[string]string{"op": "verify_batch", "alg": "ed25519-strict", "result": "valid"}, 2},
			{prom.OpsTotal, map[string]string{"op": "verify_batch", "alg": "ed25519-strict", "result": "invalid"}, 1},
			{prom.OpsTotal, map[string]string{"op": "sign", "alg": "ed25519-stdlib", "result": "valid"}, 1},
			{prom.FailuresTotal, map[string]string{"op": "verify_batch", "kind": "bad_input"}, 1},
			{prom.FailuresTotal, map[string]string{"op": "sign", "kind": "no_key"}, 1},
		} {
			if got := counter(t, fs, c.name, c.labels); got != c.want {
				t.Errorf("%s%v = %d, want %d", c.name, c.labels, got, c.want)
			}
		}
		lat := series(t, fs, prom.OpLatency, map[string]string{"op": "verify_batch"}).GetHistogram()
		if lat.GetSampleCount() != 3 || fmt.Sprintf("%.4f", lat.GetSampleSum()) != "0.0060" {
			t.Errorf("%s{op=verify_batch}: count %d, sum %v; want 3, 0.006", prom.OpLatency, lat.GetSampleCount(), lat.GetSampleSum())
		}
		size := series(t, fs, prom.BatchSize, nil).GetHistogram()
		if b := size.GetBucket(); b[9].GetCumulativeCount() != 0 || b[10].GetCumulativeCount() != 1 {
			t.Errorf("%s: a batch of 1000 is not in the 1024 bucket: %v", prom.BatchSize, b)
		}
		wait := series(t, fs, prom.BatchWait, nil).GetHistogram()
		for _, bk := range wait.GetBucket() {
			want := uint64(0)
			if bk.GetUpperBound() >= 300e-6 {
				want = 1
			}
			if bk.GetCumulativeCount() != want {
				t.Errorf("%s: bucket le=%v holds %d, want %d", prom.BatchWait, bk.GetUpperBound(), bk.GetCumulativeCount(), want)
			}
		}
		if got := series(t, fs, prom.QueueDepth, nil).GetGauge().GetValue(); got != 17 {
			t.Errorf("%s = %v, want 17", prom.QueueDepth, got)
		}
	}
}

func TestObserverRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := prom.NewObserver(reg); err != nil {
		t.Fatal(err)
	}
	_, err := prom.NewObserver(reg)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		t.Errorf("second NewObserver on one registry: %v, want AlreadyRegisteredError", err)
	}

	// A clash on one name registers nothing.
	reg = prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: prom.QueueDepth, Help: "taken"}))
	if _, err := prom.NewObserver(reg); err == nil {
		t.Fatal("NewObserver with kms_queue_depth taken: no error")
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 || mfs[0].GetName() != prom.QueueDepth {
		t.Errorf("after a failed NewObserver the registry holds %d families", len(mfs))
	}
}

func ExampleNewObserver() {
	reg := prometheus.NewRegistry()
	obs, err := prom.NewObserver(reg)
	if err != nil {
		panic(err)
	}
	b, err := batcher.New(batcher.Config{Rules: ed25519.Strict, Observer: obs})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	// Serve the registry; a service mounts this on its mux as /metrics.
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

	b.Verify(context.Background(), make([]byte, 31), []byte("msg"), make([]byte, 64)) // malformed key

	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, `kms_ops_total{alg="ed25519-strict",op="verify"`) ||
			strings.HasPrefix(line, `kms_failures_total{kind="bad_input",op="verify"}`) {
			fmt.Println(line)
		}
	}
	// Output:
	// kms_failures_total{kind="bad_input",op="verify"} 1
	// kms_ops_total{alg="ed25519-strict",op="verify",result="error"} 0
	// kms_ops_total{alg="ed25519-strict",op="verify",result="invalid"} 1
	// kms_ops_total{alg="ed25519-strict",op="verify",result="valid"} 0
}

// presetAlgs are the alg labels of package ed25519's presets.
var presetAlgs = []string{
	"ed25519-stdlib", "ed25519-strict", "ed25519-zip215",
	"ed25519-libsodium", "ed25519-fips186-5", "ed25519-voi-default", "ed25519-oasis",
}

// checkPresetSeries checks that fams, scraped before any event, has the
// series of every preset at zero, and no other alg.
func checkPresetSeries(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	var algs []string
	for _, r := range ed25519.Presets() {
		algs = append(algs, "ed25519-"+r.String())
	}
	if !slices.Equal(algs, presetAlgs) {
		t.Fatalf("alg labels of the presets %v, want %v", algs, presetAlgs)
	}
	for _, alg := range presetAlgs {
		for _, op := range []string{"verify", "verify_batch"} {
			for _, res := range []string{"valid", "invalid", "error"} {
				if got := counter(t, fams, prom.OpsTotal, map[string]string{"op": op, "alg": alg, "result": res}); got != 0 {
					t.Errorf("%s{op=%s,alg=%s,result=%s} = %d before any event", prom.OpsTotal, op, alg, res, got)
				}
			}
		}
		for _, res := range []string{"hit", "miss"} {
			if got := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": alg, "result": res}); got != 0 {
				t.Errorf("%s{alg=%s,result=%s} = %d before any event", prom.KeyCacheLookups, alg, res, got)
			}
		}
		if got := series(t, fams, prom.KeyCacheSize, map[string]string{"alg": alg}).GetGauge().GetValue(); got != 0 {
			t.Errorf("%s{alg=%s} = %v before any event", prom.KeyCacheSize, alg, got)
		}
	}
	for name, n := range map[string]int{prom.OpsTotal: 42, prom.KeyCacheLookups: 14, prom.KeyCacheSize: 7} {
		if got := len(fams[name].GetMetric()); got != n {
			t.Errorf("%s: %d series before any event, want %d (the presets')", name, got, n)
		}
		for _, m := range fams[name].GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "alg" && !slices.Contains(presetAlgs, lp.GetValue()) {
					t.Errorf("%s: series of alg %q before any event", name, lp.GetValue())
				}
			}
		}
	}
}

// TestObserverRules: the presets beyond stdlib, strict and zip215 have
// their own series; rules of no preset get a series of their own, labeled
// with their String, on first use; rules outside the five choices too.
func TestObserverRules(t *testing.T) {
	obs, srv := newScrapedObserver(t)
	checkPresetSeries(t, scrape(t, srv.URL))

	custom := ed25519.ZIP215 | ed25519.RejectSmallOrderA
	const customAlg = "ed25519-reject-small-order-a+allow-noncanonical-r+cofactored"
	const bogus = ed25519.Rules(0xc0) // no valid rules: outside the five bits
	// Presets i = 3..6 get i valid verifications, one invalid batch and
	// an error; the custom rules 2 valid, 1 invalid; the bogus ones 1 error.
	want := map[[3]string]int{}
	for i, r := range ed25519.Presets()[3:] {
		alg := presetAlgs[3+i]
		for range 3 + i {
			obs.ObserveOp(batcher.OpVerify, r, batcher.ResultValid, time.Millisecond)
		}
		obs.ObserveOp(batcher.OpVerifyBatch, r, batcher.ResultInvalid, time.Millisecond)
		obs.ObserveOp(batcher.OpVerify, r, batcher.ResultError, time.Millisecond)
		want[[3]string{"verify", alg, "valid"}] = 3 + i
		want[[3]string{"verify_batch", alg, "invalid"}] = 1
		want[[3]string{"verify", alg, "error"}] = 1
	}
	obs.ObserveOp(batcher.OpVerify, custom, batcher.ResultValid, time.Millisecond)
	obs.ObserveOp(batcher.OpVerify, custom, batcher.ResultValid, time.Millisecond)
	obs.ObserveOp(batcher.OpVerify, custom, batcher.ResultInvalid, time.Millisecond)
	want[[3]string{"verify", customAlg, "valid"}] = 2
	want[[3]string{"verify", customAlg, "invalid"}] = 1
	obs.ObserveOp(batcher.OpVerifyBatch, bogus, batcher.ResultError, time.Millisecond)
	want[[3]string{"verify_batch", "ed25519-0xc0", "error"}] = 1

	obs.ObserveKeyCache(ed25519.FIPS186_5, 3, 2, 9)
	obs.ObserveKeyCache(ed25519.FIPS186_5, 1, 0, 10)
	obs.ObserveKeyCache(custom, 4, 1, 5)
	obs.ObserveKeyCache(custom, 0, 2, 7)
	obs.ObserveKeyCache(bogus, 1, 1, 1)

	fams := scrape(t, srv.URL)
	ops := fams[prom.OpsTotal].GetMetric()
	for _, m := range ops {
		var op, alg, res string
		for _, lp := range m.GetLabel() {
			switch lp.GetName() {
			case "op":
				op = lp.GetValue()
			case "alg":
				alg = lp.GetValue()
			case "result":
				res = lp.GetValue()
			}
		}
		if got, w := int(m.GetCounter().GetValue()), want[[3]string{op, alg, res}]; got != w {
			t.Errorf("%s{op=%s,alg=%s,result=%s} = %d, want %d", prom.OpsTotal, op, alg, res, got, w)
		}
	}
	for k, w := range want {
		if got := counter(t, fams, prom.OpsTotal, map[string]string{"op": k[0], "alg": k[1], "result": k[2]}); got != w {
			t.Errorf("%s%v = %d, want %d", prom.OpsTotal, k, got, w)
		}
	}
	// The presets' 42, and 2 of the custom rules and 1 of the bogus ones.
	if len(ops) != 42+3 {
		t.Errorf("%s: %d series, want 45", prom.OpsTotal, len(ops))
	}
	lat := series(t, fams, prom.OpLatency, map[string]string{"op": "verify"}).GetHistogram()
	if got := lat.GetSampleCount(); got != 3+4+5+6+4+3 {
		t.Errorf("%s{op=verify} count %d, want 25", prom.OpLatency, got)
	}
	for _, c := range []struct {
		alg                string
		hits, misses, size int
	}{
		{"ed25519-fips186-5", 4, 2, 10},
		{customAlg, 4, 3, 7},
		{"ed25519-0xc0", 1, 1, 1},
		{"ed25519-oasis", 0, 0, 0},
	} {
		hits := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": c.alg, "result": "hit"})
		misses := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": c.alg, "result": "miss"})
		size := series(t, fams, prom.KeyCacheSize, map[string]string{"alg": c.alg}).GetGauge().GetValue()
		if hits != c.hits || misses != c.misses || size != float64(c.size) {
			t.Errorf("key cache of %s: %d hits, %d misses, size %v; want %d, %d, %d", c.alg, hits, misses, size, c.hits, c.misses, c.size)
		}
	}
}

// TestObserverRulesBatchers drives Batchers of a preset beyond the original
// three and of rules of no preset through one Observer: each one's
// operations and key cache are reported under its own alg, with the
// verdicts of its rules' single verifier.
func TestObserverRulesBatchers(t *testing.T) {
	obs, srv := newScrapedObserver(t)

	rng := rand.New(rand.NewPCG(5, 6))
	s := testgen.NewSigner(rng)
	// Four honest signatures by one key and a torsioned R under it (valid
	// for cofactored rules), then the canonical identity as the public key
	// (valid for FIPS 186-5; its small order is rejected by the custom
	// rules, on the encoding, before any decoding).
	var cs []testgen.Case
	for i := range 4 {
		cs = append(cs, s.Honest([]byte{byte(i)}))
	}
	cs = append(cs, s.TorsionR(rng, []byte("torsion"), 8), testgen.SmallOrderA(rng, []byte("identity"), testgen.IdentityEncodings()[0]))
	custom := ed25519.ZIP215 | ed25519.RejectSmallOrderA
	ctx := context.Background()
	type tally struct{ valid, invalid int }
	got := map[ed25519.Rules]tally{}
	for _, r := range []ed25519.Rules{ed25519.FIPS186_5, custom} {
		// One verifier, one request at a time: each batch is one
		// signature, verified after the previous one's is reported.
		b, err := batcher.New(batcher.Config{Rules: r, Observer: obs, Pipeline: 1, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var n tally
		for i, c := range cs {
			ok, err := b.Verify(ctx, c.Pub, c.Msg, c.Sig)
			if err != nil {
				t.Fatalf("%v: case %d: %v", r, i, err)
			}
			if want := r.Verify(c.Pub, c.Msg, c.Sig); ok != want || ok != testgen.Reference(r, c) {
				t.Errorf("%v: case %d (%s): verdict %v, single verifier %v", r, i, c.Name, ok, want)
			}
			if ok {
				n.valid++
			} else {
				n.invalid++
			}
		}
		b.Close()
		got[r] = n
	}
	if got[ed25519.FIPS186_5] != (tally{6, 0}) || got[custom] != (tally{5, 1}) {
		t.Fatalf("verdicts: fips186-5 %+v, custom %+v; want 6 valid, and 5 valid 1 invalid", got[ed25519.FIPS186_5], got[custom])
	}

	fams := scrape(t, srv.URL)
	for _, c := range []struct {
		rules              ed25519.Rules
		alg                string
		hits, misses, size int
	}{
		// The signer's key is a miss, then a hit in each of the 4 later
		// batches; the identity key is a miss where it is decoded.
		{ed25519.FIPS186_5, "ed25519-fips186-5", 4, 2, 2},
		{custom, "ed25519-reject-small-order-a+allow-noncanonical-r+cofactored", 4, 1, 1},
	} {
		n := got[c.rules]
		for res, want := range map[string]int{"valid": n.valid, "invalid": n.invalid, "error": 0} {
			labels := map[string]string{"op": "verify", "alg": c.alg, "result": res}
			var v int
			if want == 0 && c.rules == custom {
				v = counterOrZero(fams, prom.OpsTotal, labels) // no series before the first
			} else {
				v = counter(t, fams, prom.OpsTotal, labels)
			}
			if v != want {
				t.Errorf("%s{op=verify,alg=%s,result=%s} = %d, want %d", prom.OpsTotal, c.alg, res, v, want)
			}
		}
		hits := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": c.alg, "result": "hit"})
		misses := counter(t, fams, prom.KeyCacheLookups, map[string]string{"alg": c.alg, "result": "miss"})
		size := series(t, fams, prom.KeyCacheSize, map[string]string{"alg": c.alg}).GetGauge().GetValue()
		if hits != c.hits || misses != c.misses || size != float64(c.size) {
			t.Errorf("key cache of %s: %d hits, %d misses, size %v; want %d, %d, %d", c.alg, hits, misses, size, c.hits, c.misses, c.size)
		}
	}
	size := series(t, fams, prom.BatchSize, nil).GetHistogram()
	if size.GetSampleCount() != 2*uint64(len(cs)) || int(size.GetSampleSum()) != 2*len(cs) {
		t.Errorf("%s: %d batches of %v signatures, want %d of one", prom.BatchSize, size.GetSampleCount(), size.GetSampleSum(), 2*len(cs))
	}
	for _, alg := range presetAlgs {
		if alg == "ed25519-fips186-5" {
			continue
		}
		for _, res := range []string{"valid", "invalid", "error"} {
			if v := counter(t, fams, prom.OpsTotal, map[string]string{"op": "verify", "alg": alg, "result": res}); v != 0 {
				t.Errorf("%s{op=verify,alg=%s,result=%s} = %d, want 0", prom.OpsTotal, alg, res, v)
			}
		}
	}
}
