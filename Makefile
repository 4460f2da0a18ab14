# The two commands of the README:
#   make book   build the book from scratch into _build/html (warnings are errors)
#   make test   run every test: rnnlib's suite, strict nbval on every chapter, the book build,
#               and the offline browser test of the built pages
# Both create .venv and install what they need into it (and Debian's chromium for the browser test).
PY      ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed
CHAPTERS = $(wildcard book/*.ipynb)

.PHONY: book test test-lib test-notebooks test-browser assets chromium clean

# Tests run BLAS on one thread: results are then the same from run to run, and two cores are not
# oversubscribed (timing cells say how many threads they measured).
test-lib test-notebooks test-browser: export OPENBLAS_NUM_THREADS := 1
test-lib test-notebooks test-browser: export OMP_NUM_THREADS := 1

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

assets: $(STAMP)
	$(BIN)/python book/_vendor/build_assets.py

book: assets
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going

test-lib: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests --ignore=tests/browser

# Strict nbval: every stored output is compared (sanitized only for ids, addresses and image data).
test-notebooks: $(STAMP)
	@if [ -z "$(CHAPTERS)" ]; then echo "no chapter notebooks yet"; else \
	  $(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
	    --nbval-sanitize-with book/nbval-sanitize.cfg --nbval-cell-timeout 300 $(CHAPTERS); fi

chromium:
	@command -v /usr/bin/chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "the browser test needs Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

test-browser: $(STAMP) chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/browser

test: test-lib test-notebooks book test-browser

clean:
	rm -rf _build _assets $(VENV) book/_vendor/node_modules
