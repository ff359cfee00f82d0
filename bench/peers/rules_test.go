package peers

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"testing"

	"filippo.io/edwards25519"
)

// TestPeerRules checks the rule set that the registry (impls.go) claims for
// every implementation, single and batch, on crafted signatures that tell
// the five rule sets apart. The report prints these claims, so they are
// tested, not only read from the peers' documentation.
func TestPeerRules(t *testing.T) {
	cases := craftedCases(t)
	// want[rules][case]
	want := map[string][]bool{
		//            valid  smallA  smallA-noncanon  torsionA
		"StdLib":      {true, true, true, false},
		"Strict":      {true, false, false, false},
		"ZIP215":      {true, true, true, true},
		"circl":       {true, true, false, false},
		"voi-default": {true, false, false, true},
	}
	items := make([]item, len(cases))
	for i, c := range cases {
		items[i] = c.item
	}
	for _, v := range singleVerifiers(items, false) {
		im, ok := Lookup(v.impl)
		if !ok {
			t.Fatalf("impl %q is not in the registry", v.impl)
		}
		for i, c := range cases {
			if got := v.verify(i); got != want[im.Rules][i] {
				t.Errorf("Verify impl=%s (rules %s) on %s: got %v, want %v", v.impl, im.Rules, c.name, got, want[im.Rules][i])
			}
		}
	}
	valid := distinctPool(3)
	for _, bi := range batchImpls {
		im, ok := Lookup(bi.impl)
		if !ok {
			t.Fatalf("impl %q is not in the registry", bi.impl)
		}
		for i, c := range cases {
			batch := append(append([]item{}, valid...), c.item)
			for _, w := range []int{1, 0} {
				if w == 0 && !bi.parallel {
					continue
				}
				if got := bi.prepare(batch, false, w)(); got != want[im.Rules][i] {
					t.Errorf("Batch impl=%s (rules %s) workers=%d with %s: all-valid %v, want %v", bi.impl, im.Rules, w, c.name, got, want[im.Rules][i])
				}
			}
		}
	}
}

type craftedCase struct {
	name string
	item item
}

func craftedCases(t *testing.T) []craftedCase {
	t.Helper()
	mustScalar := func(b []byte) *edwards25519.Scalar {
		s, err := new(edwards25519.Scalar).SetUniformBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	challenge := func(R, A, M []byte) *edwards25519.Scalar {
		h := sha512.New()
		h.Write(R)
		h.Write(A)
		h.Write(M)
		return mustScalar(h.Sum(nil))
	}
	r := mustScalar(bytes64(7))
	R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
	msg := []byte("ronkms peer rules")

	// A = identity: [s]B = R + [k]A holds with s = r for any k.
	identity := make([]byte, 32)
	identity[0] = 1
	// The identity encoded with y = p + 1 (non-canonical, y >= p).
	identityNC, _ := hex.DecodeString("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	smallSig := append(append([]byte{}, R...), r.Bytes()...)

	// A' = A + T with T of order 8, and s = r + k'a for k' = H(R, A', M):
	// the cofactored equation holds, the cofactorless one fails unless
	// 8 divides k'.
	T8, _ := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	T, err := new(edwards25519.Point).SetBytes(T8)
	if err != nil {
		t.Fatal(err)
	}
	if new(edwards25519.Point).MultByCofactor(T).Equal(edwards25519.NewIdentityPoint()) != 1 ||
		new(edwards25519.Point).Add(T, T).Equal(edwards25519.NewIdentityPoint()) == 1 {
		t.Fatal("T8 is not of order 4 or 8")
	}
	h := sha512.Sum512(seed(1000))
	a, err := new(edwards25519.Scalar).SetBytesWithClamping(h[:32])
	if err != nil {
		t.Fatal(err)
	}
	A := new(edwards25519.Point).ScalarBaseMult(a)
	Atorsion := new(edwards25519.Point).Add(A, T).Bytes()
	var tmsg []byte
	var k *edwards25519.Scalar
	for j := 0; ; j++ {
		tmsg = append([]byte("ronkms torsioned key "), byte(j))
		k = challenge(R, Atorsion, tmsg)
		if k.Bytes()[0]%8 != 0 {
			break
		}
	}
	s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
	torsionSig := append(append([]byte{}, R...), s.Bytes()...)

	return []craftedCase{
		{"a valid signature", distinctPool(1)[0]},
		{"small-order A (identity)", item{pub: identity, msg: msg, sig: smallSig}},
		{"small-order A, non-canonical encoding", item{pub: identityNC, msg: msg, sig: smallSig}},
		{"A with an order-8 component", item{pub: ed25519.PublicKey(Atorsion), msg: tmsg, sig: torsionSig}},
	}
}

func bytes64(b byte) []byte {
	out := make([]byte, 64)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}
