package field

// Arithmetic on Lanes: four independent elements at once, lane by lane, in
// the layout of the vector routines. With AVX-512 IFMA each call is one
// assembly routine that loads the five limb vectors, computes and stores
// them, without transposing (field_amd64.s, mulLanesIFMA and
// squareNLanesIFMA); SquareN keeps the values in registers between
// squarings. Elsewhere the generic twins below run the scalar arithmetic
// element by element.
//
// Like Element's, every receiver and argument may alias, outputs have limbs
// below 2^51 + 2^42, and inputs must have limbs below 2^52 (Set, and every
// method here, guarantee it). Constant time: only the count n of SquareN
// steers control flow.

// Multiply sets each lane of v to the product of the lanes of a and b, and
// returns v.
func (v *Lanes) Multiply(a, b *Lanes) *Lanes {
	lanesMul(v, a, b)
	return v
}

// Square sets each lane of v to the square of the lane of a, and returns v.
func (v *Lanes) Square(a *Lanes) *Lanes {
	lanesSquareN(v, a, 1)
	return v
}

// SquareN sets each lane of v to the lane of a raised to 2^n (squared n
// times), and returns v. For n <= 0 it sets v = a. Its running time
// depends on n only (n is public).
func (v *Lanes) SquareN(a *Lanes, n int) *Lanes {
	if n <= 0 {
		*v = *a
		return v
	}
	lanesSquareN(v, a, n)
	return v
}

// Pow22523 sets each lane of v to the lane of x raised to (p-5)/8 =
// 2^252 - 3, and returns v: Element.Pow22523 four times at once, with the
// same addition chain (pow2k250's, 11 multiplications and 252 squarings).
// Constant time.
func (v *Lanes) Pow22523(x *Lanes) *Lanes {
	var x2, x9, a, b, c, t Lanes
	x2.Square(x)             // 2
	t.SquareN(&x2, 2)        // 8
	x9.Multiply(&t, x)       // 9
	t.Multiply(&x9, &x2)     // 11
	t.Square(&t)             // 22
	a.Multiply(&t, &x9)      // 2^5 - 1
	t.SquareN(&a, 5)         // 2^10 - 2^5
	a.Multiply(&t, &a)       // 2^10 - 1
	t.SquareN(&a, 10)        // 2^20 - 2^10
	b.Multiply(&t, &a)       // 2^20 - 1
	t.SquareN(&b, 20)        // 2^40 - 2^20
	t.Multiply(&t, &b)       // 2^40 - 1
	t.SquareN(&t, 10)        // 2^50 - 2^10
	a.Multiply(&t, &a)       // 2^50 - 1
	t.SquareN(&a, 50)        // 2^100 - 2^50
	c.Multiply(&t, &a)       // 2^100 - 1
	t.SquareN(&c, 100)       // 2^200 - 2^100
	t.Multiply(&t, &c)       // 2^200 - 1
	t.SquareN(&t, 50)        // 2^250 - 2^50
	t.Multiply(&t, &a)       // 2^250 - 1
	t.SquareN(&t, 2)         // 2^252 - 4
	return v.Multiply(&t, x) // 2^252 - 3
}

// Generic twins of the lane routines: the scalar arithmetic (feMul and
// feSquareN, MULX where available), element by element. They give the same
// values (not necessarily the same limbs) as the assembly.

func lanesMulGeneric(out, a, b *Lanes) {
	var x, y [4]Element
	a.Get(&x[0], &x[1], &x[2], &x[3])
	b.Get(&y[0], &y[1], &y[2], &y[3])
	for e := range x {
		feMul(&x[e], &x[e], &y[e])
	}
	out.Set(&x[0], &x[1], &x[2], &x[3])
}

// lanesSquareNGeneric requires n >= 1, like the assembly.
func lanesSquareNGeneric(out, a *Lanes, n int) {
	var x [4]Element
	a.Get(&x[0], &x[1], &x[2], &x[3])
	for e := range x {
		feSquareN(&x[e], &x[e], n)
	}
	out.Set(&x[0], &x[1], &x[2], &x[3])
}
