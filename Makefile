# Two commands: `make run` and `make test`. Both create the environment when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STAGE ?= prod

LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed

.PHONY: run test lint lint-infra format bench package catalogue clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# checkov and aws-sam-cli pin boto3 & co. differently from the app: their own venv.
$(LINT_STAMP): requirements-lint.txt
	@test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lint.txt
	@touch $(LINT_STAMP)

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

# The web portal's gettext catalogue: messages from the templates and code into the .pot
# and each .po (translate the new ones there), then the .mo files the portal reads.
catalogue: $(STAMP)
	$(PY) -m ops.catalogue extract
	$(PY) -m ops.catalogue compile
	$(PY) -m ops.catalogue check

package: $(STAMP)
	$(PY) -m infra.package dist --stage $(STAGE)

# cfn-lint -c I, sam validate --lint and checkov on the packaged template; every finding
# must be justified in infra/README.md.
lint-infra: $(STAMP) $(LINT_STAMP)
	$(PY) -m infra.package dist
	$(PY) -m infra.lint dist/sam.json

clean:
	rm -rf $(VENV) $(LINT_VENV) .devstack dist .pytest_cache .ruff_cache
