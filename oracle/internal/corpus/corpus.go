// Package corpus builds the oracle module's inputs: crafted signatures that
// separate the five verification choices (deterministic from a seed), and
// the shared public vectors. It is imported only by the module's tests.
package corpus

import (
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"math/big"
	"math/rand/v2"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

// Case is one verification input, labelled by how it was built.
type Case struct {
	Kind string // the construction, one of Kinds
	Name string // the details of the construction
	Pub  []byte
	Msg  []byte
	Sig  []byte
}

// Comparable reports whether c has a 32-byte key and a 64-byte signature,
// the inputs on which every oracle gives a verdict (curve25519-voi panics on
// a key of another length, libsodium reads fixed-size buffers).
func (c Case) Comparable() bool { return len(c.Pub) == 32 && len(c.Sig) == 64 }

// String identifies c with its bytes, for reports of disagreements.
func (c Case) String() string {
	return fmt.Sprintf("%s (%s) pub=%x (%d bytes) msg=%x (%d bytes) sig=%x (%d bytes)",
		c.Kind, c.Name, c.Pub, len(c.Pub), c.Msg, len(c.Msg), c.Sig, len(c.Sig))
}

// The kinds of cases.
const (
	// Every pair (A, R) of small-order encodings (the 14 of
	// testgen.DerivedSmallOrderEncodings, canonical or not), s = 0, with
	// two messages: the cofactored equation always holds, the
	// cofactorless one when R encodes -[k]A canonically.
	KindSmallOrderAR = "small-order-A-R-s0"
	// A small-order encoding as A, R = [r]B, s = r (testgen.SmallOrderA).
	KindSmallOrderA = "small-order-A"
	// A small-order encoding as A, R = [r]B + T2, s = r, searched so that
	// T2 = -[k]A (the cofactorless equation holds) or not.
	KindSmallOrderAMixedR = "small-order-A-mixed-R"
	// An honest key, R a small-order encoding, s = k·a
	// (testgen.Signer.IdentityR, with every small-order encoding): the
	// cofactored equation holds; the cofactorless one only for the
	// canonical identity.
	KindSmallOrderR = "small-order-R"
	// An honest signature with R replaced by a small-order encoding.
	KindSmallOrderRBadS = "small-order-R-honest-s"
	// R a small-order encoding T, A' = A + T1 (T1 of order 2, 4, 8),
	// s = k·a, searched so that T = -[k]T1 or not.
	KindSmallOrderRMixedA = "small-order-R-mixed-A"
	// Non-canonical encodings of points of large order
	// (testgen.NonCanonicalLargeOrderEncodings) as A: nobody knows their
	// discrete logarithm, so no signature can be valid.
	KindNonCanonicalA = "noncanonical-large-A"
	// The same encodings as R.
	KindNonCanonicalR = "noncanonical-large-R"
	// R = [r]B + T (testgen.Signer.TorsionR).
	KindTorsionR = "torsion-R"
	// A' = A + T signed with a (testgen.Signer.TorsionA).
	KindTorsionA = "torsion-A"
	// A' = A + T1, R' = [r]B + T2, s = r + k·a, with T1, T2 of order 2, 4
	// or 8 and T2 = -[k]T1: the residues cancel and the cofactorless
	// equation holds although both points have a torsion component.
	KindMixedCancel = "mixed-A-R-cancelling"
	// The same with T2 != -[k]T1: only the cofactored equation holds.
	KindMixedNoCancel = "mixed-A-R-non-cancelling"
	// s >= l: s + l, s + 2l, s + 8l, s + 15l where it fits, l, l + 1,
	// 2^256 - 1, on bases that are valid under some rules.
	KindSGeL = "s-ge-l"
	// testgen.Mutate of honest and crafted cases.
	KindMutated = "mutated"
	// Honest signatures (testgen.Signer.Honest).
	KindHonest = "honest"
	// testgen.Random (its mixture of kinds).
	KindRandom = "testgen-random"
	// Keys and signatures of the wrong length, and nil slices.
	KindWrongLength = "wrong-length"
	// The shared vectors (internal/testvectors).
	KindRFC8032    = "vector-rfc8032"
	KindWycheproof = "vector-wycheproof"
	KindZIP215     = "vector-zip215"
)

// CraftedKinds are the kinds Crafted builds; VectorKinds the kinds of the
// shared vectors.
var (
	CraftedKinds = []string{
		KindSmallOrderAR, KindSmallOrderA, KindSmallOrderAMixedR, KindSmallOrderR,
		KindSmallOrderRBadS, KindSmallOrderRMixedA, KindNonCanonicalA, KindNonCanonicalR,
		KindTorsionR, KindTorsionA, KindMixedCancel, KindMixedNoCancel, KindSGeL,
		KindMutated, KindHonest, KindRandom, KindWrongLength,
	}
	VectorKinds = []string{KindRFC8032, KindWycheproof, KindZIP215}
)

// builder holds the state of one Crafted call.
type builder struct {
	rng     *rand.Rand
	signers []*testgen.Signer
	secrets []*edwards25519.Scalar
	cases   []Case
}

func (b *builder) add(kind, name string, pub, msg, sig []byte) {
	b.cases = append(b.cases, Case{Kind: kind, Name: name, Pub: clone(pub), Msg: clone(msg), Sig: clone(sig)})
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// secret returns the secret scalar a of s ([a]B = s.A), derived from the
// seed half of s.Priv as RFC 8032 does.
func secret(s *testgen.Signer) *edwards25519.Scalar {
	h := sha512.Sum512(s.Priv[:32])
	a, err := new(edwards25519.Scalar).SetBytesWithClamping(h[:32])
	if err != nil {
		panic(err)
	}
	if new(edwards25519.Point).ScalarBaseMult(a).Equal(s.A) != 1 {
		panic("corpus: derived secret scalar does not match the signer's key")
	}
	return a
}

func (b *builder) scalar() *edwards25519.Scalar {
	buf := make([]byte, 64)
	for i := range buf {
		buf[i] = byte(b.rng.Uint32())
	}
	s, err := new(edwards25519.Scalar).SetUniformBytes(buf)
	if err != nil {
		panic(err)
	}
	return s
}

// sign returns encR || s with s = r + k·a, k = SHA-512(encR || pub || msg)
// mod l (r or a may be zero).
func sign(encR, pub, msg []byte, r, a *edwards25519.Scalar) []byte {
	k := testgen.Challenge(encR, pub, msg)
	s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
	return append(clone(encR), s.Bytes()...)
}

var (
	identity = edwards25519.NewIdentityPoint()
	zero     = edwards25519.NewScalar()
)

func decode(enc []byte) *edwards25519.Point {
	P, err := new(edwards25519.Point).SetBytes(enc)
	if err != nil {
		panic(fmt.Sprintf("corpus: %x does not decode: %v", enc, err))
	}
	return P
}

// stdlibAgrees panics unless crypto/ed25519.Verify (the cofactorless
// equation, R compared byte for byte) gives want on the case: a check of
// the constructions that need the cofactorless equation to hold or fail.
func stdlibAgrees(pub, msg, sig []byte, want bool) {
	if ed25519.Verify(pub, msg, sig) != want {
		panic(fmt.Sprintf("corpus: construction error: crypto/ed25519.Verify(%x, %x, %x) != %v", pub, msg, sig, want))
	}
}

// Crafted returns the crafted cases, deterministic from rng's stream.
func Crafted(rng *rand.Rand) []Case {
	b := &builder{rng: rng}
	for range 8 {
		s := testgen.NewSigner(rng)
		b.signers = append(b.signers, s)
		b.secrets = append(b.secrets, secret(s))
	}
	so := testgen.DerivedSmallOrderEncodings()
	if len(so) != 14 {
		panic(fmt.Sprintf("corpus: %d small-order encodings, want 14", len(so)))
	}
	msgs := [][]byte{[]byte("oracle message one"), []byte("oracle message two")}

	// Every pair of small-order encodings as (A, R), s = 0.
	for i, encA := range so {
		for j, encR := range so {
			for m, msg := range msgs {
				b.add(KindSmallOrderAR, fmt.Sprintf("A=so[%d] R=so[%d] msg=%d", i, j, m), encA, msg, sign(encR, encA, msg, zero, zero))
			}
		}
	}

	// Small-order A with an honest-looking R.
	for i, encA := range so {
		for m := range 3 {
			msg := fmt.Appendf(nil, "small-order A %d/%d", i, m)
			c := testgen.SmallOrderA(rng, msg, encA)
			b.add(KindSmallOrderA, fmt.Sprintf("A=so[%d] msg=%d", i, m), c.Pub, c.Msg, c.Sig)
		}
	}

	// Small-order A, R = [r]B + T2, s = r: the cofactorless equation holds
	// when T2 = -[k]A.
	T := testgen.TorsionPoints()
	for i, encA := range so {
		A := decode(encA)
		if A.Equal(identity) == 1 {
			continue // [k]A is always the identity: nothing to cancel
		}
		b.searchMixed(KindSmallOrderAMixedR, fmt.Sprintf("A=so[%d]", i), 2, 2, func(try int) ([]byte, []byte, []byte, bool) {
			T2 := T[1+b.rng.IntN(7)]
			r := b.scalar()
			R := new(edwards25519.Point).ScalarBaseMult(r)
			R.Add(R, T2)
			encR := R.Bytes()
			msg := fmt.Appendf(nil, "small-order A so[%d] mixed R %d", i, try)
			k := testgen.Challenge(encR, encA, msg)
			kA := new(edwards25519.Point).ScalarMult(k, A)
			cancel := kA.Add(kA, T2).Equal(identity) == 1
			return encA, msg, sign(encR, encA, msg, r, zero), cancel
		})
	}

	// Honest keys, small-order R, s = k·a.
	for i, encR := range so {
		for si := range 2 {
			for m, msg := range msgs {
				c := b.signers[si].IdentityR(msg, encR)
				b.add(KindSmallOrderR, fmt.Sprintf("R=so[%d] signer=%d msg=%d", i, si, m), c.Pub, c.Msg, c.Sig)
			}
		}
		c := b.signers[i%len(b.signers)].Honest(fmt.Appendf(nil, "small-order R %d", i))
		copy(c.Sig[:32], encR)
		b.add(KindSmallOrderRBadS, fmt.Sprintf("R=so[%d]", i), c.Pub, c.Msg, c.Sig)
	}

	// Small-order R, A' = A + T1, s = k·a: [s]B - [k]A' = -[k]T1, which
	// the cofactorless equation compares with R.
	for _, order := range []int{2, 4, 8} {
		T1 := testgen.TorsionOfOrder(order)
		si := order % len(b.signers)
		pub := new(edwards25519.Point).Add(b.signers[si].A, T1).Bytes()
		b.searchMixed(KindSmallOrderRMixedA, fmt.Sprintf("T1 order %d", order), 3, 3, func(try int) ([]byte, []byte, []byte, bool) {
			encR := so[b.rng.IntN(len(so))]
			msg := fmt.Appendf(nil, "small-order R mixed A %d/%d", order, try)
			k := testgen.Challenge(encR, pub, msg)
			kT := new(edwards25519.Point).ScalarMult(k, T1)
			cancel := string(kT.Negate(kT).Bytes()) == string(encR)
			return pub, msg, sign(encR, pub, msg, zero, b.secrets[si]), cancel
		})
	}

	// Non-canonical encodings of large-order points as A and as R.
	ncl := testgen.NonCanonicalLargeOrderEncodings()
	for i, enc := range ncl {
		s := b.signers[i%len(b.signers)]
		msg := fmt.Appendf(nil, "noncanonical %d", i)
		h := s.Honest(msg)
		b.add(KindNonCanonicalA, fmt.Sprintf("A=ncl[%d] honest R,s of another key", i), enc, msg, h.Sig)
		b.add(KindNonCanonicalA, fmt.Sprintf("A=ncl[%d] R=identity s=0", i), enc, msg, sign(so[0], enc, msg, zero, zero))
		r := b.scalar()
		encR := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
		b.add(KindNonCanonicalA, fmt.Sprintf("A=ncl[%d] R=[r]B s=r", i), enc, msg, sign(encR, enc, msg, r, zero))
		c := h
		copy(c.Sig[:32], enc)
		b.add(KindNonCanonicalR, fmt.Sprintf("R=ncl[%d] honest s", i), c.Pub, c.Msg, c.Sig)
		c = s.IdentityR(msg, enc)
		b.add(KindNonCanonicalR, fmt.Sprintf("R=ncl[%d] s=k·a", i), c.Pub, c.Msg, c.Sig)
	}

	// Torsion components on R or A alone (testgen).
	for _, order := range []int{2, 4, 8} {
		for i := range 8 {
			s := b.signers[i]
			msg := fmt.Appendf(nil, "torsion %d/%d", order, i)
			c := s.TorsionR(rng, msg, order)
			b.add(KindTorsionR, fmt.Sprintf("order %d signer %d", order, i), c.Pub, c.Msg, c.Sig)
			c = s.TorsionA(rng, msg, order)
			b.add(KindTorsionA, fmt.Sprintf("order %d signer %d", order, i), c.Pub, c.Msg, c.Sig)
		}
	}

	// Torsion components on both A and R, cancelling or not.
	for _, o1 := range []int{2, 4, 8} {
		for _, o2 := range []int{2, 4, 8} {
			T1 := testgen.TorsionOfOrder(o1)
			si := (o1 + o2) % len(b.signers)
			pub := new(edwards25519.Point).Add(b.signers[si].A, T1).Bytes()
			// The residue -[k]T1 lies in the group T1 generates: T2 must too.
			if o2 > o1 {
				continue
			}
			b.searchMixed(KindMixedCancel, fmt.Sprintf("T1 order %d, T2 order %d", o1, o2), 3, 0, b.mixedAR(T1, o2, pub, si))
			b.searchMixed(KindMixedNoCancel, fmt.Sprintf("T1 order %d, T2 order %d", o1, o2), 0, 2, b.mixedAR(T1, o2, pub, si))
		}
	}
	// Non-cancelling pairs whose orders cannot cancel.
	for _, o := range [][2]int{{2, 4}, {2, 8}, {4, 8}} {
		T1 := testgen.TorsionOfOrder(o[0])
		si := o[1] % len(b.signers)
		pub := new(edwards25519.Point).Add(b.signers[si].A, T1).Bytes()
		b.searchMixed(KindMixedNoCancel, fmt.Sprintf("T1 order %d, T2 order %d", o[0], o[1]), 0, 2, b.mixedAR(T1, o[1], pub, si))
	}

	// Honest signatures, messages of 0 to 300 bytes.
	var honest []testgen.Case
	for i := range 160 {
		s := b.signers[i%len(b.signers)]
		msg := testgen.RandomMessage(rng, 300)
		if i == 0 {
			msg = nil
		}
		c := s.Honest(msg)
		honest = append(honest, c)
		b.add(KindHonest, fmt.Sprintf("signer %d", i%len(b.signers)), c.Pub, c.Msg, c.Sig)
	}

	// s >= l on bases that some rules accept.
	b.sGeL(so)

	// Mutations of honest and of crafted cases.
	crafted := append([]Case(nil), b.cases...)
	for i := range 150 {
		c := testgen.Mutate(rng, honest[i%len(honest)])
		b.add(KindMutated, "of honest", c.Pub, c.Msg, c.Sig)
	}
	for range 250 {
		base := crafted[rng.IntN(len(crafted))]
		c := testgen.Mutate(rng, testgen.Case{Pub: base.Pub, Msg: base.Msg, Sig: base.Sig})
		b.add(KindMutated, "of "+base.Kind, c.Pub, c.Msg, c.Sig)
	}

	// testgen's mixture.
	for range 300 {
		c := testgen.Random(rng, b.signers)
		b.add(KindRandom, c.Name, c.Pub, c.Msg, c.Sig)
	}

	// Wrong lengths and nil slices.
	h := honest[1]
	for _, w := range []struct {
		name     string
		pub, sig []byte
	}{
		{"nil key", nil, h.Sig},
		{"empty key", []byte{}, h.Sig},
		{"31-byte key", h.Pub[:31], h.Sig},
		{"33-byte key", append(clone(h.Pub), 0), h.Sig},
		{"64-byte key", append(clone(h.Pub), h.Pub...), h.Sig},
		{"nil sig", h.Pub, nil},
		{"empty sig", h.Pub, []byte{}},
		{"32-byte sig", h.Pub, h.Sig[:32]},
		{"63-byte sig", h.Pub, h.Sig[:63]},
		{"65-byte sig", h.Pub, append(clone(h.Sig), 0)},
		{"128-byte sig", h.Pub, append(clone(h.Sig), h.Sig...)},
		{"nil key and sig", nil, nil},
		{"31-byte key, 63-byte sig", h.Pub[:31], h.Sig[:63]},
	} {
		b.add(KindWrongLength, w.name, w.pub, h.Msg, w.sig)
	}
	return b.cases
}

// searchMixed calls try with 0, 1, 2, ... and keeps the first nCancel cases
// it reports as cancelling (the cofactorless equation holds) and the first
// nOther it reports as not, checking the claim with crypto/ed25519.Verify.
func (b *builder) searchMixed(kind, name string, nCancel, nOther int, try func(int) (pub, msg, sig []byte, cancel bool)) {
	for i := 0; nCancel > 0 || nOther > 0; i++ {
		if i == 4000 {
			panic("corpus: search for " + kind + " " + name + " did not finish")
		}
		pub, msg, sig, cancel := try(i)
		switch {
		case cancel && nCancel > 0:
			nCancel--
		case !cancel && nOther > 0:
			nOther--
		default:
			continue
		}
		stdlibAgrees(pub, msg, sig, cancel)
		b.add(kind, fmt.Sprintf("%s, try %d, cofactorless %v", name, i, cancel), pub, msg, sig)
	}
}

// mixedAR returns a search step for A' = pub = A + T1 (A of signer si),
// R' = [r]B + T2 with T2 of order o2, s = r + k·a.
func (b *builder) mixedAR(T1 *edwards25519.Point, o2 int, pub []byte, si int) func(int) ([]byte, []byte, []byte, bool) {
	var ofOrder []*edwards25519.Point
	T := testgen.TorsionPoints()
	for i := 1; i < 8; i++ {
		if 8/gcd(i, 8) == o2 {
			ofOrder = append(ofOrder, T[i])
		}
	}
	return func(try int) ([]byte, []byte, []byte, bool) {
		T2 := ofOrder[b.rng.IntN(len(ofOrder))]
		r := b.scalar()
		R := new(edwards25519.Point).ScalarBaseMult(r)
		R.Add(R, T2)
		encR := R.Bytes()
		msg := fmt.Appendf(nil, "mixed %x %d", pub[:4], try)
		k := testgen.Challenge(encR, pub, msg)
		kT := new(edwards25519.Point).ScalarMult(k, T1)
		cancel := kT.Add(kT, T2).Equal(identity) == 1
		return pub, msg, sign(encR, pub, msg, r, b.secrets[si]), cancel
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// sGeL adds signatures whose s is replaced by a value >= l.
func (b *builder) sGeL(so [][]byte) {
	var bases []Case
	pick := func(kind string, n int) {
		for _, c := range b.cases {
			if c.Kind == kind && n > 0 {
				bases = append(bases, c)
				n--
			}
		}
	}
	pick(KindHonest, 3)
	pick(KindSmallOrderAR, 3) // s = 0: s = l is the same scalar mod l
	pick(KindSmallOrderA, 2)
	pick(KindSmallOrderR, 2)
	pick(KindTorsionR, 2)
	pick(KindMixedCancel, 2)
	l := testgen.GroupOrder
	max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	for bi, base := range bases {
		s := leToInt(base.Sig[32:])
		vals := map[string]*big.Int{}
		for _, m := range []int64{1, 2, 8, 15} {
			v := new(big.Int).Add(s, new(big.Int).Mul(l, big.NewInt(m)))
			if v.Cmp(max256) <= 0 {
				vals[fmt.Sprintf("s+%dl", m)] = v
			}
		}
		vals["l"] = new(big.Int).Set(l)
		vals["l+1"] = new(big.Int).Add(l, big.NewInt(1))
		vals["2^256-1"] = max256
		for _, name := range []string{"s+1l", "s+2l", "s+8l", "s+15l", "l", "l+1", "2^256-1"} {
			v, ok := vals[name]
			if !ok {
				continue
			}
			sig := append(clone(base.Sig[:32]), testgen.ScalarBytes(v)...)
			b.add(KindSGeL, fmt.Sprintf("s=%s on base %d (%s: %s)", name, bi, base.Kind, base.Name), base.Pub, base.Msg, sig)
		}
	}
}

func leToInt(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}
