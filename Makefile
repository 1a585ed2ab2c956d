# One task runner. Every target creates .venv and installs the project into it when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

LOCK := deploy/requirements.lock

.PHONY: test test-fast run lint bench lock clean

# The runtime dependencies at the versions and hashes of the lock (what the image ships),
# then the project and its development tools.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
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

# Pin every runtime dependency (and theirs) with its hashes, after a change to pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
