# ronkms: the main job (make bench) and the test suite (make test).
# Every target installs nothing outside the Go module cache.

GO       ?= go
PKGS     ?= ./...
FUZZTIME ?= 10s

.PHONY: all test vet unit race purego stdlib-tests bench-smoke bench bench-go fuzz fmt-check tidy-check asm generate gen-check help

all: test

help:
	@echo "make bench        sizing table for this machine (ronkms bench, under two minutes)"
	@echo "make test         vet, unit tests, -race, -tags purego, Go's own crypto/ed25519 tests, benchmark smoke run"
	@echo "make fuzz         every native fuzz target for FUZZTIME ($(FUZZTIME)) each"
	@echo "make bench-go     go test benchmarks (-count 6) for benchstat"
	@echo "make generate     regenerate field assembly (avo) and point tables; make gen-check fails on drift"

# The test command of the README and of CI.
test: vet unit race purego stdlib-tests bench-smoke

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

# Go's own crypto/ed25519 tests, run against our package.
stdlib-tests:
	bash scripts/stdlib-tests.sh
	bash scripts/stdlib-tests.sh -tags purego

# Every benchmark once, so that benchmarks (which check their results) cannot rot.
bench-smoke:
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -short $(PKGS)

bench:
	$(GO) run ./cmd/ronkms bench

bench-go:
	$(GO) test -run '^$$' -bench . -count 6 -timeout 60m .

fuzz:
	bash scripts/fuzz-all.sh $(FUZZTIME)

# Regenerate the field assembly (avo, in its own module field/_asm) and the
# point layer's constant tables.
asm:
	cd field/_asm && $(GO) run . -out ../field_amd64.s -stubs ../field_amd64_stubs.go -pkg field

generate: asm
	$(GO) generate ./internal/edwards

# Fails when regeneration changes a committed file (CI runs it).
gen-check: generate
	@git diff --exit-code -- field internal/edwards || { echo "generated files drifted: run make generate and commit"; exit 1; }

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

tidy-check:
	$(GO) mod tidy -diff
