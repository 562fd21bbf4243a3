#!/usr/bin/env bash
# Installs the Debian packages Hearth needs, when they are missing.
#   setup-deps.sh build   what building needs
#   setup-deps.sh demo    building and the demo
#   setup-deps.sh test    building and every test
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

build=(build-essential pkg-config libavformat-dev libavcodec-dev libavutil-dev
       libavfilter-dev libswresample-dev libswscale-dev libxml2-dev libxslt1-dev
       libmagic-dev libsqlite3-dev libcmark-dev libyaml-dev)
test=(ffmpeg espeak-ng python3 python3-podcastparser python3-feedparser
      libxml2-utils)

case "${1:-build}" in
build|demo) want=("${build[@]}") ;;
test) want=("${build[@]}" "${test[@]}") ;;
*) echo "usage: $0 build|demo|test" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
