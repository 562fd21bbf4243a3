#!/usr/bin/env bash
# seeds.sh DIR - the inputs every fuzz target starts from, made on the spot
# into DIR/<target>/: small sound files and pictures from ffmpeg, the demo
# content's transcripts and story.md files, front matter, EXIF blocks,
# Markdown a hostile peer might type, requests to hearth serve, settings
# and collection files, and the inputs that once failed
# (tests/fuzz/regress/<target>/). tools/fuzz.sh (make fuzz) starts each
# target from them; tests/cli/fuzz_replay.sh (make check) replays them all
# through each target without libFuzzer.
set -eu
cd "$(dirname "$0")/../.."
seeds=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/hearth-seeds.XXXXXX")
trap 'rm -rf "$out"' EXIT
rm -rf "$seeds"
mkdir -p "$seeds/transcript" "$seeds/probe" "$seeds/frontmatter" "$seeds/orient" "$seeds/markdown" "$seeds/http" "$seeds/settings"
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

# Markdown: the demo's bodies, and what a hostile peer might type: raw
# HTML, links to scripts however written, deep nesting, characters XML
# cannot hold, bytes that are not UTF-8
m="$seeds/markdown"
for f in content/stories/*/story.md; do
	sed '1,/^---$/{/^---$/!d}; 1,/^---$/d' "$f" >"$m/$(basename "$(dirname "$f")").md"
done
printf '<script>alert(1)</script>\n\n<div onclick="x()">hi</div>\n\ntext <img src=x onerror=alert(1)> <!-- c --> <?php x ?> <![CDATA[y]]>\n' >"$m/html.md"
printf '[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](jav&#x61;script:x) [d](vbscript:x) [e](file:///etc/passwd) [f](data:text/html,x) [g](data:image/png;base64,AA) <javascript:alert(1)> [h]( javascript:x) [i](%%6Aavascript:x)\n\n[ref]: javascript:alert(1)\n[r][ref] ![alt *em*](http://t.example/x.png "t") [t](http://a.example "ti\\"tle <b>")\n' >"$m/links.md"
printf '%0.s> ' $(seq 300) >"$m/quotes.md"; printf 'deep\n' >>"$m/quotes.md"
for i in $(seq 150); do printf '%*s- item\n' $((i * 2)) ''; done >"$m/lists.md"
printf '%0.s*a ' $(seq 200) >"$m/emphasis.md"
printf 'nul \x00 byte, bell \x07, &#0; &#1; &#xFFFE; &#x110000; &#55296; \xff\xfe \xc0\xaf \xed\xa0\x80 \r\n# heading\r\n###### six\n####### seven\n' >"$m/bytes.md"
printf '```"><script>\ncode & <b>\n```\n\n    indented\n\n1. one\n7) seven\n\n---\n***\nhard  \nbreak\\\nend `code <x>`\n' >"$m/blocks.md"

# requests to hearth serve: a path, a Range header, an If-None-Match list
# and an If-Modified-Since date, one a line (fuzz_http)
h="$seeds/http"
printf '/\nbytes=0-99\n"abc", W/"def"\nSun, 06 Nov 1994 08:49:37 GMT\n' >"$h/plain"
printf '/stories/a/\nbytes=-500\n*\nMon, 29 Feb 2016 23:59:59 GMT\n' >"$h/folder"
printf '/stories/a\nbytes=5-\n\nThu, 01 Jan 1970 00:00:00 GMT\n' >"$h/redirect"
printf '/stories/../../secret.txt\nbytes=1-0\nW/"x"\nSun, 01 Jan -2147483648 00:00:00 GMT\n' >"$h/dotdot"
printf '/stories/out.txt\nbytes=0-1,2-3\n,,, ,\nSun, 31 Feb 99999 25:61:61 GMT\n' >"$h/link"
printf '/%%2e%%2e/secret.txt\nbytes=18446744073709551615-\n"\nFri, 13 Dec 1901 20:45:52 GMT\n' >"$h/escaped"
printf '/.hearth/state\nBYTES= 10 - 20 \n W/"" \nSun, 06 Nov 1994 08:49:37 GMTX\n' >"$h/hidden"
printf '//example.org/\nbytes=99999999999999999999-\nW/\nSun, 6 Nov 1994 8:49:37 GMT\n' >"$h/host"
printf '/index.html%%00.txt\nbytes=-0\n*,*\n\n' >"$h/nul"
printf '/%%C0%%AF\n\n\nSun, 06 Nov 1994 08:49:37 GMT' >"$h/overlong"

# hearth.yaml and collection files (fuzz_settings): the demo's, and a few
# a careless or hostile hand might write
s="$seeds/settings"
cp content/hearth.yaml "$s/demo-hearth.yaml"
for f in content/collections/*.yaml; do cp "$f" "$s/collection-$(basename "$f")"; done
printf 'title: T\nbase_url: "https://a.example/"\nlimits: {max_duration: .inf, max_file_size: 1e400}\naudio: {loudness: .nan}\n' >"$s/nonfinite.yaml"
printf 'title: T\nbase_url: javascript:alert(1)\nserve: {port: 65536, bind: "::1"}\nfeeds: {archive_after: 0.5}\n' >"$s/ranges.yaml"
printf 'title: T\nstories: [a, b, a]\n' >"$s/twice.yaml"
printf 'title: T\nstories:\n  - a\n  - Bad Slug\n' >"$s/badslug.yaml"
printf 'title: &t x\ndescription: *t\npodcast: {owner: {name: [1, 2]}}\n' >"$s/alias.yaml"

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

