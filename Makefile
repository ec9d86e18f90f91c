# SwiftBokeh developer commands. `make test` is what CI runs (through .ci/run).
SWIFT ?= swift
SWIFT_FLAGS ?=


.PHONY: auth-check soak soak-quick fuzz fuzz-replay sanitize sanitize-quick lint typecheck-budget swift-format-lint format unit hostile-smoke churn bigpull examples favicon template-interop
.PHONY: build release test bokehjs serve browser-check wire-bench python-interop server-interop client-interop client-bench json-bench protocol-bench conformance conformance-quick interop idle-10k models models-interop html-check \
	bench bench-quick bench-validate bench-build docs

## build: debug build of every target
build:
	$(SWIFT) build $(SWIFT_FLAGS)

## release: optimised build (benchmarks, serving)
release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## test: the quick Autobahn slice (server and client), the interop checks, the browser checks, then the unit and
## loopback tiers.
## Every part runs even if an earlier one fails; the swift test summary comes last; any failure fails the target.
test:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	@status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory typecheck-budget || status=1; \
	$(MAKE) --no-print-directory conformance-quick || status=1; \
	$(MAKE) --no-print-directory interop || status=1; \
	$(MAKE) --no-print-directory python-interop || status=1; \
	$(MAKE) --no-print-directory models-interop || status=1; \
	$(MAKE) --no-print-directory html-check || status=1; \
	$(MAKE) --no-print-directory template-interop || status=1; \
	$(MAKE) --no-print-directory server-interop || status=1; \
	$(MAKE) --no-print-directory client-interop || status=1; \
	$(MAKE) --no-print-directory browser-check || status=1; \
	$(MAKE) --no-print-directory auth-check || status=1; \
	$(MAKE) --no-print-directory examples || status=1; \
	$(MAKE) --no-print-directory hostile-smoke || status=1; \
	$(MAKE) --no-print-directory fuzz-replay || status=1; \
	$(MAKE) --no-print-directory soak-quick || status=1; \
	$(MAKE) --no-print-directory sanitize-quick || status=1; \
	$(MAKE) --no-print-directory docs || status=1; \
	$(SWIFT) test --skip-build --parallel $(SWIFT_FLAGS) || status=1; \
	exit $$status

## unit: the swift test tiers only (unit and loopback), none of the interop, conformance or browser checks
unit:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build --parallel $(SWIFT_FLAGS)

## lint: swift-format lint --strict over the hand-written Swift (swift-format-lint; `make format` fixes most), and
## numeric conversions that can trap must say why they cannot (Tools/lint/trapping_conversions.py asks the
## compiler for every conversion's types; needs a debug build)
lint:
	$(SWIFT) build $(SWIFT_FLAGS)
	python3 Tools/lint/trapping_conversions.py --swiftc "$$(dirname "$$(command -v $(SWIFT))")/swiftc" \
		--modules-dir "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/Modules"
	$(MAKE) --no-print-directory swift-format-lint

## typecheck-budget: no expression in the tests, tools or examples takes over 500 ms to type-check
## (-warn-long-expression-type-checking=500 on each as one module against the debug build; part of make test)
typecheck-budget:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	python3 Tools/lint/typecheck_budget.py --swiftc "$$(dirname "$$(command -v $(SWIFT))")/swiftc" \
		--modules-dir "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/Modules"

# swift-format (the toolchain's, configured by .swift-format) covers the hand-written Swift only: it has no exclude
# option, so the list is built here, leaving out the catalogue that `make models` generates.
SWIFT_FORMAT ?= $(SWIFT) format
FORMAT_PATHS := Package.swift Modules Tests Tools Examples
FORMAT_EXCLUDE := Modules/DocumentModel/Catalogue/Generated
# (With no file arguments swift-format would read standard input, hence the error for an empty list.)
FORMAT_FILES = $(or $(shell find $(FORMAT_PATHS) -name '*.swift' -not -path '$(FORMAT_EXCLUDE)/*' -not -path '*/.build/*' -not -name '*+Generated.swift' | sort),\
	$(error no Swift files under $(FORMAT_PATHS)))

