# serve.sh - `hearth serve` previewing the built site as a browser, a podcast
# app and an attacker meet it: media types, HEAD, byte ranges, validators,
# the security headers, paths that try to leave the site, methods other
# than GET and HEAD, many clients at once, slow clients, and a clean stop.
# Everything runs on 127.0.0.1, every loop is bounded in count and time.
. "$(dirname "$0")/lib.sh"

# only serve/ speaks libmicrohttpd
check only_serve_includes_microhttpd test -z "$(grep -rl --include='*.[ch]' microhttpd.h \
	"$HEARTH_ROOT"/core "$HEARTH_ROOT"/library "$HEARTH_ROOT"/media "$HEARTH_ROOT"/feeds \
	"$HEARTH_ROOT"/site-gen "$HEARTH_ROOT"/cli)"

L="$T/lib"
S="$T/src"
P="$L/public"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
bundle "$S" one "Story one" "audio: voice.wav
transcript: voice.vtt
chapters:
  - {start: 0, title: Opening}
  - {start: 1, title: Close}"
tone "$S/one/voice.wav" 3
printf 'WEBVTT\n\n00:00.000 --> 00:02.000\nHello there\n' >"$S/one/voice.vtt"
"$HEARTH" -C "$L" import "$S/one" >/dev/null
"$HEARTH" -C "$L" build >/dev/null 2>&1

MP3=$(cd "$P" && find . -name '*.mp3' | head -n 1 | sed 's|^\.||')
VTT=$(cd "$P" && find . -name '*.vtt' | head -n 1 | sed 's|^\.||')
JSON=$(cd "$P" && find . -name '*chapters.json' | head -n 1 | sed 's|^\.||')
PAGE=$(cd "$P" && find . -path '*one*' -name index.html | head -n 1 | sed 's|^\.||; s|index.html$||')
check site_has_what_the_test_needs test -n "$MP3" -a -n "$VTT" -a -n "$JSON" -a -n "$PAGE"

# what must never come out: a file beside the site, and the settings
echo "OUTSIDE-SECRET" >"$T/outside.txt"
ln -s "$T/outside.txt" "$P/leak.html"
ln -s "$L" "$P/up"
mkdir -p "$P/.git"
echo "OUTSIDE-SECRET" >"$P/.git/config"

serve_up "$L"
check server_answers curl -s -o /dev/null --max-time 5 "$B/"

# get URL-PATH [CURL-ARGS...]: the status in $CODE, headers in $T/head, body in $T/body
get() {
	local p=$1
	shift
	rm -f "$T/body" "$T/head"
	CODE=$(curl -s --path-as-is --max-time 10 -o "$T/body" -D "$T/head" -w '%{http_code}' \
		"$@" "$B$p")
}
# hdr NAME: the value of a header of the last answer
hdr() { grep -i "^$1:" "$T/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
# secure NAME: the last answer carries every security header
secure() {
	local csp
	csp=$(hdr Content-Security-Policy)
	case "$csp" in *"default-src 'self'"*"frame-ancestors 'none'"*"base-uri 'none'"*"form-action 'self'"*) ;;
	*) fail "$1" "Content-Security-Policy is '$csp'"; return ;; esac
	if [ "$(hdr X-Content-Type-Options)" = nosniff ] && [ "$(hdr Referrer-Policy)" = no-referrer ] &&
		[ "$(hdr X-Frame-Options)" = DENY ] && [ -n "$(hdr Cache-Control)" ]; then
		pass "$1"
	else
		fail "$1" "missing a security header: $(tr -d '\r' <"$T/head" | tr '\n' '|')"
	fi
}
# is NAME WANT-CODE [TYPE-PREFIX]: the last answer's status and type
is() {
	local t
	t=$(hdr Content-Type)
	if [ "$CODE" != "$2" ]; then fail "$1" "status $CODE, wanted $2"
	elif [ -n "${3:-}" ] && [ "${t#"$3"}" = "$t" ]; then fail "$1" "type '$t', wanted $3"
	else pass "$1"; fi
}

# ---- the site, with its media types ------------------------------------------
get /
is index_html 200 text/html
secure headers_on_200
check index_is_the_file cmp -s "$T/body" "$P/index.html"
get "$PAGE"
is story_page 200 text/html
get "${PAGE%/}"
is folder_without_slash_redirects 301
check redirect_to_the_folder test "$(hdr Location)" = "$PAGE"
get /feed.xml
is feed_is_rss 200 application/rss+xml
get "$MP3"
is mp3_is_audio_mpeg 200 audio/mpeg
check mp3_whole cmp -s "$T/body" "$P$MP3"
check mp3_accepts_ranges test "$(hdr Accept-Ranges)" = bytes
get "$VTT"
is vtt_is_text_vtt 200 text/vtt
get "$JSON"
is chapters_are_json 200 application/json
get /style.css
is css_is_text_css 200 text/css

# ---- HEAD: the same headers, no body -------------------------------------------
SIZE=$(stat -c %s "$P$MP3")
get "$MP3"
ETAG=$(hdr ETag)
LASTMOD=$(hdr Last-Modified)
python3 - "$PORT" "$MP3" >"$T/headraw" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(("HEAD %s HTTP/1.0\r\nHost: x\r\n\r\n" % sys.argv[2]).encode())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
sys.stdout.write(head.decode() + "\r\n\r\nBODY=%d\n" % len(body))
PY
check head_has_no_body grep -q '^BODY=0$' "$T/headraw"
check head_status_200 grep -q '^HTTP/1.[01] 200' "$T/headraw"
check head_same_length grep -qi "^Content-Length: $SIZE" "$T/headraw"
check head_same_type grep -qi '^Content-Type: audio/mpeg' "$T/headraw"
check head_same_etag grep -qF "ETag: $ETAG" "$T/headraw"

