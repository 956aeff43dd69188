# mk/bench-promptfoo.mk — `make bench`: harness against promptfoo on the same
# scaled demo suite, the same simlm and the same concurrency (bench/promptfoo/;
# the results are in docs/readme-bench.md). Not part of `make test`: it
# installs Node 22 and promptfoo from npm into $(BENCH_NODE_DIR) on first use
# (not globally), and takes several minutes.
#
#   make bench                                  the whole benchmark
#   make bench BENCH_PF_ARGS="--sizes 1000 --no-latency --no-big"   a quick look
#   make bench BENCH_PF_ARGS="--no-promptfoo"   harness alone
#
# Included by the Makefile's mk/*.mk.

BENCH_NODE_DIR ?= $(BUILD)/bench/node
BENCH_PF_WORK  ?= $(BUILD)/bench/promptfoo
BENCH_PF_ARGS  ?=

.PHONY: bench

$(BUILD)/bench/promptfoo/gen: bench/promptfoo/gen.c $(BIN)/libharness.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BIN)/libharness.a $(LIBS)

# The bare client: the floor any client reaches on this machine and server.
$(BUILD)/bench/promptfoo/bare: bench/promptfoo/bare.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIBS)

bench: $(BIN)/harness $(BIN)/simlm $(BUILD)/bench/promptfoo/gen $(BUILD)/bench/promptfoo/bare
	@HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm \
	  HX_GEN=$(CURDIR)/$(BUILD)/bench/promptfoo/gen HX_BARE=$(CURDIR)/$(BUILD)/bench/promptfoo/bare \
	  BENCH_NODE_DIR=$(abspath $(BENCH_NODE_DIR)) \
	  BENCH_WORK=$(abspath $(BENCH_PF_WORK)) bash bench/promptfoo/run.sh $(BENCH_PF_ARGS)
