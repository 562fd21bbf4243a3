# patch.sh - a small change is patched into the published folder in place:
# the folder stays the same folder (no staging folder filled with links to
# the unchanged files, no swap), a withdrawn story's page and media go, a
# build killed in the middle of a patch is repaired by the next one, and a
# large change still builds a whole new folder and swaps it in. After each
# step the site equals a clean build of the same library.
. "$(dirname "$0")/lib.sh"

C="$T/content/stories"
L="$T/lib"
mkdir -p "$C"
for i in 1 2 3 4 5; do
	PUBLISHED="2024-05-1$i" bundle "$C" "s$i" "Story $i"
done
for v in voice voice2; do
	mkdir -p "$C/$v"
	tone "$C/$v/voice.flac" 1 520
	PUBLISHED=2024-05-20 bundle "$C" "$v" "A $v" "audio: voice.flac"
done
ok init init "$L" && site_address "$L"
ok import -C "$L" import "$T/content"
ok first_build -C "$L" build

# same_as_clean: the site equals a clean build of the library into another folder
same_as_clean() {
	rm -rf "$T/clean" "$T/.hearth-build.clean"
	"$HEARTH" -C "$L" build -o "$T/clean" >/dev/null 2>&1 &&
		diff -r "$T/clean" "$L/public" >"$T/diff" 2>&1
}
folder() { stat -c %i "$L/public"; }
# edit SLUG WORDS: a line more in a story and a new title, imported again
edit() {
	printf '\n%s\n' "$2" >>"$C/$1/story.md"
	sed -i "s|^title: .*|title: $1, $2|" "$C/$1/story.md"
	"$HEARTH" -C "$L" import "$C/$1" >/dev/null 2>&1
}

# ---- one edit: patched in place ------------------------------------------

dir=$(folder)
untouched=$(stat -c %i "$L/public/stories/s2/index.html")
edit s1 "A line added."
if command -v strace >/dev/null; then
	# (the leak checker of a sanitizer build does not run under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=link,linkat -o "$T/links" \
		"$HEARTH" -C "$L" build >"$OUT" 2>"$ERR"
	rc=$?
	[ "$rc" -eq 0 ] || head -c 600 "$ERR" >&2
	check edit_build_worked test "$rc" -eq 0
	# the only links are of the files it replaces, into its trash (below)
	check edit_build_links_no_unchanged_file ! grep -q '\.public\.new-' "$T/links"
	check edit_build_links_into_its_trash grep -q '/lib/public/index.html", ".*/\.public\.gone-' \
		"$T/links"
else
	ok edit_build -C "$L" build
fi
check edit_is_in_the_page grep -q "A line added" "$L/public/stories/s1/index.html"
check edit_keeps_the_folder test "$(folder)" = "$dir"
check edit_keeps_other_files test "$(stat -c %i "$L/public/stories/s2/index.html")" = "$untouched"
check nothing_left_beside_the_site no_leftovers "$T/lib"
check edit_equals_clean same_as_clean

# ---- the files a patch replaces go to a trash, removed apart ------------------
# (a rename over an old file frees its blocks, which a file system that
# discards as it goes makes slow: the old file is linked into a
# ".public.gone-*" folder first, and that folder is removed by a process of
# its own; a kill before it is handed over leaves it to the next build)

edit s1 "Into the trash."
HEARTH_TEST_PATCH_KILL=4 "$HEARTH" -C "$L" build >/dev/null 2>&1 &
wait $! 2>/dev/null
check trash_patch_was_killed test $? -ne 0
trash=$(find "$T/lib" -maxdepth 1 -name '.public.gone-*' | head -n 1)
check killed_patch_leaves_its_trash test -n "$trash"
check trash_holds_the_replaced_page grep -rqF "s1, A line added." "${trash:-/nonexistent}"
check trash_not_in_the_site test -z "$(find "$L/public" -name '*.gone-*')"
ok build_after_trash_kill -C "$L" build
check trash_removed_after_kill no_leftovers "$T/lib"
check trash_kill_equals_clean same_as_clean

# ---- a withdrawal: the story's folders go -----------------------------------
# (another story keeps media/: a name at the top of the site that comes or
# goes changes the marker file, and such a build swaps)

