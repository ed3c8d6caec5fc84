# SPDX-License-Identifier: MIT
# vox: plain GNU make. `make check` on a fresh Debian 12 machine (as root)
# installs what is missing, builds and runs every test. See README.md.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
CLANG   ?= clang
OPT     ?= -O2 -g
FUZZ_TIME ?= 30
# make V=1 shows every command
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
HASH := \#
# The version lives in include/vox/base.h (VOX_VERSION_MAJOR, _MINOR, _PATCH).
VERSION := $(shell sed -nE 's/^$(HASH)define VOX_VERSION_(MAJOR|MINOR|PATCH) +([0-9]+)$$/\2/p' \
	include/vox/base.h | paste -sd.)
ifneq ($(words $(subst ., ,$(VERSION))),3)
$(error cannot read the version from include/vox/base.h (got "$(VERSION)"))
endif
VERSION_MAJOR := $(firstword $(subst ., ,$(VERSION)))

# Debian packages each goal needs. `make deps` installs the missing ones.
PKGS_BUILD := make gcc clang libc6-dev pkg-config libmbedtls-dev libsrtp2-dev libc-ares-dev
PKGS_SIZE  := $(PKGS_BUILD) gcc-arm-none-eabi libnewlib-arm-none-eabi
# ca-certificates: the system trust store a TLS client uses by default
# (VOX_TLS_SYSTEM_CA), which test_tls loads; openssl: tests/cli_tls.sh and
# tests/cli_tls_bye.sh make their certificate files with it
PKGS_CHECK := $(PKGS_SIZE) libcmocka-dev clang-format libclang-rt-14-dev g++ ca-certificates openssl
PKGS_BENCH := $(PKGS_BUILD) libosip2-dev libsofia-sip-ua-dev

