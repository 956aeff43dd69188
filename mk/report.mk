# mk/report.mk — `harness report`: the browser end-to-end test of the HTML
# report (tests/e2e/browser.sh), run by `make test` (and `make asan`, which
# builds into another BIN). It installs Debian's chromium on first use —
# only this test needs it — and saves a screenshot to reports/report.png.
# Included by the Makefile's mk/*.mk. The report's unit tests
# (tests/check_report.c) run with the other Check programs in `make unit`.

.PHONY: e2e-browser

e2e-browser: $(BIN)/harness $(BIN)/simlm
	@HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm bash tests/e2e/browser.sh

test: e2e-browser
