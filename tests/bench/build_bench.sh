#!/usr/bin/env bash
# build_bench.sh - how long a build takes when nothing changed and when one
# story changed, against a clean build of the same library in the same run.
#
# For each size (BUILD_BENCH_SIZES, default "1000 10000") it makes a
# library of text stories, then times, as medians:
#   - a clean build (the site and its build state removed first): the reference
#   - a build with nothing changed
#   - an edit of one story: `hearth import` of that story's bundle, then the
#     build, with the build's CPU time (user + system) beside its wall time:
#     on a busy machine the CPU time is the steadier figure
#   - `hearth list`, for the cost of starting the program and opening the
#     library, which every command pays
#   - a build of every page: the site's title changed in hearth.yaml, so
#     every page is made again and the whole site swapped in; the old
#     site's remover is waited for (bounded) after the timing, so it does
#     not slow the next figure
# and prints one table. Then the demo library (content/: recordings,
# transcripts, chapters, art, the show's cover), built once, and the
# import + build after editing one of its text stories, its media all in
# the cache (no target: what an editor's edit costs in a library with
# media). Run by `make bench` (after `make hearth`); timings
# are never asserted anywhere. BENCH_DIR picks the folder (file system)
# the libraries are made in; the default is a new folder under $TMPDIR.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HEARTH=${HEARTH:-$ROOT/hearth}
export HEARTH_THEME_DIR=${HEARTH_THEME_DIR:-$ROOT/themes/default}
SIZES=${BUILD_BENCH_SIZES:-1000 10000}
RUNS=${BUILD_BENCH_RUNS:-5}
W=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/build-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

# cpu_of FILE: the CPU seconds (user + system) of finished children in a `times` report
cpu_of() {
	awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); n += p[1] * 60 + p[2] } printf "%.4f\n", n }' "$1"
}
# timed CMD...: runs CMD quietly and prints the seconds it took; its CPU
# seconds go to $W/cpu. The span is the command alone, started by the
# shell, read on the shell's own clock: a `date`, a `$(...)` subshell or
# a file written inside it would add milliseconds of their own to every
# figure (7 ms here, measured around /bin/true).
timed() {
	local t0 t1
	times >"$W/times0"
	t0=${EPOCHREALTIME/,/.}
	"$@" >/dev/null 2>"$W/err" || { echo "build_bench: failed: $* $(head -c 300 "$W/err")" >&2; exit 1; }
	t1=${EPOCHREALTIME/,/.}
	times >"$W/times1"
	awk -v a="$(cpu_of "$W/times0")" -v b="$(cpu_of "$W/times1")" 'BEGIN { printf "%.4f\n", b - a }' >"$W/cpu"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f×", a / b }'; }
holds() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }
. "$ROOT/tests/bench/summary.sh"

# removed_apart LIB: waits (a minute at most) for the old sites a build
# handed to a remover of its own to be gone
removed_apart() {
	local i
	for ((i = 0; i < 600; i++)); do
		compgen -G "$1/.public.gone-*" >/dev/null || return 0
		sleep 0.1
	done
}

# library N: a library of N text stories, imported
library() {
	local n=$1 L=$W/lib-$1 C=$W/content-$1/stories
	mkdir -p "$C"
	for ((i = 1; i <= n; i++)); do
		mkdir -p "$C/story-$i"
		printf -- '---\ntitle: Story %d\nsummary: The summary of story %d.\nstatus: published\npublished: 2024-%02d-%02d\ncontributor: {name: Casey Example, attribution: pseudonym, pseudonym: Peer %d}\nconsent: {site: yes, podcast: no, given: 2024-01-01, recorded_by: Jo}\ntags: [hope, work]\n---\nThe body of story %d. It goes on for a few sentences, the way a short story\nshared by a peer does: what happened, what helped, and what came after.\n\nA second paragraph, with *some* emphasis and a [link](https://example.org/).\n' \
			"$i" "$i" $((1 + i % 12)) $((1 + i % 28)) "$i" "$i" >"$C/story-$i/story.md"
	done
	"$HEARTH" init "$L" >/dev/null
	sed -i 's|^base_url: .*|base_url: "https://bench.example.org"|' "$L/hearth.yaml"
	"$HEARTH" -C "$L" import "$W/content-$1" >/dev/null
}