MODULES   := core sip sdp rtp srtp_glue zrtp media ua transport
LIB_SRC   := $(sort $(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
APP_SRC   := $(sort $(wildcard app/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TSUP_SRC  := $(filter-out $(TEST_SRC),$(sort $(wildcard tests/*.c tests/sim/*.c)))
SIM_SRC   := $(sort $(wildcard tests/sim/*.c))
FUZZ_SRC  := $(sort $(wildcard fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
CLI_TESTS := $(sort $(wildcard tests/cli_*.sh))
PUB_H     := $(sort $(wildcard include/vox/*.h))

# Warnings that catch real bugs in parsers. -Wconversion (which in C also
# turns on -Wsign-conversion) makes every narrowing visible.
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wconversion -Wformat=2 -Wvla \
	-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual \
	-Wundef -Wwrite-strings -Wimplicit-fallthrough
# cmocka's assertion macros convert between integer types on purpose.
TEST_WARN := $(filter-out -Wconversion -Wmissing-prototypes,$(WARN)) -Wno-conversion
INC  := -Iinclude -I.
# What config.h makes of $(2) under the config file $(1) (empty: its defaults).
config_value = $(shell printf '$(HASH)include "vox/config.h"\n%s\n' $(2) | \
	$(CC) $(INC) $(if $(1),-DVOX_CONFIG_FILE='"$(1)"') -E -P -x c - 2>/dev/null | tail -n 1)
# libsrtp2 is linked only where the configuration has VOX_WITH_SRTP; c-ares
# (transport/dns.c) always.
libs_for = $(if $(filter 0,$(call config_value,$(1),VOX_WITH_SRTP)),,-lsrtp2) \
	-lmbedtls -lmbedx509 -lmbedcrypto -lcares
LIBS := $(call libs_for,)
SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
LIB_OBJ   := $(call obj,rel,$(LIB_SRC))
APP_OBJ   := $(call obj,rel,$(APP_SRC))
ALIB_OBJ  := $(call obj,asan,$(LIB_SRC))
TSUP_OBJ  := $(call obj,asan,$(TSUP_SRC))
FLIB_OBJ  := $(call obj,fuzz,$(LIB_SRC))
TESTS     := $(patsubst tests/%.c,$(BUILD)/asan/bin/%,$(TEST_SRC))
FUZZERS   := $(patsubst fuzz/%.c,$(BUILD)/fuzz/bin/%,$(FUZZ_SRC))
REPLAYS   := $(patsubst fuzz/%.c,$(BUILD)/asan/bin/replay_%,$(FUZZ_SRC))
BENCHES   := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all demo check test test-minimal ct replay cli docs-commands lint configs symbols cxx size \
	size-check deps deps-check deps-size deps-bench fuzz fuzz-smoke bench bench-load install uninstall clean \
	interop
.DEFAULT_GOAL := all
.SECONDARY:
FORCE:

all: deps $(BUILD)/vox $(BUILD)/libvox.a $(BUILD)/libvox.so

# A secure call on this machine, end to end (vox demo): the first command of
# README.md. It installs what the build needs (as root), builds build/vox,
# and runs the call: TLS with both certificates verified, SRTP, a tone each
# way, each side's tone detector hearing the other's.
demo: $(BUILD)/vox | deps
	@$(BUILD)/vox demo

# Interop with real peers from Debian (sipp, sipsak, baresip, linphonec,
# kamailio, openssl) on loopback: tests/interop/README.md. Installs what is
# missing (as root), builds build/vox, runs every scenario, each bounded.
interop: $(BUILD)/vox | deps
	@tests/interop/install.sh
	@tests/interop/run_all.sh

# ---- dependencies from Debian ---------------------------------------------
define install_pkgs
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
			|| missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "deps: installing$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "deps: missing packages; run as root:"; \
			echo "  apt-get install -y --no-install-recommends$$missing"; exit 1; \
		fi; \
	fi
endef
deps:
	$(call install_pkgs,$(PKGS_BUILD))
deps-check:
	$(call install_pkgs,$(PKGS_CHECK))
deps-size:
	$(call install_pkgs,$(PKGS_SIZE))
deps-bench:
	$(call install_pkgs,$(PKGS_BENCH))

# ---- release build ----------------------------------------------------------
# One section per function and object, so that a program linked with
# --gc-sections keeps only the parts of libvox.a it calls.
$(BUILD)/rel/%.o: %.c | deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(INC) $(WARN) $(OPT) -fPIC -ffunction-sections -fdata-sections -MMD -MP -c $< -o $@

# The public API is what include/vox/*.h declare: gcc -aux-info lists every
# declaration a file sees with the header it comes from; the functions of
# include/vox/ (not its static inline helpers) are the exports, one a line.
# $(1): the list to write; $(2): extra flags (a config file).
exports_of = printf '$(HASH)include "%s"\n' $(PUB_H:include/%=%) | \
	gcc $(INC) $(2) -x c -fsyntax-only -aux-info $(1).aux - && \
	sed -nE 's|^/\* include/vox/[^ :]+:[0-9]+:N[CF] \*/ extern .*[ *]([a-z_0-9]+) \(.*|\1|p' \
	$(1).aux | sort -u > $(1) && rm -f $(1).aux && test -s $(1)

$(BUILD)/rel/exports.txt: $(PUB_H) | deps
	@mkdir -p $(@D)
	$(Q)$(call exports_of,$@,)

# Everything else stays inside the library: the shared object exports only
# the API (a version script), and libvox.a is one object linked from all of
# them (ld -r) in which objcopy makes every other symbol local, so that no
# internal name (ua_call, sip_quoted, ...) can clash with a program's own.
# A program linked statically with --gc-sections keeps what it calls (a
# program that calls only vox_version needs no other library); without
# it, it gets all of libvox and needs every library of Libs.private.
$(BUILD)/rel/libvox.map: $(BUILD)/rel/exports.txt
	$(Q){ echo '{ global:'; sed 's/$$/;/' $<; echo 'local: *; };'; } > $@

$(BUILD)/libvox.a: $(LIB_OBJ) $(BUILD)/rel/exports.txt
	@rm -f $@ $(BUILD)/rel/libvox.o
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(CC) -r -nostdlib -o $(BUILD)/rel/libvox.o $(LIB_OBJ)
	$(Q)objcopy --keep-global-symbols=$(BUILD)/rel/exports.txt $(BUILD)/rel/libvox.o
	$(Q)ar rcs $@ $(BUILD)/rel/libvox.o

$(BUILD)/libvox.so: $(LIB_OBJ) $(BUILD)/rel/libvox.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,libvox.so.$(VERSION_MAJOR) -Wl,--version-script=$(BUILD)/rel/libvox.map \
		-o $@ $(LIB_OBJ) $(LIBS)

$(BUILD)/vox: $(APP_OBJ) $(BUILD)/libvox.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(OPT) -Wl,--gc-sections -o $@ $(APP_OBJ) $(BUILD)/libvox.a $(LIBS)

# ---- tests under ASan + UBSan -----------------------------------------------
$(BUILD)/asan/%.o: %.c | deps-check
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC asan $<")
	$(Q)$(CC) $(INC) $(if $(filter tests/%,$<),$(TEST_WARN),$(WARN)) -O1 -g $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/asan/bin/test_%: $(BUILD)/asan/tests/test_%.o $(TSUP_OBJ) $(ALIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SAN) -o $@ $^ -lcmocka $(LIBS)

$(BUILD)/asan/bin/replay_%: $(BUILD)/asan/fuzz/%.o $(BUILD)/asan/fuzz/replay_main.o $(ALIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SAN) -o $@ $^ $(LIBS)

$(BUILD)/asan/vox: $(call obj,asan,$(APP_SRC)) $(ALIB_OBJ)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# ---- the unit tests again, under the minimal profile --------------------------
# Its limits and switches (configs/minimal.h) change struct layouts and code
# paths, so the library and the tests are built again for it, in their own
# folder, under ASan + UBSan. A test that needs more than this profile has
# says so and is skipped (cmocka prints SKIPPED), never dropped.
MIN_CONFIG := configs/minimal.h
MIN_LIBS   := $(call libs_for,$(MIN_CONFIG))
MLIB_OBJ   := $(call obj,min,$(LIB_SRC))
MTSUP_OBJ  := $(call obj,min,$(TSUP_SRC))
MTESTS     := $(patsubst tests/%.c,$(BUILD)/min/bin/%,$(TEST_SRC))

# (-O0 -g1: half the compile time of -O1 -g, and the tests run as fast)
$(BUILD)/min/%.o: %.c | deps-check
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC min  $<")
	$(Q)$(CC) $(INC) -DVOX_CONFIG_FILE='"$(MIN_CONFIG)"' \
		$(if $(filter tests/%,$<),$(TEST_WARN),$(WARN)) -O0 -g1 $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/min/bin/test_%: $(BUILD)/min/tests/test_%.o $(MTSUP_OBJ) $(MLIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SAN) -o $@ $^ -lcmocka $(MIN_LIBS)

test-minimal: $(MTESTS) | deps-check
	@set -e; for t in $(MTESTS); do echo "== $$t ($(MIN_CONFIG))"; $$t; done

# ---- the library's interface ---------------------------------------------------
# libvox.so exports exactly the functions include/vox/*.h declare (all named
# vox_), and libvox.a defines no other global symbol.
symbols: $(BUILD)/libvox.so $(BUILD)/libvox.a $(BUILD)/rel/exports.txt
	@nm -D --defined-only $(BUILD)/libvox.so | awk '{print $$3}' | sort > $(BUILD)/rel/so.syms
	@nm -g --defined-only $(BUILD)/libvox.a | awk 'NF == 3 {print $$3}' | sort > $(BUILD)/rel/a.syms
	@if grep -v '^vox_' $(BUILD)/rel/so.syms; then \
		echo "symbols: libvox.so exports the names above, without the vox_ prefix"; exit 1; fi
	@for f in so a; do cmp -s $(BUILD)/rel/$$f.syms $(BUILD)/rel/exports.txt || { \
		echo "symbols: libvox.$$f and include/vox/*.h differ (< library, > headers):"; \
		diff $(BUILD)/rel/$$f.syms $(BUILD)/rel/exports.txt; exit 1; }; done
	@echo "symbols: libvox.so and libvox.a define the $$(wc -l < $(BUILD)/rel/exports.txt)" \
		"functions of include/vox/*.h and nothing else"

# Every public header from C++: tests/cxx_headers.cpp includes them all
# (checked here) and links against libvox.a.
$(BUILD)/cxx_headers: tests/cxx_headers.cpp $(PUB_H) $(BUILD)/libvox.a | deps-check
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) -std=c++11 -Wall -Wextra -Werror -pedantic $(INC) -o $@ $< $(BUILD)/libvox.a $(LIBS)

cxx: $(BUILD)/cxx_headers
	@for h in $(PUB_H:include/%=%); do grep -q "^#include \"$$h\"" tests/cxx_headers.cpp || { \
		echo "cxx: tests/cxx_headers.cpp does not include $$h"; exit 1; }; done
	@$(BUILD)/cxx_headers

# Both profiles are built by test-minimal (all of the library) and by
# size-check (the core), so `make configs` is not needed here. The size
# table in check has the Cortex-M4 columns only (they carry the budget);
# `make size` adds x86-64.
check: deps-check lint test test-minimal ct replay cli docs-commands symbols cxx size-check
	@tools/size.sh $(BUILD)/size "$(SIZE_CHECK_BUILDS)" $(SIZE_MODULES)
	@echo "make check: all passed"

test: $(TESTS) | deps-check
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

replay: $(REPLAYS) | deps-check
	@set -e; for r in $(REPLAYS); do n=$${r##*/replay_}; \
		echo "== replay $$n"; $$r fuzz/corpus/$$n; done

# Constant flow: the tests of core/ and sdp/ under clang's MemorySanitizer,
# at the release optimisation, where they mark keys as secret
# (vox_ct_secret): a branch or a table index on a key byte stops the run.
CT_TESTS := $(BUILD)/msan/bin/test_core $(BUILD)/msan/bin/test_sdp
$(BUILD)/msan/bin/test_%: tests/test_%.c tests/testutil.c $(wildcard core/*.c sdp/*.c) | deps-check
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD msan $@")
	$(Q)$(CLANG) $(INC) $(TEST_WARN) $(OPT) -fsanitize=memory -fno-omit-frame-pointer -o $@ \
		$< tests/testutil.c $(wildcard core/*.c sdp/*.c) -lcmocka

ct: $(CT_TESTS) | deps-check
	@set -e; for t in $(CT_TESTS); do echo "== $$t"; $$t; done

# Shell tests of the program (tests/cli_*.sh), against its ASan build.
cli: $(BUILD)/asan/vox | deps-check
	@set -e; for t in $(CLI_TESTS); do echo "== $$t"; VOX=$(BUILD)/asan/vox sh $$t; done

# The commands README.md and docs/ show, as a reader runs them after
# `make check`: so check builds what they use (build/vox, the tests).
docs-commands: $(BUILD)/vox $(TESTS) | deps-check
	@echo "== tests/docs_commands.sh"; BUILD=$(BUILD) sh tests/docs_commands.sh

lint: | deps-check
	@tests/lint.sh

# Every profile in configs/ compiles, all of the library (make check builds
# both profiles through test-minimal and size-check).
configs: | deps
	@set -e; for c in configs/*.h; do echo "== config $$c"; \
		for f in $(LIB_SRC); do $(CC) $(INC) $(WARN) -fsyntax-only \
			-DVOX_CONFIG_FILE="\"$$PWD/$$c\"" $$f; done; done

# ---- size: what the protocol core costs on a Cortex-M4 ---------------------------
# The protocol core (the folders below that exist; not transport/, which a
# port replaces, nor app/) built with -Os, one section per function and
# object, for a Cortex-M4 (arm-none-eabi-gcc, newlib) and for x86-64, in the
# full and the minimal profile.
#
# How it is counted: the objects of each build are linked together with
# --gc-sections (ld -r), the roots being every function include/vox/*.h
# declares in that profile, that is a program that uses the whole API. A
# module's size is the sum of its sections that survive: text is code plus
# read-only data (tables, strings), then data and bss. Code that no public
# function reaches is not counted (it would not reach a device's flash), a
# program that uses less of the API gets less. Not counted: libc, libgcc
# (e.g. 64-bit division helpers), mbedTLS and libsrtp2, whose cost depends
# on how a port builds them; nor the few hundred bytes the final link saves
# by merging identical strings across files.
#
# mbedTLS and libsrtp2 are headers only here: the cross build sees the
# host's /usr/include/mbedtls and /usr/include/srtp2 through two symlinks
# and nothing else of /usr/include, so no glibc header can slip into a
# Cortex-M4 object; they only declare what sip/digest_hash.c and srtp_glue/
# call. The budget: 96 KiB for the whole core on the Cortex-M4.
SIZE_MODULES := $(foreach m,core sip sdp rtp srtp_glue media zrtp ua,$(if $(wildcard $(m)/*.c),$(m)))
SIZE_SRC     := $(sort $(foreach m,$(SIZE_MODULES),$(wildcard $(m)/*.c)))
SIZE_OPT     := -Os -ffunction-sections -fdata-sections
ARM_CC       ?= arm-none-eabi-gcc
SIZE_ARM     := -mcpu=cortex-m4 -mthumb
# as firmware is built: position-dependent (Debian's gcc makes PIE by
# default, which moves pointer tables from read-only data to data), no
# unwind tables
SIZE_X64     := -fno-pie -fno-asynchronous-unwind-tables

$(BUILD)/size/inc: | deps-size
	@mkdir -p $@ && ln -sfn /usr/include/mbedtls $@/mbedtls && ln -sfn /usr/include/srtp2 $@/srtp2

$(BUILD)/size/exports-%.txt: $(PUB_H) configs/%.h | deps
	@mkdir -p $(@D)
	$(Q)$(call exports_of,$@,-DVOX_CONFIG_FILE='"configs/$*.h"')

# $(1) build, $(2) compiler, $(3) its flags, $(4) profile (configs/$(4).h).
# The link runs every time (it takes a moment), so that objs.txt always
# lists the sources of now, deleted files gone.
define size_build
$(BUILD)/size/$(1)/%.o: %.c | deps-size $(BUILD)/size/inc
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CC $(1) $$<")
	$$(Q)$(2) $$(INC) -I$$(BUILD)/size/inc -DVOX_CONFIG_FILE='"configs/$(4).h"' $$(WARN) $(3) \
		$$(SIZE_OPT) -MMD -MP -c $$< -o $$@

$(BUILD)/size/$(1)/gc.txt: $$(call obj,size/$(1),$$(SIZE_SRC)) $$(BUILD)/size/exports-$(4).txt FORCE
	$$(Q)$(2) $(3) -nostdlib -r -Wl,--gc-sections -Wl,--print-gc-sections -o $$(@D)/core.o \
		$$(addprefix -Wl$$(comma)-u$$(comma),$$(shell cat $$(BUILD)/size/exports-$(4).txt)) \
		$$(call obj,size/$(1),$$(SIZE_SRC)) 2> $$@.tmp || { cat $$@.tmp; exit 1; }
	$$(Q)printf '%s\n' $$(call obj,size/$(1),$$(SIZE_SRC)) > $$(@D)/objs.txt && mv $$@.tmp $$@
endef
comma := ,
$(eval $(call size_build,arm-full,$(ARM_CC),$(SIZE_ARM),full))
$(eval $(call size_build,arm-minimal,$(ARM_CC),$(SIZE_ARM),minimal))
$(eval $(call size_build,x64-full,$(CC),$(SIZE_X64),full))
$(eval $(call size_build,x64-minimal,$(CC),$(SIZE_X64),minimal))

SIZE_CHECK_BUILDS := arm-full arm-minimal
SIZE_BUILDS       := $(SIZE_CHECK_BUILDS) x64-full x64-minimal
size-check: $(foreach b,$(SIZE_CHECK_BUILDS),$(BUILD)/size/$(b)/gc.txt)

size: $(foreach b,$(SIZE_BUILDS),$(BUILD)/size/$(b)/gc.txt)
	@tools/size.sh $(BUILD)/size "$(SIZE_BUILDS)" $(SIZE_MODULES)

# ---- fuzzing (libFuzzer, clang) -----------------------------------------------
$(BUILD)/fuzz/%.o: %.c | deps-check
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC fuzz $<")
	$(Q)$(CLANG) $(INC) $(WARN) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/bin/%: $(BUILD)/fuzz/fuzz/%.o $(FLIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CLANG) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIBS)

fuzz: $(FUZZERS)

SMOKES := $(patsubst fuzz/%.c,smoke-%,$(FUZZ_SRC))
.PHONY: $(SMOKES)
fuzz-smoke: $(SMOKES)
	@echo "fuzz-smoke: $(words $(SMOKES)) targets, $(FUZZ_TIME) s each, no finding"
$(SMOKES): smoke-%: $(BUILD)/fuzz/bin/%
	@rm -rf $(BUILD)/fuzz/work/$* && mkdir -p $(BUILD)/fuzz/work/$*
	@$< -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/work/$*- \
		$(BUILD)/fuzz/work/$* fuzz/corpus/$* > $(BUILD)/fuzz/work/$*.log 2>&1 \
		|| { tail -n 60 $(BUILD)/fuzz/work/$*.log; echo "fuzz-smoke: $* FAILED"; exit 1; }
	@echo "fuzz-smoke $*: $$(grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/work/$*.log \
		| awk '{print $$2}') execs, $$(grep -E '#[0-9]+.*cov:' $(BUILD)/fuzz/work/$*.log | tail -n 1 \
		| sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*/\1/')"

# ---- benchmarks -------------------------------------------------------------------
$(BUILD)/bench/%: bench/%.c $(LIB_OBJ) $(SIM_SRC) | deps-bench
	@mkdir -p $(@D)
	$(CC) $(INC) -Itests $(filter-out -Wconversion,$(WARN)) -Wno-conversion -O2 -g \
		$$(pkg-config --cflags libosip2 sofia-sip-ua) -o $@ $< $(SIM_SRC) $(LIB_OBJ) \
		$$(pkg-config --libs libosip2 sofia-sip-ua) $(LIBS)

# bench_ua once more with everything built for 1,000 call slots: a
# per-message cost that grows with the slots shows as a lower rate
$(BUILD)/bench/bench_ua_1000: bench/bench_ua.c $(LIB_SRC) $(SIM_SRC) | deps-bench
	@mkdir -p $(@D)
	$(CC) $(INC) -Itests -DVOX_UA_MAX_CALLS=1000 $(filter-out -Wconversion,$(WARN)) -Wno-conversion \
		-O2 -g -o $@ $< $(SIM_SRC) $(LIB_SRC) $(LIBS)
BENCHES += $(BUILD)/bench/bench_ua_1000

bench: $(BENCHES)
	@set -e; for b in $(BENCHES); do echo "== $$b"; $$b; done
	@echo "== make bench-load (not run here): TLS handshakes of a vox listener and the"
	@echo "   sipp call rate vox answers, on loopback (docs/performance.md)"

# Load on real sockets (docs/performance.md): TLS handshakes per second of
# `vox ua --listen tls:` beside raw mbedTLS and openssl s_server, and the
# highest sipp call rate `vox ua --answer` takes with no failed call. Each
# bounded in count and time; sipp and openssl come from Debian.
$(BUILD)/bench/load_tls: bench/load_tls.c bench/bench.h | deps
	@mkdir -p $(@D)
	$(CC) $(INC) -Ibench $(WARN) -O2 -g -o $@ $< -lmbedtls -lmbedx509 -lmbedcrypto

# The vox program once more, everything built for LOAD_CALLS call slots:
# the default UA (VOX_UA_MAX_CALLS 8) answers a call beyond its eighth
# with 503, which at thousands of calls a second a burst reaches.
LOAD_CALLS ?= 1000
$(BUILD)/bench/vox_load: $(APP_SRC) $(LIB_SRC) $(wildcard app/*.h include/vox/*.h */*_int.h) | deps
	@mkdir -p $(@D)
	$(CC) $(INC) -DVOX_UA_MAX_CALLS=$(LOAD_CALLS) $(WARN) $(OPT) -o $@ $(APP_SRC) $(LIB_SRC) $(LIBS)

bench-load: $(BUILD)/vox $(BUILD)/bench/vox_load $(BUILD)/bench/load_tls
	@bench/tls_handshake.sh
	@VOX=$(BUILD)/bench/vox_load bench/load_calls.sh

# ---- install ---------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/vox \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(BUILD)/libvox.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libvox.so $(DESTDIR)$(PREFIX)/lib/libvox.so.$(VERSION)
	ln -sf libvox.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libvox.so.$(VERSION_MAJOR)
	ln -sf libvox.so.$(VERSION_MAJOR) $(DESTDIR)$(PREFIX)/lib/libvox.so
	install -m 644 include/vox/*.h $(DESTDIR)$(PREFIX)/include/vox/
	install -m 755 $(BUILD)/vox $(DESTDIR)$(PREFIX)/bin/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
		'Name: vox' 'Description: small auditable secure-voice stack' 'Version: $(VERSION)' \
		'Libs: -L$${libdir} -lvox' 'Libs.private: $(LIBS)' 'Cflags: -I$${includedir}' \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/vox.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libvox.a $(DESTDIR)$(PREFIX)/lib/libvox.so \
		$(DESTDIR)$(PREFIX)/lib/libvox.so.$(VERSION_MAJOR) $(DESTDIR)$(PREFIX)/lib/libvox.so.$(VERSION) \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/vox.pc $(DESTDIR)$(PREFIX)/bin/vox
	rm -rf $(DESTDIR)$(PREFIX)/include/vox

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
