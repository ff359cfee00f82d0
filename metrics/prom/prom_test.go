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

	"github.com/ronkms/ronkms"
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

type outcome struct {
	ok  bool
	err error
}

func TestObserverScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	obs, err := prom.NewObserver(reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

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
	if n := len(fams[prom.OpsTotal].GetMetric()); n != 2*3*3 {
		t.Errorf("%s: %d series before any event, want 18", prom.OpsTotal, n)
	}
	if got := counter(t, fams, prom.OpsTotal, map[string]string{"op": "verify_batch", "alg": "ed25519-strict", "result": "error"}); got != 0 {
		t.Errorf("fresh counter is %d", got)
	}
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
	b, err := ronkms.NewBatcher(ronkms.BatcherConfig{
		Mode: ronkms.ModeZIP215, TargetBatch: 1, MaxBatch: 1, Pipeline: 1, MaxQueue: 1,
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
		if r := <-stalled; !errors.Is(r.err, ronkms.ErrOverloaded) {
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
	if _, err := b.Verify(ctx, valid.Pub, valid.Msg, valid.Sig); !errors.Is(err, ronkms.ErrClosed) {
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

// waitFor polls cond until it holds, failing t after a minute: the bound
// only keeps a hang from lasting until the test binary's timeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// gatedObserver stalls ObserveBatch (and with it the Batcher's verifier)
// until gate is closed.
type gatedObserver struct {
	*prom.Observer
	gate chan struct{}
}

func (g gatedObserver) ObserveBatch(s ronkms.BatchStats) {
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
	obs.ObserveOp(ronkms.OpVerifyBatch, ronkms.ModeStrict, ronkms.ResultInvalid, 3*time.Millisecond)
	obs.ObserveOp(ronkms.OpVerifyBatch, ronkms.ModeStrict, ronkms.ResultValid, 2*time.Millisecond)
	obs.ObserveOp(ronkms.OpVerifyBatch, ronkms.ModeStrict, ronkms.ResultValid, time.Millisecond)
	obs.ObserveFailure(ronkms.OpVerifyBatch, ronkms.FailureBadInput)
	obs.ObserveOp("sign", ronkms.ModeStdLib, ronkms.ResultValid, time.Microsecond)
	obs.ObserveFailure("sign", "no_key")
	obs.ObserveBatch(ronkms.BatchStats{Size: 1000, OldestWait: 300 * time.Microsecond})
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
	b, err := ronkms.NewBatcher(ronkms.BatcherConfig{Mode: ronkms.ModeStrict, Observer: obs})
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
