// Package batcher turns many concurrent single-signature verification
// requests into batches (micro-batching), for services whose hot path is
// one signature per request.
//
// Goroutines call Batcher.Verify one signature at a time. By default
// (Config.Policy PolicyNatural) the Batcher batches naturally: no request
// waits for company. A verifier that is free takes whatever is queued, up
// to MaxBatch (default 256), at once; batches form only from the requests
// that arrive while every verifier is busy, so they grow with the load,
// from one request under light load to MaxBatch, where they verify fastest
// per signature, when the verifiers cannot keep up. A lone request, one
// that arrives while no other Verify call is in progress (and a verifier
// is free), is verified at once on the calling goroutine, so it costs
// about what the single verifier does.
//
// PolicyWindow, the batching window of earlier versions, holds a batch
// until TargetBatch requests are queued or the oldest has waited MaxWait,
// whichever comes first (defaults 64 and 500µs, the original playbook's
// heuristic), even while a verifier is free: it spends latency under light
// load on fewer, larger batches, which cost less CPU time per signature. A
// Config that sets TargetBatch or MaxWait without a Policy gets it, as
// before. Its deadline is kept to tens of microseconds by a timerfd (a
// runtime timer would round it up to a millisecond on an idle process).
//
// Each verdict equals Config.Rules.Verify on the same signature: the
// batches go through the same engine as ronkms.VerifyBatch, which is exact
// under every rule set (a lone request goes through the engine too, or
// under cofactorless rules through the single verifier).
//
// By default GOMAXPROCS verifications run side by side, one worker each,
// while the next batch forms. On Linux each verifier pins its thread to a
// CPU of its own while it verifies a batch of some size, so that two
// batches never share a CPU while another idles (Config.NoPinning turns
// this off; it needs the sched_setaffinity system call, which a seccomp
// filter must allow). Each Batcher keeps the decoded public keys of its
// batches (Config.KeyCache) so that a key seen in one batch is not decoded
// again in the next.
//
// The queue is bounded (MaxQueue): a full queue returns ErrOverloaded, or
// waits with BlockWhenFull; a caller whose context ends gets ctx.Err()
// without delaying anyone; Close answers every accepted request before it
// returns. An Observer receives counts, latencies, batch sizes and queue
// waits; package github.com/ronkms/ronkms/metrics/prom exports them to
// Prometheus, so this package has no Prometheus dependency.
package batcher
