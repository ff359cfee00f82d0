package edwards

import (
	"encoding/binary"
	"math/bits"

	"filippo.io/edwards25519"
)

// Scalar is filippo.io/edwards25519's scalar, an integer modulo
// l = 2^252 + 27742317777372353535851937790883648493 kept reduced. Its Bytes
// method gives the canonical little-endian encoding, always below 2^253.
type Scalar = edwards25519.Scalar

// scalarWords returns the little-endian 64-bit words of s, plus a zero
// word so that windows may read past the top.
func scalarWords(s *Scalar) [5]uint64 {
	var b [32]byte
	copy(b[:], s.Bytes())
	return bytesWords(&b)
}

func bytesWords(b *[32]byte) [5]uint64 {
	return [5]uint64{
		binary.LittleEndian.Uint64(b[0:8]),
		binary.LittleEndian.Uint64(b[8:16]),
		binary.LittleEndian.Uint64(b[16:24]),
		binary.LittleEndian.Uint64(b[24:32]),
		0,
	}
}

// window returns the w bits of x starting at bit pos (w <= 57, pos < 256).
func window(x *[5]uint64, pos, w uint) uint64 {
	idx, bit := pos/64, pos%64
	buf := x[idx] >> bit
	if bit+w > 64 {
		buf |= x[idx+1] << (64 - bit)
	}
	return buf & (1<<w - 1)
}

// nafDigits writes to naf the width-w non-adjacent form of the integer with
// words x, which must be below 2^255: naf[i] is zero or odd with
// |naf[i]| < 2^(w-1), and of any w consecutive digits at most one is
// nonzero. naf must be zero on entry. Variable-time. w is 2 to 8.
func nafDigits(naf *[256]int8, x *[5]uint64, w uint) {
	// Stop at the top bit (plus a final carry): half-size scalars then
	// cost half.
	top := uint(0)
	for i := 3; i >= 0; i-- {
		if x[i] != 0 {
			top = uint(64*i + bits.Len64(x[i]))
			break
		}
	}
	width := uint64(1) << w
	carry := uint64(0)
	for pos := uint(0); pos < top || carry != 0; {
		win := carry + window(x, pos, w)
		if win&1 == 0 {
			// Zero digit; a pending carry stays pending (bit 1 + carry 1).
			pos++
			continue
		}
		if win < width/2 {
			carry = 0
			naf[pos] = int8(win)
		} else {
			carry = 1
			naf[pos] = int8(int64(win) - int64(width))
		}
		pos += w
	}
}

// signedRadix16 writes the 64 signed radix-16 digits of the integer with
// little-endian encoding b, which must be below 2^255: b = sum d[i] 16^i
// with d[i] in [-8, 8). Constant-time.
func signedRadix16(d *[64]int8, b *[32]byte) {
	for i := 0; i < 32; i++ {
		d[2*i] = int8(b[i] & 15)
		d[2*i+1] = int8(b[i] >> 4)
	}
	for i := 0; i < 63; i++ {
		carry := (d[i] + 8) >> 4
		d[i] -= carry << 4
		d[i+1] += carry
	}
}

// signedDigits writes the signed radix-2^w digits of the integer with words
// x (below 2^253) to out[0:n], n = ceil(256/w) = len(out): x = sum out[j]
// 2^(wj) with out[j] in [-2^(w-1), 2^(w-1)). Variable-time. w is 2 to 16.
func signedDigits(out []int16, x *[5]uint64, w uint) {
	half := int64(1) << (w - 1)
	carry := int64(0)
	for j := range out {
		pos := uint(j) * w
		if pos >= 256 {
			out[j] = int16(carry)
			carry = 0
			continue
		}
		win := int64(window(x, pos, w)) + carry
		carry = (win + half) >> w
		out[j] = int16(win - carry<<w)
	}
	if carry != 0 {
		panic("edwards: scalar too large for signed digits")
	}
}

// IsCanonicalScalar reports whether the 32 bytes b encode, little-endian, an
// integer below the group order l: whether Scalar.SetCanonicalBytes(b)
// succeeds, without its conversion to Montgomery form (which the batch
// screening leaves to the workers).
func IsCanonicalScalar(b []byte) bool {
	if len(b) != 32 {
		return false
	}
	x := u256{binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint64(b[8:]),
		binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:])}
	return x.less(&groupOrder)
}
