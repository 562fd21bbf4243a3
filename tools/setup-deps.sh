#!/usr/bin/env bash
# Installs the Debian packages Hearth needs, when they are missing.
#   setup-deps.sh build   what building needs
#   setup-deps.sh demo    building and the demo
#   setup-deps.sh test    building and every test
#   setup-deps.sh bench   building, the tests' tools (the browser's from npm
#                         too), and wrk, nginx and Hugo for the benches
#                         (make bench)
#   setup-deps.sh fuzz    building and `make fuzz` (clang with libFuzzer)
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

build=(build-essential pkg-config libavformat-dev libavcodec-dev libavutil-dev
       libavfilter-dev libswresample-dev libswscale-dev libxml2-dev libxslt1-dev
       libmagic-dev libsqlite3-dev libcmark-dev libyaml-dev libebur128-dev
       nettle-dev uuid-dev libicu-dev libmicrohttpd-dev libsodium-dev
       libcurl4-openssl-dev libqrencode-dev)
test=(ffmpeg espeak-ng python3 python3-podcastparser python3-feedparser
      libxml2-utils chromium default-jre-headless fonts-dejavu-core strace
      gpodder rsync)
# the server's bench loads hearth serve and nginx side by side; the text
# library's bench builds the same stories with Hugo
bench=(wrk nginx-light hugo)
# clang-14's libFuzzer runtime is in libclang-rt-14-dev; ffmpeg makes the seeds
fuzz=(clang libclang-rt-14-dev ffmpeg)

case "${1:-build}" in
build|demo) want=("${build[@]}") ;;
test) want=("${build[@]}" "${test[@]}") ;;
bench) want=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
fuzz) want=("${build[@]}" "${fuzz[@]}") ;;
*) echo "usage: $0 build|demo|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
# the browser tests' tools come from npm; Node.js itself may come from elsewhere
# (the search bench drives Chromium with them too)
case "${1:-build}" in test | bench) with_npm=1 ;; *) with_npm= ;; esac
if [ -n "$with_npm" ] && ! command -v npm >/dev/null; then
	missing+=(nodejs npm)
fi

# npm_tools: the test tools of tests/browser, as its package-lock.json pins them
npm_tools() {
	[ -n "$with_npm" ] || return 0
	local dir
	dir="$(dirname "$0")/../tests/browser"
	# every package the tests use (s3rver: the object store of deploy.sh)
	[ -d "$dir/node_modules/playwright-core" ] && [ -d "$dir/node_modules/s3rver" ] &&
		return 0
	echo "hearth: installing the browser test tools (npm ci in tests/browser)" >&2
	(cd "$dir" && npm ci --no-audit --no-fund >&2)
}

if [ ${#missing[@]} -eq 0 ]; then
	npm_tools
	exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "hearth: these Debian packages are missing; install them with:" >&2
	echo "  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "hearth: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
$cmd >&2
npm_tools
