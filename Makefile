# SwiftBokeh developer commands. `make test` is what CI runs (through .ci/run).
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: build release test conformance conformance-quick interop idle-10k

## build: debug build of every target
build:
	$(SWIFT) build $(SWIFT_FLAGS)

## release: optimised build (benchmarks, serving)
release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## test: the quick Autobahn slice (server and client), the interop checks, then the unit and loopback tiers.
## Every part runs even if an earlier one fails; the swift test summary comes last; any failure fails the target.
test:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	@status=0; \
	$(MAKE) --no-print-directory conformance-quick || status=1; \
	$(MAKE) --no-print-directory interop || status=1; \
	$(SWIFT) test --skip-build --parallel $(SWIFT_FLAGS) || status=1; \
	exit $$status

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
