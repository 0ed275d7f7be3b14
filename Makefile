# make book: build the HTML book into _build/html (the main job)
# make test: unit tests of d2lutil + every chapter executed by pytest --nbval
# Both set everything up on a fresh machine: Debian packages (when root), .venv, the data.
# make pdf: the whole book as _build/pdf/<name>.pdf (XeLaTeX; installs TeX only for this target)

VENV     ?= .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
# the PDF's name: latex.latex_documents.targetname in _config.yml, without .tex
PDF_NAME := $(shell sed -n 's/^ *targetname: *\([^ .]*\)\.tex.*/\1/p' _config.yml)

.PHONY: book test test-site test-notebooks pdf test-pdf bench lab notebooks binder-sim hub-sim clean system data lock linkcheck

# Chapters whose code changed run first, several at once (scripts/execute_chapters.py), into
# the execution cache the build then reads: a cold build executes on every core.
book: $(STAMP) data
	$(PY) scripts/execute_chapters.py
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# The chapters run side by side, one per pytest-xdist worker (as many as usable CPUs), longest first.
test: $(STAMP) data
	$(VENV)/bin/pytest --nbval -n auto --dist loadfile --no-loadscope-reorder

test-site: $(STAMP)
	./scripts/system-packages.sh --browser
	$(MAKE) node_modules/.package-lock.json
	$(VENV)/bin/pytest tests/test_site.py tests/test_a11y.py -p no:cacheprovider

# axe-core for tests/test_a11y.py, at the version package-lock.json pins
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

# The browser test of the notebook path: Binder's set-up, JupyterLab, Run All (after make book).
test-notebooks: notebooks
	./scripts/system-packages.sh --browser
	$(VENV)/bin/pytest tests/test_notebooks.py -p no:cacheprovider -s

# The LaTeX build reads the same execution cache as `make book` (no chapter runs twice), then
# latexmk/XeLaTeX typesets it; a glyph missing from the fonts fails (scripts/latex-to-pdf.sh).
pdf: $(STAMP) data
	./scripts/system-packages.sh --pdf
	$(PY) scripts/execute_chapters.py
	$(VENV)/bin/jupyter-book build . --builder latex -W -n --keep-going
	./scripts/latex-to-pdf.sh $(PDF_NAME)

# PDF first, then the site (which then links the PDF), then tests/test_pdf.py on both.
test-pdf: pdf book
	$(VENV)/bin/pytest tests/test_pdf.py -p no:cacheprovider

bench: $(STAMP) data
	$(PY) benchmarks/run.py

# The reader notebooks (notebooks/<chapter>.ipynb) from the built book, and Jupyter's settings
# for readers; the same script as Binder's postBuild and a JupyterHub image.
notebooks: book
	./scripts/reader-setup.sh $(PY)

# JupyterLab on the reader notebooks (as root too); it prints the URL to open.
lab: notebooks
	@echo "Open the URL JupyterLab prints below; the chapters are notebooks/<chapter>.ipynb (start with notebooks/index.ipynb)."
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/index.ipynb

# Three of the heaviest chapters at once under Binder's limits (1 CPU, 2 GiB; needs root).
binder-sim: $(STAMP) data
	$(PY) scripts/binder_sim.py

# A class on a JupyterHub, on this machine (as root; about 15 minutes): a student follows a chapter's
# JupyterHub link through a real hub in headless Chromium, then 5, 10 and 20 students at once
# (scripts/hub_sim.py; figures in _build/hub-sim/report.md). Weekly workflow only, not .ci/run.
hub-sim: notebooks
	./scripts/system-packages.sh --browser
	$(MAKE) node_modules/.package-lock.json
	$(PY) scripts/hub_sim.py

linkcheck: $(STAMP)
	$(VENV)/bin/jupyter-book build . --builder linkcheck

system:
	./scripts/system-packages.sh

$(STAMP): requirements.txt constraints.txt pyproject.toml | system
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt -c constraints.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

data: $(STAMP)
	$(PY) -c "from d2lutil.fashion import find_fashion_mnist; print('Fashion-MNIST:', find_fashion_mnist())"

lock: $(STAMP)
	( echo '# Transitive pins: pip install -r requirements.txt -c constraints.txt (regenerate with `make lock`).'; \
	  $(PY) -m pip freeze --exclude-editable ) > constraints.txt

clean:
	rm -rf _build .pytest_cache .hypothesis benchmarks/results notebooks node_modules
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
