package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

var b64 = base64.StdEncoding

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// do serves one request with s's handler.
func do(t *testing.T, s *Server, method, path, ctype string, body []byte) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return answer{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func post(t *testing.T, s *Server, path string, v any) answer {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, s, http.MethodPost, path, "application/json", body)
}

// verifyReq is a /v1/verify body naming rules in the field "rules" (""
// names none: the server's default).
func verifyReq(c testgen.Case, rules string) map[string]any {
	return verifyReqAs(c, "rules", rules)
}

// verifyReqAs is a /v1/verify body naming rules in field: "rules", or
// "mode", its former name.
func verifyReqAs(c testgen.Case, field, rules string) map[string]any {
	m := map[string]any{
		"key": b64.EncodeToString(c.Pub),
		"msg": b64.EncodeToString(c.Msg),
		"sig": b64.EncodeToString(c.Sig),
	}
	if rules != "" {
		m[field] = rules
	}
	return m
}

// batchReq is a JSON /v1/verify/batch body naming rules in the field
// "rules" ("" names none).
func batchReq(cs []testgen.Case, rules string) map[string]any {
	return batchReqAs(cs, "rules", rules)
}

// batchReqAs is a JSON /v1/verify/batch body naming rules in field.
func batchReqAs(cs []testgen.Case, field, rules string) map[string]any {
	items := make([]map[string]any, len(cs))
	for i, c := range cs {
		items[i] = verifyReq(c, "")
	}
	m := map[string]any{"items": items}
	if rules != "" {
		m[field] = rules
	}
	return m
}

// binaryBatch is a binary /v1/verify/batch body with the given rules byte
// (a BinaryRules byte, or 0 for the server's default).
func binaryBatch(cs []testgen.Case, rulesByte byte) []byte {
	b := AppendBinaryHeader(nil, rulesByte, len(cs))
	for _, c := range cs {
		b = AppendBinaryItem(b, c.Pub, c.Msg, c.Sig)
	}
	return b
}

func single(t *testing.T, a answer) bool {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, body %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var v struct {
		Valid *bool `json:"valid"`
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil || v.Valid == nil {
		t.Fatalf("answer %s: %v", a.body, err)
	}
	return *v.Valid
}

func batchJSON(t *testing.T, a answer) ([]bool, bool) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, body %s", a.status, a.body)
	}
	var v struct {
		Valid    []bool `json:"valid"`
		AllValid *bool  `json:"all_valid"`
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil || v.Valid == nil || v.AllValid == nil {
		t.Fatalf("answer %s: %v", a.body, err)
	}
	return v.Valid, *v.AllValid
}

// cases returns n random testgen inputs of the right lengths (wrong lengths
// are 400s, tested apart), crafted ones included.
func cases(rng *rand.Rand, n int) []testgen.Case {
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng), testgen.NewSigner(rng)}
	var out []testgen.Case
	for len(out) < n {
		c := testgen.Random(rng, signers)
		if len(c.Pub) != 32 || len(c.Sig) != 64 {
			continue
		}
		out = append(out, c)
	}
	return out
}

func TestVerdicts(t *testing.T) {
	n := 120
	if testing.Short() {
		n = 40
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cs := cases(rng, n)
	// Small batches, so that the windowed submission of batch items is
	// exercised (window 2*MaxBatch = 16 < n).
	s := newServer(t, Config{DefaultRules: ed25519.Strict, Batcher: batcher.Config{TargetBatch: 4, MaxBatch: 8}})
	for _, r := range ed25519.Presets() {
		name := r.String()
		want := make([]bool, len(cs))
		valids := 0
		for i, c := range cs {
			want[i] = testgen.Reference(r, c)
			if want[i] {
				valids++
			}
			if v := r.Verify(c.Pub, c.Msg, c.Sig); v != want[i] {
				t.Errorf("%s: %s: single verifier %v, reference %v", name, c.Name, v, want[i])
			}
		}
		if valids == 0 || valids == len(cs) {
			t.Fatalf("%s: %d of %d valid: want a mixture", name, valids, len(cs))
		}
		t.Run(name, func(t *testing.T) {
			// Single requests, concurrently, so that they share batches.
			var wg sync.WaitGroup
			got := make([]answer, len(cs))
			for i, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body, _ := json.Marshal(verifyReq(c, name))
					got[i] = do(t, s, http.MethodPost, PathVerify, "application/json", body)
				}()
			}
			wg.Wait()
			for i, a := range got {
				if v := single(t, a); v != want[i] {
					t.Errorf("single %d (%s): verdict %v, want %v", i, cs[i].Name, v, want[i])
				}
			}
			// One JSON batch.
			valid, all := batchJSON(t, post(t, s, PathVerifyBatch, batchReq(cs, name)))
			if len(valid) != len(cs) || all {
				t.Fatalf("batch: %d verdicts, all_valid %v", len(valid), all)
			}
			for i := range cs {
				if valid[i] != want[i] {
					t.Errorf("batch item %d (%s): verdict %v, want %v", i, cs[i].Name, valid[i], want[i])
				}
			}
			// One binary batch.
			a := do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, binaryBatch(cs, BinaryRules(r)))
			if a.status != http.StatusOK || a.header.Get("Content-Type") != ContentTypeBatchResult {
				t.Fatalf("binary batch: status %d, Content-Type %q, body %q", a.status, a.header.Get("Content-Type"), a.body)
			}
			if len(a.body) != len(cs) {
				t.Fatalf("binary batch: %d answer bytes, want %d", len(a.body), len(cs))
			}
			for i := range cs {
				if a.body[i] > 1 || (a.body[i] == 1) != want[i] {
					t.Errorf("binary item %d (%s): byte %d, want verdict %v", i, cs[i].Name, a.body[i], want[i])
				}
			}
		})
	}

	// Without rules, the default (strict) applies; the same inputs in an
	// all-valid batch give all_valid.
	var honest []testgen.Case
	for _, c := range cs {
		if testgen.Reference(testgen.Strict, c) {
			honest = append(honest, c)
		}
	}
	for i, c := range cs[:10] {
		if v := single(t, post(t, s, PathVerify, verifyReq(c, ""))); v != testgen.Reference(testgen.Strict, c) {
			t.Errorf("default rules, single %d (%s): verdict %v", i, c.Name, v)
		}
	}
	valid, all := batchJSON(t, post(t, s, PathVerifyBatch, batchReq(honest, "")))
	if len(valid) != len(honest) || !all {
		t.Errorf("all-valid batch: %v, all_valid %v", valid, all)
	}
	a := do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, binaryBatch(honest, 0))
	if a.status != http.StatusOK || !bytes.Equal(a.body, bytes.Repeat([]byte{1}, len(honest))) {
		t.Errorf("all-valid binary batch: %d %v", a.status, a.body)
	}
}

