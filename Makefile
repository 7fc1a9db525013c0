# tenken — build, test, demo. See README.md.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
SAN     ?=

PKGS    := libxml-2.0 xlsxwriter sqlite3 minizip libdeflate icu-uc icu-i18n libcrypto zlib
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

.PHONY: all deps test unit demo bench install clean format check-clients
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

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(BUILD)/libtenken.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(BUILD)/libtenken.a $(SAN_LDFLAGS) $(LIBS) -lcmocka

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
