package edwards

import "encoding/binary"

// Field constants, set once from their canonical encodings when the package
// is initialized and never written again.
var (
	feZero   fe
	feOne    = new(fe).One()
	feD      = feMustBytes("a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352") // d = -121665/121666
	feD2     = feMustBytes("59f1b226949bd6eb56b183829a14e00030d1f3eef2808e19e7fcdf56dcd90624") // 2d
	feDInv   = feMustBytes("43f8c9cd76f2e0252e54794298d65d0b66cfb9cd1421162b43ced514d27e9040") // 1/d
	feSqrtM1 = feMustBytes("b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b") // sqrt(-1), the even root
)

func feMustBytes(h string) *fe {
	if len(h) != 64 {
		panic("edwards: bad constant")
	}
	var b [32]byte
	for i := range b {
		b[i] = unhex(h[2*i])<<4 | unhex(h[2*i+1])
	}
	v := new(fe)
	if _, err := v.SetBytes(b[:]); err != nil {
		panic(err)
	}
	return v
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	panic("edwards: bad hex digit")
}

// feFromWords sets v to the element whose canonical encoding is the four
// little-endian 64-bit words w. Tables are stored this way so that they do
// not depend on the field implementation's limb layout.
func feFromWords(v *fe, w *[4]uint64) *fe {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[0:8], w[0])
	binary.LittleEndian.PutUint64(b[8:16], w[1])
	binary.LittleEndian.PutUint64(b[16:24], w[2])
	binary.LittleEndian.PutUint64(b[24:32], w[3])
	v.SetBytes(b[:])
	return v
}

// feIsZero reports whether v = 0 (mod p). Variable-time in the result only.
func feIsZero(v *fe) bool {
	return v.Equal(&feZero) == 1
}