// TestRulesDiffer checks that the rules of a request are the ones applied:
// a signature with a small-order R is valid for stdlib and zip215 and not
// for strict.
func TestRulesDiffer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	signer := testgen.NewSigner(rng)
	c := signer.IdentityR([]byte("msg"), testgen.IdentityEncodings()[0])
	want := map[ed25519.Rules]bool{}
	for _, r := range ed25519.Presets() {
		want[r] = testgen.Reference(r, c)
	}
	if want[ed25519.Strict] || !want[ed25519.StdLib] {
		t.Fatalf("crafted case: reference verdicts %v, want stdlib true, strict false", want)
	}
	s := newServer(t, Config{DefaultRules: ed25519.ZIP215})
	for _, r := range ed25519.Presets() {
		if v := single(t, post(t, s, PathVerify, verifyReq(c, r.String()))); v != want[r] {
			t.Errorf("%v: verdict %v, want %v", r, v, want[r])
		}
	}
	if v := single(t, post(t, s, PathVerify, verifyReq(c, ""))); v != want[ed25519.ZIP215] {
		t.Errorf("default zip215: verdict %v", v)
	}
}

// TestEmptyBatch: a batch of no items, JSON or binary, is a 400 that says
// so (an answer {"valid": [], "all_valid": true} would let a client that
// reads only all_valid accept an empty submission), counted as bad input,
// and no operation.
func TestEmptyBatch(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newServer(t, Config{Registry: reg})
	for _, body := range []string{`{"items":[]}`, `{"rules":"zip215","items":[]}`, ` { "items" : [ ] } `} {
		checkError(t, do(t, s, http.MethodPost, PathVerifyBatch, "application/json", []byte(body)), 400,
			"items: empty: a batch request needs at least one item")
	}
	for _, rulesByte := range []byte{0, 2, 0x80 | byte(ed25519.Oasis)} {
		checkError(t, do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, []byte{rulesByte, 0, 0, 0, 0}), 400,
			"binary batch: 0 items: a batch request needs at least one item")
	}
	fams := gather(t, reg)
	if n := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify_batch", "kind": "bad_input"}); n != 6 {
		t.Errorf("kms_failures_total{op=verify_batch,kind=bad_input} = %d, want 6", n)
	}
	for _, r := range ed25519.Presets() {
		for _, res := range []string{"valid", "invalid", "error"} {
			if n := counter(t, fams, "kms_ops_total", map[string]string{"op": "verify_batch", "alg": "ed25519-" + r.String(), "result": res}); n != 0 {
				t.Errorf("kms_ops_total{op=verify_batch,alg=ed25519-%v,result=%s} = %d, want 0", r, res, n)
			}
		}
	}
}

