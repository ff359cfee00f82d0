// Package testgen generates Ed25519 test inputs for ronkms's tests: honest
// signatures, mutations, and crafted signatures that separate verification
// rules (small-order and torsioned points, non-canonical encodings,
// out-of-range s). It also holds a reference verdict under any rules, the
// rules' definitions applied with filippo.io/edwards25519 and
// crypto/ed25519 instead of ronkms's own point arithmetic, so that every
// package tests against the same referee; the oracle module (oracle/)
// checks that referee against curve25519-voi, ed25519consensus and
// libsodium.
//
// It is imported only by tests.
package testgen

import (
	"crypto/ed25519"
	"crypto/sha512"
	"math/big"
	"math/rand/v2"

	"filippo.io/edwards25519"
)

// Case is one verification input.
type Case struct {
	Name string
	Pub  []byte
	Msg  []byte
	Sig  []byte
}

// Rules mirrors package ed25519's Rules (and internal/edverify's), bit for
// bit, without importing them: the point layer's tests import testgen.
// edverify's tests check that the bits agree.
type Rules uint8

// The five choices of a rule set, as package ed25519 defines them.
const (
	RejectSmallOrderA Rules = 1 << iota
	RejectSmallOrderR
	RequireCanonicalA
	AllowNonCanonicalR
	Cofactored
)

// The rule sets of the three original modes (package ed25519's presets).
const (
	StdLib Rules = 0
	Strict       = RejectSmallOrderA | RejectSmallOrderR
	ZIP215       = Cofactored | AllowNonCanonicalR
)

// Valid reports whether r has only the five bits, and AllowNonCanonicalR
// only with Cofactored.
func (r Rules) Valid() bool {
	return r < 32 && (r&AllowNonCanonicalR == 0 || r&Cofactored != 0)
}

// AllRules lists the 32 combinations of the five choices, valid or not
// (AllowNonCanonicalR without Cofactored is not).
func AllRules() []Rules {
	out := make([]Rules, 32)
	for i := range out {
		out[i] = Rules(i)
	}
	return out
}

// Reference returns the verdict of pure Ed25519 verification of c under
// rules (any type whose values are package ed25519's Rules), applying their
// definitions step by step with filippo.io/edwards25519:
//
//   - a 32-byte key and a 64-byte signature, s < l;
//   - A decodes; with RequireCanonicalA its encoding is A's canonical one
//     (decoding, then encoding, gives the same bytes back); with
//     RejectSmallOrderA, [8]A is not the identity;
//   - R, when the rules look at it as a point (Cofactored, or
//     RejectSmallOrderR): it decodes, [8]R is not the identity with
//     RejectSmallOrderR, and its encoding is canonical unless
//     AllowNonCanonicalR;
//   - k = SHA-512(R || A || M) mod l with R and A as given;
//   - cofactorless: the canonical encoding of [s]B - [k]A equals R byte
//     for byte; cofactored: [8]([s]B - [k]A - R) is the identity.
//
// Invalid rules give false. For StdLib rules the verdict is also checked
// against crypto/ed25519.Verify (a panic if they differ).
func Reference[R ~uint8](rules R, c Case) bool {
	r := Rules(rules)
	v := reference(r, c)
	if r == StdLib && len(c.Pub) == ed25519.PublicKeySize && v != ed25519.Verify(c.Pub, c.Msg, c.Sig) {
		panic("testgen: the reference disagrees with crypto/ed25519 under StdLib rules")
	}
	return v
}

