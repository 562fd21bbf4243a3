#!/usr/bin/env bash
# feeds_bench.sh - every feed of a library of 10,000 published audio
# stories in 100 collections (feed.xml with its archives, a feed per
# collection, atom.xml with the stories' text, feeds.opml): the time to
# write them all, the time of a build that keeps them all (their keys
# alone), the time of a build after one new episode (three feeds made),
# and the peak memory of the process, records included. Runs
# tests/bench/feeds_bench (built by `make bench`), which takes the median
# of FEEDS_BENCH_RUNS runs. Timings are never asserted anywhere.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${FEEDS_BENCH:-$ROOT/build/rel/tests/bench/feeds_bench}
STORIES=${FEEDS_BENCH_STORIES:-10000}
COLLS=${FEEDS_BENCH_COLLECTIONS:-100}
RUNS=${FEEDS_BENCH_RUNS:-5}
. "$ROOT/tests/bench/summary.sh"

load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
line=$("$BIN" "$STORIES" "$COLLS" "$RUNS")
load_after=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
field() { printf '%s\n' "$line" | awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
ms=$(field every_feed_ms)
cpu=$(field every_feed_cpu_ms)
kept=$(field kept_ms)
one=$(field one_new_episode_ms)
mb=$(field peak_rss_mb)
bytes=$(field bytes)
holds() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }

echo
echo "Every feed of $STORIES published audio stories in $COLLS collections (median of $RUNS):"
printf "  %-46s %s\n" "written, wall clock" "$ms ms" \
	"written, processor time" "$cpu ms" \
	"kept (their keys only)" "$kept ms" \
	"one new episode (3 feeds made, the rest kept)" "$one ms" \
	"bytes written" "$bytes" \
	"peak memory, records included" "$mb MB"
echo "  $(nproc) cores (the feeds are made on all of them); load average $load_before before, $load_after after"
summary_add "every feed, $STORIES stories in $COLLS collections" "$ms ms ($cpu ms CPU)" "< 100 ms" \
	"$(holds "$ms < 100")"
summary_add "every feed: peak memory" "$mb MB" "< 50 MB" "$(holds "$mb < 50")"
summary_add "every feed after one new episode (the rest kept)" "$one ms" "< 100 ms" \
	"$(holds "$one < 100")"
