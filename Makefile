# Two entry points: `make run` (the main job) and `make test` (the whole suite).
# Both create .venv when it is missing and install the project with what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
EXTRAS := dev,parquet,distributed,notebooks,dashboard

.PHONY: run test lint bench schema clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required (PY=$(PY))"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m tinysim bill
	$(BIN)/python -m tinysim run examples/seed_dev_stack.json
	$(BIN)/python -m tinysim run examples/seed_hyperscale_alb.json

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

schema: $(STAMP)
	$(BIN)/python -m models.schema

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
