package ronkms_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/internal/testvectors"
)

// Helpers of the batch tests carry a bt prefix so that they cannot collide
// with helpers of other test files of package ronkms_test.

// btModes are the rule sets the batch tests run under: every preset (the
// engine's own tests, internal/batch, run all 32 combinations).
var btModes = ed25519.Presets()

// btSingle is the single verifier of rules.
func btSingle(rules ed25519.Rules, pub, msg, sig []byte) bool {
	return rules.Verify(pub, msg, sig)
}

// btRNG returns a deterministic generator for test name. RONKMS_TEST_SEED
// (an integer) changes every test's stream, to explore other inputs.
func btRNG(t testing.TB, name string) *rand.Rand {
	return testgen.RNG(t, name, 0x5eed_ba7c)
}

func btSigners(rng *rand.Rand, n int) []*testgen.Signer {
	out := make([]*testgen.Signer, n)
	for i := range out {
		out[i] = testgen.NewSigner(rng)
	}
	return out
}

// btHonest returns an honest signature by a random one of signers.
func btHonest(rng *rand.Rand, signers []*testgen.Signer) testgen.Case {
	c := signers[rng.IntN(len(signers))].Honest(testgen.RandomMessage(rng, 96))
	c.Name = "honest"
	return c
}

// btDraw returns an honest item with probability honest, otherwise an item
// of a random testgen kind (which may be honest too).
func btDraw(rng *rand.Rand, signers []*testgen.Signer, honest float64) testgen.Case {
	if rng.Float64() < honest {
		return btHonest(rng, signers)
	}
	return testgen.Random(rng, signers)
}

// btBatch is a batch with the single verdicts of every rule set.
type btBatch struct {
	cases   []testgen.Case
	pubs    []ed25519.PublicKey
	msgs    [][]byte
	sigs    [][]byte
	want    map[ed25519.Rules][]bool // want[rules][i]: the single verdict
	wantAll map[ed25519.Rules]bool
}

// btMakeBatch computes the single verdict of every item under modes (every
// preset if none is given) and checks it against testgen's reference. A
// disagreement there is a bug of the single verifiers, reported as such; the
// batch is still expected to equal the single verifier.
func btMakeBatch(t testing.TB, cases []testgen.Case, modes ...ed25519.Rules) *btBatch {
	t.Helper()
	if len(modes) == 0 {
		modes = btModes
	}
	b := &btBatch{cases: cases, want: map[ed25519.Rules][]bool{}, wantAll: map[ed25519.Rules]bool{}}
	b.pubs = make([]ed25519.PublicKey, len(cases))
	b.msgs = make([][]byte, len(cases))
	b.sigs = make([][]byte, len(cases))
	for _, m := range modes {
		b.want[m] = make([]bool, len(cases))
		b.wantAll[m] = true
	}
	for i, c := range cases {
		b.pubs[i], b.msgs[i], b.sigs[i] = c.Pub, c.Msg, c.Sig
		for _, m := range modes {
			got := btSingle(m, c.Pub, c.Msg, c.Sig)
			if ref := testgen.Reference(m, c); got != ref {
				t.Errorf("single verifier of mode %v disagrees with the reference on a %q item: single %v, reference %v; pub=%x msg=%x sig=%x",
					m, c.Name, got, ref, c.Pub, c.Msg, c.Sig)
			}
			b.want[m][i] = got
			b.wantAll[m] = b.wantAll[m] && got
		}
	}
	return b
}

// btCheck asserts that (all, valid) is the batch answer b expects in mode.
func btCheck(t testing.TB, label string, b *btBatch, mode ed25519.Rules, all bool, valid []bool) {
	t.Helper()
	want := b.want[mode]
	if valid == nil {
		t.Errorf("%s: valid is nil for a batch of %d items", label, len(want))
		return
	}
	if len(valid) != len(want) {
		t.Errorf("%s: %d verdicts for %d items", label, len(valid), len(want))
		return
	}
	and, bad := true, 0
	for i := range want {
		and = and && valid[i]
		if valid[i] != want[i] {
			bad++
			if bad <= 4 {
				c := b.cases[i]
				t.Errorf("%s: item %d of %d (%s): batch %v, single %v; pub=%x msg=%x sig=%x",
					label, i, len(want), c.Name, valid[i], want[i], c.Pub, c.Msg, c.Sig)
			}
		}
	}
	if bad > 4 {
		t.Errorf("%s: %d items of %d differ from the single verifier in all", label, bad, len(want))
	}
	if all != b.wantAll[mode] || all != and {
		t.Errorf("%s: allValid = %v, want %v (AND of the single verdicts) and %v (AND of the returned verdicts)",
			label, all, b.wantAll[mode], and)
	}
}

// btVerifyBatchProcs runs VerifyBatch with GOMAXPROCS set to procs, which is
// the worker count VerifyBatch uses.
func btVerifyBatchProcs(procs int, mode ed25519.Rules, pubs []ed25519.PublicKey, msgs, sigs [][]byte) (bool, []bool) {
	old := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(old)
	return ronkms.VerifyBatch(mode, pubs, msgs, sigs)
}

