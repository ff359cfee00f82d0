package edwards

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/big"
	"testing"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/testgen"
)

func feInt(v *fe) *big.Int {
	b := v.Bytes()
	r := make([]byte, 32)
	for i := range b {
		r[31-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}

var bigP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

func TestConstants(t *testing.T) {
	d := feInt(feD)
	// d * 121666 = -121665 (mod p)
	lhs := new(big.Int).Mul(d, big.NewInt(121666))
	lhs.Mod(lhs, bigP)
	rhs := new(big.Int).Sub(bigP, big.NewInt(121665))
	if lhs.Cmp(rhs) != 0 {
		t.Fatal("d is wrong")
	}
	d2 := new(big.Int).Lsh(d, 1)
	d2.Mod(d2, bigP)
	if feInt(feD2).Cmp(d2) != 0 {
		t.Fatal("2d is wrong")
	}
	var one fe
	one.Multiply(feD, feDInv)
	if one.Equal(feOne) != 1 {
		t.Fatal("1/d is wrong")
	}
	var m1 fe
	m1.Square(feSqrtM1)
	m1.Add(&m1, feOne)
	if !feIsZero(&m1) {
		t.Fatal("sqrt(-1) is wrong")
	}
	if feSqrtM1.IsNegative() != 0 {
		t.Fatal("sqrt(-1) should be the even root")
	}
}

// TestTables checks every base point table entry against the package's own
// arithmetic (the generator uses math/big independently).
func TestTables(t *testing.T) {
	B := NewGeneratorPoint()
	samePoint(t, "generator", B, edwards25519.NewGeneratorPoint())

	check := func(name string, w *affineWords, want *Point) {
		t.Helper()
		var got, exp affineCached
		got.fromWords(w)
		exp.fromP3(want)
		if got.YplusX.Equal(&exp.YplusX) != 1 || got.YminusX.Equal(&exp.YminusX) != 1 || got.T2d.Equal(&exp.T2d) != 1 {
			t.Fatalf("%s: table entry mismatch", name)
		}
		// Words must be canonical encodings.
		for c := 0; c < 3; c++ {
			var e fe
			feFromWords(&e, (*[4]uint64)(w[4*c:4*c+4]))
			b := e.Bytes()
			for k := 0; k < 4; k++ {
				var x uint64
				for j := 7; j >= 0; j-- {
					x = x<<8 | uint64(b[8*k+j])
				}
				if x != w[4*c+k] {
					t.Fatalf("%s: non-canonical table word", name)
				}
			}
		}
	}
	nafCheck := func(name string, table *[64]affineWords, P *Point) {
		var P2, acc Point
		P2.Double(P)
		acc.Set(P)
		for i := range table {
			check(name, &table[i], &acc)
			acc.Add(&acc, &P2)
		}
	}
	P := new(Point).Set(B)
	for i, table := range []*[64]affineWords{&basepointNafTable, &basepoint64NafTable, &basepoint128NafTable, &basepoint192NafTable} {
		nafCheck(fmt.Sprintf("NAF table of [2^%d]B", 64*i), table, P)
		for j := 0; j < 64; j++ {
			P.Double(P)
		}
	}
	// The unpacked tables equal the generated ones.
	for i, pair := range []struct {
		w *[64]affineWords
		t *affineNafTable
	}{{&basepointNafTable, bNaf}, {&basepoint64NafTable, b64Naf}, {&basepoint128NafTable, b128Naf}, {&basepoint192NafTable, b192Naf}} {
		for j := range pair.w {
			var e affineCached
			e.fromWords(&pair.w[j])
			if e != pair.t[j] {
				t.Fatalf("unpacked table %d entry %d", i, j)
			}
		}
	}

	row := new(Point).Set(B)
	for i := range basepointCombTable {
		acc := new(Point).Set(row)
		for j := range basepointCombTable[i] {
			check("basepointCombTable", &basepointCombTable[i][j], acc)
			acc.Add(acc, row)
		}
		for k := 0; k < 8; k++ {
			row.Double(row)
		}
	}
}

func TestIdentityAndGenerator(t *testing.T) {
	samePoint(t, "identity", NewIdentityPoint(), edwards25519.NewIdentityPoint())
	if !NewIdentityPoint().IsIdentity() || NewGeneratorPoint().IsIdentity() {
		t.Fatal("IsIdentity")
	}
	var id Point
	id.Subtract(NewGeneratorPoint(), NewGeneratorPoint())
	if !id.IsIdentity() || id.Equal(NewIdentityPoint()) != 1 {
		t.Fatal("B - B is not the identity")
	}
}

// TestPointOps compares every point operation with filippo.io/edwards25519
// over random points and all torsion points, with scrambled representations
// and every aliasing pattern.
func TestPointOps(t *testing.T) {
	rng := newRand(t)
	n := 40
	if testing.Short() {
		n = 12
	}
	pts := testPoints(t, rng, n)
	for i, fp := range pts {
		p := fromFilippo(t, fp)
		ps := scramble(rng, p)
		samePoint(t, "scramble", ps, fp)

		var dbl Point
		samePoint(t, "Double", dbl.Double(ps), new(edwards25519.Point).Add(fp, fp))
		samePoint(t, "Negate", new(Point).Negate(ps), new(edwards25519.Point).Negate(fp))
		samePoint(t, "MultByCofactor", new(Point).MultByCofactor(ps), new(edwards25519.Point).MultByCofactor(fp))

		small := new(edwards25519.Point).MultByCofactor(fp).Equal(edwards25519.NewIdentityPoint()) == 1
		if ps.IsSmallOrder() != small || p.IsSmallOrder() != small {
			t.Fatalf("IsSmallOrder(point %d) = %v, want %v", i, ps.IsSmallOrder(), small)
		}
		isID := fp.Equal(edwards25519.NewIdentityPoint()) == 1
		if ps.IsIdentity() != isID {
			t.Fatalf("IsIdentity(point %d)", i)
		}

		// Aliasing: v.Op(v, v) and v.Op(v, other).
		a := new(Point).Set(ps)
		a.Double(a)
		samePoint(t, "Double aliased", a, new(edwards25519.Point).Add(fp, fp))
		a.Set(ps)
		a.Negate(a)
		samePoint(t, "Negate aliased", a, new(edwards25519.Point).Negate(fp))
		a.Set(ps)
		a.MultByCofactor(a)
		samePoint(t, "MultByCofactor aliased", a, new(edwards25519.Point).MultByCofactor(fp))
		a.Set(ps)
		a.Add(a, a)
		samePoint(t, "Add(v, v)", a, new(edwards25519.Point).Add(fp, fp))
		a.Set(ps)
		a.Subtract(a, a)
		if !a.IsIdentity() {
			t.Fatal("Subtract(v, v) is not the identity")
		}

		for j, fq := range pts {
			q := fromFilippo(t, fq)
			if j%3 == 0 {
				q = scramble(rng, q)
			}
			wantSum := new(edwards25519.Point).Add(fp, fq)
			wantDiff := new(edwards25519.Point).Subtract(fp, fq)
			samePoint(t, "Add", new(Point).Add(ps, q), wantSum)
			samePoint(t, "Subtract", new(Point).Subtract(ps, q), wantDiff)
			a.Set(ps)
			samePoint(t, "Add aliased left", a.Add(a, q), wantSum)
			b := new(Point).Set(q)
			samePoint(t, "Add aliased right", b.Add(ps, b), wantSum)
			a.Set(ps)
			samePoint(t, "Subtract aliased left", a.Subtract(a, q), wantDiff)
			b.Set(q)
			samePoint(t, "Subtract aliased right", b.Subtract(ps, b), wantDiff)

			// Mixed additions against full additions.
			var ac affineCached
			var r projP1xP1
			ac.fromP3(q)
			samePoint(t, "addAffine", new(Point).fromP1xP1(r.addAffine(ps, &ac)), wantSum)
			samePoint(t, "subAffine", new(Point).fromP1xP1(r.subAffine(ps, &ac)), wantDiff)
			samePoint(t, "fromAffineCached", new(Point).fromAffineCached(&ac), fq)
			samePoint(t, "fromAffineCachedNeg", new(Point).fromAffineCachedNeg(&ac), new(edwards25519.Point).Negate(fq))

			eq := fp.Equal(fq)
			if ps.Equal(q) != eq || q.Equal(ps) != eq {
				t.Fatalf("Equal(%d, %d) != %d", i, j, eq)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	a, b := NewGeneratorPoint(), NewIdentityPoint()
	if new(Point).Select(a, b, 1).Equal(a) != 1 || new(Point).Select(a, b, 0).Equal(b) != 1 {
		t.Fatal("Select")
	}
}

// TestLookupComb checks the constant-time selection against direct indexing
// for every digit.
func TestLookupComb(t *testing.T) {
	for row := range basepointCombTable {
		for d := -8; d <= 8; d++ {
			var got affineCached
			lookupComb(&got, &bComb[row], int8(d))
			var want Point
			switch {
			case d == 0:
				want.SetIdentity()
			case d > 0:
				var e affineCached
				e.fromWords(&basepointCombTable[row][d-1])
				want.fromAffineCached(&e)
			default:
				var e affineCached
				e.fromWords(&basepointCombTable[row][-d-1])
				want.fromAffineCachedNeg(&e)
			}
			if new(Point).fromAffineCached(&got).Equal(&want) != 1 {
				t.Fatalf("lookupComb(row %d, %d)", row, d)
			}
		}
	}
}

func TestDecodeSmallOrderEncodings(t *testing.T) {
	encs := testgen.DerivedSmallOrderEncodings()
	if len(encs) != 14 {
		t.Fatalf("expected 14 small-order encodings, got %d", len(encs))
	}
	for _, enc := range encs {
		var p Point
		canonical, err := p.SetBytes(enc)
		fp, ferr := new(edwards25519.Point).SetBytes(enc)
		if err != nil || ferr != nil {
			t.Fatalf("%x: err %v, filippo err %v", enc, err, ferr)
		}
		samePoint(t, "small-order decode", &p, fp)
		if !p.IsSmallOrder() {
			t.Fatalf("%x: not small order", enc)
		}
		if canonical != bytes.Equal(p.Bytes(), enc) {
			t.Fatalf("%x: canonical = %v, re-encoding %x", enc, canonical, p.Bytes())
		}
	}
	// Exactly the eight torsion points' canonical encodings are canonical.
	nCanon := 0
	for _, enc := range encs {
		c, _ := new(Point).SetBytes(enc)
		if c {
			nCanon++
		}
	}
	if nCanon != 8 {
		t.Fatalf("%d canonical small-order encodings, want 8", nCanon)
	}
}

func TestDecodeNonCanonical(t *testing.T) {
	encs := testgen.NonCanonicalLargeOrderEncodings()
	if len(encs) == 0 {
		t.Fatal("no encodings")
	}
	for _, enc := range encs {
		var p Point
		canonical, err := p.SetBytes(enc)
		fp, ferr := new(edwards25519.Point).SetBytes(enc)
		if (err == nil) != (ferr == nil) {
			t.Fatalf("%x: err %v, filippo %v", enc, err, ferr)
		}
		if err != nil {
			continue
		}
		if canonical {
			t.Fatalf("%x: reported canonical", enc)
		}
		samePoint(t, "non-canonical decode", &p, fp)
		if p.IsSmallOrder() {
			t.Fatalf("%x: small order", enc)
		}
	}
	// y = p .. 2^255-1 with both signs, exhaustively.
	for c := 0; c < 19; c++ {
		for _, sign := range []byte{0, 0x80} {
			enc := make([]byte, 32)
			for i := range enc {
				enc[i] = 0xff
			}
			enc[0] = byte(0xed + c)
			enc[31] = 0x7f | sign
			checkDecode(t, enc)
		}
	}
}

// checkDecode compares SetBytes with filippo's on one encoding, including
// the canonical flag (true iff re-encoding gives back the input) and that
// a failed decode leaves the receiver unchanged.
func checkDecode(t *testing.T, enc []byte) {
	t.Helper()
	p := NewGeneratorPoint()
	canonical, err := p.SetBytes(enc)
	fp, ferr := new(edwards25519.Point).SetBytes(enc)
	if (err == nil) != (ferr == nil) {
		t.Fatalf("%x: err %v, filippo %v", enc, err, ferr)
	}
	if err != nil {
		if p.Equal(NewGeneratorPoint()) != 1 || canonical {
			t.Fatalf("%x: failed decode changed the receiver or reported canonical", enc)
		}
		return
	}
	samePoint(t, "decode", p, fp)
	if canonical != bytes.Equal(p.Bytes(), enc) {
		t.Fatalf("%x: canonical = %v, re-encoding %x", enc, canonical, p.Bytes())
	}
	var z fe
	z.Subtract(&p.z, feOne)
	if !feIsZero(&z) {
		t.Fatalf("%x: decoded Z != 1", enc)
	}
	var xy fe
	xy.Multiply(&p.x, &p.y)
	if xy.Equal(&p.t) != 1 {
		t.Fatalf("%x: decoded T != XY", enc)
	}
}

func TestDecodeRandom(t *testing.T) {
	rng := newRand(t)
	n := 5000
	if testing.Short() {
		n = 500
	}
	ok := 0
	for i := 0; i < n; i++ {
		enc := randBytes(rng, 32)
		checkDecode(t, enc)
		if _, err := new(Point).SetBytes(enc); err == nil {
			ok++
		}
		// The same with x = 0 or a flipped sign.
		enc[31] ^= 0x80
		checkDecode(t, enc)
	}
	if ok < n/3 || ok > 2*n/3 {
		t.Fatalf("%d of %d random strings decoded; expected about half", ok, n)
	}
	for _, l := range []int{0, 1, 31, 33, 64} {
		p := NewGeneratorPoint()
		if _, err := p.SetBytes(make([]byte, l)); err == nil {
			t.Fatalf("length %d accepted", l)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	rng := newRand(t)
	for _, fp := range testPoints(t, rng, 30) {
		p := scramble(rng, fromFilippo(t, fp))
		enc := p.Bytes()
		if !bytes.Equal(enc, fp.Bytes()) {
			t.Fatalf("Bytes: %x, want %x", enc, fp.Bytes())
		}
		var out [32]byte
		p.BytesInto(&out)
		if !bytes.Equal(out[:], enc) {
			t.Fatal("BytesInto")
		}
		c, err := new(Point).SetBytes(enc)
		if err != nil || !c {
			t.Fatal("round trip")
		}
	}
	// RFC 8032 base point encoding.
	want, _ := hex.DecodeString("5866666666666666666666666666666666666666666666666666666666666666")
	if !bytes.Equal(NewGeneratorPoint().Bytes(), want) {
		t.Fatal("generator encoding")
	}
}

func TestBatchEncode(t *testing.T) {
	rng := newRand(t)
	maxN := 300
	if testing.Short() {
		maxN = 140
	}
	pool := testPoints(t, rng, 40)
	var ours []*Point
	for _, fp := range pool {
		ours = append(ours, scramble(rng, fromFilippo(t, fp)))
	}
	ours = append(ours, NewIdentityPoint(), new(Point).Subtract(ours[9], ours[9]))
	for n := 0; n <= maxN; n++ {
		pts := make([]*Point, n)
		for i := range pts {
			pts[i] = ours[rng.IntN(len(ours))]
		}
		out := make([][32]byte, n)
		BatchEncode(out, pts)
		for i := range pts {
			if !bytes.Equal(out[i][:], pts[i].Bytes()) {
				t.Fatalf("n=%d: item %d: %x, want %x", n, i, out[i], pts[i].Bytes())
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on length mismatch")
		}
	}()
	BatchEncode(make([][32]byte, 2), make([]*Point, 3))
}

func TestBatchEncodeUninitialized(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on an uninitialized point")
		}
	}()
	BatchEncode(make([][32]byte, 2), []*Point{NewGeneratorPoint(), new(Point)})
}

func TestBytesUninitialized(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on an uninitialized point")
		}
	}()
	new(Point).Bytes()
}

func TestBatchToAffineCached(t *testing.T) {
	rng := newRand(t)
	pool := testPoints(t, rng, 30)
	for _, n := range []int{0, 1, 2, 5, 63, 64, 65, 130} {
		pts := make([]*Point, n)
		for i := range pts {
			p := fromFilippo(t, pool[rng.IntN(len(pool))])
			if rng.IntN(2) == 0 {
				p = scramble(rng, p)
			}
			pts[i] = p
		}
		out := make([]affineCached, n)
		batchToAffineCached(out, pts)
		for i := range pts {
			if new(Point).fromAffineCached(&out[i]).Equal(pts[i]) != 1 {
				t.Fatalf("n=%d: item %d", n, i)
			}
		}
	}
}
