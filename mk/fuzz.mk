# Fuzzing: libFuzzer targets for every parser of outside input (fuzz/*.c;
# fuzz/README.md says what each covers and what was found).
#
#   make fuzz-build               build/fuzz/bin/fuzz_<target> (clang, ASan + UBSan)
#   make fuzz                     each target for FUZZ_SECONDS (600), one after another
#   make fuzz FUZZ_TARGETS=reply FUZZ_SECONDS=60     one target, a minute
#   make fuzz-ci                  replay fuzz/regressions/*, then each target >= 30 s;
#                                 last line "fuzz: N passed, M failed"; non-zero on a crash
#
# New inputs go to a scratch corpus (FUZZ_WORK, under build/), never to the
# seeds in fuzz/corpus/<target>/. Crashes, leaks, timeouts and UB reports
# leave their input in build/fuzz/artifacts/ (regression replays too, so
# nothing lands in the repository). clang, its sanitizer runtimes and
# llvm-symbolizer are installed on first use (apt-get), as the Makefile
# does for the other packages.

FUZZ_CC          ?= clang
FUZZ_SECONDS     ?= 600
FUZZ_CI_SECONDS  ?= 30
FUZZ_ALL         := suite transcript rules program reply normalize
FUZZ_TARGETS     ?= $(FUZZ_ALL)
FUZZ_BUILD       := $(BUILD)/fuzz
FUZZ_WORK        ?= $(FUZZ_BUILD)/work
FUZZ_ARTIFACTS   ?= $(FUZZ_BUILD)/artifacts
FUZZ_DEPS_OK     := $(FUZZ_BUILD)/.deps-ok
FUZZ_FLAGS       ?=

# -max_len per target: suites, transcript files and programs are a few KB;
# a rule file, a reply or a value is smaller.
FUZZ_MAXLEN_suite      := 16384
FUZZ_MAXLEN_transcript := 8192
FUZZ_MAXLEN_rules      := 4096
FUZZ_MAXLEN_program    := 8192
FUZZ_MAXLEN_reply      := 4096
FUZZ_MAXLEN_normalize  := 512

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The library as the tests build it, with clang: -Wno-unknown-warning-option
# for GCC-only names in CFLAGS_BASE (-Wno-format-truncation).
FUZZ_CFLAGS  = $(CFLAGS_BASE) -Wno-unknown-warning-option -O1 -g $(FUZZ_SAN) \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB_OBJ := $(LIB_SRC:harness/%.c=$(FUZZ_BUILD)/lib/%.o)
FUZZ_LIB     := $(FUZZ_BUILD)/libharness-fuzz.a
FUZZ_BINS    := $(FUZZ_ALL:%=$(FUZZ_BUILD)/bin/fuzz_%)

FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: fuzz-deps fuzz-build fuzz fuzz-ci

fuzz-deps: $(FUZZ_DEPS_OK)
$(FUZZ_DEPS_OK): | $(DEPS_OK)
	@mkdir -p $(FUZZ_BUILD)
	@if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	  echo "make: installing Debian package: clang"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq clang || exit 1; \
	fi; \
	probe=$(FUZZ_BUILD)/probe; \
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' > $$probe.c; \
	if ! $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $$probe $$probe.c >/dev/null 2>&1; then \
	  v=$$($(FUZZ_CC) -dumpversion | cut -d. -f1); \
	  echo "make: installing Debian package: libclang-rt-$$v-dev"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libclang-rt-$$v-dev || exit 1; \
	  $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $$probe $$probe.c || exit 1; \
	fi; \
	rm -f $$probe $$probe.c; \
	if ! command -v llvm-symbolizer >/dev/null 2>&1; then \
	  echo "make: installing Debian package: llvm (llvm-symbolizer, for stack traces)"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq llvm || exit 1; \
	fi
	@touch $@

$(FUZZ_BUILD)/lib/%.o: harness/%.c | $(FUZZ_DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/bin/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_util.h $(FUZZ_LIB) | $(FUZZ_DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DHX_FUZZ_ROOT='"$(CURDIR)"' \
	  -o $@ $< $(FUZZ_LIB) $(LIBS)

fuzz-build: $(FUZZ_BINS)

# Target $(1) for $(2) seconds (libFuzzer options $(3), scratch folder
# $(FUZZ_WORK)/$(4)<target>): scratch corpus first (libFuzzer writes new
# inputs to the first folder), then the read-only seeds. Prints the
# executions, the coverage, the corpus growth and any crash.
define FUZZ_RUN
t=$(1); secs=$(2); seed=$(3); \
bin=$(FUZZ_BUILD)/bin/fuzz_$$t; work=$(FUZZ_WORK)/$(4)$$t; log=$(FUZZ_BUILD)/log/$$t.log; \
mkdir -p $$work $(FUZZ_ARTIFACTS) $(FUZZ_BUILD)/log; \
seeds=$$(ls fuzz/corpus/$$t 2>/dev/null | wc -l); before=$$(ls $$work | wc -l); \
maxlen=$$(case $$t in suite) echo $(FUZZ_MAXLEN_suite);; transcript) echo $(FUZZ_MAXLEN_transcript);; \
  rules) echo $(FUZZ_MAXLEN_rules);; program) echo $(FUZZ_MAXLEN_program);; \
  reply) echo $(FUZZ_MAXLEN_reply);; *) echo $(FUZZ_MAXLEN_normalize);; esac); \
