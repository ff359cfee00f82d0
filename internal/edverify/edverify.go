// Package edverify holds the single-signature verification rules of ronkms:
// one function that applies any set of Rules to one signature. It is shared
// by package ed25519 (the public single verifiers) and by the batch engine,
// so that both apply exactly the same rules: a batch verdict must equal the
// single verdict item by item.
//
// Everything here is variable-time: verification inputs are public.
package edverify

import (
	"crypto/sha512"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edwards"
)

// Rules is a set of verification rules: five independent choices, each a
// departure from crypto/ed25519.Verify, whose rules are the zero value.
// Package ed25519 exports the type and its presets, and documents them.
type Rules uint8

const (
	// RejectSmallOrderA rejects a public key A of small order ([8]A = 0).
	RejectSmallOrderA Rules = 1 << iota
	// RejectSmallOrderR rejects a signature whose R has small order.
	RejectSmallOrderR
	// RequireCanonicalA rejects a non-canonical encoding of A: y >= p, or
	// x = 0 with the sign bit set.
	RequireCanonicalA
	// AllowNonCanonicalR accepts a non-canonical encoding of R. Only with
	// Cofactored: the cofactorless rule compares the canonical encoding of
	// [s]B - [k]A with R byte for byte.
	AllowNonCanonicalR
	// Cofactored checks [8]([s]B - [k]A - R) = 0 (R decoded) instead of
	// comparing the encoding of [s]B - [k]A with R byte for byte.
	Cofactored

	allRules = RejectSmallOrderA | RejectSmallOrderR | RequireCanonicalA | AllowNonCanonicalR | Cofactored
)

// The rule sets the three original modes of ronkms apply.
const (
	StdLib Rules = 0
	Strict       = RejectSmallOrderA | RejectSmallOrderR
	ZIP215       = Cofactored | AllowNonCanonicalR
)

// Valid reports whether r is a set of the five rules in which every
// combination is meaningful: no unknown bits, and AllowNonCanonicalR only
// with Cofactored.
func (r Rules) Valid() bool {
	return r&^allRules == 0 && (r&AllowNonCanonicalR == 0 || r&Cofactored != 0)
}

const (
	publicKeySize = 32
	signatureSize = 64
)

// Domain prefixes of RFC 8032 section 5.1 (dom2). Pure Ed25519 has none.
const (
	DomPrefixPure = ""
	DomPrefixPh   = "SigEd25519 no Ed25519 collisions\x01"
	DomPrefixCtx  = "SigEd25519 no Ed25519 collisions\x00"
)

// Challenge computes k = SHA-512(dom2(domPrefix, context) || R || A || M) mod l,
// hashing R and A exactly as given (never re-encoded), as every mode requires.
func Challenge(k *edwards25519.Scalar, domPrefix, context string, R, A, message []byte) {
	h := sha512.New()
	if domPrefix != DomPrefixPure {
		h.Write([]byte(domPrefix))
		h.Write([]byte{byte(len(context))})
		h.Write([]byte(context))
	}
	h.Write(R)
	h.Write(A)
	h.Write(message)
	var digest [sha512.Size]byte
	h.Sum(digest[:0])
	if _, err := k.SetUniformBytes(digest[:]); err != nil {
		panic("edverify: internal error: SetUniformBytes rejected 64 bytes")
	}
}

// Verify applies rules to one pure Ed25519 signature. It never panics: a key
// or signature of the wrong length, or invalid rules, is a false verdict.
func Verify(rules Rules, publicKey, message, sig []byte) bool {
	if len(publicKey) != publicKeySize || len(sig) != signatureSize {
		return false
	}
	var k edwards25519.Scalar
	Challenge(&k, DomPrefixPure, "", sig[:32], publicKey, message)
	return VerifyWithChallenge(rules, publicKey, sig, &k)
}

