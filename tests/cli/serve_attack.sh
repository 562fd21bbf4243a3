# serve_attack.sh - the peers' and editors' pages as an attacker meets
# them: editor pages refuse strangers, forged, missing and replayed form
# tokens are refused, bad, revoked, expired and used-up invitations and
# unknown receipt codes get one answer each and are rate-limited, a
# disguised executable is refused with nothing recorded, paths with '..'
# lead nowhere, and a server killed with SIGKILL in the middle of an
# upload loses nothing it had accepted and keeps no half-story.
# Other loopback addresses (curl --interface 127.0.0.N) stand for other
# clients, so one section's rate limits do not spill into the next.
# Everything runs on 127.0.0.x, every loop is bounded in count and time.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
Q="$L/quarantine"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
"$HEARTH" -C "$L" build >/dev/null 2>&1
PW="a long enough password"
printf '%s\n' "$PW" | "$HEARTH" -C "$L" editor add jo >/dev/null 2>"$T/editor.err"

# invite ARGS...: a new invitation's token
invite() { "$HEARTH" -C "$L" invite "$@" 2>/dev/null | grep -o 'invite=[A-Za-z0-9_-]*' | head -n 1 | cut -d= -f2; }
MANY=$(invite --uses 20)
ONCE=$(invite --uses 1)
REVOKED=$(invite --note revoke-me)
"$HEARTH" -C "$L" invite --revoke "$("$HEARTH" -C "$L" invite --list | grep revoke-me | awk '{print $1}')" \
	>/dev/null 2>&1
# made an hour ago (the command's clock set back) and past its time for
# half an hour: expired however slowly this machine runs
EXPIRED=$(SOURCE_DATE_EPOCH=$(($(date +%s) - 3600)) invite \
	--expires "$(date -u -d '-30 minutes' +%Y-%m-%dT%H:%M:%SZ)")
check invitations_made test -n "$MANY" -a -n "$ONCE" -a -n "$REVOKED" -a -n "$EXPIRED"

start() { serve_up "$L"; }
start
check server_answers curl -s -o /dev/null --max-time 5 "$B/"