// btFill resets v and adds every item of b, checking Len along the way.
func btFill(t testing.TB, label string, v *ronkms.BatchVerifier, b *btBatch) {
	t.Helper()
	v.Reset()
	if n := v.Len(); n != 0 {
		t.Errorf("%s: Len() = %d after Reset, want 0", label, n)
	}
	for i := range b.cases {
		v.Add(b.pubs[i], b.msgs[i], b.sigs[i])
	}
	if n := v.Len(); n != len(b.cases) {
		t.Errorf("%s: Len() = %d after %d Adds, want %d", label, n, len(b.cases), len(b.cases))
	}
}

// btRunBoth checks b in mode through VerifyBatch (GOMAXPROCS = workers) and
// through v (which must have been created for mode), Verify called twice.
func btRunBoth(t testing.TB, label string, b *btBatch, mode ed25519.Rules, workers int, v *ronkms.BatchVerifier) {
	t.Helper()
	all, valid := btVerifyBatchProcs(workers, mode, b.pubs, b.msgs, b.sigs)
	btCheck(t, label+"/VerifyBatch", b, mode, all, valid)
	btFill(t, label+"/BatchVerifier", v, b)
	all, valid = v.Verify()
	btCheck(t, label+"/BatchVerifier.Verify", b, mode, all, valid)
	all2, valid2 := v.Verify()
	btCheck(t, label+"/BatchVerifier.Verify(again)", b, mode, all2, valid2)
}

// TestBatchEqualsSingle: for every mode, worker count 1..4, batch size and
// mixture, VerifyBatch and a reused BatchVerifier give exactly the single
// verdicts (which equal the reference verdicts), and allValid is their AND.
func TestBatchEqualsSingle(t *testing.T) {
	rng := btRNG(t, "TestBatchEqualsSingle")
	sizes := []int{0, 1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 64, 1000}
	nRandom := 2 // extra sizes drawn from [0, 1000]
	configs := []struct {
		name   string
		keys   int
		honest float64 // probability of an honest item; the rest from testgen.Random
		short  bool    // run under -short too
		no1000 bool    // leave out the fixed size 1000 (random sizes still reach it)
	}{
		{"keys=1/mix=honest", 1, 1, false, false}, // every item under one key, all valid
		{"keys=1/mix=random", 1, 0, true, false},
		{"keys=1/mix=mostly-honest", 1, 0.97, true, false}, // coalesced A term, equation holds
		{"keys=2/mix=random", 2, 0, true, false},
		{"keys=2/mix=mostly-honest", 2, 0.95, false, true},
		{"keys=many/mix=random", 40, 0, true, false},
		{"keys=many/mix=mostly-honest", 40, 0.97, false, true},
	}
	if testing.Short() {
		// -race makes verification about 6-10x slower: keep the small and
		// boundary sizes (a 200-item ZIP215 batch is in TestBatchBisection),
		// and one size at which parallel workers share one equation.
		sizes = append(sizes[:len(sizes)-1], 130)
		nRandom = 0
	}
	for _, cfg := range configs {
		if testing.Short() && !cfg.short {
			continue
		}
		t.Run(cfg.name, func(t *testing.T) {
			signers := btSigners(rng, cfg.keys)
			// One BatchVerifier per mode and worker count, reused (Reset)
			// across every batch of this configuration.
			verifiers := map[ed25519.Rules]*[4]*ronkms.BatchVerifier{}
			for _, m := range btModes {
				verifiers[m] = new([4]*ronkms.BatchVerifier)
				for w := 1; w <= 4; w++ {
					verifiers[m][w-1] = ronkms.NewBatchVerifier(m, ronkms.WithWorkers(w))
				}
			}
			var sz []int
			for _, n := range sizes {
				if n != 1000 || !cfg.no1000 {
					sz = append(sz, n)
				}
			}
			for range nRandom {
				sz = append(sz, rng.IntN(1001))
			}
			for _, n := range sz {
				cases := make([]testgen.Case, n)
				for i := range cases {
					cases[i] = btDraw(rng, signers, cfg.honest)
				}
				b := btMakeBatch(t, cases)
				for _, m := range btModes {
					for w := 1; w <= 4; w++ {
						label := fmt.Sprintf("%s/n=%d/mode=%v/workers=%d", cfg.name, n, m, w)
						btRunBoth(t, label, b, m, w, verifiers[m][w-1])
					}
				}
				if t.Failed() {
					return // one failing size says enough
				}
			}
		})
	}
}

