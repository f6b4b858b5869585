# Two commands on a fresh Debian 12 machine, as root:
#   make build   system packages, .venv, then check the content, build the site and sample contracts
#   make test    the same set-up, then the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := build

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AGREEMENTS := $(BIN)/agreements
N ?= 200
# Exact versions and hashes of everything in .venv; `make lock` rewrites it with uv.
LOCK := requirements.lock
UV_VERSION := 0.13.9
TOOLS := .cache/tools
# The Chinese catalog of messages: the .po is the source, the .mo is compiled (see `messages`).
CATALOG := generator/locale/zh_CN/LC_MESSAGES/agreements

# Debian packages: CJK fonts, HarfBuzz subsetting (fast, small PDFs), Pango for WeasyPrint,
# poppler/mupdf/qpdf to read PDFs back in tests, Chromium for the browser tests,
# LibreOffice (headless) to open the .docx and .xlsx files as Word/Excel users would,
# python3-uno for the system python3 that drives the tests' one long-lived LibreOffice (tests/office.py),
# PostgreSQL for the acceptance service's second backend (its tests start a throwaway cluster).
DEB_PACKAGES := python3-venv fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz0b fontconfig poppler-utils mupdf-tools qpdf chromium \
	libreoffice-writer-nogui libreoffice-calc-nogui python3-uno postgresql

.PHONY: build test test-thorough bench setup system-packages check site contracts clean lock relock mutants messages desk

build: setup check site contracts

# Two pytest-xdist workers, one per core; each test file is a unit of work, and the tests that
# share one Chromium, one PostgreSQL or one LibreOffice are one unit (tests/conftest.py).
# `make test XDIST=` runs the suite in one process.
XDIST ?= -n 2 --dist loadgroup

# make test runs Hypothesis's `ci` profile (a quarter of each property test's examples);
# make test-thorough runs all of them (tests/conftest.py registers both).
test: setup
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q $(XDIST)

test-thorough: setup
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -q $(XDIST)

bench: setup
	$(BIN)/python -m benchmarks --n $(N)
	$(BIN)/python -m benchmarks.desk

# The sales desk in the browser (http://127.0.0.1:8765/); Ctrl+C stops it.
desk: setup
	$(AGREEMENTS) desk

# Mutation testing of the functions listed in tools/mutants.py only (minutes, not days).
mutants: setup
	$(BIN)/python -m tools.mutants

setup: system-packages $(VENV)/.installed node_modules/.installed $(CATALOG).mo

# The messages a person reads, in Chinese: the .po file is the source (translated by people),
# the .mo file is compiled from it here and never committed. `make messages` re-extracts the
# English msgids of generator/ and of click (whose own messages we translate too) into the .pot
# and merges new ones into the .po, where they wait, untranslated, for a translator;
# tests/test_i18n.py fails until every one is translated.
CLICK_DIR = $(shell $(BIN)/python -c 'import click, os; print(os.path.relpath(os.path.dirname(click.__file__)))')

$(CATALOG).mo: $(CATALOG).po $(VENV)/.installed
	$(BIN)/pybabel compile --domain agreements --input-file $(CATALOG).po --output-file $@

messages: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping-file babel.cfg --project agreements --no-wrap --sort-by-file \
		--output-file generator/locale/agreements.pot generator $(CLICK_DIR)
	test -f $(CATALOG).po || $(BIN)/pybabel init --domain agreements --locale zh_CN --no-wrap \
		--input-file generator/locale/agreements.pot --output-dir generator/locale
	$(BIN)/pybabel update --domain agreements --input-file generator/locale/agreements.pot \
		--output-dir generator/locale --locale zh_CN --no-wrap --ignore-obsolete

# Installs only what is missing, so repeated runs cost nothing.
system-packages:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# .venv holds exactly the lock: locked packages installed (hashes checked, no resolver),
# anything else removed, then the project itself as an editable package without deps.
$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	@extra=$$(comm -23 <($(BIN)/python -m pip freeze --all --exclude-editable 2>/dev/null \
		| sed 's/==.*//' | tr 'A-Z_.' 'a-z--' | sort) \
		<(grep -E '^[A-Za-z0-9]' $(LOCK) | sed 's/==.*//' | tr 'A-Z_.' 'a-z--' | sort)); \
	if [ -n "$$extra" ]; then echo "removing packages not in $(LOCK):" $$extra; \
		$(BIN)/python -m pip uninstall -q -y $$extra; fi
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# node_modules holds exactly package-lock.json (axe-core, which the browser tests inject into
# Chromium). Node.js and npm come with the machine; Debian's own npm package conflicts with
# that Node.js, so it is never apt-installed here.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 18 or newer with npm (e.g. from nodejs.org), then run make again" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# `make lock` upgrades deliberately: every package to the newest version pyproject.toml's
# ranges allow; review the diff of $(LOCK), run `make test`, commit both.
# `make relock` only follows an edit of pyproject.toml and keeps every other pin.
lock: UPGRADE := --upgrade
lock relock:
	test -x $(TOOLS)/bin/uv || { $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q uv==$(UV_VERSION); }
	$(TOOLS)/bin/uv pip compile pyproject.toml --extra test --extra tools --generate-hashes \
		$(UPGRADE) --python $(PYTHON) --output-file $(LOCK)

check: setup
	$(AGREEMENTS) check

site: setup
	$(AGREEMENTS) build --out site

contracts: setup
	$(AGREEMENTS) contract customers/examples/*.yml --out out/contracts

clean:
	rm -rf site out .cache
