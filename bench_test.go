// Benchmarks of signing, single verification and batch verification, named
// for benchstat: every level below the top one is key=value, always in this
// order (a key that does not apply is left out, never reordered):
//
//	BenchmarkSign/impl={ronkms,stdlib}
//	BenchmarkVerify/mode={stdlib,strict,zip215}/impl=ronkms
//	BenchmarkVerify/mode=stdlib/impl=stdlib
//	BenchmarkVerifyBatch/mode={stdlib,strict,zip215}/keys={same,distinct}/n=N/impl=ronkms/workers={1,all}
//	BenchmarkVerifyBatch/mode=stdlib/keys={same,distinct}/n=N/impl=stdlib-loop/workers=1
//
// impl=stdlib is crypto/ed25519; impl=stdlib-loop is crypto/ed25519.Verify
// called in a loop over exactly the items of the batch it sits beside, so
// that the baseline and the batch come from the same run. workers=all is the
// default worker count, GOMAXPROCS. n is 8, 32, 64, 128, 256, 512 and 1024
// (8 and 64 under -short, which CI uses with -benchtime=1x as a smoke run).
//
// One batch operation is NewBatchVerifier's Reset, n Adds (which hash the
// messages) and Verify, so the batch pays for the same SHA-512 work as the
// stdlib loop. keys=same signs n distinct messages with one key; keys=distinct
// signs them with n keys. Single verifiers cycle over 64 distinct keys and
// messages. Messages are 64 bytes. Besides ns/op and the allocations, each
// benchmark reports ns/sig and sigs/s (verifications, or signatures for
// BenchmarkSign, per second).
//
// Examples:
//
//	go test -run '^$' -bench 'BenchmarkVerify$|BenchmarkSign' -count 10 . | tee single.txt
//	benchstat -col /impl single.txt
//	go test -run '^$' -bench 'BenchmarkVerifyBatch/mode=stdlib/' -count 10 . | tee batch.txt
//	benchstat -col /impl -filter '/workers:1' batch.txt   # ronkms vs stdlib-loop, one core
//	benchstat -col /workers -filter '/impl:ronkms' batch.txt
package ronkms_test

import (
	"bytes"
	stded25519 "crypto/ed25519"
	"fmt"
	"sync"
	"testing"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/benchdata"
)

const (
	benchMsgLen   = 64 // bytes per message
	benchPoolSize = 64 // distinct keys and messages the single verifiers cycle over
)

var benchModes = []ed25519.Rules{ed25519.StdLib, ed25519.Strict, ed25519.ZIP215}

// benchBatchSizes returns the batch sizes n of BenchmarkVerifyBatch.
func benchBatchSizes() []int {
	if testing.Short() {
		return []int{8, 64}
	}
	return []int{8, 32, 64, 128, 256, 512, 1024}
}

// benchSet is n signed messages, each valid under every mode.
type benchSet = benchdata.Set

var (
	benchSetsMu sync.Mutex
	benchSets   = map[[2]int]*benchSet{}
)

// benchFixture returns n deterministic signatures by crypto/ed25519, under
// one key if sameKey, else under n distinct keys. Sets are cached, so the
// key generation and signing never fall inside a timed region.
func benchFixture(sameKey bool, n int) *benchSet {
	key := [2]int{0, n}
	if sameKey {
		key[0] = 1
	}
	benchSetsMu.Lock()
	defer benchSetsMu.Unlock()
	if s, ok := benchSets[key]; ok {
		return s
	}
	var seed [32]byte
	seed[0], seed[1], seed[2] = byte(key[0]), byte(n), byte(n>>8)
	s := benchdata.New(seed, sameKey, n, benchMsgLen)
	benchSets[key] = s
	return s
}

// benchReportPerSig reports ns/sig and sigs/s for perOp signatures per
// benchmark iteration. Call it after the b.Loop loop.
func benchReportPerSig(b *testing.B, perOp int) {
	if b.N == 0 || perOp == 0 {
		return
	}
	nsPerSig := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(perOp)
	b.ReportMetric(nsPerSig, "ns/sig")
	if nsPerSig > 0 {
		b.ReportMetric(1e9/nsPerSig, "sigs/s")
	}
}