// TestBadInput checks every kind of bad input: the status, a JSON error
// that says what was wrong, and the bad_input count.
func TestBadInput(t *testing.T) {
	const maxBody, maxItems = 2048, 8
	reg := prometheus.NewRegistry()
	s := newServer(t, Config{DefaultRules: ed25519.Strict, MaxBody: maxBody, MaxItems: maxItems, Registry: reg})
	rng := rand.New(rand.NewPCG(5, 6))
	c := testgen.NewSigner(rng).Honest([]byte("hello"))
	key, msg, sig := b64.EncodeToString(c.Pub), b64.EncodeToString(c.Msg), b64.EncodeToString(c.Sig)
	obj := func(fields ...string) string { return "{" + strings.Join(fields, ",") + "}" }
	kv := func(k, v string) string { return fmt.Sprintf("%q:%q", k, v) }
	good := []string{kv("key", key), kv("msg", msg), kv("sig", sig)}
	item := obj(good...)
	items := func(n int) string { return `{"items":[` + strings.Repeat(item+",", n-1) + item + `]}` }
	// n is the count as sent, 32 bits (int would overflow on 32-bit systems).
	bin := func(rulesByte byte, n uint32, cs ...testgen.Case) []byte {
		b := AppendBinaryHeader(nil, rulesByte, int(n))
		for _, c := range cs {
			b = AppendBinaryItem(b, c.Pub, c.Msg, c.Sig)
		}
		return b
	}
	one := bin(2, 1, c)
	short31 := testgen.Case{Pub: c.Pub[:31], Msg: c.Msg, Sig: c.Sig}

	short63 := obj(kv("key", key), kv("msg", msg), kv("sig", b64.EncodeToString(c.Sig[:63])))

	want := map[string]int{}
	for _, tc := range []struct {
		name   string
		path   string
		ctype  string // "" for application/json, "none" for no Content-Type
		body   string
		status int
		want   string // in the error message
	}{
		{"empty body", PathVerify, "", "", 400, "empty body"},
		{"truncated JSON", PathVerify, "", `{"key":"`, 400, "unexpected end"},
		{"syntax error", PathVerify, "", `{"key" "x"}`, 400, "malformed JSON at byte"},
		{"array", PathVerify, "", `[]`, 400, "got an array, want an object"},
		{"number key", PathVerify, "", `{"key":1}`, 400, "field key: got a number, want a string"},
		{"unknown field", PathVerify, "", obj(append(good, kv("signature", sig))...), 400, `unknown field "signature"`},
		{"trailing data", PathVerify, "", obj(good...) + " {}", 400, "data after the JSON object"},
		{"missing key", PathVerify, "", obj(kv("msg", msg), kv("sig", sig)), 400, "key: missing"},
		{"null key", PathVerify, "", obj(`"key":null`, kv("msg", msg), kv("sig", sig)), 400, "key: missing"},
		{"missing msg", PathVerify, "", obj(kv("key", key), kv("sig", sig)), 400, "msg: missing"},
		{"missing sig", PathVerify, "", obj(kv("key", key), kv("msg", msg)), 400, "sig: missing"},
		{"bad base64 key", PathVerify, "", obj(kv("key", "!!!!"), kv("msg", msg), kv("sig", sig)), 400, "key: bad base64"},
		{"unpadded base64 msg", PathVerify, "", obj(kv("key", key), kv("msg", "aGk"), kv("sig", sig)), 400, "msg: bad base64"},
		{"bad base64 sig", PathVerify, "", obj(kv("key", key), kv("msg", msg), kv("sig", sig[:len(sig)-3]+"@==")), 400, "sig: bad base64"},
		{"31-byte key, stdlib", PathVerify, "", obj(kv("key", b64.EncodeToString(c.Pub[:31])), kv("msg", msg), kv("sig", sig), kv("rules", "stdlib")), 400, "key: 31 bytes, want 32"},
		{"31-byte key, stdlib as mode", PathVerify, "", obj(kv("key", b64.EncodeToString(c.Pub[:31])), kv("msg", msg), kv("sig", sig), kv("mode", "stdlib")), 400, "key: 31 bytes, want 32"},
		{"33-byte key", PathVerify, "", obj(kv("key", b64.EncodeToString(append(c.Pub, 0))), kv("msg", msg), kv("sig", sig)), 400, "key: 33 bytes, want 32"},
		{"huge key", PathVerify, "", obj(kv("key", b64.EncodeToString(make([]byte, 300))), kv("msg", msg), kv("sig", sig)), 400, "key: 400 base64 characters, want 44"},
		{"empty key", PathVerify, "", obj(kv("key", ""), kv("msg", msg), kv("sig", sig)), 400, "key: 0 bytes, want 32"},
		{"63-byte sig", PathVerify, "", obj(kv("key", key), kv("msg", msg), kv("sig", b64.EncodeToString(c.Sig[:63]))), 400, "sig: 63 bytes, want 64"},
		{"65-byte sig", PathVerify, "", obj(kv("key", key), kv("msg", msg), kv("sig", b64.EncodeToString(append(c.Sig, 0)))), 400, "sig: 65 bytes, want 64"},
		{"unknown rules", PathVerify, "", obj(append(good, kv("rules", "lax"))...), 400, `rules: unknown rules "lax"`},
		{"unknown rule after a preset", PathVerify, "", obj(append(good, kv("rules", "zip215+lax"))...), 400, `rules: unknown rules "zip215+lax": "lax" is neither a preset`},
		{"invalid rules", PathVerify, "", obj(append(good, kv("rules", "allow-noncanonical-r"))...), 400, "rules: invalid rules allow-noncanonical-r: allow-noncanonical-r needs cofactored"},
		{"unknown mode", PathVerify, "", obj(append(good, kv("mode", "lax"))...), 400, `mode: unknown rules "lax"`},
		{"rules and mode", PathVerify, "", obj(append(good, kv("rules", "strict"), kv("mode", "strict"))...), 400, "rules and mode: both given"},
		{"rules not served", PathVerify, "", obj(append(good, kv("rules", "cofactored"))...), 400, "rules cofactored are not served here (served: stdlib, strict, zip215, libsodium, fips186-5, voi-default, oasis)"},
		{"rules not a string", PathVerify, "", obj(append(good, `"rules":1`)...), 400, "field rules"},
		{"mode not a string", PathVerify, "", obj(append(good, `"mode":1`)...), 400, "field mode"},
		{"body over limit", PathVerify, "", obj(kv("key", key), kv("msg", strings.Repeat("A", maxBody)), kv("sig", sig)), 413, "exceeds the limit of 2048 bytes"},

		{"batch: bare array", PathVerifyBatch, "", "[" + item + "]", 400, `want an object {"rules": ..., "items": [...]}`},
		{"batch: no items", PathVerifyBatch, "", `{"rules":"strict"}`, 400, "items: missing"},
		{"batch: items not an array", PathVerifyBatch, "", `{"items":{}}`, 400, "field items: got an object, want an array"},
		{"batch: too many items", PathVerifyBatch, "", items(maxItems + 1), 400, "9 items, at most 8"},
		{"batch: 31-byte key in item 2", PathVerifyBatch, "", `{"rules":"stdlib","items":[` + item + "," + item + "," +
			obj(kv("key", b64.EncodeToString(c.Pub[:31])), kv("msg", msg), kv("sig", sig)) + "]}", 400, "items[2].key: 31 bytes, want 32"},
		{"batch: bad base64 in item 1", PathVerifyBatch, "", `{"items":[` + item + "," + obj(kv("key", key), kv("msg", "%%%%"), kv("sig", sig)) + "]}", 400, "items[1].msg: bad base64"},
		{"batch: null item", PathVerifyBatch, "", `{"items":[` + item + ",null]}", 400, "items[1].key: missing"},
		{"batch: unknown field in item", PathVerifyBatch, "", `{"items":[` + obj(append(good, kv("mode", "strict"))...) + "]}", 400, `unknown field "mode"`},
		{"batch: rules in item", PathVerifyBatch, "", `{"items":[` + obj(append(good, kv("rules", "strict"))...) + "]}", 400, `unknown field "rules"`},
		{"batch: unknown rules", PathVerifyBatch, "", `{"rules":"ed448","items":[]}`, 400, `rules: unknown rules "ed448"`},
		{"batch: unknown mode", PathVerifyBatch, "", `{"mode":"ed448","items":[]}`, 400, `mode: unknown rules "ed448"`},
		{"batch: rules and mode", PathVerifyBatch, "", `{"rules":"zip215","mode":"strict","items":[]}`, 400, "rules and mode: both given"},
		{"batch: rules not served", PathVerifyBatch, "", `{"rules":"zip215+reject-small-order-a","items":[` + item + "]}", 400, "rules reject-small-order-a+allow-noncanonical-r+cofactored are not served here"},
		{"batch: body over limit", PathVerifyBatch, "", `{"items":[` + obj(kv("key", key), kv("msg", strings.Repeat("A", maxBody)), kv("sig", sig)) + "]}", 413, "exceeds the limit"},

		{"binary: empty", PathVerifyBatch, ContentTypeBatch, "", 400, "truncated header: 0 bytes, want 5"},
		{"binary: short header", PathVerifyBatch, ContentTypeBatch, "\x02\x00\x00", 400, "truncated header: 3 bytes"},
		{"binary: unknown rules byte", PathVerifyBatch, ContentTypeBatch, string(bin(9, 1, c)), 400, "unknown rules byte 9"},
		{"binary: rules byte 4", PathVerifyBatch, ContentTypeBatch, string(bin(4, 1, c)), 400, "unknown rules byte 4"},
		{"binary: rules byte 127", PathVerifyBatch, ContentTypeBatch, string(bin(0x7f, 1, c)), 400, "unknown rules byte 127"},
		{"binary: invalid rules bits", PathVerifyBatch, ContentTypeBatch, string(bin(0x80|byte(ed25519.AllowNonCanonicalR), 1, c)), 400, "unknown rules byte 136"},
		{"binary: bit outside the rules", PathVerifyBatch, ContentTypeBatch, string(bin(0x80|0x20, 1, c)), 400, "unknown rules byte 160"},
		{"binary: rules byte 255", PathVerifyBatch, ContentTypeBatch, string(bin(0xff, 1, c)), 400, "unknown rules byte 255"},
		{"binary: rules not served", PathVerifyBatch, ContentTypeBatch, string(bin(BinaryRules(ed25519.Cofactored), 1, c)), 400, "rules cofactored are not served here"},
		{"binary: too many items", PathVerifyBatch, ContentTypeBatch, string(bin(0, maxItems+1)), 400, "9 items, at most 8"},
		{"binary: huge count", PathVerifyBatch, ContentTypeBatch, string(bin(0, 1<<32-1)), 400, "4294967295 items, at most 8"},
		{"binary: fewer items than the count", PathVerifyBatch, ContentTypeBatch, string(bin(2, 2, c)), 400, "2 items need at least 200 bytes after the header, the body has"},
		{"binary: truncated item header", PathVerifyBatch, ContentTypeBatch, string(one[:5+50]), 400, "truncated"},
		{"binary: truncated message", PathVerifyBatch, ContentTypeBatch, string(one[:len(one)-1]), 400, "item 0 truncated: message length 5, 4 bytes left"},
		{"binary: message length past the end", PathVerifyBatch, ContentTypeBatch, string(append(bin(2, 2, c), 0xff, 0xff, 0xff, 0xff)) + strings.Repeat("\x00", 96), 400, "item 1 truncated: message length 4294967295, 0 bytes left"},
		{"binary: trailing bytes", PathVerifyBatch, ContentTypeBatch, string(one) + "xyz", 400, "3 bytes after the last of 1 items"},
		{"binary: trailing bytes after 0 items", PathVerifyBatch, ContentTypeBatch, "\x00\x00\x00\x00\x00z", 400, "1 bytes after the last of 0 items"},
		{"binary: 31-byte key shifts the framing", PathVerifyBatch, ContentTypeBatch, string(bin(1, 1, short31)), 400, "truncated"},
		{"binary: body over limit", PathVerifyBatch, ContentTypeBatch, string(bin(2, 1, testgen.Case{Pub: c.Pub, Sig: c.Sig, Msg: make([]byte, maxBody)})), 413, "exceeds the limit"},

		// An empty batch.
		{"batch: empty items", PathVerifyBatch, "", `{"items":[]}`, 400, "items: empty: a batch request needs at least one item"},
		{"batch: empty items, rules named", PathVerifyBatch, "", `{"rules":"strict","items":[ ]}`, 400, "items: empty: a batch request needs at least one item"},
		{"binary: 0 items", PathVerifyBatch, ContentTypeBatch, "\x02\x00\x00\x00\x00", 400, "binary batch: 0 items: a batch request needs at least one item"},
		{"binary: 0 items, default rules", PathVerifyBatch, ContentTypeBatch, "\x00\x00\x00\x00\x00", 400, "binary batch: 0 items: a batch request needs at least one item"},

		// Content types.
		{"no Content-Type", PathVerify, "none", obj(good...), 415, "no Content-Type: /v1/verify accepts application/json"},
		{"form (curl -d)", PathVerify, "application/x-www-form-urlencoded", obj(good...), 415, `Content-Type "application/x-www-form-urlencoded" is not accepted: /v1/verify accepts application/json`},
		{"text/plain", PathVerify, "text/plain; charset=utf-8", obj(good...), 415, `Content-Type "text/plain; charset=utf-8" is not accepted`},
		{"binary to /v1/verify", PathVerify, ContentTypeBatch, string(one), 415, "/v1/verify accepts application/json"},
		{"json with a suffix", PathVerify, "application/jsonx", obj(good...), 415, `Content-Type "application/jsonx" is not accepted`},
		{"not a media type", PathVerify, "application/json, text/plain", obj(good...), 415, "is not accepted"},
		{"415 before 413", PathVerify, "text/plain", obj(kv("key", key), kv("msg", strings.Repeat("A", maxBody)), kv("sig", sig)), 415, "is not accepted"},
		{"batch: no Content-Type", PathVerifyBatch, "none", items(1), 415, "no Content-Type: /v1/verify/batch accepts application/json or application/x-ronkms-batch"},
		{"batch: form", PathVerifyBatch, "application/x-www-form-urlencoded", items(1), 415, "/v1/verify/batch accepts application/json or application/x-ronkms-batch"},
		{"batch: binary result type", PathVerifyBatch, ContentTypeBatchResult, string(one), 415, `Content-Type "application/x-ronkms-batch-result" is not accepted`},
		{"batch: octet-stream", PathVerifyBatch, "application/octet-stream", string(one), 415, "is not accepted"},

		// Names: exact, at most once, at every level.
		{"upper-case key", PathVerify, "", obj(kv("KEY", key), kv("msg", msg), kv("sig", sig)), 400, `unknown field "KEY" in the request object: field names are case-sensitive (did you mean "key"?)`},
		{"Kelvin-sign key", PathVerify, "", obj(`"\u212aey":"`+key+`"`, kv("msg", msg), kv("sig", sig)), 400, `unknown field "\u212aey" in the request object: field names are case-sensitive (did you mean "key"?)`},
		{"Rules", PathVerify, "", obj(append(good, kv("Rules", "strict"))...), 400, `unknown field "Rules" in the request object: field names are case-sensitive (did you mean "rules"?)`},
		{"unknown field lists the fields", PathVerify, "", obj(append(good, kv("signature", sig))...), 400, `unknown field "signature" in the request object (its fields are key, msg, sig, rules and mode)`},
		{"duplicate key", PathVerify, "", obj(kv("key", key), kv("msg", msg), kv("sig", sig), kv("key", key)), 400, `duplicate field "key" in the request object: each field may appear once`},
		{"duplicate key, first null", PathVerify, "", obj(`"key":null`, kv("key", key), kv("msg", msg), kv("sig", sig)), 400, `duplicate field "key" in the request object`},
		{"duplicate rules", PathVerify, "", obj(append(good, kv("rules", "zip215"), kv("rules", "strict"))...), 400, `duplicate field "rules" in the request object`},
		{"duplicate escaped", PathVerify, "", obj(append(good, `"m\u0073g":"aGk="`)...), 400, `duplicate field "msg" in the request object`},
		{"batch: duplicate items", PathVerifyBatch, "", `{"items":[` + item + `],"items":[` + item + `]}`, 400, `duplicate field "items" in the request object`},
		{"batch: duplicate mode", PathVerifyBatch, "", `{"mode":"strict","items":[` + item + `],"mode":"zip215"}`, 400, `duplicate field "mode" in the request object`},
		{"batch: Items", PathVerifyBatch, "", `{"Items":[` + item + `]}`, 400, `unknown field "Items" in the request object: field names are case-sensitive (did you mean "items"?)`},
		{"batch: key at the top", PathVerifyBatch, "", `{"key":"` + key + `","items":[` + item + `]}`, 400, `unknown field "key" in the request object (its fields are rules, mode and items)`},
		{"batch: duplicate sig in item 2", PathVerifyBatch, "", `{"items":[` + item + "," + item + "," + obj(append(good, kv("sig", sig))...) + "]}", 400, `duplicate field "sig" in items[2]: each field may appear once`},
		{"batch: Sig in item 1", PathVerifyBatch, "", `{"items":[` + item + "," + obj(kv("key", key), kv("msg", msg), kv("Sig", sig)) + "]}", 400, `unknown field "Sig" in items[1]: field names are case-sensitive (did you mean "sig"?)`},
		{"batch: unknown field in item 1", PathVerifyBatch, "", `{"items":[` + item + "," + obj(append(good, kv("x", ""))...) + "]}", 400, `unknown field "x" in items[1] (its fields are key, msg and sig)`},

		// JSON syntax and types, where.
		{"trailing comma", PathVerify, "", obj(good...)[:len(obj(good...))-1] + ",}", 400, "malformed JSON at byte"},
		{"invalid UTF-8", PathVerify, "", obj(kv("key", key), "\"msg\":\"\xff\"", kv("sig", sig)), 400, "invalid UTF-8 in string literal"},
		{"control character", PathVerify, "", obj(kv("key", key), "\"msg\":\"a\nb\"", kv("sig", sig)), 400, "invalid character '\\n' in string literal"},
		{"bad escape", PathVerify, "", obj(kv("key", key), `"msg":"\x41"`, kv("sig", sig)), 400, "invalid character 'x' in string escape code"},
		{"null body", PathVerify, "", "null", 400, "got null, want an object"},
		{"batch: string item", PathVerifyBatch, "", `{"items":[` + item + `,"x"]}`, 400, "items[1]: got a string, want an object"},
		{"batch: number in item 1", PathVerifyBatch, "", `{"items":[` + item + `,{"key":-1.5e3}]}`, 400, "field items[1].key: got a number, want a string"},
		{"batch: misspelt null", PathVerifyBatch, "", `{"items":[nul]}`, 400, "invalid character ']' in literal null"},
		{"batch: trailing comma in items", PathVerifyBatch, "", `{"items":[` + item + `,]}`, 400, "invalid character ']' looking for beginning of value"},

		// Lengths: the request is refused whole, naming the item.
		{"batch: 63-byte sig in item 1", PathVerifyBatch, "", `{"items":[` + item + "," + short63 + "," + item + "]}", 400, "items[1].sig: 63 bytes, want 64"},
		{"batch: 33-byte key in item 0", PathVerifyBatch, "", `{"items":[` + obj(kv("key", b64.EncodeToString(append(c.Pub, 1))), kv("msg", msg), kv("sig", sig)) + "]}", 400, "items[0].key: 33 bytes, want 32"},
		{"batch: huge sig in item 3", PathVerifyBatch, "", `{"items":[` + item + "," + item + "," + item + "," + obj(kv("key", key), kv("msg", msg), kv("sig", b64.EncodeToString(make([]byte, 200)))) + "]}", 400, "items[3].sig: 268 base64 characters, want 88 (64 bytes)"},
	} {
		want[tc.path]++
		t.Run(tc.name, func(t *testing.T) {
			ctype := tc.ctype
			switch ctype {
			case "":
				ctype = "application/json"
			case "none":
				ctype = ""
			}
			a := do(t, s, http.MethodPost, tc.path, ctype, []byte(tc.body))
			checkError(t, a, tc.status, tc.want)
			if tc.status == http.StatusUnsupportedMediaType {
				accept := map[string]string{PathVerify: "application/json", PathVerifyBatch: "application/json, application/x-ronkms-batch"}[tc.path]
				if got := a.header.Get("Accept"); got != accept {
					t.Errorf("415 with Accept %q, want %q", got, accept)
				}
			}
		})
	}

	// A body over the limit without a Content-Length (chunked) is cut off
	// while reading: 413 as well.
	want[PathVerify]++
	t.Run("chunked body over limit", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, PathVerify, strings.NewReader(strings.Repeat(" ", maxBody+1)))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		checkError(t, answer{rec.Code, rec.Header(), rec.Body.Bytes()}, 413, "exceeds the limit of 2048 bytes")
	})

	// Every one was counted as bad input, none as an operation.
	fams := gather(t, reg)
	badSingle := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify", "kind": "bad_input"})
	badBatch := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify_batch", "kind": "bad_input"})
	if badSingle != want[PathVerify] || badBatch != want[PathVerifyBatch] {
		t.Errorf("bad_input failures: verify %d, verify_batch %d; want %d, %d", badSingle, badBatch, want[PathVerify], want[PathVerifyBatch])
	}
	for _, rules := range ed25519.Presets() {
		for _, op := range []string{"verify", "verify_batch"} {
			for _, r := range []string{"valid", "invalid", "error"} {
				if n := counter(t, fams, "kms_ops_total", map[string]string{"op": op, "alg": "ed25519-" + rules.String(), "result": r}); n != 0 {
					t.Errorf("kms_ops_total{op=%s,alg=ed25519-%v,result=%s} = %d, want 0", op, rules, r, n)
				}
			}
		}
	}
	// Rules named but not served made no series of their own either.
	if n := len(fams["kms_ops_total"].GetMetric()); n != 2*len(ed25519.Presets())*3 {
		t.Errorf("kms_ops_total: %d series, want the %d of the presets", n, 2*len(ed25519.Presets())*3)
	}
}

