# import_text.sh - an import of text is the lean hearth's own work: bundles
# that name no file are read, checked and recorded without hearth-media (no
# FFmpeg loaded), with the records, report, errors and store that
# hearth-media's import gives for the same content. A bundle that names a
# file still goes to hearth-media, and so does a text re-import after it.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
R="$T/ref"
C="$T/content"
MEDIA="$(dirname "$HEARTH")/hearth-media"
for lib in "$L" "$R"; do "$HEARTH" init "$lib" >/dev/null; done
mkdir -p "$C/stories" "$C/collections"
bundle "$C/stories" one "Marker ONE" "tags: [hope, rain]
themes: [recovery]
warnings: [loss]"
bundle "$C/stories" two "Marker TWO"
STATUS=submitted bundle "$C/stories" three "Marker THREE"
STATUS=withdrawn bundle "$C/stories" four "Marker FOUR"
printf 'title: Spring\nstories: [two, one]\n' >"$C/collections/spring.yaml"

# private export of a library without the times, which differ by the run
records() {
	"$HEARTH" -C "$1" export --private | grep -Ev '"(created_at|updated_at|at|withdrawn_at)":'
}
# ref NAME ARGS...: hearth-media ARGS on the reference library, its output kept
ref() {
	"$MEDIA" -C "$R" "$@" >"$T/ref.out" 2>"$T/ref.err"
	echo $? >"$T/ref.rc"
}

# a first import of text: lean, and the same as hearth-media's
CMD=import media_expect no first_import_is_lean "$C"
ref import "$C"
check first_import_report_same diff "$OUT" "$T/ref.out"
check first_import_counts grep -q "^imported 4 stories (4 new or changed, 0 unchanged), 1 collection (1 changed)$" "$OUT"
check first_import_records_same diff <(records "$L") <(records "$R")

# an edited story: only it is read, and the re-import keeps consent
sed -i 's/^The body of .*/NEWWORDS a corrected telling./' "$C/stories/one/story.md"
CMD=import media_expect no edit_is_lean "$C"
ref import "$C"
check edit_report_same diff "$OUT" "$T/ref.out"
check edit_counts_one grep -q "(1 new or changed, 3 unchanged)" "$OUT"
check edit_records_same diff <(records "$L") <(records "$R")
check edit_text_recorded sh -c "'$HEARTH' -C '$L' export --private | grep -q NEWWORDS"

# a bad bundle: the same message, and nothing at all is imported
sed -i 's/^title: Marker TWO$/title: Marker TWO\nmood: bright/' "$C/stories/two/story.md"
bundle "$C/stories" five "Marker FIVE"
before=$(snapshot "$L")
CMD=import build bad_bundle "$C"
ref import "$C"
check bad_bundle_fails test "$RC" -ne 0 -a "$(cat "$T/ref.rc")" -ne 0
check bad_bundle_same_message diff "$ERR" "$T/ref.err"
check bad_bundle_names_key grep -q "unknown key 'mood'" "$ERR"
check bad_bundle_lean test "$MEDIA_RAN" = no
check bad_bundle_nothing_imported test "$before" = "$(snapshot "$L")"
sed -i '/^mood: bright$/d' "$C/stories/two/story.md"

# a bundle with a picture goes to hearth-media
mkdir -p "$C/stories/six"
picture "$C/stories/six/art.png"
bundle "$C/stories" six "Marker SIX" "art: [{file: art.png, alt: A test pattern}]"
CMD=import media_expect yes picture_goes_to_media "$C"
ref import "$C"
check picture_report_same diff "$OUT" "$T/ref.out"
check picture_stored sh -c "find '$L/store' -type f | grep -q ."

# the picture dropped: a text re-import, and the store lets it go
bundle "$C/stories" six "Marker SIX"
CMD=import media_expect no picture_dropped_is_lean "$C"
ref import "$C"
check dropped_report_same diff "$OUT" "$T/ref.out"
check dropped_records_same diff <(records "$L") <(records "$R")
check dropped_object_swept sh -c "! find '$L/store' -type f | grep -q ."
check dropped_same_store_as_media sh -c "! find '$R/store' -type f | grep -q ."

# nothing changed: lean, and nothing written
before=$(snapshot "$L")
CMD=import media_expect no unchanged_is_lean "$C"
check unchanged_counts grep -q "(0 new or changed, 6 unchanged)" "$OUT"
check unchanged_writes_nothing test "$before" = "$(snapshot "$L")"