// TestBatchTorsionDeterminism: batches of honest items plus torsion-R items
// (orders 2, 4, 8) are decided the same way in each of at least 32 runs:
// StdLib and Strict reject exactly the torsion items, ZIP215 accepts all.
// Torsion-A batches equal the single verdicts in every run.
func TestBatchTorsionDeterminism(t *testing.T) {
	rng := btRNG(t, "TestBatchTorsionDeterminism")
	const reps = 32
	signers := btSigners(rng, 3)
	type spec struct {
		name    string
		n       int
		orders  []int // one torsion-R item per entry
		oneKey  bool
		torsA   bool // torsion-A items instead of torsion-R
		allTors bool
	}
	specs := []spec{
		{name: "order=2", n: 8, orders: []int{2}},
		{name: "order=4", n: 8, orders: []int{4}},
		{name: "order=8", n: 8, orders: []int{8}},
		{name: "orders=2,4,8/one-key", n: 20, orders: []int{2, 4, 8}, oneKey: true},
		{name: "two-order-2/one-key", n: 6, orders: []int{2, 2}, oneKey: true}, // residues that cancel when z1+z2 is even
		{name: "many/keys=3", n: 40, orders: []int{2, 2, 4, 4, 8, 8, 8, 2}},
		{name: "all-torsion/one-key", n: 12, orders: []int{2, 4, 8, 2, 4, 8, 2, 4, 8, 2, 4, 8}, oneKey: true, allTors: true},
		{name: "torsion-A/one-key", n: 20, orders: []int{2, 4, 8, 8}, oneKey: true, torsA: true},
	}
	for _, sp := range specs {
		t.Run(sp.name, func(t *testing.T) {
			sg := signers
			if sp.oneKey {
				sg = signers[:1]
			}
			n := sp.n
			if testing.Short() {
				n = max(len(sp.orders)+2, n/2)
				if sp.allTors {
					n = len(sp.orders)
				}
			}
			cases := make([]testgen.Case, n)
			isTorsion := make([]bool, n)
			pos := rng.Perm(n)[:len(sp.orders)]
			for i := range cases {
				cases[i] = btHonest(rng, sg)
			}
			for j, p := range pos {
				s := sg[rng.IntN(len(sg))]
				msg := testgen.RandomMessage(rng, 64)
				if sp.torsA {
					cases[p] = s.TorsionA(rng, msg, sp.orders[j])
				} else {
					cases[p] = s.TorsionR(rng, msg, sp.orders[j])
				}
				cases[p].Name = fmt.Sprintf("%s(order %d)", cases[p].Name, sp.orders[j])
				isTorsion[p] = true
			}
			b := btMakeBatch(t, cases)
			if !sp.torsA {
				// The expectation is fixed, not only "equal to single".
				for i := range cases {
					for _, m := range btModes {
						want := !isTorsion[i] || m&ed25519.Cofactored != 0
						if b.want[m][i] != want {
							t.Fatalf("single verdict of %v on item %d (%s) is %v, want %v", m, i, cases[i].Name, b.want[m][i], want)
						}
					}
				}
			}
			for _, m := range btModes {
				v := ronkms.NewBatchVerifier(m)
				for r := range reps {
					w := 1 + r%4
					label := fmt.Sprintf("%s/mode=%v/rep=%d/workers=%d", sp.name, m, r, w)
					if r%2 == 0 {
						all, valid := btVerifyBatchProcs(w, m, b.pubs, b.msgs, b.sigs)
						btCheck(t, label+"/VerifyBatch", b, m, all, valid)
					} else {
						vw := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(w))
						btFill(t, label, vw, b)
						all, valid := vw.Verify()
						btCheck(t, label+"/BatchVerifier", b, m, all, valid)
						// And the reused verifier with the default workers.
						btFill(t, label, v, b)
						all, valid = v.Verify()
						btCheck(t, label+"/BatchVerifier(reused,default-workers)", b, m, all, valid)
					}
					if t.Failed() {
						return
					}
				}
			}
		})
	}
}

// btUndecodable returns a 32-byte string that is not the encoding of any
// point (y with no x on the curve).
func btUndecodable(t testing.TB, start byte) []byte {
	t.Helper()
	for y := int(start); y < 256; y++ {
		enc := make([]byte, 32)
		enc[0] = byte(y)
		if _, err := new(edwards25519.Point).SetBytes(enc); err != nil {
			return enc
		}
	}
	t.Fatal("no undecodable encoding found")
	return nil
}

func btClone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// btBadKinds returns one item of each bad kind, signed by s where a
// signature is involved.
func btBadKinds(t testing.TB, rng *rand.Rand, s, other *testgen.Signer) []testgen.Case {
	t.Helper()
	honest := func(name string) testgen.Case {
		c := s.Honest(testgen.RandomMessage(rng, 64))
		c.Name = name
		c.Pub = btClone(c.Pub)
		return c
	}
	var out []testgen.Case
	add := func(c testgen.Case) { out = append(out, c) }

	c := honest("pub-31")
	c.Pub = c.Pub[:31]
	add(c)
	c = honest("pub-33")
	c.Pub = append(c.Pub, 0)
	add(c)
	c = honest("pub-empty")
	c.Pub = []byte{}
	add(c)
	c = honest("pub-nil")
	c.Pub = nil
	add(c)
	c = honest("sig-63")
	c.Sig = c.Sig[:63]
	add(c)
	c = honest("sig-65")
	c.Sig = append(c.Sig, 0)
	add(c)
	c = honest("sig-32")
	c.Sig = c.Sig[:32]
	add(c)
	c = honest("sig-nil")
	c.Sig = nil
	add(c)
	c = s.Honest([]byte("not empty"))
	c.Name, c.Msg = "msg-nil(signed non-empty)", nil
	add(c)
	c = s.Honest(nil)
	c.Name = "msg-nil(signed empty)" // valid in every mode
	add(c)
	c = honest("all-nil")
	c.Pub, c.Msg, c.Sig = nil, nil, nil
	add(c)
	c = honest("s+l")
	S := new(big.Int).SetBytes(btReverse(c.Sig[32:]))
	copy(c.Sig[32:], testgen.ScalarBytes(S.Add(S, testgen.GroupOrder)))
	add(c)
	c = honest("s=2^256-1")
	copy(c.Sig[32:], bytes.Repeat([]byte{0xff}, 32))
	add(c)
	c = honest("s=l")
	copy(c.Sig[32:], testgen.ScalarBytes(testgen.GroupOrder))
	add(c)
	c = honest("undecodable-A")
	c.Pub = btUndecodable(t, 2)
	add(c)
	c = honest("undecodable-R")
	copy(c.Sig[:32], btUndecodable(t, 2))
	add(c)
	so := testgen.DerivedSmallOrderEncodings()
	for i, enc := range so {
		c = testgen.SmallOrderA(rng, testgen.RandomMessage(rng, 64), enc)
		c.Name = fmt.Sprintf("small-order-A#%d", i)
		add(c)
		c = honest(fmt.Sprintf("small-order-R#%d", i))
		copy(c.Sig[:32], enc)
		add(c)
	}
	for i, enc := range testgen.IdentityEncodings() {
		c = s.IdentityR(testgen.RandomMessage(rng, 64), enc)
		c.Name = fmt.Sprintf("identity-R#%d", i)
		add(c)
	}
	nc := testgen.NonCanonicalLargeOrderEncodings()
	c = honest("noncanonical-R")
	copy(c.Sig[:32], nc[rng.IntN(len(nc))])
	add(c)
	c = honest("noncanonical-A")
	c.Pub = nc[rng.IntN(len(nc))]
	add(c)
	for _, o := range []int{2, 4, 8} {
		c = s.TorsionR(rng, testgen.RandomMessage(rng, 64), o)
		c.Name = fmt.Sprintf("torsion-R(order %d)", o)
		add(c)
		c = s.TorsionA(rng, testgen.RandomMessage(rng, 64), o)
		c.Name = fmt.Sprintf("torsion-A(order %d)", o)
		add(c)
	}
	c = honest("wrong-key")
	c.Pub = other.Pub
	add(c)
	c = testgen.Mutate(rng, s.Honest(testgen.RandomMessage(rng, 64)))
	add(c)
	return out
}

