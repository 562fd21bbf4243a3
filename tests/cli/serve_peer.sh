# serve_peer.sh - the peers' pages as a peer's browser meets them: the
# form an invitation opens, a submission with a recording and a picture,
# a refused one that keeps what was typed and records nothing, the
# receipt (followed in any case, with or without dashes), a revision, the
# confirmation of an approved version, withdrawal by channel and in full,
# a request for erasure, feedback, escaping, spent and replayed form
# tokens, and rate limits. Everything runs on 127.0.0.1; every request
# has a time limit.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
# the test is the trusted proxy, so each request can come from its own
# address and only the rate-limit checks meet the limits
# and files of 300 kB at most, so a file too big is quick to send
printf 'serve:\n  trusted_proxy: 127.0.0.1\nlimits:\n  max_file_size: 300000\n' >>"$L/hearth.yaml"
"$HEARTH" -C "$L" build >/dev/null 2>&1

# invite [ARGS...]: a new invitation's token
invite() {
	"$HEARTH" -C "$L" invite "$@" 2>/dev/null | sed -n 's|^.*/submit?invite=||p'
}
ONCE=$(invite --uses 1)
MANY=$(invite)
check invites_made test -n "$ONCE" -a -n "$MANY"

# fixtures: a recording, a picture, an executable and a text posing as audio
tone "$T/voice.wav" 1
head -c 400000 /dev/urandom >"$T/big.wav"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "color=c=orange:size=64x48" \
	-frames:v 1 -c:v png -f image2 "$T/pic.png"
cp "$(type -P true)" "$T/voice.mp3"
printf 'just some words\n' >"$T/words.wav"

serve_up "$L"
check server_answers curl -s -o /dev/null --max-time 5 "$B/"

