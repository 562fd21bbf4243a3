# invite.sh - hearth invite: the link it prints carries a random token that
# works as many times as allowed and then is refused; expired and revoked
# invitations are refused the same way; the token is stored nowhere in
# clear (not in hearth.db, not in the private export) and never listed;
# bad options are usage errors.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
REFUSED="this invitation link cannot be used"

# token_of: the token of the link in $OUT
token_of() { sed -n 's|^https://stories\.example\.net/submit?invite=||p' "$OUT"; }

# ---- a link for one use --------------------------------------------------
ok new_once -C "$L" invite --uses 1 --note "for the reading group"
TOK=$(token_of)
check link_shape grep -Eq '^https://stories\.example\.net/submit\?invite=[A-Za-z0-9_-]{43}$' "$OUT"
check link_is_one_line test "$(wc -l <"$OUT")" -eq 1
check token_url_safe_no_padding ! grep -q '[=+/]' <(printf '%s' "$TOK")
ok use_once -C "$L" invite --use "$TOK"
refuses used_up_refused 1 "$REFUSED" -C "$L" invite --use "$TOK"
refuses unknown_refused 1 "$REFUSED" -C "$L" invite --use "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
refuses empty_refused 1 "$REFUSED" -C "$L" invite --use ""

# two links are never the same
ok new_other -C "$L" invite
TOK2=$(token_of)
check tokens_differ test "$TOK" != "$TOK2"
ok unlimited_use_1 -C "$L" invite --use "$TOK2"
ok unlimited_use_2 -C "$L" invite --use "$TOK2"

# ---- expired -------------------------------------------------------------
# made "in 2024" with an expiry in 2024, used "in 2025"
SOURCE_DATE_EPOCH=1704067200 "$HEARTH" -C "$L" invite --expires 2024-06-01 >"$OUT" 2>"$ERR"
EXP=$(token_of)
check expiring_made test -n "$EXP"
RC=0; SOURCE_DATE_EPOCH=1715000000 "$HEARTH" -C "$L" invite --use "$EXP" >/dev/null 2>&1 || RC=$?
check usable_before_expiry test "$RC" -eq 0
# a date alone lasts to the end of that day (UTC)
RC=0; SOURCE_DATE_EPOCH=1717243000 "$HEARTH" -C "$L" invite --use "$EXP" >/dev/null 2>&1 || RC=$?
check usable_on_last_day test "$RC" -eq 0
SOURCE_DATE_EPOCH=1735689600 "$HEARTH" -C "$L" invite --use "$EXP" >"$OUT" 2>"$ERR"
RC=$?
check expired_refused test "$RC" -eq 1
check expired_same_message grep -q "$REFUSED" "$ERR"
check expired_says_nothing_more ! grep -qi "expire" "$ERR"

# ---- revoked -------------------------------------------------------------
ok new_to_revoke -C "$L" invite --note "to revoke"
REV=$(token_of)
ID=$("$HEARTH" -C "$L" invite --list | awk '$NF == "revoke" && $(NF-1) == "to" {print $1}')
check revoke_id_listed test -n "$ID"
ok revoke -C "$L" invite --revoke "$ID"
refuses revoked_refused 1 "$REFUSED" -C "$L" invite --use "$REV"
refuses revoke_twice 1 "already revoked" -C "$L" invite --revoke "$ID"
refuses revoke_unknown 1 "does not exist" -C "$L" invite --revoke 999
check revoke_audited test "$(sqlite3 "$L/hearth.db" \
	"SELECT count(*) FROM audit WHERE action = 'invite_revoke' AND detail = 'invite $ID revoked'")" -eq 1

# ---- listing -------------------------------------------------------------
ok list -C "$L" invite --list
check list_has_note grep -q "for the reading group" "$OUT"
check list_used_up grep -Eq "^1 .* 0 +used up " "$OUT"
check list_revoked grep -Eq "revoked [0-9]{4}-" "$OUT"
check list_expired grep -q "expired" "$OUT"
check list_unlimited grep -q "unlimited" "$OUT"
for t in "$TOK" "$TOK2" "$EXP" "$REV"; do
	check list_never_shows_token ! grep -qF "$t" "$OUT"
done

# ---- the token is kept nowhere in clear ----------------------------------
sqlite3 "$L/hearth.db" .dump >"$T/dump.sql"
check dump_nonempty grep -q "CREATE TABLE invites" "$T/dump.sql"
"$HEARTH" -C "$L" export --private >"$T/export.json" 2>/dev/null
check export_ran test -s "$T/export.json"
for t in "$TOK" "$TOK2" "$EXP" "$REV"; do
	check token_not_in_db ! grep -qF "$t" "$T/dump.sql"
	check token_not_in_files ! grep -rqF "$t" "$L"
	check token_not_in_export ! grep -qF "$t" "$T/export.json"
done
check hashes_stored test "$(sqlite3 "$L/hearth.db" \
	"SELECT count(*) FROM invites WHERE length(token_hash) = 64")" -eq 4

# ---- usage errors --------------------------------------------------------
refuses uses_zero 2 "--uses" -C "$L" invite --uses 0
refuses uses_negative 2 "--uses" -C "$L" invite --uses -3
refuses uses_word 2 "--uses" -C "$L" invite --uses many
refuses expires_bad 2 "--expires" -C "$L" invite --expires 2024-13-40
refuses expires_word 2 "--expires" -C "$L" invite --expires soon
refuses expires_past 2 "already past" -C "$L" invite --expires 2001-01-01
refuses revoke_not_id 2 "--revoke" -C "$L" invite --revoke abc
refuses list_and_revoke 2 "one at a time" -C "$L" invite --list --revoke 1
refuses list_with_note 2 "new invitation" -C "$L" invite --list --note x
refuses operand 2 "" -C "$L" invite extra
check usage_made_nothing test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM invites")" -eq 4
ok help -C "$L" invite --help
check help_mentions_list grep -q -- "--list" "$OUT"
