# SwiftBokeh developer commands. `make test` is what CI runs (through .ci/run).
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: build release test wire-bench

## build: debug build of every target
build:
	$(SWIFT) build $(SWIFT_FLAGS)

## release: optimised build (benchmarks, serving)
release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## test: the unit test tier (pure codecs, no network)
test:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build --parallel $(SWIFT_FLAGS)

## wire-bench: throughput of the Wire codecs (HTTP parse, frame decode/encode, deflate), release mode
wire-bench:
	$(SWIFT) run -c release $(SWIFT_FLAGS) wire-bench
