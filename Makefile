# SwiftBokeh developer commands. `make test` is what CI runs (through .ci/run).
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: build release test wire-bench python-interop json-bench protocol-bench

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
	$(MAKE) python-interop

## wire-bench: throughput of the Wire codecs (HTTP parse, frame decode/encode, deflate), release mode
wire-bench:
	$(SWIFT) run -c release $(SWIFT_FLAGS) wire-bench

# Shared reference material (golden vectors) beside the repository.
SHARED ?= $(or $(SWIFTBOKEH_SHARED),../shared)
# Python 3.12 for the interop check: python3.12 on PATH if it runs, else a pyenv 3.12 install.
PYTHON312 ?= $(shell if python3.12 --version >/dev/null 2>&1; then echo python3.12; \
	else ls -d $$HOME/.pyenv/versions/3.12*/bin/python3 2>/dev/null | tail -n 1; fi)
VENV := .venv

$(VENV)/.bokeh-3.10.2:
	@test -n "$(PYTHON312)" || { echo "python-interop needs Python 3.12 (python3.12 or ~/.pyenv/versions/3.12*)"; exit 1; }
	$(PYTHON312) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet bokeh==3.10.2
	touch $@

## python-interop: Python Bokeh 3.10.2 loads documents and patches written by DocumentModel
python-interop: $(VENV)/.bokeh-3.10.2
	$(SWIFT) build --product DocModelInterop $(SWIFT_FLAGS)
	@dir=$$(mktemp -d) && \
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/DocModelInterop" "$$dir" "$(SHARED)/vectors" && \
	$(VENV)/bin/python Tools/interop/check_interop.py "$$dir"; status=$$?; rm -rf "$$dir"; exit $$status

## json-bench: JSON read/write throughput against Foundation (release build)
json-bench:
	$(SWIFT) run -c release JSONBench

## protocol-bench: PATCH-DOC encode/decode throughput with 1 MiB of float64 buffers (release build)
protocol-bench:
	$(SWIFT) run -c release protocol-bench