func btReverse(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}

// TestBatchIsolation: one bad item of each kind (wrong lengths, nil fields,
// s >= l, undecodable A or R, small-order A or R, torsion, non-canonical R)
// at random positions among valid items: the valid items stay valid in every
// mode, the bad ones get exactly the single verdict, and nothing panics.
// Each kind is also checked alone among valid items.
func TestBatchIsolation(t *testing.T) {
	rng := btRNG(t, "TestBatchIsolation")
	signers := btSigners(rng, 4)
	bad := btBadKinds(t, rng, signers[0], signers[1])
	nValid := 60
	if testing.Short() {
		nValid = 24
	}

	check := func(t *testing.T, label string, cases []testgen.Case, isBad []bool, workers []int) {
		t.Helper()
		b := btMakeBatch(t, cases)
		for i := range cases {
			if !isBad[i] {
				for _, m := range btModes {
					if !b.want[m][i] {
						t.Fatalf("%s: honest item %d is not valid in %v", label, i, m)
					}
				}
			}
		}
		for _, m := range btModes {
			for _, w := range workers {
				btRunBoth(t, fmt.Sprintf("%s/mode=%v/workers=%d", label, m, w), b, m, w, ronkms.NewBatchVerifier(m, ronkms.WithWorkers(w)))
			}
		}
	}

	t.Run("all-kinds-mixed", func(t *testing.T) {
		reps := 2
		if testing.Short() {
			reps = 1
		}
		for rep := range reps {
			n := nValid + len(bad)
			cases := make([]testgen.Case, n)
			isBad := make([]bool, n)
			pos := rng.Perm(n)
			for j, c := range bad {
				cases[pos[j]] = c
				isBad[pos[j]] = true
			}
			for _, p := range pos[len(bad):] {
				cases[p] = btHonest(rng, signers)
			}
			check(t, fmt.Sprintf("rep=%d", rep), cases, isBad, []int{1, 2, 3, 4})
			if t.Failed() {
				return
			}
		}
	})
	t.Run("each-kind-alone", func(t *testing.T) {
		for k, c := range bad {
			n := 8 + rng.IntN(30)
			workers := []int{1, 2, 3, 4}
			if testing.Short() {
				n = 4 + rng.IntN(14)
				workers = []int{1 + k%4}
			}
			cases := make([]testgen.Case, n)
			isBad := make([]bool, n)
			p := rng.IntN(n)
			for i := range cases {
				cases[i] = btHonest(rng, signers[:1+rng.IntN(2)])
			}
			cases[p], isBad[p] = c, true
			check(t, fmt.Sprintf("kind=%s/n=%d/pos=%d", c.Name, n, p), cases, isBad, workers)
			if t.Failed() {
				return
			}
		}
	})
}

// btEquationBad turns an honest ZIP215 item into one whose points decode
// and s is canonical but whose cofactored equation fails, so that only the
// batch equation (and bisection) can find it.
func btEquationBad(rng *rand.Rand, c testgen.Case, signers []*testgen.Signer) testgen.Case {
	b := testgen.Case{Name: "equation-bad", Pub: c.Pub, Msg: btClone(c.Msg), Sig: btClone(c.Sig)}
	switch rng.IntN(4) {
	case 0: // another message
		b.Msg = append(b.Msg, byte(rng.Uint32()))
		b.Name += "(msg)"
	case 1: // s + 1 mod l
		var s, one edwards25519.Scalar
		if _, err := s.SetCanonicalBytes(b.Sig[32:]); err != nil {
			panic(err)
		}
		one.SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
		s.Add(&s, &one)
		copy(b.Sig[32:], s.Bytes())
		b.Name += "(s+1)"
	case 2: // another key that decodes
		for bytes.Equal(b.Pub, c.Pub) {
			b.Pub = signers[rng.IntN(len(signers))].Pub
		}
		b.Name += "(key)"
	default: // R of another signature
		r := signers[0].Honest([]byte("other"))
		copy(b.Sig[:32], r.Sig[:32])
		b.Name += "(R)"
	}
	return b
}

