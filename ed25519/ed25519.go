package ed25519

import (
	"crypto"
	"crypto/ed25519"
	cryptorand "crypto/rand"
	"crypto/sha512"
	"errors"
	"io"
	"strconv"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edverify"
	"github.com/ronkms/ronkms/internal/edwards"
)

const (
	// PublicKeySize is the size, in bytes, of public keys as used in this package.
	PublicKeySize = 32
	// PrivateKeySize is the size, in bytes, of private keys as used in this package.
	PrivateKeySize = 64
	// SignatureSize is the size, in bytes, of signatures generated and verified by this package.
	SignatureSize = 64
	// SeedSize is the size, in bytes, of private key seeds. These are the private key representations used by RFC 8032.
	SeedSize = 32
)

// PublicKey is the type of Ed25519 public keys. It is an alias of
// crypto/ed25519.PublicKey, so keys parsed by crypto/x509 (which returns the
// standard type) can be used here without conversion, and keys from here can
// be marshalled by crypto/x509 and type-asserted by code written for the
// standard package.
type PublicKey = ed25519.PublicKey

// PrivateKey is the type of Ed25519 private keys. It is an alias of
// crypto/ed25519.PrivateKey; see PublicKey. Its methods (Public, Seed, Sign,
// Equal) are therefore those of the standard package: PrivateKey.Sign, the
// crypto.Signer method, signs with crypto/ed25519. The package-level Sign
// function is this package's own implementation.
type PrivateKey = ed25519.PrivateKey

// Options can be used with PrivateKey.Sign or VerifyWithOptions to select
// Ed25519 variants. It is an alias of crypto/ed25519.Options.
type Options = ed25519.Options

// GenerateKey generates a public/private key pair using entropy from random.
//
// If random is nil, crypto/rand.Reader is used.
//
// The output of this function is deterministic, and equivalent to reading
// SeedSize bytes from random, and passing them to NewKeyFromSeed.
func GenerateKey(random io.Reader) (PublicKey, PrivateKey, error) {
	if random == nil {
		random = cryptorand.Reader
	}

	seed := make([]byte, SeedSize)
	if _, err := io.ReadFull(random, seed); err != nil {
		return nil, nil, err
	}

	privateKey := NewKeyFromSeed(seed)
	publicKey := make([]byte, PublicKeySize)
	copy(publicKey, privateKey[32:])

	return publicKey, privateKey, nil
}

// NewKeyFromSeed calculates a private key from a seed. It will panic if
// len(seed) is not SeedSize. This function is provided for interoperability
// with RFC 8032. RFC 8032's private keys correspond to seeds in this
// package.
func NewKeyFromSeed(seed []byte) PrivateKey {
	// Outline the function body so that the returned key can be stack-allocated.
	privateKey := make([]byte, PrivateKeySize)
	newKeyFromSeed(privateKey, seed)
	return privateKey
}

func newKeyFromSeed(privateKey, seed []byte) {
	if l := len(seed); l != SeedSize {
		panic("ed25519: bad seed length: " + strconv.Itoa(l))
	}

	h := sha512.Sum512(seed)
	var s edwards25519.Scalar
	if _, err := s.SetBytesWithClamping(h[:32]); err != nil {
		panic("ed25519: internal error: setting scalar failed")
	}
	// ScalarBaseMult is constant-time: every table lookup reads a whole row
	// and keeps the wanted entry with arithmetic masks, never a secret index.
	var A edwards.Point
	A.ScalarBaseMult(&s)

	var encA [32]byte
	A.BytesInto(&encA)
	copy(privateKey, seed)
	copy(privateKey[32:], encA[:])
}

// Sign signs the message with privateKey and returns a signature. It will
// panic if len(privateKey) is not PrivateKeySize.
func Sign(privateKey PrivateKey, message []byte) []byte {
	// Outline the function body so that the returned signature can be
	// stack-allocated.
	signature := make([]byte, SignatureSize)
	sign(signature, privateKey, message, edverify.DomPrefixPure, "")
	return signature
}

// sign is constant-time in the secret key and the nonce: the scalar
// arithmetic of filippo.io/edwards25519 is constant-time, and
// edwards.ScalarBaseMult reads every entry of each table row it uses and
// keeps the wanted one with masks computed arithmetically from the secret
// digit, then applies the digit's sign with a masked conditional negation:
// no secret-dependent index or branch.
func sign(signature []byte, privateKey PrivateKey, message []byte, domPrefix, context string) {
	if l := len(privateKey); l != PrivateKeySize {
		panic("ed25519: bad private key: ed25519: bad private key length: " + strconv.Itoa(l))
	}
	seed, publicKey := privateKey[:SeedSize], privateKey[SeedSize:]

	h := sha512.Sum512(seed)
	var s edwards25519.Scalar
	if _, err := s.SetBytesWithClamping(h[:32]); err != nil {
		panic("ed25519: internal error: setting scalar failed")
	}
	prefix := h[32:]

	mh := sha512.New()
	if domPrefix != edverify.DomPrefixPure {
		mh.Write([]byte(domPrefix))
		mh.Write([]byte{byte(len(context))})
		mh.Write([]byte(context))
	}
	mh.Write(prefix)
	mh.Write(message)
	var messageDigest [sha512.Size]byte
	mh.Sum(messageDigest[:0])
	var r edwards25519.Scalar
	if _, err := r.SetUniformBytes(messageDigest[:]); err != nil {
		panic("ed25519: internal error: setting scalar failed")
	}

	var R edwards.Point
	R.ScalarBaseMult(&r)
	var encR [32]byte
	R.BytesInto(&encR)

	var k edwards25519.Scalar
	edverify.Challenge(&k, domPrefix, context, encR[:], publicKey, message)

	var S edwards25519.Scalar
	S.MultiplyAdd(&k, &s, &r)

	copy(signature[:32], encR[:])
	copy(signature[32:], S.Bytes())
}

