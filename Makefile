# Two commands do all set-up: `make run` and `make test` (`make test-fast` for the edit loop).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-fast lint install dev index eval bench bench-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first: the pinned CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

run: install
	$(BIN)/resolution-assistant serve

index: install
	$(BIN)/resolution-assistant index

eval: install
	$(BIN)/resolution-assistant eval --out evals/results

test: dev
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider

# All but the browser and Chroma-server tests, on two workers. A worker runs whole files
# (--dist loadfile), so module fixtures load once; each has its own tmp dirs and model cache.
# RA_TEST_FAST_LOOP shortens the load test and the killed builds; RA_TEST_MODEL_STORE keeps the
# converted and exported models across runs (checked by their checksums); RA_TEST_DURATIONS times each
# file, and the next run starts the longest first, so both workers end together. tests/conftest.py says more.
test-fast: dev
	RA_TEST_FAST_LOOP=1 RA_TEST_MODEL_STORE=.data/test-models RA_TEST_DURATIONS=.data/test-durations.json \
		$(BIN)/python -m pytest -q -p no:cacheprovider -p no:langsmith_plugin -m "not browser and not server" -n 2 --dist loadfile

# The ruff rules in pyproject.toml (pyflakes, pycodestyle, bugbear).
lint: dev
	$(BIN)/ruff check .

bench: dev
	$(BIN)/python -m benchmarks.run

bench-smoke: dev
	$(BIN)/python -m benchmarks.run --smoke

clean:
	rm -rf $(VENV) .data
