package edwards

import (
	"bytes"
	"math/big"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

func u256Int(x *u256) *big.Int {
	w := [5]uint64{x[0], x[1], x[2], x[3]}
	return wordsInt(&w)
}

func intU256(x *big.Int) u256 {
	var out u256
	b := x.FillBytes(make([]byte, 32))
	for i := 0; i < 4; i++ {
		for j := 0; j < 8; j++ {
			out[i] |= uint64(b[31-8*i-j]) << (8 * j)
		}
	}
	return out
}

// specialKs returns challenge values that stress the reduction: tiny,
// huge first quotients, values near l/m and (l/m) 2^j.
func specialKs() []*big.Int {
	l := testgen.GroupOrder
	var ks []*big.Int
	for _, v := range []int64{0, 1, 2, 3, 5, 1 << 20} {
		ks = append(ks, big.NewInt(v))
	}
	one := big.NewInt(1)
	ks = append(ks, new(big.Int).Sub(l, one), new(big.Int).Sub(l, big.NewInt(2)))
	for _, sh := range []uint{60, 62, 63, 64, 65, 70, 100, 127, 128, 129, 130, 200} {
		ks = append(ks, new(big.Int).Lsh(one, sh))
		ks = append(ks, new(big.Int).Sub(new(big.Int).Lsh(one, sh), one))
		q := new(big.Int).Rsh(l, sh) // first quotient about 2^sh
		ks = append(ks, q, new(big.Int).Add(q, one))
		q8 := new(big.Int).Rsh(new(big.Int).Lsh(l, 3), sh)
		if q8.Cmp(l) < 0 {
			ks = append(ks, q8)
		}
	}
	for _, m := range []int64{3, 7, 8, 1000003} {
		ks = append(ks, new(big.Int).Div(l, big.NewInt(m)))
	}
	return ks
}

func TestReduceHalf(t *testing.T) {
	rng := newRand(t)
	l := testgen.GroupOrder
	ks := specialKs()
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		ks = append(ks, scalarInt(randScalar(rng)))
	}
	fails := 0
	for _, k := range ks {
		kk := intU256(k)
		for _, mode := range []struct {
			n       *u256
			bound   int
			needOdd bool
		}{{&groupOrder, 126, false}, {&groupOrder8, 128, true}} {
			h, ok := reduceHalf(mode.n, &kk, mode.bound, mode.needOdd)
			if !ok {
				fails++
				continue
			}
			nn := u256Int(mode.n)
			c0, c1 := u256Int(&h.c0), u256Int(&h.c1)
			if h.c1Neg {
				c1.Neg(c1)
			}
			if c1.Sign() == 0 {
				t.Fatalf("k=%v: c1 = 0", k)
			}
			diff := new(big.Int).Sub(c0, new(big.Int).Mul(c1, k))
			if diff.Mod(diff, nn).Sign() != 0 {
				t.Fatalf("k=%v n=%v: c0 != c1 k", k, nn)
			}
			if mode.needOdd && c1.Bit(0) == 0 {
				t.Fatalf("k=%v: c1 even", k)
			}
			if new(big.Int).Rsh(k, 16).Cmp(l) < 0 && k.BitLen() > 250 && h.maxBits() > mode.bound+8 && !mode.needOdd {
				t.Logf("k=%v: %d bits", k, h.maxBits())
			}
		}
	}
	// Random challenges must essentially always reduce to short scalars.
	worst := 0
	for i := 0; i < n; i++ {
		k := scalarWords(randScalar(rng))
		kk := u256{k[0], k[1], k[2], k[3]}
		h, ok := reduceHalf(&groupOrder8, &kk, 128, true)
		if !ok {
			t.Fatal("random k did not reduce")
		}
		worst = max(worst, h.maxBits())
		h, ok = reduceHalf(&groupOrder, &kk, 126, false)
		if !ok || h.maxBits() > 127 {
			t.Fatalf("random k mod l: ok=%v bits=%d", ok, h.maxBits())
		}
	}
	if worst > 136 {
		t.Fatalf("worst odd reduction %d bits", worst)
	}
	t.Logf("%d special reductions fell back; worst odd reduction of %d random: %d bits", fails, n, worst)
}

// refCheck computes both verification equations with filippo.
func refCheck(R, A *edwards25519.Point, k, s *edwards25519.Scalar) (cofactorless, cofactored bool) {
	var negA, Q edwards25519.Point
	negA.Negate(A)
	Q.VarTimeDoubleScalarBaseMult(k, &negA, s)
	cofactorless = Q.Equal(R) == 1
	Q.Subtract(&Q, R)
	Q.MultByCofactor(&Q)
	cofactored = Q.Equal(edwards25519.NewIdentityPoint()) == 1
	return
}

