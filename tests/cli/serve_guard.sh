# serve_guard.sh - the pages' side of `hearth serve` under load and abuse:
# bodies over serve.max_upload refused before they are read or dropped
# as they cross it, a file over limits.max_file_size not kept, the
# quarantine folder empty after every request and cleared at start, the
# security headers and 405 on pages, X-Forwarded-For believed only from
# the trusted proxy, hundreds of slow clients and hundreds of requests at
# once, and memory that stays flat. Everything runs on 127.0.0.x (other
# loopback addresses stand for other clients), every loop is bounded in
# count and time.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
Q="$L/quarantine"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
printf 'limits:\n  max_file_size: 100000\nserve:\n  max_upload: 2000000\n' >>"$L/hearth.yaml"
"$HEARTH" -C "$L" build >/dev/null 2>&1
mkdir -p "$Q/left-by-a-killed-server"
echo partial >"$Q/left-by-a-killed-server/1.mp3"

# start: the server in the background (its ASan quarantine kept small, so
# its memory says what the server holds)
start() { SERVE_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:-}:quarantine_size_mb=8" serve_up "$L"; }
start
check server_answers curl -s -o /dev/null --max-time 5 "$B/"
check quarantine_cleared_at_start test -z "$(ls -A "$Q")"
check quarantine_is_private test "$(stat -c %a "$Q")" = 700

