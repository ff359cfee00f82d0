package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// The families whose every series TestMetricsClaims follows.
var claimFamilies = []string{"kms_ops_total", "kms_failures_total", "kms_http_requests_total"}

// seriesKey names one series: name{label="value",...}, labels sorted.
func seriesKey(name string, labels map[string]string) string {
	var ls []string
	for k, v := range labels {
		ls = append(ls, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(ls)
	return name + "{" + strings.Join(ls, ",") + "}"
}

// Keys of the series of the claims, under the rules strict.
func opsKey(op, result string) string {
	return seriesKey("kms_ops_total", map[string]string{"op": op, "alg": "ed25519-strict", "result": result})
}

func failKey(op, kind string) string {
	return seriesKey("kms_failures_total", map[string]string{"op": op, "kind": kind})
}

func httpKey(handler, code string) string {
	return seriesKey("kms_http_requests_total", map[string]string{"handler": handler, "code": code})
}

// claimSeries returns every series of claimFamilies in fams.
func claimSeries(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, name := range claimFamilies {
		for _, m := range fams[name].GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			out[seriesKey(name, labels)] = m.GetCounter().GetValue()
		}
	}
	return out
}

// claimsEnv drives one Server through a real HTTP server and scrapes its
// /metrics around each scenario.
type claimsEnv struct {
	t      *testing.T
	s      *Server
	base   string
	client *http.Client
}

func newClaimsEnv(t *testing.T, cfg Config) *claimsEnv {
	s := newServer(t, cfg)
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &claimsEnv{t: t, s: s, base: hs.URL, client: hs.Client()}
}

// send makes one request and returns its status and body.
func (e *claimsEnv) send(method, path, ctype string, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// expect sends a request and checks its status.
func (e *claimsEnv) expect(status int, method, path, ctype string, body []byte) {
	e.t.Helper()
	if got, b := e.send(method, path, ctype, body); got != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, got, status, b)
	}
}

func (e *claimsEnv) series() map[string]float64 {
	e.t.Helper()
	return claimSeries(scrape(e.t, e.client, e.base+PathMetrics))
}

// delta runs do between two scrapes and returns the series that changed,
// by how much.
func (e *claimsEnv) delta(do func()) map[string]float64 {
	e.t.Helper()
	before := e.series()
	do()
	after := e.series()
	d := map[string]float64{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			e.t.Errorf("series %s vanished", k)
		}
	}
	return d
}

// check runs the scenario name: every series of claimFamilies must change
// by want, and no other.
func (e *claimsEnv) check(name string, do func(), want map[string]float64) {
	e.t.Helper()
	e.t.Run(name, func(t *testing.T) {
		t.Helper()
		e := *e
		e.t = t
		compareDeltas(t, e.delta(do), want)
	})
}

func compareDeltas(t *testing.T, got, want map[string]float64) {
	t.Helper()
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("%s changed by %v, want %v", k, got[k], want[k])
		}
	}
}

