# Centime: `make run` starts the app on the embedded demo; `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
CACHE ?= $(CURDIR)/.cache
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
PYENV := $(CACHE)/pyenv
APT_BUILD := build-essential pkg-config curl wget file libssl-dev libdbus-1-dev libwebkit2gtk-4.1-dev \
  libxdo-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev
APT_TEST := dbus dbus-x11 gnome-keyring libsecret-tools openssl sqlite3 python3-venv xvfb xauth imagemagick x11-utils \
  xdotool webkit2gtk-driver chromium fonts-dejavu-core fonts-liberation python3-dbus python3-gi postgresql \
  firefox-esr zip
# The .deb: Tauri bundles it; dpkg-shlibdeps (dpkg-dev) finds its Depends; the test lints it, installs
# it, reads its man page and opens a centime:// link the way a desktop does.
APT_PACKAGE := dpkg-dev lintian desktop-file-utils man-db xdg-utils jq curl unzip

.PHONY: help deps run test lint unit package package-test vocab-check vectors-check x402-interop issuer-postgres os-keystore ui ui-test browser browser-test app-e2e bindings fuzz fuzz-smoke long-suites test-long bench

help:
	@echo "make run   - build and start Centime on the local demo issuer and magazine"
	@echo "make test  - formatting, lints, every test suite (what CI runs)"
	@echo "make package - the release .deb (app, CLI, browser extension and host)"
	@echo "make fuzz  - run the cargo-fuzz campaigns (see fuzz/README.md)"
	@echo "make test-long - the long suites: 200 crash trials, 2000 tamper edits, fuzz campaigns of 10 minutes per target"
	@echo "make bench - criterion benchmarks (figures go to BENCHMARKS.md)"

# Installs what is missing (Debian/Ubuntu) and skips what is there.
deps:
	@scripts/deps.sh $(APT_BUILD) $(APT_TEST) $(APT_PACKAGE)
	@test -x $(PYENV)/bin/python || python3 -m venv $(PYENV)
	@$(PYENV)/bin/python -c 'import joserfc, cryptography, x402, fastapi, uvicorn, jsonschema, httpx' 2>/dev/null \
	  || $(PYENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements.txt

run: deps
	@scripts/run.sh

# The front end, built: src-tauri embeds ui/dist, so every cargo build of the workspace needs it.
ui: deps
	@scripts/ui-build.sh

# Regenerates the TypeScript bindings from crates/app-models (a test fails when they are stale).
bindings:
	$(CARGO) run -q -p centime-app-models --bin gen-bindings -- ui/src/lib/backend/bindings.ts

ui-test: ui
	@scripts/ui-test.sh

# The browser extension (browser/README.md): browser/dist/{chromium,firefox} and the Firefox zip.
browser: deps
	@scripts/browser-build.sh

# Its lint, format check, typecheck and unit tests (the real browsers run in app-e2e).
browser-test: deps
	@scripts/browser-test.sh

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit: ui
	@scripts/cargo-test.sh

# Needs the CLI built by `unit`.
os-keystore: unit
	scripts/test-os-keystore.sh $(TARGET_DIR)/debug/centime

# The real app end to end under Xvfb (tauri-driver + WebKitWebDriver, centime-demo).
app-e2e: deps ui browser
	@tests/app/run.sh

# No code of the typed vocabulary written as a string literal outside its enum (the script's
# header says what counts and what is left out).
vocab-check:
	scripts/vocab-check.sh

vectors-check: deps
	$(PYENV)/bin/python scripts/verify_vectors.py crates/protocol/tests/vectors

# The issuer's suite on a real PostgreSQL, started and removed by the script; its test binary is
# outside `cargo test --workspace` and `--all-targets`, so it is linted here too.
issuer-postgres: deps
	$(CARGO) clippy -p centime-issuer --test postgres --test crash_postgres --locked -- -D warnings
	scripts/with-postgres.sh $(CARGO) test -p centime-issuer --test postgres --test crash_postgres --locked

# The official x402 Python SDK against Centime, both ways (examples/x402-python/README.md), on the
# binaries `unit` built: building them here again, without the workspace's features, would
# replace the CLI the app's end-to-end run needs (`centime dev seed`).
x402-interop: unit
	$(PYENV)/bin/python examples/x402-python/test_interop.py $(TARGET_DIR)/debug/centime $(TARGET_DIR)/debug/centime-demo

# The release .deb (Tauri's deb bundler); its path is printed last (scripts/package.sh).
package: deps ui browser
	@scripts/package.sh release

# The .deb of the debug builds app-e2e made: inspected, linted, installed, used (a centime:// link
# opened with xdg-open reaches the installed app's prompt) and removed (scripts/test-package.sh).
package-test: deps ui browser
	@scripts/test-package.sh

test: deps lint vocab-check unit os-keystore vectors-check x402-interop issuer-postgres ui-test browser-test app-e2e package-test fuzz-smoke
	@echo "make test: all green"

# Fuzzing (fuzz/README.md): one build of every target, kept under CACHE (CI keeps it warm).
FUZZ_TARGET_DIR ?= $(CACHE)/fuzz-target
FUZZ_SMOKE_SECONDS ?= 5

# Part of `make test`: each target FUZZ_SMOKE_SECONDS over the committed corpus, read-only.
fuzz-smoke: deps
	@FUZZ_TARGET_DIR=$(FUZZ_TARGET_DIR) scripts/fuzz.sh --smoke $(FUZZ_SMOKE_SECONDS)

# The campaigns: SECONDS_PER_TARGET (600) per target, growing the local corpus.
fuzz: deps
	@FUZZ_TARGET_DIR=$(FUZZ_TARGET_DIR) scripts/fuzz.sh $(or $(SECONDS_PER_TARGET),600)

# The crash, tamper, concurrency, storage-fault and bad-input suites at full length; the
# figures they print go to docs/reliability.md.
CRASH_TRIALS ?= 200
TAMPER_EDITS ?= 2000
ISSUER_CRASH_TRIALS ?= 100
ISSUER_CRASH_BATCH ?= 990
long-suites: deps
	CENTIME_CRASH_TRIALS=$(CRASH_TRIALS) $(CARGO) test -p centime-e2e --test crash --locked -- --nocapture
	CENTIME_ISSUER_CRASH_TRIALS=$(ISSUER_CRASH_TRIALS) CENTIME_ISSUER_CRASH_BATCH=$(ISSUER_CRASH_BATCH) \
	  scripts/with-postgres.sh $(CARGO) test -p centime-issuer --test crash --test crash_postgres --locked -- --nocapture
	CENTIME_TAMPER_EDITS=$(TAMPER_EDITS) $(CARGO) test -p centime-e2e --test tamper --locked -- --nocapture
	$(CARGO) test -p centime-cli --test concurrency --test storage_faults --test bad_inputs --locked -- --nocapture

# The long suites, not run by CI: the above and the fuzz campaigns (10 minutes per target).
test-long: long-suites fuzz

# The issuer's settlement bench measures PostgreSQL too when a throwaway server can be started
# (scripts/with-postgres.sh); without Debian's server it says so and measures SQLite alone.
bench:
	@if [ -x "$${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}/initdb" ]; then \
	  scripts/with-postgres.sh $(CARGO) bench --workspace --locked; \
	else \
	  $(CARGO) bench --workspace --locked; \
	fi

# Every screen of the real app (EN/FR, light/dark) under Xvfb, into docs/screenshots/.
.PHONY: screenshots
screenshots: deps ui
	@scripts/screenshots.sh
