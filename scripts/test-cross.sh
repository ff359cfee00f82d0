#!/usr/bin/env bash
# make cross-test: cross-builds the unit tests for arm64 and 386 and runs
# them, -short: correctness on the architectures that run the generic code,
# not speed. arm64 runs under qemu user emulation (Debian's qemu-user). 386
# runs natively where the amd64 kernel runs 32-bit binaries (IA32
# emulation, the usual case), since Go's 386 runtime crashes under
# qemu-i386 7.2 ("morestack on gsignal", a known qemu-user signal handling
# problem); elsewhere it falls back to qemu-i386. Each package's test
# binary runs in the package's directory, as go test runs it.
#
# ARCHS (default "arm64 386") picks the architectures; QEMU_INSTALL=1 lets
# the script apt-get install qemu-user when qemu is missing (CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
archs=${ARCHS:-arm64 386}
declare -A qemu=([arm64]=qemu-aarch64 [386]=qemu-i386 [arm]=qemu-arm [riscv64]=qemu-riscv64)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mod=$("$go" list -m)
# A 386 binary the kernel runs itself needs no emulator.
if [[ " $archs " == *" 386 "* ]]; then
	printf 'package main\nfunc main() {}\n' >"$dir/probe.go"
	if GOARCH=386 "$go" build -o "$dir/probe" "$dir/probe.go" && "$dir/probe" 2>/dev/null; then
		qemu[386]=
	fi
fi
for a in $archs; do
	if [ -z "${qemu[$a]}" ]; then
		continue
	fi
	if ! command -v "${qemu[$a]}" >/dev/null; then
		if [ "${QEMU_INSTALL:-0}" = 1 ]; then
			apt-get update -qq && apt-get install -y -qq qemu-user >/dev/null
		else
			echo "cross-test: ${qemu[$a]} not found (apt-get install qemu-user, or QEMU_INSTALL=1)" >&2
			exit 1
		fi
	fi
done
for a in $archs; do
	start=$(date +%s)
	n=0
	for p in $("$go" list ./...); do
		bin="$dir/$a-$(echo "$p" | tr '/.' '__').test"
		GOARCH=$a "$go" test -c -o "$bin" "$p" >/dev/null
		[ -f "$bin" ] || continue # no test files
		rel=.${p#"$mod"}
		# RONKMS_TEST_EXEC: how a test re-executes its own binary.
		if ! (cd "$rel" && RONKMS_TEST_EXEC=${qemu[$a]} ${qemu[$a]} "$bin" -test.short -test.count=1) >"$dir/out" 2>&1; then
			cat "$dir/out"
			echo "cross-test: $p failed on $a" >&2
			exit 1
		fi
		n=$((n + 1))
	done
	echo "cross-test: $a: $n packages passed ${qemu[$a]:+under ${qemu[$a]} }($(($(date +%s) - start)) s)"
done
