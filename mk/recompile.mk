# mk/recompile.mk — recompiles: the Python bridge's venv, the demo of the
# whole loop, and the recompile end-to-end tests (tests/e2e/loop.sh), which
# run with `make e2e` and so with `make test` and `make asan`. Included by the
# Makefile's mk/*.mk.
#
#   make recompile-venv   .venv with bridge/requirements.txt (DSPy 3.3.1, Optuna)
#   make demo-loop        drift -> below the bar -> trigger -> MIPROv2 -> promoted
#   make e2e-recompile    the recompile end-to-end tests alone

VENV        ?= .venv
VENV_PY     := $(VENV)/bin/python
# A copy of the requirements it was installed from: when it matches, the venv
# is up to date and nothing runs (a fresh or rebuilt .venv has none).
VENV_STAMP  := $(VENV)/.hx-bridge-requirements.txt

.PHONY: recompile-venv demo-loop e2e-recompile

recompile-venv: $(VENV_STAMP)

$(VENV_STAMP): bridge/requirements.txt | $(DEPS_OK)
	@[ -x $(VENV_PY) ] || python3 -m venv $(VENV)
	@echo "make: installing bridge/requirements.txt into $(VENV)"
	$(VENV_PY) -m pip install -q -r bridge/requirements.txt
	@cp bridge/requirements.txt $@

demo-loop: $(BIN)/harness $(BIN)/simlm $(BIN)/libharness.so recompile-venv
	@BIN=$(BIN) bash demo/loop.sh

e2e-recompile: $(BIN)/harness $(BIN)/simlm $(BIN)/libharness.so recompile-venv
	@HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm bash tests/e2e/loop.sh

e2e: e2e-recompile