## format: rewrite the hand-written Swift (FORMAT_PATHS, without the generated catalogue) in place with swift-format
format:
	@echo "$(SWIFT_FORMAT) format --configuration .swift-format --parallel --in-place <$(words $(FORMAT_FILES)) files>"
	@$(SWIFT_FORMAT) format --configuration .swift-format --parallel --in-place $(FORMAT_FILES)

## swift-format-lint: swift-format lint --strict over the same files; fails on any diagnostic (make format fixes most)
swift-format-lint:
	@echo "$(SWIFT_FORMAT) lint --configuration .swift-format --parallel --strict <$(words $(FORMAT_FILES)) files>"
	@$(SWIFT_FORMAT) lint --configuration .swift-format --parallel --strict $(FORMAT_FILES)

## hostile-smoke: the release server (unsigned and signed sessions) takes a few hundred seeded, randomly mutated
## tokens, PATCH-DOCs, frames and HTTP requests (Tools/hostile/smoke.py, ~30 s), then must be alive and serve a
## witness session. SMOKE_SEED and SMOKE_CASES vary it.
SMOKE_SEED ?= 20261202
SMOKE_CASES ?= 300
hostile-smoke:
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	Tools/hostile/run.sh smoke "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))/swift-bokeh" \
		--seed $(SMOKE_SEED) --cases $(SMOKE_CASES)

## fuzz: libFuzzer with AddressSanitizer on every target of Tools/Fuzz (HTTP request and response parsers, WebSocket
## frames and state machine, permessage-deflate, the message assembler, JSON, documents and PATCH-DOC, templates,
## tokens and cookies), FUZZ_SECONDS each (default 180), seeded from $(SHARED)/vectors; prints executions per second
## and coverage per target; a crash lands in Tools/Fuzz/crashes/TARGET and fails the run. FUZZ_TARGETS picks some.
FUZZ_SECONDS ?= 180
FUZZ_TARGETS ?=
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) Tools/Fuzz/run_fuzz.sh "$(SHARED)" $(FUZZ_TARGETS)

## fuzz-replay: every seed and every kept crash through its target in the plain debug build (part of make test)
fuzz-replay:
	$(SWIFT) build --product bokeh-fuzz $(SWIFT_FLAGS)
	@python3 Tools/Fuzz/make_corpus.py "$(SHARED)" .build/fuzz-corpus >/dev/null
	@bin="$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/bokeh-fuzz"; status=0; \
	for t in $$("$$bin" list | cut -f1); do \
		"$$bin" replay $$t .build/fuzz-corpus/$$t Tools/Fuzz/crashes/$$t || status=1; \
	done; exit $$status

## sanitize: the whole swift test suite under ThreadSanitizer, then under AddressSanitizer (own scratch paths
## .build/tsan, .build/asan); fails on any sanitizer report. sanitize-quick is the slice make test runs (TSan, the
## event loop, transport, loopback, session and auth suites).
SANITIZE_FILTER ?=
sanitize:
	Tools/sanitize/run.sh thread "$(SANITIZE_FILTER)"
	Tools/sanitize/run.sh address "$(SANITIZE_FILTER)"

sanitize-quick:
	Tools/sanitize/run.sh thread "EventLoop|Transport|Loopback|SessionCallback|FlowControl|AuthServer|Lifecycle|FaultInjection|HostCheck"

## churn: open a session, pull, close, 10,000 times paced at 5 ms against the release server with a 1 s unused-
## session lifetime; prints RSS and descriptors along the way and the growth after warm-up (not in make test)
CHURN_CYCLES ?= 10000
churn:
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	Tools/hostile/run.sh churn "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))/swift-bokeh" \
		--cycles $(CHURN_CYCLES) --warmup 2000 --sample-every 1000 --settle-s 3

## soak: 100,000 session open/pull/patch/pull/close cycles (SOAK_CYCLES) from 3 workers, with 20 streaming
## sessions and 20 viewers of one broadcast session reading throughout, against the release server; RSS and open
## descriptors after warm-up must come back within 5 %, no session's data lost or crossed (not in make test;
## soak-quick, 3,000 cycles, is: data and descriptors as strictly, RSS only within 60 %, since 3,000 cycles end
## before the allocator's high-water plateau, which the full run reaches in its warm-up)
SOAK_CYCLES ?= 100000
soak:
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	Tools/hostile/run.sh soak "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))/swift-bokeh" \
		--cycles $(SOAK_CYCLES)

