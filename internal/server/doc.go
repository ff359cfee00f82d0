// Package server is the HTTP verification service of "ronkms serve": the
// handlers, the JSON and binary codecs, and the metrics. The command
// (cmd/ronkms/serve.go) adds the flags, the listener and the signals.
//
// # Endpoints
//
//	POST /v1/verify        one signature, JSON in and out
//	POST /v1/verify/batch  1 to Config.MaxItems signatures: JSON, or the binary form below
//	GET  /metrics          Prometheus text exposition format
//	GET  /healthz          200 "ok" while the service accepts requests
//
// HEAD is answered wherever GET is.
//
// /v1/verify takes {"key": K, "msg": M, "sig": S, "rules": "strict"}: K, M
// and S in standard base64 with padding (RFC 4648 section 4, the encoding of
// []byte in encoding/json); key and sig must decode to 32 and 64 bytes, msg
// may be "" but must be present; rules is optional: the name of a preset of
// package ed25519 (stdlib, strict, zip215, libsodium, fips186-5,
// voi-default, oasis) or rules joined by "+" (ed25519.ParseRules), absent,
// null or "" for the server's default; "mode" is accepted as its former name
// (not both). Rules the server does not serve (Config.Rules) are a 400. It
// answers {"valid": true} or {"valid": false}.
//
// /v1/verify/batch takes {"rules": "strict", "items": [{"key": K, "msg": M,
// "sig": S}, ...]} and answers {"valid": [true, false, ...], "all_valid":
// false}, one verdict per item, in order. A batch must have at least one
// item: an empty one (JSON "items": [], binary n = 0) is a 400, not a 200
// whose "all_valid": true a client could take for an accepted submission.
//
// Content-Type: /v1/verify accepts application/json only; /v1/verify/batch
// accepts application/json and application/x-ronkms-batch (the binary
// form). Parameters (charset=utf-8) are allowed and ignored, and the media
// type is compared case-insensitively. Any other Content-Type, or none, is
// a 415 whose Accept header lists the accepted media types (with curl,
// -d needs -H 'Content-Type: application/json': curl -d sends
// application/x-www-form-urlencoded). The media type is checked first,
// before the body is read.
//
// # JSON
//
// The JSON bodies are RFC 8259 JSON, one object and nothing after it but
// white space, in UTF-8. Object keys must be the documented field names,
// exactly (case-sensitively: "KEY" is not "key") and at most once each, in
// the request object and in every item: an unknown, differently cased or
// repeated name is a 400 that names the field and the object
// (`duplicate field "sig" in items[3]`). encoding/json would match names
// case-insensitively and let the last of duplicates win; a request whose
// meaning depends on such a rule, or that another JSON parser reads
// differently, is refused instead. Names are compared after unescaping
// ("k\u0065y" is "key"). null stands for an absent field, and an item null
// for an item with no field (a 400: key missing).
//
// # Lengths
//
// A key or signature of the wrong length is a 400 that names the item
// (`items[2].key: 31 bytes, want 32`), and the whole batch request is
// refused: no item of it is verified. The library's batcher.Batcher.Verify
// gives such an input a false verdict instead, because it takes untyped
// byte slices and owes every caller a verdict; here the lengths are part of
// the wire format (base64 of exactly 32 and 64 bytes; the binary form
// cannot even express another length), so a wrong one means a broken
// client (a truncated copy, hex taken for base64, a key from another
// algorithm), not a forged signature. Answering it "invalid" would report
// that bug as a bad signature, to a client that may act on the verdict, and
// give the JSON form an answer that the binary form cannot have. Lengths are checked under every
// rule set, stdlib included (where ed25519.Verify would panic on a 31-byte
// key).
//
// # Binary batch form
//
// A POST to /v1/verify/batch with Content-Type application/x-ronkms-batch
// carries, with every integer unsigned big-endian:
//
//	1 byte   rules: 0 = the server's default, 1 = stdlib, 2 = strict,
//	         3 = zip215, 0x80 | r = the rules r (ed25519.Rules, valid)
//	4 bytes  n, the number of items (1 to the server's item limit)
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
// Every error answer, 404 and 405 included, has a JSON body {"error": "what
// was wrong"} (Content-Type application/json):
//
//	400  malformed JSON (syntax, a value of the wrong type, an unknown,
//	     differently cased or repeated field name), bad base64, a key or
//	     signature of the wrong length, unknown or unserved rules, an
//	     empty batch, too many items, a truncated or overlong binary body
//	404  a path that is none of the endpoints' (exactly: no redirects, no
//	     trailing slash)
//	405  a method the endpoint does not answer, with an Allow header
//	     (POST, or GET, HEAD)
//	413  a body over the size limit (Config.MaxBody)
//	415  a Content-Type the endpoint does not accept, or none, with an
//	     Accept header
//	503  overloaded (the rule set's queue is full: see Admission), with
//	     Retry-After: 1; no verdict within the per-request time limit
//	     (Config.RequestTimeout), with Retry-After: 1; shutting down
//
// When the client goes away before its verdict, nothing is written. Errors
// of HTTP itself, which net/http answers before any handler runs (431 for
// headers over the limit, 400 for a malformed request line), keep its
// plain-text bodies and are not counted in the metrics.
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
// verification. When one item fails (the time limit, shutdown), the items
// not yet submitted are abandoned.
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
// github.com/ronkms/ronkms/metrics/prom (kms_ops_total and the rest), fed by
// the Batchers and by the handlers, then kms_http_requests_total and
// kms_http_request_duration_seconds, and the Go runtime and process
// collectors. A request counts, by its answer:
//
//	answer                           kms_ops_total{op,alg,result}  kms_failures_total{op,kind}
//	200                              op, its verdict (*)           -
//	400, 413, 415                    -                             op, bad_input
//	503 overloaded                   op, error                     op, overloaded
//	503 no verdict in time           op, error                     op, deadline_exceeded
//	503 shutting down                op, error                     op, closed
//	500 (another error)              op, error                     op, other
//	none: the client went away (**)  op, error                     op, canceled
//	404, 405                         -                             -
//
// (*) For a batch request, valid if every item is valid, else invalid.
//
// (**) While its request waited for verdicts; one that goes away while
// sending its body counts as a 400 (bad_input).
//
// op is "verify" for /v1/verify and "verify_batch" for /v1/verify/batch,
// and alg "ed25519-" followed by the request's rules (ed25519-strict). On
// top of that, every item of a batch request that the Server submitted to a
// Batcher counts under op "verify" as the Batcher reports it (see package
// metrics/prom): its verdict, or result "error" and one failure of its
// error's kind (deadline_exceeded, closed, overloaded; canceled for an item
// in flight when the request ended otherwise). A batch request refused
// before any submission (400, 413, 415, overloaded at admission) counts
// none of its items; one that fails counts those it had submitted, which
// depends on timing (at most the window), and not the others. So
// op="verify" counts signatures that reached a Batcher, one per single
// request and one per batch item, and op="verify_batch" batch requests
// past admission.
//
// Kind bad_input counts requests refused before any verdict, which are no
// operation at all: no kms_ops_total series counts them. In the library, by
// contrast, a key or signature of the wrong length given to a Batcher is a
// false verdict that counts both bad_input and result "invalid" (package
// metrics/prom); the service refuses it with a 400 before it reaches one.
//
// kms_http_requests_total{handler,code} counts every answer but those of
// GET and HEAD /metrics (the scrapes): handler is the endpoint's path
// ("/v1/verify", "/v1/verify/batch", "/healthz", and "/metrics" for its
// 405s), or "other" (HandlerOther) for every path that is none of these,
// never the path itself, so that the number of series stays bounded; code
// is the status. A request whose client went away before its answer, which
// is then not written, counts as code 200, net/http's default. The series of
// the codes each handler answers exist from the start, at zero: 200, 400,
// 405, 413, 415, 500 and 503 for the verification endpoints, 200, 405 and
// 503 for /healthz, 405 for /metrics, 404 for other.
// kms_http_request_duration_seconds{handler} times the same answers.
//
// kms_queue_depth is the sum over the Batchers.
package server
