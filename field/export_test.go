package field

import "github.com/ronkms/ronkms/internal/cpufeat"

// The test hook: backends lists the backends this build can run on this
// CPU, and useBackend switches the dispatch variables so that the named one
// is chosen (features above it off), returning a function that restores
// them. Switching a feature off is always safe; a feature the CPU lacks is
// never switched on.

// backend names, best first.
var allBackends = []string{"avx512ifma", "avx2", "bmi2adx", "generic"}

func backendAvailable(name string) bool {
	switch name {
	case "avx512ifma":
		return cpufeat.AVX512IFMA && cpufeat.AVX2 && cpufeat.BMI2ADX
	case "avx2":
		return cpufeat.AVX2 && cpufeat.BMI2ADX
	case "bmi2adx":
		return cpufeat.BMI2ADX
	case "generic":
		return true
	}
	return false
}

func backends() []string {
	var out []string
	for _, n := range allBackends {
		if backendAvailable(n) {
			out = append(out, n)
		}
	}
	return out
}

func useBackend(name string) (restore func()) {
	if !backendAvailable(name) {
		panic("field: backend " + name + " not available")
	}
	b, a, i := useBMI2ADX, useAVX2, useAVX512IFMA
	useAVX512IFMA = name == "avx512ifma"
	useAVX2 = name == "avx512ifma" || name == "avx2"
	useBMI2ADX = name != "generic"
	return func() { useBMI2ADX, useAVX2, useAVX512IFMA = b, a, i }
}
