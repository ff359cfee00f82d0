//go:build !amd64 || !gc || purego

// Package cpufeat detects, once, the CPU extensions that ronkms's assembly
// backends need. In this build (the purego tag, another architecture or
// another compiler) every assembly path is off.
package cpufeat

var (
	BMI2ADX    = false
	AVX2       = false
	AVX512IFMA = false
)

// PureGo reports whether the build forces the generic code paths.
const PureGo = true
