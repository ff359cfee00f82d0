#!/usr/bin/env bash
# Runs Go's own crypto/ed25519 tests against github.com/ronkms/ronkms/ed25519.
#
# Usage: scripts/stdlib-tests.sh [go test flags...]
#   e.g. scripts/stdlib-tests.sh -tags purego
#        scripts/stdlib-tests.sh -race -run TestGolden
#
# Nothing is copied into the repository. At run time the test files of the
# installed toolchain, $(go env GOROOT)/src/crypto/ed25519/*_test.go, and their
# testdata/ (sign.input.gz) are copied into a temporary directory inside the
# module (.stdlibtest.XXXX, ignored by git and by ./... patterns, removed on
# exit) and rewritten:
#
#   - "package ed25519" (the internal test file ed25519_test.go) becomes the
#     external test package "package ed25519_test" with a dot import of
#     github.com/ronkms/ronkms/ed25519, so every unqualified GenerateKey, Sign,
#     Verify, VerifyWithOptions, NewKeyFromSeed, PublicKey, Options ... is ours.
#   - import "crypto/ed25519" (ed25519vectors_test.go) becomes
#     ed25519 "github.com/ronkms/ronkms/ed25519".
#   - crypto/internal/cryptotest cannot be imported outside the standard
#     library; its import is removed and a local stand-in
#     (zz_cryptotest_standin_test.go) provides what the tests call:
#       SkipTestAllocations: skips, as the original does, under the race
#         detector, msan, asan, on plan9 and s390x, and when optimizations or
#         inlining are off (-gcflags -N / -l); otherwise TestAllocations runs
#         and requires zero allocations from our Sign and Verify.
#       FetchModule: like the original, downloads a module with
#         `go mod download -json` (through GOPROXY, into the module cache) and
#         returns its directory. TestEd25519Vectors needs it for
#         filippo.io/mostly-harmless/ed25519vectors (the large set of
#         low-order / non-canonical vectors). It is the only test that can
#         skip: under -short, and when the download fails (no network and not
#         in the module cache), exactly as the standard library skips it
#         without external network (testenv.MustHaveExternalNetwork). Set
#         STDLIB_TESTS_REQUIRE_NETWORK=1 to make that a failure instead.
#
#   - The stand-in file also imports crypto/ed25519 (blank import). Reason:
#     PublicKey and PrivateKey are aliases of crypto/ed25519's types, so
#     priv.Public() is crypto/ed25519's method, and the Go compiler (1.26)
#     does not inline a method of an aliased type into a package that does not
#     import the defining package directly (see golang/go#74783). Without the
#     import, priv.Public() in TestAllocations is a real call that allocates
#     the returned key (2 allocations), although our Sign and Verify allocate
#     nothing. Set STDLIB_TESTS_NO_STDLIB_IMPORT=1 to see that failure.
#
# Any other internal import in a future toolchain's tests makes this script
# fail loudly rather than silently drop a test. The script exits non-zero if
# any test fails, and prints which tests ran, passed and skipped.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

go=${GO:-go}
goroot=$("$go" env GOROOT)
src="$goroot/src/crypto/ed25519"
if [ ! -d "$src" ]; then
	echo "stdlib-tests: $src not found" >&2
	exit 1
fi
ourpkg="github.com/ronkms/ronkms/ed25519"
if [ "$("$go" list -m)" != "github.com/ronkms/ronkms" ]; then
	echo "stdlib-tests: not run from the ronkms module" >&2
	exit 1
fi

tmp=$(mktemp -d "$root/.stdlibtest.XXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rel=${tmp#"$root"/}

echo "stdlib-tests: $("$go" version)"
echo "stdlib-tests: crypto/ed25519 tests from $src, run against $ourpkg"
echo "stdlib-tests: go test flags: ${*:-(none)}"

shopt -s nullglob
files=("$src"/*_test.go)
if [ "${#files[@]}" -eq 0 ]; then
	echo "stdlib-tests: no test files in $src" >&2
	exit 1
fi
if [ -d "$src/testdata" ]; then
	cp -R "$src/testdata" "$tmp/testdata"
	echo "stdlib-tests: copied testdata: $(cd "$tmp/testdata" && ls | tr '\n' ' ')"
fi

for f in "${files[@]}"; do
	base=$(basename "$f")
	out="$tmp/$base"
	pkg=$(sed -n 's/^package \([A-Za-z0-9_]*\).*/\1/p' "$f" | head -n 1)
	case "$pkg" in
	ed25519)
		# Internal test file: make it an external test of our package.
		sed -e 's/^package ed25519$/package ed25519_test\
\
import . "github.com\/ronkms\/ronkms\/ed25519"/' "$f" >"$out"
		;;
	ed25519_test)
		cp "$f" "$out"
		;;
	*)
		echo "stdlib-tests: $base: unexpected package clause \"$pkg\"" >&2
		exit 1
		;;
	esac
	# Point the standard package's import at ours; drop cryptotest (stand-in below).
	# (sed to a new file and mv, not sed -i, which differs between GNU and BSD.)
	sed -e 's#^\([[:space:]]*\)"crypto/ed25519"$#\1ed25519 "github.com/ronkms/ronkms/ed25519"#' \
		-e '/^[[:space:]]*"crypto\/internal\/cryptotest"$/d' \
		-e 's#^import "crypto/internal/cryptotest"$##' "$out" >"$out.new"
	mv "$out.new" "$out"
	if grep -nE '^[[:space:]]*(import[[:space:]]+)?([A-Za-z_.]+[[:space:]]+)?"([a-z0-9/]*/)?internal/|"crypto/ed25519"' "$out"; then
		echo "stdlib-tests: $base still imports a standard-library internal package or crypto/ed25519 after the rewrite" >&2
		exit 1
	fi
	echo "stdlib-tests: $base (package $pkg) rewritten to test $ourpkg"
