package corpus

import (
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/internal/testvectors"
)

// DefaultSeed seeds the crafted cases; RONKMS_TEST_SEED replaces it (see
// testgen.RNG).
const DefaultSeed = 0x0_5eed_0_ac1e

// Corpus is the crafted cases followed by the shared vectors.
type Corpus struct {
	Cases []Case
	// VectorsSkipped says why the shared vectors are not in Cases, or is
	// empty when they are.
	VectorsSkipped string
}

var cache struct {
	sync.Mutex
	crafted []Case
	vectors []Case
	tried   bool
	skipped string
}

// Load returns the corpus, built once per process. When the shared vectors
// are absent, it logs so and the corpus holds the crafted cases only, unless
// RONKMS_REQUIRE_VECTORS=1, in which case t fails (internal/testvectors'
// rule); TestSharedVectors is the test that skips, with testvectors'
// message, in that case.
func Load(t *testing.T) *Corpus {
	t.Helper()
	// The stream is the same whichever test builds the corpus; this also
	// makes a failing test log the seed.
	rng := testgen.RNG(t, "oracle/corpus", DefaultSeed)
	cache.Lock()
	defer cache.Unlock()
	if cache.crafted == nil {
		cache.crafted = Crafted(rng)
	}
	if !cache.tried {
		if dir, present := testvectors.Path(); !present && os.Getenv("RONKMS_REQUIRE_VECTORS") != "1" {
			cache.skipped = "shared vectors absent (looked in " + dir + "): the corpus holds the crafted cases only"
		} else {
			cache.vectors = Vectors(t) // fails t if they are absent
		}
		cache.tried = true
	}
	if cache.skipped != "" {
		t.Log(cache.skipped)
	}
	cases := append(append([]Case(nil), cache.crafted...), cache.vectors...)
	return &Corpus{Cases: cases, VectorsSkipped: cache.skipped}
}

// Vectors returns the shared vectors as cases: the 1024 lines of
// rfc8032_sign.input, the 151 Wycheproof cases and the 196 ZIP-215 cases.
func Vectors(t *testing.T) []Case {
	t.Helper()
	var out []Case
	for _, c := range testvectors.SignInput(t) {
		out = append(out, Case{Kind: KindRFC8032, Name: "line " + strconv.Itoa(c.Line), Pub: c.Pub, Msg: c.Msg, Sig: c.Sig})
	}
	for _, c := range testvectors.Wycheproof(t) {
		out = append(out, Case{Kind: KindWycheproof, Name: "tcId " + strconv.Itoa(c.TcID) + " " + c.Comment, Pub: c.Pub, Msg: c.Msg, Sig: c.Sig})
	}
	for i, c := range testvectors.ZIP215(t) {
		out = append(out, Case{Kind: KindZIP215, Name: "case " + strconv.Itoa(i), Pub: c.Pub, Msg: c.Msg, Sig: c.Sig})
	}
	return out
}
