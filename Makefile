# jhops: `make demo` runs the main job, `make test` runs every test. Both install what they need first,
# into .venv, and do nothing more when it is already installed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.stamp-install
export PATH := $(BIN):$(PATH)
# Spark on loopback only; executors run the virtualenv's interpreter.
export SPARK_LOCAL_IP ?= 127.0.0.1
export PYSPARK_PYTHON := $(BIN)/python
export TF_CPP_MIN_LOG_LEVEL ?= 2
# galata drives Debian's chromium; Playwright must never try to download browsers of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: all install system-deps demo lab test lint typecheck check-extensions jest pytest galata screenshots \
  benchmark clean

all: test

# Debian packages the project needs: Java for Spark, Node for the labextension build, Chromium for
# the browser tests, Fashion-MNIST for the search benchmark, Redis for the online store tests. Installed only
# when missing (needs root).
system-deps:
	@missing=""; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz || missing="$$missing dataset-fashion-mnist"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt package.json yarn.lock | $(BIN)/python
	$(MAKE) system-deps
	$(BIN)/python -m pip install -q --upgrade pip
	@# The link that `jupyter builder develop` leaves would let pip write install.json into the build folder,
	@# and the next install would then find it twice.
	rm -rf $(VENV)/share/jupyter/labextensions/jhops jhops/labextension/install.json
	$(BIN)/pip install -q -c constraints.txt -e ".[all,test]"
	@# An editable install links the built labextension and enables the server extension explicitly.
	$(BIN)/jupyter builder develop --overwrite .
	$(BIN)/jupyter server extension enable --sys-prefix jhops
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/python -m jhops.demo

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR)/notebooks --ServerApp.allow_root=True \
	  --ServerApp.ip=127.0.0.1

lint: install
	$(BIN)/ruff check jhops tests benchmarks
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

# The listings are printed through a variable: `tee /dev/stderr` reopened a redirected log and truncated it.
check-extensions: install
	@out=$$($(BIN)/jupyter server extension list 2>&1); echo "$$out"; \
	echo "$$out" | grep -qE "jhops .*enabled" || { echo "the jhops server extension is not enabled"; exit 1; }; \
	echo "$$out" | grep -A2 -E "jhops .*enabled" | grep -q "OK" \
	  || { echo "the jhops server extension does not load"; exit 1; }
	@out=$$($(BIN)/jupyter labextension list 2>&1); echo "$$out"; \
	echo "$$out" | grep -qE "jhops .*enabled.*OK" || { echo "the jhops labextension is not enabled OK"; exit 1; }

jest: install
	$(BIN)/jlpm test

pytest: install
	$(BIN)/python -m pytest

# The browser tests: galata drives a JupyterLab it starts on 127.0.0.1:8898, with a fresh project, in chromium.
galata: install
	$(BIN)/jlpm test:ui

# The README's sidebar screenshots, from the project that `make demo` filled (./jhops-project).
screenshots: install
	@test -f jhops-project/jhops.db || { echo "run 'make demo' first: the screenshots show its project"; exit 1; }
	JHOPS_TOUR_PROJECT=$(CURDIR)/jhops-project $(BIN)/jlpm test:ui

test: install lint typecheck check-extensions jest pytest galata

# The benchmarks of docs/benchmarks.md (about 45 minutes on 2 cores); the search one needs Optuna as the peer.
benchmark: install
	$(BIN)/pip install -q -c constraints.txt -e ".[bench]"
	$(BIN)/python benchmarks/trial_overhead.py
	$(BIN)/python benchmarks/hpo_async_vs_sync.py
	$(BIN)/python benchmarks/featurestore.py
	$(BIN)/python benchmarks/serving.py

clean:
	rm -rf lib jhops/labextension tsconfig.tsbuildinfo .pytest_cache .mypy_cache .ruff_cache