func TestVarTimeChecks(t *testing.T) {
	rng := newRand(t)
	T := testgen.TorsionPoints()
	n := 400
	if testing.Short() {
		n = 60
	}
	type tcase struct {
		R, A *edwards25519.Point
		k, s *edwards25519.Scalar
	}
	var cases []tcase
	ks := []*edwards25519.Scalar{}
	for _, k := range specialKs() {
		if k.Cmp(testgen.GroupOrder) < 0 {
			s, err := new(edwards25519.Scalar).SetCanonicalBytes(testgen.ScalarBytes(k))
			if err != nil {
				t.Fatal(err)
			}
			ks = append(ks, s)
		}
	}
	ks = append(ks, edgeScalars()...)
	for i := 0; i < n; i++ {
		ks = append(ks, randScalar(rng))
	}
	for i, k := range ks {
		a, r := randScalar(rng), randScalar(rng)
		A := new(edwards25519.Point).ScalarBaseMult(a)
		R := new(edwards25519.Point).ScalarBaseMult(r)
		switch i % 5 {
		case 1:
			A.Add(A, T[rng.IntN(8)])
		case 2:
			R.Add(R, T[rng.IntN(8)])
		case 3:
			A.Add(A, T[rng.IntN(8)])
			R.Add(R, T[rng.IntN(8)])
		case 4:
			A = T[rng.IntN(8)]
			R = T[rng.IntN(8)]
		}
		// s = r + k a: the equation holds up to the torsion components.
		s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
		cases = append(cases, tcase{R, A, k, s})
		// And a wrong s.
		cases = append(cases, tcase{R, A, k, randScalar(rng)})
	}
	// Equations that hold exactly through torsion: R = [s]B - [k]A for A
	// with torsion.
	for i := 0; i < 64; i++ {
		k, s := ks[i%len(ks)], randScalar(rng)
		A := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		A.Add(A, T[i%8])
		R := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, new(edwards25519.Point).Negate(A), s)
		cases = append(cases, tcase{R, A, k, s})
		R2 := new(edwards25519.Point).Add(R, T[(i/8)%8])
		cases = append(cases, tcase{R2, A, k, s})
	}

	counts := [4]int{}
	for i, c := range cases {
		wantLess, wantCof := refCheck(c.R, c.A, c.k, c.s)
		R := scramble(rng, fromFilippo(t, c.R))
		A := fromFilippo(t, c.A)
		if got := VarTimeCheckCofactorless(R, A, c.k, c.s); got != wantLess {
			t.Fatalf("case %d: cofactorless %v, want %v", i, got, wantLess)
		}
		if got := VarTimeCheckCofactored(R, A, c.k, c.s); got != wantCof {
			t.Fatalf("case %d: cofactored %v, want %v", i, got, wantCof)
		}
		var key Key
		key.Set(A)
		if got := VarTimeCheckCofactorlessKey(R, &key, c.k, c.s); got != wantLess {
			t.Fatalf("case %d: cofactorless with a Key %v, want %v", i, got, wantLess)
		}
		if got := VarTimeCheckCofactoredKey(R, &key, c.k, c.s); got != wantCof {
			t.Fatalf("case %d: cofactored with a Key %v, want %v", i, got, wantCof)
		}
		var Q Point
		checkFull(&Q, R, A, c.k, c.s)
		if Q.IsIdentity() != wantLess || Q.IsSmallOrder() != wantCof {
			t.Fatalf("case %d: checkFull", i)
		}
		b2 := 0
		if wantLess {
			b2 = 2
		}
		if wantCof {
			b2++
		}
		counts[b2]++
	}
	t.Logf("verdicts (cofactorless, cofactored): ff %d, ft %d, tf %d, tt %d", counts[0], counts[1], counts[2], counts[3])
	if counts[1] == 0 || counts[3] == 0 || counts[0] == 0 {
		t.Fatal("test cases do not cover all verdicts")
	}
}

func TestVarTimeCheckCofactorlessBytes(t *testing.T) {
	rng := newRand(t)
	T := testgen.TorsionPoints()
	n := 100
	if testing.Short() {
		n = 20
	}
	var encs [][]byte
	encs = append(encs, testgen.DerivedSmallOrderEncodings()...)
	encs = append(encs, testgen.NonCanonicalLargeOrderEncodings()...)
	for i := 0; i < n; i++ {
		k, s := randScalar(rng), randScalar(rng)
		fA := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		if i%2 == 1 {
			fA.Add(fA, T[i%8])
		}
		if i%7 == 3 {
			fA = T[i%8]
		}
		A := fromFilippo(t, fA)
		Rp := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, new(edwards25519.Point).Negate(fA), s)
		want := Rp.Bytes()
		cands := [][]byte{want, randBytes(rng, 32), randBytes(rng, 31), nil}
		// The same point with x = 0 and the sign bit set, or y + p, where
		// they exist, and a flipped sign.
		flipped := append([]byte(nil), want...)
		flipped[31] ^= 0x80
		cands = append(cands, flipped)
		cands = append(cands, encs[i%len(encs)])
		for _, c := range cands {
			got := VarTimeCheckCofactorlessBytes(c, A, k, s)
			if got != bytes.Equal(c, want) {
				t.Fatalf("R=%x: got %v", c, got)
			}
		}
	}
	// R' is the identity (k = s = 0) against the identity's four
	// encodings: only the canonical one matches.
	zero := edwards25519.NewScalar()
	A := NewGeneratorPoint()
	for _, e := range testgen.IdentityEncodings() {
		want := bytes.Equal(e, NewIdentityPoint().Bytes())
		if VarTimeCheckCofactorlessBytes(e, A, zero, zero) != want {
			t.Fatalf("identity encoding %x", e)
		}
	}
}
