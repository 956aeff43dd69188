# mk/datasette.mk — Datasette on a harness database with the canned queries
# of docs/datasette/metadata.json (= docs/queries.sql): its end-to-end test,
# run by `make test` (and `make asan`, which builds into another BUILD).
# The test installs the pinned Datasette into .venv when it is missing and
# builds its database with bench/scale (mk/bench.mk) --generate-only.

.PHONY: e2e-datasette

e2e-datasette: $(BUILD)/bench/scale
	@HX_SCALE=$(CURDIR)/$(BUILD)/bench/scale bash tests/e2e/datasette.sh

test: e2e-datasette
