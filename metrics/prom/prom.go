package prom

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
)

// Metric names.
const (
	OpsTotal      = "kms_ops_total"
	FailuresTotal = "kms_failures_total"
	OpLatency     = "kms_op_latency_seconds"
	BatchSize     = "kms_batch_size"
	BatchWait     = "kms_batch_wait_seconds"
	QueueDepth    = "kms_queue_depth"

	KeyCacheLookups = "kms_key_cache_lookups_total"
	KeyCacheSize    = "kms_key_cache_size"
)

const (
	algPrefix = "ed25519-"

	numResults = 3  // ResultValid, ResultInvalid, ResultError
	numRules   = 32 // every value of the five rules; the presets' series are resolved in advance

	// Indexes of the ops whose series are resolved in advance.
	opIndexVerify  = 0
	opIndexBatch   = 1
	numKnownOps    = 2
	unknownOpIndex = -1
)

// latencyBuckets are the upper bounds, in seconds, of
// kms_op_latency_seconds and kms_batch_wait_seconds: 1-2.5-5 steps from 5µs
// to 1s, which resolve a 500µs MaxWait and the milliseconds of a
// 256-signature batch.
func latencyBuckets() []float64 {
	return []float64{
		5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6,
		1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1,
	}
}

// batchSizeBuckets are the upper bounds of kms_batch_size: the powers of
// two from 1 to 1024.
func batchSizeBuckets() []float64 { return prometheus.ExponentialBuckets(1, 2, 11) }

var (
	knownOps   = [numKnownOps]string{batcher.OpVerify, batcher.OpVerifyBatch}
	knownKinds = [...]string{
		batcher.FailureOverloaded, batcher.FailureCanceled, batcher.FailureDeadline,
		batcher.FailureClosed, batcher.FailureBadInput, batcher.FailureOther,
	}
)

// Observer is a batcher.Observer that exports its measurements as Prometheus
// metrics. It is safe for concurrent use; every method is a few atomic
// operations on pre-resolved series (label lookups happen only for op or
// kind values this package does not know).
type Observer struct {
	ops        *prometheus.CounterVec
	failures   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	batchSize  prometheus.Histogram
	batchWait  prometheus.Histogram
	queueDepth prometheus.Gauge
	keyLookups *prometheus.CounterVec
	keyEntries *prometheus.GaugeVec

	// Series of the known label values (the ops, and the presets of
	// package ed25519 as alg), resolved once; nil for other rules.
	opsBy      [numKnownOps][numRules][numResults]prometheus.Counter
	latencyBy  [numKnownOps]prometheus.Observer
	failuresBy [numKnownOps]map[string]prometheus.Counter
	hitsBy     [numRules]prometheus.Counter
	missesBy   [numRules]prometheus.Counter
	entriesBy  [numRules]prometheus.Gauge
}

var (
	_ batcher.Observer         = (*Observer)(nil)
	_ batcher.KeyCacheObserver = (*Observer)(nil)
)

