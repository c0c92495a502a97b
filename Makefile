# Two commands from a fresh clone: `make demo` and `make test`. Both set everything up first
# (system packages, a virtual environment with the project installed) and are safe to re-run.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml requirements-nodeps.txt scripts/install-system-deps.sh \
		scripts/build-native.sh native/*
	bash scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,plot,neural]'
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	bash scripts/build-native.sh || echo "native speedups not built: the unit runs without them"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	mkdir -p out
	$(BIN)/hinge-coach demo --wav-out out/demo.wav

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/workout.py

clean:
	rm -rf $(VENV) out
