package edwards

import (
	"fmt"
	"testing"
)

// TestPointOpsBothForms runs TestPointOps with the grouped (feMul4,
// feSquare4) and the scalar forms of the point formulas, whichever one this
// build and CPU select by default.
func TestPointOpsBothForms(t *testing.T) {
	saved := feVec4
	defer func() { feVec4 = saved }()
	for _, on := range []bool{false, true} {
		feVec4 = on
		t.Run(fmt.Sprintf("feVec4=%v", on), TestPointOps)
	}
}

// TestScalarMultsBothForms runs the scalar multiplication and equation
// tests with the lane form (vec.go: assembly with AVX-512 IFMA, the generic
// twins elsewhere) and with the point.go formulas.
func TestScalarMultsBothForms(t *testing.T) {
	saved := useVec
	defer func() { useVec = saved }()
	for _, on := range []bool{false, true} {
		useVec = on
		t.Run(fmt.Sprintf("useVec=%v", on), func(t *testing.T) {
			t.Run("ScalarBaseMult", TestScalarBaseMult)
			t.Run("VarTimeDoubleScalarBaseMult", TestVarTimeDoubleScalarBaseMult)
			t.Run("PrecomputedPoint", TestPrecomputedPoint)
			t.Run("VarTimeChecks", TestVarTimeChecks)
			t.Run("VarTimeCheckCofactorlessBytes", TestVarTimeCheckCofactorlessBytes)
			t.Run("VarTimeMultiScalarMult", TestVarTimeMultiScalarMult)
			t.Run("MSMEngines", TestMSMEngines)
			t.Run("MSMEdgeCases", TestMSMEdgeCases)
		})
	}
}
