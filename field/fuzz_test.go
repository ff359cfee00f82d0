package field

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"testing"

	ff "filippo.io/edwards25519/field"
)

// Native fuzz targets. Each compares every backend available on this CPU
// with filippo.io/edwards25519/field. Inputs are 32-byte encodings (through
// SetBytes) or, with the flag byte odd, raw limbs masked to 52 bits, the
// widest input the routines accept.

func fuzzElement(raw []byte, limbs bool) Element {
	var buf [40]byte
	copy(buf[:], raw)
	if !limbs {
		var e Element
		e.SetBytes(buf[:32])
		return e
	}
	var l [5]uint64
	for i := range l {
		l[i] = binary.LittleEndian.Uint64(buf[8*i:]) & (1<<52 - 1)
	}
	return Element{l[0], l[1], l[2], l[3], l[4]}
}

func addSeeds(f *testing.F, n int) {
	edges := valueEdges()
	for i := range edges {
		seed := make([]byte, 0, 1+40*n)
		seed = append(seed, byte(i))
		for j := 0; j < n; j++ {
			seed = append(seed, edges[(i+j)%len(edges)]...)
			seed = append(seed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		}
		f.Add(seed)
	}
	all := bytes.Repeat([]byte{0xff}, 1+40*n)
	f.Add(all)
}

// fuzzInputs splits data into n elements (40 bytes each after a flag byte).
func fuzzInputs(data []byte, n int) []Element {
	limbs := len(data) > 0 && data[0]&1 == 1
	if len(data) > 0 {
		data = data[1:]
	}
	out := make([]Element, n)
	for i := range out {
		var chunk []byte
		if len(data) > 40*i {
			chunk = data[40*i:]
		}
		if len(chunk) > 40 {
			chunk = chunk[:40]
		}
		out[i] = fuzzElement(chunk, limbs)
	}
	return out
}

func onEveryBackend(t *testing.T, f func(t *testing.T)) {
	for _, name := range backends() {
		restore := useBackend(name)
		f(t)
		restore()
	}
}

func FuzzMultiply(f *testing.F) {
	addSeeds(f, 2)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInputs(data, 2)
		want := new(ff.Element).Multiply(toFilippo(&in[0]), toFilippo(&in[1]))
		onEveryBackend(t, func(t *testing.T) {
			var v Element
			sameValue(t, "Multiply", v.Multiply(&in[0], &in[1]), want)
		})
	})
}

func FuzzSquare(f *testing.F) {
	addSeeds(f, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInputs(data, 1)
		want := new(ff.Element).Square(toFilippo(&in[0]))
		want3 := new(ff.Element).Square(want)
		want3.Square(want3)
		onEveryBackend(t, func(t *testing.T) {
			var v Element
			sameValue(t, "Square", v.Square(&in[0]), want)
			sameValue(t, "SquareN", v.SquareN(&in[0], 3), want3)
		})
	})
}

func FuzzInvert(f *testing.F) {
	addSeeds(f, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInputs(data, 1)
		want := new(ff.Element).Invert(toFilippo(&in[0]))
		onEveryBackend(t, func(t *testing.T) {
			var v Element
			sameValue(t, "Invert", v.Invert(&in[0]), want)
		})
	})
}

func FuzzSqrtRatio(f *testing.F) {
	addSeeds(f, 2)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInputs(data, 2)
		want, wantOK := new(ff.Element).SqrtRatio(toFilippo(&in[0]), toFilippo(&in[1]))
		onEveryBackend(t, func(t *testing.T) {
			var v Element
			_, ok := v.SqrtRatio(&in[0], &in[1])
			if ok != wantOK {
				t.Fatalf("wasSquare %d, filippo %d", ok, wantOK)
			}
			sameValue(t, "SqrtRatio", &v, want)
		})
	})
}

func FuzzBytesRoundTrip(f *testing.F) {
	for _, e := range valueEdges() {
		f.Add(e)
	}
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		var v Element
		fv, ferr := new(ff.Element).SetBytes(data)
		_, err := v.SetBytes(data)
		if (err == nil) != (ferr == nil) {
			t.Fatalf("SetBytes error %v, filippo %v", err, ferr)
		}
		if err != nil {
			return
		}
		enc := v.Bytes()
		if !bytes.Equal(enc, fv.Bytes()) {
			t.Fatalf("Bytes %x, filippo %x", enc, fv.Bytes())
		}
		var w Element
		w.SetBytes(enc)
		if !bytes.Equal(w.Bytes(), enc) || w.Equal(&v) != 1 {
			t.Fatal("round trip")
		}
		// The encoding is canonical: below p.
		masked := append([]byte{}, data...)
		masked[31] &= 0x7f // SetBytes ignores the top bit
		if bigOfBytes(enc).Cmp(bigOfBytes(masked)) != 0 || enc[31]&0x80 != 0 || !lessThanP(enc) {
			t.Fatal("not the canonical encoding")
		}
		if v.IsNegative() != fv.IsNegative() {
			t.Fatal("IsNegative")
		}
	})
}

func FuzzMultiply4(f *testing.F) {
	addSeeds(f, 8)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInputs(data, 8)
		var a, b [4]Element
		copy(a[:], in[:4])
		copy(b[:], in[4:])
		var want, wantSq [4]*ff.Element
		for k := range a {
			want[k] = new(ff.Element).Multiply(toFilippo(&a[k]), toFilippo(&b[k]))
			wantSq[k] = new(ff.Element).Square(toFilippo(&a[k]))
		}
		onEveryBackend(t, func(t *testing.T) {
			var out [4]Element
			Multiply4(&out, &a, &b)
			for k := range out {
				sameValue(t, "Multiply4", &out[k], want[k])
			}
			Square4(&out, &a)
			for k := range out {
				sameValue(t, "Square4", &out[k], wantSq[k])
			}
		})
	})
}

// lessThanP reports whether the 32-byte little-endian enc is below p.
func lessThanP(enc []byte) bool {
	r := make([]byte, 32)
	for i := range enc {
		r[31-i] = enc[i]
	}
	var v big.Int
	v.SetBytes(r)
	return v.Cmp(bigP) < 0
}
