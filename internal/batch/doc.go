// Package batch is ronkms's batch verification engine: items and rules in,
// one verdict per item out, each equal to the single verdict of
// edverify.Verify under the same rules.
//
// Its API is Verifier.Verify (with a Config: workers, an optional KeyCache,
// the hot-key threshold for tests), Verifier.Remember (to store a batch's key
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
//  3. The equation, by the rules' equation:
//     cofactored rules: the randomized batch equation below, with
//     bisection; cofactorless rules: every item on its own (hot keys from
//     precomputed tables, the others by decoding R and a half-size
//     equation).
//  4. The verdicts.
//
// # Soundness
//
// Cofactored rules. For the items that pass steps 1 and 2, with independent
// 128-bit coefficients z_i read from crypto/rand for every equation, the
// engine checks
//
//	[8]( sum z_i R_i + sum_A (sum_{i: A_i = A} z_i k_i) A - [sum z_i s_i] B ) = identity.
//
// If every item satisfies the single cofactored equation
// [8]([s_i]B - R_i - [k_i]A_i) = identity, this holds. If one does not, its
// residue after multiplication by 8 is a non-zero point of the prime-order
// subgroup, of order l > 2^252, and for any fixed values of the other
// coefficients at most one value of z_i mod l makes the sum vanish: the
// equation holds with probability at most 2^-128. A failed equation is
// settled by bisection (halves checked with fresh coefficients, down to
// single checks below a few items), so a false item never makes a true one
// false, and every verdict is the single one except with probability at
// most 2^-128 per equation.
//
// Cofactorless rules. A randomized equation is not exact for them: a
// residue of order 2, 4 or 8 vanishes whenever z_i is a multiple of its
// order, with probability up to 1/2, and the single verifier rejects it.
// So these batches verify each item exactly: R' = [s]B - [k]A is computed
// (or [s]B = R + [k]A checked with R decoded) and compared with R exactly as
// the single verifier does. They share the decoding of each key and, for a
// key with many items, its precomputed tables.
package batch
