# learnburn — the two commands that matter: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The tabular MLP candidate needs PyTorch. Installed first and pinned, so a CPU build can be
# chosen (e.g. TORCH="torch==2.13.0+cpu" with a CPU wheel index); learnburn asks for torch>=2.2.
TORCH  ?= torch==2.13.0

.PHONY: demo test lint bench install clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The demo learns and records the loans experiment, writes the chosen model's bundle, profiles
# it against the real server on loopback, prices serving it (from the shipped price table, whose
# rows are not yet confirmed against AWS's Price List: --allow-unconfirmed; refresh it with
# `learnburn prices update`), and writes the HTML report
# (out/loans-report.html). It runs inside learnburn's own checkout, which is dirty while you
# develop it: --allow-dirty records the run with its diff.
demo: $(STAMP)
	$(BIN)/learnburn run examples/loans/loans.toml --jobs 2 --output out/loans-result.json \
		--bundle out/loans.lbm --allow-dirty
	$(BIN)/learnburn profile out/loans.lbm --output out/loans-profile.json
	$(BIN)/learnburn cost out/loans-profile.json --rps 20 --peak-rps 100 --p99-ms 100 \
		--retrain-every 30d --allow-unconfirmed --json out/loans-cost.json
	$(BIN)/learnburn report out/loans.lbm --profile out/loans-profile.json \
		--cost out/loans-cost.json --output out/loans-report.html

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/lint-imports

# The report and UI tests run in Debian's Chromium, installed here when missing.
browser:
	@bash tests/fixtures/install_chromium.sh

test: lint browser
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) out test-artifacts .pytest_cache .ruff_cache .import_linter_cache
