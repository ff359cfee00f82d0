package ed25519_test

import (
	"bytes"
	"crypto"
	stded25519 "crypto/ed25519"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// Helpers shared by every test file of this package.

// newRNG returns a deterministic generator, so that failures reproduce.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x726f6e6b6d73)) }

// scaled returns n, or short under -short.
func scaled(n, short int) int {
	if testing.Short() {
		return short
	}
	return n
}

// catch runs f and returns the value it panicked with, if any.
func catch(f func()) (v any, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			v, panicked = r, true
		}
	}()
	f()
	return nil, false
}

// The three original rule sets, in the order of the [3] arrays of these
// tests.
const (
	iStdLib = iota
	iStrict
	iZIP215
)

var modeRules = [3]ed25519.Rules{iStdLib: ed25519.StdLib, iStrict: ed25519.Strict, iZIP215: ed25519.ZIP215}

// ours returns this package's verdict in each of the three original rule
// sets, in the order of modeRules.
// Verify may panic (bad key length); its panic value is returned, and the
// other two modes must never panic (a panic there fails the test).
func ours(t testing.TB, c testgen.Case) (got [3]bool, verifyPanic any, verifyPanicked bool) {
	t.Helper()
	verifyPanic, verifyPanicked = catch(func() { got[iStdLib] = ed25519.Verify(c.Pub, c.Msg, c.Sig) })
	if v, p := catch(func() { got[iStrict] = ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig) }); p {
		t.Errorf("%s: VerifyStrict panicked: %v (pub %x sig %x)", c.Name, v, c.Pub, c.Sig)
	}
	if v, p := catch(func() { got[iZIP215] = ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig) }); p {
		t.Errorf("%s: VerifyZIP215 panicked: %v (pub %x sig %x)", c.Name, v, c.Pub, c.Sig)
	}
	return got, verifyPanic, verifyPanicked
}

// checkStdLibPanic asserts that Verify panics exactly when crypto/ed25519.Verify
// does, with the same value.
func checkStdLibPanic(t testing.TB, c testgen.Case, v any, panicked bool) {
	t.Helper()
	sv, sp := catch(func() { stded25519.Verify(c.Pub, c.Msg, c.Sig) })
	if panicked != sp || v != sv {
		t.Errorf("%s: Verify panic (%v, %#v), crypto/ed25519.Verify panic (%v, %#v) (len(pub) %d, len(sig) %d)",
			c.Name, panicked, v, sp, sv, len(c.Pub), len(c.Sig))
	}
}

