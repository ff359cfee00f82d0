package edwards

// The base point tables in field form. basepoint_table.go holds them as
// generated constants (canonical words, independent of the field's limb
// layout); they are unpacked once, when the package is initialized, into
// the arrays below, which nothing writes afterwards. Unpacking all 512
// entries takes about 10 us; it saves an unpacking (about 18 ns) at every
// lookup: 64 per ScalarBaseMult, about 28 per VarTimeDoubleScalarBaseMult.
var (
	bNaf    = unpackNafTable(&basepointNafTable)
	b64Naf  = unpackNafTable(&basepoint64NafTable)
	b128Naf = unpackNafTable(&basepoint128NafTable)
	b192Naf = unpackNafTable(&basepoint192NafTable)
	bComb   = unpackCombTable(&basepointCombTable)
)

// affineNafTable holds the odd multiples P, 3P, ..., 127P of a fixed point
// for width-8 NAF digits.
type affineNafTable [1 << (basepointNafWidth - 2)]affineCached

func unpackNafTable(w *[1 << (basepointNafWidth - 2)]affineWords) *affineNafTable {
	t := new(affineNafTable)
	for i := range t {
		t[i].fromWords(&w[i])
	}
	return t
}

func unpackCombTable(w *[32][8]affineWords) *[32][8]affineCached {
	t := new([32][8]affineCached)
	for i := range t {
		for j := range t[i] {
			t[i][j].fromWords(&w[i][j])
		}
	}
	return t
}

// addNaf sets r = acc + [d]P for an odd digit d of a width-8 NAF.
func (t *affineNafTable) addNaf(r *projP1xP1, acc *Point, d int8) {
	if d > 0 {
		r.addAffine(acc, &t[d/2])
	} else {
		r.subAffine(acc, &t[-d/2])
	}
}

// The width-8 NAF tables of B and [2^128]B in lane form, for the
// AVX-512 IFMA point routines (vec.go).
var (
	vecBNaf    = newVecNafTable(bNaf)
	vecB64Naf  = newVecNafTable(b64Naf)
	vecB128Naf = newVecNafTable(b128Naf)
	vecB192Naf = newVecNafTable(b192Naf)
)
