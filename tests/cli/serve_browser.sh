# serve_browser.sh - the web side of hearth as people meet it, in headless
# Chromium (tests/browser/serve_flow.mjs): a peer submits through an
# invitation link with a recording and a picture, an editor asks for a
# change in the console, the peer revises, the editor approves, the peer
# confirms, the editor publishes and builds; the story is on the site and
# in the feed; the peer withdraws it with the receipt and after the next
# build it is gone. axe-core checks the form, the receipt and the console.
# Screenshots of every step are kept in build/screenshots/serve/.
. "$(dirname "$0")/lib.sh"

TOOLS="$HEARTH_ROOT/tests/browser"
L="$T/lib"
SHOTS="$HEARTH_ROOT/build/screenshots/serve"
"$HEARTH" init "$L" >/dev/null && site_address "$L"

# a short recording (a spoken sentence when espeak-ng is there) and a picture
if command -v espeak-ng >/dev/null; then
	espeak-ng -w "$T/spoken.wav" "The kettle was on the windowsill every morning." 2>/dev/null
	ffmpeg -nostdin -hide_banner -loglevel error -y -i "$T/spoken.wav" -ac 1 "$T/story.wav"
else
	tone "$T/story.wav" 3
fi
picture "$T/kettle.png" 640x480
check fixtures_made test -s "$T/story.wav" -a -s "$T/kettle.png"

PW="a long editor passphrase for the test"
printf '%s\n' "$PW" | "$HEARTH" -C "$L" editor add jo >/dev/null 2>"$T/editor.err"
check editor_added test $? -eq 0

run -C "$L" invite --uses 1 --note "for the browser test"
INVITE=$(sed -n 's|^https://stories\.example\.net\(/submit?invite=.*\)$|\1|p' "$OUT")
check invite_made test -n "$INVITE"
ok first_build -C "$L" build

serve_up "$L"
BASE=$B
check server_answers curl -s -o /dev/null --max-time 5 "$BASE/"

rm -rf "$SHOTS"
# at most 6 minutes, whatever the browser does
timeout 360 node "$TOOLS/serve_flow.mjs" "$BASE" "$INVITE" "$T/story.wav" "$T/kettle.png" \
	jo "$PW" "$SHOTS" 2>"$T/flow.err"
RCF=$?
[ "$RCF" -eq 0 ] || fail serve_flow_run "serve_flow.mjs stopped ($RCF): $(tail -c 800 "$T/flow.err")"
check screenshots_kept test "$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)" -ge 10

# the same story seen from the command line: withdrawn, its receipt kept hashed
run -C "$L" list --status withdrawn
check catalogue_says_withdrawn grep -q "windowsill" "$OUT"
check server_still_up kill -0 "$SPID"
