package ed25519_test

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// expect is the expected outcome of one verifier on one input.
type expect uint8

const (
	reject expect = iota
	accept
	panics // Verify only: crypto/ed25519.Verify panics here (key length != 32)
)

func (e expect) String() string { return [...]string{"reject", "accept", "panic"}[e] }

// edgeRow is one input with the verdict of each mode written down from the
// rules of FIELD-GUIDE section 1 (StdLib, Strict, ZIP215, in testgen's mode
// order). Every row is also checked against testgen.Reference.
type edgeRow struct {
	name string
	why  string // the rule that gives the verdicts
	c    testgen.Case
	want [3]expect
}

var (
	allAccept  = [3]expect{accept, accept, accept}
	allReject  = [3]expect{reject, reject, reject}
	notStrict  = [3]expect{accept, reject, accept} // small-order A or R, equation holds
	onlyZIP215 = [3]expect{reject, reject, accept} // only the cofactored equation holds
	badKeyLen  = [3]expect{panics, reject, reject}
)

// pointOrder returns the order of a small-order point (1, 2, 4 or 8), or 0
// when P is not of small order.
func pointOrder(P *edwards25519.Point) int {
	Q := new(edwards25519.Point).Set(P)
	for _, n := range []int{1, 2, 4, 8} {
		if Q.Equal(edwards25519.NewIdentityPoint()) == 1 {
			return n // Q = [n]P
		}
		Q.Add(Q, Q)
	}
	return 0
}

func decode(t testing.TB, b []byte) *edwards25519.Point {
	t.Helper()
	P, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		t.Fatalf("%x does not decode: %v", b, err)
	}
	return P
}

// encLabel names a small-order encoding: its order, whether it is the
// canonical encoding, and x = 0 with the sign bit set where that applies.
func encLabel(t testing.TB, e []byte) string {
	P := decode(t, e)
	ord := pointOrder(P)
	var kind string
	switch {
	case bytes.Equal(P.Bytes(), e):
		kind = "canonical"
	case bytes.Equal(P.Bytes()[:31], e[:31]) && P.Bytes()[31] == e[31]^0x80:
		kind = "sign-flipped"
	default:
		kind = "y>=p"
	}
	if isXZero(P) && e[31]&0x80 != 0 {
		kind += ",x=0-sign-set"
	}
	return fmt.Sprintf("order%d/%s/%x..%02x", ord, kind, e[:2], e[31])
}

// isXZero reports whether P is (0, 1) or (0, -1).
func isXZero(P *edwards25519.Point) bool {
	minusOne := new(edwards25519.Point).Set(testgen.TorsionOfOrder(2))
	return P.Equal(edwards25519.NewIdentityPoint()) == 1 || P.Equal(minusOne) == 1
}

// scalarSig returns a signature R || s with s given as an integer below 2^256.
func scalarSig(R []byte, s *big.Int) []byte {
	return append(clone(R), testgen.ScalarBytes(s)...)
}

// kTimesIsIdentity reports whether [k]P is the identity for k = H(R || A || M).
func kTimesIsIdentity(c testgen.Case, P *edwards25519.Point) bool {
	k := testgen.Challenge(c.Sig[:32], c.Pub, c.Msg)
	return new(edwards25519.Point).ScalarMult(k, P).Equal(edwards25519.NewIdentityPoint()) == 1
}

