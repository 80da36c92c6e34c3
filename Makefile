# The two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint types pytest test-postgres compose bench install clean

# Quiet recipes: a newcomer's first screen is Cohort talking, not the commands make runs.
run: $(STAMP)
	@$(BIN)/cohort db upgrade
	@$(BIN)/cohort run

test: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

# With a PostgreSQL server configured (COHORT_TEST_POSTGRES_URL, as `make test-postgres`
# and CI set it), the whole suite runs a second time with every test on PostgreSQL.
pytest: $(STAMP)
	$(BIN)/pytest
	@if [ -n "$$COHORT_TEST_POSTGRES_URL" ]; then \
	  echo "== the whole suite again, on PostgreSQL =="; \
	  COHORT_TEST_BACKEND=postgres $(BIN)/pytest; \
	fi

# The whole suite against a throwaway PostgreSQL server as well (what CI runs).
test-postgres:
	bash .ci/with-postgres $(MAKE) test

# The compose file, checked by docker-compose itself (no Docker engine needed).
compose:
	docker-compose config -q && echo "docker-compose.yml: valid"

# Speed figures on a large generated community (see benchmarks/README.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.scheduler
	$(BIN)/python -m benchmarks.cards

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cohort needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@echo "Setting up Cohort and its tools in $(VENV) (a minute or so, the first time only)..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