soak-quick:
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	Tools/hostile/run.sh soak "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))/swift-bokeh" \
		--cycles 3000 --streams 5 --viewers 5 --warmup-pct 50 --settle-s 4 --rss-tolerance-pct 60

## bigpull: one 80 MB PULL-DOC-REPLY and six pipelined 16 MB ones from the release server (not in make test)
bigpull:
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	Tools/hostile/run.sh bigpull "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))/swift-bokeh"

## bokehjs: BokehJS 3.10.2 (bokeh/server/static of the bokeh==3.10.2 wheel from PyPI) into Vendor/bokehjs
BOKEHJS_DIR := Vendor/bokehjs
# Any Python 3 with pip can fetch the (pure-Python) wheel: Python 3.12 when present, else python3.
BOKEHJS_PYTHON ?= $(or $(PYTHON312),python3)
bokehjs: $(BOKEHJS_DIR)/js/bokeh.min.js

$(BOKEHJS_DIR)/js/bokeh.min.js:
	@dir=$$(mktemp -d) && \
	$(BOKEHJS_PYTHON) -m pip download --quiet --no-deps --only-binary=:all: --dest "$$dir" bokeh==3.10.2 && \
	rm -rf "$$dir/x" && mkdir -p "$$dir/x" && \
	$(BOKEHJS_PYTHON) -m zipfile -e "$$dir"/bokeh-3.10.2-*.whl "$$dir/x" && \
	test -f "$$dir/x/bokeh/server/static/js/bokeh.min.js" && \
	rm -rf $(BOKEHJS_DIR) && mkdir -p $(dir $(BOKEHJS_DIR)) && \
	cp -R "$$dir/x/bokeh/server/static" $(BOKEHJS_DIR) && \
	{ test -f $(BOKEHJS_DIR)/favicon.ico || cp "$$dir/x/bokeh/server/views/bokeh.ico" $(BOKEHJS_DIR)/favicon.ico 2>/dev/null || true; }; \
	status=$$?; rm -rf "$$dir"; exit $$status

## serve: release build, BokehJS, then swift-bokeh serve with the built-in apps on 127.0.0.1:5006
serve: bokehjs
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	"$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))/swift-bokeh" serve demo_app stream_app bench_app \
		--address 127.0.0.1 --port 5006 --static-dir $(BOKEHJS_DIR)

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

$(VENV)/.selenium: $(VENV)/.bokeh-3.10.2
	$(VENV)/bin/pip install --quiet selenium
	touch $@

$(VENV)/.bench: $(VENV)/.bokeh-3.10.2
	$(VENV)/bin/pip install --quiet websockets matplotlib
	touch $@

## auth-check: swift-bokeh serve authentication (password file, prefix + XSRF, trusted header) side by side with
## Python bokeh serve --auth-module (Tools/auth), plus headless-Chromium login checks. Artifacts: $(AUTH_OUT).
AUTH_OUT ?=
auth-check: $(VENV)/.selenium bokehjs
	$(SWIFT) build --product swift-bokeh $(SWIFT_FLAGS)
	SHARED_BROWSER_DIR="$(SHARED)/browser" Tools/auth/run_auth_checks.sh \
		"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))" $(VENV)/bin/python "$(BOKEHJS_DIR)" "$(AUTH_OUT)"

## browser-check: headless Chromium drives swift-bokeh serve: the shared demo_app check, then the streaming check.
## Screenshots and logs go to $(BROWSER_OUT) (default: a temporary directory, removed afterwards).
BROWSER_OUT ?=
browser-check: $(VENV)/.selenium bokehjs
	$(SWIFT) build --product swift-bokeh $(SWIFT_FLAGS)
	Tools/browser/run_browser_checks.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))" $(VENV)/bin/python \
		"$(SHARED)/browser" "$(BOKEHJS_DIR)" "$(BROWSER_OUT)"

## examples: builds every Examples/* app package and the one `swift-bokeh init` makes (sharing one scratch
## directory, .build/examples, so SwiftBokeh is compiled once for all), serves each and drives it in headless
## Chromium (Tools/examples). Screenshots and logs go to $(EXAMPLES_OUT) (default: a temporary directory).
EXAMPLES_OUT ?=
examples: $(VENV)/.selenium bokehjs
	$(SWIFT) build --product swift-bokeh $(SWIFT_FLAGS)
	SWIFT="$(SWIFT)" Tools/examples/run_examples.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/swift-bokeh" \
		$(VENV)/bin/python "$(SHARED)/browser" "$(BOKEHJS_DIR)" .build/examples "$(EXAMPLES_OUT)"

