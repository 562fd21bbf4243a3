# fuzz_replay.sh - every fuzz target of tests/fuzz/ (built without
# libFuzzer, with tests/fuzz/replay.c and the sanitizers) on the inputs
# make fuzz starts from (tests/fuzz/seeds.sh: the demo content, sounds and
# pictures made by ffmpeg, EXIF blocks, hostile Markdown) and the inputs
# that once failed (tests/fuzz/regress/<target>/): each target keeps
# building, and what it checks (no crash, no leak, no undefined
# behaviour, and the target's own rules) holds for every one of them.
. "$(dirname "$0")/lib.sh"

BIN="$HEARTH_ROOT/build/asan/tests/fuzz"
S="$T/seeds"
if ! "$HEARTH_ROOT/tests/fuzz/seeds.sh" "$S" >"$T/seeds.log" 2>&1; then
	fail seeds_made "$(tail -c 600 "$T/seeds.log")"
fi
for src in "$HEARTH_ROOT"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	inputs=("$S/$t"/*)
	if [ ! -x "$BIN/replay_$t" ]; then
		fail "fuzz_${t}_built" "no $BIN/replay_$t (make unit builds it)"
	elif [ ! -e "${inputs[0]}" ]; then
		fail "fuzz_${t}_seeds" "tests/fuzz/seeds.sh made no input for $t"
	elif TMPDIR="$T" "$BIN/replay_$t" "${inputs[@]}" >"$T/$t.log" 2>&1; then
		pass "fuzz_${t}_replays_${#inputs[@]}_inputs"
	else
		fail "fuzz_${t}_replays" "$(grep -m3 -E 'ERROR|runtime error|SUMMARY|Abort' "$T/$t.log") $(tail -c 800 "$T/$t.log")"
	fi
done
