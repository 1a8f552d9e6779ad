# The README's commands. `make demo` and `make test` work from a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# pip notes about this machine's unreachable local index mirrors are noise, not errors
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(CURDIR)/.prefect
export MPLBACKEND := Agg

.PHONY: install demo sample refresh test test-fast lint serve bench lock clean

# Wheels only (odfpy publishes none: pure Python, built from its source); pip and setuptools
# (>= 77 reads pyproject's license string) are upgraded once, when the venv is made; our own
# package is installed editable with the venv's setuptools, without an isolated build
# environment (which fetched setuptools every time); an older venv falls back to one.
PIP_WHEELS := --only-binary :all: --no-binary odfpy

$(BIN)/.installed: requirements.lock pyproject.toml
	@echo "Installing into $(VENV) from requirements.lock (wheels; first time: about a minute) ..."
	@test -x $(BIN)/python || { $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --only-binary :all: --upgrade pip "setuptools>=77" $(QUIET_PIP); }
	@$(BIN)/python -m pip install --quiet $(PIP_WHEELS) -r requirements.lock $(QUIET_PIP)
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . >/dev/null 2>&1 || \
	  $(BIN)/python -m pip install --quiet --no-deps -e . $(QUIET_PIP)
	@touch $@

install: $(BIN)/.installed

sample: install
	@$(BIN)/scp-metrics sample

refresh: install
	@$(BIN)/scp-metrics refresh

demo: install
	@$(BIN)/scp-metrics sample
	@$(BIN)/scp-metrics refresh --engine local --workers 2 --brief
	@$(BIN)/scp-metrics indicators --area E06000045 --indicator all_crime --period-type fytd --max-rows 8

# Two workers (pytest-xdist), one test file per worker at a time: the suite is CPU-bound; the
# sample and real-data refreshes are built once per run and shared (tests/conftest.py).
TEST_WORKERS ?= 2

test: install
	@$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-fast: install
	@$(BIN)/python -m pytest -q -m "not e2e"

lint: install
	@$(BIN)/ruff check src pipelines tests benchmarks
	@$(BIN)/mypy src pipelines
	@$(BIN)/lint-imports --no-logo

serve: install
	@echo "Prefect UI: http://127.0.0.1:4200 (Ctrl-C to stop)"
	@mkdir -p $(PREFECT_HOME)
	@$(BIN)/prefect server start --host 127.0.0.1 --port 4200 > $(PREFECT_HOME)/server.log 2>&1 & \
	  trap 'kill %1' EXIT; \
	  PREFECT_API_URL=http://127.0.0.1:4200/api $(BIN)/python pipelines/deployment.py

bench: install
	@$(BIN)/python benchmarks/run.py --scale $(or $(SCALE),small) --format $(or $(FORMAT),table)

lock:
	@$(BIN)/python -m pip freeze --exclude-editable | grep -v '^scp-metrics' > requirements.lock.new
	@mv requirements.lock.new requirements.lock

clean:
	rm -rf data/warehouse/*.duckdb* data/quarantine data/outputs data/raw/sample .prefect
