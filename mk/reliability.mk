# mk/reliability.mk — reliability end-to-end tests (tests/e2e/reliability.sh):
# readers querying the views during a run, a full disk, a read-only database,
# and the API key written nowhere. Run by `make test`, alone with `make
# e2e-reliability`; under the sanitizers with `make asan-reliability` (`make
# asan` runs only the unit tests and `e2e`). The full-disk and read-only
# tests mount small tmpfs file systems when run as root (unmounted on exit);
# otherwise they fall back to RLIMIT_FSIZE and file permissions. Included by
# the Makefile's mk/*.mk.

.PHONY: e2e-reliability asan-reliability

e2e-reliability: $(BIN)/harness $(BIN)/simlm
	@HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm bash tests/e2e/reliability.sh

test: e2e-reliability

# The same build settings as the Makefile's asan target.
asan-reliability:
	$(MAKE) BUILD=build/asan BIN=build/asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 e2e-reliability