func edgeRows(t testing.TB) []edgeRow {
	rng := newRNG(10)
	s := testgen.NewSigner(rng)
	a := secretScalar(t, s.Priv)
	if !bytes.Equal(new(edwards25519.Point).ScalarBaseMult(a).Bytes(), s.Pub) {
		t.Fatal("secretScalar does not match the public key")
	}
	msg := []byte("ronkms edge cases")
	honest := s.Honest(msg)
	smallOrder := testgen.DerivedSmallOrderEncodings()
	if len(smallOrder) != 14 {
		t.Fatalf("%d small-order encodings, want 14", len(smallOrder))
	}
	identity := edwards25519.NewIdentityPoint().Bytes() // 01 00 .. 00
	identitySign := clone(identity)
	identitySign[31] |= 0x80 // (0, 1) with the sign bit set
	basePoint := edwards25519.NewGeneratorPoint().Bytes()
	minusB := new(edwards25519.Point).Negate(edwards25519.NewGeneratorPoint()).Bytes()
	l := testgen.GroupOrder
	one := big.NewInt(1)
	honestS := new(big.Int).SetBytes(reverse(honest.Sig[32:]))

	withR := func(c testgen.Case, R []byte) testgen.Case {
		out := testgen.Case{Pub: c.Pub, Msg: c.Msg, Sig: clone(c.Sig)}
		copy(out.Sig[:32], R)
		return out
	}
	withS := func(c testgen.Case, sv *big.Int) testgen.Case {
		return testgen.Case{Pub: c.Pub, Msg: c.Msg, Sig: scalarSig(c.Sig[:32], sv)}
	}
	var rows []edgeRow
	add := func(name, why string, c testgen.Case, want [3]expect) {
		c.Name = name
		rows = append(rows, edgeRow{name: name, why: why, c: c, want: want})
	}

	add("honest", "a valid signature by an honest key", honest, allAccept)
	emptySig := s.Honest(nil)
	emptySig.Msg = nil
	add("honest/nil-message", "a nil message is the empty message", emptySig, allAccept)
	add("honest/wrong-message", "k differs, the equation fails", testgen.Case{Pub: s.Pub, Msg: []byte("other"), Sig: honest.Sig}, allReject)
	other := testgen.NewSigner(rng)
	add("honest/wrong-key", "another key: the equation fails", testgen.Case{Pub: other.Pub, Msg: msg, Sig: honest.Sig}, allReject)

	// Small-order A: R = [r]B, s = r, so [s]B = R + [k]A holds iff [k]A = O.
	for _, e := range smallOrder {
		A := decode(t, e)
		label := encLabel(t, e)
		if A.Equal(edwards25519.NewIdentityPoint()) == 1 {
			add("small-order-A/"+label, "A is the identity (any encoding): the cofactorless equation holds; Strict rejects small-order A",
				testgen.SmallOrderA(rng, msg, e), notStrict)
			continue
		}
		// The StdLib verdict depends on k = H(R || A || M): messages are
		// searched so that both [k]A = O and [k]A != O occur. The verdict is
		// computed from that rule here and must equal testgen.Reference.
		for _, wantIdentity := range []bool{true, false} {
			found := false
			for i := 0; i < 400 && !found; i++ {
				c := testgen.SmallOrderA(rng, fmt.Appendf(nil, "%s %d", msg, i), e)
				if kTimesIsIdentity(c, A) != wantIdentity {
					continue
				}
				found = true
				if wantIdentity {
					add("small-order-A/"+label+"/kA=O", "hash-dependent: the message gives [k]A = O, so StdLib accepts (testgen.Reference agrees); Strict rejects small-order A; ZIP215 accepts ([8]A = O)", c, notStrict)
				} else {
					add("small-order-A/"+label+"/kA!=O", "hash-dependent: the message gives [k]A != O, so StdLib rejects (testgen.Reference agrees); ZIP215 accepts ([8]A = O)", c, onlyZIP215)
				}
			}
			if !found {
				t.Fatalf("no message gives [k]A = O: %v for %s", wantIdentity, label)
			}
		}
	}

	// Small-order R.
	for _, e := range smallOrder {
		label := encLabel(t, e)
		add("small-order-R/replaced/"+label, "an honest signature with R replaced: k changes, no equation holds",
			withR(honest, e), allReject)
		// s = k a with R small-order: [s]B - [k]A = O. StdLib compares the
		// encoding of O (01 00 .. 00) with R; ZIP215 checks [8](O - R) = O.
		c := s.IdentityR(msg, e)
		if bytes.Equal(e, identity) {
			add("small-order-R/s=ka/"+label, "R is the canonical identity and R' = O: StdLib accepts; Strict rejects small-order R", c, notStrict)
		} else {
			add("small-order-R/s=ka/"+label, "R' = O is not R byte for byte (StdLib, Strict reject); [8]R = O so the cofactored equation holds", c, onlyZIP215)
		}
	}
	for _, e := range testgen.IdentityEncodings() {
		want := onlyZIP215
		if bytes.Equal(e, identity) {
			want = notStrict
		}
		add("identity-R/"+encLabel(t, e), "testgen IdentityR: s = k a; only the canonical identity matches R' byte for byte", s.IdentityR(msg, e), want)
	}

	// Non-canonical encodings (y >= p) of large-order points.
	nc := testgen.NonCanonicalLargeOrderEncodings()
	if len(nc) == 0 {
		t.Fatal("no non-canonical large-order encodings")
	}
	for _, e := range nc {
		P := decode(t, e)
		if pointOrder(P) != 0 || bytes.Equal(P.Bytes(), e) {
			t.Fatalf("%x: not a non-canonical large-order encoding", e)
		}
		label := fmt.Sprintf("%x..%02x", e[:2], e[31])
		add("noncanonical-A/"+label, "A decodes (y >= p accepted) but nobody knows its discrete log: no equation holds",
			testgen.Case{Pub: e, Msg: msg, Sig: honest.Sig}, allReject)
		add("noncanonical-A/R=rB,s=r/"+label, "[s]B - [k]A = R - [k]A != R, and [8][k]A != O",
			testgen.SmallOrderA(rng, msg, e), allReject)
		add("noncanonical-R/replaced/"+label, "R replaced in an honest signature: no equation holds",
			withR(honest, e), allReject)
		add("noncanonical-R/s=ka/"+label, "R' = O is not R, and [8]R != O (R has large order)",
			s.IdentityR(msg, e), allReject)
	}
	offCurve := offCurveEncoding(t)
	add("off-curve-A", "A must decode in every mode", testgen.Case{Pub: offCurve, Msg: msg, Sig: honest.Sig}, allReject)
	add("off-curve-R", "StdLib never decodes R but R' cannot equal it; Strict and ZIP215 fail to decode it", withR(honest, offCurve), allReject)

	// s out of range: s < l is required in every mode, before any equation.
	add("s=honest+l", "[s]B unchanged, s >= l", withS(honest, new(big.Int).Add(honestS, l)), allReject)
	add("s=l", "s >= l", withS(honest, l), allReject)
	add("s=l+1", "s >= l", withS(honest, new(big.Int).Add(l, one)), allReject)
	for _, bit := range []int{253, 254, 255} {
		add(fmt.Sprintf("s=honest|2^%d", bit), "top bits of s set: s >= 2^253 > l", withS(honest, new(big.Int).SetBit(new(big.Int).Set(honestS), bit, 1)), allReject)
	}
	add("s=2^256-1", "s >= l", withS(honest, new(big.Int).Sub(new(big.Int).Lsh(one, 256), one)), allReject)
	// A = O makes the equation [s]B = R: valid as soon as s reduces right,
	// so only the range check on s separates these rows.
	idCase := func(R []byte, sv *big.Int) testgen.Case {
		return testgen.Case{Pub: identity, Msg: msg, Sig: scalarSig(R, sv)}
	}
	add("A=O,R=O,s=0", "[0]B = O = R: the equation holds; Strict rejects small-order A and R", idCase(identity, big.NewInt(0)), notStrict)
	add("A=O,R=O,s=l", "[l]B = O = R, but s = l is not canonical", idCase(identity, l), allReject)
	add("A=O,R=B,s=1", "[1]B = R: the equation holds; Strict rejects small-order A", idCase(basePoint, one), notStrict)
	add("A=O,R=B,s=l+1", "[l+1]B = B = R, but s = l + 1 is not canonical", idCase(basePoint, new(big.Int).Add(l, one)), allReject)
	add("A=O,R=-B,s=l-1", "[l-1]B = -B = R with the largest canonical s; Strict rejects small-order A", idCase(minusB, new(big.Int).Sub(l, one)), notStrict)
	add("A=O,R=B,s=1+2^253", "bit 253 of s set", idCase(basePoint, new(big.Int).SetBit(big.NewInt(1), 253, 1)), allReject)

	// x = 0 with the sign bit set decodes (to x = 0) in every mode.
	add("x0-sign-A/identity", "A = (0, 1) with the sign bit: decodes to O, [s]B = R + [k]O holds; Strict rejects small-order A",
		testgen.SmallOrderA(rng, msg, identitySign), notStrict)
	add("x0-sign-A/identity,R=O,s=0", "A decodes to O; R' = O encodes as R", testgen.Case{Pub: identitySign, Msg: msg, Sig: scalarSig(identity, big.NewInt(0))}, notStrict)
	minusOneSign := testgen.TorsionOfOrder(2).Bytes()
	minusOneSign[31] |= 0x80
	add("x0-sign-R/identity,s=ka", "R = (0, 1) with the sign bit: R' = O encodes without it (StdLib, Strict reject); ZIP215 decodes R to O",
		s.IdentityR(msg, identitySign), onlyZIP215)
	add("x0-sign-R/minus-one,s=ka", "R = (0, -1) with the sign bit: R' = O != R; [8]R = O", s.IdentityR(msg, minusOneSign), onlyZIP215)
	add("x0-sign-R/A=O,s=0", "A = O, R = (0, 1) with the sign bit, s = 0: R' = O encodes without the sign bit", idCase(identitySign, big.NewInt(0)), onlyZIP215)
	add("x0-sign-A/minus-one,R=O,s=0", "A = (0, -1) with the sign bit, R = O, s = 0: R' = -[k]A = O iff k is even (hash-dependent, expectation from the rule and testgen.Reference)",
		testgen.Case{Pub: minusOneSign, Msg: msg, Sig: scalarSig(identity, big.NewInt(0))}, [3]expect{}) // filled below
	last := &rows[len(rows)-1]
	if kTimesIsIdentity(last.c, decode(t, minusOneSign)) {
		last.want = notStrict
	} else {
		last.want = onlyZIP215
	}

	// Wrong lengths and nil slices.
	long := append(append(clone(honest.Sig), honest.Sig...), honest.Sig...)
	lenName := func(n int) string {
		if n < 0 {
			return "nil"
		}
		return fmt.Sprint(n)
	}
	for _, n := range []int{-1, 0, 31, 33, 63, 64, 65, 128} {
		var key []byte
		if n >= 0 {
			key = append(clone(s.Pub), long...)[:n]
		}
		add("key-length-"+lenName(n), "a key that is not 32 bytes: Verify panics like crypto/ed25519, the others reject",
			testgen.Case{Pub: key, Msg: msg, Sig: honest.Sig}, badKeyLen)
		add("key-length-"+lenName(n)+"/sig-nil", "bad key length and nil signature: the key length is checked first",
			testgen.Case{Pub: key, Msg: msg, Sig: nil}, badKeyLen)
	}
	for _, n := range []int{-1, 0, 31, 32, 33, 63, 65, 128} {
		var sig []byte
		if n >= 0 {
			sig = long[:n]
		}
		add("sig-length-"+lenName(n), "a signature that is not 64 bytes (valid prefix kept) is rejected, never a panic",
			testgen.Case{Pub: s.Pub, Msg: msg, Sig: sig}, allReject)
	}
	add("all-nil", "nil key: Verify panics with length 0", testgen.Case{}, badKeyLen)
	return rows
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// TestEdgeCases checks the table of crafted inputs: each mode's verdict equals
// the one written from the rules, each equals testgen.Reference, Verify
// panics exactly as crypto/ed25519.Verify does, and VerifyWithOptions with
// pure options agrees with Verify and crypto/ed25519's error string.
func TestEdgeCases(t *testing.T) {
	rows := edgeRows(t)
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.name] {
			t.Fatalf("duplicate row name %q", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, func(t *testing.T) {
			pub, msg, sig := clone(r.c.Pub), clone(r.c.Msg), clone(r.c.Sig)
			got, v, p := ours(t, r.c)
			if r.want[iStdLib] == panics {
				if !p {
					t.Errorf("Verify did not panic (%s)", r.why)
				}
				checkStdLibPanic(t, r.c, v, p)
			} else if p {
				t.Fatalf("Verify panicked: %v (%s)", v, r.why)
			}
			for mode := range 3 {
				want := r.want[mode] == accept
				if r.want[mode] != panics && got[mode] != want {
					t.Errorf("%s: got %v, want %v (%s); pub %x sig %x", modeRules[mode], got[mode], r.want[mode], r.why, r.c.Pub, r.c.Sig)
				}
				if ref := testgen.Reference(modeRules[mode], r.c); ref != want {
					t.Errorf("%s: the table says %v but testgen.Reference says %v (%s)", modeRules[mode], r.want[mode], ref, r.why)
				}
			}
			if len(r.c.Pub) == ed25519.PublicKeySize {
				err := checkVerifyWithOptions(t, r.name, r.c.Pub, r.c.Msg, r.c.Sig, &ed25519.Options{})
				if (err == nil) != (r.want[iStdLib] == accept) {
					t.Errorf("VerifyWithOptions(pure) = %v, want %v", err, r.want[iStdLib])
				}
			}
			if !bytes.Equal(pub, r.c.Pub) || !bytes.Equal(msg, r.c.Msg) || !bytes.Equal(sig, r.c.Sig) {
				t.Error("a verifier modified its inputs")
			}
		})
	}
	// Coverage of the table itself.
	count := func(prefix string) int {
		n := 0
		for _, r := range rows {
			if strings.HasPrefix(r.name, prefix) {
				n++
			}
		}
		return n
	}
	if n := count("small-order-R/s=ka/"); n != 14 {
		t.Errorf("%d small-order R rows, want 14", n)
	}
	if n := count("small-order-R/replaced/"); n != 14 {
		t.Errorf("%d replaced small-order R rows, want 14", n)
	}
	if n := count("small-order-A/"); n != 4+2*10 {
		t.Errorf("%d small-order A rows, want 24 (4 identity encodings, 2 rows for each of the other 10)", n)
	}
	var hasAccept, hasOnlyZIP bool
	for _, r := range rows {
		hasAccept = hasAccept || r.want == notStrict
		hasOnlyZIP = hasOnlyZIP || r.want == onlyZIP215
	}
	if !hasAccept || !hasOnlyZIP {
		t.Error("the table does not separate the modes")
	}
}