# req FROM PATH [CURL-ARGS...]: a request from 127.0.0.FROM; $CODE, $T/head, $T/body
req() {
	local from=$1 p=$2
	shift 2
	rm -f "$T/body" "$T/head"
	CODE=$(curl -s --path-as-is --max-time 60 --interface "127.0.0.$from" -o "$T/body" \
		-D "$T/head" -w '%{http_code}' "$@" "$B$p")
}
hdr() { grep -i "^$1:" "$T/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
is() {
	if [ "$CODE" = "$2" ]; then pass "$1"; else
		fail "$1" "status $CODE, wanted $2: $(head -c 300 "$T/body" 2>/dev/null)"; fi
}
csrf() { grep -o '<input[^>]*name="csrf"[^>]*>' "$T/body" | head -n 1 | sed 's/.*value="\([^"]*\)".*/\1/'; }
count() { "$HEARTH" -C "$L" list --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# ---- editor pages refuse strangers ---------------------------------------------------------------
HASH=$(printf x | sha256sum | cut -d' ' -f1)
for p in /editor /editor/story/x /editor/collections /editor/feedback /editor/audit /editor/build \
	"/editor/file/$HASH"; do
	req 2 "$p"
	if [ "$CODE" = 303 ] && [ "$(hdr Location)" = /editor/signin ]; then pass "stranger_get_${p//\//_}"
	else fail "stranger_get_${p//\//_}" "status $CODE, Location '$(hdr Location)'"; fi
	req 2 "$p" -b 'hearth_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
	if [ "$CODE" = 303 ]; then pass "forged_session_get_${p//\//_}"
	else fail "forged_session_get_${p//\//_}" "status $CODE"; fi
done
for p in /editor/build /editor/story/x/publish /editor/story/x/erase /editor/collections /editor/signout; do
	req 2 "$p" -d 'csrf=x&sure=yes'
	is "stranger_post_${p//\//_}_403" 403
done
check strangers_changed_nothing test "$(count)" = 0

# ---- form tokens: missing, forged, replayed --------------------------------------------------------
req 3 /feedback
TOK=$(csrf)
req 3 /feedback --data-urlencode 'message=no token'
is feedback_without_token_403 403
req 3 /feedback --data-urlencode 'csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' --data-urlencode 'message=forged'
is feedback_forged_token_403 403
req 3 /feedback --data-urlencode "csrf=$TOK" --data-urlencode 'message=the real one'
check feedback_with_token_taken test "$CODE" = 200 -o "$CODE" = 303
req 3 /feedback --data-urlencode "csrf=$TOK" --data-urlencode 'message=replayed'
is feedback_replayed_token_403 403

# an editor's token is bound to the session it was given in
JA="$T/jar-a"
JB="$T/jar-b"
signin() {  # signin JAR: signs jo in, keeping the cookie in JAR
	req 4 /editor/signin -b "$1" -c "$1"
	req 4 /editor/signin -b "$1" -c "$1" --data-urlencode "csrf=$(csrf)" -d name=jo \
		--data-urlencode "password=$PW"
}
signin "$JA"
is editor_signs_in 303
signin "$JB"
req 4 /editor/build -b "$JA"
TOK_A=$(csrf)
check editor_form_has_token test -n "$TOK_A"
req 4 /editor/build -b "$JB" -d "csrf=$TOK_A"
is other_sessions_token_403 403
req 4 /editor/build -b "$JA" -d "csrf=$TOK_A"
is token_spent_by_the_failed_try_403 403
req 4 /editor/build -b "$JA" -d "csrf=$(printf '%s' "$TOK_A" | tr 'A-Za-z' 'B-ZAb-za')"
is editor_forged_token_403 403
# signing in again and again: rate-limited
: >"$T/codes"
for _ in $(seq 12); do
	req 5 /editor/signin
	req 5 /editor/signin --data-urlencode "csrf=$(csrf)" -d name=jo -d password=wrong-password-here
	echo "$CODE" >>"$T/codes"
done
check signin_attempts_limited grep -q '^429$' "$T/codes"

# ---- invitations: one answer for every bad one, and a limit -----------------------------------------
req 6 "/submit?invite=$ONCE"
TOK=$(csrf)
req 6 /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=Spends the invitation" \
	-F "text=Words." -F "consent_site=yes"
is once_submitted_303 303
req 6 "/submit?invite=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
is unknown_invite_403 403
cp "$T/body" "$T/refused"
for kind in ONCE REVOKED EXPIRED; do
	req 6 "/submit?invite=${!kind}"
	is "${kind,,}_invite_403" 403
	check "${kind,,}_invite_same_answer" cmp -s "$T/body" "$T/refused"
done
: >"$T/codes"
for i in $(seq 30); do
	req 7 "/submit?invite=guess$i"
	echo "$CODE" >>"$T/codes"
	[ "$CODE" = 429 ] && break
done
check invite_guesses_limited grep -q '^429$' "$T/codes"
check invite_limit_says_when test -n "$(hdr Retry-After)"

# ---- receipt codes -------------------------------------------------------------------------------------
req 8 /receipt/AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH
is unknown_receipt_404 404
cp "$T/body" "$T/unknown"
req 8 "/receipt/%3Cscript%3E"
is odd_receipt_404 404
check odd_receipt_same_answer cmp -s "$T/body" "$T/unknown"
: >"$T/codes"
for i in $(seq 30); do
	req 9 "/receipt/GUESS-$i"
	echo "$CODE" >>"$T/codes"
	[ "$CODE" = 429 ] && break
done
check receipt_guesses_limited grep -q '^429$' "$T/codes"

# ---- a disguised executable --------------------------------------------------------------------------------
cp "$(type -P true)" "$T/voice.mp3"
BEFORE=$(count)
req 10 "/submit?invite=$MANY"
TOK=$(csrf)
req 10 /submit -F "csrf=$TOK" -F "invite=$MANY" -F "title=Disguised" -F "text=Words." \
	-F "consent_site=yes" -F "audio=@$T/voice.mp3;type=audio/mpeg"
is executable_refused_422 422
check executable_refusal_names_the_file grep -q 'voice.mp3' "$T/body"
check executable_refusal_is_an_alert grep -q 'role="alert"' "$T/body"
check executable_recorded_nothing test "$(count)" = "$BEFORE"
for _ in $(seq 50); do [ -z "$(ls -A "$Q")" ] && break; sleep 0.1; done
check executable_not_left_in_quarantine test -z "$(ls -A "$Q")"

# ---- paths with '..' ------------------------------------------------------------------------------------------
: >"$T/bodies"
for p in /receipt/../hearth.yaml /receipt/%2e%2e/%2e%2e/hearth.yaml /editor/%2e%2e/hearth.yaml \
	/editor/file/..%2f..%2fhearth.db /submit/../hearth.yaml /%2e%2e/hearth.yaml \
	/editor/story/%2E%2E/erase '/receipt/..%5c..%5chearth.yaml' /_hearth/../hearth.yaml \
	/_hearth/%2e%2e/hearth.yaml; do
	req 11 "$p"
	cat "$T/body" >>"$T/bodies"
	case "$CODE" in 400 | 404) pass "dotdot_${p//[^a-z0-9]/_}" ;;
	*) fail "dotdot_${p//[^a-z0-9]/_}" "status $CODE for $p" ;; esac
