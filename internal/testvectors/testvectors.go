// Package testvectors loads the public Ed25519 test vectors that ronkms's
// tests run against. The vectors are not part of this repository: they live
// in a folder beside it, ../shared/vectors from the repository root (the
// directory of the github.com/ronkms/ronkms module, also for the nested
// test modules) by default, or wherever RONKMS_VECTORS points.
//
// When the folder is missing, Dir skips the calling test with a message that
// says how to provide it, unless RONKMS_REQUIRE_VECTORS=1 (set by CI), in
// which case the test fails: CI must never pass on skipped vectors.
//
// It is imported only by tests.
package testvectors

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Path returns where the vectors folder is looked for, and whether it is
// there.
func Path() (dir string, present bool) {
	dir = os.Getenv("RONKMS_VECTORS")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "(the repository root not found: " + err.Error() + ")", false
		}
		dir = filepath.Join(root, "..", "shared", "vectors")
	}
	_, err := os.Stat(filepath.Join(dir, "rfc8032_sign.input"))
	return dir, err == nil
}

// Dir returns the vectors folder, or skips (or fails) t when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir, present := Path()
	if !present {
		msg := "test vectors not found at " + dir + ": set RONKMS_VECTORS to the folder holding " +
			"rfc8032_sign.input, rfc8032_ph_ctx.json, wycheproof_ed25519_test.json and zip215_cases.json " +
			"(the project's shared/vectors), or place it at ../shared/vectors beside the module root"
		if os.Getenv("RONKMS_REQUIRE_VECTORS") == "1" {
			t.Fatal(msg + " (RONKMS_REQUIRE_VECTORS=1: failing instead of skipping)")
		}
		t.Skip(msg)
	}
	return dir
}

// moduleRoot returns the directory of the github.com/ronkms/ronkms go.mod,
// searching up from the working directory (a test's package directory),
// past the go.mod files of nested modules such as oracle/ and bench/peers/.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && isMainModule(b) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// isMainModule reports whether the go.mod contents b declare the module
// github.com/ronkms/ronkms.
func isMainModule(b []byte) bool {
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && f[1] == "github.com/ronkms/ronkms" {
			return true
		}
	}
	return false
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("testvectors: bad hex %q: %v", s, err)
	}
	return b
}

// SignCase is one line of rfc8032_sign.input.
type SignCase struct {
	Line int
	Seed []byte // 32 bytes
	Pub  []byte // 32 bytes
	Msg  []byte
	Sig  []byte // 64 bytes
}

// SignInput returns the 1024 cases of rfc8032_sign.input.
func SignInput(t testing.TB) []SignCase {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(t), "rfc8032_sign.input"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []SignCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for line := 1; sc.Scan(); line++ {
		parts := strings.Split(sc.Text(), ":")
		if len(parts) != 5 {
			t.Fatalf("rfc8032_sign.input line %d: %d fields, want 5", line, len(parts))
		}
		sk, pub, msg, sigmsg := unhex(t, parts[0]), unhex(t, parts[1]), unhex(t, parts[2]), unhex(t, parts[3])
		out = append(out, SignCase{Line: line, Seed: sk[:32], Pub: pub, Msg: msg, Sig: sigmsg[:64]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1024 {
		t.Fatalf("rfc8032_sign.input: %d cases, want 1024", len(out))
	}
	return out
}

// PhCtxCase is one RFC 8032 section 7.1-7.3 case.
type PhCtxCase struct {
	Section        string
	Variant        string // "Ed25519", "Ed25519ctx" or "Ed25519ph"
	Index          int
	Secret, Public []byte
	Msg            []byte // for Ed25519ph, the message before pre-hashing
	Context        string
	ContextPresent bool
	Signature      []byte
}

// PhCtx returns the cases of rfc8032_ph_ctx.json.
func PhCtx(t testing.TB) []PhCtxCase {
	t.Helper()
	var raw []struct {
		Section        string `json:"section"`
		Variant        string `json:"variant"`
		Index          int    `json:"index_in_section"`
		Secret         string `json:"secret"`
		Public         string `json:"public"`
		Msg            string `json:"msg"`
		Context        string `json:"context"`
		ContextPresent bool   `json:"context_present"`
		Signature      string `json:"signature"`
	}
	readJSON(t, "rfc8032_ph_ctx.json", &raw)
	out := make([]PhCtxCase, len(raw))
	for i, r := range raw {
		out[i] = PhCtxCase{Section: r.Section, Variant: r.Variant, Index: r.Index,
			Secret: unhex(t, r.Secret), Public: unhex(t, r.Public), Msg: unhex(t, r.Msg),
			Context: string(unhex(t, r.Context)), ContextPresent: r.ContextPresent, Signature: unhex(t, r.Signature)}
	}
	return out
}

// WycheproofCase is one Wycheproof EddsaVerify test.
type WycheproofCase struct {
	TcID    int
	Comment string
	Flags   []string
	Pub     []byte
	Msg     []byte
	Sig     []byte
	Valid   bool // result == "valid"
}

// Wycheproof returns the cases of wycheproof_ed25519_test.json.
func Wycheproof(t testing.TB) []WycheproofCase {
	t.Helper()
	var raw struct {
		TestGroups []struct {
			PublicKey struct {
				PK string `json:"pk"`
			} `json:"publicKey"`
			Tests []struct {
				TcID    int      `json:"tcId"`
				Comment string   `json:"comment"`
				Flags   []string `json:"flags"`
				Msg     string   `json:"msg"`
				Sig     string   `json:"sig"`
				Result  string   `json:"result"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	readJSON(t, "wycheproof_ed25519_test.json", &raw)
	var out []WycheproofCase
	for _, g := range raw.TestGroups {
		pub := unhex(t, g.PublicKey.PK)
		for _, tc := range g.Tests {
			if tc.Result != "valid" && tc.Result != "invalid" {
				t.Fatalf("wycheproof tcId %d: unexpected result %q", tc.TcID, tc.Result)
			}
			out = append(out, WycheproofCase{TcID: tc.TcID, Comment: tc.Comment, Flags: tc.Flags,
				Pub: pub, Msg: unhex(t, tc.Msg), Sig: unhex(t, tc.Sig), Valid: tc.Result == "valid"})
		}
	}
	if len(out) != 151 {
		t.Fatalf("wycheproof: %d cases, want 151", len(out))
	}
	return out
}

// ZIP215Case is one case of zip215_cases.json.
type ZIP215Case struct {
	Pub, Sig, Msg []byte
	Valid         bool
}

// ZIP215 returns the 196 cases of zip215_cases.json.
func ZIP215(t testing.TB) []ZIP215Case {
	t.Helper()
	var raw []struct {
		VK    string `json:"vk"`
		Sig   string `json:"sig"`
		Msg   string `json:"msg"`
		Valid bool   `json:"valid_zip215"`
	}
	readJSON(t, "zip215_cases.json", &raw)
	out := make([]ZIP215Case, len(raw))
	for i, r := range raw {
		out[i] = ZIP215Case{Pub: unhex(t, r.VK), Sig: unhex(t, r.Sig), Msg: unhex(t, r.Msg), Valid: r.Valid}
	}
	if len(out) != 196 {
		t.Fatalf("zip215_cases.json: %d cases, want 196", len(out))
	}
	return out
}

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