done

if [ "${STDLIB_TESTS_NO_STDLIB_IMPORT:-}" = "1" ]; then
	echo "stdlib-tests: STDLIB_TESTS_NO_STDLIB_IMPORT=1: crypto/ed25519 not imported; TestAllocations is expected to see priv.Public() allocate"
else
	echo "stdlib-tests: note: the test package blank-imports crypto/ed25519 so that priv.Public() (crypto/ed25519's method on the aliased PrivateKey) can be inlined; see the script header"
	cat >"$tmp/zz_stdlib_import_test.go" <<'EOF'
package ed25519_test

// Written by scripts/stdlib-tests.sh: a direct import of crypto/ed25519 lets
// the compiler inline crypto/ed25519's methods of the aliased key types
// (PrivateKey.Public in TestAllocations); see golang/go#74783.
import _ "crypto/ed25519"
EOF
fi
cat >"$tmp/zz_cryptotest_standin_test.go" <<'EOF'
package ed25519_test

// Stand-in for crypto/internal/cryptotest, written by scripts/stdlib-tests.sh.

import (
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

var cryptotest = struct {
	SkipTestAllocations func(t *testing.T)
	FetchModule         func(t *testing.T, module, version string) string
}{skipTestAllocations, fetchModule}

func skipTestAllocations(t *testing.T) {
	t.Helper()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "-race", "-msan", "-asan":
				if s.Value == "true" {
					t.Skip("skipping allocations test with sanitizers (" + s.Key + ")")
				}
			case "-gcflags":
				for _, f := range strings.Fields(s.Value) {
					if f == "-N" || f == "-l" || strings.HasSuffix(f, "=-N") || strings.HasSuffix(f, "=-l") {
						t.Skip("skipping allocations test with optimizations or inlining off")
					}
				}
			}
		}
	}
	if runtime.GOOS == "plan9" || runtime.GOARCH == "s390x" {
		t.Skip("skipping allocations test on " + runtime.GOOS + "/" + runtime.GOARCH)
	}
}

func fetchModule(t *testing.T, module, version string) string {
	t.Helper()
	require := os.Getenv("STDLIB_TESTS_REQUIRE_NETWORK") == "1"
	skip := func(msg string) {
		t.Helper()
		if require {
			t.Fatal(msg + " (STDLIB_TESTS_REQUIRE_NETWORK=1)")
		}
		t.Skip(msg)
	}
	if testing.Short() {
		skip("skipping test that fetches " + module + " in -short mode (needs external network)")
	}
	goTool := os.Getenv("STDLIB_TESTS_GO")
	if goTool == "" {
		goTool = "go"
	}
	t.Logf("fetching %s@%s", module, version)
	cmd := exec.Command(goTool, "mod", "download", "-json", module+"@"+version)
	cmd.Dir = t.TempDir() // outside any module: go.mod and go.sum stay untouched
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOFLAGS=") && !strings.HasPrefix(kv, "GOWORK=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOWORK=off", "GO111MODULE=on")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		skip("cannot download " + module + "@" + version + " (no network?): " + err.Error() + " " + string(out) + msg)
	}
	var j struct{ Dir string }
	if err := json.Unmarshal(out, &j); err != nil || j.Dir == "" {
		t.Fatalf("failed to parse 'go mod download' output: %v\n%s", err, out)
	}
	return j.Dir
}
EOF

# Make sure the rewritten tests really import our package, not crypto/ed25519's.
imports=$("$go" list -f '{{join .XTestImports " "}}' "$@" "./$rel" 2>/dev/null || "$go" list -f '{{join .XTestImports " "}}' "./$rel")
case " $imports " in
*" $ourpkg "*) echo "stdlib-tests: the test package imports $ourpkg" ;;
*)
	echo "stdlib-tests: the rewritten tests do not import $ourpkg (imports: $imports)" >&2
	exit 1
	;;
esac

log="$tmp/go-test.log"
echo "stdlib-tests: go test -count=1 -v $* ./$rel"
set +e
STDLIB_TESTS_GO="$(command -v "$go")" "$go" test -count=1 -v "$@" "./$rel" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -cE '^[[:space:]]*--- PASS' "$log" || true)
failed=$(grep -cE '^[[:space:]]*--- FAIL' "$log" || true)
skipped=$(grep -cE '^[[:space:]]*--- SKIP' "$log" || true)
echo "stdlib-tests: summary: $passed passed, $failed failed, $skipped skipped"
grep -E '^[[:space:]]*--- (PASS|FAIL|SKIP)' "$log" | sed 's/^[[:space:]]*/stdlib-tests:   /' || true
if [ "$status" -ne 0 ]; then
	echo "stdlib-tests: FAILED (go test exit status $status)" >&2
	exit "$status"
fi
if [ "$passed" -eq 0 ]; then
	echo "stdlib-tests: no test passed: nothing was tested" >&2
	exit 1
fi
echo "stdlib-tests: ok"
