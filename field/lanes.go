package field

// Lanes holds four Elements in the layout of the four-way vector routines:
// Lanes[i][e] is limb i (radix 2^51) of element e. Code that keeps four
// coordinates of a point in vector registers across several operations (the
// point layer's AVX-512 IFMA routines) reads and writes this layout
// directly, so it never transposes between operations.
//
// The limbs obey Element's bounds: Set stores limbs below 2^51 + 2^42, and
// Get expects limbs below 2^52 (what the vector routines produce).
type Lanes [5][4]uint64

// Set sets v to (e0, e1, e2, e3) and returns v.
func (v *Lanes) Set(e0, e1, e2, e3 *Element) *Lanes {
	for e, x := range [4]*Element{e0, e1, e2, e3} {
		v[0][e] = x.l0
		v[1][e] = x.l1
		v[2][e] = x.l2
		v[3][e] = x.l3
		v[4][e] = x.l4
	}
	return v
}

// Get sets e0, e1, e2 and e3 to the four elements of v.
func (v *Lanes) Get(e0, e1, e2, e3 *Element) {
	for e, x := range [4]*Element{e0, e1, e2, e3} {
		x.l0 = v[0][e]
		x.l1 = v[1][e]
		x.l2 = v[2][e]
		x.l3 = v[3][e]
		x.l4 = v[4][e]
	}
}
