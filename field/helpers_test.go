package field

import (
	"math/big"
	"math/rand"
	"testing"

	ff "filippo.io/edwards25519/field"
)

// Shared test helpers: edge-weighted random inputs, conversions to
// filippo.io/edwards25519/field and to math/big, and the limb bound check.

// iterations is the number of random cases per routine and backend.
func iterations() int {
	if testing.Short() {
		return 128
	}
	return 1024
}

// outBound is the limb bound every Element produced by the package keeps:
// limbs below 2^51 + 2^42 (the assembly and generic routines accept limbs
// up to 2^52 - 1).
const outBound = 1<<51 + 1<<42

func checkBound(t testing.TB, what string, x *Element) {
	t.Helper()
	for i, l := range [5]uint64{x.l0, x.l1, x.l2, x.l3, x.l4} {
		if l >= outBound {
			t.Fatalf("%s: limb %d = %#x is not below 2^51 + 2^42", what, i, l)
		}
	}
}

var limbEdges = []uint64{0, 1, 2, 19, 1<<51 - 19, 1<<51 - 20, 1<<51 - 1, 1 << 51, 1<<52 - 1, 1<<52 - 2, 1<<51 + 1<<42 - 1}

// bytesOf returns 32 bytes little-endian of v (mod 2^256).
func bytesOf(v *big.Int) []byte {
	b := v.Bytes()
	out := make([]byte, 32)
	for i := 0; i < len(b) && i < 32; i++ {
		out[i] = b[len(b)-1-i]
	}
	return out
}

// valueEdges are encodings that SetBytes must take: 0, 1, p-1, p, p+1,
// 2^255-1 (all 0xff but the ignored top bit), all 0xff, 2^255-20, and a
// square root of -1.
func valueEdges() [][]byte {
	p := bigP
	one := big.NewInt(1)
	vals := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(19),
		new(big.Int).Sub(p, one), new(big.Int).Set(p), new(big.Int).Add(p, one),
		new(big.Int).Add(p, big.NewInt(18)),
		new(big.Int).Sub(new(big.Int).Lsh(one, 255), one),
		new(big.Int).Sub(new(big.Int).Lsh(one, 255), big.NewInt(20)),
		new(big.Int).Lsh(one, 254), new(big.Int).Lsh(one, 51), new(big.Int).Lsh(one, 204),
		elementToBig(sqrtM1),
	}
	var out [][]byte
	for _, v := range vals {
		out = append(out, bytesOf(v))
	}
	ff := make([]byte, 32)
	for i := range ff {
		ff[i] = 0xff
	}
	return append(out, ff)
}

// randElement returns an input Element, edge-weighted: random canonical
// encodings, edge values, limbs from limbEdges, and random limbs up to
// 2^52 - 1 (the largest any routine accepts).
func randElement(r *rand.Rand) Element {
	var e Element
	switch r.Intn(5) {
	case 0:
		var b [32]byte
		r.Read(b[:])
		e.SetBytes(b[:])
	case 1:
		edges := valueEdges()
		e.SetBytes(edges[r.Intn(len(edges))])
	case 2:
		l := [5]uint64{}
		for i := range l {
			l[i] = limbEdges[r.Intn(len(limbEdges))]
		}
		e = Element{l[0], l[1], l[2], l[3], l[4]}
	case 3:
		e = Element{r.Uint64() >> 12, r.Uint64() >> 12, r.Uint64() >> 12, r.Uint64() >> 12, r.Uint64() >> 12}
	default:
		l := [5]uint64{}
		for i := range l {
			if r.Intn(2) == 0 {
				l[i] = limbEdges[r.Intn(len(limbEdges))]
			} else {
				l[i] = r.Uint64() >> (12 + r.Intn(3))
			}
		}
		e = Element{l[0], l[1], l[2], l[3], l[4]}
	}
	return e
}

func randArray(r *rand.Rand) (a [4]Element) {
	for i := range a {
		a[i] = randElement(r)
	}
	return
}

// toFilippo returns the filippo Element with the value of x.
func toFilippo(x *Element) *ff.Element {
	f, err := new(ff.Element).SetBytes(bytesOf(elementToBig(x)))
	if err != nil {
		panic(err)
	}
	return f
}

// sameValue fails t unless x (ours) has the value of want (filippo's) and
// keeps the output limb bound.
func sameValue(t testing.TB, what string, x *Element, want *ff.Element) {
	t.Helper()
	checkBound(t, what, x)
	sameValueAnyLimbs(t, what, x, want)
}

// sameValueAnyLimbs is sameValue for operations that may pass an input
// through unchanged (Absolute, Select), whose limbs are the input's.
func sameValueAnyLimbs(t testing.TB, what string, x *Element, want *ff.Element) {
	t.Helper()
	got := bytesOf(elementToBig(x))
	if w := want.Bytes(); string(got) != string(w) {
		t.Fatalf("%s: got %x, want %x (limbs %#x)", what, got, w, *x)
	}
}

func newRand(t testing.TB) *rand.Rand {
	return rand.New(rand.NewSource(int64(len(t.Name())) * 7919))
}
