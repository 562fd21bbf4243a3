# idempotence.sh - importing the same bundles twice yields the same
# catalogue and the same output bytes; a changed bundle updates its story.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C/spoken" "$C/drawn"
tone "$C/spoken/voice.flac" 2
picture "$C/drawn/art.png"
bundle "$C" spoken "Spoken" "audio: voice.flac"
bundle "$C" drawn "Drawn" "art: [{file: art.png, alt: Coloured bars}]"

ok first_import -C "$L" import "$T/content"
ok first_build -C "$L" build
first=$(snapshot "$L")
first_out=$(tree_hash "$L/public")

ok second_import -C "$L" import "$T/content"
check second_import_says_unchanged grep -q "0 new or changed" "$OUT"
check same_catalogue test "$(snapshot "$L")" = "$first"
ok second_build -C "$L" build
check same_output_bytes test "$(tree_hash "$L/public")" = "$first_out"

# a second library from the same bundles builds the same bytes
L2="$T/lib2"
"$HEARTH" init "$L2" >/dev/null && site_address "$L2"
"$HEARTH" -C "$L2" import "$T/content" >/dev/null 2>&1
ok other_library_build -C "$L2" build
check same_bytes_in_another_library test "$(tree_hash "$L2/public")" = "$first_out"

# a changed bundle updates the story, and only that
sed -i 's/^title: Spoken$/title: Spoken again/' "$C/spoken/story.md"
ok changed_import -C "$L" import "$T/content"
check changed_import_counts_one grep -q "1 new or changed" "$OUT"
ok show_changed -C "$L" show spoken
check title_updated grep -q "Spoken again" "$OUT"
check update_audited grep -q "update" "$OUT"
