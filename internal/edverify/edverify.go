// Package edverify holds the single-signature verification rules of the three
// ronkms modes. It is shared by package ed25519 (the public single verifiers)
// and by the root package (batch verification), so that both apply exactly
// the same rules: a batch verdict must equal the single verdict item by item.
//
// Everything here is variable-time: verification inputs are public.
package edverify

import (
	"crypto/sha512"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edwards"
)

// Mode selects the verification rules. The zero value is StdLib.
type Mode int

const (
	// StdLib is crypto/ed25519.Verify: cofactorless equation, R never decoded,
	// the recomputed R' compared byte for byte with R.
	StdLib Mode = iota
	// Strict is ed25519-dalek 2.x verify_strict: StdLib plus the rejection of
	// small-order A and small-order R.
	Strict
	// ZIP215 is Zcash ZIP-215 (ed25519consensus.Verify): A and R decoded with
	// non-canonical encodings accepted, cofactored equation.
	ZIP215
)

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

// Verify applies the rules of mode to one pure Ed25519 signature. It never
// panics: a key or signature of the wrong length is a false verdict.
func Verify(mode Mode, publicKey, message, sig []byte) bool {
	if len(publicKey) != publicKeySize || len(sig) != signatureSize {
		return false
	}
	var k edwards25519.Scalar
	Challenge(&k, DomPrefixPure, "", sig[:32], publicKey, message)
	return VerifyWithChallenge(mode, publicKey, sig, &k)
}

// VerifyWithChallenge applies the rules of mode given k = H(R || A || M) mod l
// (with any dom2 prefix already included). publicKey must be 32 bytes and
// sig 64 bytes; callers check lengths.
func VerifyWithChallenge(mode Mode, publicKey, sig []byte, k *edwards25519.Scalar) bool {
	// s must be canonical (s < l) in every mode.
	var s edwards25519.Scalar
	if _, err := s.SetCanonicalBytes(sig[32:]); err != nil {
		return false
	}
	// A must decode in every mode; y >= p is accepted, as is x = 0 with the
	// sign bit set (the decoding of crypto/ed25519). R is decoded with it,
	// the two exponentiations sharing one vector exponentiation where the
	// point layer has one (edwards.DecodeSignaturePoints).
	R := sig[:32]
	var A, Rp edwards.Point
	rCanonical, rOK, aOK := edwards.DecodeSignaturePoints(&Rp, &A, R, publicKey)
	if !aOK {
		return false
	}

	switch mode {
	case StdLib:
		return cofactorless(&Rp, rCanonical && rOK, &A, k, &s)
	case Strict:
		// Small-order A or R is rejected. R must also decode; the
		// cofactorless check requires R to be the canonical encoding of
		// [s]B - [k]A, which implies it, and the byte test catches a
		// small-order R in any of its 14 encodings.
		if IsSmallOrderEncoding(R) || A.IsSmallOrder() {
			return false
		}
		return cofactorless(&Rp, rCanonical && rOK, &A, k, &s)
	case ZIP215:
		// Any encoding of R that decodes is accepted.
		return rOK && edwards.VarTimeCheckCofactored(&Rp, &A, k, &s)
	}
	return false
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
