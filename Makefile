# ronkms: the main job (make bench) and the test suite (make test).
# Every target installs nothing outside the Go module cache.

GO       ?= go
PKGS     ?= ./...
FUZZTIME ?= 10s

.PHONY: all test cross-test vet unit race purego no-ifma stdlib-tests bench-smoke bench-backends-smoke bench bench-backends bench-go fuzz fuzz-long fmt-check tidy-check asm generate gen-check help

all: test

help:
	@echo "make bench        sizing table for this machine (ronkms bench, under two minutes)"
	@echo "make test         vet, unit tests, -race, -tags purego, Go's own crypto/ed25519 tests, benchmark smoke run, oracle tests"
	@echo "make cross-test   the unit tests on arm64 (qemu-user) and 386, -short"
	@echo "make fuzz         every native fuzz target for FUZZTIME ($(FUZZTIME)) each"
	@echo "make fuzz-long    the verdict-critical fuzz targets for FUZZTIME_LONG ($(FUZZTIME_LONG)) each"
	@echo "make bench-backends  the same benchmarks on every backend this machine runs (IFMA, AVX2, MULX, purego), one benchstat table"
	@echo "make bench-go     go test benchmarks (-count 6) for benchstat"
	@echo "make generate     regenerate field assembly (avo) and point tables; make gen-check fails on drift"

# The test command of the README and of CI. It ends with one line saying
# what passed; any failure stops it with the failing output.
test: vet unit race purego no-ifma stdlib-tests bench-smoke bench-backends-smoke bench-peers-test oracle-test
	@echo "make test: passed: vet (default and purego), unit tests, -race -short, purego, the AVX2 path with IFMA off, Go's crypto/ed25519 tests on our package, every benchmark once, the backend table, the peer harness, the oracle tests$$(pkg-config --exists libsodium 2>/dev/null || echo ' (libsodium oracle skipped)')"

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags purego $(PKGS)

unit:
	$(GO) test -count=1 $(PKGS)

# Race detection slows verification about tenfold; -short scales the
# randomized suites down accordingly.
race:
	$(GO) test -count=1 -race -short $(PKGS)

# The generic code paths, as on non-amd64 machines.
purego:
	$(GO) test -count=1 -tags purego $(PKGS)

# The packages with assembly, on the AVX2 path (AVX-512 IFMA switched off),
# which CPUs without IFMA run. GODEBUG goes to the test binaries only, never
# to the go command (see scripts/test-no-ifma.sh).
no-ifma:
	bash scripts/test-no-ifma.sh

# The unit tests (-short) cross-built for arm64 (run under qemu-user) and
# 386 (run by the amd64 kernel), correctness only; CI runs it after make
# test (scripts/test-cross.sh: ARCHS, QEMU_INSTALL).
cross-test:
	bash scripts/test-cross.sh

# Go's own crypto/ed25519 tests, run against our package.
stdlib-tests:
	bash scripts/stdlib-tests.sh
	bash scripts/stdlib-tests.sh -tags purego

