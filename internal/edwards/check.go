package edwards

import "encoding/binary"

// VarTimeCheckCofactorless reports whether [s]B = R + [k]A exactly, torsion
// components included: the cofactorless verification equation. It is
// variable-time: use it only with public inputs.
//
// With R decoded from a signature whose encoding was canonical (SetBytes
// reports it), it decides exactly what the StdLib and Strict modes decide
// by encoding R' = [s]B - [k]A and comparing bytes: the encoding is
// injective and canonical encodings are exactly the outputs of Bytes.
//
// It uses half-size scalars (see lattice.go): c0 = c1 k (mod 8l) with c1
// odd, and checks [c1 s mod l]B - [c1]R - [c0]A = 0, about 128 doublings
// instead of 253. When the reduction does not apply (a Euclid quotient of
// 2^62 or more, probability about 2^-56 for a hashed k) it falls back to
// full-size scalars.
func VarTimeCheckCofactorless(R, A *Point, k, s *Scalar) bool {
	return checkCofactorless(R, A, nil, k, s)
}

// VarTimeCheckCofactorlessKey is VarTimeCheckCofactorless with A given as
// a prepared Key: the same result, without building A's table.
func VarTimeCheckCofactorlessKey(R *Point, A *Key, k, s *Scalar) bool {
	return checkCofactorless(R, &A.point, A, k, s)
}

func checkCofactorless(R, A *Point, key *Key, k, s *Scalar) bool {
	var Q Point
	if !checkHalf(&Q, R, A, key, k, s, &groupOrder8, 128, true) {
		checkFull(&Q, R, A, k, s)
	}
	return Q.IsIdentity()
}

// VarTimeCheckCofactored reports whether [8]([s]B - R - [k]A) is the
// identity: the ZIP-215 verification equation. Variable-time.
//
// It uses half-size scalars with c0 = c1 k (mod l): multiplication by c1
// is a bijection of the prime-order subgroup, where [8] sends everything.
func VarTimeCheckCofactored(R, A *Point, k, s *Scalar) bool {
	return checkCofactored(R, A, nil, k, s)
}

// VarTimeCheckCofactoredKey is VarTimeCheckCofactored with A given as a
// prepared Key.
func VarTimeCheckCofactoredKey(R *Point, A *Key, k, s *Scalar) bool {
	return checkCofactored(R, &A.point, A, k, s)
}

func checkCofactored(R, A *Point, key *Key, k, s *Scalar) bool {
	var Q Point
	if !checkHalf(&Q, R, A, key, k, s, &groupOrder, 126, false) {
		checkFull(&Q, R, A, k, s)
	}
	return Q.IsSmallOrder()
}

// VarTimeCheckCofactorlessBytes reports whether R is the canonical encoding
// of [s]B - [k]A: the final comparison of crypto/ed25519.Verify (StdLib and
// Strict modes), without computing that encoding. R is decoded instead (the
// same cost as an encoding, one exponentiation), then checked with
// VarTimeCheckCofactorless. An R that does not decode, is not canonical or
// is not 32 bytes long gives false. Variable-time.
func VarTimeCheckCofactorlessBytes(R []byte, A *Point, k, s *Scalar) bool {
	var Rp Point
	canonical, err := Rp.SetBytes(R)
	if err != nil || !canonical {
		return false
	}
	return VarTimeCheckCofactorless(&Rp, A, k, s)
}

// DecodeSignaturePoints decodes a signature's R and its public key A
// together, with the results of R.SetBytes(rEnc) and A.SetBytes(aEnc):
// rOK and aOK report that they decoded (R or A is left unchanged if not),
// rCanonical is R's canonical flag. It is DecodeFour with two lanes used:
// the two exponentiations run in two lanes of one, about half the cost of
// two decodings with AVX-512 IFMA and 80% of it with AVX2. Variable-time.
func DecodeSignaturePoints(R, A *Point, rEnc, aEnc []byte) (rCanonical, rOK, aOK bool) {
	var out [4]Point
	canonical, ok := DecodeFour(&out, &[4][]byte{rEnc, aEnc})
	if ok[0] {
		*R = out[0]
	}
	if ok[1] {
		*A = out[1]
	}
	return canonical[0], ok[0], ok[1]
}

// checkFull sets Q = [s]B - R - [k]A with full-size scalars.
func checkFull(Q, R, A *Point, k, s *Scalar) {
	var negA Point
	negA.Negate(A)
	Q.VarTimeDoubleScalarBaseMult(k, &negA, s)
	Q.Subtract(Q, R)
}

