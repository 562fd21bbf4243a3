# Hearth - build, demo, tests, install.
#
#   make            build ./hearth and ./hearth-media
#   make demo       build, then make a library from content/ and build its site
#   make check      every test, under AddressSanitizer and UBSan
#   make bench      media speed and memory against ffmpeg, builds with nothing
#                   or one story changed against a clean build, a 10k-story
#                   text library against Hugo, hearth serve against
#                   nginx, and what a search downloads against Pagefind, in
#                   one run (bench-build, bench-text, bench-serve,
#                   bench-search: one of them alone), ending with one table of every
#                   target and whether it holds
#   make fuzz       run the fuzz targets for a few minutes
#   make install PREFIX=/usr/local
#   make clean

PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/hearth
CC      ?= cc

PKGS := libavformat libavcodec libavutil libavfilter libswresample libswscale \
        libxml-2.0 libxslt libmagic sqlite3 libcmark yaml-0.1 libebur128 \
        nettle uuid icu-uc icu-i18n libmicrohttpd libsodium libqrencode

# The set-up script runs before anything that needs the packages; it
# installs what is missing (as root) or prints the command and stops.
SETUP := $(shell tools/setup-deps.sh build >&2 && echo ok)
ifneq ($(SETUP),ok)
$(error missing packages: run the command printed above, then make again)
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libcurl)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lm -lpthread
# libcurl (hearth notify, feeds/notify.c; hearth deploy, deploy/) is linked
# into hearth-media and the tests only: the lean hearth never loads it
CURL_LIBS  := $(shell pkg-config --libs libcurl)

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -Wwrite-strings -Wshadow \
        -Wno-format-truncation
# hearth-media goes to LIBEXECDIR; from there, as from bin/, the theme is
# found at ../share/hearth (site-gen/theme.c), whatever the prefix
LIBEXECDIR ?= $(PREFIX)/libexec
DEFS := -D_POSIX_C_SOURCE=200809L -DHEARTH_DATADIR='"$(DATADIR)"' \
        -DHEARTH_LIBEXECDIR='"$(LIBEXECDIR)"'
OPT  ?= -O2 -g

LIB_DIRS := core library media feeds site-gen pipeline serve deploy
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRC  := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

# Two programs from the same sources. hearth-media is the whole of Hearth.
# hearth is the text commands alone: their cli files, main.c compiled with
# HEARTH_LEAN (a media command's row runs hearth-media instead), linked
# from an archive of every library object with --as-needed, so only what
# the text commands reach is linked and FFmpeg's libraries are not loaded.
# MEDIA_CMDS are the cli files that need media/, site-gen/ or serve/.
# LEAN_TWICE are compiled again with HEARTH_LEAN, as main.c is: their lean
# side decides a command with nothing to do (a build, an import) and runs
# hearth-media otherwise.
MEDIA_CMDS := build deploy erase gc import notify serve submit
LEAN_TWICE := main build import
LEAN_CLI   := $(filter-out cli/main.c $(patsubst %,cli/%.c,$(MEDIA_CMDS)),$(CLI_SRC))
LEAN_OBJ    = $(patsubst %,$(1)/lean/cli/%.o,$(LEAN_TWICE))
AS_NEEDED  := -Wl,--as-needed
# The lean hearth is linked statically, with the few libraries it reaches
# (LEAN_STATIC= for a dynamic link with every library, as before): a text
# command is mostly start-up, and the dynamic loader mapping and relocating
# eight libraries was a third of `hearth list`. A static program cannot use
# the C library's loader safely: its calls go to cli/main.c's stand-ins
# (nothing the lean commands run loads a module). The sanitizer builds
# stay dynamic.
LEAN_STATIC ?= -static
LEAN_WRAP  := -Wl,--wrap=dlopen,--wrap=dlsym,--wrap=dlclose,--wrap=dlerror
LEAN_LIBS  := $(if $(LEAN_STATIC),$(LEAN_WRAP) -lsqlite3 -lyaml -lnettle -luuid -lsodium \
              -lm -lpthread,$(LEAN_WRAP) $(PKG_LIBS))