## template-interop: the page-template engine (Modules/ServerCore/Front/Template, compiled on its own with
## Tools/templates/main.swift) renders every case of Tools/templates/cases.py, Bokeh's own file.html included, byte
## for byte as Jinja2 does (the .venv's, which bokeh 3.10.2 depends on; part of make test)
template-interop: $(VENV)/.bokeh-3.10.2
	@mkdir -p .build/templates
	"$$(dirname "$$(command -v $(SWIFT))")/swiftc" -swift-version 6 -o .build/templates/harness \
		Modules/ServerCore/Front/Template/Template*.swift Tools/templates/main.swift
	$(VENV)/bin/python Tools/templates/compare.py .build/templates/harness .build/templates

## favicon: regenerate the built-in favicon (Modules/ServerCore/Front/BokehIcon+Generated.swift) from the wheel's
favicon: bokehjs
	python3 Tools/favicon/make_favicon_swift.py $(BOKEHJS_DIR)/favicon.ico Modules/ServerCore/Front/BokehIcon+Generated.swift

## python-interop: Python Bokeh 3.10.2 loads documents and patches written by DocumentModel
python-interop: $(VENV)/.bokeh-3.10.2
	$(SWIFT) build --product DocModelInterop $(SWIFT_FLAGS)
	@dir=$$(mktemp -d) && \
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/DocModelInterop" "$$dir" "$(SHARED)/vectors" && \
	$(VENV)/bin/python Tools/interop/check_interop.py "$$dir"; status=$$?; rm -rf "$$dir"; exit $$status

## server-interop: real bokeh.client sessions (Bokeh 3.10.2) pull, push and patch against swift-bokeh serve
server-interop: $(VENV)/.bokeh-3.10.2
	$(SWIFT) build --product swift-bokeh $(SWIFT_FLAGS)
	Tools/interop/run_server_interop.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))" $(VENV)/bin/python

## client-interop: the Swift client (pull, patch, push, two clients, failures) against bokeh serve demo_app.py and swift-bokeh serve
client-interop: $(VENV)/.bokeh-3.10.2
	$(SWIFT) build --product swift-bokeh $(SWIFT_FLAGS)
	$(SWIFT) build --product ClientInterop $(SWIFT_FLAGS)
	Tools/interop/run_client_interop.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))" $(VENV)/bin/python "$(SHARED)/browser/demo_app.py"

## client-bench: client-interop in release mode, plus median and p99 of 1000 forceRoundtrip calls against each server
client-bench: $(VENV)/.bokeh-3.10.2
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	$(SWIFT) build -c release --product ClientInterop $(SWIFT_FLAGS)
	Tools/interop/run_client_interop.sh "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))" $(VENV)/bin/python "$(SHARED)/browser/demo_app.py" --bench 1000

## json-bench: JSON read/write throughput against Foundation (release build)
json-bench:
	$(SWIFT) run -c release JSONBench

## protocol-bench: PATCH-DOC encode/decode throughput with 1 MiB of float64 buffers (release build)
protocol-bench:
	$(SWIFT) run -c release protocol-bench

## conformance-quick: Autobahn --quick (337 cases each side) against the debug echo server and client
conformance-quick:
	$(SWIFT) build $(SWIFT_FLAGS) --product wire-echo-server
	$(SWIFT) build $(SWIFT_FLAGS) --product wire-autobahn-client
	Tools/autobahn/run.sh --quick $$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)

## conformance: the full Autobahn suites (517 cases each side, ~30 min) against release builds
conformance:
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product wire-echo-server
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product wire-autobahn-client
	Tools/autobahn/run.sh $$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)

## interop: Python websockets client against our server and our client against a websockets server (ws and wss)
interop:
	$(SWIFT) build $(SWIFT_FLAGS) --product wire-echo-server
	$(SWIFT) build $(SWIFT_FLAGS) --product wire-autobahn-client
	Tools/interop/run.sh $$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)