func checkError(t *testing.T, a answer, status int, want string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == "" {
		t.Fatalf("error body %q: %v", a.body, err)
	}
	if !strings.Contains(e.Error, want) {
		t.Errorf("error %q does not contain %q", e.Error, want)
	}
}

// TestMethodsAndPaths: an unknown path is a 404 and a method an endpoint
// does not answer a 405 with an Allow header, both with the JSON error body
// of every other error; the endpoints answer their methods.
func TestMethodsAndPaths(t *testing.T) {
	s := newServer(t, Config{})
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string // of a 405
		want         string // in the error of a 404 or 405
	}{
		{http.MethodGet, PathVerify, 405, "POST", "method GET is not allowed on /v1/verify (allowed: POST)"},
		{http.MethodHead, PathVerify, 405, "POST", ""},
		{http.MethodPut, PathVerifyBatch, 405, "POST", "method PUT is not allowed on /v1/verify/batch (allowed: POST)"},
		{http.MethodOptions, PathVerifyBatch, 405, "POST", "method OPTIONS is not allowed"},
		{http.MethodPost, PathHealthz, 405, "GET, HEAD", "method POST is not allowed on /healthz (allowed: GET, HEAD)"},
		{http.MethodDelete, PathMetrics, 405, "GET, HEAD", "method DELETE is not allowed on /metrics (allowed: GET, HEAD)"},
		{http.MethodGet, "/v1/nope", 404, "", `no endpoint at "/v1/nope" (the endpoints: POST /v1/verify, POST /v1/verify/batch, GET /metrics, GET /healthz)`},
		{http.MethodPost, "/v1/verify/", 404, "", `no endpoint at "/v1/verify/"`},
		{http.MethodPost, "/v1//verify", 404, "", `no endpoint at "/v1//verify"`},
		{http.MethodGet, "/", 404, "", `no endpoint at "/"`},
		{http.MethodGet, "/" + strings.Repeat("x", 100), 404, "", `no endpoint at "/` + strings.Repeat("x", 63) + `..."`},
		{http.MethodGet, PathHealthz, 200, "", ""},
		{http.MethodHead, PathHealthz, 200, "", ""},
		{http.MethodGet, PathMetrics, 200, "", ""},
		{http.MethodHead, PathMetrics, 200, "", ""},
	} {
		a := do(t, s, tc.method, tc.path, "", nil)
		if tc.status == 200 {
			if a.status != 200 {
				t.Errorf("%s %s: status %d, want 200", tc.method, tc.path, a.status)
			}
			continue
		}
		if tc.method == http.MethodHead {
			// No body: the status and the Allow header.
			if a.status != tc.status || a.header.Get("Allow") != tc.allow || a.header.Get("Content-Type") != "application/json" {
				t.Errorf("%s %s: status %d, Allow %q, Content-Type %q", tc.method, tc.path, a.status, a.header.Get("Allow"), a.header.Get("Content-Type"))
			}
			continue
		}
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			checkError(t, a, tc.status, tc.want)
			if got := a.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestHealthzAndClose(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	a := do(t, s, http.MethodGet, PathHealthz, "", nil)
	if a.status != 200 || string(a.body) != "ok\n" {
		t.Errorf("healthz: %d %q", a.status, a.body)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	c := testgen.NewSigner(rng).Honest([]byte("x"))
	if !single(t, post(t, s, PathVerify, verifyReq(c, ""))) {
		t.Fatal("honest signature rejected")
	}
	s.Close()
	if a := do(t, s, http.MethodGet, PathHealthz, "", nil); a.status != 503 {
		t.Errorf("healthz after Close: %d %q", a.status, a.body)
	}
	checkError(t, post(t, s, PathVerify, verifyReq(c, "")), 503, "shutting down")
	checkError(t, post(t, s, PathVerifyBatch, batchReq([]testgen.Case{c, c}, "")), 503, "shutting down")
}

// TestOverload: with room for one signature (MaxQueue 1), one request holds
// the slot (its batch waits for 63 more, or an hour) and every other request,
// single or batch, is answered 503 with Retry-After at once; Close answers
// the held one. Nothing here depends on timing.
func TestOverload(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newServer(t, Config{
		Registry:     reg,
		DefaultRules: ed25519.Strict,
		Batcher:      batcher.Config{MaxQueue: 1, TargetBatch: 64, MaxWait: time.Hour, Workers: 1},
	})
	rng := rand.New(rand.NewPCG(9, 10))
	cs := cases(rng, 64)
	held := make(chan answer, 1)
	go func() { held <- post(t, s, PathVerify, verifyReq(cs[0], "")) }()
	strict := &s.served[ed25519.Strict].slots
	for i := 0; strict.used.Load() != 1; i++ {
		if i == 60_000 { // polls a millisecond apart: bounds a hang only
			t.Fatal("the first request never took the slot")
		}
		time.Sleep(time.Millisecond)
	}

	const clients = 40
	answers := make([]answer, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cs[1+i%(len(cs)-1)]
			if i%10 == 0 {
				answers[i] = post(t, s, PathVerifyBatch, batchReq([]testgen.Case{c, cs[(i+2)%len(cs)]}, ""))
			} else {
				answers[i] = post(t, s, PathVerify, verifyReq(c, ""))
			}
		}()
	}
	wg.Wait()
	for i, a := range answers {
		checkError(t, a, http.StatusServiceUnavailable, "overloaded")
		if ra := a.header.Get("Retry-After"); ra != "1" {
			t.Errorf("request %d: 503 with Retry-After %q, want 1", i, ra)
		}
	}
	s.Close() // flushes the held request's batch
	if v := single(t, <-held); v != testgen.Reference(testgen.Strict, cs[0]) {
		t.Errorf("held request (%s): verdict %v", cs[0].Name, v)
	}

	fams := gather(t, reg)
	for _, op := range []struct {
		name string
		n    int
	}{{"verify", clients - clients/10}, {"verify_batch", clients / 10}} {
		if got := counter(t, fams, "kms_failures_total", map[string]string{"op": op.name, "kind": "overloaded"}); got != op.n {
			t.Errorf("kms_failures_total{op=%s,kind=overloaded} = %d, want %d", op.name, got, op.n)
		}
		if got := counter(t, fams, "kms_ops_total", map[string]string{"op": op.name, "alg": "ed25519-strict", "result": "error"}); got != op.n {
			t.Errorf("kms_ops_total{op=%s,result=error} = %d, want %d", op.name, got, op.n)
		}
	}
}

// TestBatcherErrors checks the answers to the errors of Batcher.Verify,
// including ErrOverloaded, which admission makes rare.
func TestBatcherErrors(t *testing.T) {
	s := newServer(t, Config{})
	for _, tc := range []struct {
		err        error
		status     int
		retryAfter string
		want       string
	}{
		{batcher.ErrOverloaded, 503, "1", "overloaded"},
		{fmt.Errorf("wrapped: %w", batcher.ErrOverloaded), 503, "1", "overloaded"},
		{batcher.ErrClosed, 503, "", "shutting down"},
		{context.DeadlineExceeded, 503, "1", "no verdict within the request time limit (30s)"},
		{fmt.Errorf("something else"), 500, "", "something else"},
	} {
		rec := httptest.NewRecorder()
		s.verifyFailed(rec, httptest.NewRequest(http.MethodPost, PathVerify, nil), tc.err)
		a := answer{rec.Code, rec.Header(), rec.Body.Bytes()}
		checkError(t, a, tc.status, tc.want)
		if got := a.header.Get("Retry-After"); got != tc.retryAfter {
			t.Errorf("%v: Retry-After %q, want %q", tc.err, got, tc.retryAfter)
		}
	}
}

// TestBlockWhenFull: with BlockWhenFull, requests wait for the queue
// instead of being refused.
func TestBlockWhenFull(t *testing.T) {
	s := newServer(t, Config{Batcher: batcher.Config{MaxQueue: 1, TargetBatch: 1, MaxBatch: 1, BlockWhenFull: true}})
	cs := cases(rand.New(rand.NewPCG(17, 18)), 8)
	var wg sync.WaitGroup
	answers := make([]answer, 64)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(verifyReq(cs[i%len(cs)], "strict"))
			answers[i] = do(t, s, http.MethodPost, PathVerify, "application/json", body)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if v := single(t, a); v != testgen.Reference(testgen.Strict, cs[i%len(cs)]) {
			t.Errorf("request %d: verdict %v", i, v)
		}
	}
}

