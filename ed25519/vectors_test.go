package ed25519_test

import (
	"bytes"
	"crypto"
	stded25519 "crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"testing"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/internal/testvectors"
)

// TestRFC8032SignInput runs every line of the ed25519.cr.yp.to sign.input set
// (1024 lines, RFC 8032 TEST 1, 2, 3 and 1024 among them): key derivation,
// deterministic signing and verification in all three modes.
func TestRFC8032SignInput(t *testing.T) {
	cases := testvectors.SignInput(t)
	if len(cases) != 1024 {
		t.Fatalf("%d cases, want 1024", len(cases))
	}
	for _, c := range cases {
		priv := ed25519.NewKeyFromSeed(c.Seed)
		if want := append(clone(c.Seed), c.Pub...); !bytes.Equal(priv, want) {
			t.Errorf("line %d: NewKeyFromSeed = %x, want seed||pub %x", c.Line, priv, want)
			continue
		}
		if len(c.Msg) != c.Line-1 {
			t.Errorf("line %d: message of %d bytes, want %d", c.Line, len(c.Msg), c.Line-1)
		}
		if sig := ed25519.Sign(priv, c.Msg); !bytes.Equal(sig, c.Sig) {
			t.Errorf("line %d: Sign = %x, want %x", c.Line, sig, c.Sig)
		}
		pub := ed25519.PublicKey(c.Pub)
		if !ed25519.Verify(pub, c.Msg, c.Sig) {
			t.Errorf("line %d: Verify rejected", c.Line)
		}
		if !ed25519.VerifyStrict(pub, c.Msg, c.Sig) {
			t.Errorf("line %d: VerifyStrict rejected", c.Line)
		}
		if !ed25519.VerifyZIP215(pub, c.Msg, c.Sig) {
			t.Errorf("line %d: VerifyZIP215 rejected", c.Line)
		}
		if err := ed25519.VerifyWithOptions(pub, c.Msg, c.Sig, &ed25519.Options{}); err != nil {
			t.Errorf("line %d: VerifyWithOptions: %v", c.Line, err)
		}
	}
}

// TestRFC8032PhCtx runs RFC 8032 sections 7.1 (Ed25519), 7.2 (Ed25519ctx)
// and 7.3 (Ed25519ph): signing through PrivateKey.Sign reproduces the
// signature, VerifyWithOptions accepts it, and a wrong context or variant is
// rejected with crypto/ed25519's error.
func TestRFC8032PhCtx(t *testing.T) {
	cases := testvectors.PhCtx(t)
	seen := map[string]int{}
	for _, c := range cases {
		name := fmt.Sprintf("RFC 8032 %s %s #%d", c.Section, c.Variant, c.Index)
		seen[c.Variant]++
		priv := ed25519.NewKeyFromSeed(c.Secret)
		if !bytes.Equal(priv[32:], c.Public) {
			t.Errorf("%s: public key %x, want %x", name, priv[32:], c.Public)
			continue
		}
		pub := ed25519.PublicKey(c.Public)
		var msg []byte
		var opts *ed25519.Options
		switch c.Variant {
		case "Ed25519":
			msg, opts = c.Msg, &ed25519.Options{}
			if sig := ed25519.Sign(priv, msg); !bytes.Equal(sig, c.Signature) {
				t.Errorf("%s: Sign = %x, want %x", name, sig, c.Signature)
			}
			for _, ok := range []bool{ed25519.Verify(pub, msg, c.Signature), ed25519.VerifyStrict(pub, msg, c.Signature), ed25519.VerifyZIP215(pub, msg, c.Signature)} {
				if !ok {
					t.Errorf("%s: a verifier rejected", name)
				}
			}
		case "Ed25519ctx":
			if !c.ContextPresent || c.Context == "" {
				t.Fatalf("%s: no context", name)
			}
			msg, opts = c.Msg, &ed25519.Options{Context: c.Context}
		case "Ed25519ph":
			h := sha512.Sum512(c.Msg)
			msg, opts = h[:], &ed25519.Options{Hash: crypto.SHA512, Context: c.Context}
		default:
			t.Fatalf("%s: unknown variant", name)
		}
		sig, err := priv.Sign(nil, msg, opts)
		if err != nil {
			t.Fatalf("%s: PrivateKey.Sign: %v", name, err)
		}
		if !bytes.Equal(sig, c.Signature) {
			t.Errorf("%s: PrivateKey.Sign = %x, want %x", name, sig, c.Signature)
		}
		if err := ed25519.VerifyWithOptions(pub, msg, c.Signature, opts); err != nil {
			t.Errorf("%s: VerifyWithOptions: %v", name, err)
		}
		// Wrong contexts and wrong variants.
		wrong := []*ed25519.Options{
			{Context: c.Context + "!"},
			{Hash: crypto.SHA512, Context: c.Context + "!"},
			{},
			{Hash: crypto.SHA512},
			{Context: "foo"},
			{Hash: crypto.SHA512, Context: "foo"},
			{Hash: crypto.SHA256, Context: c.Context},
		}
		for _, w := range wrong {
			if w.Hash == opts.Hash && w.Context == opts.Context {
				continue
			}
			err := checkVerifyWithOptions(t, name+" wrong options", pub, msg, c.Signature, w)
			if err == nil {
				t.Errorf("%s: accepted with %+v (signed with %+v)", name, *w, *opts)
			}
		}
		if c.Variant != "Ed25519" {
			// Pure verification of a ctx/ph signature must fail too.
			for _, ok := range []bool{ed25519.Verify(pub, msg, c.Signature), ed25519.VerifyStrict(pub, msg, c.Signature), ed25519.VerifyZIP215(pub, msg, c.Signature)} {
				if ok {
					t.Errorf("%s: a pure verifier accepted a %s signature", name, c.Variant)
				}
			}
		}
		// A flipped signature bit is rejected.
		bad := clone(c.Signature)
		bad[5] ^= 0x10
		if err := checkVerifyWithOptions(t, name+" flipped", pub, msg, bad, opts); err == nil {
			t.Errorf("%s: corrupted signature accepted", name)
		}
	}
	for _, v := range []string{"Ed25519", "Ed25519ctx", "Ed25519ph"} {
		if seen[v] == 0 {
			t.Errorf("no %s case in the vectors", v)
		}
	}
	if len(cases) != 10 {
		t.Errorf("%d cases, want 10", len(cases))
	}
}

