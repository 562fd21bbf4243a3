# peer_records.sh - what a peer keeps and what waits for them, through the
# command line: hearth submit prints a receipt code once (32 base32
# letters in groups of four), stored only as a hash and found again in any
# case; a story whose storyteller confirms before publishing (as a web
# submission does) cannot be published, by hearth publish either, until
# they have confirmed the version an editor approved.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
printf 'Some mornings are slow.\n' >"$T/story.md"

ok submit -C "$L" submit "$T/story.md" --title "Slow mornings" --consent site
CODE=$(sed -n 's/^your receipt code: //p' "$OUT")
check receipt_printed test -n "$CODE"
check receipt_shape grep -Eq '^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$' <(printf '%s\n' "$CODE")
check says_keep_it grep -q "keep this code" "$OUT"
check receipt_hash_stored test "$(sqlite3 "$L/hearth.db" \
	"SELECT length(receipt_hash) FROM stories WHERE slug = 'slow-mornings'")" -eq 64
check receipt_not_in_db ! grep -aq "${CODE:0:14}" "$L/hearth.db"
check receipt_not_in_export sh -c "'$HEARTH' -C '$L' export --private | grep -q '${CODE:0:14}'; test \$? -ne 0"
check via_recorded test "$(sqlite3 "$L/hearth.db" \
	"SELECT via FROM stories WHERE slug = 'slow-mornings'")" = "hearth submit"
check submit_audited_with_via test "$(sqlite3 "$L/hearth.db" \
	"SELECT count(*) FROM audit WHERE action = 'submit' AND detail LIKE '%via hearth submit%'")" -eq 1

ok second_submit -C "$L" submit "$T/story.md" --title "Slow mornings" --consent site
CODE2=$(sed -n 's/^your receipt code: //p' "$OUT")
check receipts_differ test "$CODE" != "$CODE2"

# ---- a story whose storyteller confirms ------------------------------------
# (a web submission with serve.peer_confirm: the form sets it; here by hand)
sqlite3 "$L/hearth.db" "UPDATE stories SET peer_confirms = 1 WHERE slug = 'slow-mornings'"
ok review_start -C "$L" review slow-mornings --start
ok approve -C "$L" review slow-mornings --approve
check approval_recorded test "$(sqlite3 "$L/hearth.db" \
	"SELECT approved_version FROM stories WHERE slug = 'slow-mornings'")" -eq 1
refuses publish_waits 1 "has not confirmed the approved version" -C "$L" publish slow-mornings
refuses publish_at_waits 1 "has not confirmed" -C "$L" publish slow-mornings --at 2030-01-01
check still_approved test "$(sqlite3 "$L/hearth.db" \
	"SELECT status FROM stories WHERE slug = 'slow-mornings'")" = approved
# a confirmation of another version than the current one does not count
sqlite3 "$L/hearth.db" "UPDATE stories SET confirmed_version = 1, version = 2 WHERE slug = 'slow-mornings'"
refuses stale_confirmation 1 "changed since" -C "$L" publish slow-mornings
sqlite3 "$L/hearth.db" "UPDATE stories SET confirmed_version = 2 WHERE slug = 'slow-mornings'"
ok publish_after_confirm -C "$L" publish slow-mornings
check published test "$(sqlite3 "$L/hearth.db" \
	"SELECT status FROM stories WHERE slug = 'slow-mornings'")" = published

# a command-line submission does not wait for a confirmation
ok review_other -C "$L" review slow-mornings-2 --start
ok approve_other -C "$L" review slow-mornings-2 --approve
ok publish_other -C "$L" publish slow-mornings-2
cleanup