# A third program, hearth-site, builds a site that needs no rendition (text
# stories, no show's cover) without FFmpeg: the lean objects, with
# SITE_TWICE compiled again with HEARTH_SITE (the whole build; a media
# step that only says there is no media), linked the same way. The lean
# hearth runs it for a build it cannot decide; it runs hearth-media for a
# build that needs media.
SITE_TWICE := cli/build.c pipeline/renditions.c
# hearth-site takes the libraries Debian ships as archives as the lean
# hearth does, and the rest (libxslt, libxml2 and what they load, which
# come only as shared libraries) dynamically: six fewer libraries to map
# and relocate took about 2 ms off each start (SITE_STATIC= links all
# dynamically).
SITE_STATIC ?= -Wl,-Bstatic -lsqlite3 -lcmark -lyaml -lnettle -luuid -lsodium -Wl,-Bdynamic
SITE_OBJ    = $(patsubst %.c,$(1)/site/%.o,$(SITE_TWICE)) \
              $(patsubst %,$(1)/lean/cli/%.o,$(filter-out build,$(LEAN_TWICE)))

REL  := build/rel
ASAN := build/asan
SAN  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The sanitizer programs carry their runtimes (-static-lib*): at each exit
# the leak check scans every writable segment of every library loaded,
# and the shared libubsan's 6 MB of zeroes was half of what it touched
# (`hearth --help` 63 -> 41 ms; the suite starts thousands of programs).
SAN_LD := $(SAN) -static-libasan -static-libubsan

obj = $(patsubst %.c,$(1)/%.o,$(2))

.PHONY: all demo check bench bench-serve bench-build bench-text bench-search fuzz install clean unit
.SECONDARY:
all: hearth

# `make hearth` makes both: the lean program is no use without the other
hearth: $(call obj,$(REL),$(LEAN_CLI)) $(call LEAN_OBJ,$(REL)) $(REL)/libhearth.a | hearth-media hearth-site
	$(CC) $(OPT) $(AS_NEEDED) $(LEAN_STATIC) -o $@ $(filter %.o %.a,$^) $(LEAN_LIBS)

hearth-site: $(call obj,$(REL),$(LEAN_CLI)) $(call SITE_OBJ,$(REL)) $(REL)/libhearth.a
	$(CC) $(OPT) $(AS_NEEDED) -o $@ $(filter %.o %.a,$^) $(SITE_STATIC) $(PKG_LIBS)

hearth-media: $(call obj,$(REL),$(LIB_SRC) $(CLI_SRC))
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) $(CURL_LIBS)

