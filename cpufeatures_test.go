package ronkms_test

import (
	"strings"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/internal/cpufeat"
)

func TestFeaturesMatchDetection(t *testing.T) {
	f := ronkms.Features()
	if cpufeat.PureGo {
		if f != (ronkms.CPUFeatures{}) {
			t.Fatalf("purego build reports features %+v", f)
		}
		if !strings.Contains(ronkms.Backend(), "(purego)") {
			t.Errorf("purego build backend %q does not say purego", ronkms.Backend())
		}
		return
	}
	if want := cpu.X86.HasBMI2 && cpu.X86.HasADX; f.BMI2ADX != want {
		t.Errorf("BMI2ADX = %v, x/sys/cpu says %v", f.BMI2ADX, want)
	}
	if f.AVX2 != cpu.X86.HasAVX2 {
		t.Errorf("AVX2 = %v, x/sys/cpu says %v", f.AVX2, cpu.X86.HasAVX2)
	}
	if want := cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512IFMA; f.AVX512IFMA != want {
		t.Errorf("AVX512IFMA = %v, x/sys/cpu says %v", f.AVX512IFMA, want)
	}
	if f.BMI2ADX && !strings.Contains(ronkms.Backend(), "scalar=bmi2adx") {
		t.Errorf("BMI2/ADX present but backend is %q", ronkms.Backend())
	}
}

func TestDescribeCPU(t *testing.T) {
	line := ronkms.DescribeCPU()
	if strings.Contains(line, "\n") {
		t.Fatalf("DescribeCPU is not one line: %q", line)
	}
	for _, want := range []string{"backend " + ronkms.Backend(), "GOMAXPROCS", "go1."} {
		if !strings.Contains(line, want) {
			t.Errorf("DescribeCPU() = %q lacks %q", line, want)
		}
	}
	f := ronkms.Features()
	for name, on := range map[string]bool{"bmi2adx": f.BMI2ADX, "avx2": f.AVX2, "avx512ifma": f.AVX512IFMA} {
		if got := strings.Contains(line, " "+name); got != on {
			t.Errorf("DescribeCPU() = %q: mentions %s = %v, feature = %v", line, name, got, on)
		}
	}
}