// TestMetricsClaims checks, by scraping /metrics through a real HTTP server,
// what the package documentation (Metrics) says each answer counts in
// kms_ops_total, kms_failures_total and kms_http_requests_total, and what
// package metrics/prom's says a Batcher counts, for: a valid signature, an
// invalid one, a malformed request (400), a body too large (413), an
// unsupported media type (415), an unknown path (404), a method not allowed
// (405), an overload (503), no verdict in time (503), a shutdown (503), a
// wrong-length key given to a Batcher directly (the library), and a scrape.
// Each scenario must change every series of the three families by exactly
// what is documented, and no other series.
func TestMetricsClaims(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	signer := testgen.NewSigner(rng)
	honest := func() testgen.Case { return signer.Honest(testgen.RandomMessage(rng, 40)) }
	forged := func() testgen.Case {
		c := honest()
		c.Msg = append(c.Msg, 1)
		return c
	}
	js := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const jsonType = "application/json"

	e := newClaimsEnv(t, Config{DefaultRules: ed25519.Strict, MaxBody: 4096, MaxItems: 8})

	// The series of the codes each handler answers exist from the start.
	start := e.series()
	for handler, codes := range map[string][]string{
		PathVerify:      {"200", "400", "405", "413", "415", "500", "503"},
		PathVerifyBatch: {"200", "400", "405", "413", "415", "500", "503"},
		PathHealthz:     {"200", "405", "503"},
		PathMetrics:     {"405"},
		HandlerOther:    {"404"},
	} {
		for _, code := range codes {
			if v, ok := start[httpKey(handler, code)]; !ok || v != 0 {
				t.Errorf("at the start, %s = %v (exposed: %v), want 0", httpKey(handler, code), v, ok)
			}
		}
	}
	var handlers []string
	for k := range start {
		if strings.HasPrefix(k, "kms_http_requests_total{") {
			h := k[strings.Index(k, `handler="`)+len(`handler="`):]
			if h = h[:strings.IndexByte(h, '"')]; !slices.Contains(handlers, h) {
				handlers = append(handlers, h)
			}
		}
	}
	slices.Sort(handlers)
	if want := []string{PathHealthz, PathMetrics, PathVerify, PathVerifyBatch, HandlerOther}; !slices.Equal(handlers, want) {
		t.Errorf("handler labels %v, want %v", handlers, want)
	}

	e.check("200 valid signature", func() {
		e.expect(200, "POST", PathVerify, jsonType, js(verifyReq(honest(), "")))
	}, map[string]float64{opsKey("verify", "valid"): 1, httpKey(PathVerify, "200"): 1})

	e.check("200 invalid signature", func() {
		e.expect(200, "POST", PathVerify, jsonType, js(verifyReq(forged(), "strict")))
	}, map[string]float64{opsKey("verify", "invalid"): 1, httpKey(PathVerify, "200"): 1})

	e.check("200 batch, all valid", func() {
		e.expect(200, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{honest(), honest(), honest()}, "")))
	}, map[string]float64{opsKey("verify", "valid"): 3, opsKey("verify_batch", "valid"): 1, httpKey(PathVerifyBatch, "200"): 1})

	e.check("200 batch with an invalid signature", func() {
		e.expect(200, "POST", PathVerifyBatch, ContentTypeBatch, binaryBatch([]testgen.Case{honest(), forged(), honest()}, 2))
		e.expect(200, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{forged()}, "strict")))
	}, map[string]float64{
		opsKey("verify", "valid"): 2, opsKey("verify", "invalid"): 2, opsKey("verify_batch", "invalid"): 2,
		httpKey(PathVerifyBatch, "200"): 2,
	})

	short := honest()
	short.Sig = short.Sig[:63]
	e.check("400 malformed", func() {
		e.expect(400, "POST", PathVerify, jsonType, []byte(`{"key":"a","key":"b"}`))
		e.expect(400, "POST", PathVerify, jsonType, js(verifyReq(short, "")))
		e.expect(400, "POST", PathVerify, jsonType, js(verifyReq(honest(), "cofactored"))) // not served
		e.expect(400, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{honest(), short, honest()}, "")))
		e.expect(400, "POST", PathVerifyBatch, jsonType, []byte(`{"items":[]}`))
		e.expect(400, "POST", PathVerifyBatch, ContentTypeBatch, []byte{2, 0, 0, 0, 0})
		e.expect(400, "POST", PathVerifyBatch, ContentTypeBatch, []byte{2, 0, 0, 0, 1})
	}, map[string]float64{
		failKey("verify", "bad_input"): 3, httpKey(PathVerify, "400"): 3,
		failKey("verify_batch", "bad_input"): 4, httpKey(PathVerifyBatch, "400"): 4,
	})

	big := honest()
	big.Msg = make([]byte, 4096)
	e.check("413", func() {
		e.expect(413, "POST", PathVerify, jsonType, js(verifyReq(big, "")))
		e.expect(413, "POST", PathVerifyBatch, ContentTypeBatch, binaryBatch([]testgen.Case{big}, 0))
		e.expect(413, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{big}, "")))
	}, map[string]float64{
		failKey("verify", "bad_input"): 1, httpKey(PathVerify, "413"): 1,
		failKey("verify_batch", "bad_input"): 2, httpKey(PathVerifyBatch, "413"): 2,
	})

	e.check("415", func() {
		e.expect(415, "POST", PathVerify, "application/x-www-form-urlencoded", js(verifyReq(honest(), "")))
		e.expect(415, "POST", PathVerify, "", js(verifyReq(honest(), "")))
		e.expect(415, "POST", PathVerifyBatch, "text/plain", js(batchReq([]testgen.Case{honest()}, "")))
	}, map[string]float64{
		failKey("verify", "bad_input"): 2, httpKey(PathVerify, "415"): 2,
		failKey("verify_batch", "bad_input"): 1, httpKey(PathVerifyBatch, "415"): 1,
	})

	e.check("404", func() {
		e.expect(404, "GET", "/nope", "", nil)
		e.expect(404, "POST", "/v1/verify/", jsonType, js(verifyReq(honest(), "")))
		e.expect(404, "GET", "/metrics/x", "", nil)
	}, map[string]float64{httpKey(HandlerOther, "404"): 3})

	e.check("405", func() {
		e.expect(405, "GET", PathVerify, "", nil)
		e.expect(405, "PUT", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{honest()}, "")))
		e.expect(405, "POST", PathHealthz, "", nil)
		e.expect(405, "POST", PathMetrics, "", nil)
	}, map[string]float64{
		httpKey(PathVerify, "405"): 1, httpKey(PathVerifyBatch, "405"): 1,
		httpKey(PathHealthz, "405"): 1, httpKey(PathMetrics, "405"): 1,
	})

	e.check("200 healthz, and scrapes, uncounted", func() {
		e.expect(200, "GET", PathHealthz, "", nil)
		e.expect(200, "GET", PathMetrics, "", nil)
		e.expect(200, "HEAD", PathMetrics, "", nil)
	}, map[string]float64{httpKey(PathHealthz, "200"): 1})

	// package metrics/prom: a Batcher given a key of the wrong length
	// returns a false verdict, counted as result invalid and as bad_input.
	e.check("library: a 31-byte key given to a Batcher", func() {
		c := honest()
		ok, err := e.s.served[ed25519.Strict].b.Verify(context.Background(), c.Pub[:31], c.Msg, c.Sig)
		if ok || err != nil {
			t.Errorf("Batcher.Verify of a 31-byte key: %v, %v; want false, nil", ok, err)
		}
	}, map[string]float64{opsKey("verify", "invalid"): 1, failKey("verify", "bad_input"): 1})

	t.Run("overload", func(t *testing.T) {
		// As TestOverload: one request holds the only slot.
		e := newClaimsEnv(t, Config{
			DefaultRules: ed25519.Strict,
			Batcher:      batcher.Config{MaxQueue: 1, TargetBatch: 64, MaxWait: time.Hour, Workers: 1},
		})
		held := make(chan int, 1)
		go func() {
			st, _ := e.send("POST", PathVerify, jsonType, js(verifyReq(honest(), "")))
			held <- st
		}()
		slots := &e.s.served[ed25519.Strict].slots
		for i := 0; slots.used.Load() != 1; i++ {
			if i == 60_000 { // polls a millisecond apart: bounds a hang only
				t.Fatal("the first request never took the slot")
			}
			time.Sleep(time.Millisecond)
		}
		e.check("503 overloaded", func() {
			e.expect(503, "POST", PathVerify, jsonType, js(verifyReq(honest(), "")))
			e.expect(503, "POST", PathVerify, jsonType, js(verifyReq(forged(), "")))
			e.expect(503, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{honest(), honest()}, "")))
			e.expect(503, "POST", PathVerifyBatch, ContentTypeBatch, binaryBatch([]testgen.Case{honest()}, 2))
		}, map[string]float64{
			opsKey("verify", "error"): 2, failKey("verify", "overloaded"): 2, httpKey(PathVerify, "503"): 2,
			opsKey("verify_batch", "error"): 2, failKey("verify_batch", "overloaded"): 2, httpKey(PathVerifyBatch, "503"): 2,
		})
		e.check("shutting down: the held request's verdict", func() {
			e.s.Close() // flushes the held request's batch
			if st := <-held; st != 200 {
				t.Errorf("held request: status %d", st)
			}
		}, map[string]float64{opsKey("verify", "valid"): 1, httpKey(PathVerify, "200"): 1})
	})

	t.Run("time limit and shutdown", func(t *testing.T) {
		// Batches wait an hour to fill: no verdict comes in time.
		e := newClaimsEnv(t, Config{
			DefaultRules:   ed25519.Strict,
			RequestTimeout: 50 * time.Millisecond,
			Batcher:        batcher.Config{TargetBatch: 256, MaxWait: time.Hour},
		})
		e.check("503 no verdict in time, single", func() {
			e.expect(503, "POST", PathVerify, jsonType, js(verifyReq(honest(), "")))
		}, map[string]float64{opsKey("verify", "error"): 1, failKey("verify", "deadline_exceeded"): 1, httpKey(PathVerify, "503"): 1})

		// The items a batch request had submitted when its time ran out
		// count under verify, each with its failure; how many depends on
		// timing (at most all 3).
		t.Run("503 no verdict in time, batch", func(t *testing.T) {
			e := *e
			e.t = t
			got := e.delta(func() {
				e.expect(503, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{honest(), honest(), honest()}, "")))
			})
			items := got[opsKey("verify", "error")]
			if items < 0 || items > 3 || got[failKey("verify", "deadline_exceeded")] != items {
				t.Errorf("items counted: %v errors, %v deadline_exceeded failures; want as many, 0 to 3", items, got[failKey("verify", "deadline_exceeded")])
			}
			delete(got, opsKey("verify", "error"))
			delete(got, failKey("verify", "deadline_exceeded"))
			compareDeltas(t, got, map[string]float64{
				opsKey("verify_batch", "error"): 1, failKey("verify_batch", "deadline_exceeded"): 1, httpKey(PathVerifyBatch, "503"): 1,
			})
		})

		e.s.Close()
		e.check("503 shutting down, single", func() {
			e.expect(503, "POST", PathVerify, jsonType, js(verifyReq(honest(), "")))
		}, map[string]float64{opsKey("verify", "error"): 1, failKey("verify", "closed"): 1, httpKey(PathVerify, "503"): 1})

		// A batch request's first item to fail meets ErrClosed; the
		// others are abandoned, or fail as canceled if in flight.
		t.Run("503 shutting down, batch", func(t *testing.T) {
			e := *e
			e.t = t
			got := e.delta(func() {
				e.expect(503, "POST", PathVerifyBatch, jsonType, js(batchReq([]testgen.Case{honest(), honest(), honest()}, "")))
			})
			items, closed, canceled := got[opsKey("verify", "error")], got[failKey("verify", "closed")], got[failKey("verify", "canceled")]
			if closed < 1 || items != closed+canceled || items > 3 {
				t.Errorf("items counted: %v errors, %v closed, %v canceled; want 1 to 3 errors, at least one closed", items, closed, canceled)
			}
			for _, k := range []string{opsKey("verify", "error"), failKey("verify", "closed"), failKey("verify", "canceled")} {
				delete(got, k)
			}
			compareDeltas(t, got, map[string]float64{
				opsKey("verify_batch", "error"): 1, failKey("verify_batch", "closed"): 1, httpKey(PathVerifyBatch, "503"): 1,
			})
		})
	})
}
