# tenken — build, test, demo. See README.md.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
SAN     ?=

PKGS    := libxml-2.0 xlsxwriter sqlite3 minizip libdeflate icu-uc icu-i18n nettle zlib
WARN    := -Wall -Wextra -Wpedantic -Werror
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -DTK_DATADIR=\"$(PREFIX)/share/tenken\" $(WARN) $(CFLAGS) -Iinclude $(PKG_CFLAGS) -MMD -MP
ifeq ($(SAN),1)
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
endif

# pkg-config is queried only when compiling, so `make deps` works before it exists.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS       = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lm

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps test unit demo bench bench-scale install clean format check-clients fuzz fuzz-build
all: $(BUILD)/tenken

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The install prefix is compiled in (where templates/ and the schemas live):
# rebuild what uses it when PREFIX changes.
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
$(BUILD)/obj/xmlutil.o: $(BUILD)/prefix.stamp
.PHONY: FORCE
FORCE:

$(BUILD)/libtenken.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tenken: $(BUILD)/obj/main.o $(BUILD)/libtenken.a
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(BUILD)/libtenken.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(BUILD)/libtenken.a $(SAN_LDFLAGS) $(LIBS) -lcmocka

# The fuzzing harnesses are replayed over their corpus by make test (plain
# and sanitized, with the normal compiler): rebuild when they change.
FUZZ_SRC := $(wildcard tests/fuzz/*.c tests/fuzz/*.h)
$(BUILD)/tests/test_fuzz_replay: $(FUZZ_SRC)

# make fuzz: each harness under AFL++ for FUZZ_TIME seconds (README: a long
# campaign). Built with afl-clang-fast, ASan and UBSan into build/fuzz.
FUZZ_TIME    ?= 60
FUZZ_HARNESS ?= xlsx policy lists
fuzz:
	@sh tests/deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build BUILD=build/fuzz CC=afl-clang-fast SAN=1
	@sh tests/fuzz/run.sh build/fuzz/fuzz $(FUZZ_TIME) $(FUZZ_HARNESS)

fuzz-build: $(FUZZ_HARNESS:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libtenken.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DTK_FUZZ_DRIVER -Itests -fsanitize=fuzzer -o $@ $< $(BUILD)/libtenken.a $(SAN_LDFLAGS) $(LIBS)

# Installs what is missing (Debian 12, as root); does nothing when all is there.
deps:
	@sh tests/deps.sh

# Unit and functional suites, then the same again under ASan + UBSan.
test: deps
	@$(MAKE) --no-print-directory unit BUILD=build
	@$(MAKE) --no-print-directory unit BUILD=build/asan SAN=1

unit: $(BUILD)/tenken $(TEST_BIN)
	@TENKEN=$(BUILD)/tenken sh tests/run.sh $(TEST_BIN)

demo: deps all
	@sh tests/demo.sh $(BUILD)/tenken

bench: deps all
	@sh tests/bench.sh $(BUILD)/tenken

# A prefecture's cycle at 600 and 2,400 departments, with the reference tools
# (README). BENCH_SCALE_SIZES and BENCH_SCALE_SAMPLE change the sizes.
bench-scale: deps all
	@sh tests/deps.sh bench
	@sh tests/bench_scale.sh $(BUILD)/tenken

check-clients: deps
	@sh tests/deps.sh clients
	@$(MAKE) --no-print-directory all
	@sh tests/check-clients.sh $(BUILD)/tenken

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tenken
	install -m 755 $(BUILD)/tenken $(DESTDIR)$(PREFIX)/bin/tenken
	cp -R templates checklists $(DESTDIR)$(PREFIX)/share/tenken/

format:
	clang-format -i src/*.c include/tenken/*.h tests/*.c tests/*.h

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/main.d

# ---- Windows: tenken.exe cross-built with mingw-w64, tested under wine ----
# (windows/README.md). Nothing above needs any of this.
WIN_HOST   := x86_64-w64-mingw32
WIN        := build/windows
WIN_PREFIX := $(WIN)/prefix
WIN_CC     := $(WIN_HOST)-gcc-posix
VERSION    := $(shell sed -n 's/^\#define TENKEN_VERSION "\(.*\)"/\1/p' src/main.c)
WIN_ZIP    := dist/tenken-$(VERSION)-windows-x64.zip
# _POSIX: mingw-w64's POSIX names; mingw's own printf (the C library's knows no %zu),
# so -Wno-format (the Linux build checks the formats); templates beside tenken.exe.
WIN_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX -D_POSIX_THREAD_SAFE_FUNCTIONS -D__USE_MINGW_ANSI_STDIO=1 \
	-DU_STATIC_IMPLEMENTATION -DLIBXML_STATIC '-DTK_DATADIR=tk_win_exe_dir()' \
	$(WARN) -Wno-format -Wno-type-limits -O2 -Iinclude -Iwindows/include -include tenken_posix.h \
	-I$(WIN_PREFIX)/include -I$(WIN_PREFIX)/include/libxml2 -I$(WIN_PREFIX)/include/minizip -MMD -MP
WIN_LIBS   := -L$(WIN_PREFIX)/lib -lxml2 -lxlsxwriter -lsqlite3 -lminizip -ldeflate -lhpdf \
	-lsicuuc -lsicudt -lz -lbcrypt -lws2_32 -static -static-libgcc -static-libstdc++ -lstdc++ -lm \
	-Wl,--wrap=main
WIN_SRC    := $(filter-out src/platform_posix.c,$(LIB_SRC)) $(wildcard src/win/*.c)
WIN_OBJ    := $(patsubst src/%.c,$(WIN)/obj-tenken/%.o,$(WIN_SRC))
WIN_TESTS  := $(TEST_SRC:tests/%.c=$(WIN)/tests/%.exe)
WIN_DEPS   := $(WIN)/libs.stamp

.PHONY: windows windows-deps windows-libs test-windows
windows-deps:
	@sh tests/deps.sh windows
# The libraries, built once into build/windows/prefix (each rebuilt only when its version changes).
$(WIN_DEPS): windows/build-libs.sh
	@sh tests/deps.sh windows
	@sh windows/build-libs.sh
	@touch $@
windows-libs: $(WIN_DEPS)

$(WIN)/obj-tenken/%.o: src/%.c $(WIN_DEPS) windows/include/tenken_posix.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -c $< -o $@
$(WIN)/libtenken.a: $(WIN_OBJ)
	@rm -f $@
	$(WIN_HOST)-ar rcs $@ $^
$(WIN)/tenken.res.o: windows/tenken.rc windows/tenken.manifest
	@mkdir -p $(dir $@)
	$(WIN_HOST)-windres -I windows windows/tenken.rc -O coff -o $@
$(WIN)/tenken.exe: $(WIN)/obj-tenken/main.o $(WIN)/libtenken.a $(WIN)/tenken.res.o
	$(WIN_CC) -o $@ $^ $(WIN_LIBS)
	$(WIN_HOST)-strip $@
$(WIN)/tests/%.exe: tests/%.c $(wildcard tests/*.h) $(WIN)/libtenken.a $(WIN)/tenken.res.o
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -Itests -o $@ $< $(WIN)/libtenken.a $(WIN)/tenken.res.o -lcmocka $(WIN_LIBS)

windows: $(WIN_ZIP)
$(WIN_ZIP): $(WIN)/tenken.exe windows/package.sh windows/はじめに.txt $(wildcard templates/* checklists/*/* checklists/*.rng)
	@sh windows/package.sh $(WIN)/tenken.exe $(VERSION) $@

test-windows: windows $(WIN_TESTS) all
	@sh windows/test.sh $(WIN) $(BUILD)/tenken $(WIN_TESTS)

-include $(WIN_OBJ:.o=.d)
