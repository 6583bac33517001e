# Two commands for a newcomer: `make run` (the product with demo data on
# http://127.0.0.1:8000) and `make test` (every test). See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= .betterheap
DEMO_EVENTS ?= 1000000

.PHONY: install run demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser tracking script, built from sdk-js/ with esbuild from the npm registry and
# served by the app at /sdk.js, and the Chrome extension's element picker, built from the
# same element code (build outputs, not committed).
SDK := src/betterheap/web/static/sdk.js
PICKER := extension/build/picker.js
$(SDK) $(PICKER) &: sdk-js/package.json sdk-js/package-lock.json $(wildcard sdk-js/src/*.js) extension/src/picker.js
	cd sdk-js && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# htmx and vega-embed (with vega and vega-lite) for the web pages, from the npm registry,
# copied into web/static/vendor/ and served by the app: no CDN at run time.
VENDOR := src/betterheap/web/static/vendor/versions.json
$(VENDOR): web-assets/package.json web-assets/package-lock.json web-assets/copy.mjs
	cd web-assets && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Debian's Chromium, for the browser tests (Playwright drives it; it downloads no browser).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium; else sudo apt-get install -y -q chromium; fi

install: $(STAMP) $(SDK) $(PICKER) $(VENDOR)

run: $(STAMP) $(SDK) $(VENDOR)
	$(BIN)/betterheap demo --if-empty --messy --events $(DEMO_EVENTS) --data-dir $(DATA)
	$(BIN)/betterheap serve --data-dir $(DATA)

demo: $(STAMP)
	$(BIN)/betterheap demo --events $(DEMO_EVENTS) --data-dir $(DATA)

test: $(STAMP) $(SDK) $(PICKER) $(VENDOR) $(CHROMIUM)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup

# Benchmarks (minutes, not part of `make test`): ingestion over HTTP, then query latency on a
# 1M-event demo (generated once into bench/data/1m). For 10M: BENCH_EVENTS=10000000.
BENCH_EVENTS ?= 1000000
BENCH_DIR := bench/data/$(BENCH_EVENTS)
bench: $(STAMP)
	$(BIN)/python -m bench.ingest_http --events 500000 --runs 3
	$(BIN)/betterheap demo --if-empty --events $(BENCH_EVENTS) --end-date 2026-11-21 --data-dir $(BENCH_DIR)
	$(BIN)/python -m bench.queries --data-dir $(BENCH_DIR) --runs 5

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .mypy_cache .ruff_cache sdk-js/node_modules web-assets/node_modules $(SDK) extension/build src/betterheap/web/static/vendor