func reference(r Rules, c Case) bool {
	if !r.Valid() || len(c.Pub) != 32 || len(c.Sig) != 64 {
		return false
	}
	var s edwards25519.Scalar
	if _, err := s.SetCanonicalBytes(c.Sig[32:]); err != nil {
		return false
	}
	identity := edwards25519.NewIdentityPoint()
	smallOrder := func(P *edwards25519.Point) bool {
		return new(edwards25519.Point).MultByCofactor(P).Equal(identity) == 1
	}
	A, err := new(edwards25519.Point).SetBytes(c.Pub)
	if err != nil {
		return false
	}
	if r&RequireCanonicalA != 0 && string(A.Bytes()) != string(c.Pub) {
		return false
	}
	if r&RejectSmallOrderA != 0 && smallOrder(A) {
		return false
	}
	encR := c.Sig[:32]
	var R *edwards25519.Point
	if r&(Cofactored|RejectSmallOrderR) != 0 {
		if R, err = new(edwards25519.Point).SetBytes(encR); err != nil {
			return false
		}
		if r&RejectSmallOrderR != 0 && smallOrder(R) {
			return false
		}
		if r&AllowNonCanonicalR == 0 && string(R.Bytes()) != string(encR) {
			return false
		}
	}
	k := Challenge(encR, c.Pub, c.Msg)
	minusA := new(edwards25519.Point).Negate(A)
	Rp := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, minusA, &s) // [s]B - [k]A
	if r&Cofactored == 0 {
		return string(Rp.Bytes()) == string(encR)
	}
	return smallOrder(Rp.Subtract(Rp, R))
}

// fieldP is 2^255 - 19.
var fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// order8 is a point of order 8 (a canonical encoding from the literature,
// checked in TorsionPoints).
const order8Hex = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"

// TorsionPoints returns the eight points of the torsion subgroup, T[i] = [i]T8
// for a point T8 of order 8, so T[i] has order 8/gcd(i, 8).
func TorsionPoints() [8]*edwards25519.Point {
	b := mustHex(order8Hex)
	t8, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		panic(err)
	}
	var out [8]*edwards25519.Point
	acc := edwards25519.NewIdentityPoint()
	for i := range out {
		out[i] = new(edwards25519.Point).Set(acc)
		acc.Add(acc, t8)
	}
	if acc.Equal(edwards25519.NewIdentityPoint()) != 1 || out[4].Equal(edwards25519.NewIdentityPoint()) == 1 {
		panic("testgen: the order-8 point is not of order 8")
	}
	return out
}

// TorsionOfOrder returns a point of exactly the given order (1, 2, 4 or 8).
func TorsionOfOrder(order int) *edwards25519.Point {
	T := TorsionPoints()
	switch order {
	case 1:
		return T[0]
	case 2:
		return T[4]
	case 4:
		return T[2]
	case 8:
		return T[1]
	}
	panic("testgen: no torsion point of that order")
}

func leToInt(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}

func intToLE32(x *big.Int) []byte {
	be := x.FillBytes(make([]byte, 32))
	out := make([]byte, 32)
	for i := range be {
		out[31-i] = be[i]
	}
	return out
}

// DerivedSmallOrderEncodings derives every 32-byte string that decodes to a
// small-order point: for each torsion point, its canonical encoding, the
// encoding with y + p where that fits in 255 bits, and both with the sign
// bit flipped, kept when they decode to a small-order point.
func DerivedSmallOrderEncodings() [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, T := range TorsionPoints() {
		canon := T.Bytes()
		cands := [][]byte{canon}
		y := leToInt(canon)
		y.SetBit(y, 255, 0)
		if yp := new(big.Int).Add(y, fieldP); yp.BitLen() <= 255 {
			nc := intToLE32(yp)
			nc[31] |= canon[31] & 0x80
			cands = append(cands, nc)
		}
		for _, c := range cands[:len(cands):len(cands)] {
			f := append([]byte(nil), c...)
			f[31] ^= 0x80
			cands = append(cands, f)
		}
		for _, c := range cands {
			P, err := new(edwards25519.Point).SetBytes(c)
			if err != nil || seen[string(c)] {
				continue
			}
			if new(edwards25519.Point).MultByCofactor(P).Equal(edwards25519.NewIdentityPoint()) == 1 {
				seen[string(c)] = true
				out = append(out, c)
			}
		}
	}
	return out
}

var derivedSmallOrder = func() map[string]bool {
	m := map[string]bool{}
	for _, e := range DerivedSmallOrderEncodings() {
		m[string(e)] = true
	}
	return m
}()

