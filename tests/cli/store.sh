# store.sh - the store of originals and the one way in: a failed import
# never deletes what another import stored; slow intake work does not lock
# other commands out; gc deletes only what nothing refers to, and waits
# for the store lock; withdrawal purges cached renditions; erase removes
# originals, renditions and personal fields; submit and import refuse a
# bad file in the same words.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
"$HEARTH" init "$L" >/dev/null && site_address "$L"

# objects LIB: every object file in the store, one per line
objects() { (cd "$1/store" && find . -type f | sort); }
# object_of FILE: the store path of FILE's bytes, relative to the library
object_of() { local h; h=$(sha256sum "$1" | cut -c1-64); echo "store/${h:0:2}/$h"; }
# cached LIB FILE: how many cache entries were made from FILE's bytes
cached() { local h; h=$(sha256sum "$2" | cut -c1-64); find "$1/cache" -name "$h-*" 2>/dev/null | wc -l; }
# referenced LIB: the distinct hashes the catalogue's assets name
referenced() {
	"$HEARTH" -C "$1" export --private |
		python3 -c "import json,sys; d=json.load(sys.stdin); print(len({a['sha256'] for s in d['stories'] for a in s.get('assets',[])}))"
}

# a long sound; an import is held in flight by HEARTH_TEST_IMPORT_HOLD
# (media/ingest.c), not by being slow: on a quiet machine three copies of
# this took in under a second
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
	-i "sine=frequency=330:duration=600:sample_rate=22050" -ac 1 -b:a 32k "$T/long.mp3"

# ---- two imports at once, one fails ------------------------------------
# one import of two bundles: first a long one (not published, so builds
# leave it alone), then a small one that the build renders
mkdir -p "$C/pair/a-long" "$C/pair/keep" "$C/bad"
cp "$T/long.mp3" "$C/pair/a-long/long.mp3"
STATUS=submitted bundle "$C/pair" a-long "A long one" "audio: long.mp3"
tone "$C/pair/keep/voice.flac" 2
picture "$C/pair/keep/art.png"
bundle "$C/pair" keep "Keep" "audio: voice.flac
art: [{file: art.png, alt: Coloured bars}]"
tone "$C/bad/first.flac" 1 550
echo "this is not a picture" >"$C/bad/broken.png"
bundle "$C" bad "Bad" "audio: first.flac
art: [{file: broken.png, alt: Not a picture}]"

# held_import NAME DIR: starts an import of DIR that takes in its files
# and then waits, before recording anything, until held_release NAME;
# sets held_pid, and returns once the import is waiting (a minute at most)
held_import() {
	rm -f "$T/$1.go" "$T/$1.go.held"
	HEARTH_TEST_IMPORT_HOLD="$T/$1.go" "$HEARTH" -C "$L" import "$2" \
		>"$T/$1.out" 2>"$T/$1.err" &
	held_pid=$!
	for _ in $(seq 600); do
		[ -e "$T/$1.go.held" ] || ! kill -0 "$held_pid" 2>/dev/null && break
		sleep 0.1
	done
	check "${1}_import_in_flight" test -e "$T/$1.go.held"
}
held_release() { touch "$T/$1.go"; }

held_import pair "$C/pair"
keep_pid=$held_pid
refuses failing_import_refused 1 "broken\.png" -C "$L" import "$C/bad"
check pair_import_still_waiting kill -0 "$keep_pid"
held_release pair
wait "$keep_pid"
check long_import_succeeds test $? -eq 0
for f in pair/a-long/long.mp3 pair/keep/voice.flac pair/keep/art.png; do
	check "other_import_kept_${f//[\/.]/_}" test -f "$L/$(object_of "$C/$f")"
done
ok build_after_concurrent_imports -C "$L" build
check story_of_other_import_built test -f "$L/public/stories/keep/index.html"
check no_orphan_left test "$(objects "$L" | wc -l)" -eq "$(referenced "$L")"