# ---- byte ranges ------------------------------------------------------------------
get "$MP3" -r 100-199
is range_206 206
dd if="$P$MP3" of="$T/want" bs=1 skip=100 count=100 2>/dev/null
check range_right_bytes cmp -s "$T/body" "$T/want"
check range_content_range test "$(hdr Content-Range)" = "bytes 100-199/$SIZE"
get "$MP3" -r "$((SIZE - 50))-"
is open_range_206 206
tail -c 50 "$P$MP3" >"$T/want"
check open_range_bytes cmp -s "$T/body" "$T/want"
get "$MP3" -r -30
is suffix_range_206 206
tail -c 30 "$P$MP3" >"$T/want"
check suffix_range_bytes cmp -s "$T/body" "$T/want"
check suffix_content_range test "$(hdr Content-Range)" = "bytes $((SIZE - 30))-$((SIZE - 1))/$SIZE"
get "$MP3" -r "$SIZE-"
is unsatisfiable_416 416
check unsatisfiable_says_length test "$(hdr Content-Range)" = "bytes */$SIZE"
get "$MP3" -r 0-1,5-6
is multi_range_whole_file 200
check multi_range_bytes cmp -s "$T/body" "$P$MP3"

# ---- validators ---------------------------------------------------------------------
check etag_is_quoted grep -q '^".*"$' <<<"$ETAG"
get "$MP3" -H "If-None-Match: $ETAG"
is if_none_match_304 304
check not_modified_is_empty test ! -s "$T/body"
check not_modified_keeps_etag test "$(hdr ETag)" = "$ETAG"
secure headers_on_304
get "$MP3" -H "If-None-Match: \"other\", W/$ETAG"
is weak_etag_in_list_304 304
get "$MP3" -H 'If-None-Match: "other"'
is other_etag_200 200
get "$MP3" -H "If-Modified-Since: $LASTMOD"
is if_modified_since_304 304
get "$MP3" -H "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT"
is modified_since_old_date_200 200

# ---- not found, and paths that try to leave the site ----------------------------------
get /no-such-page
is missing_404 404 text/html
secure headers_on_404
[ -f "$P/404.html" ] && check not_found_is_the_sites_page cmp -s "$T/body" "$P/404.html"
: >"$T/bodies"
probe() {  # probe NAME PATH: refused with 400 or 404, and nothing from outside
	get "$2"
	cat "$T/body" >>"$T/bodies" 2>/dev/null
	case "$CODE" in 400 | 404) pass "$1" ;; *) fail "$1" "status $CODE for $2" ;; esac
}
probe dotdot_refused /../hearth.yaml
probe dotdot_deep_refused "$PAGE../../../hearth.yaml"
probe encoded_dotdot_refused /%2e%2e/hearth.yaml
probe encoded_dotdot_upper_refused /%2E%2E/%2E%2E/etc/passwd
probe encoded_slash_refused /..%2fhearth.yaml
probe encoded_slash_in_name_refused "/media%2F${MP3#/media/}"
probe backslash_refused '/..%5chearth.yaml'
probe nul_refused /index.html%00.txt
probe symlink_file_refused /leak.html
probe symlink_folder_refused /up/hearth.yaml
probe dot_git_refused /.git/config
probe hearth_site_refused /.hearth-site
probe double_slash_refused //example.com/
check nothing_outside_leaks ! grep -q -e OUTSIDE-SECRET -e base_url "$T/bodies"

# ---- methods -------------------------------------------------------------------------------
get / -X POST -d 'a=b'
is post_405 405
check post_says_allow test "$(hdr Allow)" = "GET, HEAD"
secure headers_on_405
get / -X DELETE
is delete_405 405

# ---- many clients at once -------------------------------------------------------------------
seq 200 | timeout 90 xargs -P 50 -I{} curl -s -o /dev/null --max-time 30 -w '%{http_code}\n' \
	"$B$MP3" >"$T/codes"
check concurrent_all_200 test "$(grep -c '^200$' "$T/codes")" -eq 200
check alive_after_concurrency kill -0 "$SPID"

# ---- slow clients holding half-sent requests -----------------------------------------------
python3 - "$PORT" >"$T/slow.out" 2>&1 <<'PY' &
import socket, sys, time
held = []
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHo")
    held.append(s)
print("held", len(held), flush=True)
time.sleep(10)
PY
SLOW=$!
for _ in $(seq 100); do
	grep -q held "$T/slow.out" && break
	sleep 0.1
done
check slow_clients_connected grep -q 'held 50' "$T/slow.out"
get / --max-time 5
is answered_despite_slow_clients 200 text/html
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null

# ---- usage -----------------------------------------------------------------------------------
refuses port_zero_is_usage 2 "port" -C "$L" serve --port 0
refuses bad_bind_is_usage 2 "address" -C "$L" serve --bind nowhere --port "$PORT"
refuses no_site_refused 1 "no built site" serve -o "$T/nothing-here"

# ---- a clean stop -------------------------------------------------------------------------------
kill -TERM "$SPID"
for _ in $(seq 100); do
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
wait "$SPID"
RC=$?
check sigterm_exits_0 test "$RC" -eq 0
check says_stopped grep -q '^stopped$' "$T/serve.out"
