# Playground — everything a fresh machine needs is installed by these targets.
# `make run` serves the playground; `make test` runs the whole suite.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint unit sandbox integration e2e security exports frontend-test bench chromium sandbox-tools export-tools frontend migrate clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# The frontend is built by Vite into playground/static/dist.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

playground/static/dist/.built: frontend/node_modules/.installed $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json
	cd frontend && npm run build
	touch $@

frontend: playground/static/dist/.built

# Debian's Chromium for the end-to-end tests (Playwright cannot download browsers here).
chromium:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || test -x $(CHROMIUM) || \
		{ echo "Installing Chromium from Debian…"; (apt-get update -qq && apt-get install -y -qq chromium) || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq chromium); }

# bubblewrap builds the operating-system wall around each run (see README, "Sandbox");
# prlimit and setpriv come with util-linux, libseccomp with most Debian systems.
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || \
		{ echo "Installing bubblewrap from Debian…"; (apt-get update -qq && apt-get install -y -qq bubblewrap util-linux libseccomp2) || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap util-linux libseccomp2) || \
		  echo "bubblewrap could not be installed: runs will be refused (PLAYGROUND_SANDBOX=python-only opts out, alone on a laptop)"; }

# The real consumers of the trace exports, for tests/exports: Debian's plantuml (it pulls a
# Java runtime) and npm mermaid in a folder of its own (rendered in Chromium by Playwright).
tests/exports/node/node_modules/.installed: tests/exports/node/package.json tests/exports/node/package-lock.json
	cd tests/exports/node && npm ci --no-audit --no-fund
	touch $@

export-tools: tests/exports/node/node_modules/.installed
	@command -v plantuml >/dev/null 2>&1 || \
		{ echo "Installing plantuml from Debian…"; (apt-get update -qq && apt-get install -y -qq plantuml) || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq plantuml); }

migrate: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_library

run: venv frontend sandbox-tools migrate
	$(PY) manage.py serve --port $(PORT)

lint: venv
	$(VENV)/bin/ruff check playground tests
	$(VENV)/bin/lint-imports

# Fast and in-process: no child process, no server.
unit: venv
	$(PY) -m pytest tests/unit

# Through the real sandbox child (bubblewrap): slower, limits that hold on a busy machine.
sandbox: venv sandbox-tools
	$(PY) -m pytest tests/sandbox

security: venv sandbox-tools
	$(PY) -m pytest tests/security

integration: venv frontend sandbox-tools
	$(PY) -m pytest tests/integration

e2e: venv frontend chromium sandbox-tools
	$(PY) -m pytest tests/e2e

frontend-test: frontend/node_modules/.installed
	cd frontend && npx vitest run && npm run depcruise

# Every export read by its consumer: plantuml, mermaid in Chromium, ShiViz's and Perfetto's rules.
exports: venv chromium export-tools
	$(PY) -m pytest tests/exports

test: venv frontend chromium sandbox-tools export-tools lint frontend-test
	$(PY) -m pytest tests/unit tests/sandbox tests/security tests/integration tests/exports tests/e2e

bench: venv frontend sandbox-tools
	$(PY) -m pytest tests/bench -s -p no:cacheprovider

clean:
	rm -rf $(VENV) frontend/node_modules playground/static/dist
