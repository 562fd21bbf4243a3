# serve_console.sh - the editors' console of `hearth serve` as an editor and
# an attacker meet it: signing in (a wrong password refused, the cookie's
# flags, attempts rate-limited), the queue, a story's page with everything
# escaped, review, consent, publish, collections, a build started from the
# browser and watched until it ends, withdrawal and erasure, and the forms
# refused without a valid one-time token. Everything runs on 127.0.0.1,
# every loop is bounded in count and time.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
PW="a long enough password"
printf '%s\n' "$PW" | "$HEARTH" -C "$L" editor add jo >/dev/null 2>"$T/editor.err"
check editor_added grep -q jo <("$HEARTH" -C "$L" editor list 2>&1)

# a peer's story from the command line, its title and text full of markup
printf 'She said we <3 walks & meant it.\n\nA second paragraph.\n' >"$T/story.md"
tone "$T/voice.wav" 1
"$HEARTH" -C "$L" submit "$T/story.md" "$T/voice.wav" --title 'Night <script>x</script> walk' \
	--pseudonym Wren --attribution pseudonym >"$T/submit.out" 2>&1
SLUG=$("$HEARTH" -C "$L" list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["slug"])')
check story_submitted test -n "$SLUG"
"$HEARTH" -C "$L" build >/dev/null 2>&1

serve_up "$L"

J="$T/jar"
mkdir -p "$T/pages"
# keep NAME: the last page, for the markup check at the end
keep() { cp "$T/body" "$T/pages/$1.html"; }
J2="$T/jar2"
# get PATH [CURL-ARGS...]: as the editor of jar $J; status in $CODE, $T/head, $T/body
get() {
	local p=$1
	shift
	rm -f "$T/body" "$T/head"
	CODE=$(curl -s --max-time 30 -o "$T/body" -D "$T/head" -w '%{http_code}' \
		-b "$J" -c "$J" "$@" "$B$p")
}
hdr() { grep -i "^$1:" "$T/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
# token ACTION: the csrf field of the form posting to ACTION in the last body
token() {
	python3 - "$1" "$T/body" <<'PY'
import sys
from html.parser import HTMLParser
want, path = sys.argv[1], sys.argv[2]
class P(HTMLParser):
    form = None
    found = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = a.get("action")
        elif tag == "input" and a.get("name") == "csrf" and self.form == want and not self.found:
            self.found = a.get("value")
p = P()
p.feed(open(path, encoding="utf-8").read())
print(p.found or "")
PY
}
# post PATH FIELD=VALUE...: a form as a browser sends it (url-encoded)
post() {
	local p=$1 args=()
	shift
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	get "$p" "${args[@]}"
}
# is NAME CODE [LOCATION]: the last answer's status (and redirect)
is() {
	if [ "$CODE" != "$2" ]; then
		fail "$1" "status $CODE, wanted $2: $(head -c 300 "$T/body" 2>/dev/null)"
	elif [ -n "${3:-}" ] && [ "$(hdr Location)" != "$3" ]; then
		fail "$1" "Location '$(hdr Location)', wanted '$3'"
	else
		pass "$1"
	fi
}
has() { if grep -qF -- "$2" "$T/body"; then pass "$1"; else fail "$1" "no '$2' in the page"; fi; }
lacks() { if grep -qF -- "$2" "$T/body"; then fail "$1" "'$2' in the page"; else pass "$1"; fi; }
status_of() {
	"$HEARTH" -C "$L" list --json | python3 -c "import json,sys; print([s['status'] for s in json.load(sys.stdin) if s['slug']=='$1'][0])"
}

# ---- strangers ----------------------------------------------------------------------------------
get /editor
is stranger_sent_to_signin 303 /editor/signin
get "/editor/story/$SLUG"
is stranger_story_sent_to_signin 303 /editor/signin
post /editor/build csrf=x
is stranger_post_forbidden 403
check no_build_started test ! -e "$L/.serve-build.log"

# ---- signing in ---------------------------------------------------------------------------------
get /editor/signin
is signin_page 200
keep signin
has signin_has_password_field 'type="password"'
post /editor/signin "csrf=$(token /editor/signin)" name=jo "password=not the password"
is wrong_password_refused 403
has wrong_password_says_so "do not match"
check no_cookie_for_wrong_password ! grep -q hearth_session "$T/head"
get /editor/signin
post /editor/signin "csrf=$(token /editor/signin)" name=jo "password=$PW"
is right_password_signs_in 303 /editor
COOKIE=$(grep -i '^set-cookie: hearth_session=' "$T/head" | tr -d '\r')
case "$COOKIE" in *HttpOnly*SameSite=Strict* | *SameSite=Strict*HttpOnly*) pass cookie_flags ;;
*) fail cookie_flags "Set-Cookie is '$COOKIE'" ;; esac
case "$COOKIE" in *"Path=/editor"*) pass cookie_path ;; *) fail cookie_path "$COOKIE" ;; esac

