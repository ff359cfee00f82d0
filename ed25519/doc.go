// Package ed25519 implements the Ed25519 signature algorithm (RFC 8032) as a
// drop-in replacement for crypto/ed25519, and verifies signatures under any
// of the rule sets deployed in the field, given as a Rules value.
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
// a point on the curve; decoding accepts a non-canonical y (y >= p, taken
// mod p) and x = 0 with the sign bit set (decoded as x = 0), as
// crypto/ed25519 does.
//
// Beyond that, deployed systems differ in five independent choices, the
// flags of Rules; the zero Rules, StdLib, are the rules of
// crypto/ed25519.Verify:
//
//   - RejectSmallOrderA: A of small order ([8]A is the identity) is
//     rejected. Small order is judged on the point: the 14 encodings (8
//     canonical, 6 not) of the 8 points of order 1, 2, 4 and 8 are all
//     rejected.
//   - RejectSmallOrderR: the same for R.
//   - RequireCanonicalA: A's encoding must be canonical: y < p, and not
//     x = 0 with the sign bit set (the notion of RFC 8032 and of
//     curve25519-voi; a canonical encoding is one that decoding and encoding
//     give back).
//   - AllowNonCanonicalR: R's encoding may be non-canonical (it is decoded
//     as above). Without it R must be canonical. Valid only with Cofactored.
//   - Cofactored: R is decoded and the equation is [8][s]B = [8]R + [8][k]A.
//     Without it (cofactorless, the default) the canonical encoding of
//     [s]B - [k]A is compared with R byte for byte, crypto/ed25519's check,
//     under which an undecodable or non-canonical R never verifies.
//
// The presets, each checked against the implementation named (see below),
// with the systems known to use each (read from their sources, 2026-12):
//
//	preset      small-order A  small-order R  non-canonical A  non-canonical R  equation      reference
//	StdLib      accepted       accepted       accepted         rejected         cofactorless  crypto/ed25519.Verify; curve25519-voi VerifyOptionsStdLib
//	Strict      rejected       rejected       accepted         rejected         cofactorless  ed25519-dalek 2.x verify_strict
//	ZIP215      accepted       accepted       accepted         accepted         cofactored    ed25519consensus.Verify; voi VerifyOptionsZIP_215
//	Libsodium   rejected       rejected       rejected         rejected         cofactorless  libsodium 1.0.18 crypto_sign_verify_detached
//	FIPS186_5   accepted       accepted       rejected         rejected         cofactored    voi VerifyOptionsFIPS_186_5 (RFC 8032 5.1.7, cofactored)
//	VoiDefault  rejected       accepted       rejected         rejected         cofactored    voi VerifyOptionsDefault
//	Oasis       rejected       rejected       accepted         accepted         cofactored    voi with Oasis Core's options (ADR 0009)
//
// Who uses which: StdLib is Go's crypto/ed25519 and everything built on it
// (go-libp2p, sigstore, Stellar, Hedera, solana-go, CometBFT up to v0.37).
// Strict is ed25519-dalek 2.x's verify_strict, which Solana's Go validator
// mithril follows today (its library's "DalekStrict" profile). ZIP215 is
// Zcash, CometBFT from v0.38, the Cosmos SDK, Tailscale's tka and Avalanche's
// HyperSDK. Libsodium is crypto_sign_verify_detached of libsodium's releases
// (up to 1.0.22) and the voi options Solana's Go validator mithril used for
// its Ed25519 precompile in 2024. VoiDefault is also go-algorand's rules (its
// libsodium fork's verify and its batch paths). Oasis is the Oasis Network
// (which in addition rejects a fixed list of keys, outside these rules).
// Solana's proposal SIMD-0376, in its text of 2026-12, is the strictest
// cofactored set, Cofactored | RejectSmallOrderA | RejectSmallOrderR |
// RequireCanonicalA, which has no preset of its own while it is a proposal.
//
// Where sources differ. Strict accepts a non-canonical encoding of A, as
// ed25519-dalek 2.x does (it decodes A permissively and never re-checks its
// encoding), while the voi options mithril used in 2024 to emulate it,
// {AllowSmallOrderA: false, AllowSmallOrderR: false, CofactorlessVerify:
// true}, reject it: those options are the Libsodium preset, not dalek's
// rules. The two differ only on keys whose encoding is non-canonical and
// that are not of small order, a point with y in 0..18 whose discrete
// logarithm nobody knows, so no valid signature separates them; we follow
// dalek, the rules' definition. libsodium's own canonicity test looks only
// at y < p, not at the sign bit of x = 0; it still agrees with voi's
// notion (and RequireCanonicalA) on every input because both encodings with
// x = 0 are of small order, which libsodium rejects.
//
// Not offered: ed25519-dalek 1.x's verify_strict (which Solana's Agave used
// until 2026-08) and Firedancer compare R with [s]B - [k]A as decoded points
// without the cofactor, so they accept a non-canonical R under the
// cofactorless equation. That is AllowNonCanonicalR without Cofactored, a
// combination curve25519-voi refuses ("incompatible verification options")
// and Validate rejects here as well; under such invalid Rules nothing
// verifies.
//
// Verify, VerifyStrict and VerifyZIP215 are StdLib.Verify, Strict.Verify and
// ZIP215.Verify, except that Verify panics on a public key of the wrong
// length, as crypto/ed25519 does; Rules.Verify never panics: a public key
// or signature of the wrong length, or a nil slice, is a false verdict.
// VerifyWithOptions (Ed25519ph and Ed25519ctx) applies StdLib.
//
// # Known keys
//
// A verifier that checks many signatures under a few keys (a token
// issuer's, a peer's) can decode each key once: NewVerifyingKey keeps the
// decoded point and the multiples of it that the verification equation
// uses, and VerifyingKey.Verify and VerifyWithRules give exactly the
// verdicts of Verify and Rules.Verify with that key, about a quarter faster
// on the AVX2 path and a tenth in generic code (with AVX-512 IFMA the gain
// is within measurement noise: the key's decoding already shares a vector
// exponentiation with R's there). NewVerifyingKey
// refuses only keys under which nothing verifies (wrong length, not a
// point); the rules judge the others at each verification. A VerifyingKey
// verifies pure Ed25519 signatures; Ed25519ph and Ed25519ctx go through
// VerifyWithOptions.
//
// # How the rules are checked
//
// The oracle tests (the module in the repository's oracle directory) compare
// Rules.Verify, batch verification and the micro-batcher under each of the
// 32 combinations with curve25519-voi's VerifyWithOptions given the same
// five options, on crafted inputs (every small-order point in every
// encoding as A and as R, non-canonical A and R, mixed-order A and R with
// cancelling and non-cancelling torsion residues, s >= l, mutated
// signatures, the public test vectors); ZIP215 with ed25519consensus;
// Libsodium with libsodium itself, through cgo.
//
// # Timing
//
// Signing is constant-time with respect to the private key and the nonce.
// Verification is variable-time: its inputs are public.
package ed25519
