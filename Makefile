# Member Center — see README.md. `make demo` runs the product; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: demo test setup setup-dev lint messages diagram schema clean

demo: setup
	./scripts/demo.sh

test: setup-dev
	./scripts/test.sh

setup: $(VENV)/.installed node_modules/.installed
setup-dev: $(VENV)/.installed-dev node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Front-end libraries (Chart.js) from npm, exactly as package-lock.json pins them; served as static files.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Re-extract translatable strings after changing text; edit locale/zh_Hans/LC_MESSAGES/django.po, then compile.
messages: setup-dev
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

# Regenerate the committed OpenAPI schema after changing an endpoint; tests/test_api_schema.py fails until it matches.
# The test settings name PostgreSQL, as production does (integer ranges in the schema follow the database backend);
# generating the schema connects to nothing.
schema: setup-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --lang en --validate --fail-on-warn \
		--file docs/openapi.yaml

clean:
	rm -rf $(VENV) var
