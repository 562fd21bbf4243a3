# backup.sh - hearth backup DEST: a copy of the catalogue taken while
# another hearth keeps submitting stories is whole (SQLite's integrity
# check passes), holds every story committed before the backup began, and
# together with the store and hearth.yaml makes a library that works; an
# existing DEST is refused and left alone; nothing is left half-written.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
printf 'A short story, told for the backup test.\n' >"$T/story.md"
tone "$T/voice.wav" 1

# ---- a backup while submissions go on -----------------------------------
# at most 60 submissions or 60 seconds, whichever comes first
(
	end=$((SECONDS + 60))
	for i in $(seq 1 60); do
		[ "$SECONDS" -lt "$end" ] || break
		[ -e "$T/stop" ] && break
		"$HEARTH" -C "$L" submit "$T/story.md" --title "Loop story $i" \
			--consent both >/dev/null 2>>"$T/loop.err" || echo "$i" >>"$T/loop.failed"
	done
	touch "$T/loop.done"
) &
LOOP=$!

# wait (at most 30 s) until a few stories are in, so the copy is taken mid-loop
for _ in $(seq 1 300); do
	n=$("$HEARTH" -C "$L" list 2>/dev/null | wc -l)
	[ "$n" -ge 5 ] && break
	sleep 0.1
done
"$HEARTH" -C "$L" list | awk '{print $1}' | sort >"$T/before"
ok backup_while_writing -C "$L" backup "$T/copies/catalogue.db"
check loop_still_running ! test -e "$T/loop.done"
touch "$T/stop"
wait "$LOOP"
check submissions_not_disturbed ! test -s "$T/loop.failed"
check five_or_more_before test "$(wc -l <"$T/before")" -ge 5

C="$T/copies/catalogue.db"
check copy_exists test -s "$C"
check copy_passes_integrity_check test "$(sqlite3 "$C" 'PRAGMA integrity_check')" = ok
check copy_is_one_file ! test -e "$C-wal"
check no_temporary_left test "$(ls "$T/copies")" = catalogue.db
sqlite3 "$C" 'SELECT slug FROM stories' | sort >"$T/in_copy"
check copy_holds_every_story_before test -z "$(comm -23 "$T/before" "$T/in_copy")"
check copy_holds_no_more_than_the_end \
	test "$(wc -l <"$T/in_copy")" -le "$("$HEARTH" -C "$L" list | wc -l)"
check says_what_to_copy_beside grep -q "store/.*hearth.yaml" "$OUT"
check says_to_copy_the_cover grep -q "cover.jpg (the show.s cover)" "$OUT"

# ---- the restore drill: the copy, the store and hearth.yaml --------------
R="$T/restored"
mkdir -p "$R"
cp "$C" "$R/hearth.db"
cp "$L/hearth.yaml" "$L/cover.jpg" "$R/" # the settings and the show image they name
cp -R "$L/store" "$R/"
ok restored_lists -C "$R" list
awk '{print $1}' "$OUT" | sort >"$T/restored_list"
check restored_has_the_stories cmp -s "$T/in_copy" "$T/restored_list"
S=$(head -n 1 "$T/before")
ok restored_shows_a_story -C "$R" show "$S"
ok restored_builds -C "$R" build

# ---- refusals -------------------------------------------------------------
echo "keep me" >"$T/existing"
refuses existing_dest_refused 1 "already exists" -C "$L" backup "$T/existing"
check existing_dest_untouched test "$(cat "$T/existing")" = "keep me"
refuses catalogue_itself_refused 1 "already exists" -C "$L" backup "$L/hearth.db"
mkdir "$T/somedir"
refuses existing_folder_refused 1 "already exists" -C "$L" backup "$T/somedir"
refuses no_dest_usage 2 "expected a destination" -C "$L" backup
refuses two_dests_usage 2 "expected one destination" -C "$L" backup "$T/a.db" "$T/b.db"
refuses no_library 1 "" -C "$T/nowhere" backup "$T/c.db"
check nothing_written_without_library ! test -e "$T/c.db"