// checkHalf sets Q = [c1 s mod l]B - [c1]R - [c0]A for half-size (c0, c1)
// with c0 = c1 k (mod n), and reports whether it could (false: Q is
// untouched). key, if not nil, is A prepared: its table of -A is used
// instead of one built here when it is in the form this path uses.
func checkHalf(Q, R, A *Point, key *Key, k, s *Scalar, n *u256, bound int, needOdd bool) bool {
	kw := scalarWords(k)
	kk := u256{kw[0], kw[1], kw[2], kw[3]}
	h, ok := reduceHalf(n, &kk, bound, needOdd)
	if !ok || h.maxBits() > 192 {
		return false
	}

	// u = c1 s mod l, split into 128-bit halves u0 + 2^128 u1.
	var c1b [32]byte
	binary.LittleEndian.PutUint64(c1b[0:], h.c1[0])
	binary.LittleEndian.PutUint64(c1b[8:], h.c1[1])
	binary.LittleEndian.PutUint64(c1b[16:], h.c1[2])
	var c1s, u Scalar
	if _, err := c1s.SetCanonicalBytes(c1b[:]); err != nil {
		return false
	}
	u.Multiply(&c1s, s)
	if h.c1Neg {
		u.Negate(&u)
	}
	uw := scalarWords(&u)
	u0 := [5]uint64{uw[0], uw[1]}
	u1 := [5]uint64{uw[2], uw[3]}

	// -[c1]R = [|c1|](∓R) and -[c0]A = [c0](-A): fold the signs into the
	// tables.
	var rr, na Point
	if h.c1Neg {
		rr.Set(R)
	} else {
		rr.Negate(R)
	}
	na.Negate(A)
	c0w := [5]uint64{h.c0[0], h.c0[1], h.c0[2], h.c0[3]}
	c1w := [5]uint64{h.c1[0], h.c1[1], h.c1[2], h.c1[3]}

	var u0Naf, u1Naf, c0Naf, c1Naf [256]int8
	nafDigits(&u0Naf, &u0, basepointNafWidth)
	nafDigits(&u1Naf, &u1, basepointNafWidth)
	nafDigits(&c0Naf, &c0w, 5)
	nafDigits(&c1Naf, &c1w, 5)

	top := max(h.maxBits(), 129)
	for top >= 0 && u0Naf[top] == 0 && u1Naf[top] == 0 && c0Naf[top] == 0 && c1Naf[top] == 0 {
		top--
	}
	if top < 0 {
		Q.SetIdentity()
		return true
	}

	if useVec {
		// The table of -A: the key's, or one built here (declared in the
		// branch, so a prepared key pays no zeroing for it).
		var tA *vecTable8
		if key != nil && key.lanes {
			tA = &key.vec
		} else {
			var own vecTable8
			own.init(&na)
			tA = &own
		}
		checkHalfVec(Q, tA, &rr, &c0Naf, &c1Naf, &u0Naf, &u1Naf, top)
		return true
	}

	var tA *nafTable5
	if key != nil && !key.lanes {
		tA = &key.generic
	} else {
		var own nafTable5
		own.init(&na)
		tA = &own
	}
	var tR nafTable5
	tR.init(&rr)

	var acc Point
	var r projP1xP1
	var pp projP2
	acc.SetIdentity()
	live := false
	for i := top; i >= 0; i-- {
		if live {
			pp.fromP1xP1(&r)
			r.double(&pp)
		}
		if d := c0Naf[i]; d != 0 {
			if live {
				acc.fromP1xP1(&r)
			}
			tA.addNaf(&r, &acc, d)
			live = true
		}
		if d := c1Naf[i]; d != 0 {
			if live {
				acc.fromP1xP1(&r)
			}
			tR.addNaf(&r, &acc, d)
			live = true
		}
		if d := u0Naf[i]; d != 0 {
			if live {
				acc.fromP1xP1(&r)
			}
			bNaf.addNaf(&r, &acc, d)
			live = true
		}
		if d := u1Naf[i]; d != 0 {
			if live {
				acc.fromP1xP1(&r)
			}
			b128Naf.addNaf(&r, &acc, d)
			live = true
		}
	}
	Q.fromP1xP1(&r)
	return true
}

// checkHalfVec is checkHalf's double-and-add loop in lane form (vec.go),
// given the table of -A.
func checkHalfVec(Q *Point, tA *vecTable8, rr *Point, c0Naf, c1Naf, u0Naf, u1Naf *[256]int8, top int) {
	var tR vecTable8
	tR.init(rr)
	var acc vecPoint
	vecNafSum(&acc, []vecNafTerm{{c0Naf, tA[:]}, {c1Naf, tR[:]}, {u0Naf, vecBNaf[:]}, {u1Naf, vecB128Naf[:]}}, top)
	acc.toP3(Q)
}