# ---- the queue and the story --------------------------------------------------------------------
get /editor
is queue_page 200
has queue_lists_story "href=\"/editor/story/$SLUG\""
has queue_title_escaped 'Night &lt;script&gt;x&lt;/script&gt; walk'
lacks queue_no_raw_script '<script>x'
has queue_has_captions '<caption>Submitted, waiting for review (1)</caption>'
for a in /editor/collections /editor/feedback /editor/build /editor/audit; do
	has "nav_links_${a##*/}" "href=\"$a\""
done
has nav_sign_out_form 'action="/editor/signout"'

get "/editor/story/$SLUG"
is story_page 200
has story_text_escaped 'we &lt;3 walks &amp; meant it'
has story_title_escaped 'Night &lt;script&gt;x&lt;/script&gt; walk'
lacks story_no_raw_markup '<script>x'
has story_second_paragraph 'A second paragraph.'
has story_via_cli 'hearth submit'
has story_player '<audio controls'
keep story
SHA=$(grep -o '/editor/file/[0-9a-f]\{64\}' "$T/body" | head -n 1 | sed 's|.*/||')
check story_links_its_sound test -n "$SHA"
get "/editor/file/$SHA"
is original_served 200
case "$(hdr Content-Type)" in audio/*) pass original_type ;; *) fail original_type "$(hdr Content-Type)" ;; esac
get "/editor/file/$SHA" -H 'Range: bytes=0-9'
is original_range 206
get "/editor/file/$(printf '%064d' 0)"
is unknown_hash_not_found 404
get "/editor/file/../../hearth.db" --path-as-is
case "$CODE" in 400 | 404) pass dotdot_refused ;; *) fail dotdot_refused "status $CODE" ;; esac
get "/editor/file/$(echo "$SHA" | tr a-f A-F)"
is uppercase_hash_not_found 404
get /editor/story/no-such-story
is unknown_story_404 404

# ---- review -------------------------------------------------------------------------------------
get "/editor/story/$SLUG"
post "/editor/story/$SLUG/review" "csrf=$(token "/editor/story/$SLUG/review")" action=in_review
is review_in_review 303 "/editor/story/$SLUG?done=review"
get "/editor/story/$SLUG"
MSG='Could you add a line about the <bus>?'
post "/editor/story/$SLUG/review" "csrf=$(token "/editor/story/$SLUG/review")" action=changes \
	"message=$MSG" "note=private: ask gently"
is review_changes 303
check status_changes_requested test "$(status_of "$SLUG")" = changes_requested
get "/editor/story/$SLUG?done=review"
has notice_shown 'role="status"'
has message_listed 'Could you add a line about the &lt;bus&gt;?'
has private_note_shown 'private: ask gently'
# the peer reads the message on their receipt page, and never the private note
CLI_RECEIPT=$(sed -n 's/^.*receipt code: //p' "$T/submit.out")
check cli_receipt_printed test -n "$CLI_RECEIPT"
rm -f "$T/body"
curl -s --max-time 30 -o "$T/body" "$B/receipt/$CLI_RECEIPT"
has receipt_shows_message 'Could you add a line about the &lt;bus&gt;?'
lacks receipt_hides_note 'ask gently'
get "/editor/story/$SLUG"

# the library's refusal: publishing what is not approved
post "/editor/story/$SLUG/publish" "csrf=$(token "/editor/story/$SLUG/consent")" at=
is publish_unapproved_refused 422
has refusal_in_alert 'role="alert"'

get "/editor/story/$SLUG"
post "/editor/story/$SLUG/review" "csrf=$(token "/editor/story/$SLUG/review")" action=in_review
get "/editor/story/$SLUG"
post "/editor/story/$SLUG/review" "csrf=$(token "/editor/story/$SLUG/review")" action=approve
is review_approve 303
check status_approved test "$(status_of "$SLUG")" = approved

get "/editor/story/$SLUG"
post "/editor/story/$SLUG/publish" "csrf=$(token "/editor/story/$SLUG/publish")" at=not-a-date
is bad_date_refused 422
has bad_date_says_how 'YYYY-MM-DD'

get "/editor/story/$SLUG"
post "/editor/story/$SLUG/consent" "csrf=$(token "/editor/story/$SLUG/consent")" site=yes \
	podcast=yes "note=said yes on the phone"
is consent_recorded 303
get "/editor/story/$SLUG"
has consent_by_editor 'jo, '
has consent_checkbox_ticked 'name="site" value="yes" checked'

post "/editor/story/$SLUG/publish" "csrf=$(token "/editor/story/$SLUG/publish")" at=
is published 303 "/editor/story/$SLUG?done=publish"
check status_published test "$(status_of "$SLUG")" = published

# ---- collections --------------------------------------------------------------------------------
get /editor/collections
is collections_page 200
post /editor/collections "csrf=$(token /editor/collections)" slug=night-walks \
	'title=Walks <at> night' description=Dark podcast=yes
is collection_made 303 "/editor/collections?done=collection"
get /editor/collections
has collection_title_escaped 'Walks &lt;at&gt; night'
post /editor/collections/night-walks "csrf=$(token /editor/collections/night-walks)" action=add \
	"story=$SLUG"
is collection_add 303
get /editor/collections
has collection_lists_story "href=\"/editor/story/$SLUG\""
keep collections
post /editor/collections/night-walks "csrf=$(token /editor/collections/night-walks)" action=move \
	"story=$SLUG" position=0
is collection_bad_position 422
get /editor/collections
post /editor/collections/night-walks "csrf=$(token /editor/collections/night-walks)" action=move \
	"story=$SLUG" position=1
is collection_move 303
get /editor/collections
post /editor/collections/nothing-here "csrf=$(token /editor/collections/night-walks)" action=add \
	"story=$SLUG"
is collection_unknown_refused 422
has collection_refusal_in_alert 'role="alert"'

# ---- a build from the browser -------------------------------------------------------------------
# build_and_wait NAME: starts a build and watches the page until it ends
build_and_wait() {
	get /editor/build
	post /editor/build "csrf=$(token /editor/build)"
	is "$1_started" 303 "/editor/build?done=build"
	build_wait "$1"
}
# build_wait NAME: watches the build page until the build has ended
build_wait() {
	for _ in $(seq 240); do
		get /editor/build
		grep -q 'A build is running' "$T/body" || break
		keep build-running
		grep -q 'http-equiv="refresh"' "$T/body" || { fail "$1_refreshes" "no refresh"; break; }
		sleep 0.5
	done
	has "$1_succeeded" 'succeeded (exit status 0)'
	lacks "$1_stops_refreshing" 'http-equiv="refresh"'
	check "$1_log_private" test "$(stat -c %a "$L/.serve-build.log")" = 600
}
# one at a time: while another build holds the library's build lock, the
# console's build waits for it, the page says so, and a second is refused
rm -f "$T/release"
{
	flock 9
	for _ in $(seq 600); do
		[ -e "$T/release" ] && break
		sleep 0.1
	done
} 9<>"$L/.build.lock" &
HOLDER=$!
for _ in $(seq 100); do
	flock -n "$L/.build.lock" true || break
	sleep 0.1
done
get /editor/build
post /editor/build "csrf=$(token /editor/build)"
is held_build_started 303 "/editor/build?done=build"
for _ in $(seq 100); do
	get /editor/build
	grep -q 'waiting for' "$T/body" && break
	sleep 0.2
done
has build_running_shown 'A build is running'
has build_output_while_running 'waiting for'
has build_page_refreshes '<meta http-equiv="refresh" content="2">'
lacks no_start_form_while_running 'action="/editor/build"'
post /editor/build "csrf=$(token /editor/signout)"
is second_build_refused 409
has second_build_says_why 'already running'
touch "$T/release"
wait "$HOLDER"
build_wait build
has build_output_shown 'class="build-log"'
check story_on_site test -n "$(find "$L/public" -path "*$SLUG*" -name index.html)"

# ---- forms without a valid token ----------------------------------------------------------------
get "/editor/story/$SLUG"
post "/editor/story/$SLUG/withdraw" reason=nope
is no_csrf_refused 403
post "/editor/story/$SLUG/withdraw" csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA reason=nope
is forged_csrf_refused 403
# a token from another editor's session
J_SAVE=$J
J=$J2
get /editor/signin
post /editor/signin "csrf=$(token /editor/signin)" name=jo "password=$PW"
is second_session 303
get "/editor/story/$SLUG"
OTHER=$(token "/editor/story/$SLUG/withdraw")
J=$J_SAVE
post "/editor/story/$SLUG/withdraw" "csrf=$OTHER" reason=nope
is other_sessions_token_refused 403
check still_published test "$(status_of "$SLUG")" = published
# the same token twice
get "/editor/story/$SLUG"
TOK=$(token "/editor/story/$SLUG/consent")
post "/editor/story/$SLUG/consent" "csrf=$TOK" site=yes podcast=yes
is token_first_use 303
post "/editor/story/$SLUG/consent" "csrf=$TOK" site=yes
is token_replay_refused 403

# ---- withdraw and erase -------------------------------------------------------------------------
get "/editor/story/$SLUG"
post "/editor/story/$SLUG/withdraw" "csrf=$(token "/editor/story/$SLUG/withdraw")" \
	"reason=the peer asked by phone"
is withdrawn 303 "/editor/story/$SLUG?done=withdraw"
check status_withdrawn test "$(status_of "$SLUG")" = withdrawn
build_and_wait rebuild
check story_gone_from_site test -z "$(find "$L/public" -path "*$SLUG*")"

get "/editor/story/$SLUG"
post "/editor/story/$SLUG/erase" "csrf=$(token "/editor/story/$SLUG/erase")"
is erase_needs_sure 422
# the words looked for after the erase are there before it
for secret in "She said we" "the peer asked by phone"; do
	check "bytes_there_before_erase_${secret// /_}" \
		sh -c 'cat "$1/hearth.db" "$1/hearth.db-wal" 2>/dev/null | grep -aqF "$2"' _ "$L" "$secret"
done
get "/editor/story/$SLUG"
post "/editor/story/$SLUG/erase" "csrf=$(token "/editor/story/$SLUG/erase")" sure=yes
is erased 303
# its words are not left in the catalogue's files either, serve running:
# not in free space, not in the write-ahead log's copies of the pages
for secret in "She said we" "the peer asked by phone"; do
	check "erased_bytes_gone_${secret// /_}" \
		sh -c '! cat "$1/hearth.db" "$1/hearth.db-wal" 2>/dev/null | grep -aqF "$2"' _ "$L" "$secret"
done
get "/editor/story/$SLUG"
has erased_title '(erased)'
get "/editor/file/$SHA"
is erased_original_not_served 404

# ---- feedback, audit ----------------------------------------------------------------------------
get /feedback
post /feedback "csrf=$(token /feedback)" 'message=The <i>player</i> is great' page=/stories/ \
	contact=reader@example.net
check feedback_sent test "$CODE" -lt 400
get /editor/feedback
is feedback_page 200
has feedback_escaped 'The &lt;i&gt;player&lt;/i&gt; is great'
has feedback_contact_for_editors 'reader@example.net'
keep feedback
get /editor/audit
is audit_page 200
has audit_names_editor '<td>jo</td>'
has audit_has_publish 'publish'
keep audit
get "/editor/story/$SLUG"
keep story-erased


# ---- a web submission: the peer confirms, revises, asks for erasure ----------------------------
# peer PATH [CURL-ARGS...]: as the peer, with no cookie
peer() {
	local p=$1
	shift
	rm -f "$T/body" "$T/head"
	CODE=$(curl -s --max-time 60 -o "$T/body" -D "$T/head" -w '%{http_code}' "$@" "$B$p")
}
INV=$("$HEARTH" -C "$L" invite 2>/dev/null | sed -n 's|^.*/submit?invite=||p')
peer "/submit?invite=$INV"
peer /submit -F "csrf=$(token /submit)" -F "invite=$INV" -F "title=By the river" \
	-F "text=We walked down to the river." -F consent_site=yes -F attribution=anonymous
