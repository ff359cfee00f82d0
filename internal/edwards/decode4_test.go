package edwards

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

// Tests of DecodeFour and DecodeSignaturePoints against SetBytes, decoding
// by decoding, with the lane form (assembly with AVX-512 IFMA, the generic
// twins elsewhere) and without.

// laneForms are the settings of onBothDecodeForms and forEachLaneForm.
var laneForms = []struct {
	on  bool
	min int
}{{false, 1}, {true, 1}, {true, 3}}

// forEachLaneForm runs f under each of laneForms, restoring the settings.
func forEachLaneForm(f func()) {
	saved, savedMin := useLanePow, lanePowMin
	defer func() { useLanePow, lanePowMin = saved, savedMin }()
	for _, c := range laneForms {
		useLanePow, lanePowMin = c.on, c.min
		f()
	}
}

// onBothDecodeForms runs f with useLanePow off, on for any number of lanes
// (lanePowMin 1, as with IFMA), and on from three lanes (as with AVX2).
func onBothDecodeForms(t *testing.T, f func(t *testing.T)) {
	saved, savedMin := useLanePow, lanePowMin
	defer func() { useLanePow, lanePowMin = saved, savedMin }()
	for _, c := range laneForms {
		useLanePow, lanePowMin = c.on, c.min
		t.Run(fmt.Sprintf("useLanePow=%v/min=%d", c.on, c.min), f)
	}
}

// sameDecoding fails t unless got (decoded with canonical and ok) is what
// SetBytes gives for enc: the same error or not, canonical flag, and point
// (value, Z = 1, T = XY); on failure got must still be the generator, the
// value it held before.
func sameDecoding(t testing.TB, enc []byte, got *Point, canonical, ok bool) {
	t.Helper()
	want := NewGeneratorPoint()
	wantCanonical, err := want.SetBytes(enc)
	if ok != (err == nil) || canonical != wantCanonical {
		t.Fatalf("%x: ok %v canonical %v, SetBytes err %v canonical %v", enc, ok, canonical, err, wantCanonical)
	}
	if got.x.Equal(&want.x) != 1 || got.y.Equal(&want.y) != 1 || got.z.Equal(&want.z) != 1 || got.t.Equal(&want.t) != 1 {
		t.Fatalf("%x: decoded (%x, %x, %x, %x), SetBytes (%x, %x, %x, %x)", enc,
			got.x.Bytes(), got.y.Bytes(), got.z.Bytes(), got.t.Bytes(),
			want.x.Bytes(), want.y.Bytes(), want.z.Bytes(), want.t.Bytes())
	}
	if ok && !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%x: encodes to %x, SetBytes's to %x", enc, got.Bytes(), want.Bytes())
	}
}

func checkDecodeFour(t testing.TB, enc [4][]byte) {
	t.Helper()
	var out [4]Point
	for i := range out {
		out[i].Set(NewGeneratorPoint())
	}
	canonical, ok := DecodeFour(&out, &enc)
	for i := range out {
		sameDecoding(t, enc[i], &out[i], canonical[i], ok[i])
	}
}

// decodeEdges returns the edge encodings of point_test.go: the 14
// small-order encodings (x = 0 with the sign bit among them), non-canonical
// large-order ones, y = p .. 2^255-1 with both signs, y = 0 .. 18 with the
// sign bit, strings that are not points, and wrong lengths.
func decodeEdges() [][]byte {
	out := testgen.DerivedSmallOrderEncodings()
	out = append(out, testgen.NonCanonicalLargeOrderEncodings()...)
	out = append(out, testgen.IdentityEncodings()...)
	for c := 0; c < 19; c++ {
		for _, sign := range []byte{0, 0x80} {
			enc := bytes.Repeat([]byte{0xff}, 32)
			enc[0] = byte(0xed + c)
			enc[31] = 0x7f | sign
			out = append(out, enc)
			small := make([]byte, 32)
			small[0] = byte(c)
			small[31] = sign
			out = append(out, small)
		}
	}
	// y = 2 has no x: not a point. All 0xff is y = 18 with the sign bit,
	// a point.
	notPoint := make([]byte, 32)
	notPoint[0] = 2
	out = append(out, notPoint, bytes.Repeat([]byte{0xff}, 32))
	out = append(out, nil, []byte{}, make([]byte, 31), make([]byte, 33), make([]byte, 64))
	return out
}

