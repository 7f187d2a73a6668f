# Two entry points: `make run` (the main job) and `make test` (the whole suite).
# Both create .venv when it is missing and install the project with what they need: `make run` only the
# dashboard's extra (its own stamp), `make test` everything.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
EXTRAS := dev,parquet,distributed,notebooks,dashboard
RUN_STAMP := $(VENV)/.installed-run
PORT ?= 8501

.PHONY: run test lint bench schema clean browser focus-validator

# The FinOps Foundation's FOCUS validator checks our FOCUS output in the tests. It pins numpy < 2 and
# pandas < 3 (we run 2.x and 3.x) and needs Python 3.12, so it lives in its own venv, made with a
# Python 3.12 from PATH or pyenv. pyarrow: the last release for numpy 1.
FOCUS_VENV := .venv-focus
FOCUS_PINS := focus-validator==2.2.1 pyarrow==18.1.0
FOCUS_PY ?= $(shell for p in $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3 python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo "$$p"; break; }; done)

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required (PY=$(PY))"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $(STAMP)

$(RUN_STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required (PY=$(PY))"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-compile -e '.[dashboard]'
	@touch $(RUN_STAMP)

# The dashboard starts first and serves while the bill and the forecast print.
run: $(RUN_STAMP)
	@$(BIN)/python -m streamlit run app_streamlit.py --server.headless true --server.address 127.0.0.1 \
		--server.port $(PORT) --browser.gatherUsageStats false --client.toolbarMode minimal >/dev/null & \
	server=$$!; trap 'kill $$server 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m tinysim bill && $(BIN)/python -m tinysim run examples/seed_dev_stack.json --quiet; \
	echo "The what-if dashboard: http://127.0.0.1:$(PORT) (Ctrl-C to stop)"; \
	wait $$server

# Debian's Chromium for the dashboard's real-browser test (Playwright drives it; it downloads no browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "chromium could not be installed (needs root and apt)"; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

$(FOCUS_VENV)/.installed: Makefile
	@test -n "$(FOCUS_PY)" || { echo "the FOCUS validator needs Python 3.12 (python3.12 on PATH or in pyenv; or FOCUS_PY=...)"; exit 1; }
	@test -x $(FOCUS_VENV)/bin/python || $(FOCUS_PY) -m venv $(FOCUS_VENV)
	$(FOCUS_VENV)/bin/python -m pip install -q --disable-pip-version-check $(FOCUS_PINS)
	@touch $@

focus-validator: $(FOCUS_VENV)/.installed

test: lint browser focus-validator
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

schema: $(STAMP)
	$(BIN)/python -m models.schema

clean:
	rm -rf $(VENV) $(FOCUS_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
