#!/usr/bin/env bash
# Runs the tests of the packages with assembly, and of those that dispatch
# on it, with AVX-512 IFMA switched off (GODEBUG=cpu.avx512ifma=off, which
# golang.org/x/sys/cpu honours): the AVX2 path that CPUs without IFMA run.
# On a CPU without IFMA this is the unit tests again.
#
# GODEBUG is set on the test binaries' runs only. Set on the go command, it
# reaches the compiler, which does not know cpu.avx512ifma and warns; the go
# command caches that warning with the compiled package and replays it on
# every later build of the package on the machine.
set -euo pipefail
go=${GO:-go}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pkgs=(./field ./internal/edwards ./internal/batch ./ed25519 .)
for p in "${pkgs[@]}"; do
	bin="$dir/$(echo "$p" | tr '/.' '__').test"
	"$go" test -c -o "$bin" "$p"
	# Run in the package's directory, as go test does (testdata paths).
	(cd "$p" && GODEBUG=cpu.avx512ifma=off "$bin" -test.count=1 -test.short) > "$dir/out" 2>&1 || {
		cat "$dir/out"
		echo "no-ifma: $p failed"
		exit 1
	}
	echo "ok   $p (IFMA off)"
done
