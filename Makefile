# Two commands: `make run` and `make test`. Both create the environment when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench package clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m devstack run

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	@set -e; for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script; done

package: $(STAMP)
	$(PY) -m infra.package dist

clean:
	rm -rf $(VENV) .devstack dist .pytest_cache .ruff_cache