// TestRequestTimeout: a request whose verdict does not come within
// RequestTimeout is answered 503 with Retry-After.
func TestRequestTimeout(t *testing.T) {
	s := newServer(t, Config{
		RequestTimeout: 50 * time.Millisecond,
		Batcher:        batcher.Config{TargetBatch: 256, MaxWait: 10 * time.Second},
	})
	c := testgen.NewSigner(rand.New(rand.NewPCG(11, 12))).Honest([]byte("slow"))
	a := post(t, s, PathVerify, verifyReq(c, ""))
	checkError(t, a, 503, "no verdict within the request time limit")
	if a.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	checkError(t, post(t, s, PathVerifyBatch, batchReq([]testgen.Case{c, c, c}, "")), 503, "no verdict within")
}

// TestClientGone: when the client has gone, nothing is written.
func TestClientGone(t *testing.T) {
	s := newServer(t, Config{Batcher: batcher.Config{TargetBatch: 256, MaxWait: 10 * time.Second}})
	c := testgen.NewSigner(rand.New(rand.NewPCG(13, 14))).Honest([]byte("gone"))
	for _, path := range []string{PathVerify, PathVerifyBatch} {
		body, _ := json.Marshal(verifyReq(c, ""))
		if path == PathVerifyBatch {
			body, _ = json.Marshal(batchReq([]testgen.Case{c, c}, ""))
		}
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		time.AfterFunc(20*time.Millisecond, cancel)
		s.Handler().ServeHTTP(rec, req)
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
			t.Errorf("%s: wrote %q to a gone client", path, rec.Body.Bytes())
		}
	}
	// As the package documentation says: each request counts one
	// operation with result error and one failure of kind canceled under
	// its op, and code 200 (nothing written); the batch request's items in
	// flight count under verify as well, as many errors as failures.
	fams := gather(t, s.Registry())
	for _, path := range []string{PathVerify, PathVerifyBatch} {
		if n := counter(t, fams, "kms_http_requests_total", map[string]string{"handler": path, "code": "200"}); n != 1 {
			t.Errorf("kms_http_requests_total{handler=%s,code=200} = %d, want 1", path, n)
		}
	}
	verifyErrors := counter(t, fams, "kms_ops_total", map[string]string{"op": "verify", "alg": "ed25519-stdlib", "result": "error"})
	verifyCanceled := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify", "kind": "canceled"})
	if verifyErrors < 1 || verifyErrors > 3 || verifyCanceled != verifyErrors {
		t.Errorf("verify: %d errors, %d canceled; want as many, 1 to 3", verifyErrors, verifyCanceled)
	}
	if n := counter(t, fams, "kms_ops_total", map[string]string{"op": "verify_batch", "alg": "ed25519-stdlib", "result": "error"}); n != 1 {
		t.Errorf("kms_ops_total{op=verify_batch,result=error} = %d, want 1", n)
	}
	if n := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify_batch", "kind": "canceled"}); n != 1 {
		t.Errorf("kms_failures_total{op=verify_batch,kind=canceled} = %d, want 1", n)
	}
}

