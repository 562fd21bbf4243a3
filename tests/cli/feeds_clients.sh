# feeds_clients.sh - every feed of a built site as real clients read it,
# against what the library says: gPodder's podcastparser and feedparser
# (tests/cli/check_feed.py: episode counts, titles, GUIDs, enclosure URLs
# and lengths equal to the files' sizes, durations, bylines, the serial
# show's order, the music show's medium, atom.xml with every published
# story, feeds.opml, transcripts and chapters that exist and parse, the
# RFC 5005 archives), podcast-partytime (tests/browser/feed.mjs: the
# Podcasting 2.0 tags), and gPodder itself (gpo) subscribing over HTTP
# from loopback, to the show and through feeds.opml, and downloading an
# episode whose bytes are the file's. Then privacy: the real names and
# contacts behind a pseudonym or an anonymous story appear in no feed
# file, the pseudonym is the only podcast:person of its episode, and the
# anonymous episode names nobody.
#
# The library: spoken stories (espeak-ng) with a transcript and chapters, a
# named, a pseudonymous and an anonymous storyteller, a serial show, an
# album (a music-only collection marked podcast: yes), a collection that is
# no show, a text story, and feeds.archive_after small enough that every
# show has archives.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
S="$C/stories"
P="$L/public"
# a python with the Debian parsers (python3 may be another one first on PATH)
PY=
for p in python3 /usr/bin/python3; do
	"$p" -c 'import feedparser, podcastparser' 2>/dev/null && { PY=$p; break; }
done
check python_has_feed_parsers test -n "$PY"
: "${PY:=python3}"

# the site is served from loopback; its address is the feeds' from the start
PORT=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"

mkdir -p "$S" "$C/collections"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc=size=1400x1400" \
	-frames:v 1 "$C/cover.jpg"
cat >"$C/hearth.yaml" <<YAML
title: Feeds for every client
description: Stories told by peers, to check what podcast apps read.
base_url: "$BASE"
language: en
author: The Editors
podcast:
  category: Health & Fitness
  subcategory: Mental Health
  image: cover.jpg
  license: CC-BY-NC-ND-4.0
  owner: {name: The Editors, email: editors@stories.example.net}
  locked: yes
  people:
    - {name: Sam Host, role: host}
feeds:
  archive_after: 3
notify:
  podcastindex: no
YAML

# story SLUG TITLE DATE CONTRIBUTOR MEDIA-LINES: a bundle
story() {
	mkdir -p "$S/$1"
	cat >"$S/$1/story.md" <<MD
---
title: $2
summary: A short summary of $2.
status: published
published: $3
contributor: $4
consent: {site: yes, podcast: yes, given: 2024-01-02, recorded_by: Jo}
license: CC-BY-4.0
$5
---
The words of $2, as the storyteller wrote them.
MD
}
speak() { espeak-ng -s 170 -w "$1" "$2" 2>/dev/null || tone "$1" 3; }

speak "$S/voice.wav" "I want to tell you about the first group I ran. I was nervous. It went well."
mkdir -p "$S/spoken"
mv "$S/voice.wav" "$S/spoken/voice.wav"
cat >"$S/spoken/voice.vtt" <<'VTT'
WEBVTT

00:00:00.000 --> 00:00:02.000
I want to tell you about the first group I ran.

00:00:02.000 --> 00:00:03.500
I was nervous. It went well.
VTT
story spoken "The first group" 2024-02-01 "{name: Robin Named, attribution: name}" \
	"audio: voice.wav
transcript: voice.vtt
chapters:
  - {start: 0, title: Before}
  - {start: 2, title: After}"
for s in pseudo anon serial-one serial-two; do mkdir -p "$S/$s"; done
tone "$S/pseudo/voice.wav" 2 330
story pseudo "Told under another name" 2024-02-02 \
	"{name: ZZREALNAME1, pseudonym: Wren, attribution: pseudonym, contact: zzcontact1@example.org}" \
	"audio: voice.wav"
tone "$S/anon/voice.wav" 2 370
story anon "Told with no name" 2024-02-03 \
	"{name: ZZREALNAME2, pseudonym: ZZPSEUDO2, attribution: anonymous, contact: zzcontact2@example.org}" \
	"audio: voice.wav"
tone "$S/serial-one/voice.wav" 2 415
story serial-one "Part one" 2024-03-02 "{name: Casey Example, attribution: name}" "audio: voice.wav"
tone "$S/serial-two/voice.wav" 2 440
story serial-two "Part two" 2024-03-01 "{name: Casey Example, attribution: name}" "audio: voice.wav"
for s in a b; do
	mkdir -p "$S/song-$s"
	ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
		-i "sine=frequency=523:duration=3" -f lavfi -i "sine=frequency=659:duration=3" \
		-filter_complex amerge -ac 2 "$S/song-$s/song.wav"
	story "song-$s" "Song $s" "2024-04-1$([ "$s" = a ] && echo 1 || echo 2)" \
		"{name: Casey Example, attribution: name}" "music: song.wav"
done
story words "Only words" 2024-05-01 "{name: Casey Example, attribution: name}" ""
# the series in the editors' order (not the order of their dates), an album,
# and a reading list that is no show
printf 'title: The series\ntype: serial\npodcast: yes\nstories: [serial-one, pseudo, anon, serial-two]\n' \
	>"$C/collections/the-series.yaml"
printf 'title: The album\npodcast: yes\nstories: [song-a, song-b]\n' >"$C/collections/the-album.yaml"
printf 'title: Reading list\nstories: [words, spoken]\n' >"$C/collections/reading-list.yaml"