done
check nothing_of_the_library_leaks ! grep -q -e base_url -e 'SQLite format' "$T/bodies"

# ---- SIGKILL in the middle of an upload ------------------------------------------------------------------------
for i in 1 2 3; do
	req 12 "/submit?invite=$MANY"
	TOK=$(csrf)
	req 12 /submit -F "csrf=$TOK" -F "invite=$MANY" -F "title=Accepted story $i" \
		-F "text=Story $i, kept." -F "consent_site=yes"
	is "accepted_${i}_303" 303
done
ACCEPTED=$(count)
check four_accepted test "$ACCEPTED" = 4
req 12 "/submit?invite=$MANY"
TOK=$(csrf)
python3 - "$PORT" "$MANY" "$TOK" >"$T/upload.out" 2>&1 <<'PY' &
import socket, sys, time
port, invite, tok = int(sys.argv[1]), sys.argv[2], sys.argv[3]
b = "XyZhalfway"
head = ""
for k, v in (("csrf", tok), ("invite", invite), ("title", "Half a story"), ("text", "Never whole."),
             ("consent_site", "yes")):
    head += '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (b, k, v)
head += '--%s\r\nContent-Disposition: form-data; name="audio"; filename="long.wav"\r\n' % b
head += "Content-Type: audio/wav\r\n\r\n"
total = 50 * 1000 * 1000
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(("POST /submit HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=%s\r\n"
           "Content-Length: %d\r\n\r\n" % (b, len(head) + total)).encode() + head.encode())
sent = 0
end = time.time() + 30
try:
    while sent < total and time.time() < end:
        s.sendall(b"\0" * 65536)
        sent += 65536
        if sent > 2000000:
            time.sleep(0.05)
except OSError:
    pass
print("sent", sent)
PY
UP=$!
# wait for the upload to be half in the quarantine, then kill the server
for _ in $(seq 200); do
	[ -n "$(find "$Q" -type f -size +1000k 2>/dev/null)" ] && break
	sleep 0.1
done
check upload_under_way test -n "$(find "$Q" -type f -size +1000k 2>/dev/null)"
kill -KILL "$SPID"
wait "$SPID" 2>/dev/null
SPID=
wait "$UP" 2>/dev/null
check quarantine_left_by_the_kill test -n "$(ls -A "$Q")"
start
check restarted curl -s -o /dev/null --max-time 5 "$B/"
check quarantine_cleared_after_restart test -z "$(ls -A "$Q")"
check accepted_stories_all_there test "$(count)" = "$ACCEPTED"
"$HEARTH" -C "$L" list >"$T/list" 2>&1
for i in 1 2 3; do
	check "story_${i}_there" grep -q "Accepted story $i" "$T/list"
done
check no_half_story ! grep -q 'Half a story' "$T/list"
req 13 "/submit?invite=$MANY"
is serves_after_restart 200