func gather(t *testing.T, reg prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	fams := map[string]*dto.MetricFamily{}
	for _, f := range mfs {
		fams[f.GetName()] = f
	}
	return fams
}

// scrape fetches url and parses the text exposition format.
func scrape(t *testing.T, client *http.Client, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %s, Content-Type %q", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the exposition format: %v", err)
	}
	return fams
}

func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("metric %s not exposed", name)
	}
outer:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] != lp.GetValue() {
				continue outer
			}
		}
		return m
	}
	t.Fatalf("metric %s has no series %v", name, labels)
	return nil
}

func counter(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) int {
	t.Helper()
	return int(find(t, fams, name, labels).GetCounter().GetValue())
}

// TestMetrics drives known traffic through a real HTTP server, scrapes
// /metrics, parses the exposition format and checks the counters.
func TestMetrics(t *testing.T) {
	s := newServer(t, Config{DefaultRules: ed25519.Strict, MaxItems: 16})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	client := hs.Client()
	send := func(path, ctype string, body []byte) int {
		t.Helper()
		resp, err := client.Post(hs.URL+path, ctype, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	rng := rand.New(rand.NewPCG(15, 16))
	signer := testgen.NewSigner(rng)
	honest := func() testgen.Case { return signer.Honest(testgen.RandomMessage(rng, 40)) }
	bad := func() testgen.Case {
		c := honest()
		c.Msg = append(c.Msg, 1)
		return c
	}
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }

	// Single: 5 valid strict, 3 invalid strict, 2 valid zip215.
	for range 5 {
		if st := send(PathVerify, "application/json", js(verifyReq(honest(), ""))); st != 200 {
			t.Fatal(st)
		}
	}
	for range 3 {
		send(PathVerify, "application/json", js(verifyReq(bad(), "strict")))
	}
	for range 2 {
		send(PathVerify, "application/json", js(verifyReq(honest(), "zip215")))
	}
	// Batches: an all-valid JSON batch of 4, a binary batch of 3 with one
	// invalid, both strict; a zip215 binary batch of 2 valid.
	send(PathVerifyBatch, "application/json", js(batchReq([]testgen.Case{honest(), honest(), honest(), honest()}, "")))
	send(PathVerifyBatch, ContentTypeBatch, binaryBatch([]testgen.Case{honest(), bad(), honest()}, 2))
	send(PathVerifyBatch, ContentTypeBatch, binaryBatch([]testgen.Case{honest(), honest()}, 3))
	// Bad input: 2 single, 3 batch (one too many items).
	send(PathVerify, "application/json", []byte("{"))
	send(PathVerify, "application/json", []byte(`{"mode":"x"}`))
	send(PathVerifyBatch, "application/json", []byte(`[]`))
	send(PathVerifyBatch, ContentTypeBatch, []byte{1})
	many := make([]testgen.Case, 17)
	for i := range many {
		many[i] = honest()
	}
	if st := send(PathVerifyBatch, "application/json", js(batchReq(many, ""))); st != 400 {
		t.Fatalf("17 items: status %d", st)
	}
	resp, err := client.Get(hs.URL + PathHealthz)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	fams := scrape(t, client, hs.URL+PathMetrics)
	ops := func(op, rules, result string) int {
		return counter(t, fams, "kms_ops_total", map[string]string{"op": op, "alg": "ed25519-" + rules, "result": result})
	}
	for _, tc := range []struct {
		op, rules, result string
		want              int
	}{
		{"verify", "strict", "valid", 5 + 4 + 2},
		{"verify", "strict", "invalid", 3 + 1},
		{"verify", "zip215", "valid", 2 + 2},
		{"verify", "zip215", "invalid", 0},
		{"verify", "stdlib", "valid", 0},
		{"verify", "strict", "error", 0},
		{"verify_batch", "strict", "valid", 1},
		{"verify_batch", "strict", "invalid", 1},
		{"verify_batch", "zip215", "valid", 1},
		{"verify_batch", "strict", "error", 0},
	} {
		if got := ops(tc.op, tc.rules, tc.result); got != tc.want {
			t.Errorf("kms_ops_total{op=%q,alg=ed25519-%s,result=%q} = %d, want %d", tc.op, tc.rules, tc.result, got, tc.want)
		}
	}
	fail := func(op, kind string) int {
		return counter(t, fams, "kms_failures_total", map[string]string{"op": op, "kind": kind})
	}
	if got := fail("verify", "bad_input"); got != 2 {
		t.Errorf("bad_input of verify: %d, want 2", got)
	}
	if got := fail("verify_batch", "bad_input"); got != 3 {
		t.Errorf("bad_input of verify_batch: %d, want 3", got)
	}
	if got := fail("verify", "overloaded"); got != 0 {
		t.Errorf("overloaded: %d", got)
	}
	httpReqs := func(handler, code string) int {
		return counter(t, fams, "kms_http_requests_total", map[string]string{"handler": handler, "code": code})
	}
	for _, tc := range []struct {
		handler, code string
		want          int
	}{
		{PathVerify, "200", 10},
		{PathVerify, "400", 2},
		{PathVerifyBatch, "200", 3},
		{PathVerifyBatch, "400", 3},
		{PathVerifyBatch, "413", 0},
		{PathHealthz, "200", 1},
	} {
		if got := httpReqs(tc.handler, tc.code); got != tc.want {
			t.Errorf("kms_http_requests_total{handler=%q,code=%q} = %d, want %d", tc.handler, tc.code, got, tc.want)
		}
	}
	// Every verified signature went through a Batcher batch.
	h := find(t, fams, "kms_batch_size", nil).GetHistogram()
	if sum := int(h.GetSampleSum()); sum != 10+9 {
		t.Errorf("kms_batch_size sum %d, want %d signatures", sum, 10+9)
	}
	lat := find(t, fams, "kms_op_latency_seconds", map[string]string{"op": "verify_batch"}).GetHistogram()
	if lat.GetSampleCount() != 3 {
		t.Errorf("verify_batch latency count %d, want 3", lat.GetSampleCount())
	}
	if d := find(t, fams, "kms_queue_depth", nil).GetGauge().GetValue(); d != 0 {
		t.Errorf("kms_queue_depth %v when idle", d)
	}
	// The Batchers' key caches report through the per-rules wrappers.
	lookups := 0.0
	for _, m := range fams["kms_key_cache_lookups_total"].GetMetric() {
		lookups += m.GetCounter().GetValue()
	}
	if lookups == 0 {
		t.Error("kms_key_cache_lookups_total is 0 after batches of well-formed keys")
	}
	hd := find(t, fams, "kms_http_request_duration_seconds", map[string]string{"handler": PathVerify}).GetHistogram()
	if hd.GetSampleCount() != 12 {
		t.Errorf("request duration count %d, want 12", hd.GetSampleCount())
	}
	// The default registry has the runtime and process collectors.
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("go_goroutines not exposed")
	}
}

