package edwards

import (
	"bytes"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

// FuzzDecodeEncode compares SetBytes, the canonical flag, Bytes,
// IsSmallOrder and BatchEncode with filippo.io/edwards25519 on arbitrary
// input.
func FuzzDecodeEncode(f *testing.F) {
	for _, e := range testgen.DerivedSmallOrderEncodings() {
		f.Add(e)
	}
	for _, e := range testgen.NonCanonicalLargeOrderEncodings() {
		f.Add(e)
	}
	f.Add(edwards25519.NewGeneratorPoint().Bytes())
	f.Add(make([]byte, 31))
	f.Fuzz(func(t *testing.T, enc []byte) {
		p := NewGeneratorPoint()
		canonical, err := p.SetBytes(enc)
		fp, ferr := new(edwards25519.Point).SetBytes(enc)
		if (err == nil) != (ferr == nil) {
			t.Fatalf("%x: err %v, filippo %v", enc, err, ferr)
		}
		if err != nil {
			if p.Equal(NewGeneratorPoint()) != 1 {
				t.Fatal("failed decode changed the receiver")
			}
			return
		}
		got := p.Bytes()
		if !bytes.Equal(got, fp.Bytes()) {
			t.Fatalf("%x: Bytes %x, filippo %x", enc, got, fp.Bytes())
		}
		if canonical != bytes.Equal(got, enc) {
			t.Fatalf("%x: canonical = %v", enc, canonical)
		}
		small := new(edwards25519.Point).MultByCofactor(fp).Equal(edwards25519.NewIdentityPoint()) == 1
		if p.IsSmallOrder() != small {
			t.Fatalf("%x: IsSmallOrder", enc)
		}
		if small != testgen.IsDerivedSmallOrderEncoding(enc) {
			t.Fatalf("%x: small-order encoding list disagrees", enc)
		}
		q := new(Point).Add(p, NewGeneratorPoint())
		out := make([][32]byte, 3)
		BatchEncode(out, []*Point{q, p, NewIdentityPoint()})
		if !bytes.Equal(out[1][:], got) || !bytes.Equal(out[0][:], q.Bytes()) || !bytes.Equal(out[2][:], NewIdentityPoint().Bytes()) {
			t.Fatal("BatchEncode")
		}
	})
}

// fuzzPoints returns fp = [a]B + T_i and fq = [b]B + T_j (filippo), and
// the same points as ours, p with a non-trivial representation (Z != 1).
func fuzzPoints(t *testing.T, as, bs []byte, ti, tj uint8) (fp, fq *edwards25519.Point, p, q *Point) {
	T := testgen.TorsionPoints()
	fp = new(edwards25519.Point).ScalarBaseMult(fuzzScalar(as))
	fp.Add(fp, T[ti%8])
	fq = new(edwards25519.Point).ScalarBaseMult(fuzzScalar(bs))
	fq.Add(fq, T[tj%8])
	p, q = fromFilippo(t, fp), fromFilippo(t, fq)
	p.Double(p)
	p.Subtract(p, fromFilippo(t, fp))
	return fp, fq, p, q
}

func fuzzScalar(b []byte) *edwards25519.Scalar {
	var buf [64]byte
	copy(buf[:], b)
	s, _ := new(edwards25519.Scalar).SetUniformBytes(buf[:])
	return s
}

// FuzzPointOps compares addition, subtraction, doubling, mixed additions,
// negation, equality and the cofactor multiplication with filippo on points
// [a]B + T_i and [b]B + T_j.
func FuzzPointOps(f *testing.F) {
	f.Add([]byte{1}, []byte{2}, uint8(0), uint8(0))
	f.Add([]byte{}, []byte{}, uint8(3), uint8(5))
	f.Add([]byte{0xff, 0xff}, []byte{7}, uint8(4), uint8(4))
	f.Fuzz(func(t *testing.T, as, bs []byte, ti, tj uint8) {
		fp, fq, p, q := fuzzPoints(t, as, bs, ti, tj)
		samePoint(t, "rep", p, fp)

		samePoint(t, "Add", new(Point).Add(p, q), new(edwards25519.Point).Add(fp, fq))
		samePoint(t, "Subtract", new(Point).Subtract(p, q), new(edwards25519.Point).Subtract(fp, fq))
		samePoint(t, "Double", new(Point).Double(p), new(edwards25519.Point).Add(fp, fp))
		samePoint(t, "Negate", new(Point).Negate(p), new(edwards25519.Point).Negate(fp))
		samePoint(t, "MultByCofactor", new(Point).MultByCofactor(p), new(edwards25519.Point).MultByCofactor(fp))
		var ac affineCached
		var r projP1xP1
		ac.fromP3(q)
		samePoint(t, "addAffine", new(Point).fromP1xP1(r.addAffine(p, &ac)), new(edwards25519.Point).Add(fp, fq))
		samePoint(t, "subAffine", new(Point).fromP1xP1(r.subAffine(p, &ac)), new(edwards25519.Point).Subtract(fp, fq))
		if p.Equal(q) != fp.Equal(fq) {
			t.Fatal("Equal")
		}
	})
}

// FuzzScalarMults compares ScalarBaseMult, VarTimeDoubleScalarBaseMult and
// the two equation checks with filippo.
func FuzzScalarMults(f *testing.F) {
	f.Add([]byte{1}, []byte{2}, []byte{3}, uint8(0))
	f.Add([]byte{}, []byte{0xff}, []byte{}, uint8(9))
	T := testgen.TorsionPoints()
	f.Fuzz(func(t *testing.T, as, ks, ss []byte, ti uint8) {
		a, k, s := fuzzScalar(as), fuzzScalar(ks), fuzzScalar(ss)
		samePoint(t, "ScalarBaseMult", new(Point).ScalarBaseMult(s), new(edwards25519.Point).ScalarBaseMult(s))
		fA := new(edwards25519.Point).ScalarBaseMult(a)
		fA.Add(fA, T[ti%8])
		A := fromFilippo(t, fA)
		want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, fA, s)
		samePoint(t, "VarTimeDoubleScalarBaseMult", new(Point).VarTimeDoubleScalarBaseMult(k, A, s), want)

		// R = [s]B - [k]A (+ torsion when ti >= 8): the cofactorless
		// equation holds iff no torsion was added.
		fR := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, new(edwards25519.Point).Negate(fA), s)
		fR.Add(fR, T[(ti/8)%8])
		R := fromFilippo(t, fR)
		less, cof := refCheck(fR, fA, k, s)
		if VarTimeCheckCofactorless(R, A, k, s) != less || VarTimeCheckCofactored(R, A, k, s) != cof {
			t.Fatal("equation checks")
		}
	})
}
