# harness — build, test and install.
#
#   make            build bin/harness, bin/libharness.a and bin/libharness.so
#   make test       build and run the Check unit tests and end-to-end tests
#   make threads    the library's multi-threaded entry points under helgrind
#   make asan       the unit and end-to-end tests under AddressSanitizer + UBSan
#   make valgrind   the unit tests under valgrind (leaks are errors)
#   make demo       build, replay the shipped transcripts, print the scores
#   make install    PREFIX=/usr/local DESTDIR=
#
# Missing Debian packages are installed on first use (apt-get, as root or
# through sudo), so each of these works on a fresh Debian 12 machine.
# -Wno-format-truncation: fixed-size message buffers truncate on purpose.

CC       ?= gcc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
BIN      := bin

DEB_PKGS := gcc make pkg-config libcurl4-openssl-dev libcjson-dev \
            libsqlite3-dev sqlite3 check libsubunit-dev libpcre2-dev libssl-dev \
            libmicrohttpd-dev python3 python3-venv valgrind
PKGS     := libcurl libcjson sqlite3 libpcre2-8 libcrypto

CFLAGS_BASE := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wno-format-truncation -fPIC -iquote harness
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = $(CFLAGS_BASE) $(OPT) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_LIBS = $(shell pkg-config --libs check 2>/dev/null)

CLI_SRC  := $(wildcard harness/cmd_*.c) harness/main.c
LIB_SRC  := $(filter-out $(CLI_SRC),$(wildcard harness/*.c))
LIB_OBJ  := $(LIB_SRC:harness/%.c=$(BUILD)/lib/%.o)
CLI_OBJ  := $(CLI_SRC:harness/%.c=$(BUILD)/cli/%.o)
TEST_SRC := $(wildcard tests/check_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
DEPS_OK  := $(BUILD)/.deps-ok

.PHONY: all deps test unit threads e2e parity asan valgrind demo demo-data install clean

all: $(BIN)/harness $(BIN)/libharness.a $(BIN)/libharness.so $(BIN)/simlm

# Install what the build needs, once per build directory.
deps: $(DEPS_OK)
$(DEPS_OK):
	@mkdir -p $(BUILD)
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing || exit 1; \
	fi
	@touch $@

$(BUILD)/lib/%.o: harness/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/cli/%.o: harness/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BIN)/libharness.a: $(LIB_OBJ)
	@mkdir -p $(BIN)
	rm -f $@ && ar rcs $@ $^

$(BIN)/libharness.so: $(LIB_OBJ)
	@mkdir -p $(BIN)
	$(CC) -shared $(SAN) -o $@ $^ $(LIBS)

$(BIN)/harness: $(CLI_OBJ) $(BIN)/libharness.a
	$(CC) $(SAN) -o $@ $(CLI_OBJ) $(BIN)/libharness.a $(LIBS)

# simlm: the simulated LM (a test double and the demo's default LM).
SIMLM_SRC := $(wildcard simlm/*.c)
SIMLM_OBJ := $(SIMLM_SRC:simlm/%.c=$(BUILD)/simlm/%.o)
$(BUILD)/simlm/%.o: simlm/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -iquote simlm $(shell pkg-config --cflags libmicrohttpd 2>/dev/null) -MMD -MP -c $< -o $@

$(BIN)/simlm: $(SIMLM_OBJ) $(BIN)/libharness.a
	$(CC) $(SAN) -o $@ $(SIMLM_OBJ) $(BIN)/libharness.a $(shell pkg-config --libs libmicrohttpd 2>/dev/null) $(LIBS)

$(BUILD)/tests/%: tests/%.c tests/test_util.h $(BIN)/libharness.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -iquote tests -o $@ $< $(BIN)/libharness.a $(TEST_LIBS) $(LIBS)

# Unit tests: every tests/check_*.c is its own Check program. CK_FORK=no
# under the sanitizers keeps their reports in the test's own output.
unit: $(TEST_BIN) $(BIN)/simlm
	@fail=0; for t in $(TEST_BIN); do \
	  HX_SHARED=$(CURDIR)/../shared HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm $$t || fail=1; \
	done; exit $$fail

# End-to-end tests run the real binary.
e2e: $(BIN)/harness $(BIN)/simlm
	@HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm HX_SHARED=$(CURDIR)/../shared bash tests/e2e/run.sh

# Byte parity of the ChatAdapter/JSONAdapter with the real DSPy (pinned, in
# .venv; installs from PyPI on first use).
parity: | $(DEPS_OK)
	@bash tests/parity/run.sh

# The Python bridge calls hx_metric from DSPy's evaluation threads: its
# threaded test runs under helgrind, which sees every memory access, in
# libharness and in the libraries it calls (a sanitizer would miss a race
# inside uninstrumented cJSON), so any data race on that path fails.
threads: $(BUILD)/tests/check_metric
	@CK_FORK=no HX_SHARED=$(CURDIR)/../shared valgrind -q --tool=helgrind --error-exitcode=98 \
	  $(BUILD)/tests/check_metric >/dev/null && echo "threads: check_metric under helgrind: no data race"

test: all unit threads e2e parity

asan:
	$(MAKE) BUILD=build/asan BIN=build/asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  CK_FORK=no ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 all unit e2e

valgrind: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  CK_FORK=no HX_SHARED=$(CURDIR)/../shared valgrind -q --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 $$t >/dev/null || fail=1; \
	done; exit $$fail

# The demo: simlm on 127.0.0.1, the shipped transcripts, the scores.
demo: all
	@bash demo/run.sh

# Regenerate the demo suite (suite.json, transcripts/, assertions/, modules/)
# from its deterministic generator.
demo-data: $(BIN)/libharness.a
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_ALL) -o $(BUILD)/demo-generate demo/generate.c $(BIN)/libharness.a $(LIBS)
	$(BUILD)/demo-generate

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 0755 $(BIN)/harness $(DESTDIR)$(PREFIX)/bin/harness
	install -m 0755 $(BIN)/simlm $(DESTDIR)$(PREFIX)/bin/simlm
	install -m 0644 $(BIN)/libharness.a $(DESTDIR)$(PREFIX)/lib/libharness.a
	install -m 0755 $(BIN)/libharness.so $(DESTDIR)$(PREFIX)/lib/libharness.so

clean:
	rm -rf $(BUILD) $(BIN)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SIMLM_OBJ:.o=.d)

# Feature areas add their own targets in mk/*.mk (each owned by its area).
-include $(sort $(wildcard mk/*.mk))
