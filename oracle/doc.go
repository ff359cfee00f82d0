// Package oracle tests ronkms's verdicts, single and batch, under every
// combination of the five ed25519.Rules choices, against Ed25519 verifiers
// that are not ronkms's own: curve25519-voi
// (github.com/oasisprotocol/curve25519-voi v0.0.0-20230904125328-1f23a7beb09a,
// VerifyWithOptions), ed25519consensus
// (github.com/hdevalence/ed25519consensus v0.2.0, Verify and BatchVerifier)
// and, in the sub-package oracle/sodium, libsodium's
// crypto_sign_verify_detached through cgo (checked against libsodium
// 1.0.18, Debian 12 1.0.18-1+deb12u1).
//
// The package holds only tests. It is a module of its own
// (github.com/ronkms/ronkms/oracle, with a replace directive to the
// repository root, as bench/peers), so that neither the oracles nor cgo
// enter ronkms's own go.mod; run it with make oracle-test.
//
// The inputs are one corpus (oracle/internal/corpus), deterministic from a
// seed (RONKMS_TEST_SEED replaces it): every small-order point in each of
// its 14 encodings as A and as R, paired with each other and s = 0, with
// honest keys and s = k·a, and with torsioned points; non-canonical
// encodings of small-order and of large-order points; A and R with torsion
// components of order 2, 4 and 8, with residues that cancel in the
// cofactorless equation and residues that do not; s >= l; mutations;
// honest signatures; testgen.Random's mixture; wrong lengths and nil
// slices; and the shared vectors (RFC 8032 sign.input, Wycheproof, the
// ZIP-215 cases), which are skipped, with a log line, when absent, unless
// RONKMS_REQUIRE_VECTORS=1.
//
// The rule choices map onto voi's VerifyOptions as: AllowSmallOrderA = no
// RejectSmallOrderA, AllowSmallOrderR = no RejectSmallOrderR,
// AllowNonCanonicalA = no RequireCanonicalA, AllowNonCanonicalR =
// AllowNonCanonicalR, CofactorlessVerify = no Cofactored (oracle/internal/voiref).
//
// The tests:
//
//   - TestCorpus counts the cases of each kind and of each feature (small
//     order, non-canonical, mixed order, undecodable A or R, s >= l, wrong
//     length, computed from the bytes) and requires each to be present; it
//     requires that the corpus separates the rules: for each choice, cases
//     whose voi verdict changes with that choice alone, on every base rule
//     set where a constructible signature can tell them apart.
//   - TestSharedVectors skips when the shared vectors are absent (fails
//     with RONKMS_REQUIRE_VECTORS=1).
//   - TestVoiSingle: for each of the 32 combinations and every case with a
//     32-byte key and a 64-byte signature, Rules.Verify equals voi's
//     verdict, and so does testgen.Reference, the referee of the main
//     module's tests (as do ed25519.Verify, VerifyStrict and VerifyZIP215
//     under their presets). Under the 8 combinations voi refuses
//     (AllowNonCanonicalR with CofactorlessVerify; it panics), Validate
//     returns an error and every verdict is false. Wrong lengths are false
//     verdicts, never panics.
//   - TestVoiBatch: for each combination, ronkms.VerifyBatch and
//     BatchVerifier with 1, 2 and 4 workers give voi's single verdicts item
//     by item on the whole corpus shuffled and on random sub-batches with
//     repeated keys and mixed verdicts; cofactored batches, which draw
//     random coefficients, run several times; refused combinations give
//     (false, nil).
//   - TestBatcher: a Batcher per preset (Pipeline 2), fed from many
//     goroutines, gives voi's verdicts.
//   - TestConsensusZIP215: ed25519consensus.Verify equals
//     ed25519.ZIP215.Verify and VerifyZIP215 on every case, and voi's
//     ZIP_215 verdict where voi takes the input; its BatchVerifier's one
//     bool equals VerifyBatch(ZIP215)'s allValid.
//   - oracle/sodium's TestLibsodium: libsodium's verdict equals
//     ed25519.Libsodium.Verify and VerifyBatch(ed25519.Libsodium) item by
//     item, and voi's under {F,F,F,F,T}.
//
// Where voi and another reference (ed25519consensus, libsodium) disagree
// on an input, the test fails and prints the input's bytes rather than
// trusting either; from the rules' definitions (ed25519/doc.go) they agree
// on every input for these presets, and they did on every one tested. -short scales down the batch repetitions and sub-batches.
package oracle
