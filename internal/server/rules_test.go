package server

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// customName names a rule set that is no preset: ZIP 215 with small-order
// public keys rejected.
const customName = "zip215+reject-small-order-a"

// craftedCases returns inputs that tell rule sets apart: honest signatures,
// and testgen's crafted ones (torsioned R and A, every encoding of the
// identity as R, every small-order encoding as A, a small-order R, a
// non-canonical R, s >= l, a mutation), then random ones of every kind,
// all of the right lengths (wrong lengths are 400s, tested apart).
func craftedCases(rng *rand.Rand, random int) []testgen.Case {
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng)}
	s := signers[0]
	msg := func() []byte { return testgen.RandomMessage(rng, 40) }
	out := []testgen.Case{s.Honest(msg()), s.Honest(nil), signers[1].Honest(msg())}
	for _, order := range []int{2, 4, 8} {
		out = append(out, s.TorsionR(rng, msg(), order), s.TorsionA(rng, msg(), order))
	}
	for _, enc := range testgen.IdentityEncodings() {
		out = append(out, s.IdentityR(msg(), enc))
	}
	for _, enc := range testgen.DerivedSmallOrderEncodings() {
		out = append(out, testgen.SmallOrderA(rng, msg(), enc))
	}
	smallR := s.Honest(msg())
	copy(smallR.Sig[:32], testgen.TorsionOfOrder(4).Bytes())
	smallR.Name = "small-order-R"
	nonCanonR := s.Honest(msg())
	copy(nonCanonR.Sig[:32], testgen.NonCanonicalLargeOrderEncodings()[0])
	nonCanonR.Name = "noncanonical-R"
	sPlusL := s.Honest(msg())
	sPlusL.Sig[63] |= 0x20 // s >= 2^253 > l
	sPlusL.Name = "s-ge-l"
	out = append(out, smallR, nonCanonR, sPlusL, testgen.Mutate(rng, s.Honest(msg())))
	for added := 0; added < random; {
		c := testgen.Random(rng, signers)
		if len(c.Pub) == 32 && len(c.Sig) == 64 {
			out = append(out, c)
			added++
		}
	}
	return out
}

// verdicts returns the verdicts of rules' single verifier, Rules.Verify,
// on cs, and checks that testgen's reference agrees with each.
func verdicts(t *testing.T, r ed25519.Rules, cs []testgen.Case) []bool {
	t.Helper()
	out := make([]bool, len(cs))
	for i, c := range cs {
		out[i] = r.Verify(c.Pub, c.Msg, c.Sig)
		if ref := testgen.Reference(r, c); ref != out[i] {
			t.Errorf("%v: case %d (%s): Rules.Verify %v, testgen.Reference %v", r, i, c.Name, out[i], ref)
		}
	}
	return out
}

// requestAll sends cs to s under the rules name (in JSON) and rules byte
// (in binary): every case as a single request, concurrently, naming the
// rules in field; one JSON batch naming them in field; one binary batch
// with rulesByte. It checks every verdict against want and returns the
// number of signature verifications and of batch requests made.
func requestAll(t *testing.T, s *Server, cs []testgen.Case, want []bool, field, name string, rulesByte byte) (sigs, batches int) {
	t.Helper()
	var wg sync.WaitGroup
	got := make([]answer, len(cs))
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(verifyReqAs(c, field, name))
			got[i] = do(t, s, http.MethodPost, PathVerify, "application/json", body)
		}()
	}
	wg.Wait()
	for i, a := range got {
		if v := single(t, a); v != want[i] {
			t.Errorf("%s %q: single %d (%s): verdict %v, want %v", field, name, i, cs[i].Name, v, want[i])
		}
	}
	valid, all := batchJSON(t, post(t, s, PathVerifyBatch, batchReqAs(cs, field, name)))
	if len(valid) != len(cs) || all != !slices.Contains(want, false) {
		t.Fatalf("%s %q: JSON batch: %d verdicts, all_valid %v", field, name, len(valid), all)
	}
	for i := range cs {
		if valid[i] != want[i] {
			t.Errorf("%s %q: JSON batch item %d (%s): verdict %v, want %v", field, name, i, cs[i].Name, valid[i], want[i])
		}
	}
	a := do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, binaryBatch(cs, rulesByte))
	if a.status != http.StatusOK || a.header.Get("Content-Type") != ContentTypeBatchResult || len(a.body) != len(cs) {
		t.Fatalf("rules byte %#x: binary batch: status %d, Content-Type %q, body %q", rulesByte, a.status, a.header.Get("Content-Type"), a.body)
	}
	for i := range cs {
		if a.body[i] > 1 || (a.body[i] == 1) != want[i] {
			t.Errorf("rules byte %#x: binary item %d (%s): byte %d, want verdict %v", rulesByte, i, cs[i].Name, a.body[i], want[i])
		}
	}
	return 3 * len(cs), 2
}

