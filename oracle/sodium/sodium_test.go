package sodium

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
	"github.com/ronkms/ronkms/oracle/internal/corpus"
	"github.com/ronkms/ronkms/oracle/internal/report"
	"github.com/ronkms/ronkms/oracle/internal/voiref"
)

// TestLibsodium compares libsodium's crypto_sign_verify_detached with
// ronkms's ed25519.Libsodium, single (Rules.Verify) and batch
// (ronkms.VerifyBatch, the whole corpus shuffled and random sub-batches),
// item by item, on every corpus case with a 32-byte key and a 64-byte
// signature (libsodium takes no other lengths; ronkms must say false on
// those). It also compares libsodium with curve25519-voi under the
// Libsodium preset's options {F,F,F,F,T}: by their definitions (ed25519/doc.go) the
// two references agree on every input, so a difference is reported with
// the input bytes rather than settled by either. Checked against
// libsodium 1.0.18 (Debian 12 1.0.18-1+deb12u1).
func TestLibsodium(t *testing.T) {
	t.Logf("libsodium %s", Version())
	c := corpus.Load(t)
	cases := c.Cases
	table := voiref.NewTable(cases)
	w, err := table.Want(ed25519.Libsodium)
	if err != nil {
		t.Fatal(err)
	}
	lib := make([]bool, len(cases))
	refMis := report.New(t, "libsodium vs voi "+voiref.OptionsString(ed25519.Libsodium))
	mis := report.New(t, "ronkms vs libsodium")
	compared, accepted := 0, 0
	for i, c := range cases {
		got, perr := report.NoPanic(func() bool { return ed25519.Libsodium.Verify(c.Pub, c.Msg, c.Sig) })
		if !c.Comparable() {
			if perr != nil || got {
				mis.Errorf("ed25519.Libsodium.Verify %v (%v) on a wrong-length input, want false: %v", got, perr, c)
			}
			continue
		}
		compared++
		lib[i] = Verify(c.Pub, c.Msg, c.Sig)
		if lib[i] {
			accepted++
		}
		if lib[i] != w[i] {
			refMis.Errorf("references disagree: libsodium %v, voi %s %v (ronkms %v) on %v", lib[i], voiref.OptionsString(ed25519.Libsodium), w[i], got, c)
		}
		if perr != nil || got != lib[i] {
			mis.Errorf("ed25519.Libsodium.Verify %v (%v), libsodium %v on %v", got, perr, lib[i], c)
		}
	}
	refMis.Done()
	mis.Done()
	t.Logf("single: %d inputs compared with libsodium (%d accepted), %d wrong-length inputs checked false without libsodium", compared, accepted, len(cases)-compared)

	// Batches.
	rng := testgen.RNG(t, "oracle/sodium/TestLibsodium", 0x50d1)
	batchMis := report.New(t, "VerifyBatch(Libsodium) vs libsodium")
	items := 0
	check := func(name string, idx []int) {
		var pubs []ed25519.PublicKey
		var msgs, sigs [][]byte
		for _, i := range idx {
			pubs, msgs, sigs = append(pubs, cases[i].Pub), append(msgs, cases[i].Msg), append(sigs, cases[i].Sig)
		}
		all, got := ronkms.VerifyBatch(ed25519.Libsodium, pubs, msgs, sigs)
		items += len(idx)
		if len(got) != len(idx) {
			batchMis.Errorf("%s: %d verdicts for %d items", name, len(got), len(idx))
			return
		}
		wantAll := true
		for j, i := range idx {
			wantAll = wantAll && lib[i]
			if got[j] != lib[i] {
				batchMis.Errorf("%s: item %d of %d: VerifyBatch %v, libsodium %v on %v", name, j, len(idx), got[j], lib[i], cases[i])
			}
		}
		if all != wantAll {
			batchMis.Errorf("%s: allValid %v, want %v", name, all, wantAll)
		}
	}
	check("whole corpus, shuffled", rng.Perm(len(cases)))
	nSub := 100
	if testing.Short() {
		nSub = 30
	}
	for b := range nSub {
		idx := make([]int, 1+rng.IntN(48))
		for j := range idx {
			idx[j] = rng.IntN(len(cases))
		}
		check(fmt.Sprintf("sub-batch %d", b), idx)
	}
	batchMis.Done()
	t.Logf("batch: %d batch items compared with libsodium (the corpus once, shuffled, and %d random sub-batches)", items, nSub)

	// Which of voi's 24 valid option sets agree with libsodium on this
	// corpus (information: the corpus cannot separate some of them).
	var agree []string
	for i := range 32 {
		r := ed25519.Rules(i)
		if r.Validate() != nil {
			continue
		}
		wr, err := table.Want(r)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for j, c := range cases {
			if c.Comparable() && wr[j] != lib[j] {
				n++
			}
		}
		if n == 0 {
			agree = append(agree, voiref.OptionsString(r)+" "+r.String())
		}
		if r == ed25519.Libsodium && n != 0 {
			t.Errorf("voi %s differs from libsodium on %d inputs", voiref.OptionsString(r), n)
		}
	}
	t.Logf("voi option sets with no disagreement with libsodium on the corpus: %s", strings.Join(agree, "; "))
}
