# noop.sh - a build with nothing to do is decided by the lean hearth from
# the quick record of the last build, without starting hearth-media (seen
# with the dynamic loader's report, LD_DEBUG=libs, as lean.sh does: no
# FFmpeg library is loaded), and says what a full build with nothing
# to do says. Anything that could change the site sends the build to
# hearth-media, which builds: a withdrawal, a consent change, a story whose
# date comes (by the clock or by SOURCE_DATE_EPOCH), hearth.yaml, a theme
# file, --verify (which looks at every output file: without it, an output
# file edited by hand is taken as made).
#
# The same for an import none of whose bundles changed: the lean hearth
# records the collections and the settings file and says what hearth-media
# says; a new or changed bundle goes to hearth-media.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
MEDIA="$(dirname "$HEARTH")/hearth-media"

"$HEARTH" init "$L" >/dev/null
site_address "$L"
mkdir -p "$C/one"
picture "$C/one/art.png"
bundle "$C" one "Marker ONESTORY" "art: [{file: art.png, alt: A test pattern}]"
bundle "$C" two "Marker TWOSTORY"
bundle "$C" three "Marker THREESTORY"
STATUS=approved bundle "$C" later "Marker LATERSTORY"
"$HEARTH" -C "$L" import "$T/content" >/dev/null 2>&1

full first_build
check first_build_page test -s "$L/public/stories/one/index.html"
quick noop_is_quick
cp "$OUT" "$T/quick.out"
# what hearth-media itself says when nothing changed, for the same site
"$MEDIA" -C "$L" build >"$T/full.out" 2>"$T/full.err"
check media_noop_succeeds test $? -eq 0
check quick_says_what_a_build_says cmp "$T/quick.out" "$T/full.out"
check quick_says_built grep -q "^built 3 stories" "$T/quick.out"
check quick_says_media grep -q "^media: 0 made, [1-9][0-9]* from the cache" "$T/quick.out"
quick noop_again_is_quick

# a withdrawal always lands
"$HEARTH" -C "$L" withdraw two --reason "asked" >/dev/null
full withdrawal_rebuilds
check withdrawn_page_gone test ! -e "$L/public/stories/two"
quick after_withdrawal_quick

# consent
"$HEARTH" -C "$L" consent three --site no --by Jo >/dev/null
full consent_rebuilds
check consent_page_gone test ! -e "$L/public/stories/three"
quick after_consent_quick

# hearth.yaml
sed -i 's/^title: .*/title: "A Changed Title"/' "$L/hearth.yaml"
full settings_rebuild
check settings_in_page grep -q "A Changed Title" "$L/public/index.html"
quick after_settings_quick

# an output file edited, then one removed: the site's files are taken as
# made, and --verify (hearth-media's to answer) looks at each
echo "tampered" >>"$L/public/stories/one/index.html"
quick edited_output_taken_as_made
check edited_output_left grep -q "tampered" "$L/public/stories/one/index.html"
full edited_output_verified --verify
check edited_output_restored ! grep -q "tampered" "$L/public/stories/one/index.html"
rm -f "$L/public/index.html"
full removed_output_verified --verify
check removed_output_restored test -s "$L/public/index.html"
quick after_output_quick

# a change the site does not show: one full check, then quick again
"$HEARTH" -C "$L" invite --note "for a peer" >/dev/null 2>&1
full unrelated_change_checked
check unrelated_change_wrote_nothing grep -q "^built 1 story" "$OUT"
quick after_unrelated_quick

# a theme file (a theme of its own, given with --theme)
cp -R "$HEARTH_THEME_DIR" "$T/theme"
full own_theme_builds --theme "$T/theme"
quick own_theme_quick --theme "$T/theme"
echo "/* changed */" >>"$T/theme/style.css"
full theme_edit_rebuilds --theme "$T/theme"
check theme_edit_published grep -q "changed" "$L/public/style.css"
quick after_theme_quick --theme "$T/theme"
full other_options_build

# a story held until its date, which SOURCE_DATE_EPOCH reaches
"$HEARTH" -C "$L" publish later --at 2030-01-02 >/dev/null
before=$(date -u -d 2030-01-01 +%s)
after=$(date -u -d 2030-01-03 +%s)
SOURCE_DATE_EPOCH=$before full held_story_build
check held_story_absent test ! -e "$L/public/stories/later"
SOURCE_DATE_EPOCH=$before quick held_story_quick
SOURCE_DATE_EPOCH=$after full due_story_rebuilds
check due_story_published test -s "$L/public/stories/later/index.html"