// TestRulesByName: a request that names a served rule set, a preset by its
// name or a custom combination, in JSON ("rules", or its former name
// "mode") or in binary (its BinaryRules byte, or 0x80 plus its bits), gets
// the verdicts of that rule set's single verifier, Rules.Verify, on inputs
// crafted to tell rule sets apart; a request naming none gets those of the
// default. The metrics show which Batcher verified each: where no input
// tells two rule sets apart (strict and libsodium), they are what shows the
// request went to the rules it named.
func TestRulesByName(t *testing.T) {
	random := 24
	if testing.Short() {
		random = 8
	}
	custom, err := ed25519.ParseRules(customName)
	if err != nil {
		t.Fatal(err)
	}
	if custom != ed25519.ZIP215|ed25519.RejectSmallOrderA || slices.Contains(ed25519.Presets(), custom) {
		t.Fatalf("%s parsed as %v (%#x), want zip215 plus reject-small-order-a, no preset", customName, custom, uint8(custom))
	}
	served := append(ed25519.Presets(), custom)
	const def = ed25519.VoiDefault
	reg := prometheus.NewRegistry()
	s := newServer(t, Config{DefaultRules: def, Rules: served, Registry: reg, Batcher: batcher.Config{TargetBatch: 4, MaxBatch: 8}})
	if got := s.Config().Rules; !slices.Equal(got, served) {
		t.Errorf("Config().Rules = %v, want %v", got, served)
	}
	cs := craftedCases(rand.New(rand.NewPCG(21, 22)), random)
	want := map[ed25519.Rules][]bool{}
	for _, r := range served {
		want[r] = verdicts(t, r, cs)
		if !slices.Contains(want[r], true) || !slices.Contains(want[r], false) {
			t.Fatalf("%v: verdicts %v: want a mixture", r, want[r])
		}
	}
	// The inputs tell every two served rule sets apart but strict and
	// libsodium, which differ only on a non-canonical encoding of a public
	// key of large order: signing under one takes its discrete logarithm.
	for i, a := range served {
		for _, b := range served[i+1:] {
			same := slices.Equal(want[a], want[b])
			if pair := [2]ed25519.Rules{a, b}; same != (pair == [2]ed25519.Rules{ed25519.Strict, ed25519.Libsodium}) {
				t.Errorf("%v and %v: same verdicts on every input: %v", a, b, same)
			}
		}
	}

	type count struct{ valid, invalid, batches int }
	sent := map[ed25519.Rules]*count{}
	add := func(r ed25519.Rules, sigs, batches int) {
		c := sent[r]
		if c == nil {
			c = &count{}
			sent[r] = c
		}
		n := 0
		for _, v := range want[r] {
			if v {
				n++
			}
		}
		c.valid += sigs / len(cs) * n
		c.invalid += sigs / len(cs) * (len(cs) - n)
		c.batches += batches
	}
	for _, r := range served {
		names := []string{r.String()}
		if r == custom {
			// The name that String gives, as the request above gave it,
			// and the rules in another order.
			names = append(names, customName, "cofactored+allow-noncanonical-r+reject-small-order-a")
		}
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				sigs, batches := requestAll(t, s, cs, want[r], "rules", name, BinaryRules(r))
				add(r, sigs, batches)
				// The former field name, and the generic rules byte.
				sigs, batches = requestAll(t, s, cs, want[r], "mode", name, 0x80|byte(r))
				add(r, sigs, batches)
			})
		}
	}
	t.Run("default", func(t *testing.T) {
		sigs, batches := requestAll(t, s, cs, want[def], "rules", "", 0)
		add(def, sigs, batches)
	})

	// Every request went to the Batcher of the rules it named: the
	// operations of each rule set, under its own alg, are those sent.
	fams := gather(t, reg)
	for _, r := range served {
		alg := "ed25519-" + r.String()
		c := sent[r]
		for _, tc := range []struct {
			op, result string
			want       int
		}{
			{"verify", "valid", c.valid},
			{"verify", "invalid", c.invalid},
			{"verify", "error", 0},
			{"verify_batch", "valid", 0},
			{"verify_batch", "invalid", c.batches},
			{"verify_batch", "error", 0},
		} {
			labels := map[string]string{"op": tc.op, "alg": alg, "result": tc.result}
			got := 0
			if slices.Contains(ed25519.Presets(), r) || tc.want != 0 {
				got = counter(t, fams, "kms_ops_total", labels) // fails if absent
			} else if m := findSeries(fams, "kms_ops_total", labels); m != nil {
				// Other rules get their series on first use.
				got = int(m.GetCounter().GetValue())
			}
			if got != tc.want {
				t.Errorf("kms_ops_total{op=%s,alg=%s,result=%s} = %d, want %d", tc.op, alg, tc.result, got, tc.want)
			}
		}
	}
	if alg := "ed25519-" + custom.String(); alg != "ed25519-reject-small-order-a+allow-noncanonical-r+cofactored" {
		t.Errorf("custom rules: alg %q", alg)
	}
	if n := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify", "kind": "bad_input"}) +
		counter(t, fams, "kms_failures_total", map[string]string{"op": "verify_batch", "kind": "bad_input"}); n != 0 {
		t.Errorf("%d bad_input failures", n)
	}
}

