# patch_sync.sh - how a patch makes its files durable. A patch of a few
# files syncs each of them and the folders it changed (fsync), once, after
# the moves, not the whole file system: syncfs waits for every dirty file
# of the disk, other programs' too. A patch of many files takes one
# syncfs. Seen with strace; after each build the site equals a clean
# build.
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null 2>&1; then
	fail patch_sync_strace "no strace (tools/setup-deps.sh test installs it)"
	exit 0
fi
C="$T/content/stories"
L="$T/lib"
mkdir -p "$C"
for i in $(seq 1 60); do bundle "$C" "s$i" "Story $i"; done
ok init init "$L" && site_address "$L"
ok import -C "$L" import "$T/content"
ok first_build -C "$L" build

same_as_clean() {
	rm -rf "$T/clean" "$T/.hearth-build.clean"
	if "$HEARTH" -C "$L" build -o "$T/clean" >/dev/null 2>&1 &&
		diff -r -x .hearth-site "$T/clean" "$L/public" >"$T/diff" 2>&1; then pass "$1"
	else fail "$1" "$(head -c 600 "$T/diff")"; fi
}
# traced NAME: a build under strace; SYNCFS and FSYNC count the calls
traced() {
	# the leak checker cannot run under ptrace; the other tests run it
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		strace -f -qq -y -e trace=syncfs,fsync -o "$T/trace" "$HEARTH" -C "$L" build >"$OUT" 2>"$ERR"
	RC=$?
	SYNCFS=$(grep -c 'syncfs(' "$T/trace")
	FSYNC=$(grep -c 'fsync(' "$T/trace")
	if [ "$RC" -eq 0 ]; then pass "$1"; else fail "$1" "exit $RC: $(head -c 300 "$ERR")"; fi
}
dir=$(stat -c %i "$L/public")

# one story edited: a patch of a few files, no syncfs
printf '\nOne more line.\n' >>"$C/s7/story.md"
"$HEARTH" -C "$L" import "$C/s7" >/dev/null 2>&1
traced one_edit_builds
check one_edit_patched test "$(stat -c %i "$L/public")" = "$dir"
check one_edit_shown grep -q "One more line" "$L/public/stories/s7/index.html"
check one_edit_no_syncfs test "$SYNCFS" -eq 0
check one_edit_fsyncs test "$FSYNC" -gt 0
# the page is synced where it now is, once, and nothing in the staging folder
check one_edit_page_synced_in_place \
	test "$(grep -c "fsync([0-9]*<[^>]*/public/stories/s7/index.html>" "$T/trace")" -eq 1
check one_edit_staging_not_synced_apart sh -c "! grep -q 'fsync([0-9]*<[^>]*/[.]public[.]new-' '$T/trace'"
same_as_clean one_edit_same_as_clean

# one story withdrawn: its page and folder go, still without syncfs
"$HEARTH" -C "$L" withdraw s9 --reason "asked" >/dev/null 2>&1
traced withdrawal_builds
check withdrawal_patched test "$(stat -c %i "$L/public")" = "$dir"
check withdrawal_page_gone test ! -e "$L/public/stories/s9"
check withdrawal_no_syncfs test "$SYNCFS" -eq 0
same_as_clean withdrawal_same_as_clean

# forty stories edited: a patch of many files (HEARTH_PATCH_LIMIT lets it patch), one
# syncfs for the new files and the moves together, and no fsync of a file one by one
for i in $(seq 10 49); do printf '\nAnother line.\n' >>"$C/s$i/story.md"; done
"$HEARTH" -C "$L" import "$T/content" >/dev/null 2>&1
HEARTH_PATCH_LIMIT=1000 traced many_edits_build
check many_edits_patched test "$(stat -c %i "$L/public")" = "$dir"
check many_edits_one_syncfs test "$SYNCFS" -eq 1
same_as_clean many_edits_same_as_clean
