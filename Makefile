# The two commands: `make report` (main job on the seed article) and `make test`.
# Both create or reuse .venv/, install the package (editable) and register the
# venv's Jupyter kernel ("workbench") that papermill runs the report notebooks on.
# `make report` installs the light default; `make test` adds the test tools, the
# [neural] extra (pinned CPU torch) and the [spacy] extra, so CI exercises both options too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.workbench-installed
TEST_STAMP := $(VENV)/.workbench-test-installed

# `make lab` listens on 127.0.0.1 only, with Jupyter's random token (printed in the URL).
.PHONY: report test test-fast lab clean-reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	$(BIN)/workbench kernel >/dev/null
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,neural,spacy]'
	touch $(TEST_STAMP)

report: $(STAMP)
	$(BIN)/workbench report

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow"

lab: $(STAMP)
	JUPYTER_PATH=$(CURDIR)/$(VENV)/share/jupyter $(BIN)/jupyter lab --notebook-dir=notebooks \
		--ServerApp.ip=127.0.0.1 --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

clean-reports:
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
