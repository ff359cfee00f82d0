package edwards

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"filippo.io/edwards25519"
)

func wordsInt(x *[5]uint64) *big.Int {
	r := new(big.Int)
	for i := 4; i >= 0; i-- {
		r.Lsh(r, 64)
		r.Add(r, new(big.Int).SetUint64(x[i]))
	}
	return r
}

func scalarInt(s *edwards25519.Scalar) *big.Int {
	w := scalarWords(s)
	return wordsInt(&w)
}

func TestDigits(t *testing.T) {
	rng := newRand(t)
	scalars := edgeScalars()
	for i := 0; i < 300; i++ {
		scalars = append(scalars, randScalar(rng), scalarOfBits(rng, 1+rng.IntN(253)))
	}
	for _, s := range scalars {
		x := scalarWords(s)
		want := wordsInt(&x)

		for w := uint(2); w <= 8; w++ {
			var naf [256]int8
			nafDigits(&naf, &x, w)
			got := new(big.Int)
			last := -1000
			for i := 255; i >= 0; i-- {
				got.Lsh(got, 1)
				got.Add(got, big.NewInt(int64(naf[i])))
				if d := int(naf[i]); d != 0 {
					if d%2 == 0 || d >= 1<<(w-1) || d <= -(1<<(w-1)) {
						t.Fatalf("w=%d: bad NAF digit %d", w, d)
					}
					if last-i < int(w) && last >= 0 {
						t.Fatalf("w=%d: nonzero digits %d and %d too close", w, last, i)
					}
					last = i
				}
			}
			if got.Cmp(want) != 0 {
				t.Fatalf("w=%d: NAF of %v is %v", w, want, got)
			}
		}

		var b [32]byte
		copy(b[:], s.Bytes())
		var r16 [64]int8
		signedRadix16(&r16, &b)
		got := new(big.Int)
		for i := 63; i >= 0; i-- {
			if r16[i] < -8 || r16[i] > 8 {
				t.Fatalf("radix-16 digit %d", r16[i])
			}
			got.Lsh(got, 4)
			got.Add(got, big.NewInt(int64(r16[i])))
		}
		if got.Cmp(want) != 0 {
			t.Fatal("signedRadix16")
		}

		for w := uint(2); w <= 16; w++ {
			n := (256 + int(w) - 1) / int(w)
			digits := make([]int16, n)
			signedDigits(digits, &x, w)
			got := new(big.Int)
			for i := n - 1; i >= 0; i-- {
				d := int64(digits[i])
				if d < -(1<<(w-1)) || d >= 1<<(w-1) {
					t.Fatalf("w=%d: signed digit %d", w, d)
				}
				got.Lsh(got, w)
				got.Add(got, big.NewInt(d))
			}
			if got.Cmp(want) != 0 {
				t.Fatalf("w=%d: signedDigits", w)
			}
		}
	}
}

func TestScalarBaseMult(t *testing.T) {
	rng := newRand(t)
	scalars := edgeScalars()
	n := 200
	if testing.Short() {
		n = 40
	}
	for i := 0; i < n; i++ {
		scalars = append(scalars, randScalar(rng))
	}
	// Both paths: the scalar comb once, the lane comb on every vecImpl.
	saved := useLaneComb
	defer func() { useLaneComb = saved }()
	for _, path := range scalarBaseMultPaths {
		useLaneComb = path.laneComb
		run := func(t *testing.T) {
			for _, s := range scalars {
				want := new(edwards25519.Point).ScalarBaseMult(s)
				samePoint(t, "ScalarBaseMult", new(Point).ScalarBaseMult(s), want)
			}
		}
		t.Run("path="+path.name, func(t *testing.T) {
			if path.laneComb {
				onEveryVecImpl(t, run)
			} else {
				run(t)
			}
		})
	}
	useLaneComb = saved
	// Aliasing: the receiver already holds a point.
	p := NewGeneratorPoint()
	p.ScalarBaseMult(scalars[3])
	samePoint(t, "ScalarBaseMult reuse", p, new(edwards25519.Point).ScalarBaseMult(scalars[3]))
}

