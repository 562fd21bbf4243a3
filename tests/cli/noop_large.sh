# noop_large.sh - on a site of over 4096 files (hearth-site looks at
# them on two threads when it verifies), a build with nothing to do is
# still decided without hearth-media; a file edited or removed by hand is
# taken as made until --verify, which makes it again; a withdrawal sends
# the build to hearth-media, which makes the site again.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
N=2700 # each story makes its page and its contributor's: over 4096 files

python3 "$HEARTH_ROOT/tests/bench/gen_stories.py" "$N" "$T/content" >/dev/null
"$HEARTH" init "$L" >/dev/null
"$HEARTH" -C "$L" import "$T/content" >/dev/null 2>&1
full first_build
files=$(find "$L/public" -type f | wc -l)
check more_files_than_one_thread_takes test "$files" -gt 4096
quick noop_is_quick
check quick_says_built grep -q "^built $N stories" "$OUT"

# a file at the start and one at the end of the state, edited, touched or
# removed by hand: the quick path takes them as made (the site's files are
# the build's own); --verify sends the build to hearth-media, which looks
# at every file, on two threads, and makes them again
first=$(ls "$L/public/stories" | grep "^story-" | head -n 1)
last=$(ls "$L/public/stories" | grep "^story-" | tail -n 1)
echo "tampered" >>"$L/public/stories/$last/index.html"
touch -d "2001-01-01" "$L/public/stories/$first/index.html"
quick hand_changes_taken_as_made
check edited_last_left grep -q "tampered" "$L/public/stories/$last/index.html"
full verify_rebuilds --verify
check edited_last_restored ! grep -q "tampered" "$L/public/stories/$last/index.html"
check touched_first_made_again test "$(stat -c %Y "$L/public/stories/$first/index.html")" -gt 978307200
quick after_verify_quick
rm -f "$L/public/stories/$last/index.html"
quick removal_taken_as_made
full verify_after_removal --verify
check removed_last_restored test -s "$L/public/stories/$last/index.html"
quick after_remove_quick

# a withdrawal after a build is never nothing to do
"$HEARTH" -C "$L" withdraw "$first" --reason "asked" >/dev/null
full withdrawal_rebuilds
check withdrawn_page_gone test ! -e "$L/public/stories/$first"
quick after_withdrawal_quick

# a state whose file lines are cut short is "cannot tell", never "nothing to do"
state="$L/.hearth-build.public"
cp "$state" "$T/state"
head -c -40 "$T/state" >"$state"
full cut_state_rebuilds
quick after_cut_state_quick

# a NUL among the file lines ends the text there, as the full build reads
# it: "cannot tell" as well
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] = 0; open(p, "wb").write(b)' "$state"
full nul_in_state_rebuilds
quick after_nul_in_state_quick