# Every benchmark once, so that benchmarks (which check their results) cannot
# rot. Quiet on success (a count), the whole output on failure.
bench-smoke:
	@out=$$($(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -short $(PKGS) 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "$$out"; exit $$rc; fi; \
	echo "bench-smoke: $$(echo "$$out" | grep -c '^Benchmark') benchmark runs once each, every result checked"

bench:
	$(GO) run ./cmd/ronkms bench

# Every backend this machine can run, side by side (scripts/bench-backends.sh:
# COUNT, BENCHTIME, OUT). bench-backends-smoke is its one-run check in make test.
bench-backends:
	bash scripts/bench-backends.sh

bench-backends-smoke:
	@d=$$(mktemp -d); SMOKE=1 OUT=$$d bash scripts/bench-backends.sh >/dev/null; rc=$$?; rm -rf $$d; exit $$rc

bench-go:
	$(GO) test -run '^$$' -bench . -count 6 -timeout 60m .

fuzz:
	bash scripts/fuzz-all.sh $(FUZZTIME)

# The targets whose findings would be wrong verdicts or crashes: batch
# against single verification in every mode, single verification against
# crypto/ed25519, point and key decoding, the four-way lanes against their
# generic twins, the key cache, and the service's request decoding.
FUZZTIME_LONG ?= 10m
FUZZ_LONG_TARGETS = \
	.:FuzzVerifyBatch \
	./internal/batch:FuzzKeyCache \
	./ed25519:FuzzVerify \
	./ed25519:FuzzVerifyingKey \
	./internal/edwards:FuzzDecodeEncode \
	./internal/edwards:FuzzDecodeFour \
	./internal/edwards:FuzzVecOps \
	./internal/edwards:FuzzLaneComb \
	./field:FuzzLanes \
	./field:FuzzMultiply4 \
	./internal/server:FuzzDecodeBatchBinary \
	./internal/server:FuzzDecodeJSON

fuzz-long:
	bash scripts/fuzz-all.sh $(FUZZTIME_LONG) $(FUZZ_LONG_TARGETS)

# Regenerate the field assembly (avo, in its own module field/_asm) and the
# point layer's constant tables.
asm:
	cd field/_asm && $(GO) run . -out ../field_amd64.s -stubs ../field_amd64_stubs.go -pkg field
	cd field/_asm && $(GO) run . -point -out ../../internal/edwards/vec_amd64.s -stubs ../../internal/edwards/vec_amd64_stubs.go -pkg edwards

generate: asm
	$(GO) generate ./internal/edwards

# Fails when regeneration changes a committed file (CI runs it).
gen-check: generate
	@git diff --exit-code -- field internal/edwards || { echo "generated files drifted: run make generate and commit"; exit 1; }

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

tidy-check:
	$(GO) mod tidy -diff

# ---- Peer comparison and performance gates (bench/peers is its own module) ----
COUNT     ?= 6
THRESHOLD ?= 10
# cpu-ns/sig: process CPU time per signature, steady on a shared machine;
# ns/sig: wall time. workers=all ratios and floors are always wall time (CPU
# time hides a parallel speed-up).
UNIT      ?= cpu-ns/sig
BASELINE  ?=
FULL      ?=
# Floors: minimum speed-up of ronkms over crypto/ed25519 measured in the same
# run, so they hold on any machine. Set below what this 2-core EPYC measures
# (2026-11-26) with a margin for noise. The *_ALL floors need idle cores: the
# gate skips them, with a warning, while other processes load the machine.
FLOOR_SIGN             ?= 1.0
FLOOR_VERIFY           ?= 1.15
FLOOR_BATCH_EXACT      ?= 1.1
FLOOR_BATCH_ZIP215     ?= 1.5
FLOOR_BATCH_EXACT_ALL  ?= 1.3
FLOOR_BATCH_ZIP215_ALL ?= 2.0
GATE_FLOORS = \
	-floor '^Sign/impl=ronkms$$=$(FLOOR_SIGN)' \
	-floor '^Verify/.*/impl=ronkms-=$(FLOOR_VERIFY)' \
	-floor '^Batch/.*/workers=1/impl=ronkms-(stdlib|strict)$$=$(FLOOR_BATCH_EXACT)' \
	-floor '^Batch/.*/workers=1/impl=ronkms-zip215$$=$(FLOOR_BATCH_ZIP215)' \
	-floor '^Batch/.*/workers=all/impl=ronkms-(stdlib|strict)$$=$(FLOOR_BATCH_EXACT_ALL)' \
	-floor '^Batch/.*/workers=all/impl=ronkms-zip215$$=$(FLOOR_BATCH_ZIP215_ALL)'

.PHONY: bench-peers bench-save perf-gate bench-peers-test

# One table per workload: each peer's ratio to crypto/ed25519 and to ronkms.
# BENCH_GODEBUG=cpu.avx512ifma=off measures the AVX2 path (set on the
# benchmark runs only).
bench-peers:
	cd bench/peers && $(GO) run ./report -run -count $(COUNT) -unit $(UNIT) $(if $(FULL),-full) $(if $(BENCH_GODEBUG),-godebug '$(BENCH_GODEBUG)') -out out/peers.txt

bench-save:
	@test -n "$(BASELINE)" || { echo "usage: make bench-save BASELINE=name [COUNT=6]" >&2; exit 2; }
	cd bench/peers && $(GO) run ./gate save -name $(BASELINE) -count $(COUNT)

perf-gate:
	@test -n "$(BASELINE)" || { echo "usage: make perf-gate BASELINE=name [THRESHOLD=10] [UNIT=ns/sig] [FLOOR_...=x]" >&2; exit 2; }
	cd bench/peers && $(GO) run ./gate check -baseline $(BASELINE) -threshold $(THRESHOLD) -count $(COUNT) -unit $(UNIT) $(GATE_FLOORS)

# The harness's own tests (each peer's rules on crafted signatures, the gate
# and report logic, the injected slowdown) and a 1x smoke run of every peer
# benchmark. Part of make test: ./... of the main module does not reach it.
bench-peers-test:
	cd bench/peers && $(GO) vet ./... && $(GO) test -count=1 ./... && $(GO) mod tidy -diff
	@cd bench/peers && out=$$($(GO) test -count=1 -run '^$$' -bench . -benchtime 1x . 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "$$out"; exit $$rc; fi; \
	echo "bench-peers smoke: $$(echo "$$out" | grep -c '^Benchmark') peer benchmark runs once each, every verdict checked"

# ---- Oracles (oracle/ is its own module: curve25519-voi, ed25519consensus,
# and libsodium through cgo, which needs a C compiler, libsodium-dev and
# pkg-config). Part of make test. Without libsodium the libsodium oracle is
# skipped with a message, unless RONKMS_REQUIRE_ORACLES=1 (CI), which makes
# it a failure. ----
.PHONY: oracle-test

oracle-test:
	@if pkg-config --exists libsodium 2>/dev/null; then pkgs=./...; \
	elif [ "$$RONKMS_REQUIRE_ORACLES" = 1 ]; then \
		echo "oracle-test: libsodium-dev missing (apt-get install libsodium-dev pkg-config); RONKMS_REQUIRE_ORACLES=1"; exit 1; \
	else echo "oracle-test: libsodium-dev not installed: the libsodium oracle is SKIPPED (apt-get install libsodium-dev pkg-config)"; \
		pkgs=". ./internal/..."; fi; \
	cd oracle && $(GO) vet $$pkgs && $(GO) test -count=1 $$pkgs && $(GO) mod tidy -diff
