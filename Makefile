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

# Debian packages: CJK fonts, HarfBuzz subsetting (fast, small PDFs), Pango for WeasyPrint,
# poppler/mupdf to read PDFs back in tests, Chromium for the browser tests.
DEB_PACKAGES := python3-venv fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz0b fontconfig poppler-utils mupdf-tools chromium

.PHONY: build test bench setup system-packages check site contracts clean

build: setup check site contracts

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks --n $(N)

setup: system-packages $(VENV)/.installed

# Installs only what is missing, so repeated runs cost nothing.
system-packages:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

check: setup
	$(AGREEMENTS) check

site: setup
	$(AGREEMENTS) build --out site

contracts: setup
	$(AGREEMENTS) contract customers/examples/*.yml --out out/contracts

clean:
	rm -rf site out .cache
