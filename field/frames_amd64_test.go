//go:build amd64 && gc && !purego

package field

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestVectorFramesAligned checks the generated assembly of this package and
// of internal/edwards: every routine with a stack frame aligns it to 32
// bytes before use (the generator's alignedFrame), and no vector
// instruction addresses the stack pointer directly. Go aligns frames to 8
// bytes only; the AVX2 products go through their frames, and a frame at 8
// or 24 mod 32 made them about 10% slower, depending on the call depth.
func TestVectorFramesAligned(t *testing.T) {
	text := regexp.MustCompile(`^TEXT ·(\w+)\(SB\), (?:NOSPLIT, )?\$(\d+)-\d+`)
	prologue := regexp.MustCompile(`^LEAQ\s+\(SP\), (\w+)\nADDQ\s+\$0x1f, (\w+)\nANDQ\s+\$-32, (\w+)$`)
	for _, path := range []string{"field_amd64.s", "../internal/edwards/vec_amd64.s"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		routines := 0
		for _, body := range strings.Split(string(src), "\nTEXT ")[1:] {
			lines := strings.Split("TEXT "+body, "\n")
			m := text.FindStringSubmatch(lines[0])
			if m == nil {
				t.Fatalf("%s: unexpected TEXT line %q", path, lines[0])
			}
			var code []string
			for _, l := range lines[1:] {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "//") {
					code = append(code, l)
				}
			}
			for _, l := range code {
				if strings.HasPrefix(l, "V") && strings.Contains(l, "(SP)") {
					t.Errorf("%s: %s: vector access to the unaligned frame: %s", path, m[1], l)
				}
			}
			if m[2] == "0" || m[2] == "8" || strings.Contains(lines[0], "NOSPLIT") {
				continue // no vector frame (squareNADX's 8 bytes hold a scalar)
			}
			routines++
			if len(code) < 3 {
				t.Fatalf("%s: %s: %d instructions", path, m[1], len(code))
			}
			p := prologue.FindStringSubmatch(strings.Join(code[:3], "\n"))
			if p == nil || p[1] != p[2] || p[2] != p[3] {
				t.Errorf("%s: %s has a %s-byte frame but does not start by aligning it:\n%s", path, m[1], m[2], strings.Join(code[:3], "\n"))
			}
		}
		if routines == 0 {
			t.Errorf("%s: no routine with a vector frame found", path)
		}
	}
}