## idle-10k: hold 10,000 idle WebSockets against the release echo server; prints rate and RSS per connection
idle-10k:
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product wire-echo-server
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product wire-idle-load
	Tools/bench/idle-connections.sh 10000 $$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)

## models: regenerate the typed model catalogue (Modules/DocumentModel/Catalogue/Generated) from
## Tools/models/schema.json; DUMP_SCHEMA=1 first re-dumps the schema from Python Bokeh 3.10.2 in the venv
models:
	@if [ -n "$(DUMP_SCHEMA)" ]; then $(MAKE) $(VENV)/.bokeh-3.10.2 && \
		$(VENV)/bin/python -W ignore Tools/models/dump_schema.py Tools/models/schema.json; fi
	$(SWIFT) build --product ModelGenerator $(SWIFT_FLAGS)
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/ModelGenerator" Tools/models/schema.json \
		Modules/DocumentModel/Catalogue/Generated

WHEEL_BOKEHJS_JS = $$($(VENV)/bin/python -c 'import bokeh, os; print(os.path.join(os.path.dirname(bokeh.__file__), "server", "static", "js"))')

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
	"$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/ModelsInterop" "$$dir" "$(WHEEL_BOKEHJS_JS)" && \
	SE_OFFLINE=true $(VENV)/bin/python Tools/models/check_html.py "$$dir"; status=$$?; rm -rf "$$dir"; exit $$status

## docs: DocC archives of ServerCore, Client and Wire in $(DOCS_BUILD)/<Module>.doccarchive, made by the
## toolchain's docc from Modules/<Module>/<Module>.docc and the symbol graphs of a debug build in $(DOCS_BUILD).
## Any docc diagnostic about a catalog fails it (an unresolved ``Symbol`` or <doc:> link, a stale overload
## disambiguation), and so does a public type or function missing from a landing page's Topics. Warnings about the
## doc comments in the sources are counted; DOCS_STRICT=1 fails on them too (docc --warnings-as-errors).
## Not part of make test.
DOCS_BUILD ?= .build/docs
DOCS_MODULES := ServerCore Client Wire
DOCC ?= $(dir $(shell command -v $(SWIFT)))docc
DOCS_STRICT ?=
# Each module's compile rewrites its graphs, so those in the scratch path stay current; a module's own files
# (<Module>.symbols.json, <Module>@*.symbols.json) are copied into a directory of their own for its catalog.
DOCS_GRAPHS = $(abspath $(DOCS_BUILD))/symbolgraphs
DOCS_BUILD_FLAGS = --scratch-path $(DOCS_BUILD) \
	-Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(DOCS_GRAPHS)
# docc puts public symbols that no Topics section lists into sections of its own, marked "generated".
DOCS_TOPICS_CHECK = import json, sys; page, m = sys.argv[1:]; \
	left = [s["title"] for s in json.load(open(page)).get("topicSections", []) if s.get("generated")]; \
	left and sys.exit(f"docs: public symbols of {m} missing from the Topics of Modules/{m}/{m}.docc/{m}.md: " \
	f"docc listed them under {left}")

docs:
	$(SWIFT) build --target ServerCore $(DOCS_BUILD_FLAGS) $(SWIFT_FLAGS)
	$(SWIFT) build --target Client $(DOCS_BUILD_FLAGS) $(SWIFT_FLAGS)
	@set -e; for m in $(DOCS_MODULES); do \
		graphs="$(DOCS_BUILD)/symbolgraphs-$$m"; log="$(DOCS_BUILD)/$$m-docc.log"; \
		rm -rf "$$graphs" && mkdir -p "$$graphs"; \
		find "$(DOCS_GRAPHS)" -maxdepth 1 \( -name "$$m.symbols.json" -o -name "$$m@*.symbols.json" \) \
			-exec cp {} "$$graphs" \; 2>/dev/null || true; \
		test -f "$$graphs/$$m.symbols.json" || \
			{ echo "docs: no symbol graph for $$m: rm -rf $(DOCS_BUILD), then make docs again" >&2; exit 1; }; \
		set -- "$(DOCC)" convert "Modules/$$m/$$m.docc" --additional-symbol-graph-dir "$$graphs" \
			--fallback-display-name "$$m" --fallback-bundle-identifier "SwiftBokeh.$$m" \
			--output-path "$(DOCS_BUILD)/$$m.doccarchive" --ide-console-output $(if $(DOCS_STRICT),--warnings-as-errors); \
		echo "$$*"; \
		"$$@" > "$$log" 2>&1 || { grep -v ': fixit:' "$$log" >&2; echo "docs: docc failed for $$m (log: $$log)" >&2; exit 1; }; \
		if grep -E "/$$m\.docc/[^:]+:[0-9]+:[0-9]+: (warning|error):" "$$log" >&2; then \
			echo "docs: fix the diagnostics above in Modules/$$m/$$m.docc (log: $$log)" >&2; exit 1; fi; \
		python3 -c '$(DOCS_TOPICS_CHECK)' "$(DOCS_BUILD)/$$m.doccarchive/data/documentation/$$(echo $$m | tr A-Z a-z).json" "$$m"; \
		echo "docs: $$m: $(DOCS_BUILD)/$$m.doccarchive ($$(grep -c ': warning:' "$$log" || true) warnings about doc comments in the sources, in $$log)"; \
	done

