# lib.sh - shared helpers for the command-line tests. Each test file sources
# this, runs hearth as a user would, and prints "PASS name" or
# "FAIL name: why" per check; tests/run counts them.
set -u
: "${HEARTH:?run through tests/run}"
: "${HEARTH_ROOT:?run through tests/run}"
T=$(mktemp -d "${HEARTH_TEST_TMP:-/tmp}/cli.XXXXXX")
OUT="$T/.out"
ERR="$T/.err"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# run CMD...: runs hearth with the arguments, keeping stdout, stderr, status
run() {
	"$HEARTH" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	return 0
}

# ok NAME ARGS...: hearth ARGS must succeed
ok() {
	local name=$1
	shift
	run "$@"
	if [ "$RC" -eq 0 ]; then pass "$name"; else
		fail "$name" "exit $RC: $(head -c 600 "$ERR")"; fi
}

# refuses NAME CODE PATTERN ARGS...: hearth ARGS must exit CODE with stderr
# matching PATTERN (an extended regular expression) in the standard form
refuses() {
	local name=$1 code=$2 pattern=$3
	shift 3
	run "$@"
	if [ "$RC" -ne "$code" ]; then
		fail "$name" "expected exit $code, got $RC: $(head -c 600 "$ERR")"
	elif ! grep -Eq "^hearth: [a-z]+: " "$ERR"; then
		fail "$name" "stderr is not 'hearth: <command>: ...': $(head -c 300 "$ERR")"
	elif ! grep -Eq -- "$pattern" "$ERR"; then
		fail "$name" "stderr does not match /$pattern/: $(head -c 600 "$ERR")"
	else
		pass "$name"
	fi
}

# check NAME [!] COMMAND...: a shell condition, or with ! its negation
check() {
	local name=$1 want=0
	shift
	if [ "$1" = "!" ]; then
		want=1
		shift
	fi
	"$@" >/dev/null 2>&1
	local got=$(( $? != 0 ))
	if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "not true: $*"; fi
}

# tone FILE SECONDS [FREQ]: a short sine tone in any container ffmpeg knows
tone() {
	ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
		-i "sine=frequency=${3:-440}:duration=$2" -ac 1 "$1"
}

# picture FILE [SIZE]: a test pattern image
picture() {
	ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
		-i "testsrc=size=${2:-320x240}" -frames:v 1 -c:v png -f image2 "$1"
}

# bundle DIR SLUG TITLE [EXTRA-FRONT-MATTER]: a story bundle with a body;
# STATUS, PUBLISHED, SITE and PODCAST in the environment change those fields
bundle() {
	local dir=$1/$2
	mkdir -p "$dir"
	{
		echo "---"
		echo "title: $3"
		echo "summary: A short summary of $3."
		echo "status: ${STATUS:-published}"
		echo "published: ${PUBLISHED:-2024-05-10}"
		echo "contributor: {name: Casey Example, attribution: name}"
		echo "consent: {site: ${SITE:-yes}, podcast: ${PODCAST:-yes}, given: 2024-05-09, recorded_by: Jo}"
		[ -n "${4:-}" ] && printf '%s\n' "$4"
		echo "---"
		echo "The body of $3, told in a few plain words."
	} >"$dir/story.md"
}

# snapshot LIB: a fingerprint of everything in a library that a change
# could touch: the catalogue (private fields too), settings and the store
snapshot() {
	{
		"$HEARTH" -C "$1" export --private
		cat "$1/hearth.yaml"
		(cd "$1" && find store -type f | sort)
	} 2>&1 | sha256sum
}

# tree_hash DIR: one hash over every file's path and bytes
tree_hash() {
	(cd "$1" && find . -type f ! -name '.hearth-site' -print0 | sort -z |
		xargs -0 sha256sum) | sha256sum
}