// clone copies b, keeping nil as nil.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// secretScalar returns the clamped secret scalar a of priv (A = [a]B).
func secretScalar(t testing.TB, priv ed25519.PrivateKey) *edwards25519.Scalar {
	t.Helper()
	h := sha512.Sum512(priv.Seed())
	a, err := new(edwards25519.Scalar).SetBytesWithClamping(h[:32])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// errString returns err's message, or "<nil>".
func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// sameErr reports whether two errors are both nil, or both non-nil with the
// same message.
func sameErr(a, b error) bool { return errString(a) == errString(b) }

// fixedKey returns a deterministic key pair derived from b.
func fixedKey(b byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

// Drop-in behaviour.

func TestConstantsAndTypes(t *testing.T) {
	if ed25519.PublicKeySize != stded25519.PublicKeySize || ed25519.PrivateKeySize != stded25519.PrivateKeySize ||
		ed25519.SignatureSize != stded25519.SignatureSize || ed25519.SeedSize != stded25519.SeedSize {
		t.Fatal("size constants differ from crypto/ed25519")
	}
	// The key and option types are the standard package's, so that
	// crypto/x509 and type assertions written for crypto/ed25519 keep working.
	for _, p := range [][2]reflect.Type{
		{reflect.TypeFor[ed25519.PublicKey](), reflect.TypeFor[stded25519.PublicKey]()},
		{reflect.TypeFor[ed25519.PrivateKey](), reflect.TypeFor[stded25519.PrivateKey]()},
		{reflect.TypeFor[ed25519.Options](), reflect.TypeFor[stded25519.Options]()},
	} {
		if p[0] != p[1] {
			t.Errorf("type %v is not crypto/ed25519's %v", p[0], p[1])
		}
	}
}

func TestGenerateKeyNil(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != ed25519.PublicKeySize || len(priv) != ed25519.PrivateKeySize {
		t.Fatalf("lengths %d, %d", len(pub), len(priv))
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) || !bytes.Equal(priv[32:], pub) {
		t.Error("public key does not match the private key")
	}
	if !bytes.Equal(ed25519.NewKeyFromSeed(priv.Seed()), priv) {
		t.Error("NewKeyFromSeed(priv.Seed()) differs from priv")
	}
	if !bytes.Equal(stded25519.NewKeyFromSeed(priv.Seed()), priv) {
		t.Error("crypto/ed25519 derives a different key from the same seed")
	}
	_, priv2, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(priv, priv2) {
		t.Error("GenerateKey(nil) returned the same key twice")
	}
	// The public key must not alias the private key.
	pub[0] ^= 0xff
	if bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Error("the returned public key aliases the private key")
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestGenerateKeyReader(t *testing.T) {
	rng := newRNG(1)
	for i := range 20 {
		stream := make([]byte, 40+i)
		for j := range stream {
			stream[j] = byte(rng.Uint32())
		}
		r1 := &countingReader{r: bytes.NewReader(stream)}
		pub, priv, err := ed25519.GenerateKey(r1)
		if err != nil {
			t.Fatal(err)
		}
		r2 := &countingReader{r: bytes.NewReader(stream)}
		spub, spriv, err := stded25519.GenerateKey(r2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pub, spub) || !bytes.Equal(priv, spriv) {
			t.Fatalf("GenerateKey(reader) = %x, %x; crypto/ed25519 gives %x, %x", pub, priv, spub, spriv)
		}
		if r1.n != ed25519.SeedSize || r1.n != r2.n {
			t.Fatalf("read %d bytes, crypto/ed25519 read %d, want %d", r1.n, r2.n, ed25519.SeedSize)
		}
		if !bytes.Equal(priv.Seed(), stream[:32]) {
			t.Fatal("the seed is not the first 32 bytes read")
		}
		// Deterministic: the same stream gives the same key.
		_, again, _ := ed25519.GenerateKey(bytes.NewReader(stream))
		if !bytes.Equal(again, priv) {
			t.Fatal("GenerateKey is not deterministic for a fixed reader")
		}
	}
	// A short reader: the same error as crypto/ed25519, no key.
	for _, n := range []int{0, 1, 31} {
		pub, priv, err := ed25519.GenerateKey(bytes.NewReader(make([]byte, n)))
		_, _, serr := stded25519.GenerateKey(bytes.NewReader(make([]byte, n)))
		if err == nil || !sameErr(err, serr) || pub != nil || priv != nil {
			t.Errorf("short reader (%d bytes): (%x, %x, %v), crypto/ed25519 error %v", n, pub, priv, err, serr)
		}
	}
	// A failing reader's error is returned as is.
	boom := errors.New("boom")
	if _, _, err := ed25519.GenerateKey(io.MultiReader(bytes.NewReader(make([]byte, 5)), errReader{boom})); !errors.Is(err, boom) {
		t.Errorf("failing reader: err = %v, want %v", err, boom)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestNewKeyFromSeedPanics(t *testing.T) {
	for _, n := range []int{-1, 0, 1, 31, 33, 64} {
		var seed []byte
		if n >= 0 {
			seed = make([]byte, n)
		}
		v, p := catch(func() { ed25519.NewKeyFromSeed(seed) })
		sv, sp := catch(func() { stded25519.NewKeyFromSeed(seed) })
		if !p || !sp || v != sv {
			t.Errorf("seed length %d (nil=%v): panic %v %#v, crypto/ed25519 panic %v %#v", len(seed), seed == nil, p, v, sp, sv)
		}
	}
}

func TestSignPanics(t *testing.T) {
	msg := []byte("message")
	for _, n := range []int{1, 31, 32, 63, 65, 128} {
		key := make([]byte, n)
		v, p := catch(func() { ed25519.Sign(key, msg) })
		sv, sp := catch(func() { stded25519.Sign(key, msg) })
		if !p || !sp || v != sv {
			t.Errorf("private key length %d: panic %v %#v, crypto/ed25519 panic %v %#v", n, p, v, sp, sv)
		}
	}
	// An empty or nil key: crypto/ed25519 (Go 1.26) indexes privateKey[0]
	// before checking the length and panics with a runtime bounds error; this
	// package panics with the documented length message instead. Both panic.
	for _, key := range [][]byte{nil, {}} {
		v, p := catch(func() { ed25519.Sign(key, msg) })
		_, sp := catch(func() { stded25519.Sign(key, msg) })
		if !p || !sp {
			t.Errorf("empty key (nil=%v): panicked %v, crypto/ed25519 panicked %v", key == nil, p, sp)
		}
		if v != "ed25519: bad private key: ed25519: bad private key length: 0" {
			t.Errorf("empty key: panic value %#v", v)
		}
	}
}

func TestSignMatchesStdlib(t *testing.T) {
	rng := newRNG(2)
	for range scaled(300, 40) {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		if !bytes.Equal(priv, stded25519.NewKeyFromSeed(seed)) {
			t.Fatalf("NewKeyFromSeed(%x) differs from crypto/ed25519", seed)
		}
		pub := priv.Public().(ed25519.PublicKey)
		msg := testgen.RandomMessage(rng, 300)
		msgCopy, privCopy := clone(msg), clone(priv)
		sig := ed25519.Sign(priv, msg)
		if want := stded25519.Sign(priv, msg); !bytes.Equal(sig, want) {
			t.Fatalf("Sign(seed %x, msg %x) = %x, crypto/ed25519 gives %x", seed, msg, sig, want)
		}
		if !bytes.Equal(msg, msgCopy) || !bytes.Equal(priv, privCopy) {
			t.Fatal("Sign modified its inputs")
		}
		if len(sig) != ed25519.SignatureSize || cap(sig) < ed25519.SignatureSize {
			t.Fatalf("signature length %d", len(sig))
		}
		if !ed25519.Verify(pub, msg, sig) || !ed25519.VerifyStrict(pub, msg, sig) || !ed25519.VerifyZIP215(pub, msg, sig) {
			t.Fatalf("an honest signature was rejected (seed %x, msg %x)", seed, msg)
		}
		if err := ed25519.VerifyWithOptions(pub, msg, sig, &ed25519.Options{}); err != nil {
			t.Fatalf("VerifyWithOptions rejected an honest signature: %v", err)
		}
	}
}

func TestCryptoSigner(t *testing.T) {
	pub, priv := fixedKey(3)
	var signer crypto.Signer = priv
	if p, ok := signer.Public().(ed25519.PublicKey); !ok || !bytes.Equal(p, pub) {
		t.Fatalf("Public() = %T %x", signer.Public(), signer.Public())
	}
	msg := []byte("crypto.Signer")
	for _, opts := range []crypto.SignerOpts{crypto.Hash(0), &ed25519.Options{}} {
		sig, err := signer.Sign(nil, msg, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sig, ed25519.Sign(priv, msg)) {
			t.Errorf("crypto.Signer.Sign(%v) differs from Sign", opts)
		}
	}
	sig, err := signer.Sign(nil, msg, &ed25519.Options{Context: "ctx"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ed25519.VerifyWithOptions(pub, msg, sig, &ed25519.Options{Context: "ctx"}); err != nil {
		t.Errorf("Ed25519ctx signature from crypto.Signer rejected: %v", err)
	}
	h := sha512.Sum512(msg)
	sig, err = signer.Sign(nil, h[:], crypto.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	if err := ed25519.VerifyWithOptions(pub, h[:], sig, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
		t.Errorf("Ed25519ph signature from crypto.Signer rejected: %v", err)
	}
	if _, err := signer.Sign(nil, msg, crypto.SHA256); err == nil {
		t.Error("crypto.Signer accepted crypto.SHA256")
	}
}

func TestX509RoundTrip(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatalf("MarshalPKIXPublicKey: %v", err)
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("ParsePKIXPublicKey: %v", err)
	}
	ppub, ok := parsed.(ed25519.PublicKey)
	if !ok {
		t.Fatalf("ParsePKIXPublicKey returned %T, not ed25519.PublicKey", parsed)
	}
	if !ppub.Equal(pub) {
		t.Fatal("public key changed in the PKIX round trip")
	}

	der, err = x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatalf("MarshalPKCS8PrivateKey: %v", err)
	}
	parsedPriv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatalf("ParsePKCS8PrivateKey: %v", err)
	}
	ppriv, ok := parsedPriv.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("ParsePKCS8PrivateKey returned %T, not ed25519.PrivateKey", parsedPriv)
	}
	if !ppriv.Equal(priv) {
		t.Fatal("private key changed in the PKCS#8 round trip")
	}
	msg := []byte("x509")
	sig := ed25519.Sign(ppriv, msg)
	if !ed25519.Verify(ppub, msg, sig) || !ed25519.VerifyStrict(ppub, msg, sig) || !ed25519.VerifyZIP215(ppub, msg, sig) {
		t.Fatal("a signature by the parsed private key does not verify under the parsed public key")
	}

	// A self-signed certificate made with this package's key: x509 signs with
	// it (through crypto.Signer), checks it, and the signature verifies here.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ronkms"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	certDER, err := x509.CreateCertificate(nil, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Fatalf("CheckSignatureFrom: %v", err)
	}
	cpub, ok := cert.PublicKey.(ed25519.PublicKey)
	if !ok || !cpub.Equal(pub) {
		t.Fatalf("certificate public key %T", cert.PublicKey)
	}
	if !ed25519.Verify(cpub, cert.RawTBSCertificate, cert.Signature) || !ed25519.VerifyStrict(cpub, cert.RawTBSCertificate, cert.Signature) ||
		!ed25519.VerifyZIP215(cpub, cert.RawTBSCertificate, cert.Signature) {
		t.Fatal("the certificate signature does not verify here")
	}
}

// allocSkipReason says why allocations cannot be checked in this build: -N
// or -l (they defeat the inlining and stack allocation Sign relies on), or a
// sanitizer other than the race detector. Zero allocations were checked to
// hold under -race (Go 1.26), so -race does not skip.
func allocSkipReason() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "-msan", "-asan":
			if s.Value == "true" {
				return "built with " + s.Key
			}
		case "-gcflags":
			for _, f := range strings.Fields(s.Value) {
				if f == "-N" || f == "-l" || strings.HasSuffix(f, "=-N") || strings.HasSuffix(f, "=-l") {
					return "optimizations or inlining disabled (" + s.Value + ")"
				}
			}
		}
	}
	return ""
}

