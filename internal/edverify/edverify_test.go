package edverify_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
	"github.com/ronkms/ronkms/internal/testgen"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x65647665)) }

// TestSmallOrderEncodings checks the hard-coded list against the one testgen
// derives from the torsion subgroup: the same 14 strings, each decoding to a
// point P with [8]P = O.
func TestSmallOrderEncodings(t *testing.T) {
	got := edverify.SmallOrderEncodings()
	want := testgen.DerivedSmallOrderEncodings()
	if len(got) != 14 || len(want) != 14 {
		t.Fatalf("%d encodings, derived %d, want 14", len(got), len(want))
	}
	set := func(list [][]byte) map[string]bool {
		m := map[string]bool{}
		for _, e := range list {
			if len(e) != 32 {
				t.Fatalf("encoding %x is %d bytes", e, len(e))
			}
			m[string(e)] = true
		}
		return m
	}
	g, w := set(got), set(want)
	if len(g) != 14 {
		t.Errorf("SmallOrderEncodings has duplicates: %d distinct", len(g))
	}
	for e := range w {
		if !g[e] {
			t.Errorf("missing small-order encoding %x", e)
		}
	}
	for e := range g {
		if !w[e] {
			t.Errorf("%x is listed but is not a small-order encoding", e)
		}
	}
	identity := edwards25519.NewIdentityPoint()
	for _, e := range got {
		P, err := new(edwards25519.Point).SetBytes(e)
		if err != nil {
			t.Errorf("%x does not decode: %v", e, err)
			continue
		}
		if new(edwards25519.Point).MultByCofactor(P).Equal(identity) != 1 {
			t.Errorf("%x: [8]P is not the identity", e)
		}
		if !toEdwards(t, P).IsSmallOrder() {
			t.Errorf("%x: the point layer's IsSmallOrder is false", e)
		}
		if !edverify.IsSmallOrderEncoding(e) {
			t.Errorf("%x: IsSmallOrderEncoding is false", e)
		}
	}
	// The result is a copy: changing it does not change the list.
	first := bytes.Clone(got[0])
	got[0][0] ^= 0xff
	if again := edverify.SmallOrderEncodings(); !bytes.Equal(again[0], first) {
		t.Error("modifying the returned slice changed the list")
	}
	if !edverify.IsSmallOrderEncoding(first) {
		t.Error("modifying the returned slice changed IsSmallOrderEncoding")
	}
}

func TestIsSmallOrderEncodingRejects(t *testing.T) {
	so := testgen.DerivedSmallOrderEncodings()
	// Wrong lengths, including small-order encodings with a byte added or removed.
	for _, b := range [][]byte{nil, {}, {1}, so[0][:31], append(bytes.Clone(so[0]), 0), append(bytes.Clone(so[0]), so[0]...)} {
		if edverify.IsSmallOrderEncoding(b) {
			t.Errorf("IsSmallOrderEncoding(%x) (%d bytes) = true", b, len(b))
		}
	}
	// Every one-bit change of a small-order encoding: true exactly when the
	// result is itself a small-order encoding (a sign flip may be).
	for _, e := range so {
		for bit := range 256 {
			f := bytes.Clone(e)
			f[bit/8] ^= 1 << (bit % 8)
			if got, want := edverify.IsSmallOrderEncoding(f), testgen.IsDerivedSmallOrderEncoding(f); got != want {
				t.Errorf("IsSmallOrderEncoding(%x) = %v, want %v", f, got, want)
			}
		}
	}
	// Honest keys, the base point and non-canonical large-order encodings.
	rng := newRNG(1)
	for range 500 {
		s := testgen.NewSigner(rng)
		if edverify.IsSmallOrderEncoding(s.Pub) || toEdwards(t, s.A).IsSmallOrder() {
			t.Fatalf("honest key %x reported as small-order", s.Pub)
		}
	}
	if edverify.IsSmallOrderEncoding(edwards25519.NewGeneratorPoint().Bytes()) || toEdwards(t, edwards25519.NewGeneratorPoint()).IsSmallOrder() {
		t.Error("the base point reported as small-order")
	}
	for _, e := range testgen.NonCanonicalLargeOrderEncodings() {
		if edverify.IsSmallOrderEncoding(e) {
			t.Errorf("large-order %x reported as small-order", e)
		}
	}
}

