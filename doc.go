// Package ronkms verifies many independent Ed25519 signatures at once.
//
// VerifyBatch and BatchVerifier return one verdict per item, and each verdict
// equals the single verifier of the batch's Mode on that item, for every
// input, crafted ones included:
//
//	ModeStdLib  ed25519.Verify        (crypto/ed25519 rules)
//	ModeStrict  ed25519.VerifyStrict  (ed25519-dalek 2.x verify_strict rules)
//	ModeZIP215  ed25519.VerifyZIP215  (Zcash ZIP-215 rules)
//
// The exact rules of each mode are stated in the documentation of package
// github.com/ronkms/ronkms/ed25519.
//
// # How each mode is batched
//
// ModeStdLib and ModeStrict batches verify every item exactly, on its own. A
// randomized batch equation sum z_i([s_i]B - R_i - [k_i]A_i) = 0 cannot be
// used for these cofactorless rules: it does not see a residue of order 2, 4
// or 8 in an item whenever the random z_i is a multiple of that order, so it
// would accept, with probability up to 1/2, signatures that the single
// verifier rejects. They still share work: items are grouped by key, each
// key is decoded once, and a key with 8 or more items in the batch gets
// precomputed tables, from which R' = [s]B - [k]A is computed for each of
// its items, encoded in batches with one inversion, and compared byte for
// byte with R, exactly as crypto/ed25519 compares.
//
// ModeZIP215 batches use the randomized cofactored equation
//
//	[8]( sum z_i R_i + sum_A (sum z_i k_i) A - [sum z_i s_i] B ) = identity
//
// with independent 128-bit coefficients z_i drawn from crypto/rand for every
// equation, and with the A terms of signatures under the same key bytes
// merged into one. Multiplying by the cofactor makes the equation exact for
// the cofactored rule: a batch containing an invalid item passes with
// probability at most 2^-128. When the equation fails, the batch is halved
// and each half checked again with fresh coefficients (bisection), down to
// single verification at a few items, so one bad signature among n costs
// about 2 log2(n) smaller equations, not n single verifications.
//
// Items whose key or signature has the wrong length, whose s is not
// canonical, or whose points do not decode get a false verdict before any
// equation is formed, so they never affect other items.
//
// # Parallelism
//
// A batch is split over worker goroutines (GOMAXPROCS by default, see
// WithWorkers): per-item modes hand out small blocks of items from a shared
// counter; ZIP215 splits the batch into one contiguous chunk per worker, each
// with its own equation, and no chunk smaller than 16 items.
//
// # Services: micro-batching
//
// A Batcher turns many concurrent single requests into batches: goroutines
// call Batcher.Verify one signature at a time, and a collector flushes a
// batch when TargetBatch requests are queued or the oldest has waited
// MaxWait, whichever comes first, capped at MaxBatch (defaults 64, 256 and
// 500µs, the original playbook's heuristic). By default GOMAXPROCS batches
// verify side by side, one worker each, while the next one forms, and the
// MaxWait deadline is kept to tens of microseconds (a runtime timer would
// round it up to a millisecond on an idle process; see BatcherConfig). On
// Linux each verifier pins its thread to a CPU of its own while it verifies
// a batch, so that two batches never share a CPU while another idles
// (BatcherConfig.NoPinning turns this off). Verdicts are those of the
// single verifier of the Batcher's mode. The queue is bounded (MaxQueue):
// a full queue returns ErrOverloaded, or waits with BlockWhenFull; a caller
// whose context ends gets ctx.Err() without delaying anyone; Close answers
// every accepted request before it returns. An Observer receives counts,
// latencies, batch sizes and queue waits; package metrics/prom exports them
// to Prometheus, so this package has no Prometheus dependency.
package ronkms
