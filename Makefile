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

# Debian packages: CJK fonts, HarfBuzz subsetting (fast, small PDFs), Pango for WeasyPrint,
# poppler/mupdf/qpdf to read PDFs back in tests, Chromium for the browser tests,
# LibreOffice (headless) to open the .docx and .xlsx files as Word/Excel users would,
# PostgreSQL for the acceptance service's second backend (its tests start a throwaway cluster).
DEB_PACKAGES := python3-venv fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz0b fontconfig poppler-utils mupdf-tools qpdf chromium \
	libreoffice-writer-nogui libreoffice-calc-nogui postgresql

.PHONY: build test bench setup system-packages check site contracts clean lock relock

build: setup check site contracts

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks --n $(N)

setup: system-packages $(VENV)/.installed node_modules/.installed

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