# and which the clock reaches: a few seconds from now
"$HEARTH" -C "$L" publish later --unschedule >/dev/null 2>&1
"$HEARTH" -C "$L" withdraw later --reason "moved" >/dev/null 2>&1
STATUS=approved bundle "$C" soon "Marker SOONSTORY"
"$HEARTH" -C "$L" import "$C/soon" >/dev/null 2>&1
due=$(( $(date +%s) + 6 ))
"$HEARTH" -C "$L" publish soon --at "$(date -u -d "@$due" +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
full soon_held_build
check soon_absent test ! -e "$L/public/stories/soon"
if [ "$(date +%s)" -lt $((due - 1)) ]; then
	quick soon_not_yet_quick
fi
while [ "$(date +%s)" -le "$due" ]; do sleep 0.5; done
full soon_due_rebuilds
check soon_published test -s "$L/public/stories/soon/index.html"
quick after_due_quick

# never while another build holds the library: --no-wait fails as a build does
rm -f "$T/locked" "$T/release"
timeout 60 flock "$L/.build.lock" -c "touch '$T/locked'; while [ ! -e '$T/release' ]; do sleep 0.1; done" &
lock_pid=$!
for _ in $(seq 200); do [ -e "$T/locked" ] && break; sleep 0.1; done
"$HEARTH" -C "$L" build --no-wait >"$OUT" 2>"$ERR"
check busy_no_wait_fails test $? -ne 0
check busy_not_reported_as_built ! grep -q "^built" "$OUT"
touch "$T/release"
wait "$lock_pid"

# what the lean side does not know goes to hearth-media, which answers
build bad_jobs_run -j 0
check bad_jobs_to_media test "$MEDIA_RAN" = yes
check bad_jobs_usage test "$RC" -eq 2

# ---- import ---------------------------------------------------------------
mkdir -p "$T/content/collections"
printf 'title: Picks\nstories: [one]\n' >"$T/content/collections/picks.yaml"
# the settings without the show image (a file of the library, not of content/)
grep -v "^  image:" "$L/hearth.yaml" >"$T/content/hearth.yaml"
ok import_collection_first -C "$L" import "$T/content"
sleep 0.2
# once more: what the first one read within its clock tick is remembered now
"$HEARTH" -C "$L" import "$T/content" >/dev/null 2>&1
CMD=import quick import_unchanged_quick "$T/content"
cp "$OUT" "$T/quick.out"
cp "$ERR" "$T/quick.err"
"$MEDIA" -C "$L" import "$T/content" >"$T/full.out" 2>"$T/full.err"
check import_media_noop_succeeds test $? -eq 0
check import_quick_says_what_media_says cmp "$T/quick.out" "$T/full.out"
check import_quick_same_stderr cmp "$T/quick.err" "$T/full.err"
check import_quick_counts grep -q "^imported [0-9]* stories (0 new or changed, [0-9]* unchanged), 1 collection (0 changed), settings from" "$T/quick.out"
# an unchanged import changes nothing a build reads, settings file included
full build_after_collection
CMD=import quick import_again_quick "$T/content"
quick build_after_unchanged_import
# a collection file changed: still no bundle to read, recorded by the lean hearth
printf 'title: Picks\nstories: [one, soon]\n' >"$T/content/collections/picks.yaml"
CMD=import quick import_collection_change_quick "$T/content"
check import_collection_changed grep -q "1 collection (1 changed)" "$OUT"
run -C "$L" collection show picks
check import_collection_recorded grep -q "soon" "$OUT"
# a changed bundle with files goes to hearth-media; a new one of text alone
# is the lean hearth's (import_text.sh)
echo "One more line." >>"$C/one/story.md"
CMD=import full import_changed_bundle "$T/content"
check import_changed_counted grep -q "(1 new or changed" "$OUT"
bundle "$C" four "Marker FOURSTORY"
CMD=import quick import_new_bundle "$T/content"
check import_new_counted grep -q "(1 new or changed" "$OUT"
# a settings file naming a podcast image is media/'s to check; once it
# has checked that image, the lean hearth takes its word (import_text.sh)
sed -i '/^podcast:/a\  image: cover.png' "$T/content/hearth.yaml"
picture "$T/content/cover.png" 1400x1400
sleep 0.2
CMD=import full import_image_to_media "$T/content"
CMD=import quick import_checked_image_lean "$T/content"
