package ed25519

import (
	"errors"

	"github.com/ronkms/ronkms/internal/edverify"
)

// A VerifyingKey is a public key decoded once, for verifying many signatures
// under it: each verification skips the key's decoding (one field
// exponentiation) and the table of its multiples that the equation uses. Its
// verdicts are exactly those of Verify and Rules.Verify with the public key
// it was made from. A VerifyingKey is safe for concurrent use; it holds
// about 2.8 KB.
//
// The zero VerifyingKey, like a nil one, is not a key: it verifies nothing.
type VerifyingKey struct {
	key edverify.Key
}

// NewVerifyingKey decodes publicKey for repeated verification. It returns an
// error if publicKey is not 32 bytes long or is not the encoding of a point
// of the curve, a key under which no signature verifies in any rule set.
// Encodings the rules may reject (small-order points, non-canonical
// encodings) are accepted: the rules given at verification decide.
func NewVerifyingKey(publicKey PublicKey) (*VerifyingKey, error) {
	k := new(VerifyingKey)
	if err := k.key.SetBytes(publicKey); err != nil {
		return nil, errors.New("ed25519: bad public key: " + err.Error())
	}
	return k, nil
}

// PublicKey returns a copy of the public key k was made from (nil for a nil
// or zero k).
func (k *VerifyingKey) PublicKey() PublicKey {
	if k == nil {
		return nil
	}
	return k.key.Bytes()
}

// Verify reports whether sig is a valid signature of message by k under the
// StdLib rules: the verdict of Verify(k.PublicKey(), message, sig). It never
// panics: a signature of the wrong length, or a nil or zero k, is a false
// verdict.
func (k *VerifyingKey) Verify(message, sig []byte) bool {
	return k.VerifyWithRules(StdLib, message, sig)
}

// VerifyWithRules reports whether sig is a valid signature of message by k
// under rules: the verdict of rules.Verify(k.PublicKey(), message, sig).
func (k *VerifyingKey) VerifyWithRules(rules Rules, message, sig []byte) bool {
	if k == nil {
		return false
	}
	return edverify.VerifyKey(edverify.Rules(rules), &k.key, message, sig)
}