// TestDepthSum checks that the queue depth exported is the sum over the
// Batchers of the rule sets served, whatever their rules.
func TestDepthSum(t *testing.T) {
	rec := &depthRecorder{}
	d := &depthSum{inner: rec}
	d.forRules(ed25519.Strict).ObserveQueueDepth(5)
	d.forRules(ed25519.ZIP215).ObserveQueueDepth(3)
	d.forRules(ed25519.Strict).ObserveQueueDepth(0)
	d.forRules(ed25519.StdLib).ObserveQueueDepth(2)
	// Presets beyond the original three, and a rule set of no preset.
	d.forRules(ed25519.Oasis).ObserveQueueDepth(4)
	d.forRules(ed25519.ZIP215 | ed25519.RejectSmallOrderA).ObserveQueueDepth(7)
	d.forRules(ed25519.FIPS186_5).ObserveQueueDepth(1)
	d.forRules(ed25519.Oasis).ObserveQueueDepth(0)
	if want := []int{5, 8, 3, 5, 9, 16, 17, 13}; fmt.Sprint(rec.depths) != fmt.Sprint(want) {
		t.Errorf("depths %v, want %v", rec.depths, want)
	}
}

type depthRecorder struct {
	batcher.Observer
	depths []int
}

func (r *depthRecorder) ObserveQueueDepth(d int) { r.depths = append(r.depths, d) }

