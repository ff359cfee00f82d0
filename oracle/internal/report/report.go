// Package report holds the oracle tests' reporting helpers: mismatches
// reported with their inputs, a few in full and the rest counted, and
// panics turned into errors.
package report

import (
	"fmt"
	"testing"
)

// MaxShown is how many mismatches of one check a Reporter prints in full.
const MaxShown = 8

// Reporter reports the mismatches of one check: the first MaxShown in
// full (each message should carry the input bytes), then their number.
type Reporter struct {
	t    testing.TB
	what string
	n    int
}

// New returns a Reporter for the check named what.
func New(t testing.TB, what string) *Reporter { return &Reporter{t: t, what: what} }

// Errorf reports one mismatch.
func (m *Reporter) Errorf(format string, args ...any) {
	m.t.Helper()
	m.n++
	if m.n <= MaxShown {
		m.t.Errorf(format, args...)
	}
}

// Done reports the number of mismatches if some were not shown.
func (m *Reporter) Done() {
	m.t.Helper()
	if m.n > MaxShown {
		m.t.Errorf("%s: %d mismatches in all, the first %d shown", m.what, m.n, MaxShown)
	}
}

// NoPanic returns f's result, or an error holding the value f panicked with.
func NoPanic(f func() bool) (v bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f(), nil
}
