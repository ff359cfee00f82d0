package oracle

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/oracle/internal/corpus"
	"github.com/ronkms/ronkms/oracle/internal/voiref"
)

// Features of a case, computed from its bytes (not from how it was built).
const (
	tagWrongLength    = "wrong-length"
	tagSGeL           = "s>=l"
	tagASmall         = "A small order"
	tagRSmall         = "R small order"
	tagANonCanonical  = "A non-canonical"
	tagRNonCanonical  = "R non-canonical"
	tagAMixed         = "A mixed order"
	tagRMixed         = "R mixed order"
	tagAUndecodable   = "A undecodable"
	tagRUndecodable   = "R undecodable"
	tagANonCanonSmall = "A non-canonical small order"
	tagRNonCanonSmall = "R non-canonical small order"
	tagANonCanonLarge = "A non-canonical large order"
	tagRNonCanonLarge = "R non-canonical large order"
)

var allTags = []string{
	tagWrongLength, tagSGeL, tagASmall, tagRSmall, tagANonCanonical, tagRNonCanonical, tagAMixed, tagRMixed,
	tagAUndecodable, tagRUndecodable, tagANonCanonSmall, tagRNonCanonSmall, tagANonCanonLarge, tagRNonCanonLarge,
}

// lMinus1 is l - 1, a canonical scalar: [l-1]P + P is [l]P, the identity
// exactly when P has no torsion component.
var lMinus1 = func() *edwards25519.Scalar {
	b := testgen.ScalarBytes(new(big.Int).Sub(testgen.GroupOrder, big.NewInt(1)))
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(b)
	if err != nil {
		panic(err)
	}
	return s
}()

// pointTags returns the tags of one encoded point, prefixed by which ("A"
// or "R").
func pointTags(which string, enc []byte) []string {
	P, err := new(edwards25519.Point).SetBytes(enc)
	if err != nil {
		return []string{which + " undecodable"}
	}
	var tags []string
	id := edwards25519.NewIdentityPoint()
	small := new(edwards25519.Point).MultByCofactor(P).Equal(id) == 1
	canonical := string(P.Bytes()) == string(enc)
	lP := new(edwards25519.Point).ScalarMult(lMinus1, P)
	torsionFree := lP.Add(lP, P).Equal(id) == 1
	if small {
		tags = append(tags, which+" small order")
	} else if !torsionFree {
		tags = append(tags, which+" mixed order")
	}
	if !canonical {
		tags = append(tags, which+" non-canonical")
		if small {
			tags = append(tags, which+" non-canonical small order")
		} else {
			tags = append(tags, which+" non-canonical large order")
		}
	}
	return tags
}

func caseTags(c corpus.Case) []string {
	if !c.Comparable() {
		return []string{tagWrongLength}
	}
	tags := append(pointTags("A", c.Pub), pointTags("R", c.Sig[:32])...)
	if _, err := new(edwards25519.Scalar).SetCanonicalBytes(c.Sig[32:]); err != nil {
		tags = append(tags, tagSGeL)
	}
	return tags
}