fs=$(df -T "$W" | awk 'NR == 2 { print $2 }')
echo "build_bench: $(nproc) cores, $fs file system in $W, medians of $RUNS runs" >&2
rows=()
for n in $SIZES; do
	echo "build_bench: $n stories..." >&2
	library "$n"
	L=$W/lib-$n
	clean=() noop=() edit_import=() edit_build=() edit_cpu=() list=() wide=()
	for ((r = 1; r <= RUNS; r++)); do
		rm -rf "$L/public" "$L/.hearth-build.public"
		clean+=("$(timed "$HEARTH" -C "$L" build)")
		noop+=("$(timed "$HEARTH" -C "$L" build)")
		list+=("$(timed "$HEARTH" -C "$L" list)")
		s=$W/content-$n/stories/story-$((1 + (r * 37) % n))
		printf '\nAn edit, run %d.\n' "$r" >>"$s/story.md"
		edit_import+=("$(timed "$HEARTH" -C "$L" import "$s")")
		edit_build+=("$(timed "$HEARTH" -C "$L" build)")
		edit_cpu+=("$(cat "$W/cpu")")
		sed -i "s|^title: .*|title: \"Bench library $r\"|" "$L/hearth.yaml"
		wide+=("$(timed "$HEARTH" -C "$L" build)")
		removed_apart "$L"
	done
	c=$(median "${clean[@]}") o=$(median "${noop[@]}")
	ei=$(median "${edit_import[@]}") eb=$(median "${edit_build[@]}")
	ec=$(median "${edit_cpu[@]}")
	li=$(median "${list[@]}")
	wi=$(median "${wide[@]}")
	rows+=("| $n | $(ms "$c") | $(ms "$o") ($(ratio "$o" "$c")) | $(ms "$ei") + $(ms "$eb") ($(ratio "$eb" "$c"); build CPU $(ms "$ec")) | $(ms "$li") | $(ms "$wi") ($(ratio "$wi" "$c")) |")
	summary_add "build with nothing changed @$n" "$(ms "$o") (clean $(ms "$c"))" "< 50 ms" \
		"$(holds "$o < 0.050")"
	e=$(awk -v a="$ei" -v b="$eb" 'BEGIN { print a + b }')
	summary_add "import + build after editing one story @$n" "$(ms "$e") ($(ms "$ei") + $(ms "$eb"))" \
		"< 150 ms" "$(holds "$e < 0.150")"
	rm -rf "$L" "$W/content-$n"
done

# the demo library: its media made once, then text edits among them
echo "build_bench: the demo library..." >&2
D=$W/demo
cp -R "$ROOT/content" "$W/demo-content"
"$HEARTH" init "$D" >/dev/null
timed "$HEARTH" -C "$D" import "$W/demo-content" >/dev/null
dclean=$(timed "$HEARTH" -C "$D" build)
dedit=() dcpu=()
for ((r = 1; r <= RUNS * 2; r++)); do
	s=$W/demo-content/stories/finding-my-voice
	printf '\nAn edit, run %d.\n' "$r" >>"$s/story.md"
	i=$(timed "$HEARTH" -C "$D" import "$s")
	b=$(timed "$HEARTH" -C "$D" build)
	dcpu+=("$(cat "$W/cpu")")
	dedit+=("$(awk -v a="$i" -v b="$b" 'BEGIN { print a + b }')")
done
de=$(median "${dedit[@]}") dc=$(median "${dcpu[@]}")
summary_add "edit one story, the demo library (media cached)" \
	"$(ms "$de") (build CPU $(ms "$dc"))" "(no target)" info
rows+=("| demo ($(ls "$W/demo-content/stories" | wc -l) stories with media) | $(ms "$dclean") (media made) | | import + build $(ms "$de") (build CPU $(ms "$dc")) | | |")

echo
echo "| stories | clean build (reference) | nothing changed | one story edited: import + build | \`hearth list\` | every page (the title changed) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
