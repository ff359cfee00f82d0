package ronkms_test

import (
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/testgen"
)

// Fixed material the fuzz target draws from: a few signers and the crafted
// encodings, computed once.
var btFuzzFixed = sync.OnceValue(func() (f struct {
	signers    []*testgen.Signer
	smallOrder [][]byte // every encoding of a small-order point
	identity   [][]byte // the encodings of the identity
	nonCanon   [][]byte // non-canonical encodings of large-order points
}) {
	rng := rand.New(rand.NewPCG(0xf022, 0xba7c))
	f.signers = btSigners(rng, 4)
	f.smallOrder = testgen.DerivedSmallOrderEncodings()
	f.identity = testgen.IdentityEncodings()
	f.nonCanon = testgen.NonCanonicalLargeOrderEncodings()
	return f
})

func btBytes32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}

// btFuzzInput reads the fuzz input; past its end it reads zeros.
type btFuzzInput struct{ b []byte }

func (in *btFuzzInput) u8() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

// take returns the next n bytes (fewer if the input ends), as a fresh slice.
func (in *btFuzzInput) take(n int) []byte {
	n = min(n, len(in.b))
	out := append(make([]byte, 0, n), in.b[:n]...)
	in.b = in.b[n:]
	return out
}

// fixed returns exactly n bytes: the next input bytes, zero-padded.
func (in *btFuzzInput) fixed(n int) []byte {
	out := make([]byte, n)
	copy(out, in.take(n))
	return out
}

// field returns a field of nominal length n: usually exactly n bytes, at
// times nil or a length from 0 to n+1.
func (in *btFuzzInput) field(n int) []byte {
	switch sel := in.u8(); {
	case sel < 224:
		return in.fixed(n)
	case sel == 255:
		return nil
	default:
		return in.fixed(int(sel-224) * (n + 2) / 31)
	}
}

// btFuzzItem decodes one batch item. The control byte ctl picks how (ctl%8)
// and which signer (ctl>>4%4). Raw items read a key field, a message length
// and message, and a signature field; testgen.Random items read nothing
// more; every other kind reads a selector byte sel, a message length and the
// message, then what its sel asks for:
//
//	1, 2  honest, then pos and x: if pos < 96 and x != 0, key||sig byte pos ^= x
//	4     R replaced (sel%4): small-order, non-canonical, 32 input bytes, identity
//	5     s replaced (sel%4): s+l, s+k*l, l-x, 32 input bytes
//	6     A replaced (sel%4): small-order A, torsion A, non-canonical A, other signer
//	7     torsion-R of order 2, 4 or 8 (sel%3)
//
// btFuzzItemSeed encodes the non-raw kinds.
func btFuzzItem(in *btFuzzInput, rng *rand.Rand) testgen.Case {
	fx := btFuzzFixed()
	ctl := in.u8()
	s := fx.signers[int(ctl>>4)%len(fx.signers)]
	pick := func(list [][]byte, i byte) []byte { return btClone(list[int(i)%len(list)]) }
	switch ctl % 8 {
	case 0:
		return testgen.Case{Name: "raw", Pub: in.field(32), Msg: in.take(int(in.u8() % 80)), Sig: in.field(64)}
	case 3:
		return testgen.Random(rng, fx.signers[:1+int(ctl>>6)])
	}
	sel := in.u8()
	msg := in.take(int(in.u8() % 48))
	c := s.Honest(msg)
	c.Pub = btClone(c.Pub)
	switch ctl % 8 {
	case 1, 2:
		c.Name = "honest"
		if pos, x := in.u8(), in.u8(); pos < 96 && x != 0 {
			c.Name = "honest-patched"
			if pos < 32 {
				c.Pub[pos] ^= x
			} else {
				c.Sig[pos-32] ^= x
			}
		}
	case 4:
		switch sel % 4 {
		case 0:
			c.Name = "R=small-order"
			copy(c.Sig[:32], pick(fx.smallOrder, sel>>2))
		case 1:
			c.Name = "R=non-canonical"
			copy(c.Sig[:32], pick(fx.nonCanon, sel>>2))
		case 2:
			c.Name = "R=input"
			copy(c.Sig[:32], in.fixed(32))
		default:
			c = s.IdentityR(msg, pick(fx.identity, sel>>2))
		}
	case 5:
		S := new(big.Int).SetBytes(btReverse(c.Sig[32:]))
		switch sel % 4 {
		case 0:
			c.Name = "s+l"
			S.Add(S, testgen.GroupOrder)
		case 1:
			c.Name = "s+k*l"
			S.Add(S, new(big.Int).Mul(testgen.GroupOrder, big.NewInt(int64(1+(sel>>2)%15))))
		case 2:
			c.Name = "s=l-x"
			S.Sub(testgen.GroupOrder, big.NewInt(int64(sel>>2)))
		default:
			c.Name = "s=input"
			S.SetBytes(btReverse(in.fixed(32)))
		}
		if S.BitLen() <= 256 {
			copy(c.Sig[32:], testgen.ScalarBytes(S))
		}
	case 6:
		switch sel % 4 {
		case 0:
			c = testgen.SmallOrderA(rng, msg, pick(fx.smallOrder, sel>>2))
		case 1:
			c = s.TorsionA(rng, msg, []int{2, 4, 8}[int(sel>>2)%3])
		case 2:
			c.Name = "A=non-canonical"
			c.Pub = pick(fx.nonCanon, sel>>2)
		default:
			c.Name = "A=other-signer"
			c.Pub = btClone(fx.signers[int(sel>>2)%len(fx.signers)].Pub)
		}
	default:
		c = s.TorsionR(rng, msg, []int{2, 4, 8}[int(sel)%3])
	}
	return c
}