// NewObserver creates the metrics, registers them with reg
// (prometheus.DefaultRegisterer if reg is nil) and returns an Observer that
// updates them. The series of every known label combination are created at
// zero, so that rates and ratios exist before the first event. It fails,
// registering nothing, if reg already holds metrics of the same names.
func NewObserver(reg prometheus.Registerer) (*Observer, error) {
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	o := &Observer{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: OpsTotal,
			Help: "Operations finished, by operation, algorithm and result (valid, invalid: a verdict; error: no verdict).",
		}, []string{"op", "alg", "result"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: FailuresTotal,
			Help: "Failures by operation and kind: overloaded, canceled, deadline_exceeded, closed, other (operations without a verdict) and bad_input (malformed input: from a Batcher, a false verdict, also counted as invalid; from a service, a request refused before any verdict, with no operation).",
		}, []string{"op", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    OpLatency,
			Help:    "Latency of an operation from call to return, queueing included, by operation.",
			Buckets: latencyBuckets(),
		}, []string{"op"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    BatchSize,
			Help:    "Signatures per batch formed and verified by the micro-batcher.",
			Buckets: batchSizeBuckets(),
		}),
		batchWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    BatchWait,
			Help:    "Per batch, the queue time of its oldest request: from entering the queue to the start of the batch's verification.",
			Buckets: latencyBuckets(),
		}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: QueueDepth,
			Help: "Requests accepted by the micro-batcher and not yet handed to a verifier.",
		}),
		keyLookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: KeyCacheLookups,
			Help: "Distinct public keys of each batch looked up in the micro-batcher's key cache, by algorithm and result (hit: decoded already; miss).",
		}, []string{"alg", "result"}),
		keyEntries: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: KeyCacheSize,
			Help: "Decoded public keys held by the micro-batcher's key cache, by algorithm (one cache per Batcher).",
		}, []string{"alg"}),
	}
	for _, m := range ed25519.Presets() {
		o.hitsBy[m] = o.keyLookups.WithLabelValues(algPrefix+m.String(), "hit")
		o.missesBy[m] = o.keyLookups.WithLabelValues(algPrefix+m.String(), "miss")
		o.entriesBy[m] = o.keyEntries.WithLabelValues(algPrefix + m.String())
	}
	for i, op := range knownOps {
		for _, m := range ed25519.Presets() {
			for r := range numResults {
				o.opsBy[i][m][r] = o.ops.WithLabelValues(op, algPrefix+m.String(), batcher.VerifyResult(r).String())
			}
		}
		o.latencyBy[i] = o.latency.WithLabelValues(op)
		o.failuresBy[i] = make(map[string]prometheus.Counter, len(knownKinds))
		for _, k := range knownKinds {
			o.failuresBy[i][k] = o.failures.WithLabelValues(op, k)
		}
	}
	cs := []prometheus.Collector{o.ops, o.failures, o.latency, o.batchSize, o.batchWait, o.queueDepth, o.keyLookups, o.keyEntries}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, r := range cs[:i] { // all or nothing
				reg.Unregister(r)
			}
			return nil, err
		}
	}
	return o, nil
}

func opIndex(op string) int {
	switch op {
	case batcher.OpVerify:
		return opIndexVerify
	case batcher.OpVerifyBatch:
		return opIndexBatch
	}
	return unknownOpIndex
}

// ObserveOp counts the operation in kms_ops_total and records its latency in
// kms_op_latency_seconds.
func (o *Observer) ObserveOp(op string, rules ed25519.Rules, result batcher.VerifyResult, latency time.Duration) {
	i, r := opIndex(op), int(result)
	if i == unknownOpIndex || int(rules) >= numRules || r < 0 || r >= numResults || o.opsBy[i][rules][r] == nil {
		o.ops.WithLabelValues(op, algPrefix+rules.String(), result.String()).Inc()
		o.latency.WithLabelValues(op).Observe(latency.Seconds())
		return
	}
	o.opsBy[i][rules][r].Inc()
	o.latencyBy[i].Observe(latency.Seconds())
}

// ObserveFailure counts the failure in kms_failures_total.
func (o *Observer) ObserveFailure(op, kind string) {
	if i := opIndex(op); i != unknownOpIndex {
		if c, ok := o.failuresBy[i][kind]; ok {
			c.Inc()
			return
		}
	}
	o.failures.WithLabelValues(op, kind).Inc()
}

// ObserveBatch records the batch's size in kms_batch_size and the queue time
// of its oldest request in kms_batch_wait_seconds.
func (o *Observer) ObserveBatch(s batcher.BatchStats) {
	o.batchSize.Observe(float64(s.Size))
	o.batchWait.Observe(s.OldestWait.Seconds())
}

// ObserveKeyCache counts the batch's key lookups in
// kms_key_cache_lookups_total and sets kms_key_cache_size.
func (o *Observer) ObserveKeyCache(rules ed25519.Rules, hits, misses, size int) {
	m := int(rules)
	if m >= numRules || o.hitsBy[m] == nil {
		alg := algPrefix + rules.String()
		o.keyLookups.WithLabelValues(alg, "hit").Add(float64(hits))
		o.keyLookups.WithLabelValues(alg, "miss").Add(float64(misses))
		o.keyEntries.WithLabelValues(alg).Set(float64(size))
		return
	}
	o.hitsBy[m].Add(float64(hits))
	o.missesBy[m].Add(float64(misses))
	o.entriesBy[m].Set(float64(size))
}

// ObserveQueueDepth sets kms_queue_depth.
func (o *Observer) ObserveQueueDepth(depth int) {
	o.queueDepth.Set(float64(depth))
}
