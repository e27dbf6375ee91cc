# xxgk — every entry point is a target here; the README and CI use these.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format bench clean

setup: $(STAMP)  ## create .venv and install xxgk with its dev tools (pinned by constraints.txt)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: setup  ## run the pipeline on data/raw into data/curated
	$(BIN)/xxgk run

test: setup  ## unit, integration, CLI, schedule and notebook tests
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup  ## 10,000 synthetic reports end to end
	$(BIN)/python benchmarks/bench_run.py --reports 10000

clean:
	rm -rf data/curated/* .pytest_cache .ruff_cache
	touch data/curated/.gitkeep
