package ronkms

import "github.com/ronkms/ronkms/ed25519"

// Mode is the former name of the verification rules of a batch.
//
// Deprecated: use ed25519.Rules, which spans every deployed rule set; the
// three modes are its presets ed25519.StdLib, ed25519.Strict and
// ed25519.ZIP215.
type Mode = ed25519.Rules

// The former modes, with their rules unchanged.
//
// Deprecated: use the presets of package ed25519.
const (
	ModeStdLib = ed25519.StdLib
	ModeStrict = ed25519.Strict
	ModeZIP215 = ed25519.ZIP215
)

// ParseMode returns the rules named s.
//
// Deprecated: use ed25519.ParseRules, which reads every preset's name
// ("stdlib", "strict" and "zip215" among them) and custom combinations.
func ParseMode(s string) (Mode, error) { return ed25519.ParseRules(s) }
