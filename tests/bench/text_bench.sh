#!/usr/bin/env bash
# text_bench.sh - a text library against Hugo, in one run (make bench).
#
# Generates N text stories (tests/bench/gen_stories.py; N=10000 unless
# BENCH_STORIES says otherwise) both as Hearth bundles and as a Hugo site
# with a minimal layout, in one folder on the disk the build tree is on
# (BENCH_DIR to choose another). Then, in rounds that take turns (the
# median of BENCH_RUNS, default 3, counts), from a fresh library each time:
#   hearth    hearth init, import, build
#   hugo      hugo --quiet, into an emptied public/
#   copy      cp -r of the public/ Hugo made, to a new folder: what making
#             Hugo's files and folders costs on this disk, with no work
#             done to know what goes in them (no target: the floor any
#             generator of the same site stands on)
#   blank     hearth init, import, build of the same stories in a library
#             of its own, with a theme whose page.xsl writes next to
#             nothing (no target: what Hearth costs whatever turns its
#             pages into HTML, the bound of any faster theme engine)
# then the same rounds of hearth and hugo in memory (a folder in
# BENCH_TMPFS, /dev/shm unless it says otherwise; empty for none), where
# the disk does not count, and, on the library of the last round:
#   one story edited (import + build, BENCH_QUICK_RUNS times), import
#   with nothing changed, `hearth list`, `hearth --help` (and
#   hearth-media --help, the whole program, for reference)
# Times are wall-clock seconds, memory the peak resident set
# (/usr/bin/time -v's "Maximum resident set size"); for import + build it
# is the larger of the two. Prints a table of each figure, its target and
# whether it holds; it never fails on timing.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
hearth="$here/hearth"
for t in "$hearth" "$here/hearth-media"; do
	[ -x "$t" ] || { echo "bench: $t is missing (make bench builds it)" >&2; exit 1; }
done
for tool in hugo python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: missing tool: $tool" >&2; exit 1; }
done
N=${BENCH_STORIES:-10000}
RUNS=${BENCH_RUNS:-3}
QUICK=${BENCH_QUICK_RUNS:-11}
load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
mkdir -p "${BENCH_DIR:-$here/build}"
W=$(mktemp -d "${BENCH_DIR:-$here/build}/text-bench.XXXXXX")
M=
trap 'rm -rf "$W" ${M:+"$M"}' EXIT

