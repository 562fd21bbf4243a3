# player.sh - the audio story page's player. Without scripts: chapters and
# the transcript's times as links to the MP3 with a media fragment (#t=),
# every cue with its start, the length as text before anything plays,
# preload="metadata" and no autoplay. With them, in headless Chromium
# (tests/browser/player.mjs): keyboard reach with visible focus, the seek
# bar, chapter links that seek, the transcript following playback without
# moving the page, #t= on load, axe-core at 320 and 1280 px, screenshots.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
S="$T/src"
run init "$L" && site_address "$L"
export HEARTH_DIR="$L"

# ---- the library: a spoken story of 12 s with chapters and 24 cues ----------
espeak-ng -s 150 -w "$T/speech.wav" \
	"I want to tell you about the evening I first spoke in the group. I was nervous, and then I was not." \
	2>/dev/null || tone "$T/speech.wav" 5
bundle "$S" told "A story told aloud" "audio: voice.wav
transcript: voice.vtt
chapters:
  - {start: 0, title: Opening}
  - {start: 4, title: The middle}
  - {start: \"0:08.5\", title: \"Close & after\"}"
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$T/speech.wav" \
	-af "apad=whole_dur=12" -ac 1 "$S/told/voice.wav"
{
	printf 'WEBVTT\n'
	for i in $(seq 0 23); do
		printf '\n%s --> %s\nLine %d of the story, said slowly and with care.\n' \
			"$(printf '00:%02d.%03d' $((i / 2)) $((i % 2 * 500)))" \
			"$(printf '00:%02d.%03d' $(((i + 1) / 2)) $(((i + 1) % 2 * 500)))" "$((i + 1))"
	done
} >"$S/told/voice.vtt"

# cues that do not pair up with the plain text (one holds only markup):
# the transcript is shown without times rather than with wrong ones
bundle "$S" odd "Cues with nothing to read" "audio: voice.wav
transcript: voice.vtt"
tone "$S/odd/voice.wav" 3
printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello there\n\n00:01.000 --> 00:02.000\n<i></i>\n\n00:02.000 --> 00:03.000\nand goodbye\n' \
	>"$S/odd/voice.vtt"

bundle "$S" plain "Only words"

ok player_import import "$S/told" "$S/odd" "$S/plain"
ok player_build build
P="$L/public"
H="$P/stories/told/index.html"

check player_script_published test -s "$P/player.js"
check player_script_on_audio_page grep -q '<script src="../../player.js" defer' "$H"
check no_player_script_without_audio ! grep -q 'player.js' "$P/stories/plain/index.html"
check player_preload_metadata grep -q '<audio controls="controls" preload="metadata"' "$H"
check player_no_autoplay ! grep -qi 'autoplay' "$H"
check duration_shown_as_text grep -q \
	'Length <time class="audio-length" datetime="PT12S">0:12</time>' "$H"

check player_words_for_the_script grep -q \
	'data-t-seek="Seek" data-t-position="{1} of {2}" data-t-share="Link to this moment" data-t-link="Link to {1}" data-t-copied="copied"' "$H"
check player_markup python3 - "$H" <<'EOF'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chapters, self.cues, self.cue_links, self.stack = [], [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get('class') or '').split()
        if tag == 'a' and 'chapter-link' in cls:
            self.chapters.append((a['href'], a['data-start']))
        if tag == 'li' and 'cue' in cls:
            self.cues.append(a['data-start'])
        if tag == 'a' and 'cue-time' in cls:
            self.cue_links.append(a['href'])

p = Page()
p.feed(open(sys.argv[1], encoding='utf-8').read())
mp3 = '../../media/told/told.mp3'
want = [(mp3 + '#t=0', '0'), (mp3 + '#t=4', '4'), (mp3 + '#t=8.500', '8.500')]
assert p.chapters == want, p.chapters
starts = [str(i // 2) + ('.500' if i % 2 else '') for i in range(24)]
assert p.cues == starts, p.cues
assert p.cue_links == [mp3 + '#t=' + s for s in starts], p.cue_links[:3]
EOF
check cue_clock_shown grep -q '<time datetime="PT11.500S">0:11</time></a> <span class="cue-text">Line 24 of the story' "$H"
check chapter_title_escaped grep -q '<span class="chapter-title">Close &amp; after</span>' "$H"
O="$P/stories/odd/index.html"
check untimed_when_cues_do_not_pair grep -q '<p>Hello there</p>' "$O"
check untimed_has_no_cue_links ! grep -q 'cue-time' "$O"

# the cues' times are part of the page's key: a build with nothing new
# keeps the page, a clean build makes the same bytes
before=$(sha256sum <"$H")
ok player_rebuild build
check player_page_kept test "$(sha256sum <"$H")" = "$before"
mv "$P" "$T/first"
ok player_clean_build build
check player_clean_equal test "$(tree_hash "$T/first")" = "$(tree_hash "$P")"

node "$HEARTH_ROOT/tests/browser/player.mjs" "$P" "$HEARTH_ROOT/build/screenshots" \
	2>"$T/player.err" || fail player_browser_run "player.mjs stopped: $(tail -c 800 "$T/player.err")"
