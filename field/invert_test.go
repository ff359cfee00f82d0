package field

import (
	"math/big"
	"testing"
)

// invertFermat is the p-2 power, the inversion Invert used before
// invertSafegcd: its twin in the tests.
func invertFermat(v, z *Element) *Element {
	t, z11 := pow2k250(z)
	t.SquareN(&t, 5)
	return v.Multiply(&t, &z11)
}

// TestInvertSafegcd compares the safegcd inversion with the p-2 power and
// with math/big on edge-weighted random inputs (randElement: limbs at the
// edges, p-1, p, p+1, 2^255-1, ...), small values, and zero, and checks
// z·(1/z) = 1.
func TestInvertSafegcd(t *testing.T) {
	r := newRand(t)
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	var inputs []Element
	for i := range 64 {
		var e Element
		e.l0 = uint64(i)
		inputs = append(inputs, e)
	}
	for range 20 * iterations() {
		inputs = append(inputs, randElement(r))
	}
	for _, z := range inputs {
		var got, want, one Element
		got.invertSafegcd(&z)
		invertFermat(&want, &z)
		if got.Equal(&want) != 1 {
			t.Fatalf("1/%x: safegcd %x, p-2 power %x", z.Bytes(), got.Bytes(), want.Bytes())
		}
		zb := new(big.Int).SetBytes(reverse(z.Bytes()))
		zb.Mod(zb, p)
		if zb.Sign() == 0 {
			if got.Equal(new(Element)) != 1 {
				t.Fatalf("1/0 = %x, want 0", got.Bytes())
			}
			continue
		}
		wb := new(big.Int).ModInverse(zb, p)
		if gb := new(big.Int).SetBytes(reverse(got.Bytes())); gb.Cmp(wb) != 0 {
			t.Fatalf("1/%x: %x, math/big %x", z.Bytes(), got.Bytes(), wb.Bytes())
		}
		one.Multiply(&got, &z)
		if one.Equal(new(Element).One()) != 1 {
			t.Fatalf("z·(1/z) = %x", one.Bytes())
		}
		// Limbs within Element's bounds, so that the result feeds any routine.
		for _, l := range [5]uint64{got.l0, got.l1, got.l2, got.l3, got.l4} {
			if l >= 1<<52 {
				t.Fatalf("limb %#x out of range", l)
			}
		}
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func BenchmarkInvert(b *testing.B) {
	r := newRand(b)
	z := randElement(r)
	b.Run("impl=safegcd", func(b *testing.B) {
		var v Element
		for b.Loop() {
			v.invertSafegcd(&z)
		}
	})
	b.Run("impl=fermat", func(b *testing.B) {
		var v Element
		for b.Loop() {
			invertFermat(&v, &z)
		}
	})
}