# timed NAME CMD...: runs CMD with its output discarded and appends
# "seconds kilobytes" to $W/.r-NAME (wall time from the shell's clock, in
# microseconds; the peak memory from /usr/bin/time)
timed() {
	local name=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f "%M" -o "$W/.t" "$@" >/dev/null 2>"$W/.err" ||
		{ echo "bench: failed: $*" >&2; cat "$W/.err" >&2; exit 1; }
	t1=$EPOCHREALTIME
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}') $(tail -n 1 "$W/.t")" \
		>>"$W/.r-$name"
}
# median FILE COLUMN: the median of one column
median() { cut -d' ' -f"$2" "$1" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "bench: writing $N stories for Hearth and for Hugo in $W..." >&2
# the blank theme: every page an HTML document with no words in it
mkdir -p "$W/blank"
cat >"$W/blank/page.xsl" <<'XSL'
<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" indent="no"/>
  <xsl:param name="root" select="''"/>
  <xsl:template match="/"><html lang="en"><head><title>-</title></head><body></body></html></xsl:template>
</xsl:stylesheet>
XSL
python3 "$here/tests/bench/gen_stories.py" "$N" "$W/content" "$W/hugo"

# rounds DIR PREFIX [copy]: RUNS rounds of hearth (init, import, build)
# and hugo on the stories in DIR, the figures named PREFIX<name>; with
# "copy", each round also times cp -r of the public/ Hugo made
rounds() {
	local D=$1 p=$2 r
	for r in $(seq "$RUNS"); do
		echo "bench: round $r of $RUNS in $D" >&2
		rm -rf "$D/lib"
		"$hearth" init "$D/lib" >/dev/null
		timed "${p}import" "$hearth" -C "$D/lib" import "$D/content"
		timed "${p}build" "$hearth" -C "$D/lib" build
		rm -rf "$D/hugo/public" "$D/hugo/resources"
		timed "${p}hugo" hugo --quiet -s "$D/hugo"
		rm -rf "$D/blib"
		"$hearth" init "$D/blib" >/dev/null
		timed "${p}bimport" "$hearth" -C "$D/blib" import "$D/content"
		timed "${p}bbuild" "$hearth" -C "$D/blib" build --theme "$W/blank"
		rm -rf "$D/blib"
		[ "${3:-}" = copy ] || continue
		rm -rf "$D/copy"
		sync
		timed "${p}copy" cp -r "$D/hugo/public" "$D/copy"
	done
	rm -rf "$D/copy"
}
rounds "$W" "" copy
T=${BENCH_TMPFS-/dev/shm}
if [ -n "$T" ] && [ -d "$T" ] && [ -w "$T" ] &&
	[ "$(df -Pk "$T" | awk 'NR == 2 {print $4}')" -gt 1048576 ]; then
	M=$(mktemp -d "$T/hearth-bench.XXXXXX")
	cp -r "$W/content" "$M/content"
	mkdir "$M/hugo"
	(cd "$W/hugo" && cp -r hugo.toml layouts content "$M/hugo/")
	rounds "$M" m_
	rm -rf "$M"
	M=
fi
# the files were all written long enough ago now; the first import after
# the last round's records everything it skipped as racy
"$hearth" -C "$W/lib" import "$W/content" >/dev/null
for r in $(seq "$RUNS"); do
	timed noop_import "$hearth" -C "$W/lib" import "$W/content"
done
# wall CMD...: runs CMD and sets WALL to its wall time in seconds, taken
# around the command alone (started by the shell, as a user starts it)
wall() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$W/.err" || { echo "bench: failed: $*" >&2; cat "$W/.err" >&2; exit 1; }
	t1=$EPOCHREALTIME
	WALL=$(awk -v a="${t0/,/.}" -v b="${t1/,/.}" 'BEGIN {printf "%.4f", b - a}')
}
# timed_quick NAME CMD...: appends a quick command's wall time and its
# peak memory to $W/.r-NAME, the memory from a second run under
# /usr/bin/time, whose own start-up would otherwise be most of a figure
# of a few milliseconds
timed_quick() {
	local name=$1
	shift
	wall "$@"
	/usr/bin/time -f "%M" -o "$W/.t" "$@" >/dev/null 2>&1
	echo "$WALL $(tail -n 1 "$W/.t")" >>"$W/.r-$name"
}
# one story edited, imported and built, as the build bench does but with
# these stories of a few paragraphs, not of a few lines: what an edit
# costs where each body is a few kilobytes
stories=("$W"/content/stories/*)
for r in $(seq "$QUICK"); do
	s=${stories[$(( (r * 37) % ${#stories[@]} ))]}
	printf '\nAn edit, run %d.\n' "$r" >>"$s/story.md"
	wall "$hearth" -C "$W/lib" import "$s"
	echo "$WALL" >>"$W/.r-edit_import"
	wall "$hearth" -C "$W/lib" build
	echo "$WALL" >>"$W/.r-edit_build"
done
for r in $(seq "$QUICK"); do
	timed_quick list "$hearth" -C "$W/lib" list
	timed_quick help "$hearth" --help
	timed_quick help_media "$here/hearth-media" --help
	timed_quick floor /bin/true
done

imp=$(printf "%.2f" "$(median "$W/.r-import" 1)") bld=$(printf "%.2f" "$(median "$W/.r-build" 1)")
hh_t=$(awk -v a="$imp" -v b="$bld" 'BEGIN {printf "%.2f", a + b}')
hh_m=$(( $(median "$W/.r-import" 2) > $(median "$W/.r-build" 2) ? $(median "$W/.r-import" 2) : $(median "$W/.r-build" 2) ))
hu_t=$(printf "%.2f" "$(median "$W/.r-hugo" 1)") hu_m=$(median "$W/.r-hugo" 2)
rt=$(awk -v a="$hh_t" -v b="$hu_t" 'BEGIN {printf "%.2f", a / b}')
rm_=$(awk -v a="$hh_m" -v b="$hu_m" 'BEGIN {printf "%.2f", a / b}')
ms() { awk -v s="$1" 'BEGIN {printf "%.0f ms", s * 1000}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }
holds() { awk "BEGIN {exit !($1)}" && echo yes || echo NO; }

echo
echo "Text library: $N stories, $(uname -m), $(nproc) cores, load $load_before at the start;"
echo "medians of $RUNS rounds ($QUICK for the quick commands), in $W's file system."
echo
printf '%-36s %-22s %-18s %s\n' "figure" "measured" "target" "holds"
printf '%-36s %-22s %-18s %s\n' "hearth import" "${imp} s, $(mb "$(median "$W/.r-import" 2)")" "" ""
printf '%-36s %-22s %-18s %s\n' "hearth build" "${bld} s, $(mb "$(median "$W/.r-build" 2)")" "" ""
printf '%-36s %-22s %-18s %s\n' "hearth import + build" "${hh_t} s, $(mb "$hh_m")" "" ""
printf '%-36s %-22s %-18s %s\n' "hugo --quiet (reference)" "${hu_t} s, $(mb "$hu_m")" "" ""
printf '%-36s %-22s %-18s %s\n' "import + build / Hugo, time" "${rt}x" "<= 0.15x" "$(holds "$rt <= 0.15")"
printf '%-36s %-22s %-18s %s\n' "import + build / Hugo, peak memory" "${rm_}x" "<= 0.1x" "$(holds "$rm_ <= 0.1")"
cp_t=$(printf "%.2f" "$(median "$W/.r-copy" 1)")
cp_r=$(awk -v a="$cp_t" -v b="$hu_t" 'BEGIN {printf "%.2f", a / b}')
printf '%-36s %-22s %-18s %s\n' "cp -r of Hugo's public/ (disk floor)" "${cp_t} s, ${cp_r}x Hugo" "" ""
b_imp=$(printf "%.2f" "$(median "$W/.r-bimport" 1)") b_bld=$(printf "%.2f" "$(median "$W/.r-bbuild" 1)")
b_rt=$(awk -v a="$b_imp" -v b="$b_bld" -v c="$hu_t" 'BEGIN {printf "%.2f", (a + b) / c}')
printf '%-36s %-22s %-18s %s\n' "the same, a theme writing nothing" "${b_imp} s + ${b_bld} s, ${b_rt}x Hugo" "" ""
if [ -s "$W/.r-m_build" ]; then
	m_imp=$(printf "%.2f" "$(median "$W/.r-m_import" 1)") m_bld=$(printf "%.2f" "$(median "$W/.r-m_build" 1)")
	m_hu=$(printf "%.2f" "$(median "$W/.r-m_hugo" 1)")
	m_rt=$(awk -v a="$m_imp" -v b="$m_bld" -v c="$m_hu" 'BEGIN {printf "%.2f", (a + b) / c}')
	printf '%-36s %-22s %-18s %s\n' "in memory: hearth import + build" "${m_imp} s + ${m_bld} s" "" ""
	printf '%-36s %-22s %-18s %s\n' "in memory: hugo --quiet" "${m_hu} s" "" ""
	printf '%-36s %-22s %-18s %s\n' "in memory: import + build / Hugo" "${m_rt}x" "" ""
	mb_imp=$(printf "%.2f" "$(median "$W/.r-m_bimport" 1)") mb_bld=$(printf "%.2f" "$(median "$W/.r-m_bbuild" 1)")
	mb_rt=$(awk -v a="$mb_imp" -v b="$mb_bld" -v c="$m_hu" 'BEGIN {printf "%.2f", (a + b) / c}')
	printf '%-36s %-22s %-18s %s\n' "in memory, a theme writing nothing" "${mb_imp} s + ${mb_bld} s, ${mb_rt}x" "" ""
fi
ei=$(median "$W/.r-edit_import" 1) eb=$(median "$W/.r-edit_build" 1)
e=$(awk -v a="$ei" -v b="$eb" 'BEGIN {print a + b}')
printf '%-36s %-22s %-18s %s\n' "one story edited: import + build" "$(ms "$ei") + $(ms "$eb")" "" ""
t=$(median "$W/.r-noop_import" 1)
printf '%-36s %-22s %-18s %s\n' "import, nothing changed" "$(ms "$t"), $(mb "$(median "$W/.r-noop_import" 2)")" "" ""
t=$(median "$W/.r-list" 1) m=$(median "$W/.r-list" 2)
printf '%-36s %-22s %-18s %s\n' "hearth list" "$(ms "$t"), $(mb "$m")" "< 20 ms, < 10 MB" "$(holds "$t < 0.020 && $m < 10240")"
t=$(median "$W/.r-help" 1) m=$(median "$W/.r-help" 2)
printf '%-36s %-22s %-18s %s\n' "hearth --help" "$(ms "$t"), $(mb "$m")" "" ""
t=$(median "$W/.r-help_media" 1) m=$(median "$W/.r-help_media" 2)
printf '%-36s %-22s %-18s %s\n' "hearth-media --help (reference)" "$(ms "$t"), $(mb "$m")" "" ""
t=$(median "$W/.r-floor" 1)
printf '%-36s %-22s %-18s %s\n' "/bin/true (starting any program)" "$(ms "$t")" "" ""
echo

. "$here/tests/bench/summary.sh"
summary_add "edit one story @$N, stories of 3 to 5 paragraphs" "$(ms "$e") ($(ms "$ei") + $(ms "$eb"))" \
	"(no target)" info
summary_add "import + build @$N vs Hugo, time" "${rt}x (${hh_t} s / ${hu_t} s)" "<= 0.15x" "$(holds "$rt <= 0.15")"
summary_add "  cp -r of Hugo's output on the same disk" "${cp_r}x (${cp_t} s / ${hu_t} s)" "(no target)" info
summary_add "  Hearth, a theme writing nothing, same disk" "${b_rt}x ($b_imp + $b_bld s / $hu_t s)" "(no target)" info
[ -z "${m_rt:-}" ] ||
	summary_add "  the same in memory (tmpfs), vs Hugo there" "${m_rt}x ($m_imp + $m_bld s / $m_hu s)" "(no target)" info
[ -z "${mb_rt:-}" ] ||
	summary_add "  in memory, a theme writing nothing" "${mb_rt}x ($mb_imp + $mb_bld s / $m_hu s)" "(no target)" info
summary_add "import + build @$N vs Hugo, peak memory" "${rm_}x ($(mb "$hh_m") / $(mb "$hu_m"))" "<= 0.1x" \
	"$(holds "$rm_ <= 0.1")"
t=$(median "$W/.r-list" 1) m=$(median "$W/.r-list" 2)
summary_add "hearth list @$N" "$(ms "$t"), $(mb "$m")" "< 20 ms, < 10 MB" "$(holds "$t < 0.020 && $m < 10240")"