// TestIsSmallOrder: every torsion point is of small order; B + T never is.
func TestIsSmallOrder(t *testing.T) {
	B := edwards25519.NewGeneratorPoint()
	for i, T := range testgen.TorsionPoints() {
		if !toEdwards(t, T).IsSmallOrder() {
			t.Errorf("torsion point %d: IsSmallOrder false", i)
		}
		if toEdwards(t, new(edwards25519.Point).Add(B, T)).IsSmallOrder() {
			t.Errorf("B + T%d: IsSmallOrder true", i)
		}
	}
}

// TestChallenge: the pure challenge equals testgen's, and the dom2 forms
// equal SHA-512(dom2(prefix, context) || R || A || M) mod l computed by hand,
// with RFC 8032's prefix strings.
func TestChallenge(t *testing.T) {
	if edverify.DomPrefixPure != "" ||
		edverify.DomPrefixCtx != "SigEd25519 no Ed25519 collisions\x00" ||
		edverify.DomPrefixPh != "SigEd25519 no Ed25519 collisions\x01" {
		t.Fatal("dom2 prefixes differ from RFC 8032")
	}
	rng := newRNG(2)
	for i := range 50 {
		R, A := testgen.RandomMessage(rng, 40), testgen.RandomMessage(rng, 40)
		msg := testgen.RandomMessage(rng, 200)
		ctx := string(testgen.RandomMessage(rng, 255))
		var k edwards25519.Scalar
		edverify.Challenge(&k, edverify.DomPrefixPure, ctx, R, A, msg)
		if k.Equal(testgen.Challenge(R, A, msg)) != 1 {
			t.Fatalf("case %d: pure challenge differs (the context must be ignored)", i)
		}
		for _, prefix := range []string{edverify.DomPrefixCtx, edverify.DomPrefixPh} {
			h := sha512.New()
			h.Write([]byte(prefix))
			h.Write([]byte{byte(len(ctx))})
			h.Write([]byte(ctx))
			h.Write(R)
			h.Write(A)
			h.Write(msg)
			want, err := new(edwards25519.Scalar).SetUniformBytes(h.Sum(nil))
			if err != nil {
				t.Fatal(err)
			}
			edverify.Challenge(&k, prefix, ctx, R, A, msg)
			if k.Equal(want) != 1 {
				t.Fatalf("case %d: dom2 challenge differs for prefix %q", i, prefix)
			}
		}
	}
}

// TestVerifyAgainstReference: edverify.Verify under each of the 32 rule
// combinations equals testgen.Reference on crafted items (never panicking,
// even on wrong lengths or invalid rules).
func TestVerifyAgainstReference(t *testing.T) {
	rng := newRNG(3)
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng), testgen.NewSigner(rng)}
	n := 1500
	if testing.Short() {
		n = 200
	}
	for i := range n {
		c := testgen.Random(rng, signers)
		for _, r := range testgen.AllRules() {
			var got bool
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("item %d (%s): edverify.Verify(rules %05b) panicked: %v", i, c.Name, r, p)
					}
				}()
				got = edverify.Verify(edverify.Rules(r), c.Pub, c.Msg, c.Sig)
			}()
			if want := testgen.Reference(r, c); got != want {
				t.Errorf("item %d (%s): edverify.Verify(rules %05b) = %v, reference %v (pub %x msg %x sig %x)",
					i, c.Name, r, got, want, c.Pub, c.Msg, c.Sig)
			}
		}
	}
}