// TestBatchBisection: ZIP215 batches of 1,000 items (200 with -short) with
// 0, 1, 2, 7 and all-but-one bad items at random positions give exactly the
// single verdicts, for one key and for several keys.
func TestBatchBisection(t *testing.T) {
	rng := btRNG(t, "TestBatchBisection")
	n := 1000
	if testing.Short() {
		n = 200
	}
	const mode = ed25519.ZIP215
	for _, keys := range []int{1, 5} {
		signers := btSigners(rng, keys)
		others := append(btSigners(rng, 1), signers...)
		base := make([]testgen.Case, n)
		for i := range base {
			base[i] = btHonest(rng, signers)
			if !ed25519.VerifyZIP215(base[i].Pub, base[i].Msg, base[i].Sig) {
				t.Fatalf("honest item %d does not verify", i)
			}
		}
		for _, nBad := range []int{0, 1, 2, 7, n - 1} {
			label := fmt.Sprintf("keys=%d/n=%d/bad=%d", keys, n, nBad)
			cases := append([]testgen.Case(nil), base...)
			b := &btBatch{cases: cases, pubs: make([]ed25519.PublicKey, n), msgs: make([][]byte, n), sigs: make([][]byte, n),
				want: map[ed25519.Rules][]bool{}, wantAll: map[ed25519.Rules]bool{}}
			b.want[mode] = make([]bool, n)
			b.wantAll[mode] = nBad == 0
			for i := range b.want[mode] {
				b.want[mode][i] = true
			}
			for _, p := range rng.Perm(n)[:nBad] {
				cases[p] = btEquationBad(rng, base[p], others)
				c := cases[p]
				b.want[mode][p] = ed25519.VerifyZIP215(c.Pub, c.Msg, c.Sig)
				if b.want[mode][p] || testgen.Reference(testgen.ZIP215, c) {
					t.Fatalf("%s: crafted bad item %s at %d verifies", label, c.Name, p)
				}
			}
			for i, c := range cases {
				b.pubs[i], b.msgs[i], b.sigs[i] = c.Pub, c.Msg, c.Sig
			}
			all, valid := ronkms.VerifyBatch(mode, b.pubs, b.msgs, b.sigs)
			btCheck(t, label+"/VerifyBatch", b, mode, all, valid)
			workers := []int{1, 2, 4}
			if testing.Short() {
				workers = []int{1, 4}
			}
			for _, w := range workers {
				v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(w))
				btFill(t, label, v, b)
				all, valid := v.Verify()
				btCheck(t, fmt.Sprintf("%s/BatchVerifier/workers=%d", label, w), b, mode, all, valid)
			}
			if t.Failed() {
				return
			}
		}
	}
}

// TestBatchZIP215Cancellation: bad items whose errors cancel in an
// unweighted sum (s_i + d, s_j - d, or three errors summing to zero, under
// one key or several) are rejected in each of 32 runs (8 with -short), so
// the batch equation's coefficients do their job.
func TestBatchZIP215Cancellation(t *testing.T) {
	rng := btRNG(t, "TestBatchZIP215Cancellation")
	const mode = ed25519.ZIP215
	randScalar := func() *edwards25519.Scalar {
		b := make([]byte, 64)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		s, _ := new(edwards25519.Scalar).SetUniformBytes(b)
		return s
	}
	addToS := func(c *testgen.Case, d *edwards25519.Scalar) {
		var s edwards25519.Scalar
		if _, err := s.SetCanonicalBytes(c.Sig[32:]); err != nil {
			t.Fatal(err)
		}
		s.Add(&s, d)
		c.Sig = append(btClone(c.Sig[:32]), s.Bytes()...)
		c.Name = "s-shifted"
	}
	reps, sizes := 32, []int{8, 40}
	if testing.Short() {
		reps, sizes = 8, []int{40}
	}
	for _, keys := range []int{1, 3} {
		for _, group := range []int{2, 3} {
			for _, n := range sizes {
				label := fmt.Sprintf("keys=%d/group=%d/n=%d", keys, group, n)
				signers := btSigners(rng, keys)
				cases := make([]testgen.Case, n)
				for i := range cases {
					cases[i] = btHonest(rng, signers)
				}
				// Two groups of items whose s errors sum to zero.
				pos := rng.Perm(n)[:2*group]
				for g := range 2 {
					sum := new(edwards25519.Scalar)
					for k := range group {
						c := &cases[pos[g*group+k]]
						d := randScalar()
						if k == group-1 {
							d.Negate(sum)
						}
						sum.Add(sum, d)
						addToS(c, d)
					}
				}
				b := btMakeBatch(t, cases, mode)
				for _, p := range pos {
					if b.want[mode][p] {
						t.Fatalf("%s: shifted item %d verifies", label, p)
					}
				}
				for r := range reps {
					all, valid := ronkms.VerifyBatch(mode, b.pubs, b.msgs, b.sigs)
					btCheck(t, fmt.Sprintf("%s/rep=%d/VerifyBatch", label, r), b, mode, all, valid)
					if t.Failed() {
						return
					}
				}
			}
		}
	}
}