## bench: swift-bokeh serve against Python bokeh serve (stock and TCP_NODELAY) under the shared load generator's
## scenarios, a fresh server per run (Tools/bench/bench.py, ~25 min). Prints one comparison table and the scaling
## sweeps; writes bench-results/<timestamp>.{jsonl,md}, docs/bench-scaling.png and README's Performance section.
## LOADGEN=swift (default: the native bokeh-loadgen) or LOADGEN=python (../shared/bench/loadgen.py);
## VALIDATE=0 skips the generator validation; BENCH_FLAGS passes more options (bench.py --help).
## Not part of make test.
LOADGEN ?= swift
BENCH_FLAGS ?=
# Open files: fanout and idle hold 10,000-20,000 sockets per side. Raise the hard limit when allowed, else use it.
BENCH_ULIMIT = ulimit -Hn 1048576 2>/dev/null; ulimit -n 1048576 2>/dev/null || ulimit -n "$$(ulimit -Hn)" 2>/dev/null;
BENCH_RUN = $(BENCH_ULIMIT) $(VENV)/bin/python Tools/bench/bench.py --loadgen $(LOADGEN) --shared "$(SHARED)" \
	--bin-dir "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))"

bench: $(VENV)/.bench
	@$(MAKE) --no-print-directory bench-build BENCH_NEED_LOADGEN=$(if $(filter swift,$(LOADGEN)),1,$(or $(VALIDATE),1))
	$(BENCH_RUN) --mode full --validate $(or $(VALIDATE),1) $(BENCH_FLAGS)

## bench-quick: the same with small counts, one repetition and tiny Python sweeps (~4 min); writes only bench-results/
bench-quick: $(VENV)/.bench
	@$(MAKE) --no-print-directory bench-build BENCH_NEED_LOADGEN=$(if $(filter swift,$(LOADGEN)),1,$(or $(VALIDATE),0))
	$(BENCH_RUN) --mode quick --validate $(or $(VALIDATE),0) $(BENCH_FLAGS)

## bench-validate: loadgen.py and bokeh-loadgen side by side against the Python NODELAY server
bench-validate: $(VENV)/.bench
	@$(MAKE) --no-print-directory bench-build BENCH_NEED_LOADGEN=1
	$(BENCH_RUN) --mode validate $(BENCH_FLAGS)

# Release swift-bokeh, and bokeh-loadgen when needed (BENCH_NEED_LOADGEN=1; a failure is fatal only for LOADGEN=swift).
bench-build:
	$(SWIFT) build -c release --product swift-bokeh $(SWIFT_FLAGS)
	@if [ "$(BENCH_NEED_LOADGEN)" = 1 ]; then \
		echo "$(SWIFT) build -c release --product bokeh-loadgen $(SWIFT_FLAGS)"; \
		$(SWIFT) build -c release --product bokeh-loadgen $(SWIFT_FLAGS) || { \
		if [ "$(LOADGEN)" = swift ]; then \
			echo "bench: could not build the native load generator bokeh-loadgen;" \
				"use LOADGEN=python to run ../shared/bench/loadgen.py instead" >&2; exit 1; \
		else echo "bench: bokeh-loadgen not built; continuing with LOADGEN=python (the validation is skipped)" >&2; fi; }; \
	fi
