# kow_research — every target creates .venv itself when it is missing, and installs only what
# the lock files pin (requirements.lock: runtime; requirements-dev.lock: runtime + development),
# hash-checked. `make lock` refreshes them; `make check-latest` tries the newest releases.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
REPORTS ?= reports
LOCK     := requirements.lock
DEV_LOCK := requirements-dev.lock
PIP      := $(BIN)/python -m pip --disable-pip-version-check --no-input
# hash-checked, exactly the pinned set: nothing is resolved at install time
PIP_LOCKED := $(PIP) install --quiet --require-hashes --no-deps
# one lock for every supported Python (>= 3.11), preferring one version per package
UV_FLAGS := --universal --fork-strategy fewest --generate-hashes --python-version 3.11 \
            --custom-compile-command "make lock" --quiet

.PHONY: report test lint bench validation notebooks dictionary docs lock check-latest audit clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kow_research needs Python >= 3.11 (found %d.%d); run make PYTHON=python3.11" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)

# Runtime install (package + notebook stack) from the lock; re-run when the lock changes.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(PIP_LOCKED) -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	$(PIP) check
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (kow_research)"
	touch $@

# Development install (tests, nbval, ruff, mypy, uv) from the development lock.
$(VENV)/.installed-dev: $(DEV_LOCK) $(VENV)/.installed
	$(PIP_LOCKED) -r $(DEV_LOCK)
	$(PIP) check
	touch $@

## report: simulate the default cohorts and turn them into a report in reports/ (dates in the
## report are those of the last commit, SOURCE_DATE_EPOCH, so a second run gives the same bytes)
report: $(VENV)/.installed
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || echo 0)} \
	  $(BIN)/kow-research report --out $(REPORTS)

## test: the whole suite (unit, property, R-reference fixtures, nbval on the notebooks), one
## pytest-xdist worker per core, at most 4; each test file stays whole on one worker, so a
## notebook's cells run in order in one kernel. `make test PYTEST_ARGS="-n 0"` runs serially.
PYTEST_ARGS ?= -n auto --maxprocesses 4 --dist loadfile
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff and mypy
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: time the heavy paths (prints timings and ratios; not part of `make test`)
bench: $(VENV)/.installed-dev
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

## validation: the simulation studies in validation/ (bias, coverage, type I error; long, not part
## of `make test`, which runs their smoke versions); results go to validation/results/
validation: $(VENV)/.installed-dev
	for f in validation/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
	@echo "== validation/bootstrap_coverage.py --n-arm 60 (small studies)"
	$(BIN)/python validation/bootstrap_coverage.py --n-arm 60 --n-sim 400

## notebooks: re-execute the notebooks in place (default parameters, simulated cohorts) to
## refresh their committed outputs; review the diff before committing
notebooks: $(VENV)/.installed-dev
	cd notebooks && for nb in [0-9][0-9]_*.ipynb; do \
	  ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done

## dictionary: regenerate data_dictionary/ (schema copies and CODEBOOK.md)
dictionary: $(VENV)/.installed
	$(BIN)/kow-research codebook --out data_dictionary

## docs: build the documentation site into docs/_build/html, every warning an error (the
## notebooks are rendered from their committed outputs, never executed; nothing is downloaded)
docs: $(VENV)/.installed-dev
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

## lock: re-resolve the newest compatible releases into the two lock files (needs PyPI) and
## pin environment.yml to the same versions; review the diff, then run `make test`
lock: | $(BIN)/python
	$(PIP) install --quiet "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' $(DEV_LOCK))"
	$(BIN)/uv pip compile pyproject.toml --extra dev tools/build-requirements.in $(UV_FLAGS) -o $(DEV_LOCK)
	$(BIN)/uv pip compile pyproject.toml tools/build-requirements.in $(UV_FLAGS) --constraints $(DEV_LOCK) -o $(LOCK)
	$(BIN)/python tools/sync_environment.py

## check-latest: run the whole suite against the newest releases (no lock) in .venv-latest, so
## that drift is seen before users see it (needs PyPI)
check-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --upgrade pip
	.venv-latest/bin/python -m pip install -e '.[dev]'
	.venv-latest/bin/python -m ipykernel install --sys-prefix --name python3
	.venv-latest/bin/python -m pip list --format=freeze > .venv-latest/versions.txt
	.venv-latest/bin/python -m pytest -p no:cacheprovider

## audit: pip-audit of the development lock against the PyPI/OSV vulnerability databases
## (needs network access to them; installs pip-audit into .venv-audit)
audit:
	test -x .venv-audit/bin/pip-audit || ($(PYTHON) -m venv .venv-audit && .venv-audit/bin/python -m pip install pip-audit)
	.venv-audit/bin/pip-audit --requirement $(DEV_LOCK) --require-hashes --disable-pip --progress-spinner off

clean:
	rm -rf $(VENV) .venv-latest .venv-audit $(REPORTS) .pytest_cache .hypothesis .mypy_cache .ruff_cache
