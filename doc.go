// Package ronkms verifies many independent Ed25519 signatures at once, with
// one exact verdict per signature, under any of the rule sets of package
// ed25519.
//
// VerifyBatch and BatchVerifier take an ed25519.Rules value (a preset such
// as ed25519.StdLib, ed25519.Strict, ed25519.ZIP215 or ed25519.Libsodium, or
// any valid combination of the five rules) and return one verdict per item;
// each verdict equals rules.Verify on that item, for every input, crafted
// ones included. The rules are stated in the documentation of package
// github.com/ronkms/ronkms/ed25519.
//
// # How each rule set is batched
//
// Every rule set uses the randomized batch equation
//
//	[8]( sum z_i R_i + sum_A (sum z_i k_i) A - [sum z_i s_i] B ) = identity
//
// with independent 128-bit coefficients z_i drawn from crypto/rand for every
// equation, and with the A terms of signatures under the same key bytes
// merged into one. A batch containing an invalid item passes with
// probability at most 2^-128. When the equation fails, the batch is halved
// and each half checked again with fresh coefficients (bisection), down to
// single verification at a few items, so one bad signature among n costs
// about 2 log2(n) smaller equations, not n single verifications.
//
// For cofactored rule sets (ZIP215, FIPS186_5, VoiDefault, Oasis, and every
// set with ed25519.Cofactored) that is exact by itself. For cofactorless
// ones (StdLib, Strict, Libsodium, and every set without
// ed25519.Cofactored) the equation alone would not see a residue of order
// 2, 4 or 8 whenever a coefficient is a multiple of its order, and would
// accept, with probability up to 1/2, signatures the single verifier
// rejects. So each R, and each key once, is first tested for membership in
// the prime-order subgroup (two exponentiations); an item whose R or A has
// a torsion component is verified exactly on its own, and the others, whose
// residues then lie in the prime-order subgroup where the equation is
// exact, go into the equation. The argument is spelled out in the
// documentation of the engine, internal/batch.
//
// In every rule set, the checks that need only bytes come first: lengths,
// s < l, and the rules on the encodings of A and R. An item that fails them
// gets a false verdict before any equation is formed, so it never affects
// other items.
//
// # Parallelism
//
// A batch is shared by worker goroutines (GOMAXPROCS by default, see
// WithWorkers; no more workers than one per 16 items): they take the items
// in blocks as they come free, decode and test them, and share the one
// multiscalar multiplication of the batch equation. If it fails, each
// worker narrows down the bad items among those it took.
//
// The extra workers of a BatchVerifier (and of each VerifyBatch call's
// pooled memory) stay after Verify returns, polling for the next batch, for
// 200 microseconds or half the batch's duration if that is shorter, then
// exit: a batch that follows within that time starts on all its cores at
// once instead of waiting for an idle core to wake up, which on virtual
// machines takes about 100 microseconds. The cost is at most that much CPU
// time on each extra worker's core after a parallel batch that nothing
// follows. With one worker, or fewer than 32 items (16 per worker at
// least), nothing is started or kept.
//
// # Known keys
//
// A KeyCache (WithKeyCache) keeps the decoded keys, and their subgroup
// tests, from one batch to the next, for callers whose signatures come from
// a known set of signers; verdicts are the same with or without it.
//
// # Services
//
// Package github.com/ronkms/ronkms/batcher turns many concurrent single
// requests into batches (micro-batching), with the same verdicts.
//
// # Migration from the three modes
//
// Mode, ModeStdLib, ModeStrict, ModeZIP215 and ParseMode are deprecated
// names of ed25519.Rules, ed25519.StdLib, ed25519.Strict, ed25519.ZIP215 and
// ed25519.ParseRules; their rules are unchanged.
package ronkms