func TestNewErrors(t *testing.T) {
	for _, cfg := range []Config{
		{DefaultRules: 1 << 5},                                               // a bit outside the five rules
		{DefaultRules: ed25519.AllowNonCanonicalR},                           // not valid rules
		{DefaultRules: ed25519.Cofactored},                                   // valid, but not served
		{Rules: []ed25519.Rules{ed25519.Strict}},                             // the default (stdlib) not served
		{Rules: []ed25519.Rules{}, DefaultRules: ed25519.Strict},             // nothing to serve
		{Rules: []ed25519.Rules{ed25519.StdLib, ed25519.AllowNonCanonicalR}}, // invalid rules served
		{Rules: []ed25519.Rules{ed25519.StdLib, 1 << 6}},                     // invalid rules served
		{MaxBody: -1},
		{MaxItems: -1},
		{RequestTimeout: -1},
		{Batcher: batcher.Config{TargetBatch: 10, MaxBatch: 5}},
	} {
		if s, err := New(cfg); err == nil {
			s.Close()
			t.Errorf("New(%+v): no error", cfg)
		}
	}
	// Metrics already registered.
	reg := prometheus.NewRegistry()
	s := newServer(t, Config{Registry: reg})
	_ = s
	if s2, err := New(Config{Registry: reg}); err == nil {
		s2.Close()
		t.Error("second Server on one registry: no error")
	}
}

// TestContentTypes: the media types each endpoint accepts, with parameters
// and in any case, are read as what they say; the others are 415s (see
// TestBadInput).
func TestContentTypes(t *testing.T) {
	s := newServer(t, Config{DefaultRules: ed25519.Strict})
	c := testgen.NewSigner(rand.New(rand.NewPCG(27, 28))).Honest([]byte("media types"))
	body, _ := json.Marshal(verifyReq(c, ""))
	batchBody, _ := json.Marshal(batchReq([]testgen.Case{c, c}, ""))
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "APPLICATION/JSON;charset=UTF-8", "application/json ; charset=utf-8", "application/json; foo=bar"} {
		if !single(t, do(t, s, http.MethodPost, PathVerify, ct, body)) {
			t.Errorf("%q: honest signature rejected", ct)
		}
		if valid, all := batchJSON(t, do(t, s, http.MethodPost, PathVerifyBatch, ct, batchBody)); len(valid) != 2 || !all {
			t.Errorf("%q: batch %v %v", ct, valid, all)
		}
	}
	for _, ct := range []string{ContentTypeBatch, ContentTypeBatch + "; v=1", "Application/X-Ronkms-Batch"} {
		a := do(t, s, http.MethodPost, PathVerifyBatch, ct, binaryBatch([]testgen.Case{c, c}, 0))
		if a.status != 200 || a.header.Get("Content-Type") != ContentTypeBatchResult || !bytes.Equal(a.body, []byte{1, 1}) {
			t.Errorf("%q: binary batch: %d %q %q", ct, a.status, a.header.Get("Content-Type"), a.body)
		}
	}
	// JSON sent as binary is a binary body, and binary sent as JSON is
	// malformed JSON.
	checkError(t, do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, batchBody), 400, "binary batch")
	checkError(t, do(t, s, http.MethodPost, PathVerifyBatch, "application/json", binaryBatch([]testgen.Case{c}, 0)), 400, "malformed JSON at byte 0")
}
