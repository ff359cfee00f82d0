// Package server is the HTTP verification service of "ronkms serve": the
// handlers, the JSON and binary codecs, and the metrics. The command
// (cmd/ronkms/serve.go) adds the flags, the listener and the signals.
//
// # Endpoints
//
//	POST /v1/verify        one signature, JSON in and out
//	POST /v1/verify/batch  many signatures: JSON, or the binary form below
//	GET  /metrics          Prometheus text exposition format
//	GET  /healthz          200 "ok" while the service accepts requests
//
// /v1/verify takes {"key": K, "msg": M, "sig": S, "rules": "strict"}: K, M
// and S in standard base64 with padding (RFC 4648 section 4, the encoding of
// []byte in encoding/json); key and sig must decode to 32 and 64 bytes, msg
// may be "" but must be present; rules is optional: the name of a preset of
// package ed25519 (stdlib, strict, zip215, libsodium, fips186-5,
// voi-default, oasis) or rules joined by "+" (ed25519.ParseRules), absent or
// "" for the server's default; "mode" is accepted as its former name (not
// both). Rules the server does not serve (Config.Rules) are a 400. It
// answers {"valid": true} or {"valid": false}.
//
// /v1/verify/batch takes {"rules": "strict", "items": [{"key": K, "msg": M,
// "sig": S}, ...]} and answers {"valid": [true, false, ...], "all_valid":
// false}, one verdict per item, in order. An empty items array answers
// {"valid": [], "all_valid": true}. Unknown fields are errors in both.
//
// Any Content-Type other than application/x-ronkms-batch is read as JSON, so
// that curl -d works without -H.
//
// # Binary batch form
//
// A POST to /v1/verify/batch with Content-Type application/x-ronkms-batch
// carries, with every integer unsigned big-endian:
//
//	1 byte   rules: 0 = the server's default, 1 = stdlib, 2 = strict,
//	         3 = zip215, 0x80 | r = the rules r (ed25519.Rules, valid)
//	4 bytes  n, the number of items (at most the server's item limit)
//	n items, each:
//	  4 bytes   L, the message length
//	  32 bytes  public key
//	  64 bytes  signature
//	  L bytes   message
//
// The body must end exactly after the n-th item. The answer (200, Content-Type
// application/x-ronkms-batch-result) is n bytes: byte i is 1 if item i is
// valid, 0 if not.
//
// # Errors
//
// Every error answer has a JSON body {"error": "what was wrong"}:
//
//	400  malformed JSON, bad base64, a key or signature of the wrong length,
//	     unknown or unserved rules, too many items, a truncated or overlong
//	     binary body
//	413  a body over the size limit (Config.MaxBody)
//	503  overloaded (the rule set's queue is full: see Admission), with
//	     Retry-After: 1; no verdict within the per-request time limit
//	     (Config.RequestTimeout), with Retry-After: 1; shutting down
//
// Lengths are checked under every rule set, stdlib included (where ed25519.Verify
// would panic on a 31-byte key). An unknown path is 404 and a wrong method
// 405, with the plain-text bodies of net/http. When the client goes away
// before its verdict, nothing is written.
//
// # Batching and admission
//
// Every verification goes through a Batcher: the Server holds one per rule
// set it serves (Config.Rules, every preset by default), created up front
// with the same configuration and one shared Observer, so that all requests
// under the same rules, single and batch, are verified together in the same
// micro-batches.
//
// The items of a batch request are submitted to the Batcher concurrently, at
// most min(2*MaxBatch, MaxQueue) at a time per request (the window): a large
// request cannot fill the queue by itself, and enough of its items are queued
// to form the next batch while one verifies. The alternative, verifying a
// large request directly with a BatchVerifier, would bypass the shared queue
// bound and run one set of workers per request, oversubscribing the cores
// under concurrent batch requests; the cost of going through the Batcher is a
// goroutine hop per item, about a microsecond against tens of microseconds of
// verification.
//
// Admission: per rule set, the Server admits at most MaxQueue signatures at a
// time, counting 1 for a single request and min(items, window) for a batch
// request, and answers 503 with Retry-After: 1 beyond. A request is thus
// refused whole, before any hashing, rather than failing halfway when the
// Batcher's queue fills, and the Batcher's own ErrOverloaded becomes rare (it
// is answered the same way). With batcher.Config.BlockWhenFull there is no
// admission limit: requests wait for queue space, up to RequestTimeout.
//
// # Metrics
//
// /metrics exposes the metrics of package
// github.com/ronkms/ronkms/metrics/prom (kms_ops_total and the rest), where
// op="verify" counts signatures, one per single request and one per batch
// item, and op="verify_batch" counts batch requests (result "valid" when every
// item is valid). A request answered 400 or 413 counts one
// kms_failures_total{kind="bad_input"} under its op and no operation; a
// request refused admission counts one operation with result "error" and one
// failure of kind "overloaded" under its op (for a batch request, not per
// item).
//
// kms_queue_depth is the sum over the Batchers. On top come
// kms_http_requests_total{handler,code}, kms_http_request_duration_seconds
// {handler}, and the Go runtime and process collectors.
package server
