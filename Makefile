# One task runner. `make test` and `make run` each create .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test run lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff format --no-cache --check engine bot tests
	$(BIN)/ruff check --no-cache engine bot tests
	$(BIN)/mypy --strict engine bot

test: lint
	$(BIN)/python -m pytest

run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/python -m bot telegram; \
	else $(BIN)/python -m bot console; fi

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.load_bench all   # engine, turn cost, load, reference; writes docs/performance.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
