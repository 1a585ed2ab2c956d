# One task runner. Every target creates .venv and installs the project into it when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: test test-fast run lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff format --no-cache --check engine bot tests
	$(BIN)/ruff check --no-cache engine bot tests
	$(BIN)/mypy --strict engine bot

# Everything: lint, types and every test, the subprocess and end-to-end ones included (what CI runs).
test: lint
	$(BIN)/python -m pytest

# The inner loop: every test not marked slow (no subprocesses, no bot process, no fault runs),
# with fewer generated examples per property.
test-fast: $(STAMP)
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -m "not slow" -q

# The console chat (ARGS go to it: make run ARGS="--as-of 2026-12-03 --db x.db");
# the Telegram bot instead when TELEGRAM_BOT_TOKEN is set.
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/python -m bot telegram; \
	else $(BIN)/python -m bot console $(ARGS); fi

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.load_bench all   # engine, CPU per update, load, reference (~15 min); writes docs/performance.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