# ---- gc: orphans go, referenced objects and unknown names stay ---------
orphan="$T/orphan.bin"
echo "an object a killed import left behind" >"$orphan"
oh=$(sha256sum "$orphan" | cut -c1-64)
mkdir -p "$L/store/${oh:0:2}"
cp "$orphan" "$L/store/${oh:0:2}/$oh"
cp "$orphan" "$L/store/${oh:0:2}/$oh.tmp-Ab12Cd"
echo keep >"$L/store/README-not-an-object"
before=$(objects "$L" | wc -l)
ok gc_runs -C "$L" gc
check gc_removes_orphan test ! -e "$L/store/${oh:0:2}/$oh"
check gc_removes_unfinished test ! -e "$L/store/${oh:0:2}/$oh.tmp-Ab12Cd"
check gc_says_what grep -q "deleted 1 original" "$OUT"
check gc_keeps_unknown_names test -f "$L/store/README-not-an-object"
rm -f "$L/store/README-not-an-object"
check gc_keeps_referenced test "$(objects "$L" | wc -l)" -eq $((before - 3))
ok build_after_gc -C "$L" build
refuses gc_takes_no_operand 2 "unexpected" -C "$L" gc extra

# gc never takes an object stored under a shared lock (an import not yet
# committed), and `hearth gc` waits for the lock instead
mkdir -p "$L/store/${oh:0:2}"
cp "$orphan" "$L/store/${oh:0:2}/$oh"
# hold_store: holds the store lock shared until release_store (at most 60 s)
hold_store() {
	rm -f "$T/locked" "$T/release"
	timeout 60 flock -s "$L/.lock-store" \
		-c "touch '$T/locked'; while [ ! -e '$T/release' ]; do sleep 0.1; done" &
	lock_pid=$!
	for _ in $(seq 200); do [ -e "$T/locked" ] && break; sleep 0.1; done
}
release_store() { touch "$T/release"; wait "$lock_pid"; }
hold_store
ok build_while_store_locked -C "$L" build
check gc_after_build_skips_locked_store test -f "$L/store/${oh:0:2}/$oh"
# released a moment after gc starts, which must wait for it and say so
( sleep 2; touch "$T/release" ) &
timeout 60 "$HEARTH" -C "$L" gc >"$OUT" 2>"$ERR"
check gc_waits_then_runs test $? -eq 0
check gc_said_it_waits grep -q "waiting" "$ERR"
check gc_removed_after_wait test ! -e "$L/store/${oh:0:2}/$oh"
release_store

# ---- list and withdraw while a long import runs ------------------------
mkdir -p "$C/early"
tone "$C/early/voice.flac" 1 700
bundle "$C" early "Early" "audio: voice.flac"
ok import_early -C "$L" import "$C/early"
ok build_early -C "$L" build
check early_has_renditions test "$(cached "$L" "$C/early/voice.flac")" -gt 0
for i in 1 2 3; do
	mkdir -p "$C/slow/slow-$i"
	# the same bytes: stored once, but each copy is decoded at intake
	cp "$T/long.mp3" "$C/slow/slow-$i/long.mp3"
	STATUS=submitted bundle "$C/slow" "slow-$i" "Slow $i" "audio: long.mp3"
done
held_import slow "$C/slow"
slow_pid=$held_pid
check slow_import_still_running kill -0 "$slow_pid"
ok list_during_import -C "$L" list
check list_does_not_wait_for_import ! grep -q "slow-1" "$OUT"
ok withdraw_during_import -C "$L" withdraw early --reason "PRIVATE-REASON-TEXT"
check withdraw_says_purged grep -q "cached rendition" "$OUT"
check import_outlasts_withdraw kill -0 "$slow_pid"
held_release slow
wait "$slow_pid"
rc=$?
check slow_import_succeeds test "$rc" -eq 0
[ "$rc" -eq 0 ] || head -c 600 "$T/slow.err"
ok list_after_import -C "$L" list
check slow_stories_listed grep -q "slow-3" "$OUT"
check early_is_withdrawn grep -Eq "early +withdrawn" "$OUT"

# ---- withdrawal purges the story's renditions --------------------------
check withdraw_purged_cache test "$(cached "$L" "$C/early/voice.flac")" -eq 0
check keep_renditions_stay test "$(cached "$L" "$C/pair/keep/voice.flac")" -gt 0