func TestAllocations(t *testing.T) {
	if r := allocSkipReason(); r != "" {
		t.Skip("allocations not checked: " + r)
	}
	pub, priv := fixedKey(4)
	msg := []byte("Hello, world!")
	sig := ed25519.Sign(priv, msg)
	wrong := []byte("Hello, world?")
	vk, err := ed25519.NewVerifyingKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	var sink byte
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Sign", func() { s := ed25519.Sign(priv, msg); sink ^= s[0] }},
		{"Verify", func() {
			if !ed25519.Verify(pub, msg, sig) {
				t.Fatal("Verify failed")
			}
		}},
		{"VerifyStrict", func() {
			if !ed25519.VerifyStrict(pub, msg, sig) {
				t.Fatal("VerifyStrict failed")
			}
		}},
		{"VerifyZIP215", func() {
			if !ed25519.VerifyZIP215(pub, msg, sig) {
				t.Fatal("VerifyZIP215 failed")
			}
		}},
		{"rejections", func() {
			// A failed equation (the common adversarial case) allocates
			// nothing either, in every mode.
			if ed25519.Verify(pub, wrong, sig) || ed25519.VerifyStrict(pub, wrong, sig) || ed25519.VerifyZIP215(pub, wrong, sig) ||
				ed25519.VerifyStrict(pub, msg, sig[:63]) || ed25519.VerifyZIP215(nil, msg, sig) {
				t.Fatal("accepted a bad signature")
			}
		}},
		{"VerifyingKey", func() {
			if !vk.Verify(msg, sig) || !vk.VerifyWithRules(ed25519.ZIP215, msg, sig) || vk.Verify(wrong, sig) {
				t.Fatal("VerifyingKey: wrong verdict")
			}
		}},
		{"SignVerifyStdlibTestShape", func() {
			// The shape of crypto/ed25519's TestAllocations.
			p := priv.Public().(ed25519.PublicKey)
			s := ed25519.Sign(priv, msg)
			if !ed25519.Verify(p, msg, s) {
				t.Fatal("Verify failed")
			}
		}},
	} {
		if a := testing.AllocsPerRun(50, tc.f); a != 0 {
			t.Errorf("%s: %v allocations per run, want 0", tc.name, a)
		}
	}
	_ = sink
}