$(REL)/libhearth.a: $(call obj,$(REL),$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(ASAN)/libhearth.a: $(call obj,$(ASAN),$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Werror $(OPT) $(DEFS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(REL)/lean/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Werror $(OPT) $(DEFS) -DHEARTH_LEAN $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(REL)/site/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Werror $(OPT) $(DEFS) -DHEARTH_SITE $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(ASAN)/site/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Werror -O1 -g $(SAN) $(DEFS) -DHEARTH_SITE $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(ASAN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Werror -O1 -g $(SAN) $(DEFS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(ASAN)/lean/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Werror -O1 -g $(SAN) $(DEFS) -DHEARTH_LEAN $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(ASAN)/hearth: $(call obj,$(ASAN),$(LEAN_CLI)) $(call LEAN_OBJ,$(ASAN)) $(ASAN)/libhearth.a | $(ASAN)/hearth-media $(ASAN)/hearth-site
	$(CC) $(SAN_LD) $(AS_NEEDED) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

$(ASAN)/hearth-site: $(call obj,$(ASAN),$(LEAN_CLI)) $(call SITE_OBJ,$(ASAN)) $(ASAN)/libhearth.a
	$(CC) $(SAN_LD) $(AS_NEEDED) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

$(ASAN)/hearth-media: $(call obj,$(ASAN),$(LIB_SRC) $(CLI_SRC))
	$(CC) $(SAN_LD) -o $@ $^ $(PKG_LIBS) $(CURL_LIBS)

$(ASAN)/tests/unit/test_%: $(ASAN)/tests/unit/test_%.o $(call obj,$(ASAN),$(LIB_SRC))
	$(CC) $(SAN_LD) -o $@ $^ $(PKG_LIBS) $(CURL_LIBS)

# Each fuzz target also builds without libFuzzer, with tests/fuzz/replay.c,
# so make check replays its seeds and the inputs that once failed
# (tests/cli/fuzz_replay.sh); make fuzz runs them under libFuzzer.
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst tests/fuzz/fuzz_%.c,$(ASAN)/tests/fuzz/replay_%,$(FUZZ_SRC))
$(ASAN)/tests/fuzz/replay_%: $(ASAN)/tests/fuzz/fuzz_%.o $(ASAN)/tests/fuzz/replay.o $(call obj,$(ASAN),$(LIB_SRC))
	$(CC) $(SAN_LD) -o $@ $^ $(PKG_LIBS) $(CURL_LIBS)

UNIT_BIN := $(patsubst %.c,$(ASAN)/%,$(UNIT_SRC))
unit: $(UNIT_BIN) $(FUZZ_REPLAY) $(ASAN)/hearth

check: unit hearth
	@tools/setup-deps.sh test
	@tests/run

DEMO_LIB := build/demo-library
demo: hearth
	@tools/setup-deps.sh demo
	@rm -rf $(DEMO_LIB)
	./hearth init $(DEMO_LIB)
	./hearth -C $(DEMO_LIB) import content
	./hearth -C $(DEMO_LIB) build
	@echo
	@echo "The demo site is in $(DEMO_LIB)/public/ (open $(CURDIR)/$(DEMO_LIB)/public/index.html)"
	@echo "Its podcast feed is $(DEMO_LIB)/public/feed.xml"

BENCH_BIN := $(REL)/tests/bench/bench_audio
$(BENCH_BIN): $(REL)/tests/bench/bench_audio.o $(call obj,$(REL),$(LIB_SRC))
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) $(CURL_LIBS)

FEEDS_BENCH_BIN := $(REL)/tests/bench/feeds_bench
# from the archive, as the lean hearth: its memory is the feeds', not FFmpeg's
$(FEEDS_BENCH_BIN): $(REL)/tests/bench/feeds_bench.o $(REL)/libhearth.a
	$(CC) $(OPT) $(AS_NEEDED) -o $@ $^ $(PKG_LIBS)

WRITE_FLOOR_BIN := $(REL)/tests/bench/write_floor
$(WRITE_FLOOR_BIN): $(REL)/tests/bench/write_floor.o
	$(CC) $(OPT) -o $@ $^ -lpthread

# Each bench adds its targets to one file; the run ends with them all.
BENCH_SUMMARY := $(CURDIR)/build/bench-targets.tsv
bench: hearth $(BENCH_BIN) $(FEEDS_BENCH_BIN) $(WRITE_FLOOR_BIN)
	@tools/setup-deps.sh bench
	@rm -f $(BENCH_SUMMARY)
	@BENCH_SUMMARY=$(BENCH_SUMMARY) tools/bench.sh
	@BENCH_SUMMARY=$(BENCH_SUMMARY) tests/bench/build_bench.sh
	@BENCH_SUMMARY=$(BENCH_SUMMARY) WRITE_FLOOR=$(WRITE_FLOOR_BIN) tests/bench/text_bench.sh
	@BENCH_SUMMARY=$(BENCH_SUMMARY) tests/bench/serve_bench.sh
	@BENCH_SUMMARY=$(BENCH_SUMMARY) FEEDS_BENCH=$(FEEDS_BENCH_BIN) tests/bench/feeds_bench.sh
	@BENCH_SUMMARY=$(BENCH_SUMMARY) tests/bench/search_bench.sh
	@tests/bench/summary.sh print $(BENCH_SUMMARY)

bench-build: hearth
	@tests/bench/build_bench.sh

bench-text: hearth $(WRITE_FLOOR_BIN)
	@tools/setup-deps.sh bench
	@WRITE_FLOOR=$(WRITE_FLOOR_BIN) tests/bench/text_bench.sh

bench-serve: hearth
	@tools/setup-deps.sh bench
	@tests/bench/serve_bench.sh

bench-search: hearth
	@tools/setup-deps.sh bench
	@tests/bench/search_bench.sh

fuzz:
	@tools/setup-deps.sh fuzz
	@HEARTH_PKGS="$(PKGS) libcurl" tools/fuzz.sh

install: hearth
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)/themes/default
	install -m 755 hearth $(DESTDIR)$(PREFIX)/bin/hearth
	install -m 755 hearth-media $(DESTDIR)$(LIBEXECDIR)/hearth-media
	install -m 755 hearth-site $(DESTDIR)$(LIBEXECDIR)/hearth-site
	cp -R themes/default/. $(DESTDIR)$(DATADIR)/themes/default/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/hearth.1 $(DESTDIR)$(PREFIX)/share/man/man1/hearth.1

clean:
	rm -rf build hearth hearth-media hearth-site

-include $(shell find build -name '*.d' 2>/dev/null)
