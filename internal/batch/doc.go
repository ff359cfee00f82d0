// Package batch is ronkms's batch verification engine: items and rules in,
// one verdict per item out, each equal to the single verdict of
// edverify.Verify under the same rules.
//
// Its API is Verifier.Verify (with a Config: workers and an optional
// KeyCache), Verifier.Remember (to store a batch's key
// decodings in the cache after the verdicts are out) and Item (Set, or
// SetDeferred to leave the hashing to the workers). The root package's
// VerifyBatch and BatchVerifier and the batcher package's Batcher are thin
// layers over it.
//
// # The flow of an item
//
//  1. Byte-level checks (scratch.screen): lengths; s < l; the rules on the
//     encoding of R (small order, canonical) per item and on the encoding
//     of A (small order, canonical) once per distinct key. An item that
//     fails gets a false verdict here and takes no further part.
//  2. Grouping by key, in the same pass: one batchKey per distinct 32-byte
//     key, decoded once, by the first worker that needs it, unless the
//     KeyCache has it.
//  3. R decoded (four at a time); under cofactorless rules, R and A tested
//     for membership in the prime-order subgroup (four at a time, A once
//     per key and kept in the KeyCache if there is one): an item whose R or A has a torsion
//     component gets the exact cofactorless check on its own here.
//  4. The randomized batch equation over the rest, with bisection.
//  5. The verdicts.
//
// # Soundness
//
// For the items that reach step 4, with independent 128-bit coefficients
// z_i read from crypto/rand for every equation, the engine checks
//
//	[8]( sum z_i R_i + sum_A (sum_{i: A_i = A} z_i k_i) A - [sum z_i s_i] B ) = identity.
//
// Cofactored rules. If every item satisfies the single cofactored equation
// [8]([s_i]B - R_i - [k_i]A_i) = identity, this holds. If one does not, its
// residue after multiplication by 8 is a non-zero point of the prime-order
// subgroup, of order l > 2^252, and for any fixed values of the other
// coefficients at most one value of z_i mod l makes the sum vanish: the
// equation holds with probability at most 2^-128.
//
// Cofactorless rules. A randomized equation alone is not exact for them: a
// residue of order 2, 4 or 8 vanishes whenever z_i is a multiple of its
// order, with probability up to 1/2, where the single verifier rejects. But
// the group of edwards25519 is cyclic of order 8l, so if R_i and A_i lie in
// the prime-order subgroup (step 3), so does the residue
// D_i = [s_i]B - R_i - [k_i]A_i, and then [8]D_i = 0 exactly when D_i = 0,
// which (R_i being canonical, step 1) is exactly the single verifier's
// check that R_i is the encoding of [s_i]B - [k_i]A_i. The equation over
// such items is therefore the cofactored one above, with the same bound:
// every verdict is the single one except with probability at most 2^-128
// per equation. Items with torsion never enter it; they are checked
// exactly, on their own.
//
// A failed equation is settled by bisection (halves checked with fresh
// coefficients, down to single checks below a few items), so a false item
// never makes a true one false. The membership test is
// edwards.VarTimeIsTorsionFree (two exponentiations, four points sharing
// each in lane form).
//
// # Workers
//
// A Verify with several workers runs on the caller's goroutine and helper
// goroutines that stay up to 200 microseconds after it (at most half its
// duration), polling for the next Verify of the same Verifier (helpers.go):
// on virtual machines an idle core takes about 100 microseconds to start a
// new goroutine.
package batch