"$HEARTH" init "$L" >/dev/null
ok clients_import -C "$L" import "$C"
ok clients_build -C "$L" build
check clients_archives_made sh -c "grep -q 'rel=\"prev-archive\"' '$P/feed.xml'"

# podcastparser and feedparser, against the library
run -C "$L" export --json
cp "$OUT" "$T/export.json"
"$PY" "$HEARTH_ROOT/tests/cli/check_feed.py" --site "$P" --library "$T/export.json" \
	--base "$BASE" --serial the-series --partytime "$T/partytime.json" 2>"$T/check.err" ||
	fail check_feed_run "check_feed.py stopped: $(tail -c 800 "$T/check.err")"

# podcast-partytime
BR="$HEARTH_ROOT/tests/browser"
if [ -d "$BR/node_modules/podcast-partytime" ]; then
	node "$BR/feed.mjs" "$T/partytime.json" 2>"$T/partytime.err" ||
		fail partytime_run "feed.mjs stopped: $(tail -c 800 "$T/partytime.err")"
else
	fail partytime_installed "tests/browser/node_modules has no podcast-partytime (npm ci in tests/browser)"
fi

# gPodder: subscribes over HTTP, through feeds.opml too, and downloads an episode
serve_up "$L"
check clients_site_served curl -sf -o /dev/null --max-time 5 "$BASE/feed.xml"
G="$T/gpodder"
mkdir -p "$G"
# gpo in a home of its own, headless, two minutes at most a call; anything
# it would fetch from beyond loopback goes to a proxy that is not there
gpodder() {
	HOME="$G" GPODDER_HOME="$G/data" GPODDER_DOWNLOAD_DIR="$G/downloads" \
		http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		no_proxy=127.0.0.1,localhost \
		timeout 120 gpo "$@" >"$OUT" 2>"$ERR" </dev/null
}
if command -v gpo >/dev/null; then
	gpodder subscribe "$BASE/feed.xml"
	check gpodder_subscribes grep -q "Successfully added $BASE/feed.xml" "$OUT"
	gpodder episodes --guid "$BASE/feed.xml"
	newest=$("$PY" -c 'import sys, xml.etree.ElementTree as E
print(E.parse(sys.argv[1]).getroot().find("channel/item/guid").text)' "$P/feed.xml")
	check gpodder_lists_newest grep -q "$newest" "$OUT"
	check gpodder_lists_main_feed_items test "$(grep -cE '^ +[0-9]+\. ' "$OUT")" -eq \
		"$(grep -c '<item>' "$P/feed.xml")"
	gpodder download "$BASE/feed.xml" "$newest"
	got=$(find "$G/downloads" -type f -name '*.mp3' | head -1)
	url=$("$PY" -c 'import sys, xml.etree.ElementTree as E
print(E.parse(sys.argv[1]).getroot().find("channel/item/enclosure").get("url"))' "$P/feed.xml")
	check gpodder_downloaded_an_episode test -n "$got"
	check gpodder_download_is_the_file cmp "$got" "$P/${url#"$BASE"/}"
	# the OPML: a new gPodder subscribes to every feed at once
	rm -rf "$G"
	mkdir -p "$G"
	gpodder import "$BASE/feeds.opml"
	gpodder list
	for f in feed.xml collections/the-series/feed.xml collections/the-album/feed.xml; do
		check "gpodder_opml_subscribes_${f//\//_}" grep -qF "$BASE/$f" "$OUT"
	done
else
	fail gpodder_installed "gpo not found (Debian package gpodder)"
fi
serve_down

# privacy: no real name or contact behind a pseudonym or an anonymous story in
# any feed file (every feed, archive, the OPML, chapters and transcripts)
find "$P" -type f \( -name '*.xml' -o -name '*.opml' -o -name '*.json' -o -name '*.vtt' \) \
	! -path '*/stories/*' >"$T/feedfiles"
check privacy_feed_files_found test "$(grep -c . "$T/feedfiles")" -ge 8
check privacy_archives_among_them grep -qvE '/(feed|atom)\.xml$|\.opml$|\.json$|\.vtt$' "$T/feedfiles"
for m in ZZREALNAME1 zzcontact1 ZZREALNAME2 ZZPSEUDO2 zzcontact2; do
	if xargs grep -li "$m" <"$T/feedfiles" >"$T/found" 2>/dev/null; then
		fail "privacy_feeds_$m" "in $(head -3 "$T/found" | tr '\n' ' ')"
	else
		pass "privacy_feeds_$m"
	fi
done
# podcast:person: the pseudonym for its episode, nobody for the anonymous one
# (besides the show's own host), in every feed document that holds them
"$PY" - "$T/feedfiles" "$T/export.json" <<'PY'
import json, sys, xml.etree.ElementTree as E
ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
guid = {s["slug"]: s["guid"] for s in json.load(open(sys.argv[2]))["stories"]}
seen = {"pseudo": 0, "anon": 0}
for path in open(sys.argv[1]).read().split():
    if not path.endswith(".xml"):
        continue
    root = E.parse(path).getroot()
    for item in root.iter("item"):
        people = [p.text for p in item.findall("podcast:person", ns) if p.text != "Sam Host"]
        for slug, want in (("pseudo", ["Wren"]), ("anon", [])):
            if item.findtext("guid") == guid[slug]:
                seen[slug] += 1
                ok = people == want
                print(("PASS " if ok else "FAIL ") + f"privacy_person_{slug}_{seen[slug]}" +
                      ("" if ok else f": {path}: {people}"))
for slug, n in seen.items():
    # the show, the series and any archive holding them
    print(("PASS " if n >= 2 else "FAIL ") + f"privacy_person_{slug}_checked" +
          ("" if n >= 2 else f": the episode was found in {n} feed documents"))
PY