RECEIPT=$(hdr Location | sed -n 's|^/receipt/\([^?]*\).*|\1|p')
check web_submission_accepted test -n "$RECEIPT"
WEB=$("$HEARTH" -C "$L" list --json | python3 -c 'import json,sys; print([s["slug"] for s in json.load(sys.stdin) if s["title"]=="By the river"][0])')
get "/editor/story/$WEB"
post "/editor/story/$WEB/review" "csrf=$(token "/editor/story/$WEB/review")" action=in_review
get "/editor/story/$WEB"
has web_story_via_form 'web form'
post "/editor/story/$WEB/review" "csrf=$(token "/editor/story/$WEB/review")" action=approve \
	"message=Lovely; please confirm"
is web_story_approved 303
get /editor
has queue_says_waiting 'waiting for the peer to confirm version 1'
get "/editor/story/$WEB"
post "/editor/story/$WEB/publish" "csrf=$(token "/editor/story/$WEB/publish")" at=
is publish_waits_for_peer 422
has refusal_says_confirm 'role="alert"'
check refusal_in_words grep -qi 'confirm' "$T/body"

peer "/receipt/$RECEIPT"
peer "/receipt/$RECEIPT/confirm" --data-urlencode "csrf=$(token "/receipt/$RECEIPT/confirm")" \
	--data-urlencode version=1