// TestWycheproof runs the Wycheproof EdDSA verification set: Verify (StdLib)
// and VerifyStrict must both equal the expected result on all 151 cases, and
// VerifyZIP215 must equal testgen's reference (the oracle module compares it
// with ed25519consensus and curve25519-voi).
func TestWycheproof(t *testing.T) {
	cases := testvectors.Wycheproof(t)
	valid := 0
	for _, c := range cases {
		name := fmt.Sprintf("tcId %d (%s %v)", c.TcID, c.Comment, c.Flags)
		if len(c.Pub) != ed25519.PublicKeySize {
			t.Fatalf("%s: key of %d bytes (Verify would panic)", name, len(c.Pub))
		}
		if c.Valid {
			valid++
		}
		if got := ed25519.Verify(c.Pub, c.Msg, c.Sig); got != c.Valid {
			t.Errorf("%s: Verify = %v, want %v", name, got, c.Valid)
		}
		if got := ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig); got != c.Valid {
			t.Errorf("%s: VerifyStrict = %v, want %v", name, got, c.Valid)
		}
		if got, want := ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig), testgen.Reference(testgen.ZIP215, testgen.Case{Pub: c.Pub, Msg: c.Msg, Sig: c.Sig}); got != want {
			t.Errorf("%s: VerifyZIP215 = %v, reference = %v", name, got, want)
		}
		checkVerifyWithOptions(t, name, c.Pub, c.Msg, c.Sig, &ed25519.Options{})
	}
	if valid != 88 {
		t.Errorf("%d valid cases, want 88", valid)
	}
}

// TestZIP215Vectors runs the 196 cases of the ed25519consensus ZIP-215 set
// (small-order and non-canonical A and R, s = 0): VerifyZIP215 accepts all;
// VerifyStrict rejects every one whose A or R is small-order; Verify equals
// crypto/ed25519.Verify.
func TestZIP215Vectors(t *testing.T) {
	cases := testvectors.ZIP215(t)
	smallOrder, stdlibAccepts := 0, 0
	for i, c := range cases {
		name := fmt.Sprintf("zip215 case %d (A %x, R %x)", i, c.Pub, c.Sig[:32])
		if !c.Valid {
			t.Errorf("%s: the vector file marks it invalid", name)
		}
		if !ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig) {
			t.Errorf("%s: VerifyZIP215 rejected", name)
		}
		strict := ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig)
		if testgen.IsDerivedSmallOrderEncoding(c.Pub) || testgen.IsDerivedSmallOrderEncoding(c.Sig[:32]) {
			smallOrder++
			if strict {
				t.Errorf("%s: VerifyStrict accepted a small-order A or R", name)
			}
		}
		if want := testgen.Reference(testgen.Strict, testgen.Case{Pub: c.Pub, Msg: c.Msg, Sig: c.Sig}); strict != want {
			t.Errorf("%s: VerifyStrict = %v, reference %v", name, strict, want)
		}
		got, want := ed25519.Verify(c.Pub, c.Msg, c.Sig), stded25519.Verify(c.Pub, c.Msg, c.Sig)
		if got != want {
			t.Errorf("%s: Verify = %v, crypto/ed25519.Verify = %v", name, got, want)
		}
		if got {
			stdlibAccepts++
		}
		checkVerifyWithOptions(t, name, c.Pub, c.Msg, c.Sig, &ed25519.Options{})
	}
	// Every case of this set has small-order A and R; the set also separates
	// StdLib from ZIP215 (some are accepted by crypto/ed25519, most are not).
	if smallOrder != len(cases) {
		t.Errorf("%d of %d cases have a small-order A or R, want all", smallOrder, len(cases))
	}
	if stdlibAccepts == 0 || stdlibAccepts == len(cases) {
		t.Errorf("crypto/ed25519 accepts %d of %d cases: expected a split", stdlibAccepts, len(cases))
	}
	t.Logf("%d cases: ZIP215 accepts all, StdLib accepts %d, Strict accepts none", len(cases), stdlibAccepts)
}
