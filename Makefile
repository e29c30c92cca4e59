# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint format lock bench

# The first install downloads ~60 packages (a minute or two): pip shows each one as it goes.
$(VENV)/.installed: requirements.lock
	@echo "== creating $(VENV) and installing the pinned dependencies (first run: 1-2 minutes)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements.lock
	touch $@
	@echo "== installed"

install: $(VENV)/.installed

demo: install
	./scripts/demo.sh

test: install
	./scripts/test.sh

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

bench: install
	$(PY) -m benchmarks

# Re-pin after editing pyproject.toml's dependencies.
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