// TestNonCanonicalKeyDecodes checks that keys with y >= p decode in
// VerifyWithOptions (the error is "invalid signature", not "bad public key"),
// as in crypto/ed25519, and that x = 0 with the sign bit set decodes too.
func TestNonCanonicalKeyDecodes(t *testing.T) {
	_, priv := fixedKey(11)
	msg := []byte("m")
	sig := ed25519.Sign(priv, msg)
	keys := append(testgen.NonCanonicalLargeOrderEncodings(), testgen.DerivedSmallOrderEncodings()...)
	for _, k := range keys {
		err := checkVerifyWithOptions(t, fmt.Sprintf("key %x", k), k, msg, sig, &ed25519.Options{})
		if err == nil || err.Error() != "ed25519: invalid signature" {
			t.Errorf("key %x: err = %v, want ed25519: invalid signature", k, err)
		}
	}
	off := offCurveEncoding(t)
	if err := checkVerifyWithOptions(t, "off-curve", off, msg, sig, &ed25519.Options{}); err == nil || err.Error() != "ed25519: bad public key" {
		t.Errorf("off-curve key: err = %v", err)
	}
}

// TestTorsionR: signatures whose R carries a torsion component of order 2, 4
// or 8 with s fixed for the cofactored equation: StdLib and Strict reject
// every one, ZIP215 accepts every one.
func TestTorsionR(t *testing.T) {
	rng := newRNG(12)
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng), testgen.NewSigner(rng)}
	for _, order := range []int{2, 4, 8} {
		for i := range 64 {
			s := signers[i%len(signers)]
			c := s.TorsionR(rng, testgen.RandomMessage(rng, 64), order)
			c.Name = fmt.Sprintf("order %d #%d", order, i)
			if testgen.IsDerivedSmallOrderEncoding(c.Sig[:32]) {
				t.Fatalf("%s: R is of small order", c.Name)
			}
			if ed25519.Verify(c.Pub, c.Msg, c.Sig) {
				t.Errorf("%s: Verify accepted (pub %x msg %x sig %x)", c.Name, c.Pub, c.Msg, c.Sig)
			}
			if ed25519.VerifyStrict(c.Pub, c.Msg, c.Sig) {
				t.Errorf("%s: VerifyStrict accepted (pub %x msg %x sig %x)", c.Name, c.Pub, c.Msg, c.Sig)
			}
			if !ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig) {
				t.Errorf("%s: VerifyZIP215 rejected (pub %x msg %x sig %x)", c.Name, c.Pub, c.Msg, c.Sig)
			}
			for mode, want := range []bool{false, false, true} {
				if ref := testgen.Reference(modeRules[mode], c); ref != want {
					t.Fatalf("%s: testgen.Reference(%s) = %v", c.Name, modeRules[mode], ref)
				}
			}
		}
	}
}

