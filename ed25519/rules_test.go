package ed25519_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// TestRulesBits: the five choices are testgen's bits, the presets are the
// combinations the documentation states, and the zero value is StdLib.
func TestRulesBits(t *testing.T) {
	for _, b := range []struct {
		name      string
		got, want uint8
	}{
		{"RejectSmallOrderA", uint8(ed25519.RejectSmallOrderA), uint8(testgen.RejectSmallOrderA)},
		{"RejectSmallOrderR", uint8(ed25519.RejectSmallOrderR), uint8(testgen.RejectSmallOrderR)},
		{"RequireCanonicalA", uint8(ed25519.RequireCanonicalA), uint8(testgen.RequireCanonicalA)},
		{"AllowNonCanonicalR", uint8(ed25519.AllowNonCanonicalR), uint8(testgen.AllowNonCanonicalR)},
		{"Cofactored", uint8(ed25519.Cofactored), uint8(testgen.Cofactored)},
		{"StdLib", uint8(ed25519.StdLib), 0},
		{"Strict", uint8(ed25519.Strict), uint8(testgen.RejectSmallOrderA | testgen.RejectSmallOrderR)},
		{"ZIP215", uint8(ed25519.ZIP215), uint8(testgen.Cofactored | testgen.AllowNonCanonicalR)},
		{"Libsodium", uint8(ed25519.Libsodium), uint8(testgen.RejectSmallOrderA | testgen.RejectSmallOrderR | testgen.RequireCanonicalA)},
		{"FIPS186_5", uint8(ed25519.FIPS186_5), uint8(testgen.Cofactored | testgen.RequireCanonicalA)},
		{"VoiDefault", uint8(ed25519.VoiDefault), uint8(testgen.Cofactored | testgen.RequireCanonicalA | testgen.RejectSmallOrderA)},
		{"Oasis", uint8(ed25519.Oasis), uint8(testgen.Cofactored | testgen.AllowNonCanonicalR | testgen.RejectSmallOrderA | testgen.RejectSmallOrderR)},
	} {
		if b.got != b.want {
			t.Errorf("%s = %05b, want %05b", b.name, b.got, b.want)
		}
	}
	var zero ed25519.Rules
	if zero != ed25519.StdLib {
		t.Error("the zero Rules are not StdLib")
	}
	presets := ed25519.Presets()
	want := []ed25519.Rules{ed25519.StdLib, ed25519.Strict, ed25519.ZIP215, ed25519.Libsodium, ed25519.FIPS186_5, ed25519.VoiDefault, ed25519.Oasis}
	if fmt.Sprint(presets) != fmt.Sprint(want) {
		t.Errorf("Presets() = %v, want %v", presets, want)
	}
	presets[0] = ed25519.ZIP215
	if ed25519.Presets()[0] != ed25519.StdLib {
		t.Error("changing the slice Presets returned changed the presets")
	}
}

