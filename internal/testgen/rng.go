package testgen

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// RNG returns a deterministic generator for the test called name, seeded
// with defaultSeed and the name, so that each test has its own reproducible
// stream. RONKMS_TEST_SEED (an integer) replaces defaultSeed in every test,
// to explore other inputs; a failing test logs the seed it ran with.
func RNG(t testing.TB, name string, defaultSeed uint64) *rand.Rand {
	seed := defaultSeed
	if s := os.Getenv("RONKMS_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("RONKMS_TEST_SEED=%q: %v", s, err)
		}
		seed = v
	}
	var h uint64 = 14695981039346656037 // FNV-1a of the name
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random stream: seed %#x (set RONKMS_TEST_SEED to change it), test %q", seed, name)
		}
	})
	return rand.New(rand.NewPCG(seed, h))
}
