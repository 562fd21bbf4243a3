#!/usr/bin/env bash
# search_bench.sh - what a reader's search downloads, Hearth against
# Pagefind, in one run (make bench).
#
# Generates N text stories (tests/bench/gen_stories.py; N=10000 unless
# BENCH_STORIES says otherwise) as Hearth bundles and as a Hugo site,
# builds both, indexes Hugo's site with Pagefind (npm package pagefind,
# installed here from tests/bench/package-lock.json with `npm ci`), then
# in headless Chromium runs two searches on each (search_bench.mjs): a
# rare term (one story's number, which must come first) and a word in
# (nearly) every story, counting every byte the search page fetches after
# it has loaded until the first ten results are shown. Prints the figures
# side by side and adds the targets to the summary (tests/bench/summary.sh).
# Byte counts do not depend on the machine's load; the builds are not timed.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
bench="$here/tests/bench"
hearth="$here/hearth"
. "$bench/summary.sh"
[ -x "$hearth" ] || { echo "bench: $hearth is missing (make bench builds it)" >&2; exit 1; }
for tool in hugo python3 node npm; do
	command -v "$tool" >/dev/null || { echo "bench: missing tool: $tool" >&2; exit 1; }
done
[ -d "$here/tests/browser/node_modules/playwright-core" ] ||
	{ echo "bench: run npm ci in tests/browser first (tools/setup-deps.sh test)" >&2; exit 1; }
if [ ! -x "$bench/node_modules/.bin/pagefind" ]; then
	echo "bench: installing pagefind (npm ci in tests/bench)..." >&2
	(cd "$bench" && npm ci --no-audit --no-fund >/dev/null)
fi
N=${BENCH_STORIES:-10000}
mkdir -p "${BENCH_DIR:-$here/build}"
W=$(mktemp -d "${BENCH_DIR:-$here/build}/search-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

echo "bench: writing $N stories for Hearth and for Hugo in $W..." >&2
python3 "$bench/gen_stories.py" "$N" "$W/content" "$W/hugo"
echo "bench: building both, indexing Hugo's site with Pagefind..." >&2
"$hearth" init "$W/lib" >/dev/null
"$hearth" -C "$W/lib" import "$W/content" >/dev/null
"$hearth" -C "$W/lib" build >/dev/null
hugo --quiet -s "$W/hugo"
"$bench/node_modules/.bin/pagefind" --site "$W/hugo/public" >"$W/pagefind.log" 2>&1 ||
	{ echo "bench: pagefind failed" >&2; tail -n 20 "$W/pagefind.log" >&2; exit 1; }

# the rare term: the number of a story in the middle; the common word: the
# word of the generator's vocabulary found in the most stories
i=$((N / 2 + 7))
rare=$i
slug=$(printf 'story-%05d' "$i")
common=$(python3 - "$W/content/stories" <<'EOF'
import os, re, sys, collections
seen = collections.Counter()
for d in os.listdir(sys.argv[1]):
    text = open(os.path.join(sys.argv[1], d, 'story.md')).read().lower()
    text = text.split('---', 2)[2] + ' ' + re.search(r'^title: "(.*)"$', text, re.M).group(1)
    seen.update(set(re.findall(r'[a-z]+', text)))
print(seen.most_common(1)[0][0], seen.most_common(1)[0][1])
EOF
)
common_n=${common#* }
common=${common% *}
echo "bench: searching for '$rare' (only $slug) and '$common' (in $common_n of $N stories)..." >&2
node "$bench/search_bench.mjs" "$W/lib/public" "$W/hugo/public" "$rare" "$slug" "$common" \
	>"$W/out"

kb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1000}'; }
row() { grep "^$1 $2 " "$W/out"; }
read -r _ _ h_rare h_rare_req h_rare_n _ h_rare_first <<<"$(row hearth rare)"
read -r _ _ h_com h_com_req h_com_n _ _ <<<"$(row hearth common)"
read -r _ _ p_rare p_rare_req p_rare_n _ p_rare_first <<<"$(row pagefind rare)"
read -r _ _ p_com p_com_req p_com_n _ _ <<<"$(row pagefind common)"

echo
echo "Search on $N stories: bytes fetched after the search page loaded, for the first ten results"
printf '%-40s %14s %14s %10s\n' "search" "hearth" "pagefind" "target"
printf '%-40s %11s kB %11s kB %7s kB\n' "rare term '$rare' (one story)" "$(kb "$h_rare")" "$(kb "$p_rare")" 100
printf '%-40s %14s %14s\n' "  requests, results, first" "$h_rare_req, $h_rare_n, $h_rare_first" \
	"$p_rare_req, $p_rare_n, $p_rare_first"
printf '%-40s %11s kB %11s kB %7s kB\n' "word '$common' ($common_n stories)" "$(kb "$h_com")" "$(kb "$p_com")" 150
printf '%-40s %14s %14s\n' "  requests, results" "$h_com_req, $h_com_n" "$p_com_req, $p_com_n"

ok_rare=no
[ "$h_rare" -le 100000 ] && [ "$h_rare_first" = right ] && ok_rare=yes
ok_com=no
[ "$h_com" -le 150000 ] && ok_com=yes
summary_add "search: rare term, 10k stories (kB fetched)" \
	"$(kb "$h_rare") (pagefind $(kb "$p_rare"))" "<= 100, right first" "$ok_rare"
summary_add "search: word in every story (kB fetched)" \
	"$(kb "$h_com") (pagefind $(kb "$p_com"))" "<= 150" "$ok_com"