# a rendition of a file two stories share stays while one of them is public
mkdir -p "$C/twin-a" "$C/twin-b"
tone "$C/twin-a/voice.flac" 1 880
cp "$C/twin-a/voice.flac" "$C/twin-b/voice.flac"
bundle "$C" twin-a "Twin A" "audio: voice.flac"
bundle "$C" twin-b "Twin B" "audio: voice.flac"
ok import_twins -C "$L" import "$C/twin-a" "$C/twin-b"
ok build_twins -C "$L" build
ok withdraw_twin_a -C "$L" withdraw twin-a
check shared_rendition_kept test "$(cached "$L" "$C/twin-a/voice.flac")" -gt 0

# ---- erase -------------------------------------------------------------
refuses erase_refuses_published 1 "story 'keep' is published; only a withdrawn story" \
	-C "$L" erase keep
refuses erase_needs_slug 2 "slug" -C "$L" erase
refuses erase_unknown 1 "does not exist" -C "$L" erase nobody
# another connection keeps the catalogue open through the erase (as serve
# would), so that closing hearth does not checkpoint it away by itself
mkfifo "$T/hold"
sqlite3 "$L/hearth.db" <"$T/hold" >/dev/null 2>&1 &
hold_pid=$!
exec 9>"$T/hold"
echo "SELECT count(*) FROM stories;" >&9
# the words looked for after the erase are there before it
for secret in "The body of Early" "A short summary of Early" "PRIVATE-REASON-TEXT"; do
	check "bytes_there_before_erase_${secret// /_}" \
		sh -c 'cat "$1/hearth.db" "$1/hearth.db-wal" 2>/dev/null | grep -aqF "$2"' _ "$L" "$secret"
done
ok erase_withdrawn -C "$L" erase early
check erased_original_gone test ! -e "$L/$(object_of "$C/early/voice.flac")"
check erased_renditions_gone test "$(cached "$L" "$C/early/voice.flac")" -eq 0
ok export_after_erase -C "$L" export --private
python3 - "$OUT" <<'PY' >"$T/erase.check" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["stories"] if s["slug"] == "early"][0]
text = json.dumps(s)
for secret in ("Casey Example", "PRIVATE-REASON-TEXT", "voice.flac", "The body of Early",
               "A short summary of Early", '"Jo"'):
    assert secret not in text, secret
assert s["title"] == "(erased)", s["title"]
assert not s.get("assets"), s.get("assets")
PY
check erase_clears_personal_fields test ! -s "$T/erase.check"
# nor are the words left in the catalogue's files: not in free space, not
# in the write-ahead log, while another connection keeps the log open
for secret in "The body of Early" "A short summary of Early" "PRIVATE-REASON-TEXT"; do
	check "erased_bytes_gone_${secret// /_}" \
		sh -c '! cat "$1/hearth.db" "$1/hearth.db-wal" 2>/dev/null | grep -aqF "$2"' _ "$L" "$secret"
done
exec 9>&-
wait "$hold_pid"
ok show_after_erase -C "$L" show early
check erase_audited grep -q "erase" "$OUT"
check audit_has_no_reason ! grep -q "PRIVATE-REASON-TEXT" "$OUT"
ok erase_twin_a -C "$L" erase twin-a
check shared_original_kept test -f "$L/$(object_of "$C/twin-b/voice.flac")"
check shared_rendition_kept_after_erase test "$(cached "$L" "$C/twin-b/voice.flac")" -gt 0
ok build_after_erase -C "$L" build
check erased_story_not_built test ! -e "$L/public/stories/early"

# ---- one way in: submit and import refuse a bad file in the same words ---
mkdir -p "$C/same"
head -c 3000 "$C/pair/keep/voice.flac" >"$C/same/voice.flac"
bundle "$C" same "Same" "audio: voice.flac"
run -C "$L" import "$C/same"
head -n 1 "$ERR" | sed 's/^hearth: import: //' >"$T/import.msg"
run -C "$L" submit "$C/same/voice.flac" --title "Same"
head -n 1 "$ERR" | sed 's/^hearth: submit: //' >"$T/submit.msg"
check same_refusal_both_ways cmp -s "$T/import.msg" "$T/submit.msg"
check refusal_names_file grep -q "same/voice.flac" "$T/submit.msg"
check no_orphan_after_refusals test "$(objects "$L" | wc -l)" -eq "$(referenced "$L")"