// TestRulesNotServed: a Server that serves a subset of the rule sets
// answers requests naming the others 400, whatever the way they name them,
// verifies nothing for them and counts them as bad input; it verifies the
// ones it serves.
func TestRulesNotServed(t *testing.T) {
	served := []ed25519.Rules{ed25519.Strict, ed25519.Libsodium}
	reg := prometheus.NewRegistry()
	s := newServer(t, Config{DefaultRules: ed25519.Libsodium, Rules: served, Registry: reg})
	if got := s.Config(); !slices.Equal(got.Rules, served) || got.DefaultRules != ed25519.Libsodium {
		t.Errorf("Config(): Rules %v, DefaultRules %v", got.Rules, got.DefaultRules)
	}
	cs := craftedCases(rand.New(rand.NewPCG(23, 24)), 0)
	bad := 0
	refused := func(a answer, r ed25519.Rules) {
		t.Helper()
		bad++
		checkError(t, a, http.StatusBadRequest, "rules "+r.String()+" are not served here (served: strict, libsodium)")
	}
	others := append(slices.DeleteFunc(ed25519.Presets(), func(r ed25519.Rules) bool { return slices.Contains(served, r) }),
		ed25519.ZIP215|ed25519.RejectSmallOrderA, ed25519.Cofactored, ed25519.RequireCanonicalA)
	if len(others) != 8 {
		t.Fatalf("rules not served: %v", others)
	}
	for _, r := range others {
		for _, field := range []string{"rules", "mode"} {
			refused(post(t, s, PathVerify, verifyReqAs(cs[0], field, r.String())), r)
			refused(post(t, s, PathVerifyBatch, batchReqAs(cs[:2], field, r.String())), r)
		}
		refused(do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, binaryBatch(cs[:2], BinaryRules(r))), r)
		refused(do(t, s, http.MethodPost, PathVerifyBatch, ContentTypeBatch, binaryBatch(cs[:2], 0x80|byte(r))), r)
	}
	// The served ones, and the default.
	verified := map[ed25519.Rules]int{}
	for _, r := range served {
		want := verdicts(t, r, cs)
		sigs, _ := requestAll(t, s, cs, want, "rules", r.String(), BinaryRules(r))
		verified[r] += sigs
	}
	sigs, _ := requestAll(t, s, cs, verdicts(t, ed25519.Libsodium, cs), "mode", "", 0)
	verified[ed25519.Libsodium] += sigs

	fams := gather(t, reg)
	bad1 := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify", "kind": "bad_input"})
	badB := counter(t, fams, "kms_failures_total", map[string]string{"op": "verify_batch", "kind": "bad_input"})
	if bad1 != 2*len(others) || bad1+badB != bad {
		t.Errorf("bad_input failures: verify %d, verify_batch %d; want %d, %d", bad1, badB, 2*len(others), bad-2*len(others))
	}
	for _, r := range ed25519.Presets() {
		total := 0
		for _, res := range []string{"valid", "invalid", "error"} {
			total += counter(t, fams, "kms_ops_total", map[string]string{"op": "verify", "alg": "ed25519-" + r.String(), "result": res})
		}
		if total != verified[r] {
			t.Errorf("kms_ops_total{op=verify,alg=ed25519-%v}: %d in all, want %d", r, total, verified[r])
		}
	}
	for _, m := range fams["kms_ops_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "alg" && !slices.ContainsFunc(ed25519.Presets(), func(r ed25519.Rules) bool { return l.GetValue() == "ed25519-"+r.String() }) {
				t.Errorf("kms_ops_total has a series for %s, which is not served", l.GetValue())
			}
		}
	}
}