func TestVarTimeDoubleScalarBaseMult(t *testing.T) {
	rng := newRand(t)
	pts := testPoints(t, rng, 20)
	scalars := edgeScalars()
	n := 30
	if testing.Short() {
		n = 8
	}
	for i := 0; i < n; i++ {
		scalars = append(scalars, randScalar(rng), scalarOfBits(rng, 1+rng.IntN(253)))
	}
	for i, fp := range pts {
		A := scramble(rng, fromFilippo(t, fp))
		for j := 0; j < len(scalars); j++ {
			k := scalars[j]
			s := scalars[(j*7+i)%len(scalars)]
			want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, fp, s)
			samePoint(t, "VarTimeDoubleScalarBaseMult", new(Point).VarTimeDoubleScalarBaseMult(k, A, s), want)
		}
		// Aliasing receiver and A.
		k, s := scalars[len(scalars)-1], scalars[len(scalars)-2]
		want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, fp, s)
		a := new(Point).Set(A)
		samePoint(t, "VarTimeDoubleScalarBaseMult aliased", a.VarTimeDoubleScalarBaseMult(k, a, s), want)
	}
}

func TestPrecomputedPoint(t *testing.T) {
	rng := newRand(t)
	pts := testPoints(t, rng, 6)
	scalars := edgeScalars()
	for i := 0; i < 10; i++ {
		scalars = append(scalars, randScalar(rng), scalarOfBits(rng, 64), scalarOfBits(rng, 65), scalarOfBits(rng, 130))
	}
	for i, fp := range pts {
		A := scramble(rng, fromFilippo(t, fp))
		if i%2 == 0 {
			A = fromFilippo(t, fp)
		}
		p := NewPrecomputedPoint(A)
		for j, k := range scalars {
			s := scalars[(j*5+i)%len(scalars)]
			want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, fp, s)
			samePoint(t, "VarTimeDoubleScalarBaseMultPrecomputed", new(Point).VarTimeDoubleScalarBaseMultPrecomputed(k, p, s), want)
		}
	}
}

// TestIsCanonicalScalar compares IsCanonicalScalar with
// Scalar.SetCanonicalBytes around l, 2^252 and 2^256, and on random bytes.
func TestIsCanonicalScalar(t *testing.T) {
	l := new(big.Int).Lsh(big.NewInt(1), 252)
	l.Add(l, bigFromDecimal(t, "27742317777372353535851937790883648493"))
	le := func(x *big.Int) []byte {
		b := make([]byte, 32)
		x.FillBytes(b)
		slices.Reverse(b)
		return b
	}
	var inputs [][]byte
	for _, base := range []*big.Int{l, new(big.Int).Lsh(big.NewInt(1), 252), new(big.Int).Lsh(big.NewInt(1), 253), big.NewInt(0)} {
		for d := int64(-3); d <= 3; d++ {
			x := new(big.Int).Add(base, big.NewInt(d))
			if x.Sign() >= 0 && x.BitLen() <= 256 {
				inputs = append(inputs, le(x))
			}
		}
		for bit := range 256 { // base with one bit flipped
			x := new(big.Int).Set(base)
			x.SetBit(x, bit, x.Bit(bit)^1)
			inputs = append(inputs, le(x))
		}
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for range 20000 {
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		b[31] &= []byte{0x0f, 0x1f, 0xff, 0x10}[rng.IntN(4)] // near and above l
		inputs = append(inputs, b)
	}
	inputs = append(inputs, nil, make([]byte, 31), make([]byte, 33))
	for _, b := range inputs {
		_, err := new(edwards25519.Scalar).SetCanonicalBytes(b)
		if got := IsCanonicalScalar(b); got != (err == nil) {
			t.Fatalf("IsCanonicalScalar(%x) = %v, SetCanonicalBytes error %v", b, got, err)
		}
	}
}

func bigFromDecimal(t *testing.T, s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad decimal %q", s)
	}
	return x
}
