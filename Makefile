# claimcheck tasks. `make help` lists them. Every target that needs the environment
# depends on it, so on a fresh clone `make demo` and `make test` are each enough alone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CC := $(VENV)/bin/claimcheck
STAMP := $(VENV)/.installed
MODEL := models/claimcheck-sentence
VERIFIER := models/claimcheck-verifier
VERIFY_DATA := $(wildcard data/verify/*.jsonl)
SPLITS := data/processed/train.jsonl data/processed/dev.jsonl data/processed/test.jsonl
RAW := $(wildcard data/raw/articles/*.txt)
SAMPLES := $(filter-out data/samples/README.md,$(wildcard data/samples/*.md data/samples/*.html data/samples/*.txt))
STUDENT_LAYERS ?= 2

.PHONY: help install data validate model student eval bench demo test test-fast lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install claimcheck with its dev extras (CPU torch first)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

data: $(SPLITS) ## rebuild data/processed splits from data/raw

$(SPLITS) &: $(RAW) $(STAMP)
	$(CC) data build

validate: data ## validate the corpus: schema, labels, split leakage, near-duplicates, balance
	$(CC) data validate

model: $(MODEL)/model.int8.onnx $(VERIFIER)/verifier.json ## build the models: sentence classifier (ONNX int8) and verifier

$(MODEL)/model.int8.onnx: $(SPLITS)
	$(CC) train --output $(MODEL)

student: model ## optional: distil the classifier into a faster $(STUDENT_LAYERS)-layer student (models/claimcheck-student)
	$(CC) train --output models/claimcheck-student --layers $(STUDENT_LAYERS) --distill-from $(MODEL)

$(VERIFIER)/verifier.json: $(VERIFY_DATA) $(STAMP)
	$(CC) train --task verify --output $(VERIFIER)

eval: model ## evaluate classifier (test split, beside the baseline) and verifier
	$(CC) evaluate --split test --model $(MODEL)
	$(CC) evaluate --task verify

bench: model ## speed of each path and the baseline, then a 1,500-word article
	$(CC) bench --model $(MODEL)
	$(CC) bench --article --model $(MODEL)

demo: model ## check the bundled sample articles against the bundled sources
	$(CC) check $(SAMPLES) --sources data/sources --quiet
	$(CC) check data/samples/news-magnesium-sleep.md --sources data/sources

test: model ## the whole test suite, slow tests included (as CI runs it)
	$(VENV)/bin/pytest -q -n 2

test-fast: install ## the fast tests only
	$(VENV)/bin/pytest -q -m "not slow" -n 2

lint: install ## ruff
	$(VENV)/bin/ruff check src tests

clean: ## remove trained models and generated files (keeps .venv)
	rm -rf $(MODEL) models/claimcheck-student $(VERIFIER) data/processed reports
