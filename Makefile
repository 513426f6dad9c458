# Waymark — every entry point a developer or CI needs.
# `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test check lint format typecheck pytest install clean lock bench

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Waymark needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

var:
	mkdir -p var

# The demo runs with WAYMARK_DEMO=1: a random secret key is kept in var/, DEBUG is on
# and the e-mail backend prints to the console.
demo: export WAYMARK_DEMO = 1
demo: export SITE_URL = http://127.0.0.1:$(PORT)
demo: install var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py serve_demo 127.0.0.1:$(PORT)

# Tests and type checks import the settings; outside debug they need a key.
# This one is only for them (never used to serve anything).
pytest typecheck: export SECRET_KEY := $(or $(SECRET_KEY),test-only-key-not-for-serving-0123456789abcdef)

# The checks (one core, ~45 s for mypy without its cache) run beside the tests rather than
# before them, so the core the tests leave idle at their end is used (issue 13, point 7).
test: install
	$(MAKE) --no-print-directory -j2 check pytest

# pytest-xdist runs the tests in PYTEST_WORKERS processes (one per core here), each with
# its own test database; PYTEST_WORKERS=0 runs them all in one process (e.g. for --pdb).
PYTEST_WORKERS ?= 2

pytest: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

check: lint typecheck

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin every dependency (needs network access to PyPI).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache

# Waymark's own benchmarks (fresh databases, real worker processes); prints figures and ratios.
# Issue 13, point 6: HTTP figures come from wrk (Debian's package, installed if missing);
# results go to bench/results/latest.json and bench/RESULTS.md. BENCH=quick: under 3 minutes.
bench: export SECRET_KEY := $(or $(SECRET_KEY),bench-only-key-not-for-serving-0123456789abcdef)
bench: install
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run $(BENCH)