# req URL-PATH [CURL-ARGS...]: from an address of its own; the status in
# $CODE, the headers in $T/head, the body in $T/body
N=0
req() {
	local p=$1
	shift
	N=$((N + 1))
	rm -f "$T/body" "$T/head"
	CODE=$(curl -s --max-time 60 -o "$T/body" -D "$T/head" -w '%{http_code}' \
		-H "X-Forwarded-For: 10.9.$((N / 200)).$((N % 200 + 1))" "$@" "$B$p")
}
hdr() { grep -i "^$1:" "$T/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
# is NAME CODE: the last answer's status
is() { if [ "$CODE" = "$2" ]; then pass "$1"; else fail "$1" "status $CODE, wanted $2: $(head -c 300 "$T/body")"; fi; }
# has NAME [!] TEXT: the last body holds TEXT (fixed string), or with ! does not
has() {
	local name=$1 want=0
	shift
	if [ "$1" = "!" ]; then want=1; shift; fi
	if grep -qF -- "$1" "$T/body"; then got=0; else got=1; fi
	if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "body and '$1' ($want)"; fi
}
# csrf: the first form token of the last page
csrf() { grep -o '<input[^>]*name="csrf"[^>]*>' "$T/body" | head -n 1 | sed 's/.*value="\([^"]*\)".*/\1/'; }
# input NAME: the <input> element named NAME on the last page
input() { grep -o "<input[^>]*name=\"$1\"[^>]*>" "$T/body" | head -n 1; }
# field SLUG KEY: a field of the story as hearth show --json says it
field() {
	"$HEARTH" -C "$L" show "$1" --json | python3 -c \
		'import json,sys; d=json.load(sys.stdin); k=sys.argv[1].split(".")
for p in k: d=d[p]
print(str(d).lower() if isinstance(d,bool) else d)' "$2"
}

# ---- the form --------------------------------------------------------------
req "/submit?invite=$ONCE"
is form_200 200
check form_says_language grep -q '<html lang="en"' "$T/body"
for f in title text summary audio music art alt transcript pseudonym name consent_site \
	consent_podcast warnings contact; do
	has "label_for_$f" "for=\"$f\""
done
has form_is_multipart 'enctype="multipart/form-data"'
has form_keeps_invite "value=\"$ONCE\""
has form_has_legends '<legend>'
has form_says_required '(required)'
has form_says_only_editors_see_contact 'Only the editors see it'
has form_says_copies_stay 'already downloaded'
check consent_site_not_ticked ! grep -q checked <(input consent_site)
check consent_podcast_not_ticked ! grep -q checked <(input consent_podcast)
check anonymous_chosen grep -q checked <(grep -o '<input[^>]*value="anonymous"[^>]*>' "$T/body")
check form_has_token test -n "$(csrf)"

# ---- bad invitations: one answer for every case ----------------------------
req "/submit?invite=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
is unknown_invite_403 403
cp "$T/body" "$T/refused1"
req "/submit?invite=%3Cb%3E"
is odd_invite_403 403
check one_message_for_every_bad_invite cmp -s "$T/body" "$T/refused1"
req "/submit"
is no_invite_403 403

# ---- a refused submission keeps what was typed and records nothing ---------
req "/submit?invite=$ONCE"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=My kept title" -F "text=Kept words" \
	-F "consent_site=yes" -F "audio=@$T/voice.mp3;type=audio/mpeg"
is executable_as_audio_422 422
has refused_keeps_title 'value="My kept title"'
has refused_keeps_text 'Kept words'
has refused_keeps_consent 'value="yes" checked'
has refused_alert 'role="alert"'
has refused_asks_files_again 'choose your files again'
has refused_names_the_file 'voice.mp3'
check refused_hides_quarantine ! grep -q quarantine "$T/body"
check refused_beside_field grep -q 'id="audio-error"' "$T/body"
req "/submit?invite=$ONCE"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=Words" -F "audio=@$T/words.wav"
is text_as_audio_422 422
req "/submit?invite=$ONCE"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=Picture" -F "art=@$T/pic.png"
is picture_without_alt_422 422
check needs_alt_beside_alt grep -q 'id="alt-error"' "$T/body"
req "/submit?invite=$ONCE"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=Too big" -F "audio=@$T/big.wav"
is file_too_big_413 413
has too_big_says_limit 'at most 300 kB'
has too_big_keeps_title 'value="Too big"'
check too_big_beside_field grep -q 'id="audio-error"' "$T/body"
req "/submit?invite=$ONCE"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=Nothing in it"
is nothing_to_share_422 422
"$HEARTH" -C "$L" list >"$OUT" 2>&1
check refused_recorded_nothing test ! -s "$OUT"
req "/submit?invite=$ONCE"
is invite_not_spent_by_refusals 200

# ---- a forged or replayed token --------------------------------------------
req /submit -F "csrf=forged" -F "invite=$ONCE" -F "title=Forged" -F "text=x"
is forged_token_403 403
has forged_links_back "href=\"/submit?invite=$ONCE\""

# ---- a submission ----------------------------------------------------------
req "/submit?invite=$ONCE"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=The river at night" \
	-F "text=We walked down to the river.

It was dark and cold." -F "summary=A walk by the river" \
	-F "audio=@$T/voice.wav;type=audio/wav" -F "art=@$T/pic.png;type=image/png" \
	-F "alt=An orange square" -F "attribution=pseudonym" -F "pseudonym=Heron" \
	-F "consent_site=yes" -F "consent_podcast=yes" -F "warnings=loss
night" -F "contact=heron@example.org"
is submitted_303 303
LOC=$(hdr Location)
check goes_to_receipt grep -Eq '^/receipt/[A-Z2-7]{4}(-[A-Z2-7]{4}){7}\?new=1$' <<<"$LOC"
CODE1=$(sed 's|^/receipt/||; s|?.*||' <<<"$LOC")
req /submit -F "csrf=$TOK" -F "invite=$ONCE" -F "title=Again" -F "text=x"
is replayed_token_403 403

SLUG=$("$HEARTH" -C "$L" list | awk '{print $1}' | head -n 1)
check one_story_listed test "$("$HEARTH" -C "$L" list | wc -l)" -eq 1
check listed_as_submitted grep -q submitted <("$HEARTH" -C "$L" list)
"$HEARTH" -C "$L" show "$SLUG" >"$OUT" 2>&1
check shown_via_web_form grep -Eq 'peer \(web form\) +submit .*via web form' "$OUT"
check story_title test "$(field "$SLUG" title)" = "The river at night"
check story_pseudonym test "$(field "$SLUG" contributor.attribution)" = pseudonym
check story_consent_site test "$(field "$SLUG" consent.site)" = true
check story_two_files test "$("$HEARTH" -C "$L" show "$SLUG" --json | grep -c '"sha256"')" -ge 2
req "/submit?invite=$ONCE"
is invite_spent_by_the_submission 403

# ---- the receipt -----------------------------------------------------------
req "$LOC"
is receipt_200 200
has receipt_thanks 'only way to follow your story'
has receipt_title 'The river at night'
has receipt_code "$CODE1"
has receipt_waiting 'waiting for an editor'
has receipt_text 'It was dark and cold.'
LOWER=$(tr 'A-Z' 'a-z' <<<"$CODE1" | tr -d '-')
req "/receipt/$LOWER"
is receipt_lower_no_dashes_200 200
has receipt_lower_same_story 'The river at night'
req "/receipt/AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"
is unknown_receipt_404 404
cp "$T/body" "$T/unknown1"
req "/receipt/nonsense!"
is odd_receipt_404 404
check one_message_for_unknown_receipts cmp -s "$T/body" "$T/unknown1"
req "/receipt"
is receipt_ask_200 200
has receipt_ask_field 'name="code"'
req "/receipt?code=$LOWER"
is receipt_code_303 303
check receipt_code_goes_to_page test "$(hdr Location)" = "/receipt/$CODE1"

# ---- a revision ------------------------------------------------------------
req "/receipt/$CODE1"
TOK=$(csrf)
req "/receipt/$CODE1/revise" -F "csrf=$TOK" -F "title=The river at dawn" -F "text=" \
	-F "message=I changed the title"
is revise_303 303
check revise_back_to_receipt test "$(hdr Location)" = "/receipt/$CODE1?done=revised"
req "/receipt/$CODE1?done=revised"
has revised_title 'The river at dawn'
has revised_kept_text 'It was dark and cold.'
has revised_message_shown 'I changed the title'
has revised_notice 'role="status"'
req "/receipt/$CODE1"
TOK=$(csrf)
req "/receipt/$CODE1/revise" -F "csrf=$TOK" -F "audio=@$T/voice.mp3"
is bad_revision_422 422
has bad_revision_keeps_form 'The river at dawn'
check bad_revision_beside_field grep -q 'id="audio-error"' "$T/body"

# ---- an editor approves; the peer confirms that version ---------------------
"$HEARTH" -C "$L" review "$SLUG" --start >/dev/null 2>&1
"$HEARTH" -C "$L" review "$SLUG" --approve >/dev/null 2>&1
req "/receipt/$CODE1"
has approved_asks_to_confirm 'Confirm your story'
TOK=$(csrf)
VER=$(input version | sed 's/.*value="\([^"]*\)".*/\1/')
req "/receipt/$CODE1/confirm" -F "csrf=$TOK" -F "version=$((VER + 1))"
is confirm_other_version_422 422
has confirm_refusal_in_words 'role="alert"'
req "/receipt/$CODE1"
TOK=$(csrf)
req "/receipt/$CODE1/confirm" -F "csrf=$TOK" -F "version=$VER"
is confirm_303 303
req "/receipt/$CODE1"
has confirmed_no_more_asking ! 'Confirm your story'

# ---- withdrawal by channel, then in full -------------------------------------
TOK=$(csrf)
req "/receipt/$CODE1/withdraw" -F "csrf=$TOK" -F "channel=podcast"
is withdraw_podcast_303 303
check withdraw_podcast_notice test "$(hdr Location)" = "/receipt/$CODE1?done=withdrawn_podcast"
check podcast_off test "$(field "$SLUG" consent.podcast)" = false
check site_kept test "$(field "$SLUG" consent.site)" = true
check not_yet_withdrawn test "$(field "$SLUG" status)" != withdrawn
req "/receipt/$CODE1"
TOK=$(csrf)
req "/receipt/$CODE1/withdraw" -F "csrf=$TOK"
is withdraw_nothing_chosen_422 422
req "/receipt/$CODE1"
TOK=$(csrf)
req "/receipt/$CODE1/withdraw" -F "csrf=$TOK" -F "channel=all"
is withdraw_all_303 303
check withdrawn_status test "$(field "$SLUG" status)" = withdrawn
req "/receipt/$CODE1"
has withdrawn_in_words 'You have taken your story back'
has withdrawn_no_revise ! '/revise'

# ---- escaping, and a request for erasure -------------------------------------
req "/submit?invite=$MANY"
TOK=$(csrf)
req /submit -F "csrf=$TOK" -F "invite=$MANY" --form-string 'title=<script>alert(1)</script> & "quotes"' \
	--form-string 'text=<img src=x onerror=alert(2)>'
is script_title_303 303
CODE2=$(hdr Location | sed 's|^/receipt/||; s|?.*||')
req "/receipt/$CODE2"
has script_escaped '&lt;script&gt;alert(1)&lt;/script&gt;'
has script_not_markup ! '<script>alert(1)'
has img_not_markup ! '<img src=x'
TOK=$(csrf)
req "/receipt/$CODE2/erase" -F "csrf=$TOK"
is erase_unsure_422 422
check erase_unsure_beside_box grep -q 'id="sure-error"' "$T/body"
TOK=$(csrf)
req "/receipt/$CODE2/erase" -F "csrf=$TOK" -F "sure=yes"
is erase_303 303
SLUG2=$("$HEARTH" -C "$L" list | grep -v "^$SLUG " | awk '{print $1}' | head -n 1)
check erase_withdraws test "$(field "$SLUG2" status)" = withdrawn
req "/receipt/$CODE2"
has erase_in_words 'asked for your story to be erased'

# ---- feedback ----------------------------------------------------------------
req /feedback
is feedback_form_200 200
has feedback_label 'for="message"'
TOK=$(csrf)
req /feedback -F "csrf=$TOK" -F "message=" -F "page=/stories/x/"
is feedback_empty_422 422
TOK=$(csrf)
req /feedback --data-urlencode "csrf=$TOK" --data-urlencode "message=The site is lovely <b>" \
	--data-urlencode "contact=reader@example.org"
is feedback_200 200
has feedback_thanks 'Thank you'
# (the server may be closing its connection, whose last close checkpoints
# the WAL under a lock: the reader waits for it rather than failing)
check feedback_stored grep -q 'The site is lovely <b>' <(sqlite3 -cmd '.timeout 10000' "$L/hearth.db" 'select body from feedback')

# ---- rate limits -------------------------------------------------------------
for i in $(seq 30); do
	curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' -H "X-Forwarded-For: 10.200.0.1" \
		"$B/receipt/AAAA-BBBB-$i"
done >"$T/codes"
check receipt_lookups_limited grep -q '^429$' "$T/codes"
check receipt_lookups_first_404 test "$(head -n 1 "$T/codes")" = 404
curl -s -o /dev/null -D "$T/head" --max-time 10 -H "X-Forwarded-For: 10.200.0.1" "$B/receipt/AAAA"
check slow_down_says_when test -n "$(hdr Retry-After)"
check others_not_limited test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	-H "X-Forwarded-For: 10.200.0.2" "$B/receipt/$CODE1")" = 200

check server_alive kill -0 "$SPID"