// VerifyWithChallenge applies rules given k = H(R || A || M) mod l (with any
// dom2 prefix already included). publicKey must be 32 bytes and sig 64
// bytes; callers check lengths. Invalid rules give false.
//
// The checks, a conjunction (their order does not change the verdict):
//   - s < l, in every rule set;
//   - the byte-level rules: R and A are not small-order encodings (the 14
//     strings that decode to points of order 1, 2, 4 or 8), A and R are
//     canonical encodings, as the rules require;
//   - A decodes (y >= p and x = 0 with the sign bit set are decoded, as
//     crypto/ed25519 does, unless RequireCanonicalA excludes them);
//   - the equation: cofactorless, R is the canonical encoding of
//     [s]B - [k]A; cofactored, R decodes and [8]([s]B - [k]A - R) = 0.
func VerifyWithChallenge(rules Rules, publicKey, sig []byte, k *edwards25519.Scalar) bool {
	var s edwards25519.Scalar
	if !byteChecks(rules, publicKey, sig, &s) {
		return false
	}
	R := sig[:32]
	// R is decoded with A, the two exponentiations sharing one vector
	// exponentiation where the point layer has one.
	var A, Rp edwards.Point
	rCanonical, rOK, aOK := edwards.DecodeSignaturePoints(&Rp, &A, R, publicKey)
	if !aOK {
		return false
	}
	if rules&Cofactored != 0 {
		return rOK && edwards.VarTimeCheckCofactored(&Rp, &A, k, &s)
	}
	return cofactorless(&Rp, rCanonical && rOK, &A, k, &s)
}

// byteChecks applies the checks that need no point: valid rules, s < l
// (setting s), and the rules on the encodings of A and R. sig must be 64
// bytes.
func byteChecks(rules Rules, publicKey, sig []byte, s *edwards25519.Scalar) bool {
	if !rules.Valid() {
		return false
	}
	if _, err := s.SetCanonicalBytes(sig[32:]); err != nil {
		return false
	}
	return AChecks(rules, publicKey) && RChecks(rules, sig[:32])
}

// AChecks applies the rules that need only the encoding of A: small order,
// by comparison with the 14 small-order encodings (for an encoding that
// decodes, being one of them is having small order), and a canonical
// encoding where the rules require it. An encoding that does not decode is
// left to the decoding.
func AChecks(rules Rules, A []byte) bool {
	return !(rules&RejectSmallOrderA != 0 && IsSmallOrderEncoding(A) ||
		rules&RequireCanonicalA != 0 && !IsCanonicalEncoding(A))
}

// RChecks applies the rules that need only the encoding of R: small order,
// as for A, and a canonical encoding unless the rules allow a non-canonical
// one (the cofactorless rule compares R with a canonical encoding, so it
// always requires it).
func RChecks(rules Rules, R []byte) bool {
	return !(rules&RejectSmallOrderR != 0 && IsSmallOrderEncoding(R) ||
		rules&AllowNonCanonicalR == 0 && !IsCanonicalEncoding(R))
}

// cofactorless reports whether the bytes of R are the canonical encoding of
// R' = [s]B - [k]A: crypto/ed25519's comparison, given R decoded from them
// and whether they decoded to a point canonically. A non-canonical or
// undecodable R can never equal an encoding of R'; for the others the
// encoding being injective makes the comparison equivalent to [s]B = R +
// [k]A exactly, which the point layer checks with half-size scalars.
func cofactorless(R *edwards.Point, canonical bool, A *edwards.Point, k, s *edwards25519.Scalar) bool {
	return canonical && edwards.VarTimeCheckCofactorless(R, A, k, s)
}

// CofactoredEquation reports whether [8]([s]B - [k]A - R) is the identity, for
// already-decoded A and R and a canonical s: the ZIP215 check on its own, for
// batch verifiers that decode once and fall back to single checks.
func CofactoredEquation(A *edwards.Point, k, s *edwards25519.Scalar, R *edwards.Point) bool {
	return edwards.VarTimeCheckCofactored(R, A, k, s)
}
