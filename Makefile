# The two commands of the README:
#   make book   build the book into _build/html (from scratch, warnings are errors)
#   make test   run every test (rnnlib's pytest suite; later: strict nbval, the book build, the browser test)
# Both create .venv and install what they need into it.
PY      ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed

.PHONY: book test test-lib clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

book: $(STAMP)
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going

test-lib: $(STAMP)
	$(BIN)/python -m pytest -q tests

test: test-lib book

clean:
	rm -rf _build $(VENV)
