package edwards

import (
	"testing"

	"filippo.io/edwards25519"
)

// TestKeyAcrossPaths: a Key set on one path (lane form or scalar formulas)
// and used on the other gives the same verdicts: the check builds the table
// it needs instead of reading the one the Key does not hold.
func TestKeyAcrossPaths(t *testing.T) {
	saved := useVec
	defer func() { useVec = saved }()
	rng := newRand(t)
	for _, setOn := range []bool{false, true} {
		for range 8 {
			a, r, k := randScalar(rng), randScalar(rng), randScalar(rng)
			s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
			A := fromFilippo(t, new(edwards25519.Point).ScalarBaseMult(a))
			R := fromFilippo(t, new(edwards25519.Point).ScalarBaseMult(r))
			useVec = setOn
			var key Key
			key.Set(A)
			if key.lanes != setOn {
				t.Fatalf("Key set with useVec=%v records lanes=%v", setOn, key.lanes)
			}
			for _, on := range []bool{setOn, !setOn} {
				useVec = on
				if !VarTimeCheckCofactorlessKey(R, &key, k, s) || !VarTimeCheckCofactoredKey(R, &key, k, s) {
					t.Fatalf("set with useVec=%v, checked with %v: a valid equation failed", setOn, on)
				}
				if VarTimeCheckCofactorlessKey(R, &key, k, a) || VarTimeCheckCofactoredKey(R, &key, k, a) {
					t.Fatalf("set with useVec=%v, checked with %v: a wrong s passed", setOn, on)
				}
			}
		}
	}
}
