//go:build amd64 && gc && !purego

// Package cpufeat detects, once, the CPU extensions that ronkms's assembly
// backends need. It is the only place the project reads CPU features for
// dispatch; the root package's cpufeatures.go describes them for reports.
package cpufeat

import "golang.org/x/sys/cpu"

// Each flag requires every extension its code path uses, and the operating
// system's support for the register state involved (x/sys/cpu checks XSAVE
// state for AVX and AVX-512).
var (
	// BMI2ADX gates the MULX/ADCX/ADOX scalar field arithmetic.
	BMI2ADX = cpu.X86.HasBMI2 && cpu.X86.HasADX
	// AVX2 gates the four-way vector field arithmetic.
	AVX2 = cpu.X86.HasAVX2
	// AVX512IFMA gates 52-bit multiply-accumulate vector arithmetic.
	AVX512IFMA = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512IFMA
)

// PureGo reports whether the build forces the generic code paths.
const PureGo = false