// btFuzzItemSeed encodes an item of kind ctl%8 (not 0 or 3) for the seed
// corpus.
func btFuzzItemSeed(ctl, sel byte, msg string, extra ...byte) []byte {
	out := append([]byte{ctl, sel, byte(len(msg))}, msg...)
	return append(out, extra...)
}

// btFuzzRawSeed encodes a raw item: pubSel and sigSel are the field
// selectors (< 224: exactly 32 or 64 bytes; 255: nil; otherwise a length
// from 0 to n+1) and pub and sig must have the length they select.
func btFuzzRawSeed(pubSel byte, pub []byte, msg string, sigSel byte, sig []byte) []byte {
	out := append([]byte{0, pubSel}, pub...)
	out = append(out, byte(len(msg)))
	out = append(out, msg...)
	out = append(out, sigSel)
	return append(out, sig...)
}

// btFuzzSeed encodes a header: rules byte, then workers 1..4, n 0..8 and
// repeat 1..4 packed in one byte, then the rng seed byte; then the items.
func btFuzzSeed(mode byte, workers, n, repeat int, seed byte, items ...[]byte) []byte {
	h := byte(workers-1) | byte(n)<<2 | byte(repeat-1)<<6
	out := []byte{mode, h, seed}
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

// FuzzVerifyBatch decodes the input into a batch of up to 8 items, repeated
// up to 4 times (so up to 32 items, enough for two parallel ZIP215 chunks and
// for bisection), picks the rules (any of the 32 combinations, from the low
// five bits of the first byte) and the worker count from the input, and
// asserts that VerifyBatch and BatchVerifier give exactly the single
// verdicts (which must equal testgen's reference verdicts). Invalid rules
// (AllowNonCanonicalR without Cofactored, or a first byte >= 0xf0, whose
// bits are outside the five) must give (false, nil).
func FuzzVerifyBatch(f *testing.F) {
	f.Add([]byte{})
	hon := func(signer byte, msg string) []byte { return btFuzzItemSeed(signer<<4|1, 0, msg, 255, 0) }
	for _, r := range ed25519.Presets() {
		mode := byte(r)
		// Every item kind in one batch.
		f.Add(btFuzzSeed(mode, 2, 8, 1, 7,
			btFuzzRawSeed(230, btBytes32(9)[:6], "abc", 255, nil),
			btFuzzItemSeed(0x11, 0, "x", 33, 0x80),
			btFuzzItemSeed(0x02, 0, "y", 200, 0),
			[]byte{0x43},
			btFuzzItemSeed(0x24, 1, "z"),
			btFuzzItemSeed(0x35, 0, "w"),
			btFuzzItemSeed(0x06, 5, "v"),
			btFuzzItemSeed(0x17, 2, "u")))
		// Honest items under one key repeated to 32, over four workers:
		// two ZIP215 chunks, the same-key coalescing, duplicate items.
		f.Add(btFuzzSeed(mode, 4, 8, 4, 1, hon(0, "a"), hon(0, "b"), hon(0, "c"), hon(0, "d"),
			hon(0, "e"), hon(0, "f"), hon(0, "g"), hon(0, "h")))
		// One patched signature among honest ones of two keys, repeated.
		f.Add(btFuzzSeed(mode, 2, 8, 2, 3, hon(0, "a"), hon(1, "b"), hon(0, "c"),
			btFuzzItemSeed(0x11, 0, "d", 40, 1), hon(0, "e"), hon(1, "f"), hon(0, "g"), hon(1, "h")))
		// Crafted R, s and A values of each selector, among honest items.
		for sel := range byte(4) {
			var rIn, sIn []byte // input bytes, read only by these selectors
			if sel == 2 {
				rIn = btBytes32(0xee)
			}
			if sel == 3 {
				sIn = btBytes32(0xff)
			}
			f.Add(btFuzzSeed(mode, 3, 5, 1, sel, hon(2, "p"),
				btFuzzItemSeed(0x04, sel, "r", rIn...),
				btFuzzItemSeed(0x15, sel, "s", sIn...),
				btFuzzItemSeed(0x26, sel+4, "t"),
				btFuzzItemSeed(0x37, sel, "q")))
		}
		// Raw fields: odd lengths and nil.
		f.Add(btFuzzSeed(mode, 1, 4, 1, 0,
			btFuzzRawSeed(228, btBytes32(1)[:4], "", 255, nil),
			btFuzzRawSeed(255, nil, "hi", 254, append(btBytes32(1), btBytes32(2)[:31]...)),
			btFuzzRawSeed(0, btBytes32(0), "", 0, make([]byte, 64)), // small-order A, R = s = 0
			btFuzzRawSeed(0, append([]byte{1}, make([]byte, 31)...), "m", 240, make([]byte, 35))))
		// Torsion-R items of each order among honest ones, repeated.
		f.Add(btFuzzSeed(mode, 2, 6, 3, 5, hon(0, "a"), btFuzzItemSeed(0x07, 0, "b"), hon(0, "c"),
			btFuzzItemSeed(0x07, 1, "d"), btFuzzItemSeed(0x07, 2, "e"), hon(1, "f")))
		// testgen.Random items only.
		f.Add(btFuzzSeed(mode, 2, 8, 2, 11, []byte{3, 0x13, 0x43, 0x83, 0xc3, 3, 0x23, 0xf3}))
	}
	// Invalid rules.
	f.Add(btFuzzSeed(0xf3, 1, 2, 1, 0, hon(0, "a"), hon(0, "b")))
	f.Add(btFuzzSeed(byte(ed25519.AllowNonCanonicalR), 2, 2, 1, 0, hon(0, "a"), hon(0, "b")))
	f.Add(btFuzzSeed(0xff, 4, 0, 1, 0))

	f.Fuzz(func(t *testing.T, data []byte) {
		in := &btFuzzInput{data}
		modeByte, h, seed := in.u8(), in.u8(), in.u8()
		mode := ed25519.Rules(modeByte & 0x1f)
		if modeByte >= 0xf0 {
			mode = ed25519.Rules(modeByte)
		}
		workers := 1 + int(h&3)
		n := int(h>>2&15) % 9
		repeat := 1 + int(h>>6)
		rng := rand.New(rand.NewPCG(uint64(seed), 0xf022))

		var cases []testgen.Case
		for range n {
			cases = append(cases, btFuzzItem(in, rng))
		}
		for range repeat - 1 {
			cases = append(cases, cases[:n]...)
		}

		if mode.Validate() != nil {
			b := btMakeBatch(t, cases, ed25519.StdLib) // only for the slices
			if all, valid := ronkms.VerifyBatch(mode, b.pubs, b.msgs, b.sigs); all || valid != nil {
				t.Fatalf("VerifyBatch(%v) = (%v, %v), want (false, nil)", mode, all, valid)
			}
			v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(workers))
			btFill(t, "invalid-rules", v, b)
			if all, valid := v.Verify(); all || valid != nil {
				t.Fatalf("BatchVerifier(%v).Verify() = (%v, %v), want (false, nil)", mode, all, valid)
			}
			return
		}

		b := btMakeBatch(t, cases, mode)
		all, valid := ronkms.VerifyBatch(mode, b.pubs, b.msgs, b.sigs)
		btCheck(t, "VerifyBatch/rules="+mode.String(), b, mode, all, valid)
		v := ronkms.NewBatchVerifier(mode, ronkms.WithWorkers(workers))
		btFill(t, "BatchVerifier", v, b)
		all, valid = v.Verify()
		btCheck(t, "BatchVerifier/rules="+mode.String(), b, mode, all, valid)
	})
}
