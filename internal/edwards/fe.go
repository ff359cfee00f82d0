package edwards

// This is the only file of the package that names a field implementation.
// Every other file uses fe and the helpers below, so moving to another
// implementation of the same API (github.com/ronkms/ronkms/field) is a change
// of the import path on the next line.
import field "github.com/ronkms/ronkms/field"

// fe is an element of GF(2^255 - 19). Its methods are those of
// filippo.io/edwards25519/field.Element: receivers and arguments may alias.
type fe = field.Element

// feVec4 selects the grouped forms of the point formulas (point.go), which
// compute their independent products with feMul4 and feSquare4, sometimes
// with an unused fourth lane. It is on where Multiply4 and Square4 run on
// AVX-512 IFMA: there grouping made doubling 21% and addition 20% faster
// (BENCHMARKS.md). Elsewhere the scalar forms run: under purego (four
// generic calls, plus copies and the unused lanes) grouping was 25-36%
// slower at the point level, and AVX2 was not measured there. It is set
// once from the field's backend, which does not depend on secret data.
var feVec4 = field.Backend() == "avx512ifma"

// feMul4 sets out[i] = a[i] * b[i] for i = 0..3: four independent products
// in one call (four lanes at once with AVX-512 IFMA or AVX2, four scalar
// products otherwise). Arguments may alias. Constant time.
func feMul4(out, a, b *[4]fe) {
	field.Multiply4(out, a, b)
}

// feSquare4 sets out[i] = a[i] * a[i] for i = 0..3, like feMul4.
func feSquare4(out, a *[4]fe) {
	field.Square4(out, a)
}
