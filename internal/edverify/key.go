package edverify

import (
	"errors"

	"filippo.io/edwards25519"

	"github.com/ronkms/ronkms/internal/edwards"
)

// A Key is a public key decoded once, with the table of its multiples that
// the verification equation uses, for verifying many signatures under it
// (VerifyKey). The zero Key is not a key: VerifyKey gives false for it. A
// Key is read-only once set.
type Key struct {
	enc      [publicKeySize]byte // the encoding, hashed as given
	prepared edwards.Key
	set      bool
}

var (
	errKeyLength = errors.New("public key is not 32 bytes long")
	errKeyPoint  = errors.New("public key is not the encoding of a point")
)

// SetBytes prepares k for the public key publicKey. It fails, leaving k
// unchanged, when publicKey is not 32 bytes long or does not decode to a
// point: no signature verifies under such a key, in any rule set.
// Non-canonical and small-order encodings that decode are accepted here;
// the rules judge them at verification.
func (k *Key) SetBytes(publicKey []byte) error {
	if len(publicKey) != publicKeySize {
		return errKeyLength
	}
	var A edwards.Point
	if _, err := A.SetBytes(publicKey); err != nil {
		return errKeyPoint
	}
	copy(k.enc[:], publicKey)
	k.prepared.Set(&A)
	k.set = true
	return nil
}

// Bytes returns the encoding k was set from (nil for the zero Key).
func (k *Key) Bytes() []byte {
	if !k.set {
		return nil
	}
	return append([]byte(nil), k.enc[:]...)
}

// VerifyKey applies rules to one pure Ed25519 signature under a prepared
// key: the verdict of Verify(rules, the key's encoding, message, sig),
// without decoding the key or building its table again. A nil or zero key,
// a signature of the wrong length or invalid rules give false.
func VerifyKey(rules Rules, key *Key, message, sig []byte) bool {
	if key == nil || !key.set || len(sig) != signatureSize {
		return false
	}
	// VerifyWithChallenge's checks, with A already decoded: only R is
	// decoded here.
	var s edwards25519.Scalar
	if !byteChecks(rules, key.enc[:], sig, &s) {
		return false
	}
	R := sig[:32]
	var k edwards25519.Scalar
	Challenge(&k, DomPrefixPure, "", R, key.enc[:], message)
	var Rp edwards.Point
	rCanonical, err := Rp.SetBytes(R)
	if err != nil {
		return false
	}
	if rules&Cofactored != 0 {
		return edwards.VarTimeCheckCofactoredKey(&Rp, &key.prepared, &k, &s)
	}
	return rCanonical && edwards.VarTimeCheckCofactorlessKey(&Rp, &key.prepared, &k, &s)
}
