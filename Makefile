# The one task runner. `make demo` and `make test` work from a fresh clone with python3 + pip.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DB := var/demo.sqlite
DEMO_KEY := var/demo-host.key

.PHONY: demo test reliability lint format bench serve docs clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null
	@# uv installs in seconds; plain pip is the fallback when uv cannot be had.
	if $(PY) -m pip install -q uv 2>/dev/null; then \
	  $(BIN)/uv pip install -q -p $(PY) -e ".[dev]"; \
	else \
	  $(PY) -m pip install -q -e ".[dev]"; \
	fi
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ramstein demo build --database $(DEMO_DB) --host-key $(DEMO_KEY)
	RAMSTEIN_DATABASE_URL=sqlite:///$(DEMO_DB) RAMSTEIN_HOST_KEY_FILE=$(DEMO_KEY) \
	  RAMSTEIN_LOG_ORIGIN=ramstein.demo/udcg $(BIN)/ramstein serve

serve: $(STAMP)
	$(BIN)/ramstein serve

test: $(STAMP)
	@# one worker per core (pytest-xdist), each test file whole on one worker
	$(PY) -m pytest -n auto --dist loadfile

reliability: $(STAMP)
	@# full scale, one test at a time (the load test must not share the cores): kills,
	@# concurrency, a 60-second load, tampering, backup and restore; prints the figures
	RAMSTEIN_RELIABILITY=1 RAMSTEIN_REQUIRE_ALL=1 $(PY) -m pytest -p no:xdist \
	  tests/reliability tests/store/test_tamper.py tests/store/test_backup.py \
	  tests/api/test_readiness.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(PY) bench/store.py
	$(PY) bench/log.py
	$(PY) bench/matching.py
	$(PY) bench/api.py
	$(PY) bench/interchange.py
	$(PY) bench/forecast.py

docs: $(STAMP)
	$(BIN)/typer ramstein.cli.main utils docs --name ramstein --output docs/cli.md

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
