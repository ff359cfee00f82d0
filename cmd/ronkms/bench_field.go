package main

import (
	"bytes"
	"fmt"
	"time"

	fefilippo "filippo.io/edwards25519/field"

	"github.com/ronkms/ronkms/field"
)

// fieldSingles measures field multiplication and squaring throughput: four
// independent chains x_i = x_i * y_i (or x_i²) per repetition, ns per
// operation, against filippo.io/edwards25519/field, the field
// crypto/ed25519 runs on. "Multiply4" is the four-way call (AVX-512 IFMA
// or AVX2 where present, see field.Backend). Each run checks its chains,
// untimed, against filippo's.
func fieldSingles() []*single {
	seed := func(i int) []byte {
		b := make([]byte, 32)
		for j := range b {
			b[j] = byte(17*i + 3*j + 1)
		}
		b[31] &= 0x7f
		return b
	}
	var x0, y [4]field.Element
	var fx0, fy [4]fefilippo.Element
	for i := range x0 {
		x0[i].SetBytes(seed(i))
		y[i].SetBytes(seed(i + 4))
		fx0[i].SetBytes(seed(i))
		fy[i].SetBytes(seed(i + 4))
	}
	// stepFilippo and stepOurs advance the four chains one step, element
	// by element.
	stepFilippo := func(x *[4]fefilippo.Element, square bool) {
		for i := range x {
			if square {
				x[i].Square(&x[i])
			} else {
				x[i].Multiply(&x[i], &fy[i])
			}
		}
	}
	stepOurs := func(x *[4]field.Element, square bool) {
		for i := range x {
			if square {
				x[i].Square(&x[i])
			} else {
				x[i].Multiply(&x[i], &y[i])
			}
		}
	}
	// reference runs filippo's chains for reps steps.
	reference := func(square bool, reps int) [4][]byte {
		x := fx0
		for range reps {
			stepFilippo(&x, square)
		}
		var out [4][]byte
		for i := range x {
			out[i] = x[i].Bytes()
		}
		return out
	}
	ours := func(name string, square bool, step func(x *[4]field.Element)) *subject {
		return &subject{name: name, unit: 4, serial: true, run: func(reps int) (time.Duration, error) {
			x := x0
			start := time.Now()
			for range reps {
				step(&x)
			}
			d := time.Since(start)
			want := reference(square, reps)
			for i := range x {
				if !bytes.Equal(x[i].Bytes(), want[i]) {
					return 0, fmt.Errorf("%s: chain %d differs from filippo.io/edwards25519/field", name, i)
				}
			}
			return d, nil
		}}
	}
	theirs := func(name string, square bool) *subject {
		return &subject{name: name, unit: 4, serial: true, run: func(reps int) (time.Duration, error) {
			x := fx0
			start := time.Now()
			for range reps {
				stepFilippo(&x, square)
			}
			d := time.Since(start)
			// Cross-check with ours, computed element by element.
			z := x0
			for range reps {
				stepOurs(&z, square)
			}
			for i := range x {
				if !bytes.Equal(x[i].Bytes(), z[i].Bytes()) {
					return 0, fmt.Errorf("%s: chain %d differs from ronkms/field", name, i)
				}
			}
			return d, nil
		}}
	}

	var out []*single
	for _, square := range []bool{false, true} {
		op, verb := "field-mul", "Multiply"
		if square {
			op, verb = "field-square", "Square"
		}
		base := theirs("filippo field."+verb, square)
		scalar := ours("field."+verb, square, func(x *[4]field.Element) { stepOurs(x, square) })
		four := ours(fmt.Sprintf("field.%s4 (%s)", verb, field.Backend()), square, func(x *[4]field.Element) {
			if square {
				field.Square4(x, x)
			} else {
				field.Multiply4(x, x, &y)
			}
		})
		out = append(out,
			&single{subject: base, op: op, impl: "filippo", fn: base.name, base: base},
			&single{subject: scalar, op: op, impl: "ronkms", fn: scalar.name, base: base},
			&single{subject: four, op: op, impl: "ronkms-4way", fn: four.name, base: base})
	}
	return out
}
