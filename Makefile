# Thin wrapper over Meson: `make`, `make test`, `make demo`, `make bench`.
BUILD ?= build
MESON ?= meson

.PHONY: all deps test test-asan demo bench clean format

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

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-asan