# many bundles: read on two threads, with the same outcome as one by one.
# The first bad bundle in the bundles' order is the one named, whichever
# thread reads it, and a bad bundle after one that names a file is
# hearth-media's to find, as it would be read one by one. Thirty bad
# bundles in a row: both threads meet one, and the lower must win.
M="$T/many"
mkdir -p "$M/stories"
for i in $(seq -w 1 120); do bundle "$M/stories" "many-$i" "Many $i"; done
CMD=import media_expect no many_is_lean "$M"
ref import "$M"
check many_report_same diff "$OUT" "$T/ref.out"
check many_counts grep -q "^imported 120 stories (120 new or changed, 0 unchanged)" "$OUT"
check many_records_same diff <(records "$L") <(records "$R")
for i in $(seq -f %03g 31 60) 097; do
	printf 'Edited %s.\n' "$i" >>"$M/stories/many-$i/story.md"
	sed -i 's/^title: Many '"$i"'$/title: Many '"$i"'\nmood: '"$i"'/' "$M/stories/many-$i/story.md"
done
for i in $(seq -w 1 120); do printf 'More of %s.\n' "$i" >>"$M/stories/many-$i/story.md"; done
before=$(snapshot "$L")
CMD=import build many_bad "$M"
ref import "$M"
check many_bad_fails test "$RC" -ne 0 -a "$(cat "$T/ref.rc")" -ne 0
check many_bad_names_the_first grep -q "many-031.*unknown key 'mood'" "$ERR"
check many_bad_same_message diff "$ERR" "$T/ref.err"
check many_bad_lean test "$MEDIA_RAN" = no
check many_bad_nothing_imported test "$before" = "$(snapshot "$L")"
# a picture before the first bad bundle: hearth-media reads them all
picture "$M/stories/many-020/art.png"
sed -i 's/^title: Many 020$/title: Many 020\nart: [{file: art.png, alt: A test pattern}]/' "$M/stories/many-020/story.md"
CMD=import build many_picture_then_bad "$M"
ref import "$M"
check many_picture_then_bad_fails test "$RC" -ne 0 -a "$(cat "$T/ref.rc")" -ne 0
check many_picture_then_bad_goes_to_media test "$MEDIA_RAN" = yes
check many_picture_then_bad_same_message diff "$ERR" "$T/ref.err"

# a settings file that names the show's image: the first import checks it
# in hearth-media; the next is the lean hearth's, answered by what that
# check remembered, with the same note; a changed image, a memo lost, or
# an image too small go back to hearth-media, which says the same as ever
S="$T/show"
mkdir -p "$S/stories"
bundle "$S/stories" showone "Show one"
cat >"$S/hearth.yaml" <<YAML
title: Show
base_url: https://show.example.org
podcast:
  category: Health & Fitness
  image: cover.png
  owner: {name: Show editors, email: show@example.org}
YAML
picture "$S/cover.png" 2000x1500
note="cover.png is 2000×1500, not square; the podcast cover is its centre, 1500×1500"
CMD=import media_expect yes image_first_checked_by_media "$S"
check image_first_note grep -q "$note" "$ERR"
touch -d '2001-01-01' "$S/hearth.yaml" # the settings file read again, not the image
CMD=import media_expect no image_known_is_lean "$S"
check image_known_note grep -q "$note" "$ERR"
check image_known_imported grep -q "settings from $S/hearth.yaml" "$OUT"
picture "$S/cover.png" 2400x1800
CMD=import media_expect yes image_changed_checked_by_media "$S"
check image_changed_note grep -q "cover.png is 2400×1800, not square" "$ERR"
CMD=import media_expect no image_changed_then_lean "$S"
find "$L/cache" -name '*-cover-*.memo' -delete
CMD=import media_expect yes image_memo_lost_checked_by_media "$S"
picture "$S/cover.png" 800x600
before=$(snapshot "$L")
CMD=import build image_small "$S"
check image_small_refused grep -q "cover\.png: the podcast image must be at least 1400×1400 pixels, but it is 800×600" "$ERR"
check image_small_by_media test "$MEDIA_RAN" = yes -a "$RC" -ne 0
check image_small_imports_nothing test "$(snapshot "$L")" = "$before"
CMD=import build image_small_again "$S"
check image_small_again_by_media test "$MEDIA_RAN" = yes -a "$RC" -ne 0