// IsDerivedSmallOrderEncoding reports whether b is in DerivedSmallOrderEncodings.
func IsDerivedSmallOrderEncoding(b []byte) bool { return derivedSmallOrder[string(b)] }

// IdentityEncodings returns the encodings in DerivedSmallOrderEncodings that
// decode to the identity point (canonical, y = p + 1, and both with the sign
// bit set).
func IdentityEncodings() [][]byte {
	var out [][]byte
	for _, e := range DerivedSmallOrderEncodings() {
		P, _ := new(edwards25519.Point).SetBytes(e)
		if P.Equal(edwards25519.NewIdentityPoint()) == 1 {
			out = append(out, e)
		}
	}
	return out
}

// NonCanonicalLargeOrderEncodings returns encodings with y >= p (y = p + c
// for c in 2..18, both signs) that decode to points that are not of small
// order.
func NonCanonicalLargeOrderEncodings() [][]byte {
	var out [][]byte
	for c := int64(2); c <= 18; c++ {
		enc := intToLE32(new(big.Int).Add(fieldP, big.NewInt(c)))
		for _, sign := range []byte{0, 0x80} {
			e := append([]byte(nil), enc...)
			e[31] |= sign
			P, err := new(edwards25519.Point).SetBytes(e)
			if err != nil {
				continue
			}
			if new(edwards25519.Point).MultByCofactor(P).Equal(edwards25519.NewIdentityPoint()) == 1 {
				continue
			}
			out = append(out, e)
		}
	}
	return out
}

// GroupOrder is l = 2^252 + 27742317777372353535851937790883648493.
var GroupOrder, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// ScalarBytes returns the 32-byte little-endian encoding of x, which must be
// below 2^256 (not reduced: for crafting non-canonical s).
func ScalarBytes(x *big.Int) []byte { return intToLE32(x) }

// Signer is an honest key pair with its secret scalar, for crafting.
type Signer struct {
	Pub  ed25519.PublicKey
	Priv ed25519.PrivateKey
	a    edwards25519.Scalar
	A    *edwards25519.Point
}

// NewSigner derives a key pair from rng.
func NewSigner(rng *rand.Rand) *Signer {
	seed := make([]byte, 32)
	fill(rng, seed)
	priv := ed25519.NewKeyFromSeed(seed)
	h := sha512.Sum512(seed)
	s := &Signer{Pub: priv.Public().(ed25519.PublicKey), Priv: priv}
	if _, err := s.a.SetBytesWithClamping(h[:32]); err != nil {
		panic(err)
	}
	s.A = new(edwards25519.Point).ScalarBaseMult(&s.a)
	return s
}

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// RandomMessage returns a message of 0 to maxLen random bytes.
func RandomMessage(rng *rand.Rand, maxLen int) []byte {
	m := make([]byte, rng.IntN(maxLen+1))
	fill(rng, m)
	return m
}

func randomScalar(rng *rand.Rand) *edwards25519.Scalar {
	b := make([]byte, 64)
	fill(rng, b)
	s, err := new(edwards25519.Scalar).SetUniformBytes(b)
	if err != nil {
		panic(err)
	}
	return s
}

// Challenge returns k = SHA-512(R || A || M) mod l.
func Challenge(R, A, msg []byte) *edwards25519.Scalar {
	h := sha512.New()
	h.Write(R)
	h.Write(A)
	h.Write(msg)
	k, err := new(edwards25519.Scalar).SetUniformBytes(h.Sum(nil))
	if err != nil {
		panic(err)
	}
	return k
}

// Honest returns a valid signature by s.
func (s *Signer) Honest(msg []byte) Case {
	return Case{Name: "honest", Pub: s.Pub, Msg: msg, Sig: ed25519.Sign(s.Priv, msg)}
}