check peer_confirmed test "$CODE" = 303
get /editor
has queue_says_ready 'ready to publish'
get "/editor/story/$WEB"
post "/editor/story/$WEB/publish" "csrf=$(token "/editor/story/$WEB/publish")" at=2030-01-02T03:04
is scheduled 303 "/editor/story/$WEB?done=schedule"
get "/editor/story/$WEB"
has schedule_shown 'scheduled for 2030-01-02 03:04 UTC'

# a revision of the published story waits for an editor
peer "/receipt/$RECEIPT"
peer "/receipt/$RECEIPT/revise" -F "csrf=$(token "/receipt/$RECEIPT/revise")" \
	-F "text=We walked down to the <river> at dawn." -F "message=A better ending"
check peer_revised test "$CODE" = 303
get /editor
has queue_lists_revision '<caption>Published, with a revision waiting for review (1)</caption>'
get "/editor/story/$WEB"
has revision_shown 'We walked down to the &lt;river&gt; at dawn.'
has revision_message_shown 'A better ending'
keep story-revision
post "/editor/story/$WEB/revision" "csrf=$(token "/editor/story/$WEB/revision")" action=approve \
	"message=Thank you"
is revision_approved 303 "/editor/story/$WEB?done=revision"
get "/editor/story/$WEB"
lacks revision_no_longer_pending 'A revision waits for review'
check revision_live grep -q 'at dawn' <("$HEARTH" -C "$L" show "$WEB" --json 2>&1)