// randomEncoding returns the encoding of a random point (with a torsion
// component half the time), or random bytes (about half of them points).
func randomEncoding(rng *rand.Rand) []byte {
	switch rng.IntN(3) {
	case 0:
		return randBytes(rng, 32)
	default:
		P := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		if rng.IntN(2) == 1 {
			P.Add(P, testgen.TorsionPoints()[rng.IntN(8)])
		}
		return P.Bytes()
	}
}

func TestDecodeFour(t *testing.T) {
	onBothDecodeForms(t, func(t *testing.T) {
		rng := newRand(t)
		edges := decodeEdges()
		// Every edge encoding in every lane, next to random points.
		for _, e := range edges {
			for lane := range 4 {
				var enc [4][]byte
				for i := range enc {
					enc[i] = randomEncoding(rng)
				}
				enc[lane] = e
				checkDecodeFour(t, enc)
			}
		}
		// Random mixtures of edges, random points and random strings.
		n := 2000
		if testing.Short() {
			n = 200
		}
		for range n {
			var enc [4][]byte
			for i := range enc {
				if rng.IntN(3) == 0 {
					enc[i] = edges[rng.IntN(len(edges))]
				} else {
					enc[i] = randomEncoding(rng)
				}
			}
			checkDecodeFour(t, enc)
		}
		// Fewer than four inputs.
		for k := range 4 {
			var enc [4][]byte
			for i := range k {
				enc[i] = randomEncoding(rng)
			}
			checkDecodeFour(t, enc)
		}
	})
}

func TestDecodeSignaturePoints(t *testing.T) {
	onBothDecodeForms(t, func(t *testing.T) {
		rng := newRand(t)
		edges := decodeEdges()
		check := func(rEnc, aEnc []byte) {
			t.Helper()
			R, A := NewGeneratorPoint(), NewGeneratorPoint()
			rCanonical, rOK, aOK := DecodeSignaturePoints(R, A, rEnc, aEnc)
			sameDecoding(t, rEnc, R, rCanonical, rOK)
			aCanonical, _ := new(Point).SetBytes(aEnc) // A's flag is not returned
			sameDecoding(t, aEnc, A, aCanonical, aOK)
		}
		for _, e := range edges {
			check(e, randomEncoding(rng))
			check(randomEncoding(rng), e)
			check(e, edges[rng.IntN(len(edges))])
		}
		for range 500 {
			check(randomEncoding(rng), randomEncoding(rng))
		}
	})
}

// FuzzDecodeFour decodes four 32-byte chunks of the input (the last one
// may be short, a wrong length) with DecodeFour in both forms and compares
// each with SetBytes.
func FuzzDecodeFour(f *testing.F) {
	edges := decodeEdges()
	for i := range edges {
		var seed []byte
		for j := range 4 {
			e := edges[(i+j)%len(edges)]
			if len(e) != 32 {
				e = make([]byte, 32)
			}
			seed = append(seed, e...)
		}
		f.Add(seed)
	}
	f.Add(edwards25519.NewGeneratorPoint().Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		var enc [4][]byte
		for i := range enc {
			lo, hi := min(32*i, len(data)), min(32*i+32, len(data))
			enc[i] = data[lo:hi]
		}
		forEachLaneForm(func() { checkDecodeFour(t, enc) })
	})
}

// BenchmarkDecode: four decodings per operation, with SetBytes one by one
// (impl=single) and with DecodeFour (impl=four, the lane form where this
// CPU runs it in assembly).
func BenchmarkDecode(b *testing.B) {
	rng := newRand(b)
	var enc [4][]byte
	var want [4]*edwards25519.Point
	for i := range enc {
		want[i] = new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		enc[i] = want[i].Bytes()
	}
	check := func(b *testing.B, out *[4]Point) {
		for i := range out {
			samePoint(b, "decoded", &out[i], want[i])
		}
	}
	b.Run("impl=single", func(b *testing.B) {
		var out [4]Point
		for b.Loop() {
			for i := range out {
				if _, err := out[i].SetBytes(enc[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		check(b, &out)
	})
	b.Run("impl=four", func(b *testing.B) {
		var out [4]Point
		for b.Loop() {
			if _, ok := DecodeFour(&out, &enc); ok != [4]bool{true, true, true, true} {
				b.Fatal("not decoded")
			}
		}
		check(b, &out)
	})
}