// TestRulesNames: every value has a String that ParseRules reads back
// (valid ones) or refuses with Validate's error (invalid ones); presets have
// their names; names of choices combine with "+".
func TestRulesNames(t *testing.T) {
	names := map[ed25519.Rules]string{
		ed25519.StdLib: "stdlib", ed25519.Strict: "strict", ed25519.ZIP215: "zip215",
		ed25519.Libsodium: "libsodium", ed25519.FIPS186_5: "fips186-5", ed25519.VoiDefault: "voi-default",
		ed25519.Oasis: "oasis",
	}
	seen := map[string]ed25519.Rules{}
	for i := range 256 {
		r := ed25519.Rules(i)
		s := r.String()
		if prev, dup := seen[s]; dup {
			t.Errorf("rules %05b and %05b are both named %q", prev, r, s)
		}
		seen[s] = r
		if n, ok := names[r]; ok && s != n {
			t.Errorf("preset %05b: String %q, want %q", r, s, n)
		}
		parsed, err := ed25519.ParseRules(s)
		if verr := r.Validate(); verr != nil {
			if err == nil {
				t.Errorf("%q (invalid: %v) parsed as %v", s, verr, parsed)
			}
			if !strings.HasPrefix(verr.Error(), "ed25519: invalid rules "+s+": ") {
				t.Errorf("Validate of %05b: %q does not name the rules", r, verr)
			}
			continue
		}
		if err != nil || parsed != r {
			t.Errorf("ParseRules(%q) = %v, %v; want %05b", s, parsed, err, r)
		}
	}
	for _, tc := range []struct {
		in   string
		want ed25519.Rules
	}{
		{"cofactored", ed25519.Cofactored},
		{"cofactored+allow-noncanonical-r", ed25519.ZIP215},
		{"zip215+reject-small-order-a+reject-small-order-r", ed25519.Oasis},
		{"strict+require-canonical-a", ed25519.Libsodium},
		{"reject-small-order-r+reject-small-order-a", ed25519.Strict},
	} {
		if got, err := ed25519.ParseRules(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseRules(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", `unknown rules "": "" is neither a preset`},
		{"Strict", `unknown rules "Strict": "Strict" is neither a preset`},
		{"strict+zip215", `"zip215" is neither a preset`},
		{"cofactored+", `unknown rules "cofactored+": "" is neither`},
		{"allow-noncanonical-r", "allow-noncanonical-r needs cofactored"},
		{"stdlib+allow-noncanonical-r", "allow-noncanonical-r needs cofactored"},
	} {
		_, err := ed25519.ParseRules(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseRules(%q): %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
	var ue *ed25519.UnknownRulesError
	if _, err := ed25519.ParseRules("nope"); !errors.As(err, &ue) || ue.Name != "nope" || ue.Part != "nope" {
		t.Errorf("ParseRules(nope): %v, want an *UnknownRulesError", err)
	}
	if err := ed25519.Rules(0x20).Validate(); err == nil || !strings.Contains(err.Error(), "bits outside the five rules") {
		t.Errorf("Validate of an unknown bit: %v", err)
	}
}

// TestRulesVerify: Rules.Verify equals testgen.Reference under every one of
// the 32 combinations on crafted inputs, wrong lengths and nil included,
// never panics, and the three named verifiers are their presets' Verify.
func TestRulesVerify(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0x72756c6573))
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng), testgen.NewSigner(rng)}
	n := scaled(2000, 200)
	accepted := map[ed25519.Rules]int{}
	for i := range n {
		c := testgen.Random(rng, signers)
		for _, tr := range testgen.AllRules() {
			r := ed25519.Rules(tr)
			var got bool
			if _, p := catch(func() { got = r.Verify(c.Pub, c.Msg, c.Sig) }); p {
				t.Fatalf("item %d (%s): %v.Verify panicked", i, c.Name, r)
			}
			if want := testgen.Reference(r, c); got != want {
				t.Errorf("item %d (%s): %v.Verify = %v, reference %v (pub %x msg %x sig %x)", i, c.Name, r, got, want, c.Pub, c.Msg, c.Sig)
			}
			if got {
				accepted[r]++
			}
		}
		if len(c.Pub) == ed25519.PublicKeySize && ed25519.Verify(c.Pub, c.Msg, c.Sig) != ed25519.StdLib.Verify(c.Pub, c.Msg, c.Sig) ||
			ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig) != ed25519.Strict.Verify(c.Pub, c.Msg, c.Sig) ||
			ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig) != ed25519.ZIP215.Verify(c.Pub, c.Msg, c.Sig) {
			t.Fatalf("item %d (%s): a named verifier differs from its preset's Verify", i, c.Name)
		}
	}
	for _, tr := range testgen.AllRules() {
		r := ed25519.Rules(tr)
		if (r.Validate() == nil) != (accepted[r] > 0) {
			t.Errorf("%v: %d of %d items accepted (valid rules accept honest signatures, invalid ones nothing)", r, accepted[r], n)
		}
	}
	var nilPub ed25519.PublicKey
	for _, r := range ed25519.Presets() {
		if r.Verify(nilPub, nil, nil) || r.Verify(make([]byte, 31), nil, make([]byte, 64)) {
			t.Errorf("%v accepted a malformed input", r)
		}
	}
}