get() {
	local p=$1
	shift
	rm -f "$T/body" "$T/head"
	CODE=$(curl -s --path-as-is --max-time 20 -o "$T/body" -D "$T/head" -w '%{http_code}' \
		"$@" "$B$p")
}
hdr() { grep -i "^$1:" "$T/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
is() {
	if [ "$CODE" = "$2" ]; then pass "$1"; else fail "$1" "status $CODE, wanted $2"; fi
}
secure() {
	if [ "$(hdr X-Content-Type-Options)" = nosniff ] && [ "$(hdr Referrer-Policy)" = no-referrer ] &&
		[ "$(hdr X-Frame-Options)" = DENY ] && [ "$(hdr Cache-Control)" = no-store ] &&
		hdr Content-Security-Policy | grep -q "default-src 'self'.*frame-ancestors 'none'"; then
		pass "$1"
	else
		fail "$1" "headers: $(tr -d '\r' <"$T/head" | tr '\n' '|')"
	fi
}
# empty_quarantine NAME: every request's folder is gone once it has ended
empty_quarantine() {
	for _ in $(seq 50); do
		[ -z "$(ls -A "$Q")" ] && break
		sleep 0.1
	done
	check "$1" test -z "$(ls -A "$Q")"
}

# ---- pages carry the security headers and are never cached ---------------------------
get "/submit?invite=nothing"
is bad_invite_403 403
secure headers_on_page_403
check page_is_html test "$(hdr Content-Type)" = "text/html; charset=utf-8"
get /editor
secure headers_on_page_redirect
get /_hearth/serve.css
is serve_css_200 200
check serve_css_is_css grep -qi '^Content-Type: text/css' "$T/head"
check serve_css_is_the_themes cmp -s "$T/body" "$HEARTH_ROOT/themes/default/serve.css"

# the pages' markup is valid HTML (the Nu Html Checker)
VNU=${HEARTH_VNU:-$HEARTH_ROOT/tests/browser/node_modules/vnu-jar/build/dist/vnu.jar}
mkdir -p "$T/pages"
curl -s --max-time 20 -o "$T/pages/refused.html" "$B/submit?invite=nothing"
curl -s --max-time 20 -o "$T/pages/feedback.html" "$B/feedback"
curl -s --max-time 20 -o "$T/pages/signin.html" "$B/editor/signin"
curl -s --max-time 20 -o "$T/pages/receipt.html" "$B/receipt"
if [ ! -f "$VNU" ]; then
	fail nu_html_checker "no vnu.jar at $VNU (set HEARTH_VNU)"
elif java -jar "$VNU" --errors-only --format text "$T"/pages/*.html >"$T/vnu.out" 2>&1; then
	pass nu_html_checker
else
	fail nu_html_checker "$(head -c 1500 "$T/vnu.out")"
fi

# ---- methods ---------------------------------------------------------------------------
for m in PUT DELETE PATCH; do
	get /submit -X "$m"
	is "${m,,}_page_405" 405
	check "${m,,}_says_allow" test "$(hdr Allow)" = "GET, HEAD, POST"
done
get /editor/story/x -X DELETE
is delete_editor_page_405 405
secure headers_on_405

# ---- bodies over serve.max_upload ------------------------------------------------------
# announced: 413 with nothing of the body read (the client sends none, and waits)
python3 - "$PORT" >"$T/early" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /submit HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
          b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
data = b""
try:
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
print(data.split(b"\r\n")[0].decode())
PY
check announced_too_large_413_before_body grep -q '^HTTP/1.1 413' "$T/early"
head -c 3000000 /dev/zero >"$T/big"
# sent anyway: the server answers 413 as the length crosses the limit and
# closes; the body it leaves unread can make the kernel reset the
# connection before curl reads the answer (TCP's, not the server's doing),
# so up to three tries, each bounded by get's time limit
for _ in 1 2 3; do
	get /submit -F "audio=@$T/big" -H 'Expect:'
	[ "$CODE" = 413 ] && break
done
is sent_too_large_413 413
# streamed (chunked, no length): the connection is dropped as it crosses the limit
get /submit -H 'Expect:' -H 'Transfer-Encoding: chunked' -H 'Content-Type: multipart/form-data; boundary=XyZ' \
	--data-binary "@$T/big"
check chunked_too_large_dropped test "$CODE" = 000
check alive_after_large_bodies kill -0 "$SPID"
empty_quarantine quarantine_empty_after_large_bodies

# ---- a file over limits.max_file_size --------------------------------------------------
head -c 150000 /dev/urandom >"$T/toobig.mp3"
INVITE=$("$HEARTH" -C "$L" invite --uses 5 2>/dev/null | grep -o 'invite=[A-Za-z0-9_-]*' | head -n 1 | cut -d= -f2)
check invite_made test -n "$INVITE"
get "/submit?invite=$INVITE"
TOK=$(grep -o 'name="csrf" value="[^"]*"' "$T/body" | head -n 1 | sed 's/.*value="//; s/"$//')
get /submit -F "csrf=$TOK" -F "invite=$INVITE" -F "title=Kept title" -F "text=Kept" \
	-F "consent_site=yes" -F "audio=@$T/toobig.mp3;type=audio/mpeg"
is file_over_limit_413 413
check file_over_limit_keeps_the_form grep -q 'Kept title' "$T/body"
check file_over_limit_records_nothing test -z "$("$HEARTH" -C "$L" list 2>/dev/null)"
empty_quarantine quarantine_empty_after_refused_file

# ---- X-Forwarded-For: believed only from the trusted proxy -------------------------------
# invitation lookups are limited per address (20 a minute): forged headers do
# not make a stranger many
: >"$T/codes"
for i in $(seq 25); do
	curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' -H "X-Forwarded-For: 198.51.100.$i" \
		"$B/submit?invite=nothing$i" >>"$T/codes"
done
check forwarded_for_ignored_without_proxy grep -q '^429$' "$T/codes"
serve_down
printf '  trusted_proxy: 127.0.0.1\n' >>"$L/hearth.yaml"
start
: >"$T/codes"
for i in $(seq 25); do
	curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' -H "X-Forwarded-For: 10.0.0.1, 198.51.100.$i" \
		"$B/submit?invite=nothing$i" >>"$T/codes"
done
check forwarded_for_of_trusted_proxy_believed test "$(grep -c '^403$' "$T/codes")" -eq 25
# the last hop is the client; a stranger's own header before it changes nothing
: >"$T/codes"
for i in $(seq 25); do
	curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' -H "X-Forwarded-For: 10.9.$i.1, 198.51.100.200" \
		"$B/submit?invite=nothing$i" >>"$T/codes"
done
check only_the_last_hop_counts grep -q '^429$' "$T/codes"

# ---- memory, before the load ------------------------------------------------------------------
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SPID/status"; }
seq 50 | xargs -P 10 -I{} curl -s -o /dev/null --max-time 20 "$B/feedback"
RSS0=$(rss)

# ---- hundreds of slow clients holding half-sent requests ------------------------------------
# 300 clients from 300 addresses, each sending its request head a few bytes
# at a time; meanwhile a page and a file are asked for as usual
python3 - "$PORT" >"$T/slow.out" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
held = []
for i in range(300):
    s = socket.socket()
    s.settimeout(5)
    s.bind(("127.0.%d.%d" % (1 + i // 200, 2 + i % 200), 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"POST /submit HTTP/1.1\r\nHo")
        held.append(s)
    except OSError:
        pass
print("held", len(held), flush=True)
end = time.time() + 8
while time.time() < end:
    for s in held:
        try:
            s.send(b"s")
        except OSError:
            pass
    time.sleep(1)
PY
SLOW=$!
for _ in $(seq 100); do
	grep -q held "$T/slow.out" && break
	sleep 0.1
done
check slow_clients_connected grep -q 'held 300' "$T/slow.out"
get /feedback --max-time 5
is page_answered_despite_slow_clients 200
get / --max-time 5
is site_answered_despite_slow_clients 200
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null

# ---- hundreds of requests at once ---------------------------------------------------------------
# load N: N requests at once from N addresses (pages and the site), the statuses in $T/load
load() {
	python3 - "$PORT" "$1" >"$T/load" 2>&1 <<'PY'
import socket, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
paths = ["/feedback", "/", "/submit?invite=x", "/editor", "/receipt"]
codes = [None] * n
def one(i):
    try:
        s = socket.socket()
        s.settimeout(30)
        s.bind(("127.0.%d.%d" % (3 + i // 200, 2 + i % 200), 0))
        s.connect(("127.0.0.1", port))
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % paths[i % len(paths)]).encode())
        data = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
        codes[i] = data.split(b" ", 2)[1].decode()
    except Exception as e:
        codes[i] = "error:%s" % e
threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
for c in codes:
    print(c)
PY
}
load 300
check all_300_answered test "$(grep -cE '^(200|303|403|404|429)$' "$T/load")" -eq 300
check alive_after_load kill -0 "$SPID"
RSS1=$(rss)
load 300
load 300
RSS2=$(rss)
check memory_bounded_after_load test "$RSS1" -le $((RSS0 * 4 + 20000))
check memory_flat_under_repeated_load test "$RSS2" -le $((RSS1 * 3 / 2 + 10000))
empty_quarantine quarantine_empty_after_load

# ---- a clean stop -------------------------------------------------------------------------------
kill -TERM "$SPID"
wait "$SPID"
RC=$?
SPID=
check sigterm_exits_0 test "$RC" -eq 0
check no_sanitizer_reports test -z "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$T/serve.err")"
