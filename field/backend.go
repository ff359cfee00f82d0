package field

import "github.com/ronkms/ronkms/internal/cpufeat"

// Backend choice, read once from internal/cpufeat (all false under the
// purego tag and off amd64, where the assembly is not compiled and these are
// not read). Tests switch them off, and back, through export_test.go to run
// every backend on one machine; nothing else writes them.
var (
	useBMI2ADX    = cpufeat.BMI2ADX
	useAVX2       = cpufeat.AVX2
	useAVX512IFMA = cpufeat.AVX512IFMA
)

// Backend names the code that Multiply4 and Square4 run on in this build on
// this CPU: "avx512ifma", "avx2", "bmi2adx" or "generic". Multiply, Square
// and SquareN use "bmi2adx" whenever it is available.
func Backend() string {
	switch {
	case useAVX512IFMA:
		return "avx512ifma"
	case useAVX2:
		return "avx2"
	case useBMI2ADX:
		return "bmi2adx"
	}
	return "generic"
}
