# SwiftBokeh developer commands. `make test` is what CI runs (through .ci/run).
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: build release test wire-bench python-interop json-bench protocol-bench models models-interop html-check

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
	$(MAKE) models-interop
	$(MAKE) html-check

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

## models: regenerate the typed model catalogue (Modules/DocumentModel/Catalogue/Generated) from
## Tools/models/schema.json; DUMP_SCHEMA=1 first re-dumps the schema from Python Bokeh 3.10.2 in the venv
models:
	@if [ -n "$(DUMP_SCHEMA)" ]; then $(MAKE) $(VENV)/.bokeh-3.10.2 && \
		$(VENV)/bin/python -W ignore Tools/models/dump_schema.py Tools/models/schema.json; fi
	$(SWIFT) build --product ModelGenerator $(SWIFT_FLAGS)
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/ModelGenerator" Tools/models/schema.json \
		Modules/DocumentModel/Catalogue/Generated

$(VENV)/.selenium: $(VENV)/.bokeh-3.10.2
	$(VENV)/bin/pip install --quiet selenium
	touch $@

BOKEHJS_DIR = $$($(VENV)/bin/python -c 'import bokeh, os; print(os.path.join(os.path.dirname(bokeh.__file__), "server", "static", "js"))')

## models-interop: Python Bokeh 3.10.2 loads and validates documents built with the plotting API
models-interop: $(VENV)/.bokeh-3.10.2
	$(SWIFT) build --product ModelsInterop $(SWIFT_FLAGS)
	@dir=$$(mktemp -d) && \
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/ModelsInterop" "$$dir" && \
	$(VENV)/bin/python Tools/models/check_models.py "$$dir"; status=$$?; rm -rf "$$dir"; exit $$status

## html-check: standalone HTML (BokehJS inline from the bokeh wheel) renders in headless Chromium, no console errors
html-check: $(VENV)/.selenium
	$(SWIFT) build --product ModelsInterop $(SWIFT_FLAGS)
	@dir=$$(mktemp -d) && \
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/ModelsInterop" "$$dir" "$(BOKEHJS_DIR)" && \
	SE_OFFLINE=true $(VENV)/bin/python Tools/models/check_html.py "$$dir"; status=$$?; rm -rf "$$dir"; exit $$status