// TestRulesBits: the rule bits and presets are testgen's (which mirrors
// them without importing this package), validity is as documented, and
// invalid rules reject everything.
func TestRulesBits(t *testing.T) {
	for _, b := range []struct{ got, want uint8 }{
		{uint8(edverify.RejectSmallOrderA), uint8(testgen.RejectSmallOrderA)},
		{uint8(edverify.RejectSmallOrderR), uint8(testgen.RejectSmallOrderR)},
		{uint8(edverify.RequireCanonicalA), uint8(testgen.RequireCanonicalA)},
		{uint8(edverify.AllowNonCanonicalR), uint8(testgen.AllowNonCanonicalR)},
		{uint8(edverify.Cofactored), uint8(testgen.Cofactored)},
		{uint8(edverify.StdLib), uint8(testgen.StdLib)},
		{uint8(edverify.Strict), uint8(testgen.Strict)},
		{uint8(edverify.ZIP215), uint8(testgen.ZIP215)},
	} {
		if b.got != b.want {
			t.Errorf("bits %05b, testgen's %05b", b.got, b.want)
		}
	}
	rng := newRNG(4)
	s := testgen.NewSigner(rng)
	c := s.Honest([]byte("m"))
	valid := 0
	for i := range 256 {
		r := edverify.Rules(i)
		want := i < 32 && (r&edverify.AllowNonCanonicalR == 0 || r&edverify.Cofactored != 0)
		if r.Valid() != want || testgen.Rules(i).Valid() != want {
			t.Errorf("rules %08b: Valid %v, testgen %v, want %v", i, r.Valid(), testgen.Rules(i).Valid(), want)
		}
		if want {
			valid++
		}
		if got := edverify.Verify(r, c.Pub, c.Msg, c.Sig); got != want {
			t.Errorf("rules %08b: honest signature verdict %v, want %v (valid rules accept it, invalid ones nothing)", i, got, want)
		}
	}
	if valid != 24 {
		t.Errorf("%d valid rule sets, want 24 (32 less the 8 with AllowNonCanonicalR and no Cofactored)", valid)
	}
}

