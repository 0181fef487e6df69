# kow_research — every target creates .venv itself when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
REPORTS ?= reports

.PHONY: report test lint bench notebooks dictionary clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# Runtime install (package + notebook stack); re-run when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (kow_research)"
	touch $@

# Development install (tests, nbval, ruff, mypy).
$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

## report: simulate the default cohorts and execute every notebook to HTML in reports/
report: $(VENV)/.installed
	$(BIN)/kow-research report --out $(REPORTS)

## test: the whole suite (unit, property, R-reference fixtures, nbval on the notebooks)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

## lint: ruff and mypy
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: time the heavy paths (prints timings and ratios; not part of `make test`)
bench: $(VENV)/.installed-dev
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

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

clean:
	rm -rf $(VENV) $(REPORTS) .pytest_cache .hypothesis .mypy_cache .ruff_cache