// TestDefaultConfigRules: with Config.Rules nil the Server serves every
// preset, one Batcher each, and Config reports them; a rule set listed
// twice is served once.
func TestDefaultConfigRules(t *testing.T) {
	s := newServer(t, Config{})
	if got := s.Config().Rules; !slices.Equal(got, ed25519.Presets()) {
		t.Errorf("Config().Rules = %v, want the presets %v", got, ed25519.Presets())
	}
	for r, sv := range s.served {
		if (sv != nil) != slices.Contains(ed25519.Presets(), ed25519.Rules(r)) {
			t.Errorf("rules %v: served %v", ed25519.Rules(r), sv != nil)
		}
	}
	if s.Config().Batcher.Rules != 0 || s.Config().Batcher.Observer != nil {
		t.Errorf("Config().Batcher: Rules %v, Observer %v; want zero", s.Config().Batcher.Rules, s.Config().Batcher.Observer)
	}

	twice := newServer(t, Config{DefaultRules: ed25519.Oasis, Rules: []ed25519.Rules{ed25519.Oasis, ed25519.Oasis}})
	n := 0
	for _, sv := range twice.served {
		if sv != nil {
			n++
		}
	}
	if n != 1 || twice.served[ed25519.Oasis] == nil {
		t.Errorf("oasis listed twice: %d Batchers", n)
	}
	c := testgen.NewSigner(rand.New(rand.NewPCG(25, 26))).Honest([]byte("twice"))
	if !single(t, post(t, twice, PathVerify, verifyReq(c, ""))) {
		t.Error("honest signature rejected under oasis")
	}
	a := do(t, twice, http.MethodPost, PathVerifyBatch, ContentTypeBatch, binaryBatch([]testgen.Case{c}, BinaryRules(ed25519.Oasis)))
	if a.status != http.StatusOK || !bytes.Equal(a.body, []byte{1}) {
		t.Errorf("binary batch under oasis: %d %q", a.status, a.body)
	}
}

// findSeries returns the series of family name with exactly labels, or nil.
func findSeries(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
outer:
	for _, m := range fams[name].GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if v, ok := labels[lp.GetName()]; !ok || v != lp.GetValue() {
				continue outer
			}
		}
		return m
	}
	return nil
}