// SignWith signs msg with the nonce point R = [r]B + extra (extra may be
// nil) and the public key encoding pub (which may differ from s.Pub), using
// s's secret scalar: s = r + k a with k = H(R || pub || msg).
func (s *Signer) SignWith(rng *rand.Rand, msg []byte, extra *edwards25519.Point, pub []byte) Case {
	r := randomScalar(rng)
	R := new(edwards25519.Point).ScalarBaseMult(r)
	if extra != nil {
		R.Add(R, extra)
	}
	Rb := R.Bytes()
	k := Challenge(Rb, pub, msg)
	S := new(edwards25519.Scalar).MultiplyAdd(k, &s.a, r)
	return Case{Pub: pub, Msg: msg, Sig: append(Rb, S.Bytes()...)}
}

// TorsionR returns a signature whose R carries a torsion component of the
// given order (2, 4 or 8), with s recomputed so that the cofactored equation
// holds and the cofactorless one fails: StdLib and Strict must reject it
// deterministically, ZIP215 must accept it.
func (s *Signer) TorsionR(rng *rand.Rand, msg []byte, order int) Case {
	c := s.SignWith(rng, msg, TorsionOfOrder(order), s.Pub)
	c.Name = "torsion-R"
	return c
}

// TorsionA returns a signature under the public key A + T, T of the given
// order, signed with A's secret: the cofactored equation holds; the
// cofactorless one holds only when [k]T is the identity.
func (s *Signer) TorsionA(rng *rand.Rand, msg []byte, order int) Case {
	pub := new(edwards25519.Point).Add(s.A, TorsionOfOrder(order)).Bytes()
	c := s.SignWith(rng, msg, nil, pub)
	c.Name = "torsion-A"
	return c
}

// TorsionAR returns a signature under the public key A + tA with nonce
// point R = [r]B + tR, signed with A's secret (tA and tR are torsion points,
// or nil for none): the cofactored equation holds; the cofactorless one
// holds exactly when tR + [k]tA is the identity.
func (s *Signer) TorsionAR(rng *rand.Rand, msg []byte, tA, tR *edwards25519.Point) Case {
	pub := s.Pub
	if tA != nil {
		pub = new(edwards25519.Point).Add(s.A, tA).Bytes()
	}
	c := s.SignWith(rng, msg, tR, pub)
	c.Name = "torsion-AR"
	return c
}

// Cancelling returns a TorsionAR signature under A + tA whose residues
// cancel: R = [r]B + tR with tR = -[k]tA, so that the cofactorless equation
// holds although both R and A carry torsion (unless tA is the identity, in
// which case tR is too). It tries nonces until the hash makes it so, each
// try succeeding with probability about 1/order(tA) for each of the eight
// choices of tR.
func (s *Signer) Cancelling(rng *rand.Rand, msg []byte, tA *edwards25519.Point) Case {
	pub := new(edwards25519.Point).Add(s.A, tA).Bytes()
	identity := edwards25519.NewIdentityPoint()
	for {
		r := randomScalar(rng)
		rB := new(edwards25519.Point).ScalarBaseMult(r)
		for _, tR := range TorsionPoints() {
			R := new(edwards25519.Point).Add(rB, tR)
			Rb := R.Bytes()
			k := Challenge(Rb, pub, msg)
			kT := new(edwards25519.Point).ScalarMult(k, tA)
			if kT.Add(kT, tR).Equal(identity) != 1 {
				continue
			}
			S := new(edwards25519.Scalar).MultiplyAdd(k, &s.a, r)
			return Case{Name: "torsion-AR-cancelling", Pub: pub, Msg: msg, Sig: append(Rb, S.Bytes()...)}
		}
	}
}

// IdentityR returns a signature whose R is the given encoding of the
// identity and s = k a, so [s]B = R + [k]A holds with R the identity: StdLib
// accepts it when the encoding is canonical, Strict never does, ZIP215
// always does.
func (s *Signer) IdentityR(msg []byte, enc []byte) Case {
	k := Challenge(enc, s.Pub, msg)
	S := new(edwards25519.Scalar).Multiply(k, &s.a)
	return Case{Name: "identity-R", Pub: s.Pub, Msg: msg, Sig: append(append([]byte(nil), enc...), S.Bytes()...)}
}

