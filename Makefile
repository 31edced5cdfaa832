# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP  := $(VENV)/.installed

.PHONY: run test check lock clean chromium fuzz

# Create .venv and install exactly the pinned set (requirements-lock.txt), then this package.
$(STAMP): pyproject.toml requirements-lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements-lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# The product on its embedded default, in the foreground; Ctrl-C stops everything.
run: $(STAMP)
	$(BIN)/airflow-wallaroo standalone $(if $(PORT),--port $(PORT),)

# The whole suite: lint, types and layer contracts, then unit, in-process API and
# integration tests against real Airflow stacks.
test: check chromium
	$(BIN)/python -m pytest

# Schemathesis over a real SQLite stack it starts: every phase and check, 5,000+ cases, seeded
# (tests/api/test_fuzz.py runs the same, smaller, in make test). Prints cases and failures by check.
fuzz: $(STAMP)
	$(BIN)/python -m bench.fuzz $(if $(SEED),--seed $(SEED),)

# Static checks: ruff (lint and format), mypy (strict on the package), import-linter (layers).
check: $(STAMP)
	$(BIN)/ruff check airflow_wallaroo dags_factory plugins tests bench
	$(BIN)/ruff format --check airflow_wallaroo dags_factory plugins tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The UI view's test drives Debian's chromium: installed here when missing and we run as root.
# Without it that test skips and says why; nothing else needs it.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || \
		echo "make: could not install chromium; the UI test will be skipped"

# Re-resolve the pinned set after changing dependencies in pyproject.toml.
lock:
	$(BIN)/uv pip compile pyproject.toml --extra test --extra fab --extra postgres --extra celery \
		--python-version 3.11 --quiet -o requirements-lock.txt

clean:
	rm -rf $(VENV) .airflow-home
