#!/usr/bin/env bash
# make bench-backends: the same benchmarks on every backend this machine can
# run, side by side in one benchstat table (ns per signature, the backend as
# the column).
#
# Backends: the CPU's best (avx512ifma on this project's machines), then
# with GODEBUG=cpu.avx512ifma=off (avx2), with cpu.avx2=off as well
# (bmi2adx: MULX only), and the purego build (generic Go, what arm64 and
# other architectures run). golang.org/x/sys/cpu honours the GODEBUG
# switches, so the dispatch takes the lower path; the Go runtime honours
# cpu.avx2=off too, so in that column crypto/ed25519's SHA-512 also runs
# without AVX2, as on a CPU without it. A switch that changes nothing on
# this CPU (the backend it yields was measured already) is skipped: each
# benchmark binary prints its backend as a configuration line ("backend:
# NAME", see main_test.go), which is how the runs are told apart.
#
# GODEBUG is set on the benchmark binaries' runs only, never on the go
# command: the compiler does not know cpu.avx512ifma, warns, and the go
# command would replay that warning from its cache on every later build.
#
# Settings (environment): COUNT (runs of each benchmark, default 6),
# BENCHTIME (default 300ms), OUT (directory of the raw files, default
# bench/out/backends), SMOKE=1 (one run of a few benchmarks, and a check
# that the table has a column per backend: what make test runs).
# The raw files are benchstat input: benchstat -col backend OUT/*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
count=${COUNT:-6}
benchtime=${BENCHTIME:-300ms}
out=${OUT:-bench/out/backends}
single='^Benchmark(Sign|Verify)$'
batch='^BenchmarkVerifyBatch$/mode=(stdlib|strict|zip215)$/keys=(same|distinct)$/n=(64|1024)$/impl=/workers=1$'
if [ "${SMOKE:-0}" = 1 ]; then
	count=1 benchtime=1x
	single='^Benchmark(Sign|Verify)$/(impl=ronkms|mode=strict)$'
	batch='^BenchmarkVerifyBatch$/mode=strict$/keys=distinct$/n=64$/impl=ronkms$/workers=1$'
fi
benchstat=(go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da)
if command -v benchstat >/dev/null; then
	benchstat=(benchstat)
fi

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
"$go" test -c -o "$bin/native.test" .
"$go" test -c -tags purego -o "$bin/purego.test" .
rm -rf "$out"
mkdir -p "$out"

# run BINARY GODEBUG: one backend's results, unless its backend was seen.
seen=" "
run() {
	local b=$1 dbg=$2 name
	name=$(GODEBUG=$dbg "$b" -test.run '^$' -test.bench '^$' 2>/dev/null | sed -n 's/^backend: //p')
	if [ -z "$name" ]; then
		echo "bench-backends: $b printed no backend line" >&2
		exit 1
	fi
	case "$seen" in *" $name "*) return ;; esac
	seen="$seen$name "
	echo "bench-backends: $name (GODEBUG=${dbg:-unset} $(basename "$b"))" >&2
	for pat in "$single" "$batch"; do
		GODEBUG=$dbg "$b" -test.run '^$' -test.bench "$pat" -test.count "$count" \
			-test.benchtime "$benchtime" 2>/dev/null
	done >"$out/$name.txt"
	grep -q '^Benchmark' "$out/$name.txt" || { echo "bench-backends: no results for $name" >&2; exit 1; }
}
run "$bin/native.test" ""
run "$bin/native.test" "cpu.avx512ifma=off"
run "$bin/native.test" "cpu.avx512ifma=off,cpu.avx2=off"
run "$bin/purego.test" ""

# One unit: keep each result's ns/sig (ns/op of a batch is per batch).
files=()
for f in "$out"/*.txt; do
	case "$f" in *.nssig.txt) continue ;; esac
	g=${f%.txt}.nssig.txt
	awk '/^Benchmark/ { for (i = 3; i < NF; i++) if ($(i+1) == "ns/sig") { print $1, $2, $i, "ns/sig"; next } next } { print }' "$f" >"$g"
	files+=("$g")
done
# Columns in the order measured: best backend first, the others compared with it.
order=()
for name in $seen; do order+=("$out/$name.nssig.txt"); done
table=$("${benchstat[@]}" -col backend "${order[@]}")
echo "$table"
echo "raw results: $out/*.txt (benchstat -col backend $out/*.txt)"

if [ "${SMOKE:-0}" = 1 ]; then
	header=$(echo "$table" | grep -m1 -E '^\s+│' || true)
	for name in $seen; do
		case "$header" in *"$name"*) ;; *) echo "bench-backends: no column for $name in: $header" >&2; exit 1 ;; esac
	done
	echo "bench-backends: smoke run passed, backends:$seen" >&2
fi
