package ed25519_test

import (
	"bytes"
	"crypto"
	stded25519 "crypto/ed25519"
	"crypto/sha512"
	"testing"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// fuzzSeedCases returns seed inputs made here, without any vector file:
// honest signatures, crafted small-order, torsion, non-canonical and
// out-of-range cases, and wrong lengths.
func fuzzSeedCases() []testgen.Case {
	rng := newRNG(20)
	s := testgen.NewSigner(rng)
	msg := []byte("fuzz")
	honest := s.Honest(msg)
	cases := []testgen.Case{
		honest,
		s.Honest(nil),
		s.Honest(bytes.Repeat([]byte{0xa5}, 200)),
		s.TorsionR(rng, msg, 2), s.TorsionR(rng, msg, 4), s.TorsionR(rng, msg, 8),
		s.TorsionA(rng, msg, 2), s.TorsionA(rng, msg, 4), s.TorsionA(rng, msg, 8),
		{Pub: honest.Pub[:31], Msg: msg, Sig: honest.Sig},
		{Pub: append(clone(honest.Pub), 0), Msg: msg, Sig: honest.Sig},
		{Pub: honest.Pub, Msg: msg, Sig: honest.Sig[:63]},
		{Pub: honest.Pub, Msg: msg, Sig: append(clone(honest.Sig), 0)},
		{},
	}
	for _, e := range testgen.DerivedSmallOrderEncodings() {
		cases = append(cases, testgen.SmallOrderA(rng, msg, e), s.IdentityR(msg, e))
	}
	for _, e := range testgen.NonCanonicalLargeOrderEncodings()[:4] {
		c := s.Honest(msg)
		copy(c.Sig[:32], e)
		cases = append(cases, c)
	}
	sPlusL := s.Honest(msg)
	addL(sPlusL.Sig)
	cases = append(cases, sPlusL)
	return cases
}

// FuzzVerify compares the three verifiers with testgen.Reference on arbitrary
// key, message and signature bytes. VerifyStrict and VerifyZIP215 must never
// panic; Verify panics only where crypto/ed25519.Verify does (a key that is
// not 32 bytes), with the same value.
func FuzzVerify(f *testing.F) {
	for _, c := range fuzzSeedCases() {
		f.Add(c.Pub, c.Msg, c.Sig)
	}
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		c := testgen.Case{Name: "fuzz", Pub: pub, Msg: msg, Sig: sig}
		got, v, p := ours(t, c)
		checkStdLibPanic(t, c, v, p)
		if p != (len(pub) != ed25519.PublicKeySize) {
			t.Fatalf("Verify panicked = %v with a %d-byte key", p, len(pub))
		}
		for mode := range 3 {
			if mode == iStdLib && p {
				continue
			}
			if want := testgen.Reference(modeRules[mode], c); got[mode] != want {
				t.Fatalf("%s: got %v, reference %v (pub %x msg %x sig %x)", modeRules[mode], got[mode], want, pub, msg, sig)
			}
		}
		if got[iStrict] && !got[iStdLib] {
			t.Fatal("Strict accepted what StdLib rejected")
		}
		if got[iStdLib] && !got[iZIP215] {
			t.Fatal("StdLib accepted what ZIP215 rejected")
		}
	})
}

// FuzzVerifyWithOptions compares VerifyWithOptions with crypto/ed25519's on
// arbitrary inputs and options: the same panic, or the same error string.
func FuzzVerifyWithOptions(f *testing.F) {
	_, priv := fixedKey(21)
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("options")
	h := sha512.Sum512(msg)
	for _, tc := range []struct {
		m    []byte
		hash crypto.Hash
		ctx  string
	}{
		{msg, 0, ""}, {msg, 0, "ctx"}, {h[:], crypto.SHA512, ""}, {h[:], crypto.SHA512, "ctx"},
		{msg, crypto.SHA256, ""}, {h[:32], crypto.SHA512, ""},
	} {
		opts := &ed25519.Options{Hash: tc.hash, Context: tc.ctx}
		sig, err := priv.Sign(nil, tc.m, opts)
		if err != nil {
			sig = ed25519.Sign(priv, tc.m)
		}
		f.Add([]byte(pub), tc.m, sig, uint(tc.hash), tc.ctx)
	}
	f.Add([]byte(pub[:31]), msg, ed25519.Sign(priv, msg), uint(0), "")
	f.Add(testgen.DerivedSmallOrderEncodings()[0], msg, make([]byte, 64), uint(0), "")
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte, hash uint, ctx string) {
		opts := &ed25519.Options{Hash: crypto.Hash(hash), Context: ctx}
		err := checkVerifyWithOptions(t, "fuzz", pub, msg, sig, opts)
		if len(pub) == ed25519.PublicKeySize && opts.Hash == 0 && ctx == "" && (err == nil) != ed25519.Verify(pub, msg, sig) {
			t.Fatalf("VerifyWithOptions(pure) = %v, Verify disagrees", err)
		}
	})
}