// Differential tests.

func TestDifferentialRandom(t *testing.T) {
	rng := newRNG(5)
	signers := make([]*testgen.Signer, 8)
	for i := range signers {
		signers[i] = testgen.NewSigner(rng)
	}
	n := scaled(5000, 400)
	kinds := map[string]int{}
	var accepted, stdlibVsStrict, stdlibVsZIP215 int
	for i := range n {
		c := testgen.Random(rng, signers)
		kinds[c.Name]++
		c.Name = fmt.Sprintf("item %d (%s)", i, c.Name)
		pub, msg, sig := clone(c.Pub), clone(c.Msg), clone(c.Sig)

		got, v, p := ours(t, c)
		checkStdLibPanic(t, c, v, p)
		if !p && len(c.Pub) == ed25519.PublicKeySize {
			if want := stded25519.Verify(c.Pub, c.Msg, c.Sig); got[iStdLib] != want {
				t.Errorf("%s: Verify = %v, crypto/ed25519.Verify = %v (pub %x msg %x sig %x)", c.Name, got[0], want, c.Pub, c.Msg, c.Sig)
			}
		}
		if want := testgen.Reference(testgen.ZIP215, c); got[iZIP215] != want {
			t.Errorf("%s: VerifyZIP215 = %v, reference = %v (pub %x msg %x sig %x)", c.Name, got[2], want, c.Pub, c.Msg, c.Sig)
		}
		if want := testgen.Reference(testgen.Strict, c); got[iStrict] != want {
			t.Errorf("%s: VerifyStrict = %v, reference = %v (pub %x msg %x sig %x)", c.Name, got[1], want, c.Pub, c.Msg, c.Sig)
		}
		if !bytes.Equal(pub, c.Pub) || !bytes.Equal(msg, c.Msg) || !bytes.Equal(sig, c.Sig) {
			t.Fatalf("%s: a verifier modified its inputs", c.Name)
		}
		if got[0] {
			accepted++
		}
		if got[0] != got[1] {
			stdlibVsStrict++
		}
		if got[0] != got[2] {
			stdlibVsZIP215++
		}
	}
	// The mixture must have exercised every kind and separated the modes.
	for _, k := range testgen.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no item of kind %s in %d items", k, n)
		}
	}
	if accepted == 0 || stdlibVsStrict == 0 || stdlibVsZIP215 == 0 {
		t.Errorf("degenerate mixture: %d accepted, %d stdlib/strict and %d stdlib/zip215 disagreements", accepted, stdlibVsStrict, stdlibVsZIP215)
	}
}