// SmallOrderA returns a signature under the small-order public key
// encoding pub: R = [r]B and s = r, which satisfies [s]B = R + [k]A whenever
// [k]A is the identity (always, for the identity's encodings).
func SmallOrderA(rng *rand.Rand, msg, pub []byte) Case {
	r := randomScalar(rng)
	R := new(edwards25519.Point).ScalarBaseMult(r)
	return Case{Name: "small-order-A", Pub: append([]byte(nil), pub...), Msg: msg, Sig: append(R.Bytes(), r.Bytes()...)}
}

// Mutate returns a copy of c with one random bit flipped in the key, the
// message or the signature.
func Mutate(rng *rand.Rand, c Case) Case {
	m := Case{Name: "mutated", Pub: clone(c.Pub), Msg: clone(c.Msg), Sig: clone(c.Sig)}
	for {
		target := [][]byte{m.Pub, m.Msg, m.Sig}[rng.IntN(3)]
		if len(target) == 0 {
			continue
		}
		i := rng.IntN(len(target))
		target[i] ^= 1 << rng.IntN(8)
		return m
	}
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// Kinds of items in Mixture, in the order they are drawn.
var Kinds = []string{
	"honest", "mutated", "torsion-R", "torsion-A", "identity-R", "small-order-A",
	"small-order-R", "s-ge-l", "noncanonical-R", "wrong-length", "nil",
}

// Random returns one item of a random kind, signed by one of signers.
func Random(rng *rand.Rand, signers []*Signer) Case {
	s := signers[rng.IntN(len(signers))]
	msg := RandomMessage(rng, 96)
	so := DerivedSmallOrderEncodings()
	var c Case
	kind := Kinds[rng.IntN(len(Kinds))]
	switch kind {
	case "honest":
		c = s.Honest(msg)
	case "mutated":
		c = Mutate(rng, s.Honest(msg))
	case "torsion-R":
		c = s.TorsionR(rng, msg, []int{2, 4, 8}[rng.IntN(3)])
	case "torsion-A":
		c = s.TorsionA(rng, msg, []int{2, 4, 8}[rng.IntN(3)])
	case "identity-R":
		ids := IdentityEncodings()
		c = s.IdentityR(msg, ids[rng.IntN(len(ids))])
	case "small-order-A":
		c = SmallOrderA(rng, msg, so[rng.IntN(len(so))])
	case "small-order-R":
		c = s.Honest(msg)
		copy(c.Sig[:32], so[rng.IntN(len(so))])
	case "s-ge-l":
		c = s.Honest(msg)
		S := new(big.Int).Add(leToInt(c.Sig[32:]), GroupOrder)
		if S.BitLen() > 256 {
			S.Sub(S, GroupOrder)
		}
		copy(c.Sig[32:], intToLE32(S))
	case "noncanonical-R":
		nc := NonCanonicalLargeOrderEncodings()
		c = s.Honest(msg)
		copy(c.Sig[:32], nc[rng.IntN(len(nc))])
	case "wrong-length":
		c = s.Honest(msg)
		switch rng.IntN(4) {
		case 0:
			c.Sig = c.Sig[:rng.IntN(64)]
		case 1:
			c.Sig = append(c.Sig, 0)
		case 2:
			c.Pub = c.Pub[:rng.IntN(32)]
		default:
			c.Pub = append(clone(c.Pub), 0)
		}
	case "nil":
		c = s.Honest(msg)
		switch rng.IntN(3) {
		case 0:
			c.Pub = nil
		case 1:
			c.Sig = nil
		default:
			c.Msg = nil
		}
	}
	c.Name = kind
	return c
}

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, ch := range s[2*i : 2*i+2] {
			v <<= 4
			switch {
			case ch >= '0' && ch <= '9':
				v |= byte(ch - '0')
			case ch >= 'a' && ch <= 'f':
				v |= byte(ch-'a') + 10
			}
		}
		b[i] = v
	}
	return b
}
