package ronkms_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/ronkms/ronkms/field"
	"github.com/ronkms/ronkms/internal/cpufeat"
)

// TestMain prints, when benchmarks run, the configuration line
// "backend: NAME" (benchstat's format: it applies to every result that
// follows), so that result files from different backends or machines
// compare with benchstat as they are: benchstat -col backend. The go test
// "cpu:" line names the CPU.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		fmt.Printf("backend: %s\n", benchBackend())
	}
	os.Exit(m.Run())
}

// benchBackend names the code the measurements ran on: "purego" under
// the purego tag, else the field's vector backend ("avx512ifma", "avx2",
// "bmi2adx" for MULX without AVX2, "generic").
func benchBackend() string {
	if cpufeat.PureGo {
		return "purego"
	}
	return field.Backend()
}
