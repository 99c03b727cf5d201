# dso-platform: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
# Both create the virtualenv and install the project when needed, and both can be run again.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# `make run HOST=... PORT=...` passes them to `dso serve`. Without them on the command line the
# server takes DSO_SERVER_HOST and DSO_SERVER_PORT, or config/platform.toml (127.0.0.1:8000).
SERVE_ARGS := $(if $(filter command line,$(origin HOST)),--host $(HOST)) \
	$(if $(filter command line,$(origin PORT)),--port $(PORT))
# Development staff token for the admin endpoints of `make run`; set your own in production.
DEV_STAFF_TOKEN ?= dev-staff-token

.PHONY: run test install migrate demo lint typecheck imports bench loadtest clean

run: demo
	@echo "Staff token for the admin endpoints: $${DSO_SECURITY_STAFF_TOKEN:-$(DEV_STAFF_TOKEN)}"
	DSO_SECURITY_STAFF_TOKEN=$${DSO_SECURITY_STAFF_TOKEN:-$(DEV_STAFF_TOKEN)} $(BIN)/dso serve $(SERVE_ARGS)

test: install imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml plugins/kyiv_region/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e plugins/kyiv_region
	touch $(INSTALLED)

migrate: install
	$(BIN)/dso db upgrade

demo: migrate
	$(BIN)/dso demo load

imports: install
	$(BIN)/lint-imports

lint: install
	$(BIN)/ruff check core plugins tests
	$(BIN)/ruff format --check core plugins tests

typecheck: install
	$(BIN)/mypy core plugins

# In-process search benchmarks (national-scale synthetic registry and the real Kyiv list).
bench: install
	$(BIN)/python -m pytest benchmarks -p no:cacheprovider --benchmark-columns=min,median,mean,max,rounds -s

# The wartime-spike load test on 127.0.0.1 (see loadtests/README.md for its settings).
loadtest: install
	VENV=$(VENV) bash loadtests/run.sh

clean:
	rm -rf $(VENV) var/dso.sqlite3 var/dso.sqlite3-wal var/dso.sqlite3-shm
