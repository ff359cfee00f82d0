package ed25519

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ronkms/ronkms/internal/edverify"
)

// Rules is a set of Ed25519 verification rules: five independent choices,
// each a departure from the rules of crypto/ed25519.Verify, which are the
// zero value (StdLib). Combine them with |, or use a preset named after the
// system whose rules it matches; the package documentation states each
// preset's rules and the reference it was checked against.
//
// Every function of this module that verifies under Rules, single or batch,
// returns the verdict of Rules.Verify.
type Rules uint8

// The five choices.
const (
	// RejectSmallOrderA rejects a public key A of small order ([8]A is the
	// identity).
	RejectSmallOrderA = Rules(edverify.RejectSmallOrderA)
	// RejectSmallOrderR rejects a signature whose R has small order.
	RejectSmallOrderR = Rules(edverify.RejectSmallOrderR)
	// RequireCanonicalA rejects a non-canonical encoding of A: y >= p, or
	// x = 0 with the sign bit set.
	RequireCanonicalA = Rules(edverify.RequireCanonicalA)
	// AllowNonCanonicalR accepts a non-canonical encoding of R (decoded as
	// y mod p, and x = 0 for a sign bit set on x = 0). It is valid only with
	// Cofactored: without it, the encoding of [s]B - [k]A, always
	// canonical, is compared with R byte for byte.
	AllowNonCanonicalR = Rules(edverify.AllowNonCanonicalR)
	// Cofactored checks [8][s]B = [8]R + [8][k]A, with R decoded, instead of
	// comparing the encoding of [s]B - [k]A with R byte for byte.
	Cofactored = Rules(edverify.Cofactored)
)

// Presets. The package documentation has their rules side by side.
const (
	// StdLib is the rules of crypto/ed25519.Verify.
	StdLib Rules = 0
	// Strict is the rules of ed25519-dalek 2.x VerifyingKey::verify_strict.
	Strict = RejectSmallOrderA | RejectSmallOrderR
	// ZIP215 is the rules of Zcash's ZIP 215 (ed25519consensus.Verify).
	ZIP215 = Cofactored | AllowNonCanonicalR
	// Libsodium is the rules of libsodium's crypto_sign_verify_detached.
	Libsodium = RejectSmallOrderA | RejectSmallOrderR | RequireCanonicalA
	// FIPS186_5 is the rules of FIPS 186-5 and RFC 8032 with the cofactored
	// equation (curve25519-voi's VerifyOptionsFIPS_186_5).
	FIPS186_5 = Cofactored | RequireCanonicalA
	// VoiDefault is curve25519-voi's default (VerifyOptionsDefault).
	VoiDefault = Cofactored | RequireCanonicalA | RejectSmallOrderA
	// Oasis is the rules of the Oasis Network: ZIP 215, with small-order A
	// and R rejected.
	Oasis = ZIP215 | RejectSmallOrderA | RejectSmallOrderR

	allRules = RejectSmallOrderA | RejectSmallOrderR | RequireCanonicalA | AllowNonCanonicalR | Cofactored
)

// presets are the named rule sets, in the order String prefers a name.
var presets = [...]struct {
	name  string
	rules Rules
}{
	{"stdlib", StdLib},
	{"strict", Strict},
	{"zip215", ZIP215},
	{"libsodium", Libsodium},
	{"fips186-5", FIPS186_5},
	{"voi-default", VoiDefault},
	{"oasis", Oasis},
}

// Presets returns the named rule sets, StdLib, Strict and ZIP215 first.
func Presets() []Rules {
	out := make([]Rules, len(presets))
	for i, p := range presets {
		out[i] = p.rules
	}
	return out
}

// flagNames are the names of the five choices in String and ParseRules.
var flagNames = [...]struct {
	name string
	flag Rules
}{
	{"reject-small-order-a", RejectSmallOrderA},
	{"reject-small-order-r", RejectSmallOrderR},
	{"require-canonical-a", RequireCanonicalA},
	{"allow-noncanonical-r", AllowNonCanonicalR},
	{"cofactored", Cofactored},
}

// Verify reports whether sig is a valid signature of message by publicKey
// under the rules r. Unlike the package-level Verify it never panics: a
// public key or signature of the wrong length is a false verdict, and so is
// every signature under rules that are not valid (see Validate).
//
// The inputs are not considered confidential, and may leak through timing
// side channels, or if an attacker has control of part of the inputs.
func (r Rules) Verify(publicKey PublicKey, message, sig []byte) bool {
	return edverify.Verify(edverify.Rules(r), publicKey, message, sig)
}

// Validate returns nil if r is a valid set of rules, and otherwise an error
// that says why: a bit outside the five choices, or AllowNonCanonicalR
// without Cofactored.
func (r Rules) Validate() error {
	if edverify.Rules(r).Valid() {
		return nil
	}
	if r&^allRules != 0 {
		return errors.New("ed25519: invalid rules " + r.String() + ": bits outside the five rules")
	}
	return errors.New("ed25519: invalid rules " + r.String() + ": allow-noncanonical-r needs cofactored (the cofactorless rule compares R byte for byte with a canonical encoding)")
}

// String returns the name of the preset equal to r ("stdlib", "strict",
// "zip215", "libsodium", "fips186-5", "voi-default", "oasis"), or else the
// names of r's choices joined by "+" ("cofactored+reject-small-order-r"),
// which ParseRules reads back when r is valid (bits outside the five are
// shown in hexadecimal).
func (r Rules) String() string {
	for _, p := range presets {
		if p.rules == r {
			return p.name
		}
	}
	var parts []string
	for _, f := range flagNames {
		if r&f.flag != 0 {
			parts = append(parts, f.name)
		}
	}
	if extra := r &^ allRules; extra != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(extra), 16))
	}
	return strings.Join(parts, "+")
}

// ParseRules returns the Rules that s names: a preset's name, or choices
// joined by "+", optionally after a preset ("zip215+reject-small-order-a").
// The result is valid (Validate returns nil).
func ParseRules(s string) (Rules, error) {
	var r Rules
	for i, part := range strings.Split(s, "+") {
		found := false
		for _, f := range flagNames {
			if part == f.name {
				r |= f.flag
				found = true
			}
		}
		if i == 0 && !found {
			for _, p := range presets {
				if part == p.name {
					r, found = p.rules, true
				}
			}
		}
		if !found {
			return 0, &UnknownRulesError{Name: s, Part: part}
		}
	}
	if err := r.Validate(); err != nil {
		return 0, err
	}
	return r, nil
}

// UnknownRulesError reports a name that ParseRules does not know.
type UnknownRulesError struct {
	Name string // the whole name given
	Part string // the part not known
}

func (e *UnknownRulesError) Error() string {
	var names []string
	for _, p := range presets {
		names = append(names, p.name)
	}
	var flags []string
	for _, f := range flagNames {
		flags = append(flags, f.name)
	}
	return "ed25519: unknown rules " + strconv.Quote(e.Name) + ": " + strconv.Quote(e.Part) + " is neither a preset (" +
		strings.Join(names, ", ") + ") nor a rule (" + strings.Join(flags, ", ") + ")"
}