# no_leftovers LIB: true when nothing is left beside LIB's public/: no
# staging folder, no old site. An old site a build handed to a remover of
# its own (".public.gone-*") is waited for, at most a minute.
no_leftovers() {
	local i left
	for ((i = 0; i < 600; i++)); do
		left=$(find "$1" -maxdepth 1 -name '.public*' ! -name '.public.gone-*')
		[ -n "$left" ] && return 1
		compgen -G "$1/.public.gone-*" >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# site_address LIB [URL]: gives a library made by init what an editor sets
# before the first podcast build: the address it will be served from
# (init's placeholder base_url makes no podcast), the show's owner and its
# square cover (podcast_settings)
site_address() {
	sed -i "s|^base_url: .*|base_url: \"${2:-https://stories.example.net}\"|" "$1/hearth.yaml"
	podcast_settings "$1"
}

# podcast_settings LIB: the owner and the cover image a podcast build needs,
# added once to a hearth.yaml written by init
podcast_settings() {
	grep -q '^  owner:' "$1/hearth.yaml" && return 0
	[ -s "$T/.cover.jpg" ] || ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
		-i "testsrc=size=1400x1400" -frames:v 1 -f image2 "$T/.cover.jpg"
	cp "$T/.cover.jpg" "$1/cover.jpg"
	sed -i '/^podcast:$/a\  owner: {name: The editors, email: editors@example.net}\n  image: cover.jpg' \
		"$1/hearth.yaml"
}

cleanup() { rm -rf "$T"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT

# serve_up LIB [ARGS...]: starts `hearth -C LIB serve` on a free port of
# 127.0.0.1 (the same port when called again), its output in
# $T/serve.out and $T/serve.err, and waits (10 s at most) until it
# answers. Sets PORT, B (its address) and SPID; the server is stopped when
# the test ends, or by serve_down. SERVE_ENV (words like NAME=VALUE) goes
# into its environment.
serve_up() {
	local lib=$1
	shift
	[ -n "${PORT:-}" ] || PORT=$(python3 -c \
		'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	B="http://127.0.0.1:$PORT"
	# shellcheck disable=SC2086
	env ${SERVE_ENV:-} "$HEARTH" -C "$lib" serve --port "$PORT" "$@" \
		>"$T/serve.out" 2>>"$T/serve.err" &
	SPID=$!
	trap 'serve_down; [ -n "${KEEP:-}" ] || cleanup' EXIT
	for _ in $(seq 100); do
		curl -s -o /dev/null --max-time 1 "$B/" && break
		sleep 0.1
	done
}
serve_down() {
	[ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	SPID=
}

# ---- builds decided by the lean program (noop.sh, noop_large.sh) ----------
# They use $T, $L, $OUT and $ERR of the test.
#
# build NAME [ARGS...]: runs `hearth CMD ARGS` (CMD, default build) with
# LD_DEBUG=libs; RC is its exit status, MEDIA_RAN whether a building
# program was started, hearth-media or hearth-site (yes/no: whether libxslt,
# which both load and the lean hearth does not, was loaded); SITE_RAN
# whether it was hearth-site alone (yes/no: libxslt without FFmpeg); $OUT
# and $ERR as run leaves them.
build() {
	shift
	rm -f "$T"/ld.*
	LD_DEBUG=libs LD_DEBUG_OUTPUT="$T/ld" "$HEARTH" -C "$L" "${CMD:-build}" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	cat "$T"/ld.* 2>/dev/null | grep -o 'calling init: [^ ]*' >"$T/loaded"
	rm -f "$T"/ld.*
	if grep -q 'libxslt' "$T/loaded"; then MEDIA_RAN=yes; else MEDIA_RAN=no; fi
	SITE_RAN=$MEDIA_RAN
	if grep -q 'libavcodec' "$T/loaded"; then SITE_RAN=no; fi
	if [ ! -s "$T/loaded" ]; then MEDIA_RAN="unknown (LD_DEBUG unsupported?)"; fi
}
# media_expect WANT NAME [ARGS...]: build passes NAME when it exits 0 and
# hearth-media was started (WANT yes) or was not (WANT no)
media_expect() {
	local want=$1 name=$2
	shift
	build "$@"
	if [ "$RC" -ne 0 ]; then fail "$name" "exit $RC: $(head -c 600 "$ERR")"
	elif [ "$MEDIA_RAN" = "$want" ]; then pass "$name"
	elif [ "$want" = no ]; then
		fail "$name" "hearth-media was started ($MEDIA_RAN): $(head -c 300 "$OUT")"
	else
		fail "$name" "decided without hearth-media ($MEDIA_RAN): $(head -c 300 "$OUT")"
	fi
}
# quick NAME [ARGS...]: the build is decided by the lean hearth alone
quick() { media_expect no "$@"; }
# full NAME [ARGS...]: the build goes to a building program
full() { media_expect yes "$@"; }
