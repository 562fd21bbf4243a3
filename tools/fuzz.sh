#!/usr/bin/env bash
# fuzz.sh - `make fuzz`: the fuzz targets of tests/fuzz/ built with clang's
# libFuzzer, AddressSanitizer and UBSan into build/fuzz/, fed seeds made on
# the spot (tests/fuzz/seeds.sh: small sound files, images and transcripts
# from ffmpeg and the demo content, front matter, EXIF blocks, hostile
# Markdown), each run for FUZZ_SECONDS (default 150).
#
#   make fuzz FUZZ_SECONDS=60                every target, a minute each
#   make fuzz FUZZ_TARGETS=transcript        one target
#
# Targets: transcript (WebVTT/SRT reader), probe (sniffing and probing),
# frontmatter (story.md: front matter, YAML, the bundle reader), orient
# (the EXIF orientation reader, a PNG's eXIf chunk, the turn), markdown
# (a story's body to page nodes, feed HTML and HTML5), http (what hearth
# serve reads of a request itself: the path, Range, If-None-Match,
# If-Modified-Since), settings (hearth.yaml and collection files).
#
# The corpus each run finds is kept in build/fuzz/corpus/<target>/ and
# starts the next run. A crash, leak, timeout or sanitizer report stops
# that target and leaves the input in build/fuzz/crashes/; replay it with
# build/fuzz/fuzz_<target> <file>. One summary line per target; the exit
# status is 1 when any target failed. Inputs that once failed live in
# tests/fuzz/regress/<target>/ and seed every run.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
out=build/fuzz
secs=${FUZZ_SECONDS:-150}
read -r -a targets <<<"${FUZZ_TARGETS:-transcript probe frontmatter orient markdown http settings}"
cc=${FUZZ_CC:-clang}

# the Makefile's list of libraries (it passes it in), so the two never drift
pkgs=${HEARTH_PKGS:?run through make fuzz}
cflags="$(pkg-config --cflags $pkgs) -std=c11 -D_POSIX_C_SOURCE=200809L
	-DHEARTH_DATADIR=\"/usr/local/share/hearth\" -g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=undefined"
libs="$(pkg-config --libs $pkgs) -lm -lpthread"

if ! command -v "$cc" >/dev/null; then
	echo "fuzz: $cc is missing; run tools/setup-deps.sh fuzz" >&2
	exit 2
fi

# ---- build ---------------------------------------------------------------------
# Everything is rebuilt when any source is newer than the last build.
mkdir -p "$out/obj"
srcs=$(ls core/*.c library/*.c media/*.c feeds/*.c site-gen/*.c pipeline/*.c serve/*.c deploy/*.c)
stamp="$out/.built"
if [ ! -e "$stamp" ] || [ -n "$(find core library media feeds site-gen pipeline serve deploy tests/fuzz \
		-newer "$stamp" -name '*.[ch]' | head -n 1)" ]; then
	echo "fuzz: building with $($cc --version | head -n 1)"
	export cc cflags out
	# shellcheck disable=SC2016
	if ! printf '%s\n' $srcs | xargs -P "$(nproc)" -I{} sh -c \
		'o="$out/obj/$(echo "$1" | tr / _).o"; $cc $cflags -fsanitize=fuzzer-no-link -c -o "$o" "$1"' \
		_ {}; then
		echo "fuzz: the build failed" >&2
		exit 2
	fi
	objs=$(printf '%s\n' $srcs | sed "s|/|_|g; s|^|$out/obj/|; s|\.c$|.c.o|")
	for t in tests/fuzz/fuzz_*.c; do
		name=$(basename "$t" .c)
		# shellcheck disable=SC2086
		if ! $cc $cflags -fsanitize=fuzzer -o "$out/$name" "$t" $objs $libs; then
			echo "fuzz: cannot link $name" >&2
			exit 2
		fi
	done
	touch "$stamp"
fi

# ---- seeds ---------------------------------------------------------------------
seeds="$out/seeds"
tests/fuzz/seeds.sh "$seeds" || { echo "fuzz: cannot make the seeds" >&2; exit 2; }

# ---- run -------------------------------------------------------------------------
mkdir -p "$out/crashes" "$out/tmp"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TMPDIR="$root/$out/tmp"
failed=0
for t in "${targets[@]}"; do
	bin="$out/fuzz_$t"
	if [ ! -x "$bin" ]; then
		echo "fuzz_$t: no such target (tests/fuzz/fuzz_$t.c)"
		failed=1
		continue
	fi
	corpus="$out/corpus/$t"
	log="$out/fuzz_$t.log"
	mkdir -p "$corpus"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	"$bin" -max_len=65536 -rss_limit_mb=2048 -timeout=60 -max_total_time="$secs" \
		-print_final_stats=1 -artifact_prefix="$out/crashes/$t-" "${dict[@]}" \
		"$corpus" "$seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		echo "fuzz_$t: ${secs} s, ${runs:-?} runs, coverage ${cov:-?}, corpus ${corp:-?}: no crash"
	else
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		why=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log")
		echo "fuzz_$t: FAILED after ${runs:-?} runs: ${why:-exit $rc}; input ${art:-?}; log $log"
		failed=1
	fi
done
exit $failed
