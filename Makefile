# parindex — one non-recursive GNU makefile.
#   make            build ./parindex
#   make check      install missing test packages, then warnings as errors, ASan + UBSan, unit
#                   and CLI tests
#   make demo       install missing Debian packages to build and run, build, run the pipeline on
#                   the demo district and the demo province (DEMO=district or DEMO=province: one)
#   make install    PREFIX=/usr/local DESTDIR=
# DEVELOPER=1 adds -Werror; SANITIZE=address,undefined builds with sanitizers.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/parindex
LIBDIR ?= $(PREFIX)/lib/parindex
# the shared object of reports/pngfast.c (see below) and the pkg-config name it needs
PNGFAST := parindex-pngfast.so
PNGFAST_PKGS := libpng
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0
# Build folder: plain builds in $(BUILD)/, sanitizer builds in $(BUILD)/san/. Give each
# working copy of a build its own BUILD to run several at once.
BUILD ?= build

PKGS := libxml-2.0 libzip sqlite3 nettle xlsxwriter libdeflate expat libmicrohttpd libcrypto \
	libqrencode
# -iquote core: project headers are included with quotes, so core/spawn.h cannot hide <spawn.h>
PROJECT_CFLAGS := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wno-unused-parameter -MMD -MP -iquote core -I$(BUILD)/gen -DPARINDEX_VERSION='"$(VERSION)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcsv -lunistring -lreadstat -lm -lpthread
ifeq ($(DEVELOPER),1)
PROJECT_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
PROJECT_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

