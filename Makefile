# Bozor: `make run` sets up and serves the site on embedded defaults; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := run
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Absolute links (canonical, hreflang, sitemaps, emails) point at the port make run serves, unless set.
BASE_URL ?= http://127.0.0.1:$(PORT)
SEED_LISTINGS ?= 3000
DRILL_LISTINGS ?= 300

# A Python >= 3.12: python3.13/python3.12/python3 on PATH if they run, else pyenv's newest 3.12+.
define FIND_PYTHON
for c in python3.13 python3.12 python3; do \
  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; exit 0; fi; \
done; \
root=$${PYENV_ROOT:-$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)}; \
for p in $$(ls -d $$root/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; exit 0; fi; \
done; exit 1
endef

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@py=$$($(FIND_PYTHON)) || { echo "Bozor needs Python 3.12 or newer (Django 6). Install python3.12 (e.g. 'pyenv install 3.12') and re-run." >&2; exit 1; }; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Outside judges the tests run (Nu HTML Checker, axe-core), pinned in package-lock.json; skipped without npm.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the HTML checker tests will be skipped (CI fails instead)" >&2; fi

.PHONY: install
install: $(VENV)/.installed

.PHONY: setup
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_catalog
	$(PY) manage.py seed_demo --listings $(SEED_LISTINGS) --if-empty

.PHONY: run
run: setup
	@echo "Bozor on http://127.0.0.1:$(PORT)/ (uz: /uz/); Ctrl-C stops the web server and the worker."
	@# manage.py turns SIGTERM into a normal exit, so the last process stops the embedded PostgreSQL;
	@# after a harder kill the next start (or embedded_db stop) repairs what was left behind.
	@trap 'trap "" EXIT INT TERM; kill 0 2>/dev/null; wait; $(PY) manage.py embedded_db stop || true' EXIT INT TERM; \
	export DJANGO_DEBUG=$${DJANGO_DEBUG:-1} BASE_URL='$(BASE_URL)'; \
	$(PY) manage.py run_huey --quiet & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) & \
	wait

.PHONY: test
test: install node_modules/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Outside judges on a production-like server (issue 14): Nu HTML Checker, axe-core, Lighthouse, byte budgets.
.PHONY: webaudit
webaudit: install node_modules/.installed
	$(PY) -m classifieds.ops.webaudit --report var/webaudit.json $(WEBAUDIT_ARGS)

.PHONY: lint
lint: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

.PHONY: messages
messages: install
	$(PY) manage.py makemessages -l ru -l uz --no-location --no-wrap --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

# --- Operations (issue 17): CI runs `make ci` = the tests, the dependency audit and the restore drill ---
.PHONY: audit
audit: install
	$(PY) deploy/audit.py requirements.txt requirements-dev.txt

.PHONY: drill
drill: install
	$(PY) -m classifieds.ops.drill --demo $(DRILL_LISTINGS) --report var/drill-report.json

.PHONY: ci
ci: test audit drill
