# make book: build the HTML book into _build/html (the main job)
# make test: unit tests of d2lutil + every chapter executed by pytest --nbval
# Both set everything up on a fresh machine: Debian packages (when root), .venv, the data.

VENV     ?= .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
export D2LUTIL_STRICT_FONTS := 1

.PHONY: book test test-site bench lab clean system data lock linkcheck

book: $(STAMP) data
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: $(STAMP) data
	$(VENV)/bin/pytest --nbval

test-site: $(STAMP)
	./scripts/system-packages.sh --browser
	$(MAKE) node_modules/.package-lock.json
	$(VENV)/bin/pytest tests/test_site.py tests/test_a11y.py -p no:cacheprovider

# axe-core for tests/test_a11y.py, at the version package-lock.json pins
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

bench: $(STAMP) data
	$(PY) benchmarks/run.py

lab: $(STAMP) data
	mkdir -p $(VENV)/share/jupyter/lab/settings
	echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	$(VENV)/bin/jupyter lab book/

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
	rm -rf _build .pytest_cache .hypothesis benchmarks/results node_modules
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
