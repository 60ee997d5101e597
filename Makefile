# Thin wrapper over Meson: `make`, `make test`, `make demo`, `make bench`, `make install`.
BUILD ?= build
MESON ?= meson
# make install / make uninstall (GNU conventions): where, and a staging root before it.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps test test-asan demo bench clean format install uninstall

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	@bash scripts/install-deps
	$(MESON) setup $(BUILD)

deps:
	bash scripts/install-deps

test: all
	$(MESON) test -C $(BUILD) --print-errorlogs $(TESTARGS)

test-asan:
	@bash scripts/install-deps
	[ -f $(BUILD)-asan/build.ninja ] || $(MESON) setup $(BUILD)-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD)-asan
	$(MESON) test -C $(BUILD)-asan --print-errorlogs $(TESTARGS)

demo: all
	bash scripts/demo

bench: all
	bash bench/run $(BENCHARGS)

# Builds with PREFIX, runs meson install into DESTDIR, then ldconfig when DESTDIR is empty.
install:
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" BUILD="$(BUILD)" MESON="$(MESON)" \
		bash scripts/install install

# Removes what make install put into DESTDIR + PREFIX (Meson's install log), then ldconfig.
uninstall:
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" BUILD="$(BUILD)" MESON="$(MESON)" \
		bash scripts/install uninstall

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-asan
