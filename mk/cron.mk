# mk/cron.mk — the nightly cron packaging (cron/nightly.sh, crontab, systemd
# units): its end-to-end tests, run by `make test` (and `make asan`, which
# builds into another BIN). Included by the Makefile's mk/*.mk.

.PHONY: e2e-cron

e2e-cron: $(BIN)/harness $(BIN)/simlm
	@HX_BIN=$(CURDIR)/$(BIN)/harness HX_SIMLM=$(CURDIR)/$(BIN)/simlm HX_SHARED=$(CURDIR)/../shared bash tests/e2e/cron.sh

test: e2e-cron