// Verify reports whether sig is a valid signature of message by publicKey. It
// will panic if len(publicKey) is not PublicKeySize.
//
// The inputs are not considered confidential, and may leak through timing side
// channels, or if an attacker has control of part of the inputs.
//
// Verify applies the StdLib rules (see the package documentation): exactly
// those of crypto/ed25519.Verify.
func Verify(publicKey PublicKey, message, sig []byte) bool {
	if l := len(publicKey); l != PublicKeySize {
		panic("ed25519: bad public key length: " + strconv.Itoa(l))
	}
	return edverify.Verify(edverify.StdLib, publicKey, message, sig)
}

// VerifyWithOptions reports whether sig is a valid signature of message by
// publicKey. A valid signature is indicated by returning a nil error. It will
// panic if len(publicKey) is not PublicKeySize.
//
// If opts.Hash is crypto.SHA512, the pre-hashed variant Ed25519ph is used and
// message is expected to be a SHA-512 hash, otherwise opts.Hash must be
// crypto.Hash(0) and the message must not be hashed, as Ed25519 performs two
// passes over messages to be signed.
//
// The inputs are not considered confidential, and may leak through timing side
// channels, or if an attacker has control of part of the inputs.
//
// The rules and the error strings are those of crypto/ed25519.VerifyWithOptions.
func VerifyWithOptions(publicKey PublicKey, message, sig []byte, opts *Options) error {
	if l := len(publicKey); l != PublicKeySize {
		panic("ed25519: bad public key length: " + strconv.Itoa(l))
	}
	var A edwards.Point
	if _, err := A.SetBytes(publicKey); err != nil {
		return errors.New("ed25519: bad public key")
	}
	switch {
	case opts.Hash == crypto.SHA512: // Ed25519ph
		if l := len(message); l != sha512.Size {
			return errors.New("ed25519: bad Ed25519ph message hash length: " + strconv.Itoa(l))
		}
		if l := len(opts.Context); l > 255 {
			return errors.New("ed25519: bad Ed25519ph context length: " + strconv.Itoa(l))
		}
		return verifyWithDom(publicKey, message, sig, edverify.DomPrefixPh, opts.Context)
	case opts.Hash == crypto.Hash(0) && opts.Context != "": // Ed25519ctx
		if l := len(opts.Context); l > 255 {
			return errors.New("ed25519: bad Ed25519ctx context length: " + strconv.Itoa(l))
		}
		return verifyWithDom(publicKey, message, sig, edverify.DomPrefixCtx, opts.Context)
	case opts.Hash == crypto.Hash(0): // Ed25519
		return verifyWithDom(publicKey, message, sig, edverify.DomPrefixPure, "")
	default:
		return errors.New("ed25519: expected opts.Hash zero (unhashed message, for standard Ed25519) or SHA-512 (for Ed25519ph)")
	}
}

var errInvalidSignature = errors.New("ed25519: invalid signature")

func verifyWithDom(publicKey PublicKey, message, sig []byte, domPrefix, context string) error {
	if l := len(sig); l != SignatureSize {
		return errors.New("ed25519: bad signature length: " + strconv.Itoa(l))
	}
	var k edwards25519.Scalar
	edverify.Challenge(&k, domPrefix, context, sig[:32], publicKey, message)
	if !edverify.VerifyWithChallenge(edverify.StdLib, publicKey, sig, &k) {
		return errInvalidSignature
	}
	return nil
}

// VerifyStrict reports whether sig is a valid signature of message by
// publicKey under the Strict rules (see the package documentation): the
// StdLib rules, and in addition neither A nor R may be of small order.
// Unlike Verify it never panics: a public key of the wrong length is a false
// verdict.
func VerifyStrict(publicKey PublicKey, message, sig []byte) bool {
	return edverify.Verify(edverify.Strict, publicKey, message, sig)
}

// VerifyZIP215 reports whether sig is a valid signature of message by
// publicKey under the ZIP215 rules (see the package documentation): A and R
// are decoded, non-canonical encodings and small-order points accepted, and
// the cofactored equation [8][s]B = [8]R + [8][k]A is checked. Unlike Verify
// it never panics: a public key of the wrong length is a false verdict.
func VerifyZIP215(publicKey PublicKey, message, sig []byte) bool {
	return edverify.Verify(edverify.ZIP215, publicKey, message, sig)
}
