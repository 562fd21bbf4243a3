#!/usr/bin/env bash
# serve_bench.sh (part of make bench): `hearth serve` beside nginx, in one run.
#
# Builds a small library (one story with a page and a 60-second podcast
# rendition), then serves its public/ folder twice on 127.0.0.1, each on a
# free port: `hearth serve` (the release build) and nginx (Debian's, run as
# the invoking user with a configuration written to a temporary folder,
# sendfile on, the same security headers hearth sends). wrk loads each in
# turn, for a story page and for a media range request (the first 64 KiB
# of the MP3, as a podcast app starts playing), and the script prints
# requests per second and latency (median and 99th percentile) for both,
# the ratio hearth/nginx, and hearth's memory (VmRSS, VmHWM) before, during
# and after the load.
#
# Then it sends 50 submissions at once through the web form (POST /submit,
# one invitation for 50 uses, the form's one-time token read from the form
# each time), each with its own 5 MB WAV, and counts the receipts and the
# stories in the catalogue afterwards, with the time it took.
#
# It never fails on a timing; it fails when a server answers wrongly or a
# submission is lost. BENCH_SECONDS sets the length of each wrk run
# (default 10), BENCH_CONNECTIONS the connections (default 64).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
hearth="$here/hearth"
[ -x "$hearth" ] || { echo "serve bench: $hearth is missing (make bench builds it)" >&2; exit 1; }
for tool in wrk nginx curl ffmpeg python3 awk; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
		{ echo "serve bench: missing tool: $tool" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
N_SUBMIT=50

load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hearth-serve-bench.XXXXXX")
HPID= NPID=
stop_all() {
	[ -z "$HPID" ] || { kill "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null || true; }
	[ -z "$NPID" ] || { kill "$NPID" 2>/dev/null; wait "$NPID" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap stop_all EXIT
cd "$tmp"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
die() { echo "serve bench: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# wait_for URL: until it answers, at most 10 seconds
wait_for() {
	for _ in $(seq 100); do
		curl -s -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1
	done
	die "nothing answers at $1"
}

# ---- the library ------------------------------------------------------------
echo "serve bench: building a library with one story..." >&2
mkdir -p src/stories/one
ff -f lavfi -i "sine=frequency=220:duration=60" -ac 1 -ar 44100 src/stories/one/voice.flac
# a podcast with an episode needs its artwork and its owner (the feed's checks)
ff -f lavfi -i color=c=0x336699:s=1400x1400 -frames:v 1 src/cover.png
cat >src/hearth.yaml <<'EOF'
title: Bench Stories
description: A story for timing the server.
base_url: https://bench.example.org
language: en
author: Bench
podcast:
  image: cover.png
  owner: {name: Bench, email: bench@example.org}
  category: Health & Fitness
  explicit: no
EOF
cat >src/stories/one/story.md <<'EOF'
---
title: A story to serve
summary: One page and one recording, served many times.
status: published
published: 2024-05-01
contributor: {name: Bench Person, attribution: name}
consent: {site: yes, podcast: yes, given: 2024-05-01, recorded_by: Bench}
audio: voice.flac
---
A story told once and served many times over, so that the server's speed
can be seen beside a web server built for nothing else.
EOF
"$hearth" init lib >/dev/null
"$hearth" -C lib import src >/dev/null
# the 50 peers come from 50 addresses, as through a reverse proxy on this
# machine: each is rate-limited alone, as peers are
printf 'serve:\n  trusted_proxy: 127.0.0.1\n' >>lib/hearth.yaml
"$hearth" -C lib build >/dev/null 2>build.err || die "hearth build failed: $(head -c 400 build.err)"
pub="$tmp/lib/public"
page=$(cd "$pub" && find stories -name index.html | head -n 1)
media=$(cd "$pub" && find . -name '*.mp3' | head -n 1 | sed 's|^\./||')
[ -n "$page" ] && [ -n "$media" ] || die "the built site has no story page or MP3"
page="/${page%index.html}"
media="/$media"
media_bytes=$(stat -c %s "$pub$media")
[ "$media_bytes" -gt 65536 ] || die "the MP3 is smaller than the range asked for"

# ---- the two servers ----------------------------------------------------------
HPORT=$(free_port)
"$hearth" -C lib serve --port "$HPORT" >hearth.out 2>hearth.err &
HPID=$!
H="http://127.0.0.1:$HPORT"

NPORT=$(free_port)
mkdir -p nginx
user_line=
# as root nginx would hand its workers to another user, who cannot read here
[ "$(id -u)" -ne 0 ] || user_line="user root;"
cat >nginx/nginx.conf <<EOF
$user_line
worker_processes auto;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    types { text/vtt vtt; }
    default_type application/octet-stream;
    access_log $tmp/nginx/access.log combined buffer=64k flush=5s;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 15s;
    keepalive_requests 1000000;
    server_tokens off;
    server {
        listen 127.0.0.1:$NPORT;
        root $pub;
        add_header Content-Security-Policy "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        add_header X-Frame-Options DENY always;
        add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;
        location / { try_files \$uri \$uri/ =404; }
    }
}
EOF
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
	-g "daemon off; pid $tmp/nginx/nginx.pid;" &
NPID=$!
N="http://127.0.0.1:$NPORT"
wait_for "$H/"
wait_for "$N/"

# both must give the same bytes: the page whole, the media's first 64 KiB
for base in "$H" "$N"; do
	code=$(curl -s -o "page.$NPORT" -w '%{http_code}' "$base$page")
	[ "$code" = 200 ] || die "$base$page answered $code"
	cmp -s "page.$NPORT" "$pub${page}index.html" || die "$base$page is not the built page"
	code=$(curl -s -o "range.$NPORT" -w '%{http_code}' -H 'Range: bytes=0-65535' "$base$media")
	[ "$code" = 206 ] || die "$base$media with a range answered $code"
	cmp -s "range.$NPORT" <(head -c 65536 "$pub$media") || die "$base$media: wrong range"
done

# ---- load ---------------------------------------------------------------------
cat >range.lua <<'EOF'
-- every request asks for the first 64 KiB, as a podcast app starting to play
wrk.headers["Range"] = "bytes=0-65535"
EOF

mem() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$HPID/status"; }
RSS_BEFORE=$(mem VmRSS)
RSS_PEAK=0
declare -A RPS P50 P99 BAD

# one NAME URL [wrk args]: a wrk run, its figures in RPS/P50/P99/BAD[NAME]
one() {
	local name=$1 url=$2 out="wrk.$1"
	shift 2
	wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@" "$url" >"$out" 2>&1 &
	local w=$!
	# hearth's resident memory, sampled while wrk runs (at most every 0.5 s)
	while kill -0 "$w" 2>/dev/null; do
		local r
		r=$(mem VmRSS)
		[ "${r:-0}" -le "$RSS_PEAK" ] || RSS_PEAK=$r
		sleep 0.5
	done
	wait "$w" || die "wrk failed: $(cat "$out")"
	RPS[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	P50[$name]=$(awk '$1 == "50%" { print $2 }' "$out")
	P99[$name]=$(awk '$1 == "99%" { print $2 }' "$out")
	BAD[$name]=$(awk '/Non-2xx or 3xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
	[ -n "${RPS[$name]}" ] || die "no figures from wrk: $(cat "$out")"
	[ "${BAD[$name]}" -eq 0 ] ||
		echo "serve bench: $name: $(grep -E 'Non-2xx|Socket errors' "$out" | tr -s ' \n' ' ')" >&2
}

echo "serve bench: wrk -t2 -c$CONNS -d${SECS}s, four runs taking turns..." >&2
one hearth_page "$H$page"
one nginx_page "$N$page"
one hearth_media "$H$media" -s range.lua
one nginx_media "$N$media" -s range.lua
sleep 1
RSS_AFTER=$(mem VmRSS)
HWM=$(mem VmHWM)

# ---- 50 submissions at once ---------------------------------------------------
echo "serve bench: $N_SUBMIT submissions at once, 5 MB each..." >&2
SUBMIT_NOTE=
form_code=$(curl -s -o /dev/null -w '%{http_code}' "$H/submit?invite=x")
if [ "$form_code" = 404 ] || [ "$form_code" = 405 ]; then
	SUBMIT_NOTE="not measured: this hearth serve has no submission form"
else
	link=$("$hearth" -C lib invite --uses "$N_SUBMIT" --note "bench" 2>/dev/null)
	token=${link##*invite=}
	before=$("$hearth" -C lib list | wc -l)
	mkdir -p sub
	for i in $(seq 1 "$N_SUBMIT"); do
		# 5 MB of 44.1 kHz mono 16-bit sound, a different tone for each
		ff -f lavfi -i "sine=frequency=$((200 + i * 7)):duration=59.5" -ac 1 -ar 44100 \
			-c:a pcm_s16le "sub/$i.wav"
	done
	# submit I: one peer: the form (its one-time token), then the POST
	submit() {
		local i=$1 csrf
		local from="X-Forwarded-For: 10.0.$((i / 200)).$((i % 200 + 1))"
		curl -s --max-time 120 -H "$from" -c "sub/$i.jar" -b "sub/$i.jar" \
			-o "sub/$i.form" "$H/submit?invite=$token" || return 1
		csrf=$(grep -o '<input[^>]*name="csrf"[^>]*>' "sub/$i.form" | head -n 1 |
			sed -n 's/.*value="\([^"]*\)".*/\1/p')
		[ -n "$csrf" ] || return 1
		curl -s --max-time 300 -H "$from" -c "sub/$i.jar" -b "sub/$i.jar" -o "sub/$i.answer" \
			-D "sub/$i.head" -w '%{http_code}' \
			-F "invite=$token" -F "csrf=$csrf" -F "title=Bench submission $i" \
			-F "text=A story sent with $N_SUBMIT others at once." \
			-F "attribution=anonymous" -F "consent_site=yes" -F "consent_podcast=yes" \
			-F "audio=@sub/$i.wav;type=audio/wav" \
			"$H/submit" >"sub/$i.code"
	}
	t0=$(date +%s.%N)
	pids=()
	for i in $(seq 1 "$N_SUBMIT"); do
		submit "$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	t1=$(date +%s.%N)
	T_SUBMIT=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	RECEIPTS=0
	for i in $(seq 1 "$N_SUBMIT"); do
		if [ "$(cat "sub/$i.code" 2>/dev/null)" = 303 ] &&
			grep -qiE '^location: [^ ]*/receipt/[A-Za-z0-9-]+\?new=1' "sub/$i.head"; then
			RECEIPTS=$((RECEIPTS + 1))
		fi
	done
	STORED=$(($("$hearth" -C lib list | wc -l) - before))
	RSS_SUBMIT=$(mem VmRSS)
	HWM=$(mem VmHWM)
fi

# ---- the table ----------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
holds() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }
r_page=$(ratio "${RPS[hearth_page]}" "${RPS[nginx_page]}")
r_media=$(ratio "${RPS[hearth_media]}" "${RPS[nginx_media]}")

echo
echo "Hearth serve bench: wrk -t2 -c$CONNS -d${SECS}s on 127.0.0.1, each server in turn"
echo "page $page ($(stat -c %s "$pub${page}index.html") bytes); media $media ($media_bytes bytes), Range: bytes=0-65535"
echo "$(nproc) cores; load average $load_before before and $(cut -d' ' -f1 /proc/loadavg) after; $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo
printf '%-30s %12s %10s %10s %8s\n' "" "requests/s" "p50" "p99" "errors"
for n in hearth_page nginx_page hearth_media nginx_media; do
	printf '%-30s %12s %10s %10s %8s\n' "${n/_/ }" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${BAD[$n]}"
done
echo
printf '%-48s %s\n' "hearth memory before load (VmRSS)" "$(mb "$RSS_BEFORE") MB"
printf '%-48s %s\n' "hearth memory during load (largest VmRSS)" "$(mb "$RSS_PEAK") MB"
printf '%-48s %s\n' "hearth memory after load (VmRSS)" "$(mb "$RSS_AFTER") MB"
if [ -z "$SUBMIT_NOTE" ]; then
	printf '%-48s %s\n' "$N_SUBMIT submissions of 5 MB at once" \
		"$RECEIPTS receipts, $STORED stories stored, ${T_SUBMIT} s"
	printf '%-48s %s\n' "hearth memory after the submissions (VmRSS)" "$(mb "$RSS_SUBMIT") MB"
else
	printf '%-48s %s\n' "$N_SUBMIT submissions of 5 MB at once" "$SUBMIT_NOTE"
fi
printf '%-48s %s\n' "hearth's peak memory in the whole run (VmHWM)" "$(mb "$HWM") MB"
echo
printf '%-48s %-16s %s\n' "target" "figure" "holds"
printf '%-48s %-16s %s\n' "story page: hearth >= 0.5 x nginx" "${r_page} x" "$(holds "$r_page >= 0.5")"
printf '%-48s %-16s %s\n' "media range: hearth >= 0.5 x nginx" "${r_media} x" "$(holds "$r_media >= 0.5")"
printf '%-48s %-16s %s\n' "memory flat: after load within 10 MB of before" \
	"$(mb "$RSS_BEFORE") -> $(mb "$RSS_AFTER") MB" "$(holds "$RSS_AFTER <= $RSS_BEFORE + 10240")"
printf '%-48s %-16s %s\n' "no error answers under load" \
	"$((BAD[hearth_page] + BAD[hearth_media]))" "$(holds "$((BAD[hearth_page] + BAD[hearth_media])) == 0")"

. "$here/tests/bench/summary.sh"
summary_add "hearth serve story page vs nginx (requests/s)" "${r_page}x" ">= 0.5x" "$(holds "$r_page >= 0.5")"
summary_add "hearth serve media range vs nginx (requests/s)" "${r_media}x" ">= 0.5x" "$(holds "$r_media >= 0.5")"
summary_add "hearth serve memory flat under load" "$(mb "$RSS_BEFORE") -> $(mb "$RSS_AFTER") MB" \
	"within 10 MB" "$(holds "$RSS_AFTER <= $RSS_BEFORE + 10240")"

# a lost submission is a failure, not a figure
if [ -z "$SUBMIT_NOTE" ]; then
	printf '%-48s %-16s %s\n' "every submission accepted and stored" \
		"$RECEIPTS / $STORED of $N_SUBMIT" \
		"$(holds "$RECEIPTS == $N_SUBMIT && $STORED == $N_SUBMIT")"
	if [ "$RECEIPTS" -ne "$N_SUBMIT" ] || [ "$STORED" -ne "$N_SUBMIT" ]; then
		for i in $(seq 1 "$N_SUBMIT"); do
			c=$(cat "sub/$i.code" 2>/dev/null || echo none)
			[ "$c" = 303 ] || { echo "submission $i: answer $c: $(head -c 300 "sub/$i.answer" 2>/dev/null)" >&2; break; }
		done
		die "submissions were lost or refused"
	fi
fi
