#!/usr/bin/env bash
# fuzz.sh - `make fuzz`: the fuzz targets of tests/fuzz/ built with clang's
# libFuzzer, AddressSanitizer and UBSan into build/fuzz/, fed seeds made on
# the spot (small sound files, images and transcripts from ffmpeg and the
# demo content, front matter, EXIF blocks), each run for FUZZ_SECONDS
# (default 150).
#
#   make fuzz FUZZ_SECONDS=60                every target, a minute each
#   make fuzz FUZZ_TARGETS=transcript        one target
#
# Targets: transcript (WebVTT/SRT reader), probe (sniffing and probing),
# frontmatter (story.md: front matter, YAML, the bundle reader), orient
# (the EXIF orientation reader, a PNG's eXIf chunk, the turn).
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
read -r -a targets <<<"${FUZZ_TARGETS:-transcript probe frontmatter orient}"
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
srcs=$(ls core/*.c library/*.c media/*.c feeds/*.c site-gen/*.c)
stamp="$out/.built"
if [ ! -e "$stamp" ] || [ -n "$(find core library media feeds site-gen tests/fuzz \
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
rm -rf "$seeds"
mkdir -p "$seeds/transcript" "$seeds/probe" "$seeds/frontmatter" "$seeds/orient"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

for f in content/stories/*/*.vtt content/stories/*/*.srt; do
	[ -f "$f" ] && cp "$f" "$seeds/transcript/$(basename "$(dirname "$f")")-$(basename "$f")"
done
printf 'WEBVTT - seeds\nKind: captions\n\nSTYLE\n::cue { color: yellow }\n\nNOTE a note\n\nintro\n00:01.000 --> 00:04.500 align:start line:0\n<v Sam>Hello &amp; <i>welcome</i></v>\n\n00:00:04.500 --> 00:00:06.000\n<v.loud Jo>Fish &#233; <00:00:05.000>chips</v>\n' \
	>"$seeds/transcript/full.vtt"
printf '1\r\n00:00:00,500 --> 00:00:02,000\r\n{\\an8}<font color="#ff0">Hello</font>\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,250 X1:10 X2:20 Y1:1 Y2:2\r\nSecond line\r\nof two\r\n' \
	>"$seeds/transcript/crlf.srt"
printf '\xef\xbb\xbfWEBVTT\n\n00:03.000 --> 00:02.000\nback\n\n00:01.000 --> 00:05.000\nout of order\n' \
	>"$seeds/transcript/bad.vtt"

for f in content/stories/*/story.md; do
	cp "$f" "$seeds/frontmatter/$(basename "$(dirname "$f")").md"
done
printf -- '---\ntitle: "Night & day"\nsummary: >\n  folded\n  text\naudio: voice.wav\nart:\n  - file: art/picture.png\n    alt: A picture\nchapters:\n  - {start: "0:00", title: One}\n  - {start: 90.5, title: Two}\nwarnings: [a, b]\ncontributor: {name: Jo, attribution: name}\nconsent: {site: yes, podcast: no, given: 2024-05-09}\n---\nBody\n' \
	>"$seeds/frontmatter/full.md"
printf -- '---\ntitle: &a x\nsummary: *a\n---\n' >"$seeds/frontmatter/alias.md"
printf -- '---\ntitle: x\ntitle: y\n...\n' >"$seeds/frontmatter/dup.md"
printf -- '\xef\xbb\xbf---\r\ntitle: [[[[[[x]]]]]]\r\n---\r\n' >"$seeds/frontmatter/bom-crlf.md"

# TIFF blocks with orientation 6 (little and big endian, and as an Exif
# segment), and a PNG carrying one in an eXIf chunk
o="$seeds/orient"
printf 'II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00' >"$o/le.tif"
printf 'MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x08\x00\x00\x00\x00\x00\x00' >"$o/be.tif"
{ printf 'Exif\x00\x00'; cat "$o/le.tif"; } >"$o/exif.bin"
{
	printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00CRC!'
	printf '\x00\x00\x00\x1aeXIf'; cat "$o/be.tif"; printf 'CRC!'
	printf '\x00\x00\x00\x00IEND\xaeB`\x82'
} >"$o/exif.png"

# inputs that once failed (tests/fuzz/regress/<target>/) start every run
for d in tests/fuzz/regress/*/; do
	[ -d "$d" ] && mkdir -p "$seeds/$(basename "$d")" && cp "$d"* "$seeds/$(basename "$d")/" 2>/dev/null
done

p="$seeds/probe"
ff -f lavfi -i "sine=frequency=440:duration=0.25:sample_rate=8000" -ac 1 "$p/tone.wav"
ff -i "$p/tone.wav" "$p/tone.flac"
ff -i "$p/tone.wav" -c:a libmp3lame -b:a 32k "$p/tone.mp3"
ff -i "$p/tone.wav" -c:a libvorbis "$p/tone.ogg"
ff -i "$p/tone.wav" -c:a libopus -b:a 16k "$p/tone.opus"
ff -i "$p/tone.wav" -c:a aac -b:a 32k "$p/tone.m4a"
ff -i "$p/tone.wav" -c:a aac -b:a 32k -f adts "$p/tone.aac"
ff -i "$p/tone.wav" -c:a libopus -b:a 16k "$p/tone.webm"
printf '%s\n' ';FFMETADATA1' '[CHAPTER]' 'TIMEBASE=1/1000' 'START=0' 'END=100' 'title=One' \
	'[CHAPTER]' 'TIMEBASE=1/1000' 'START=100' 'END=250' 'title=Two' >"$out/chapters.txt"
for e in mp3 m4a mka; do
	ff -i "$p/tone.wav" -i "$out/chapters.txt" -map_metadata 1 -map_chapters 1 "$p/chapters.$e"
done
ff -i "$p/tone.wav" -metadata CHAPTER000=00:00:00.000 -metadata CHAPTER000NAME=One \
	"$p/chapters.ogg"
ff -f lavfi -i "testsrc=size=16x16" -frames:v 1 -f image2 -c:v png "$p/pic.png"
ff -f lavfi -i "testsrc=size=16x16" -frames:v 1 -f image2 "$p/pic.jpg"
ff -f lavfi -i "testsrc=size=16x16" -frames:v 1 -f image2 -c:v libwebp "$p/pic.webp"
ff -f lavfi -i "testsrc=size=16x16:duration=0.2:rate=5" "$p/anim.gif"
cp "$seeds"/transcript/crlf.srt "$p/"

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
