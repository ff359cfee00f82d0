// Package prom exports the measurements of ronkms's micro-batcher (a
// batcher.Observer) as Prometheus metrics, with
// github.com/prometheus/client_golang. The library's packages do not depend
// on Prometheus; a service that wants metrics passes an Observer of this
// package to batcher.New and serves the registry with promhttp.
//
//	reg := prometheus.NewRegistry()
//	obs, err := prom.NewObserver(reg)
//	...
//	b, err := batcher.New(batcher.Config{Rules: ed25519.ZIP215, Observer: obs})
//	...
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// # Metrics
//
//	kms_ops_total{op,alg,result}        counter
//	kms_failures_total{op,kind}         counter
//	kms_op_latency_seconds{op}          histogram
//	kms_batch_size                      histogram
//	kms_batch_wait_seconds              histogram
//	kms_queue_depth                     gauge
//	kms_key_cache_lookups_total{alg,result} counter
//	kms_key_cache_size{alg}             gauge
//
// kms_ops_total counts finished operations. op is "verify" (one signature:
// one Batcher.Verify call) or "verify_batch" (one caller-formed batch, for a
// service's batch endpoint); alg is "ed25519-" followed by the name of the
// rules (ed25519.Rules.String: ed25519-stdlib, ed25519-strict,
// ed25519-zip215, ed25519-libsodium, ed25519-fips186-5,
// ed25519-voi-default, ed25519-oasis, or a combination such as
// ed25519-cofactored+reject-small-order-r); result is "valid" or
// "invalid" for a verdict and "error" when the operation returned an error
// instead.
//
// kms_failures_total counts failures by op and kind: "overloaded" (queue
// full), "canceled" and "deadline_exceeded" (the caller's context ended
// first), "closed" (the Batcher was closed) and "other" are operations with
// result "error", one failure each. "bad_input" is not an error. A Batcher
// reports it for a Verify call with a key or signature of the wrong length,
// which returns a false verdict: that call counts one bad_input failure and
// one operation with result "invalid" both, so that
// kms_ops_total{result="invalid"} includes the Batcher's bad_input
// failures. A service
// may also report bad_input, through the same Observer, for a request it
// refuses before any verdict (one it cannot decode); such a failure comes
// with no operation: no kms_ops_total series counts it. The service of
// "ronkms serve" does so for its 400, 413 and 415 answers, and refuses a
// key or signature of the wrong length that way, before any Batcher sees
// it: its bad_input failures never count under result "invalid" (see its
// documentation, package internal/server).
//
// kms_op_latency_seconds is the time from an operation's call to its return,
// queueing included, by op, for every result. Its buckets, and those of
// kms_batch_wait_seconds, go in 1-2.5-5 steps from 5µs to 1s.
//
// kms_batch_size is the number of signatures in each batch the Batcher
// verified (requests whose context ended before their batch started are not
// verified and not counted), with power-of-two buckets from 1 to 1024.
//
// kms_batch_wait_seconds is, per batch, the queue time of its oldest
// request: from entering the queue to the start of the batch's verification.
// Under natural batching (the default) it is the time the batch waited for
// a free verifier (0 for a lone request verified at once); under the window
// policy batcher.Config.MaxWait bounds it while the verifiers keep up, and it
// grows past MaxWait when batches queue for a verifier.
//
// kms_queue_depth is the number of requests the Batcher has accepted and not
// yet handed to a verifier, sampled by its collector whenever a batch starts
// forming and around each hand-off.
//
// Every series of the known label values (the ops, the kinds, and the
// presets of package ed25519 as alg) exists from the start, at zero; other
// rules get their series when first observed.
//
// kms_key_cache_lookups_total counts, per batch, the distinct public keys of
// its signatures that passed the byte-level checks (lengths, s < l, the
// rules on the encodings of A and R), which the Batcher looked up in its key
// cache (batcher.Config.KeyCache),
// by alg and result: "hit" (decoded in an earlier batch) or "miss". The hit
// rate over a window is
//
//	rate(kms_key_cache_lookups_total{result="hit"}[5m]) / rate(kms_key_cache_lookups_total[5m])
//
// A key whose signatures all failed those checks is not looked up and
// counts neither way. kms_key_cache_size is the number of
// decoded keys the cache of the Batcher of alg holds, after one of its
// latest batches (verifiers report concurrently). Observer implements
// batcher.KeyCacheObserver for these two.
package prom
