#!/usr/bin/env bash
# Runs native fuzz targets, each for a while, and prints a summary of the
# executions per target.
#
# Usage: scripts/fuzz-all.sh [fuzztime] [pkg:Target ...]
#   fuzztime   per target (default 10s)
#   pkg:Target the targets to run, e.g. ./ed25519:FuzzVerify; default every
#              native fuzz target of the module.
# FUZZPARALLEL sets go test's -parallel (default GOMAXPROCS).
#
# A target that fails leaves its input in the package's testdata/fuzz/
# directory (commit it as a regression input); the script goes on with the
# other targets and exits non-zero at the end.
set -uo pipefail
fuzztime=${1:-10s}
shift || true
cd "$(dirname "$0")/.."

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for pkg in $(go list ./...); do
		for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			targets+=("$pkg:$target")
		done
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi

parallel=()
[ -n "${FUZZPARALLEL:-}" ] && parallel=(-parallel "$FUZZPARALLEL")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=()
failed=0
for t in "${targets[@]}"; do
	pkg=${t%%:*}
	target=${t##*:}
	echo "== $pkg $target ($fuzztime)"
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "${parallel[@]}" "$pkg" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	# The last progress line: "fuzz: elapsed: 10m0s, execs: 123456 (205/sec), ..."
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	result=ok
	if [ "$status" -ne 0 ]; then
		result=FAILED
		failed=$((failed + 1))
	fi
	summary+=("$(printf '%-40s %-24s %14s execs  %s' "$pkg" "$target" "${execs:-?}" "$result")")
done
echo
echo "fuzzed ${#targets[@]} targets for $fuzztime each:"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
	echo "$failed target(s) failed: their inputs are under testdata/fuzz/ in the package" >&2
	exit 1
fi