# the peer asks for erasure; the queue shows it until an editor erases
peer "/receipt/$RECEIPT"
peer "/receipt/$RECEIPT/erase" --data-urlencode "csrf=$(token "/receipt/$RECEIPT/erase")" \
	--data-urlencode sure=yes
check peer_asked_erasure test "$CODE" = 303
get /editor
has queue_lists_erasure '<caption>Erasure requested (1)</caption>'
keep queue
get "/editor/story/$WEB"
post "/editor/story/$WEB/erase" "csrf=$(token "/editor/story/$WEB/erase")" sure=yes
is web_story_erased 303
get /editor
has erasure_leaves_queue '<caption>Erasure requested (0)</caption>'

# ---- signing out, and attempts rate-limited -------------------------------------------------------
get /editor
post /editor/signout "csrf=$(token /editor/signout)"
is signed_out 303
get /editor
is after_signout_to_signin 303 /editor/signin

# ten wrong guesses sent at once (each with its own form token), so the
# limit of five a minute is met however slowly each check runs here
: >"$T/codes"
for i in $(seq 10); do
	get /editor/signin
	token /editor/signin >"$T/tok.$i"
done
GUESSES=()
for i in $(seq 10); do
	curl -s --max-time 60 -o /dev/null -D "$T/head.$i" -w '%{http_code}\n' -b "$J" \
		--data-urlencode "csrf=$(cat "$T/tok.$i")" --data-urlencode name=jo \
		--data-urlencode "password=wrong guess here" "$B/editor/signin" >>"$T/codes" &
	GUESSES+=($!)
done
wait "${GUESSES[@]}"
check signin_rate_limited grep -q '^429$' "$T/codes"
check retry_after_given grep -qi '^Retry-After: [0-9]' $(grep -l ' 429' "$T"/head.* | head -n 1) /dev/null

# the pages' markup is valid HTML (the Nu Html Checker)
VNU=${HEARTH_VNU:-$HEARTH_ROOT/tests/browser/node_modules/vnu-jar/build/dist/vnu.jar}
if [ ! -f "$VNU" ]; then
	fail console_pages_valid "no vnu.jar at $VNU (set HEARTH_VNU)"
elif java -jar "$VNU" --errors-only --format text "$T"/pages/*.html >"$T/vnu.out" 2>&1; then
	pass console_pages_valid
else
	fail console_pages_valid "$(head -c 1500 "$T/vnu.out")"
fi
check all_pages_kept test "$(ls "$T/pages" | wc -l)" -ge 9

# ---- a clean stop, nothing the sanitizers saw ---------------------------------------------------
kill -TERM "$SPID"
for _ in $(seq 100); do
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
wait "$SPID"
RC=$?
check server_exits_0 test "$RC" -eq 0
check no_sanitizer_reports ! grep -q 'Sanitizer' "$T/serve.err"
