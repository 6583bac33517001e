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

install: $(STAMP)

run: $(STAMP)
	$(BIN)/betterheap demo --if-empty --events $(DEMO_EVENTS) --data-dir $(DATA)
	$(BIN)/betterheap serve --data-dir $(DATA)

demo: $(STAMP)
	$(BIN)/betterheap demo --events $(DEMO_EVENTS) --data-dir $(DATA)

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .mypy_cache .ruff_cache
