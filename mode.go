package ronkms

import (
	"strconv"

	"github.com/ronkms/ronkms/internal/edverify"
)

// Mode selects the verification rules of a batch. Each mode equals one single
// verifier of package ed25519 exactly; see the package documentation.
type Mode int

const (
	// ModeStdLib applies the rules of crypto/ed25519.Verify (ed25519.Verify).
	ModeStdLib Mode = iota
	// ModeStrict applies the rules of ed25519-dalek 2.x verify_strict
	// (ed25519.VerifyStrict).
	ModeStrict
	// ModeZIP215 applies the rules of Zcash ZIP-215 (ed25519.VerifyZIP215).
	ModeZIP215
)

// String returns "stdlib", "strict" or "zip215", the names used in benchmark
// names, tool flags and metrics.
func (m Mode) String() string {
	switch m {
	case ModeStdLib:
		return "stdlib"
	case ModeStrict:
		return "strict"
	case ModeZIP215:
		return "zip215"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseMode returns the Mode whose String is s.
func ParseMode(s string) (Mode, error) {
	for _, m := range []Mode{ModeStdLib, ModeStrict, ModeZIP215} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, &UnknownModeError{Name: s}
}

// UnknownModeError reports a mode name that is not stdlib, strict or zip215.
type UnknownModeError struct{ Name string }

func (e *UnknownModeError) Error() string {
	return "ronkms: unknown verification mode " + strconv.Quote(e.Name) + " (want stdlib, strict or zip215)"
}

func (m Mode) valid() bool { return m >= ModeStdLib && m <= ModeZIP215 }

func (m Mode) rules() edverify.Mode {
	switch m {
	case ModeStrict:
		return edverify.Strict
	case ModeZIP215:
		return edverify.ZIP215
	}
	return edverify.StdLib
}