// TestCorpus checks that the corpus holds every kind of case and every
// feature it is meant to, and that it separates the rules: for each of the
// five choices there are cases whose voi verdict changes with that choice
// alone.
func TestCorpus(t *testing.T) {
	cases, table := setup(t)
	vectorsLoaded := false
	kinds := map[string]int{}
	for _, c := range cases {
		kinds[c.Kind]++
	}
	for _, k := range corpus.VectorKinds {
		vectorsLoaded = vectorsLoaded || kinds[k] > 0
	}
	var report strings.Builder
	fmt.Fprintf(&report, "corpus: %d cases (seed %#x unless RONKMS_TEST_SEED is set)\n", len(cases), corpus.DefaultSeed)
	for _, k := range append(append([]string(nil), corpus.CraftedKinds...), corpus.VectorKinds...) {
		fmt.Fprintf(&report, "  %-28s %5d\n", k, kinds[k])
	}
	for _, k := range corpus.CraftedKinds {
		if kinds[k] == 0 {
			t.Errorf("no case of kind %s", k)
		}
	}
	if vectorsLoaded {
		for k, n := range map[string]int{corpus.KindRFC8032: 1024, corpus.KindWycheproof: 151, corpus.KindZIP215: 196} {
			if kinds[k] != n {
				t.Errorf("%d cases of kind %s, want %d", kinds[k], k, n)
			}
		}
	}

	// Features.
	tags := map[string]int{}
	asA, asR := map[string]int{}, map[string]int{}
	for _, c := range cases {
		for _, tag := range caseTags(c) {
			tags[tag]++
		}
		if c.Comparable() {
			asA[string(c.Pub)]++
			asR[string(c.Sig[:32])]++
		}
	}
	fmt.Fprintf(&report, "features (a case may have several):\n")
	for _, tag := range allTags {
		fmt.Fprintf(&report, "  %-28s %5d\n", tag, tags[tag])
		if tags[tag] == 0 {
			t.Errorf("no case with feature %q", tag)
		}
	}
	for i, enc := range testgen.DerivedSmallOrderEncodings() {
		if asA[string(enc)] == 0 || asR[string(enc)] == 0 {
			t.Errorf("small-order encoding %d (%x) is used as A in %d cases and as R in %d; want both", i, enc, asA[string(enc)], asR[string(enc)])
		}
	}
	for i, enc := range testgen.NonCanonicalLargeOrderEncodings() {
		if asA[string(enc)] == 0 || asR[string(enc)] == 0 {
			t.Errorf("non-canonical large-order encoding %d (%x) is used as A in %d cases and as R in %d; want both", i, enc, asA[string(enc)], asR[string(enc)])
		}
	}

	// Verdicts: how many cases each valid rule set accepts.
	fmt.Fprintf(&report, "voi accepts, per valid rule set:\n")
	verdicts := map[ed25519.Rules][]bool{}
	for _, r := range allRules() {
		w := want(t, table, r)
		if r.Validate() != nil {
			continue
		}
		verdicts[r] = w
		n := 0
		for _, v := range w {
			if v {
				n++
			}
		}
		fmt.Fprintf(&report, "  %-2d %s %-60s %5d\n", r, voiref.OptionsString(r), r, n)
	}

	// Separation: for each choice f and each base rule set r without f
	// such that r and r|f are both valid, count the cases whose verdict
	// differs. Some pairs cannot be separated by any signature anyone can
	// make: requiring a canonical A matters only for a non-canonical A
	// that verifies, and the only such encodings with a known discrete
	// logarithm are of small order (y >= p means y - p < 19: the others'
	// logarithms are unknown), so under RejectSmallOrderA it changes
	// nothing; likewise AllowNonCanonicalR under RejectSmallOrderR.
	flags := []ed25519.Rules{ed25519.RejectSmallOrderA, ed25519.RejectSmallOrderR, ed25519.RequireCanonicalA, ed25519.AllowNonCanonicalR, ed25519.Cofactored}
	fmt.Fprintf(&report, "separation (cases whose verdict changes with one choice, per base rule set):\n")
	for _, f := range flags {
		total, bases := 0, 0
		var unseparated []string
		for _, r := range allRules() {
			if r&f != 0 || r.Validate() != nil || (r|f).Validate() != nil {
				continue
			}
			bases++
			n := 0
			for i := range cases {
				if verdicts[r][i] != verdicts[r|f][i] {
					n++
				}
			}
			total += n
			expectNone := (f == ed25519.RequireCanonicalA && r&ed25519.RejectSmallOrderA != 0) ||
				(f == ed25519.AllowNonCanonicalR && r&ed25519.RejectSmallOrderR != 0)
			switch {
			case n == 0 && !expectNone:
				t.Errorf("no case separates %s from %s (%s from %s)", r, r|f, voiref.OptionsString(r), voiref.OptionsString(r|f))
			case n > 0 && expectNone:
				t.Errorf("%d cases separate %s from %s, which no constructible signature should", n, r, r|f)
			}
			if n == 0 {
				unseparated = append(unseparated, r.String())
			}
		}
		fmt.Fprintf(&report, "  %-22s %5d case-verdict flips over %d base rule sets; no flip on the bases %v\n", f, total, bases, unseparated)
		if total == 0 {
			t.Errorf("no case's verdict changes with %s alone", f)
		}
	}
	// Distinct verdict vectors among the 24 valid rule sets.
	distinct := map[string][]string{}
	for r, v := range verdicts {
		key := fmt.Sprint(v)
		distinct[key] = append(distinct[key], r.String())
	}
	var classes []string
	for _, rs := range distinct {
		sort.Strings(rs)
		if len(rs) > 1 {
			classes = append(classes, strings.Join(rs, " = "))
		}
	}
	sort.Strings(classes)
	fmt.Fprintf(&report, "%d distinct verdict vectors among %d valid rule sets; indistinguishable on this corpus:\n", len(distinct), len(verdicts))
	for _, c := range classes {
		fmt.Fprintf(&report, "  %s\n", c)
	}
	t.Log("\n" + report.String())
}

// TestSharedVectors skips, with internal/testvectors' message, when the
// shared vectors are absent (the other tests then run on the crafted cases
// only, and log so), and fails instead when RONKMS_REQUIRE_VECTORS=1.
func TestSharedVectors(t *testing.T) {
	if n := len(corpus.Vectors(t)); n != 1024+151+196 {
		t.Errorf("%d shared vectors, want %d", n, 1024+151+196)
	}
}