// FuzzSign checks key derivation and signing against crypto/ed25519 on
// arbitrary seeds and messages, and that every verifier accepts the result.
func FuzzSign(f *testing.F) {
	f.Add(make([]byte, 32), []byte(nil))
	f.Add(bytes.Repeat([]byte{0xff}, 32), []byte("message"))
	f.Add(make([]byte, 31), []byte("short seed"))
	f.Add(make([]byte, 64), bytes.Repeat([]byte{1}, 300))
	f.Fuzz(func(t *testing.T, seed, msg []byte) {
		if len(seed) != ed25519.SeedSize {
			v, p := catch(func() { ed25519.NewKeyFromSeed(seed) })
			sv, sp := catch(func() { stded25519.NewKeyFromSeed(seed) })
			if !p || !sp || v != sv {
				t.Fatalf("NewKeyFromSeed(%d bytes): panic %#v, crypto/ed25519 %#v", len(seed), v, sv)
			}
			// seed used as a private key of the wrong length (crypto/ed25519
			// panics with a bounds error on an empty key: see TestSignPanics).
			if len(seed) != ed25519.PrivateKeySize && len(seed) != 0 {
				v, p := catch(func() { ed25519.Sign(seed, msg) })
				sv, sp := catch(func() { stded25519.Sign(seed, msg) })
				if !p || !sp || v != sv {
					t.Fatalf("Sign with a %d-byte key: panic %#v, crypto/ed25519 %#v", len(seed), v, sv)
				}
			}
			return
		}
		priv := ed25519.NewKeyFromSeed(seed)
		if want := stded25519.NewKeyFromSeed(seed); !bytes.Equal(priv, want) {
			t.Fatalf("NewKeyFromSeed(%x) = %x, crypto/ed25519 %x", seed, priv, want)
		}
		sig := ed25519.Sign(priv, msg)
		if want := stded25519.Sign(priv, msg); !bytes.Equal(sig, want) {
			t.Fatalf("Sign(%x, %x) = %x, crypto/ed25519 %x", seed, msg, sig, want)
		}
		pub := priv.Public().(ed25519.PublicKey)
		if !ed25519.Verify(pub, msg, sig) || !ed25519.VerifyStrict(pub, msg, sig) || !ed25519.VerifyZIP215(pub, msg, sig) {
			t.Fatalf("honest signature rejected (seed %x msg %x)", seed, msg)
		}
	})
}

// FuzzVerifyingKey compares a VerifyingKey made from arbitrary key bytes with
// testgen.Reference under arbitrary rules (a byte: valid and invalid
// combinations), on arbitrary message and signature bytes. Making the key
// fails exactly when no rules could accept, and nothing panics.
func FuzzVerifyingKey(f *testing.F) {
	for i, c := range fuzzSeedCases() {
		f.Add(c.Pub, c.Msg, c.Sig, byte(i))
	}
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte, rules byte) {
		c := testgen.Case{Name: "fuzz", Pub: pub, Msg: msg, Sig: sig}
		r := ed25519.Rules(rules)
		k, err := ed25519.NewVerifyingKey(pub)
		if err != nil {
			if testgen.Reference(r&31, c) || testgen.Reference(testgen.ZIP215, c) {
				t.Fatalf("NewVerifyingKey(%x): %v, but the reference accepts", pub, err)
			}
			return
		}
		if got, want := k.VerifyWithRules(r, msg, sig), r.Verify(pub, msg, sig); got != want {
			t.Fatalf("VerifyWithRules(%v) = %v, Rules.Verify %v (pub %x msg %x sig %x)", r, got, want, pub, msg, sig)
		}
		if r < 32 {
			if got, want := k.VerifyWithRules(r, msg, sig), testgen.Reference(r, c); got != want {
				t.Fatalf("VerifyWithRules(%v) = %v, reference %v", r, got, want)
			}
		}
		if k.Verify(msg, sig) != testgen.Reference(testgen.StdLib, c) {
			t.Fatal("Verify differs from the StdLib reference")
		}
	})
}
