#!/usr/bin/env bash
# summary.sh - the one table of targets `make bench` ends with.
#
# Each bench script sources this file and calls
#   summary_add FIGURE MEASURED TARGET HOLDS
# for every target it measures (HOLDS is PASS or MISS, or yes/no; "info"
# for a figure that is no target but tells how far one can go); when
# BENCH_SUMMARY names a file, the row is added to it, one tab-separated
# line per target. `tests/bench/summary.sh print FILE` prints the rows
# gathered in one run as a table, with the machine and its load, so every
# target and its reference figure can be read in one place. Timings are
# never a reason for a bench to fail.

summary_add() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	local holds=$4
	case $holds in yes | PASS) holds=PASS ;; info) holds=- ;; *) holds=MISS ;; esac
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$holds" >>"$BENCH_SUMMARY"
}

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = print ]; then
	f=${2:?usage: summary.sh print FILE}
	[ -s "$f" ] || { echo "bench: no targets were measured" >&2; exit 1; }
	echo
	echo "Every target of this run ($(nproc) cores, $(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo),"
	echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; each figure against its reference of the same run):"
	echo
	printf '%-52s %-28s %-20s %s\n' "target" "measured" "wanted" "holds"
	while IFS=$'\t' read -r name measured target holds; do
		printf '%-52s %-28s %-20s %s\n' "$name" "$measured" "$target" "$holds"
	done <"$f"
	echo
	echo "$(grep -c $'\tPASS$' "$f") of $(grep -c -v $'\t-$' "$f") targets hold in this run"
fi
