# chapters.sh - transcripts and chapters from bundle to site: a transcript
# checked against its audio at import, chapters from the front matter and
# from the audio file, the JSON chapters and the feed's podcast:chapters.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
S="$T/src"
run init "$L" && site_address "$L"
export HEARTH_DIR="$L"

# ---- transcripts: checked against the audio at import ----------------------
bundle "$S" long-cue "A cue too long" "audio: voice.wav
transcript: voice.vtt"
tone "$S/long-cue/voice.wav" 3
printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n\n00:01.000 --> 00:09.500\nand goodbye\n' \
	>"$S/long-cue/voice.vtt"
refuses transcript_past_audio_refused_at_import 1 \
	"voice\.vtt: cue 2 \(00:00:01\.000\): ends at 00:00:09\.500, after the end of the audio \(00:00:03\.000\)" \
	import "$S/long-cue"
run list
check transcript_refusal_imports_nothing ! grep -q long-cue "$OUT"

printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n\n00:01.000 --> 00:03.000\nand goodbye\n' \
	>"$S/long-cue/voice.vtt"
ok transcript_inside_audio_imports import "$S/long-cue"

tone "$T/short.wav" 2
printf '1\n00:00:00,000 --> 00:00:05,000\nToo long\n' >"$T/peer.srt"
printf 'A story.\n' >"$T/peer.md"
refuses transcript_past_audio_refused_at_submit 1 "peer\.srt: cue 1 \(00:00:00\.000\): ends at" \
	submit --title "A peer's story" "$T/peer.md" "$T/short.wav" "$T/peer.srt"

# ---- chapters from the front matter ------------------------------------------
bundle "$S" told "Told in parts" "audio: voice.wav
chapters:
  - {start: 0, title: Opening}
  - {start: \"0:01.5\", title: \"The \\\"kettle\\\" & the chair\"}
  - {start: 2.25, title: Close}"
tone "$S/told/voice.wav" 3
ok front_matter_chapters_import import "$S/told"
run show told
check show_lists_chapters grep -q "0:01.500  The \"kettle\" & the chair" "$OUT"
run export
check export_has_chapters python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["stories"] if s["slug"] == "told"][0]
assert s["chapters"] == [{"start": 0, "title": "Opening"},
                         {"start": 1.5, "title": "The \"kettle\" & the chair"},
                         {"start": 2.25, "title": "Close"}], s["chapters"]
' "$OUT"

# ---- chapters from the audio file ----------------------------------------------
bundle "$S" marked "Marked in the file" "audio: voice.m4a"
printf '%s\n' ';FFMETADATA1' 'title=Private source title' \
	'[CHAPTER]' 'TIMEBASE=1/1000' 'START=0' 'END=1200' 'title=From the file' \
	'[CHAPTER]' 'TIMEBASE=1/1000' 'START=1200' 'END=3000' 'title=Second part' >"$T/meta.txt"
tone "$T/plain.wav" 3
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$T/plain.wav" -i "$T/meta.txt" \
	-map_metadata 1 -map_chapters 1 -c:a aac "$S/marked/voice.m4a"
ok embedded_chapters_import import "$S/marked"
run show marked
check embedded_chapters_shown grep -q "0:01.200  Second part" "$OUT"

# the front matter wins over the file
bundle "$S" both "Both kinds" "audio: voice.m4a
chapters:
  - {start: 0, title: Mine}"
cp "$S/marked/voice.m4a" "$S/both/"
ok front_matter_wins_import import "$S/both"
run show both
check front_matter_wins grep -q "0:00  Mine" "$OUT"
check front_matter_wins_alone ! grep -q "Second part" "$OUT"

# ---- refusals ------------------------------------------------------------------
bundle "$S" late "Late chapter" "audio: voice.wav
chapters:
  - {start: 0, title: Opening}
  - {start: \"10:00\", title: Later}"
cp "$S/told/voice.wav" "$S/late/"
refuses chapter_past_audio_refused 1 \
	"story 'late': chapters: chapter 2 'Later' starts at 10:00, after the end of the audio \(0:03\)" \
	import "$S/late"
bundle "$S" silent "No sound" "chapters:
  - {start: 0, title: Opening}"
refuses chapters_need_sound 1 "silent/story.md: line [0-9]+: chapters: the story has no audio or music" \
	import "$S/silent"
bundle "$S" unordered "Unordered" "audio: voice.wav
chapters:
  - {start: \"0:02\", title: B}
  - {start: 1, title: A}"
cp "$S/told/voice.wav" "$S/unordered/"
refuses chapters_in_order 1 "unordered/story.md: line [0-9]+: chapters.start: 0:01 is not after the chapter before it \(0:02\)" \
	import "$S/unordered"

# ---- the build: JSON chapters, the feed, the page --------------------------------
ok build_with_chapters build
P="$L/public"
J="$P/media/told/told.chapters.json"
check chapters_json_published test -f "$J"
check chapters_json_shape python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "1.2.0", d
assert d["title"] == "Told in parts", d
assert isinstance(d["podcastName"], str) and d["podcastName"], d
c = d["chapters"]
assert [x["startTime"] for x in c] == [0, 1.5, 2.25], c
assert all(isinstance(x["startTime"], (int, float)) for x in c), c
assert c[1]["title"] == "The \"kettle\" & the chair", c
' "$J"
check embedded_chapters_json python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["chapters"]
assert [(x["startTime"], x["title"]) for x in c] == [(0, "From the file"), (1.2, "Second part")], c
' "$P/media/marked/marked.chapters.json"
check no_chapters_no_json test ! -e "$P/media/long-cue/long-cue.chapters.json"
check feed_points_to_chapters python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
items = ET.parse(sys.argv[1]).getroot().findall("channel/item")
got = {}
for it in items:
    enc = it.find("enclosure").get("url")
    ch = it.find("podcast:chapters", ns)
    got[enc.rsplit("/", 1)[-1]] = ch.attrib if ch is not None else None
assert got["told.mp3"]["url"].endswith("/media/told/told.chapters.json"), got
assert got["told.mp3"]["type"] == "application/json+chapters", got
assert got["long-cue.mp3"] is None, got
' "$P/feed.xml"
check page_lists_chapters grep -q '<span class="chapter-title">The "kettle" &amp; the chair</span>' \
	"$P/stories/told/index.html"
check page_chapter_times grep -q '<time class="chapter-time" datetime="PT1.500S">0:01</time>' \
	"$P/stories/told/index.html"
check page_transcript_published test -f "$P/media/long-cue/long-cue.vtt"
