package edwards

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

// Test helpers: conversion through encodings, so that the tests do not
// depend on the field implementation's representation.

func fromFilippo(t testing.TB, p *edwards25519.Point) *Point {
	t.Helper()
	v := new(Point)
	if _, err := v.SetBytes(p.Bytes()); err != nil {
		t.Fatalf("decoding filippo's encoding: %v", err)
	}
	return v
}

func toFilippo(t testing.TB, p *Point) *edwards25519.Point {
	t.Helper()
	v, err := new(edwards25519.Point).SetBytes(p.Bytes())
	if err != nil {
		t.Fatalf("filippo decoding our encoding: %v", err)
	}
	return v
}

func samePoint(t testing.TB, what string, got *Point, want *edwards25519.Point) {
	t.Helper()
	if g, w := got.Bytes(), want.Bytes(); !bytes.Equal(g, w) {
		t.Fatalf("%s: got %x, want %x", what, g, w)
	}
}

func newRand(t testing.TB) *rand.Rand {
	seed := uint64(0x5eed)
	return rand.New(rand.NewPCG(seed, uint64(len(t.Name()))))
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func randScalar(rng *rand.Rand) *edwards25519.Scalar {
	s, err := new(edwards25519.Scalar).SetUniformBytes(randBytes(rng, 64))
	if err != nil {
		panic(err)
	}
	return s
}

// scalarOfBits returns a random scalar below 2^bits.
func scalarOfBits(rng *rand.Rand, bits int) *edwards25519.Scalar {
	b := randBytes(rng, 32)
	for i := range b {
		switch {
		case 8*i >= bits:
			b[i] = 0
		case 8*i+8 > bits:
			b[i] &= byte(1)<<(bits-8*i) - 1
		}
	}
	b[31] &= 0x0f
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(b)
	if err != nil {
		panic(err)
	}
	return s
}

// edgeScalars are scalars worth trying in every multiplication.
func edgeScalars() []*edwards25519.Scalar {
	var out []*edwards25519.Scalar
	small := []uint64{0, 1, 2, 3, 7, 8, 15, 16, 17, 127, 128, 255, 256}
	for _, v := range small {
		var b [32]byte
		b[0], b[1] = byte(v), byte(v>>8)
		s, _ := new(edwards25519.Scalar).SetCanonicalBytes(b[:])
		out = append(out, s)
	}
	// l - 1, l - 2, 2^252, 2^128, 2^128 - 1, all-ones below 2^252.
	one, _ := new(edwards25519.Scalar).SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
	two, _ := new(edwards25519.Scalar).SetCanonicalBytes(append([]byte{2}, make([]byte, 31)...))
	out = append(out, new(edwards25519.Scalar).Negate(one), new(edwards25519.Scalar).Negate(two))
	var b [32]byte
	b[31] = 0x10
	s, _ := new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	out = append(out, s)
	b = [32]byte{}
	b[16] = 1
	s, _ = new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	out = append(out, s)
	for i := 0; i < 16; i++ {
		b[i] = 0xff
	}
	b[16] = 0
	s, _ = new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	out = append(out, s)
	for i := range b {
		b[i] = 0xff
	}
	b[31] = 0x0f
	s, _ = new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	out = append(out, s)
	// Alternating bit patterns, which stress NAF carries.
	for i := range b {
		b[i] = 0xaa
	}
	b[31] = 0x0a
	s, _ = new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	out = append(out, s)
	for i := range b {
		b[i] = 0x55
	}
	b[31] = 0x05
	s, _ = new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	out = append(out, s)
	return out
}

// testPoints returns filippo points: the eight torsion points, B, random
// points of the prime-order subgroup and random points with a torsion
// component.
func testPoints(t testing.TB, rng *rand.Rand, n int) []*edwards25519.Point {
	T := testgen.TorsionPoints()
	out := append([]*edwards25519.Point{}, T[:]...)
	out = append(out, edwards25519.NewGeneratorPoint())
	for i := 0; i < n; i++ {
		P := new(edwards25519.Point).ScalarBaseMult(randScalar(rng))
		if i%2 == 1 {
			P.Add(P, T[rng.IntN(8)])
		}
		out = append(out, P)
	}
	return out
}

// scramble returns p with a random Z (same point, another representation).
func scramble(rng *rand.Rand, p *Point) *Point {
	// Adding then subtracting a random point leaves a representation with
	// unrelated Z.
	var r edwards25519.Point
	r.ScalarBaseMult(randScalar(rng))
	q := new(Point)
	if _, err := q.SetBytes(r.Bytes()); err != nil {
		panic(err)
	}
	out := new(Point).Add(p, q)
	return out.Subtract(out, q)
}