func BenchmarkSign(b *testing.B) {
	set := benchFixture(false, benchPoolSize)
	impls := []struct {
		name string
		sign func(ed25519.PrivateKey, []byte) []byte
	}{
		{"ronkms", ed25519.Sign},
		{"stdlib", stded25519.Sign},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				j := i % benchPoolSize
				// Ed25519 signing is deterministic: the result must be
				// the crypto/ed25519 signature made for the fixture.
				if sig := impl.sign(set.Privs[j], set.Msgs[j]); !bytes.Equal(sig, set.Sigs[j]) {
					b.Fatalf("signature %d differs from crypto/ed25519's", j)
				}
				i++
			}
			benchReportPerSig(b, 1)
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	set := benchFixture(false, benchPoolSize)
	// The same signatures under VerifyingKeys made outside the timed loop
	// (impl=ronkms-key): what a verifier of known keys pays per signature.
	keys := make([]*ed25519.VerifyingKey, benchPoolSize)
	for j := range keys {
		k, err := ed25519.NewVerifyingKey(set.Pubs[j])
		if err != nil {
			b.Fatal(err)
		}
		keys[j] = k
	}
	byKey := func(mode ed25519.Rules) func(j int) bool {
		return func(j int) bool { return keys[j].VerifyWithRules(mode, set.Msgs[j], set.Sigs[j]) }
	}
	byPub := func(f func(ed25519.PublicKey, []byte, []byte) bool) func(j int) bool {
		return func(j int) bool { return f(set.Pubs[j], set.Msgs[j], set.Sigs[j]) }
	}
	impls := []struct {
		mode   ed25519.Rules
		impl   string
		verify func(j int) bool // verifies item j of set
	}{
		{ed25519.StdLib, "ronkms", byPub(ed25519.Verify)},
		{ed25519.StdLib, "stdlib", byPub(stded25519.Verify)},
		{ed25519.Strict, "ronkms", byPub(ed25519.VerifyStrict)},
		{ed25519.ZIP215, "ronkms", byPub(ed25519.VerifyZIP215)},
		{ed25519.StdLib, "ronkms-key", byKey(ed25519.StdLib)},
		{ed25519.Strict, "ronkms-key", byKey(ed25519.Strict)},
		{ed25519.ZIP215, "ronkms-key", byKey(ed25519.ZIP215)},
	}
	for _, impl := range impls {
		b.Run(fmt.Sprintf("mode=%v/impl=%s", impl.mode, impl.impl), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				j := i % benchPoolSize
				if !impl.verify(j) {
					b.Fatalf("valid signature %d rejected", j)
				}
				i++
			}
			benchReportPerSig(b, 1)
		})
	}
}

func BenchmarkVerifyBatch(b *testing.B) {
	workerSettings := []struct {
		name string
		n    int // for WithWorkers; 0 is the default, GOMAXPROCS
	}{{"1", 1}, {"all", 0}}
	for _, mode := range benchModes {
		for _, keys := range []string{"same", "distinct"} {
			for _, n := range benchBatchSizes() {
				prefix := fmt.Sprintf("mode=%v/keys=%s/n=%d", mode, keys, n)
				for _, w := range workerSettings {
					b.Run(prefix+"/impl=ronkms/workers="+w.name, func(b *testing.B) {
						set := benchFixture(keys == "same", n)
						v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(w.n))
						b.ReportAllocs()
						for b.Loop() {
							v.Reset()
							for i := range n {
								v.Add(set.Pubs[i], set.Msgs[i], set.Sigs[i])
							}
							if ok, _ := v.Verify(); !ok {
								b.Fatalf("batch of %d valid signatures rejected", n)
							}
						}
						benchReportPerSig(b, n)
					})
				}
				if mode != ed25519.StdLib {
					continue
				}
				b.Run(prefix+"/impl=stdlib-loop/workers=1", func(b *testing.B) {
					set := benchFixture(keys == "same", n)
					b.ReportAllocs()
					for b.Loop() {
						for i := range n {
							if !stded25519.Verify(set.Pubs[i], set.Msgs[i], set.Sigs[i]) {
								b.Fatalf("valid signature %d rejected", i)
							}
						}
					}
					benchReportPerSig(b, n)
				})
			}
		}
	}
}
