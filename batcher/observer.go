package batcher

import (
	"context"
	"errors"
	"time"

	"github.com/ronkms/ronkms/ed25519"
)

// Operation names, the op label of metrics.
const (
	// OpVerify is one signature verified on its own request: a
	// Batcher.Verify call, or a service's single-verify request.
	OpVerify = "verify"
	// OpVerifyBatch is one caller-formed batch verified as a unit (a
	// VerifyBatch call on behalf of a service's batch request). A Batcher
	// never reports it: the batches a Batcher forms itself are reported
	// through ObserveBatch.
	OpVerifyBatch = "verify_batch"
)

// Failure kinds, the kind label of failure metrics.
const (
	// FailureOverloaded: the Batcher's queue was full (ErrOverloaded).
	FailureOverloaded = "overloaded"
	// FailureCanceled: the caller's context was canceled before its verdict.
	FailureCanceled = "canceled"
	// FailureDeadline: the caller's context deadline passed before its
	// verdict.
	FailureDeadline = "deadline_exceeded"
	// FailureClosed: the Batcher was closed (ErrClosed).
	FailureClosed = "closed"
	// FailureBadInput: the key or the signature had the wrong length. This
	// is not an error result: the verdict is false (result "invalid"), as
	// the single verifiers say; it is counted as a failure as well so that
	// malformed traffic can be told apart from signatures that do not
	// verify. A service also reports it for requests it cannot decode.
	FailureBadInput = "bad_input"
	// FailureOther: any other error.
	FailureOther = "other"
)

// VerifyResult is the outcome of one operation, the result label of metrics.
type VerifyResult int

const (
	// ResultValid: the operation returned a true verdict (for
	// OpVerifyBatch: every item was valid).
	ResultValid VerifyResult = iota
	// ResultInvalid: the operation returned a false verdict (for
	// OpVerifyBatch: at least one item was invalid).
	ResultInvalid
	// ResultError: the operation returned an error and no verdict.
	ResultError
)

// String returns "valid", "invalid" or "error".
func (r VerifyResult) String() string {
	switch r {
	case ResultValid:
		return "valid"
	case ResultInvalid:
		return "invalid"
	case ResultError:
		return "error"
	}
	return "unknown"
}

// BatchStats describes one batch a Batcher verified. Fields may be added.
type BatchStats struct {
	// Rules are the Batcher's verification rules.
	Rules ed25519.Rules
	// Size is the number of signatures verified in the batch, between 1 and
	// MaxBatch. Requests whose context had ended when the batch started are
	// not verified and not counted here; Dropped counts them.
	Size int
	// Dropped is the number of requests removed from the batch because
	// their context had ended before verification started.
	Dropped int
	// OldestWait is how long the oldest verified request of the batch spent
	// between entering the queue and the start of the batch's verification:
	// the longest queue wait of any member. It is 0 for a lone request
	// verified on its caller's goroutine, which never enters the queue.
	// Under PolicyNatural it is the wait for a free verifier; under
	// PolicyWindow MaxWait bounds it while the verifiers keep up with the
	// offered load.
	OldestWait time.Duration
	// Duration is the verification time of the batch.
	Duration time.Duration
}

// An Observer receives measurements from a Batcher (Config.Observer),
// and from services built on this package, for export to a metrics system;
// package github.com/ronkms/ronkms/metrics/prom exports them to Prometheus.
//
// Methods are called synchronously on the goroutines doing the work, many of
// them at once: implementations must be safe for concurrent use, cheap (an
// atomic add or a histogram observation) and must never block.
//
// New kinds of measurements will not be added to this interface, which would
// break its implementations. They will get interfaces of their own, which an
// Observer may also implement and which their producers discover with a type
// assertion, as KeyCacheObserver.
type Observer interface {
	// ObserveOp reports one finished operation: op (OpVerify or
	// OpVerifyBatch), the verification rules (the alg label is
	// "ed25519-"+rules.String()), the result, and the latency from the
	// call to its return, queueing included. A Batcher calls it once per
	// Verify call, whatever the outcome.
	ObserveOp(op string, rules ed25519.Rules, result VerifyResult, latency time.Duration)
	// ObserveFailure reports one failure of op, of the given kind
	// (FailureOverloaded, FailureCanceled, FailureDeadline, FailureClosed,
	// FailureBadInput, FailureOther). Every ResultError operation reports
	// exactly one failure; so does every FailureBadInput verdict.
	ObserveFailure(op, kind string)
	// ObserveBatch reports one batch formed and verified by a Batcher,
	// after its callers have been sent their verdicts, from the verifier
	// goroutine that verified it; a lone request that PolicyNatural
	// verified on its caller's goroutine is reported as a batch of one by
	// its caller, before Verify returns. The verifier, and with it one of
	// the Config.Pipeline verifications the Batcher runs at once, is busy
	// until ObserveBatch returns.
	ObserveBatch(stats BatchStats)
	// ObserveQueueDepth reports the number of requests a Batcher has
	// accepted and not yet handed to a verifier (queued or in the batch
	// being formed; a lone request verified on its caller's goroutine is
	// never counted). It is sampled by the Batcher's collector goroutine whenever
	// it takes a request while a batch is forming and around each hand-off
	// to a verifier, so successive values arrive in order; it is 0 once the
	// Batcher is idle or closed.
	ObserveQueueDepth(depth int)
}

// FailureKind returns the failure kind of an error returned by
// Batcher.Verify (or a wrapper of it): FailureOverloaded, FailureClosed,
// FailureCanceled, FailureDeadline, or FailureOther. It returns "" for nil.
func FailureKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrOverloaded):
		return FailureOverloaded
	case errors.Is(err, ErrClosed):
		return FailureClosed
	case errors.Is(err, context.DeadlineExceeded):
		return FailureDeadline
	case errors.Is(err, context.Canceled):
		return FailureCanceled
	}
	return FailureOther
}

// nopObserver is the Observer of a Batcher configured without one.
type nopObserver struct{}

func (nopObserver) ObserveOp(string, ed25519.Rules, VerifyResult, time.Duration) {}
func (nopObserver) ObserveFailure(string, string)                                {}
func (nopObserver) ObserveBatch(BatchStats)                                      {}
func (nopObserver) ObserveQueueDepth(int)                                        {}

// A KeyCacheObserver is an Observer that also receives the measurements of
// a Batcher's key cache (Config.KeyCache). New looks for it with a type
// assertion on Config.Observer. As for Observer, the
// method is called by many goroutines at once and must be cheap and never
// block.
type KeyCacheObserver interface {
	// ObserveKeyCache reports one batch's use of the key cache of a
	// Batcher with the given rules, right before ObserveBatch (for every
	// batch but a lone request that PolicyNatural verified on its caller's
	// goroutine under cofactorless rules, without the cache): hits and
	// misses count the distinct keys of the batch's signatures that passed
	// the byte-level checks (lengths, s < l, the rules on the encodings of
	// A and R) that the cache had decoded already and those it had not,
	// and size is the cache's number of entries after the batch. The hit
	// rate is hits over hits plus misses. With Pipeline above 1 the
	// verifiers report concurrently, so a report of size may arrive after
	// a newer one.
	ObserveKeyCache(rules ed25519.Rules, hits, misses, size int)
}
