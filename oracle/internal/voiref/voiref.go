// Package voiref gives curve25519-voi's verdicts under ronkms's rules: the
// mapping of the five choices onto voi's VerifyOptions, and the verdicts
// of a whole corpus, computed once per rule set.
package voiref

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	voied "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/oracle/internal/corpus"
)

// Options returns the voi options of pure Ed25519 (Hash 0, no context)
// under r. voi spells each choice the other way round for three of them.
func Options(r ed25519.Rules) *voied.Options {
	return &voied.Options{Verify: &voied.VerifyOptions{
		AllowSmallOrderA:   r&ed25519.RejectSmallOrderA == 0,
		AllowSmallOrderR:   r&ed25519.RejectSmallOrderR == 0,
		AllowNonCanonicalA: r&ed25519.RequireCanonicalA == 0,
		AllowNonCanonicalR: r&ed25519.AllowNonCanonicalR != 0,
		CofactorlessVerify: r&ed25519.Cofactored == 0,
	}}
}

// OptionsString spells r's voi options as the five letters T/F of
// AllowSmallOrderA, AllowSmallOrderR, AllowNonCanonicalA,
// AllowNonCanonicalR, CofactorlessVerify (T: allowed, or on).
func OptionsString(r ed25519.Rules) string {
	o := Options(r).Verify
	tf := func(b bool) string {
		if b {
			return "T"
		}
		return "F"
	}
	return "{" + tf(o.AllowSmallOrderA) + "," + tf(o.AllowSmallOrderR) + "," + tf(o.AllowNonCanonicalA) + "," +
		tf(o.AllowNonCanonicalR) + "," + tf(o.CofactorlessVerify) + "}"
}

// Verify returns voi's VerifyWithOptions verdict on c under r, or the value
// it panicked with.
func Verify(r ed25519.Rules, c corpus.Case) (ok bool, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			ok, panicked = false, p
		}
	}()
	return voied.VerifyWithOptions(voied.PublicKey(c.Pub), c.Msg, c.Sig, Options(r)), nil
}

// Table holds voi's verdicts on one corpus, per rule set, computed on first
// use.
type Table struct {
	cases []corpus.Case
	once  [32]sync.Once
	want  [32][]bool
	err   [32]error
}

// NewTable returns an empty table for cases.
func NewTable(cases []corpus.Case) *Table { return &Table{cases: cases} }

// Want returns the verdict ronkms must give under r on every case: voi's
// on a case with a 32-byte key and a 64-byte signature, false on the others
// (ronkms's contract for wrong lengths), false on all under rules that are
// not valid. The error reports voi panicking on a comparable case under
// valid rules, or not panicking under invalid ones (where it must refuse
// the options).
func (t *Table) Want(r ed25519.Rules) ([]bool, error) {
	if r >= 32 {
		panic("voiref: rules outside the five choices")
	}
	t.once[r].Do(func() { t.want[r], t.err[r] = t.compute(r) })
	return t.want[r], t.err[r]
}

func (t *Table) compute(r ed25519.Rules) ([]bool, error) {
	want := make([]bool, len(t.cases))
	valid := r.Validate() == nil
	var (
		next     atomic.Int64
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(t.cases); i = int(next.Add(1)) - 1 {
				c := t.cases[i]
				if !c.Comparable() {
					continue
				}
				ok, p := Verify(r, c)
				var err error
				switch {
				case valid && p != nil:
					err = fmt.Errorf("voi panicked under %s %s: %v on %v", r, OptionsString(r), p, c)
				case !valid && p == nil:
					err = fmt.Errorf("voi did not panic under the incompatible options %s (%s) on %v", OptionsString(r), r, c)
				case !valid && fmt.Sprint(p) != "ed25519: incompatible verification options":
					err = fmt.Errorf("voi panicked under %s with %q, want \"ed25519: incompatible verification options\"", OptionsString(r), fmt.Sprint(p))
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
				want[i] = ok
			}
		}()
	}
	wg.Wait()
	return want, firstErr
}
