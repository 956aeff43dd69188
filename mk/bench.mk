# bench-scale: a year of nightly runs (365 nights x 10 agents x 1,000 cases,
# 3.65 M case rows) written through the store API, then every §5 view and
# every query of docs/queries.sql timed cold and warm (bench/scale.c; the
# numbers are in docs/readme-sql.md). Not part of `make test`: it writes a
# few GB and takes a while. BENCH_ARGS passes options, e.g.
#   make bench-scale BENCH_ARGS="--bench-only --plan"   (reuse the database)
#   make bench-scale BENCH_ARGS="--nights 30"           (a quick look)

BENCH_DB   ?= $(BUILD)/bench/scale.db
BENCH_ARGS ?=

.PHONY: bench-scale

$(BUILD)/bench/scale: bench/scale.c $(BIN)/libharness.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BIN)/libharness.a $(LIBS)

bench-scale: $(BUILD)/bench/scale
	$(BUILD)/bench/scale --db $(BENCH_DB) $(BENCH_ARGS)
