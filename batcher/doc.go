// Package batcher turns many concurrent single-signature verification
// requests into batches (micro-batching), for services whose hot path is
// one signature per request.
//
// Goroutines call Batcher.Verify one signature at a time; a collector
// flushes a batch when TargetBatch requests are queued or the oldest has
// waited MaxWait, whichever comes first, capped at MaxBatch (defaults 64,
// 256 and 500µs, the original playbook's heuristic). Each verdict equals
// Config.Rules.Verify on the same signature: the batches go through the same
// engine as ronkms.VerifyBatch, which is exact under every rule set.
//
// By default GOMAXPROCS batches verify side by side, one worker each, while
// the next one forms, and the MaxWait deadline is kept to tens of
// microseconds by a timerfd (a runtime timer would round it up to a
// millisecond on an idle process). On Linux each verifier pins its thread to
// a CPU of its own while it verifies a batch, so that two batches never
// share a CPU while another idles (Config.NoPinning turns this off; it needs
// the sched_setaffinity system call, which a seccomp filter must allow).
// Each Batcher keeps the decoded public keys of its batches (Config.KeyCache)
// so that a key seen in one batch is not decoded again in the next.
//
// The queue is bounded (MaxQueue): a full queue returns ErrOverloaded, or
// waits with BlockWhenFull; a caller whose context ends gets ctx.Err()
// without delaying anyone; Close answers every accepted request before it
// returns. An Observer receives counts, latencies, batch sizes and queue
// waits; package github.com/ronkms/ronkms/metrics/prom exports them to
// Prometheus, so this package has no Prometheus dependency.
package batcher