// TestBatchAPIContract: mismatched lengths and invalid rules give (false,
// nil); empty batches give (true, non-nil empty); the deprecated Mode names
// keep their rules and ParseMode names a bad input.
func TestBatchAPIContract(t *testing.T) {
	rng := btRNG(t, "TestBatchAPIContract")
	s := testgen.NewSigner(rng)
	c := s.Honest([]byte("contract"))
	pub, msg, sig := ed25519.PublicKey(c.Pub), c.Msg, c.Sig
	p1, m1, s1 := []ed25519.PublicKey{pub}, [][]byte{msg}, [][]byte{sig}
	p2, m2, s2 := []ed25519.PublicKey{pub, pub}, [][]byte{msg, msg}, [][]byte{sig, sig}

	t.Run("mismatched-lengths", func(t *testing.T) {
		for _, m := range btModes {
			for i, args := range []struct {
				p    []ed25519.PublicKey
				m, s [][]byte
			}{
				{p2, m1, s1}, {p1, m2, s1}, {p1, m1, s2}, {p2, m2, s1}, {nil, m1, s1}, {p1, nil, s1}, {p1, m1, nil},
				{p1, [][]byte{}, [][]byte{}}, {nil, nil, s2},
			} {
				all, valid := ronkms.VerifyBatch(m, args.p, args.m, args.s)
				if all || valid != nil {
					t.Errorf("mode=%v case %d (lens %d,%d,%d): got (%v, %v), want (false, nil)",
						m, i, len(args.p), len(args.m), len(args.s), all, valid)
				}
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		for _, m := range btModes {
			for i, args := range []struct {
				p    []ed25519.PublicKey
				m, s [][]byte
			}{{nil, nil, nil}, {[]ed25519.PublicKey{}, [][]byte{}, [][]byte{}}, {nil, [][]byte{}, nil}} {
				all, valid := ronkms.VerifyBatch(m, args.p, args.m, args.s)
				if !all || valid == nil || len(valid) != 0 {
					t.Errorf("VerifyBatch mode=%v empty case %d: got (%v, %#v), want (true, []bool{})", m, i, all, valid)
				}
			}
			v := ronkms.NewBatchVerifier(m)
			all, valid := v.Verify()
			if !all || valid == nil || len(valid) != 0 {
				t.Errorf("BatchVerifier mode=%v new: Verify() = (%v, %#v), want (true, []bool{})", m, all, valid)
			}
			v.Add(pub, msg, sig)
			v.Add(nil, nil, nil)
			if all, _ := v.Verify(); all {
				t.Errorf("BatchVerifier mode=%v: a batch with a nil item is all valid", m)
			}
			v.Reset()
			all, valid = v.Verify()
			if !all || valid == nil || len(valid) != 0 || v.Len() != 0 {
				t.Errorf("BatchVerifier mode=%v after Reset: Verify() = (%v, %#v), Len %d, want (true, []bool{}), 0", m, all, valid, v.Len())
			}
		}
	})
	t.Run("invalid-rules", func(t *testing.T) {
		for _, m := range []ed25519.Rules{ed25519.AllowNonCanonicalR, ed25519.Strict | ed25519.AllowNonCanonicalR, 0x20, 0xff} {
			if m.Validate() == nil {
				t.Fatalf("rules %v are valid", m)
			}
			for _, args := range []struct {
				p    []ed25519.PublicKey
				m, s [][]byte
			}{{p1, m1, s1}, {nil, nil, nil}, {p2, m2, s2}} {
				if all, valid := ronkms.VerifyBatch(m, args.p, args.m, args.s); all || valid != nil {
					t.Errorf("VerifyBatch(%v) on %d items = (%v, %v), want (false, nil)", m, len(args.p), all, valid)
				}
			}
			v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(2))
			if all, valid := v.Verify(); all || valid != nil {
				t.Errorf("NewBatchVerifier(%v).Verify() empty = (%v, %v), want (false, nil)", m, all, valid)
			}
			v.Add(pub, msg, sig)
			if all, valid := v.Verify(); all || valid != nil {
				t.Errorf("NewBatchVerifier(%v).Verify() = (%v, %v), want (false, nil)", m, all, valid)
			}
		}
	})
	t.Run("deprecated-modes", func(t *testing.T) {
		// The former names keep their rules.
		for _, c := range []struct {
			mode ronkms.Mode
			want ed25519.Rules
			name string
		}{{ronkms.ModeStdLib, ed25519.StdLib, "stdlib"}, {ronkms.ModeStrict, ed25519.Strict, "strict"}, {ronkms.ModeZIP215, ed25519.ZIP215, "zip215"}} {
			if c.mode != c.want || c.mode.String() != c.name {
				t.Errorf("%s: the former mode is %v", c.name, c.mode)
			}
			if got, err := ronkms.ParseMode(c.name); err != nil || got != c.want {
				t.Errorf("ParseMode(%q) = (%v, %v), want (%v, nil)", c.name, got, err, c.want)
			}
		}
		for _, bad := range []string{"bogus", "", "StdLib", "STRICT", " zip215", "zip215 ", "Mode(0)", "0"} {
			_, err := ronkms.ParseMode(bad)
			if err == nil {
				t.Errorf("ParseMode(%q) returned no error", bad)
				continue
			}
			if !strings.Contains(err.Error(), strconv.Quote(bad)) {
				t.Errorf("ParseMode(%q) error %q does not name the input", bad, err)
			}
			var ure *ed25519.UnknownRulesError
			if !errors.As(err, &ure) || ure.Name != bad {
				t.Errorf("ParseMode(%q) error %#v is not an *ed25519.UnknownRulesError naming it", bad, err)
			}
		}
	})
	t.Run("default-workers", func(t *testing.T) {
		// WithWorkers(n < 1) means GOMAXPROCS; the verdicts are unchanged.
		cases := []testgen.Case{c, testgen.Mutate(rng, c), s.TorsionR(rng, []byte("x"), 8), c}
		b := btMakeBatch(t, cases)
		for _, m := range btModes {
			for _, w := range []int{0, -1, 64} {
				v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(w))
				btFill(t, "default-workers", v, b)
				all, valid := v.Verify()
				btCheck(t, fmt.Sprintf("mode=%v/WithWorkers(%d)", m, w), b, m, all, valid)
			}
		}
	})
}

