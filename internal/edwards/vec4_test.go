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