// checkVerifyWithOptions compares VerifyWithOptions with crypto/ed25519's:
// the same panic, or the same error (both nil, or equal strings). It returns
// VerifyWithOptions's error, which is nil after a panic.
func checkVerifyWithOptions(t testing.TB, name string, pub, msg, sig []byte, opts *ed25519.Options) error {
	t.Helper()
	var err, serr error
	v, p := catch(func() { err = ed25519.VerifyWithOptions(pub, msg, sig, opts) })
	sv, sp := catch(func() { serr = stded25519.VerifyWithOptions(pub, msg, sig, opts) })
	if p != sp || v != sv {
		t.Errorf("%s: VerifyWithOptions panic (%v, %#v), crypto/ed25519 (%v, %#v)", name, p, v, sp, sv)
		return err
	}
	if !sameErr(err, serr) {
		t.Errorf("%s: VerifyWithOptions(pub %x, msg %x, sig %x, %+v) = %v, crypto/ed25519 = %v", name, pub, msg, sig, *opts, err, serr)
	}
	return err
}

func TestVerifyWithOptionsDifferential(t *testing.T) {
	rng := newRNG(6)
	type variant struct {
		name string
		opts *ed25519.Options
	}
	ctx255 := strings.Repeat("c", 255)
	variants := []variant{
		{"Ed25519", &ed25519.Options{}},
		{"Ed25519ctx", &ed25519.Options{Context: "context"}},
		{"Ed25519ctx/255", &ed25519.Options{Context: ctx255}},
		{"Ed25519ph", &ed25519.Options{Hash: crypto.SHA512}},
		{"Ed25519ph/ctx", &ed25519.Options{Hash: crypto.SHA512, Context: "context"}},
		{"Ed25519ph/255", &ed25519.Options{Hash: crypto.SHA512, Context: ctx255}},
	}
	message := func(v variant, m []byte) []byte {
		if v.opts.Hash == crypto.SHA512 {
			h := sha512.Sum512(m)
			return h[:]
		}
		return m
	}
	accepted := 0
	for i := range scaled(40, 6) {
		s := testgen.NewSigner(rng)
		raw := testgen.RandomMessage(rng, 200)
		for _, v := range variants {
			msg := message(v, raw)
			sig, err := s.Priv.Sign(nil, msg, v.opts)
			if err != nil {
				t.Fatalf("%s: crypto/ed25519 signing: %v", v.name, err)
			}
			name := fmt.Sprintf("key %d %s", i, v.name)
			if err := checkVerifyWithOptions(t, name+" honest", s.Pub, msg, sig, v.opts); err != nil {
				t.Errorf("%s: honest signature rejected: %v", name, err)
			} else {
				accepted++
			}
			// Every other variant must reject it, with crypto/ed25519's error.
			for _, w := range variants {
				if w.opts.Hash == v.opts.Hash && w.opts.Context == v.opts.Context {
					continue
				}
				if err := checkVerifyWithOptions(t, name+" as "+w.name, s.Pub, msg, sig, w.opts); err == nil {
					t.Errorf("%s: accepted as %s", name, w.name)
				}
			}
			wrongCtx := &ed25519.Options{Hash: v.opts.Hash, Context: v.opts.Context + "x"}
			if len(wrongCtx.Context) <= 255 {
				if err := checkVerifyWithOptions(t, name+" wrong context", s.Pub, msg, sig, wrongCtx); err == nil {
					t.Errorf("%s: accepted with the wrong context", name)
				}
			}
			// Mutations of key, message and signature.
			for range 3 {
				m := testgen.Mutate(rng, testgen.Case{Pub: s.Pub, Msg: msg, Sig: sig})
				checkVerifyWithOptions(t, name+" mutated", m.Pub, m.Msg, m.Sig, v.opts)
			}
			// s + l: the same point equation, a non-canonical scalar.
			c := testgen.Case{Pub: s.Pub, Msg: msg, Sig: clone(sig)}
			addL(c.Sig)
			if err := checkVerifyWithOptions(t, name+" s+l", c.Pub, c.Msg, c.Sig, v.opts); err == nil {
				t.Errorf("%s: s + l accepted", name)
			}
			// Signature lengths.
			for _, sl := range []int{-1, 0, 32, 63, 65, 128} {
				var bad []byte
				if sl >= 0 {
					bad = append(clone(sig), make([]byte, 128)...)[:sl]
				}
				if err := checkVerifyWithOptions(t, fmt.Sprintf("%s sig length %d", name, sl), s.Pub, msg, bad, v.opts); err == nil {
					t.Errorf("%s: signature of length %d accepted", name, sl)
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no honest signature accepted")
	}

	pub, priv := fixedKey(7)
	raw := []byte("message")
	h := sha512.Sum512(raw)
	phSig, err := priv.Sign(nil, h[:], crypto.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	// Ed25519ph message hash lengths.
	for _, n := range []int{0, 1, 32, 63, 65, 128} {
		msg := append(bytes.Repeat(h[:], 3), 0)[:n]
		for _, ctx := range []string{"", "c", strings.Repeat("c", 256)} {
			err := checkVerifyWithOptions(t, fmt.Sprintf("ph hash length %d ctx %d", n, len(ctx)), pub, msg, phSig, &ed25519.Options{Hash: crypto.SHA512, Context: ctx})
			if err == nil {
				t.Errorf("Ed25519ph hash of length %d accepted", n)
			}
		}
	}
	// Contexts of 255 (allowed) and 256 (refused) bytes.
	for _, hash := range []crypto.Hash{0, crypto.SHA512} {
		msg := raw
		if hash == crypto.SHA512 {
			msg = h[:]
		}
		for _, n := range []int{255, 256, 1000} {
			opts := &ed25519.Options{Hash: hash, Context: strings.Repeat("z", n)}
			sig, serr := priv.Sign(nil, msg, opts)
			if n <= 255 {
				if serr != nil {
					t.Fatal(serr)
				}
				if err := checkVerifyWithOptions(t, fmt.Sprintf("hash %v context %d", hash, n), pub, msg, sig, opts); err != nil {
					t.Errorf("hash %v context of %d bytes: %v", hash, n, err)
				}
				continue
			}
			if serr == nil {
				t.Fatalf("crypto/ed25519 signed with a %d-byte context", n)
			}
			err := checkVerifyWithOptions(t, fmt.Sprintf("hash %v context %d", hash, n), pub, msg, phSig, opts)
			if err == nil || !strings.Contains(err.Error(), "context length") {
				t.Errorf("hash %v context of %d bytes: err = %v", hash, n, err)
			}
		}
	}
	// Unsupported hashes.
	for _, hash := range []crypto.Hash{crypto.MD5, crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384,
		crypto.SHA512_224, crypto.SHA512_256, crypto.SHA3_512, crypto.BLAKE2b_512, crypto.Hash(99), crypto.Hash(255)} {
		for _, ctx := range []string{"", "ctx"} {
			for _, msg := range [][]byte{raw, h[:]} {
				if err := checkVerifyWithOptions(t, fmt.Sprintf("hash %d", hash), pub, msg, phSig, &ed25519.Options{Hash: hash, Context: ctx}); err == nil {
					t.Errorf("unsupported hash %d accepted", hash)
				}
			}
		}
	}
	// A public key that does not decode, and keys of the wrong length (panic).
	offCurve := offCurveEncoding(t)
	for _, opts := range []*ed25519.Options{{}, {Context: "c"}, {Hash: crypto.SHA512}, {Hash: crypto.SHA256}} {
		err := checkVerifyWithOptions(t, "off-curve key", offCurve, h[:], phSig, opts)
		if err == nil || err.Error() != "ed25519: bad public key" {
			t.Errorf("off-curve key with %+v: err = %v", *opts, err)
		}
		for _, n := range []int{-1, 0, 31, 33, 64} {
			var key []byte
			if n >= 0 {
				key = make([]byte, n)
			}
			if _, p := catch(func() { _ = ed25519.VerifyWithOptions(key, raw, phSig, opts) }); !p {
				t.Errorf("key length %d with %+v: no panic", n, *opts)
			}
			checkVerifyWithOptions(t, fmt.Sprintf("key length %d", n), key, raw, phSig, opts)
		}
	}
	// Crafted pure-Ed25519 items: VerifyWithOptions(&Options{}) equals Verify.
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng)}
	for i := range scaled(300, 40) {
		c := testgen.Random(rng, signers)
		err := checkVerifyWithOptions(t, fmt.Sprintf("random %d (%s)", i, c.Name), c.Pub, c.Msg, c.Sig, &ed25519.Options{})
		if len(c.Pub) == ed25519.PublicKeySize && (err == nil) != ed25519.Verify(c.Pub, c.Msg, c.Sig) {
			t.Errorf("random %d (%s): VerifyWithOptions error %v disagrees with Verify", i, c.Name, err)
		}
	}
}

// addL adds l to the scalar in sig[32:] (which must stay below 2^256).
func addL(sig []byte) {
	var carry uint16
	l := testgen.ScalarBytes(testgen.GroupOrder)
	for i := range 32 {
		carry += uint16(sig[32+i]) + uint16(l[i])
		sig[32+i] = byte(carry)
		carry >>= 8
	}
	if carry != 0 {
		panic("addL overflow")
	}
}

// offCurveEncoding returns a canonical 32-byte string that is not the
// encoding of any curve point (the smallest y with no valid x).
func offCurveEncoding(t testing.TB) []byte {
	t.Helper()
	for y := byte(2); y < 100; y++ {
		b := make([]byte, 32)
		b[0] = y
		if _, err := new(edwards25519.Point).SetBytes(b); err != nil {
			return b
		}
	}
	t.Fatal("no off-curve encoding found")
	return nil
}