// TestTorsionA: signatures under A + T (T of order 2, 4 or 8) made with A's
// secret. The cofactorless equation holds iff [k]T = O (hash-dependent); A + T
// is not of small order, so Strict equals StdLib; ZIP215 always accepts.
func TestTorsionA(t *testing.T) {
	rng := newRNG(13)
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng), testgen.NewSigner(rng)}
	for _, order := range []int{2, 4, 8} {
		T := testgen.TorsionOfOrder(order)
		accepted := 0
		n := 64
		for i := range n {
			s := signers[i%len(signers)]
			c := s.TorsionA(rng, testgen.RandomMessage(rng, 64), order)
			c.Name = fmt.Sprintf("order %d #%d", order, i)
			if testgen.IsDerivedSmallOrderEncoding(c.Pub) {
				t.Fatalf("%s: A + T is of small order", c.Name)
			}
			stdlib := kTimesIsIdentity(c, T)
			want := [3]bool{stdlib, stdlib, true}
			got, v, p := ours(t, c)
			if p {
				t.Fatalf("%s: Verify panicked: %v", c.Name, v)
			}
			for mode := range 3 {
				ref := testgen.Reference(modeRules[mode], c)
				if got[mode] != want[mode] || ref != want[mode] {
					t.Errorf("%s: %s got %v, rule ([k]T = O: %v) says %v, testgen.Reference %v", c.Name, modeRules[mode], got[mode], stdlib, want[mode], ref)
				}
			}
			if stdlib {
				accepted++
			}
		}
		// Both outcomes must occur (about n/order accepted).
		if accepted == 0 || accepted == n {
			t.Errorf("order %d: StdLib accepted %d of %d: expected a split", order, accepted, n)
		}
	}
}