// TestBatchVerifierNoRetention: BatchVerifier.Add does not retain the
// caller's pub, msg or sig buffers (overwriting them after Add leaves the
// verdicts those of the original inputs, in both directions), and the slice
// returned by Verify is not aliased by a later Reset, Add or Verify.
func TestBatchVerifierNoRetention(t *testing.T) {
	rng := btRNG(t, "TestBatchVerifierNoRetention")
	signers := btSigners(rng, 2)
	for _, m := range btModes {
		for _, w := range []int{1, 4} {
			label := fmt.Sprintf("mode=%v/workers=%d", m, w)
			v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(w))
			const n = 40 // above the ZIP215 parallel chunk size
			var cases []testgen.Case
			var bufs [][3][]byte
			var after [][3][]byte // what the caller writes into its buffers after Add
			for i := range n {
				msg := make([]byte, 32)
				for j := range msg {
					msg[j] = byte(rng.Uint32())
				}
				good := signers[i%2].Honest(msg)
				other := signers[(i+1)%2]
				var c testgen.Case
				var next [3][]byte
				if i%3 == 1 {
					// Invalid when added (the other signer's key), valid
					// once the caller overwrites its buffers.
					c = testgen.Case{Name: "wrong-key", Pub: btClone(other.Pub), Msg: btClone(good.Msg), Sig: btClone(good.Sig)}
					next = [3][]byte{good.Pub, good.Msg, good.Sig}
				} else {
					// Valid when added; every buffer is then spoiled.
					c = testgen.Case{Name: "honest", Pub: btClone(good.Pub), Msg: btClone(good.Msg), Sig: btClone(good.Sig)}
					next = [3][]byte{other.Pub, btClone(good.Msg), btClone(good.Sig)}
					next[1][rng.IntN(32)] ^= 1 << rng.IntN(8)
					next[2][rng.IntN(32)] ^= 1 << rng.IntN(8)
				}
				cases = append(cases, c)
				bufs = append(bufs, [3][]byte{c.Pub, c.Msg, c.Sig})
				after = append(after, next)
			}
			// The expected verdicts are those of copies of the inputs.
			orig := make([]testgen.Case, n)
			for i, c := range cases {
				orig[i] = testgen.Case{Name: c.Name, Pub: btClone(c.Pub), Msg: btClone(c.Msg), Sig: btClone(c.Sig)}
			}
			b := btMakeBatch(t, orig)
			for i := range bufs {
				v.Add(bufs[i][0], bufs[i][1], bufs[i][2])
			}
			for i := range bufs {
				for j := range 3 {
					copy(bufs[i][j], after[i][j])
				}
			}
			all, valid := v.Verify()
			btCheck(t, label+"/after-overwrite", b, m, all, valid)
			// Sanity: the overwrite flips the verdict of every item of the
			// caller's buffers, so the check above has teeth.
			for i := range bufs {
				if btSingle(m, bufs[i][0], bufs[i][1], bufs[i][2]) == b.want[m][i] {
					t.Fatalf("%s: overwriting item %d does not change its verdict", label, i)
				}
			}

			// The returned slice is not aliased.
			kept := append([]bool(nil), valid...)
			for i := range valid {
				valid[i] = !valid[i] // the caller owns it; this must not leak back
			}
			all2, valid2 := v.Verify()
			btCheck(t, label+"/after-caller-writes-result", b, m, all2, valid2)
			if len(valid) > 0 && len(valid2) > 0 && &valid[0] == &valid2[0] {
				t.Errorf("%s: two Verify calls returned the same slice", label)
			}
			copy(valid, kept)
			v.Reset()
			for range n {
				c := btHonest(rng, signers)
				v.Add(c.Pub, c.Msg, c.Sig)
			}
			if all3, valid3 := v.Verify(); !all3 || len(valid3) != n {
				t.Errorf("%s: honest batch after Reset: (%v, %d verdicts)", label, all3, len(valid3))
			}
			v.Reset()
			v.Add(nil, nil, nil)
			v.Verify()
			btCheck(t, label+"/first-result-after-Reset-Add-Verify", b, m, all, valid)
			btCheck(t, label+"/second-result-after-Reset-Add-Verify", b, m, all2, valid2)
		}
	}
}