echo "fuzz: $$t for $$secs s (max_len $$maxlen, seeds $$seeds, scratch $$work)"; \
touch $$log.start; \
$(FUZZ_ENV) $$bin -max_len=$$maxlen -timeout=10 -rss_limit_mb=2048 -max_total_time=$$secs \
  $$seed -print_final_stats=1 -artifact_prefix=$(FUZZ_ARTIFACTS)/$$t- \
  $(FUZZ_FLAGS) $$work fuzz/corpus/$$t >$$log 2>&1; rc=$$?; \
execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -1); \
cov=$$(grep -o 'cov: [0-9]*' $$log | tail -1); ft=$$(grep -o 'ft: [0-9]*' $$log | tail -1); \
after=$$(ls $$work | wc -l); \
echo "fuzz: $$t: rc=$$rc, $${execs:-?} executions, $$cov $$ft, scratch corpus $$before -> $$after"; \
tmo=$$(find $(FUZZ_ARTIFACTS) -name "$$t-timeout-*" -newer $$log.start 2>/dev/null | head -1); \
if [ $$rc -ne 0 ] && [ -n "$$tmo" ] && ! grep -qE 'ERROR: (Address|Leak|Undefined)|runtime error' $$log && \
   $(FUZZ_ENV) $$bin -timeout=10 -artifact_prefix=$(FUZZ_ARTIFACTS)/$$t-replay- $$tmo >$$log.replay 2>&1; then \
  echo "fuzz: $$t: timeout did not reproduce alone ($$tmo); the machine stalled? not counted as a failure"; \
  rc=0; \
fi; \
rm -f $$log.start; \
if [ $$rc -ne 0 ]; then \
  echo "fuzz: $$t FAILED (log $$log):"; \
  grep -E 'ERROR:|ALARM|runtime error|==ERROR|SUMMARY|Test unit written|^    #[0-9] ' $$log | head -40; \
fi
endef

fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_TARGETS); do \
	  $(call FUZZ_RUN,$$t,$(FUZZ_SECONDS),,); \
	  [ $$rc -eq 0 ] || fail=1; \
	done; exit $$fail

# CI: every saved reproducer must now pass, then a short run of each target
# from the seeds alone (fresh scratch corpus, fixed seed).
fuzz-ci: fuzz-build
	@start=$$(date +%s); pass=0; fail=0; \
	mkdir -p $(FUZZ_ARTIFACTS); \
	for f in $$(ls fuzz/regressions 2>/dev/null | grep -v -e '^README' -e '\.md$$' | sort); do \
	  t=$${f%%-*}; bin=$(FUZZ_BUILD)/bin/fuzz_$$t; \
	  if [ ! -x $$bin ]; then echo "fuzz: regression $$f: no target \"$$t\""; fail=$$((fail+1)); continue; fi; \
	  if $(FUZZ_ENV) $$bin -timeout=10 -artifact_prefix=$(FUZZ_ARTIFACTS)/regression-$$t- \
	       fuzz/regressions/$$f >$(FUZZ_BUILD)/regression.log 2>&1; then \
	    echo "fuzz: regression $$f: ok"; pass=$$((pass+1)); \
	  else \
	    echo "fuzz: regression $$f: FAILED"; fail=$$((fail+1)); \
	    grep -E 'ERROR:|runtime error|SUMMARY|^    #[0-9] ' $(FUZZ_BUILD)/regression.log | head -20; \
	  fi; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_WORK)/ci-$$t; \
	  $(call FUZZ_RUN,$$t,$(FUZZ_CI_SECONDS),-seed=1,ci-); \
	  rm -rf $(FUZZ_WORK)/ci-$$t; \
	  if [ $$rc -eq 0 ]; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	done; \
	echo "fuzz: took $$(( $$(date +%s) - start )) s"; \
	echo "fuzz: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

-include $(FUZZ_LIB_OBJ:.o=.d)
