package ronkms

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/ronkms/ronkms/field"
	"github.com/ronkms/ronkms/internal/cpufeat"
)

// CPUFeatures lists the CPU extensions ronkms can use, as detected once at
// start-up by golang.org/x/sys/cpu. Under the purego build tag all are false.
type CPUFeatures struct {
	BMI2ADX    bool // MULX, ADCX and ADOX (BMI2 and ADX)
	AVX2       bool
	AVX512IFMA bool // AVX-512 F, VL and IFMA
}

// Features returns the CPU extensions detected on this machine that this
// build may use.
func Features() CPUFeatures {
	return CPUFeatures{
		BMI2ADX:    cpufeat.BMI2ADX,
		AVX2:       cpufeat.AVX2,
		AVX512IFMA: cpufeat.AVX512IFMA,
	}
}

// Backend names the field arithmetic verification and signing run on in
// this build on this CPU: the scalar routines (multiply, square) and the
// four-way vector routines, for example "scalar=bmi2adx vector=avx512ifma",
// or "scalar=generic vector=generic (purego)".
func Backend() string {
	scalar := "generic"
	if cpufeat.BMI2ADX {
		scalar = "bmi2adx"
	}
	b := "scalar=" + scalar + " vector=" + field.Backend()
	if cpufeat.PureGo {
		b += " (purego)"
	}
	return b
}

// DescribeCPU returns one line describing this machine and the chosen
// backend, for benchmark and tool output, for example:
//
//	AMD EPYC | 2 logical cores, GOMAXPROCS 2 | bmi2adx avx2 avx512ifma | backend scalar=bmi2adx vector=avx512ifma | go1.26.8 linux/amd64
func DescribeCPU() string {
	brand := strings.TrimSpace(cpuid.CPU.BrandName)
	if brand == "" {
		brand = "unknown CPU"
	}
	f := Features()
	var feats []string
	if f.BMI2ADX {
		feats = append(feats, "bmi2adx")
	}
	if f.AVX2 {
		feats = append(feats, "avx2")
	}
	if f.AVX512IFMA {
		feats = append(feats, "avx512ifma")
	}
	if len(feats) == 0 {
		feats = append(feats, "no-asm-features")
	}
	return fmt.Sprintf("%s | %d logical cores, GOMAXPROCS %d | %s | backend %s | %s %s/%s",
		brand, runtime.NumCPU(), runtime.GOMAXPROCS(0), strings.Join(feats, " "),
		Backend(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