// TestBatchVectors: the public vectors through the batch APIs. Wycheproof in
// StdLib and Strict equals Valid (and the single verdicts, in ZIP215 too);
// the 196 ZIP-215 cases are all valid in ZIP215 and equal the single
// verdicts in Strict and StdLib; the 1,024 rfc8032_sign.input cases are all
// valid in every mode (through VerifyBatch only under -short).
func TestBatchVectors(t *testing.T) {
	toBatch := func(t *testing.T, cases []testgen.Case) *btBatch { return btMakeBatch(t, cases) }
	run := func(t *testing.T, name string, b *btBatch, m ed25519.Rules) {
		all, valid := ronkms.VerifyBatch(m, b.pubs, b.msgs, b.sigs)
		btCheck(t, name+"/VerifyBatch", b, m, all, valid)
		if testing.Short() && len(b.cases) > 500 {
			return // rfc8032: VerifyBatch only under -short
		}
		v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(3))
		btFill(t, name, v, b)
		all, valid = v.Verify()
		btCheck(t, name+"/BatchVerifier", b, m, all, valid)
	}
	t.Run("wycheproof", func(t *testing.T) {
		wp := testvectors.Wycheproof(t)
		cases := make([]testgen.Case, len(wp))
		for i, c := range wp {
			cases[i] = testgen.Case{Name: fmt.Sprintf("wycheproof tcId %d (%s)", c.TcID, c.Comment), Pub: c.Pub, Msg: c.Msg, Sig: c.Sig}
		}
		b := toBatch(t, cases)
		for _, m := range []ed25519.Rules{ed25519.StdLib, ed25519.Strict} {
			for i, c := range wp {
				if b.want[m][i] != c.Valid {
					t.Errorf("mode=%v: single verdict on %s is %v, Wycheproof says %v", m, cases[i].Name, b.want[m][i], c.Valid)
				}
			}
		}
		for _, m := range btModes {
			run(t, "wycheproof/mode="+m.String(), b, m)
		}
	})
	t.Run("zip215", func(t *testing.T) {
		zc := testvectors.ZIP215(t)
		cases := make([]testgen.Case, len(zc))
		for i, c := range zc {
			cases[i] = testgen.Case{Name: fmt.Sprintf("zip215 case %d", i), Pub: c.Pub, Msg: c.Msg, Sig: c.Sig}
			if !c.Valid {
				t.Fatalf("zip215 case %d is not marked valid", i)
			}
		}
		b := toBatch(t, cases)
		if !b.wantAll[ed25519.ZIP215] {
			t.Errorf("ZIP215 single verifier rejects some ZIP-215 case")
		}
		if b.wantAll[ed25519.Strict] {
			t.Errorf("Strict single verifier accepts every ZIP-215 case (they are mostly small-order)")
		}
		for _, m := range btModes {
			run(t, "zip215/mode="+m.String(), b, m)
		}
	})
	t.Run("rfc8032-sign-input", func(t *testing.T) {
		sc := testvectors.SignInput(t)
		cases := make([]testgen.Case, len(sc))
		for i, c := range sc {
			cases[i] = testgen.Case{Name: fmt.Sprintf("sign.input line %d", c.Line), Pub: c.Pub, Msg: c.Msg, Sig: c.Sig}
		}
		// All valid by definition: no single verification needed.
		b := &btBatch{cases: cases, pubs: make([]ed25519.PublicKey, len(cases)), msgs: make([][]byte, len(cases)), sigs: make([][]byte, len(cases)),
			want: map[ed25519.Rules][]bool{}, wantAll: map[ed25519.Rules]bool{}}
		for i, c := range cases {
			b.pubs[i], b.msgs[i], b.sigs[i] = c.Pub, c.Msg, c.Sig
		}
		for _, m := range btModes {
			b.want[m] = make([]bool, len(cases))
			for i := range b.want[m] {
				b.want[m][i] = true
			}
			b.wantAll[m] = true
		}
		for _, m := range btModes {
			run(t, "rfc8032/mode="+m.String(), b, m)
		}
	})
}

// TestBatchNoGoroutineLeak: after VerifyBatch and BatchVerifier.Verify with
// four workers return, the number of goroutines returns to its prior value.
func TestBatchNoGoroutineLeak(t *testing.T) {
	rng := btRNG(t, "TestBatchNoGoroutineLeak")
	signers := btSigners(rng, 3)
	n := 200
	if testing.Short() {
		n = 64
	}
	cases := make([]testgen.Case, n)
	for i := range cases {
		cases[i] = btDraw(rng, signers, 0.8)
	}
	b := btMakeBatch(t, cases)
	settle := func(before int) int {
		// 12,000 polls 5 ms apart (a minute at least) bound a hang only.
		for i := 0; ; i++ {
			now := runtime.NumGoroutine()
			if now <= before || i == 12_000 {
				return now
			}
			runtime.Gosched()
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, m := range btModes {
		before := runtime.NumGoroutine()
		all, valid := btVerifyBatchProcs(4, m, b.pubs, b.msgs, b.sigs)
		btCheck(t, "leak/VerifyBatch/mode="+m.String(), b, m, all, valid)
		if after := settle(before); after > before {
			t.Errorf("mode=%v: %d goroutines before VerifyBatch with 4 workers, %d after", m, before, after)
		}
		before = runtime.NumGoroutine()
		v := ronkms.NewBatchVerifier(m, ronkms.WithWorkers(4))
		btFill(t, "leak", v, b)
		all, valid = v.Verify()
		btCheck(t, "leak/BatchVerifier/mode="+m.String(), b, m, all, valid)
		if after := settle(before); after > before {
			t.Errorf("mode=%v: %d goroutines before BatchVerifier.Verify with 4 workers, %d after", m, before, after)
		}
	}
}