check voice_has_media test -d "$L/public/media/voice"
ok withdraw -C "$L" withdraw voice
ok withdraw_build -C "$L" build
check withdrawal_keeps_the_folder test "$(folder)" = "$dir"
check withdrawn_page_folder_gone test ! -e "$L/public/stories/voice"
check withdrawn_media_folder_gone test ! -e "$L/public/media/voice"
check withdrawn_not_in_feed ! grep -q "/voice/" "$L/public/feed.xml"
check withdrawal_equals_clean same_as_clean

# ---- a kill in the middle of a patch: the next build repairs it --------------

bad_kill=0 bad_after=0
# an edit of a story's title moves in its page, the list of stories, the
# home page and the marker: a kill after each of the four moves
for k in 1 2 3 4; do
	edit "s$((k % 4 + 2))" "Killed at step $k."
	HEARTH_TEST_PATCH_KILL=$k "$HEARTH" -C "$L" build >/dev/null 2>&1 &
	wait $! 2>/dev/null
	[ $? -ne 0 ] || bad_kill=1 # killed, not finished
	"$HEARTH" -C "$L" build >"$OUT" 2>"$ERR" || bad_after=1
	same_as_clean || {
		bad_after=1
		echo "after a kill at step $k the site differs from a clean build:" >&2
		head -c 1500 "$T/diff" >&2
	}
done
check patch_kill_stops_the_build [ "$bad_kill" -eq 0 ]
check build_after_patch_kill_equals_clean [ "$bad_after" -eq 0 ]
# a kill among the removals of a withdrawal
ok withdraw_s5 -C "$L" withdraw s5
HEARTH_TEST_PATCH_KILL=3 "$HEARTH" -C "$L" build >/dev/null 2>&1 &
wait $! 2>/dev/null
ok build_after_withdrawal_kill -C "$L" build
check withdrawn_after_kill_gone test ! -e "$L/public/stories/s5"
check withdrawal_kill_equals_clean same_as_clean
check patched_folder_still_the_same test "$(folder)" = "$dir"
# a kill once a new story's page is moved in: the state written before the
# patch never had that page, so only the patch list says it may be there;
# the story withdrawn, the next build must remove it
PUBLISHED=2024-05-19 bundle "$C" s6 "Story 6"
ok import_s6 -C "$L" import "$C/s6"
page_in=0
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	HEARTH_TEST_PATCH_KILL=$k "$HEARTH" -C "$L" build >/dev/null 2>&1 &
	wait $! 2>/dev/null
	if [ -e "$L/public/stories/s6/index.html" ]; then
		page_in=1
		break
	fi
done
check new_page_in_before_kill test "$page_in" -eq 1
check patch_list_left_by_kill test -s "$T/lib/.hearth-patch.public"
ok withdraw_s6 -C "$L" withdraw s6
ok build_after_new_page_kill -C "$L" build
check new_page_gone_after_kill test ! -e "$L/public/stories/s6"
check patch_list_gone_after_build test ! -e "$T/lib/.hearth-patch.public"
check new_page_kill_equals_clean same_as_clean

# a kill once the search index's chunk with the edited title is moved in
# (its other files, search/meta.json among them, come after it), and the
# edit then undone: the index's key is the one the state before the patch
# has again, and only the patch list says the chunk in place is not the
# one made with it
cp "$C/s3/story.md" "$T/s3.before"
edit s3 "An edit to be undone."
undone_in=0
for k in $(seq 40); do
	HEARTH_TEST_PATCH_KILL=$k "$HEARTH" -C "$L" build >/dev/null 2>&1 &
	wait $! 2>/dev/null
	if cat "$L"/public/search/d/*.json | grep -q "An edit to be undone"; then
		undone_in=1
		break
	fi
done
check edited_chunk_in_before_kill test "$undone_in" -eq 1
check patch_list_left_by_undone_kill test -s "$T/lib/.hearth-patch.public"
cp "$T/s3.before" "$C/s3/story.md"
ok import_undone -C "$L" import "$C/s3"
ok build_after_undone_kill -C "$L" build
check undone_edit_not_kept ! grep -rq "An edit to be undone" "$L/public"
check undone_kill_equals_clean same_as_clean

# ---- a large change: a new folder, swapped in ---------------------------------

edit s2 "A change past the limit."
HEARTH_PATCH_LIMIT=0 "$HEARTH" -C "$L" build >"$OUT" 2>"$ERR"
check large_change_built test $? -eq 0
check large_change_swaps test "$(folder)" != "$dir"
check large_change_equals_clean same_as_clean