// TestIsCanonicalEncoding: true exactly when decoding and re-encoding gives
// the same bytes (filippo.io/edwards25519), for every encoding that decodes:
// the edges of the encoding space, one-bit changes of them, and random
// strings; false for wrong lengths.
func TestIsCanonicalEncoding(t *testing.T) {
	var encs [][]byte
	encs = append(encs, testgen.DerivedSmallOrderEncodings()...)
	encs = append(encs, testgen.NonCanonicalLargeOrderEncodings()...)
	encs = append(encs, edwards25519.NewGeneratorPoint().Bytes())
	for _, e := range slices.Clone(encs) {
		for bit := range 256 {
			f := bytes.Clone(e)
			f[bit/8] ^= 1 << (bit % 8)
			encs = append(encs, f)
		}
	}
	rng := newRNG(7)
	for range 2000 {
		encs = append(encs, randomBytes(rng, 32), randomBytes(rng, rng.IntN(40)))
	}
	decoded := 0
	for _, e := range encs {
		P, err := new(edwards25519.Point).SetBytes(e)
		if err != nil {
			if len(e) != 32 && edverify.IsCanonicalEncoding(e) {
				t.Errorf("%x (%d bytes): canonical", e, len(e))
			}
			continue
		}
		decoded++
		if got, want := edverify.IsCanonicalEncoding(e), bytes.Equal(P.Bytes(), e); got != want {
			t.Errorf("%x: IsCanonicalEncoding %v, re-encoding equal %v", e, got, want)
		}
		var Q edwards.Point
		if canonical, err := Q.SetBytes(e); err != nil || canonical != edverify.IsCanonicalEncoding(e) {
			t.Errorf("%x: point layer canonical %v (err %v), IsCanonicalEncoding %v", e, canonical, err, edverify.IsCanonicalEncoding(e))
		}
	}
	if decoded < 1000 {
		t.Errorf("only %d encodings decoded", decoded)
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestVerifyWithChallengeDom: Ed25519ph and Ed25519ctx signatures from
// crypto/ed25519 verify through VerifyWithChallenge with the dom2 challenge
// under every valid rule set, and fail with the pure challenge or another
// context.
func TestVerifyWithChallengeDom(t *testing.T) {
	rng := newRNG(5)
	s := testgen.NewSigner(rng)
	msg := []byte("dom2")
	h := sha512.Sum512(msg)
	for _, tc := range []struct {
		prefix string
		m      []byte
		opts   *ed25519.Options
	}{
		{edverify.DomPrefixCtx, msg, &ed25519.Options{Context: "ctx"}},
		{edverify.DomPrefixPh, h[:], &ed25519.Options{Hash: crypto.SHA512, Context: "ctx"}},
		{edverify.DomPrefixPh, h[:], &ed25519.Options{Hash: crypto.SHA512}},
	} {
		sig, err := s.Priv.Sign(nil, tc.m, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range testgen.AllRules() {
			r := edverify.Rules(tr)
			if !r.Valid() {
				continue
			}
			var k edwards25519.Scalar
			edverify.Challenge(&k, tc.prefix, tc.opts.Context, sig[:32], s.Pub, tc.m)
			if !edverify.VerifyWithChallenge(r, s.Pub, sig, &k) {
				t.Errorf("%q %+v: rules %05b rejected", tc.prefix, *tc.opts, r)
			}
			edverify.Challenge(&k, tc.prefix, tc.opts.Context+"x", sig[:32], s.Pub, tc.m)
			if edverify.VerifyWithChallenge(r, s.Pub, sig, &k) {
				t.Errorf("%q %+v: rules %05b accepted another context", tc.prefix, *tc.opts, r)
			}
			if edverify.Verify(r, s.Pub, tc.m, sig) {
				t.Errorf("%q %+v: rules %05b accepted as pure Ed25519", tc.prefix, *tc.opts, r)
			}
		}
	}
}

// TestCofactoredEquation: on torsioned R the cofactored equation holds and
// Verify agrees in each mode; on a wrong message it fails.
func TestCofactoredEquation(t *testing.T) {
	rng := newRNG(6)
	s := testgen.NewSigner(rng)
	for _, order := range []int{1, 2, 4, 8} {
		for i := range 8 {
			msg := fmt.Appendf(nil, "cofactored %d %d", order, i)
			var c testgen.Case
			if order == 1 {
				c = s.Honest(msg)
			} else {
				c = s.TorsionR(rng, msg, order)
			}
			var R, A edwards.Point
			if _, err := R.SetBytes(c.Sig[:32]); err != nil {
				t.Fatal(err)
			}
			if _, err := A.SetBytes(c.Pub); err != nil {
				t.Fatal(err)
			}
			sc, err := new(edwards25519.Scalar).SetCanonicalBytes(c.Sig[32:])
			if err != nil {
				t.Fatal(err)
			}
			k := testgen.Challenge(c.Sig[:32], c.Pub, c.Msg)
			if !edverify.CofactoredEquation(&A, k, sc, &R) {
				t.Errorf("order %d: cofactored equation fails", order)
			}
			if got := edverify.Verify(edverify.StdLib, c.Pub, c.Msg, c.Sig); got != (order == 1) {
				t.Errorf("order %d: StdLib verdict %v", order, got)
			}
			if !edverify.Verify(edverify.ZIP215, c.Pub, c.Msg, c.Sig) {
				t.Errorf("order %d: ZIP215 rejected", order)
			}
			k2 := testgen.Challenge(c.Sig[:32], c.Pub, []byte("other"))
			if edverify.CofactoredEquation(&A, k2, sc, &R) {
				t.Errorf("order %d: cofactored equation holds for another challenge", order)
			}
		}
	}
}

// toEdwards converts a reference point to the point layer's type through
// its encoding.
func toEdwards(t *testing.T, P *edwards25519.Point) *edwards.Point {
	t.Helper()
	var Q edwards.Point
	if _, err := Q.SetBytes(P.Bytes()); err != nil {
		t.Fatal(err)
	}
	return &Q
}

// TestIsSmallOrderEncoding checks the screening function itself: every
// derived small-order encoding is accepted, and every string one byte away
// from one (each position, several values) and random strings are not,
// unless they are in the list themselves.
func TestIsSmallOrderEncoding(t *testing.T) {
	list := map[string]bool{}
	for _, e := range testgen.DerivedSmallOrderEncodings() {
		list[string(e)] = true
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for e := range list {
		if !edverify.IsSmallOrderEncoding([]byte(e)) {
			t.Fatalf("%x rejected", e)
		}
		for pos := range 32 {
			for _, x := range []byte{1, 0x80, 0xff, byte(rng.Uint32())} {
				b := []byte(e)
				b[pos] ^= x
				if got := edverify.IsSmallOrderEncoding(b); got != list[string(b)] {
					t.Fatalf("%x: got %v", b, got)
				}
			}
		}
		if edverify.IsSmallOrderEncoding([]byte(e)[:31]) {
			t.Fatal("a 31-byte prefix accepted")
		}
	}
	for range 10000 {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if edverify.IsSmallOrderEncoding(b[:]) {
			t.Fatalf("random %x accepted", b)
		}
	}
}
