// Package ed25519 implements the Ed25519 signature algorithm (RFC 8032) as a
// drop-in replacement for crypto/ed25519, with two more verifiers that apply
// other widely deployed verification rules.
//
// # Drop-in compatibility
//
// Code written for crypto/ed25519 compiles and behaves identically after
// changing the import path to github.com/ronkms/ronkms/ed25519: the same
// constants, the same functions with the same panics and error strings,
// Ed25519ph and Ed25519ctx through Options, and zero heap allocations in Sign
// and Verify.
//
// PublicKey, PrivateKey and Options are type aliases of the standard
// package's types, not new types. That is what keeps interoperation with the
// rest of the standard library unchanged: crypto/x509 marshals and parses only
// crypto/ed25519 key types, and code that type-asserts a parsed key with
// key.(ed25519.PublicKey) must keep working after the import path changes.
// The consequence is that methods on keys are the standard package's own:
// PrivateKey.Sign (the crypto.Signer method, also used for Ed25519ph and
// Ed25519ctx signing) signs with crypto/ed25519. The package-level functions
// GenerateKey, NewKeyFromSeed, Sign, Verify, VerifyWithOptions, VerifyStrict
// and VerifyZIP215 are this package's own implementations.
//
// One visible effect of the aliases: the Go compiler (1.26) does not inline a
// method of an aliased type into a package that does not itself import the
// defining package (golang/go#74783). In a program that imports only this
// package, priv.Public() is therefore a real call and allocates the returned
// key. Sign and Verify allocate nothing either way.
//
// # Verification rules
//
// Every verifier first requires a 32-byte public key and a 64-byte signature
// R || s, and requires s to be canonical: s < l, where
// l = 2^252 + 27742317777372353535851937790883648493 is the order of the
// base point B. The challenge is k = SHA-512(dom || R || A || M) mod l, where
// R and A are hashed exactly as given (never re-encoded) and dom is empty for
// pure Ed25519 (RFC 8032 dom2 for Ed25519ph and Ed25519ctx). A must decode to
// a point on the curve; decoding accepts a non-canonical y (y >= p) and
// x = 0 with the sign bit set (which decodes to x = 0), as crypto/ed25519
// does. The three rule sets then differ:
//
// StdLib (Verify, VerifyWithOptions): exactly crypto/ed25519. R is never
// decoded: R' = [s]B - [k]A is computed and its canonical encoding compared
// byte for byte with R (so a non-canonical R never verifies). Small-order A
// and R are accepted. The equation is cofactorless.
//
// Strict (VerifyStrict): the rules of ed25519-dalek 2.x verify_strict. All of
// StdLib, and in addition A must not be of small order and R must not be of
// small order ([8]P = identity), whether encoded canonically or not. R must
// decode; because the comparison is byte for byte with the canonical encoding
// of R', a non-canonical R fails.
//
// ZIP215 (VerifyZIP215): the rules of Zcash ZIP-215, as implemented by
// github.com/hdevalence/ed25519consensus. A and R are both decoded, with
// non-canonical encodings accepted; small-order points are accepted; the
// equation is cofactored: [8][s]B = [8]R + [8][k]A. This is the rule set under
// which batch verification is exactly equivalent to single verification.
//
// VerifyStrict and VerifyZIP215 verify pure Ed25519 only, and unlike Verify
// they never panic: a public key or signature of the wrong length, or a nil
// slice, is a false verdict.
//
// # Timing
//
// Signing is constant-time with respect to the private key and the nonce.
// Verification is variable-time: its inputs are public.
package ed25519
