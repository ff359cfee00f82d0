package ed25519_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// checkKeyCase compares a VerifyingKey's verdicts on c with testgen.Reference
// (and Rules.Verify) under every one of the 32 rule combinations. keys
// caches the keys made so far, so that most keys verify many signatures.
func checkKeyCase(t *testing.T, keys map[string]*ed25519.VerifyingKey, c testgen.Case) {
	t.Helper()
	k, ok := keys[string(c.Pub)]
	if !ok {
		var err error
		k, err = ed25519.NewVerifyingKey(c.Pub)
		if err != nil {
			// No signature verifies under a key that cannot be made.
			for _, r := range testgen.AllRules() {
				if testgen.Reference(r, c) {
					t.Fatalf("%s: NewVerifyingKey(%x): %v, but the reference accepts under %v", c.Name, c.Pub, err, ed25519.Rules(r))
				}
			}
			if !strings.HasPrefix(err.Error(), "ed25519: bad public key: ") {
				t.Fatalf("NewVerifyingKey(%x): error %q", c.Pub, err)
			}
			return
		}
		if !bytes.Equal(k.PublicKey(), c.Pub) {
			t.Fatalf("PublicKey() = %x, made from %x", k.PublicKey(), c.Pub)
		}
		keys[string(c.Pub)] = k
	}
	for _, tr := range testgen.AllRules() {
		r := ed25519.Rules(tr)
		got := k.VerifyWithRules(r, c.Msg, c.Sig)
		if want := testgen.Reference(r, c); got != want {
			t.Fatalf("%s: VerifyWithRules(%v) = %v, reference %v (pub %x msg %x sig %x)", c.Name, r, got, want, c.Pub, c.Msg, c.Sig)
		}
		if got != r.Verify(c.Pub, c.Msg, c.Sig) {
			t.Fatalf("%s: VerifyWithRules(%v) = %v differs from Rules.Verify", c.Name, r, got)
		}
	}
	if k.Verify(c.Msg, c.Sig) != testgen.Reference(testgen.StdLib, c) {
		t.Fatalf("%s: Verify differs from the StdLib reference", c.Name)
	}
}

// TestVerifyingKey: a VerifyingKey's verdicts equal the reference's and
// Rules.Verify's under every rule combination, on random items of every
// kind (torsion in A and R, small-order and non-canonical encodings,
// mutations, wrong lengths), each key reused across items.
func TestVerifyingKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0x6b6579))
	signers := []*testgen.Signer{testgen.NewSigner(rng), testgen.NewSigner(rng), testgen.NewSigner(rng)}
	keys := map[string]*ed25519.VerifyingKey{}
	kinds := map[bool]int{}
	for range scaled(2000, 200) {
		c := testgen.Random(rng, signers)
		checkKeyCase(t, keys, c)
		kinds[testgen.Reference(testgen.StdLib, c)]++
	}
	// Keys whose encodings the rules judge: small order, non-canonical.
	s := signers[0]
	msg := []byte("judged keys")
	for _, e := range testgen.DerivedSmallOrderEncodings() {
		checkKeyCase(t, keys, testgen.SmallOrderA(rng, msg, e))
	}
	for _, order := range []int{2, 4, 8} {
		checkKeyCase(t, keys, s.TorsionA(rng, msg, order))
		checkKeyCase(t, keys, s.TorsionR(rng, msg, order))
	}
	for _, e := range testgen.NonCanonicalLargeOrderEncodings() {
		c := s.Honest(msg)
		c.Pub = e
		checkKeyCase(t, keys, c)
	}
	if kinds[true] == 0 || kinds[false] == 0 {
		t.Fatalf("verdicts not covered: %v", kinds)
	}
}

// TestVerifyingKeyBadInput: keys that cannot be made are errors; nil and
// zero keys and malformed signatures are false verdicts, never panics.
func TestVerifyingKeyBadInput(t *testing.T) {
	for _, pub := range [][]byte{nil, {}, make([]byte, 31), make([]byte, 33), offCurveEncoding(t)} {
		if k, err := ed25519.NewVerifyingKey(pub); err == nil || k != nil {
			t.Errorf("NewVerifyingKey(%x) = %v, %v; want an error", pub, k, err)
		}
	}
	pub, priv := fixedKey(5)
	msg := []byte("bad input")
	sig := ed25519.Sign(priv, msg)
	var nilKey *ed25519.VerifyingKey
	var zero ed25519.VerifyingKey
	for name, k := range map[string]*ed25519.VerifyingKey{"nil": nilKey, "zero": &zero} {
		if _, p := catch(func() {
			if k.Verify(msg, sig) || k.VerifyWithRules(ed25519.ZIP215, msg, sig) || k.PublicKey() != nil {
				t.Errorf("%s key: verified, or has a public key", name)
			}
		}); p {
			t.Errorf("%s key: panicked", name)
		}
	}
	k, err := ed25519.NewVerifyingKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Verify(msg, sig) {
		t.Fatal("a valid signature failed")
	}
	for _, bad := range [][]byte{nil, sig[:63], append(clone(sig), 0)} {
		for _, r := range testgen.AllRules() {
			if k.VerifyWithRules(ed25519.Rules(r), msg, bad) {
				t.Errorf("%v accepted a %d-byte signature", ed25519.Rules(r), len(bad))
			}
		}
	}
	// The key is a copy: changing the caller's slice changes nothing.
	pub2 := clone(pub)
	k2, _ := ed25519.NewVerifyingKey(pub2)
	pub2[0] ^= 1
	if !k2.Verify(msg, sig) || !bytes.Equal(k2.PublicKey(), pub) {
		t.Error("the key depends on the caller's slice")
	}
	out := k2.PublicKey()
	out[0] ^= 1
	if !bytes.Equal(k2.PublicKey(), pub) {
		t.Error("PublicKey returned the key's own storage")
	}
}

// TestVerifyingKeyConcurrent: one key shared by goroutines verifying valid
// and invalid signatures (run with -race).
func TestVerifyingKeyConcurrent(t *testing.T) {
	pub, priv := fixedKey(6)
	k, err := ed25519.NewVerifyingKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				msg := []byte{byte(g), byte(i)}
				sig := ed25519.Sign(priv, msg)
				if !k.VerifyWithRules(ed25519.Strict, msg, sig) || k.Verify(msg[:1], sig) {
					t.Errorf("goroutine %d item %d: wrong verdict", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestVerifyingKeySize keeps the size the documentation states.
func TestVerifyingKeySize(t *testing.T) {
	if n := unsafe.Sizeof(ed25519.VerifyingKey{}); n < 2600 || n > 2900 {
		t.Errorf("VerifyingKey is %d bytes; the documentation says about 2.8 KB", n)
	}
}