B := $(BUILD)$(if $(SANITIZE),/san)
G := $(BUILD)/gen
STAGES := core forms capture tally reports
# reports/pngfast.c is not part of parindex: it is the shared object below
LIB_SRC := $(filter-out reports/pngfast.c,$(foreach d,$(STAGES),$(wildcard $(d)/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(G)/embedded$(if $(SANITIZE),-san).o
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)

MIGRATIONS := $(sort $(wildcard schemas/migrations/*.sql))
DEFAULT_DEFINITION := schemas/definitions/hai-duong-2021.xml
EMBEDDED := schemas/definition.rng $(DEFAULT_DEFINITION) capture/office.css $(MIGRATIONS)

.PHONY: all check test unit cli demo deps bench fuzz install uninstall clean
all: parindex

parindex: $(B)/parindex $(B)/$(PNGFAST)
	$(if $(SANITIZE),,cp $< $@ && cp $(B)/$(PNGFAST) $(PNGFAST))

# gnuplot's PNG encoding made faster (reports/pngfast.c): a shared object that the report puts
# in LD_PRELOAD for its gnuplot children, found beside the running binary, else (a binary
# running from $(BINDIR)) in $(LIBDIR). Always plain flags, whatever SANITIZE says: gnuplot is
# not built with the sanitizers. libpng is for it alone, so not in PKGS (parindex does not link
# it).
$(B)/$(PNGFAST): reports/pngfast.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes $(if $(filter 1,$(DEVELOPER)),-Werror) \
		$(filter-out -fsanitize=%,$(CFLAGS)) -fPIC -shared \
		$(shell $(PKG_CONFIG) --cflags $(PNGFAST_PKGS) 2>/dev/null) -o $@ $< \
		$(filter-out -fsanitize=%,$(LDFLAGS)) $(shell $(PKG_CONFIG) --libs $(PNGFAST_PKGS) 2>/dev/null)
# the folders compiled into charts.c: give make the PREFIX (BINDIR, LIBDIR) that make install
# will be given
$(B)/reports/charts.o: PROJECT_CFLAGS += -DPARINDEX_BINDIR='"$(BINDIR)"' -DPARINDEX_LIBDIR='"$(LIBDIR)"'

$(B)/parindex: $(B)/parindex.o $(B)/libparindex.a | $(B)/$(PNGFAST)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/libparindex.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -c -o $@ $<

$(G)/embedded.c: core/embed.sh $(EMBEDDED)
	@mkdir -p $(dir $@)
	sh core/embed.sh $(EMBEDDED) > $@.tmp && mv $@.tmp $@

$(G)/embedded$(if $(SANITIZE),-san).o: $(G)/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(PROJECT_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB_OBJ) $(B)/parindex.o $(UNIT_OBJ): $(G)/embedded.c

$(B)/unit: $(UNIT_OBJ) $(B)/libparindex.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The batch generator of tests, demo and bench (see tests/gen/gen-batch.c).
$(B)/gen-batch: $(B)/tests/gen/gen-batch.o $(B)/libparindex.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/tests/gen/gen-batch.o: $(G)/embedded.c

# The load generator of bench-serve and the server's crash and backup tests
# (tests/bench/serve-load.c): libcurl is for it alone, so it is not in PKGS (the binary does
# not link it) and its Debian package is a test one.
LOAD_PKGS := libcurl libzip
$(B)/serve-load: $(B)/tests/bench/serve-load.o $(B)/libparindex.a
	$(CC) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs $(LOAD_PKGS) 2>/dev/null) $(LIBS)
$(B)/tests/bench/serve-load.o: CFLAGS += $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)
$(B)/tests/bench/serve-load.o: $(G)/embedded.c

# The server's submission path without HTTP, for tests and measuring (tests/gen/serve-submit.c).
$(B)/serve-submit: $(B)/tests/gen/serve-submit.o $(B)/libparindex.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/tests/gen/serve-submit.o: $(G)/embedded.c

# What a chart PNG holds and how it was encoded, for the chart tests (tests/gen/pngpixels.c):
# libpng and zlib are for it alone, so not in PKGS.
$(B)/pngpixels: $(B)/tests/gen/pngpixels.o
	$(CC) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs $(PNGFAST_PKGS) zlib nettle 2>/dev/null)
$(B)/tests/gen/pngpixels.o: CFLAGS += $(shell $(PKG_CONFIG) --cflags $(PNGFAST_PKGS) 2>/dev/null)

# Capture speed and memory against the shared yardsticks (see tests/gen/bench.sh); BENCH_N,
# BENCH_BIG (0 skips the million) and BENCH_RUNS tune it.
bench: parindex $(B)/gen-batch
	BUILD=$(BUILD) GEN_BATCH=$(B)/gen-batch sh tests/gen/bench.sh

# Tally speed: a database of 10,000 communes x 65 submissions generated, then 'parindex
# tally' timed (tally/bench.sh; BENCH_COMMUNES tunes it).
.PHONY: bench-tally
bench: bench-tally
bench-tally: parindex
	PARINDEX=./parindex sh tally/bench.sh

# The report at a province's (168 units) and the country's (3,321) scale, timed with peak RSS
# (tests/bench/report-bench.sh; BENCH_REPORT_NATIONAL=0 skips the national run).
.PHONY: bench-report
bench: bench-report
bench-report: parindex $(B)/gen-batch
	PARINDEX=./parindex GEN_BATCH=$(B)/gen-batch sh tests/bench/report-bench.sh

# parindex serve under load: 30,000 submissions from 32 clients of tests/bench/serve-load.c,
# the server's peak RSS, the database against the 201s, and capture import of the same zip
# for the ratio (tests/bench/serve-bench.sh; BENCH_SERVE_N and BENCH_SERVE_CLIENTS tune it).
.PHONY: bench-serve
bench: bench-serve
bench-serve: parindex $(B)/gen-batch $(B)/serve-load
	BUILD=$(BUILD) PARINDEX=./parindex GEN_BATCH=$(B)/gen-batch SERVE_LOAD=$(B)/serve-load \
		sh tests/bench/serve-bench.sh

# Fuzzing every parser of outside input (fuzz/): the instance parser, the zip reader, the
# definition, the commune register, the scores sheet (CSV, XLSX), the XForm lint, and the
# escaping of every output data reaches (escape: gnuplot, CSV, terminal, chart names). `make
# fuzz [FUZZ_SECONDS=N]` builds libFuzzer targets with clang and runs each; crashers land in
# fuzz/regressions/TARGET/. `make check` replays fuzz/corpus and fuzz/regressions through the
# same entry points.
FUZZ_TARGETS := instance zipin definition communes scores_csv scores_xlsx lint escape central
FUZZ_SECONDS ?= 60
# the zip reader from a file (a memfd, through its pread windows) beside zipin from memory
FUZZ_TARGETS += zipin_file
# serve: raw HTTP requests into the daemon; its parsers (Host, --public-url, --listen, Digest)
FUZZ_TARGETS += serve_http serve_parse
# encrypted submissions: the manifest, the key and the .enc (capture/encrypted.c)
FUZZ_TARGETS += manifest
# the merged-units mapping of init --merges (core/merge.c)
FUZZ_TARGETS += merges
# the lint's XPath parser (forms/xpath.c)
FUZZ_TARGETS += xpath
$(B)/fuzz/replay-%: $(B)/fuzz/fuzz_%.o $(B)/fuzz/replay.o $(B)/libparindex.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/fuzz/libfuzzer-%: $(B)/fuzz/fuzz_%.o $(B)/libparindex.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)
$(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%.o) $(B)/fuzz/replay.o: $(G)/embedded.c
fuzz:
	$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/fuzz CFLAGS='-O1 -g' \
		SANITIZE=fuzzer-no-link,address,undefined $(FUZZ_TARGETS:%=$(BUILD)/fuzz/san/fuzz/libfuzzer-%)
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t fuzz/regressions/$$t && \
		$(BUILD)/fuzz/san/fuzz/libfuzzer-$$t -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=fuzz/regressions/$$t/ $(BUILD)/fuzz/corpus-$$t fuzz/corpus/$$t \
			|| exit 1; \
	done

# Tests: everything under ASan + UBSan with warnings as errors. CHECK_SANITIZE= (empty) runs
# the same tests on a plain build; PARINDEX_WRAP=tests/valgrind runs the binary under valgrind.
CHECK_SANITIZE ?= address,undefined
CHECK_B := $(BUILD)$(if $(CHECK_SANITIZE),/san)
CHECK_FLAGS := SANITIZE=$(CHECK_SANITIZE) DEVELOPER=1 CFLAGS='-O1 -g'
# how many test scripts run at once (tests/run), and files compiled at once when make was not
# given -j
TEST_JOBS ?= 2
check test: deps
	$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(TEST_JOBS)) \
		$(CHECK_FLAGS) $(CHECK_B)/parindex $(CHECK_B)/unit \
		$(CHECK_B)/gen-batch $(CHECK_B)/serve-submit $(CHECK_B)/serve-load $(CHECK_B)/pngpixels \
		$(FUZZ_TARGETS:%=$(CHECK_B)/fuzz/replay-%)
	BUILD=$(BUILD) TEST_JOBS=$(TEST_JOBS) PARINDEX=$(CURDIR)/$(or $(PARINDEX_WRAP),$(CHECK_B)/parindex) \
		PARINDEX_REAL=$(CURDIR)/$(CHECK_B)/parindex UNIT=$(CURDIR)/$(CHECK_B)/unit \
		GEN_BATCH=$(CURDIR)/$(CHECK_B)/gen-batch SERVE_SUBMIT=$(CURDIR)/$(CHECK_B)/serve-submit \
		FUZZ_REPLAY=$(CURDIR)/$(CHECK_B)/fuzz SERVE_LOAD=$(CURDIR)/$(CHECK_B)/serve-load \
		PNGPIXELS=$(CURDIR)/$(CHECK_B)/pngpixels \
		tests/run $(if $(UPDATE_GOLDEN),--update-golden) $(TESTS)

unit:
	$(MAKE) --no-print-directory $(CHECK_FLAGS) $(CHECK_B)/unit
	TOP=$(CURDIR) $(CHECK_B)/unit

# The Debian packages parindex needs. To build and run (make demo, make deps-run): compiler,
# libraries, gnuplot and the charts' font. To test (make check, make deps-test), on top: the
# sqlite3 and xmllint tools, zip, man, Python with lxml, Node.js, Chromium, clang (the CI's
# second compiler and the fuzzers) and valgrind, and the browser test's playwright-core, pinned
# by its lock file (it drives Debian's chromium). Each target installs what is missing when run
# as root, otherwise prints the apt-get line and fails.
RUN_PACKAGES := build-essential pkg-config libxml2-dev libzip-dev libsqlite3-dev nettle-dev \
	libcsv-dev libunistring-dev libxlsxwriter-dev libdeflate-dev libexpat1-dev libreadstat-dev \
	gnuplot-nox fonts-dejavu-core libmicrohttpd-dev libssl-dev libqrencode-dev libpng-dev
TEST_PACKAGES := sqlite3 libxml2-utils zip unzip man-db python3-lxml nodejs chromium clang \
	libclang-rt-14-dev valgrind pspp python3-pandas curl openssl libcurl4-openssl-dev \
	python3-cryptography zbar-tools librsvg2-bin poppler-utils
.PHONY: deps-run deps-test
deps: deps-run deps-test
deps-run:
	@sh tests/deps.sh "build and run" $(RUN_PACKAGES)
deps-test:
	@sh tests/deps.sh "test" $(TEST_PACKAGES)
	@test -d tests/browser/node_modules/playwright-core -a -d tests/browser/node_modules/axe-core || \
		(cd tests/browser && npm ci --no-audit --no-fund)

# The demos (demo/run.sh): Cẩm Giàng district into demo/out/, Hải Phòng province (114 units,
# two rankings) into demo/hai-phong/out/; DEMO= names one of them.
DEMO ?= district province
demo: deps-run
	$(MAKE) --no-print-directory parindex $(B)/gen-batch
	for d in $(DEMO); do GEN_BATCH=$(B)/gen-batch sh demo/run.sh $$d || exit 1; done

install: parindex
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/definitions $(DESTDIR)$(MANDIR)/man1
	install -m 755 parindex $(DESTDIR)$(BINDIR)/parindex
	install -d $(DESTDIR)$(LIBDIR)
	install -m 644 $(PNGFAST) $(DESTDIR)$(LIBDIR)/$(PNGFAST)
	install -m 644 schemas/definitions/*.xml $(DESTDIR)$(DATADIR)/definitions
	install -m 644 schemas/definition.rng $(DESTDIR)$(DATADIR)/definition.rng
	install -m 644 parindex.1 $(DESTDIR)$(MANDIR)/man1/parindex.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/parindex $(DESTDIR)$(MANDIR)/man1/parindex.1
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBDIR)

clean:
	rm -rf $(BUILD) parindex $(PNGFAST) demo/out demo/hai-phong/out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
