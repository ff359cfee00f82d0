package ronkms_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// TestBatchKeyCache: BatchVerifiers sharing a KeyCache give the single
// verdicts batch after batch, under every preset, whether the keys come
// from the cache, are decoded and stored, or replace others (a cache
// smaller than the key set), with random testgen kinds (torsion in A and
// R, small-order and non-canonical keys, undecodable keys, wrong lengths)
// and the same keys' torsion tests reused by cofactorless rules after
// cofactored ones stored the key without one.
func TestBatchKeyCache(t *testing.T) {
	rng := btRNG(t, "TestBatchKeyCache")
	signers := btSigners(rng, 6)
	rounds, n := 6, 48
	if testing.Short() {
		rounds, n = 3, 24
	}
	for _, size := range []int{0, 1, 3, 4096} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			cache := ronkms.NewKeyCache(size)
			for round := range rounds {
				cases := make([]testgen.Case, n)
				for i := range cases {
					cases[i] = btDraw(rng, signers, 0.5)
				}
				cases = append(cases, btBadKinds(t, rng, signers[0], signers[1])...)
				b := btMakeBatch(t, cases)
				// Cofactored and cofactorless presets alternate on one
				// cache, so keys stored without a torsion test get one.
				for _, m := range btModes {
					for _, w := range []int{1, 2} {
						v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(w), ronkms.WithKeyCache(cache))
						btFill(t, "cache", v, b)
						all, valid := v.Verify()
						btCheck(t, fmt.Sprintf("round=%d/mode=%v/workers=%d", round, m, w), b, m, all, valid)
						all, valid = v.Verify() // every key cached now (if it fits)
						btCheck(t, fmt.Sprintf("round=%d/mode=%v/workers=%d/again", round, m, w), b, m, all, valid)
					}
				}
				if t.Failed() {
					return
				}
			}
		})
	}
}

// TestBatchKeyCacheConcurrent: several BatchVerifiers on one small cache,
// in parallel goroutines (for -race), each batch checked.
func TestBatchKeyCacheConcurrent(t *testing.T) {
	rng := btRNG(t, "TestBatchKeyCacheConcurrent")
	signers := btSigners(rng, 8)
	cache := ronkms.NewKeyCache(5)
	var batches []*btBatch
	for range 4 {
		cases := make([]testgen.Case, 32)
		for i := range cases {
			cases[i] = btDraw(rng, signers, 0.7)
		}
		batches = append(batches, btMakeBatch(t, cases))
	}
	var wg sync.WaitGroup
	for g, m := range []ed25519.Rules{ed25519.Strict, ed25519.ZIP215, ed25519.StdLib, ed25519.Strict} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(1), ronkms.WithKeyCache(cache))
			for r := range 6 {
				b := batches[(g+r)%len(batches)]
				btFill(t, "concurrent", v, b)
				all, valid := v.Verify()
				btCheck(t, fmt.Sprintf("goroutine=%d/round=%d/mode=%v", g, r, m), b, m, all, valid)
			}
		}()
	}
	wg.Wait()
}

// TestWithKeyCacheNilAndZero: a nil cache is no cache, and a zero KeyCache
// a usable one.
func TestWithKeyCacheNilAndZero(t *testing.T) {
	rng := btRNG(t, "TestWithKeyCacheNilAndZero")
	signers := btSigners(rng, 2)
	cases := []testgen.Case{btHonest(rng, signers), btHonest(rng, signers), btDraw(rng, signers, 0)}
	b := btMakeBatch(t, cases)
	var zero ronkms.KeyCache
	for name, opt := range map[string]ronkms.Option{"nil": ronkms.WithKeyCache(nil), "zero": ronkms.WithKeyCache(&zero)} {
		v := ronkms.NewBatchVerifier(ed25519.Strict, opt)
		for round := range 2 {
			btFill(t, name, v, b)
			all, valid := v.Verify()
			btCheck(t, fmt.Sprintf("%s cache, round %d", name, round), b, ed25519.Strict, all, valid)
		}
	}
}
