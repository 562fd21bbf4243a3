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
#   blank     hearth init, import, build of the same stories in a library
#             of its own, with a theme whose page.xsl writes next to
#             nothing (no target: what Hearth costs whatever turns its
#             pages into HTML, the bound of any faster theme engine)
#   floors    tests/bench/write_floor (WRITE_FLOOR) writing the public/
#             Hugo made, then the one Hearth made, from memory into a new
#             folder on two threads: what creating each site's files and
#             folders costs on this file system with no work done to know
#             what goes in them (no target: the floor under any generator
#             of that site, Hearth's and Hugo's alike)
# then the same rounds in an ext4 with a journal made for them in a file
# on the same disk (as root, where a loop device can be had), and in
# memory (a folder in BENCH_TMPFS, /dev/shm unless it says otherwise;
# empty for none), where the disk does not count, and, on the library of
# the last round:
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
floor=${WRITE_FLOOR:-$here/build/rel/tests/bench/write_floor}
for t in "$hearth" "$here/hearth-media" "$floor"; do
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
M= J=
trap 'if [ -n "$J" ]; then umount "$J" 2>/dev/null; rm -rf "$J" "$J.img"; fi; rm -rf "$W" ${M:+"$M"}' EXIT

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

# floor NAME SITE DEST: appends the seconds write_floor takes to write
# SITE into DEST (then removed) to $W/.r-NAME
floor() {
	rm -rf "$3"
	sync
	"$floor" "$2" "$3" | cut -d' ' -f1 >>"$W/.r-$1"
	rm -rf "$3"
}
# rounds DIR PREFIX: RUNS rounds of hearth (init, import, build), hugo,
# the blank theme and the floors on the stories in DIR, the figures named
# PREFIX<name>
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
		floor "${p}floor_hugo" "$D/hugo/public" "$D/floor"
		floor "${p}floor_hearth" "$D/lib/public" "$D/floor"
	done
}
rounds "$W" ""
# the same rounds in an ext4 of their own with a journal, in a file on
# the same disk: a file system without a journal (as some machines' root)
# scans for the inodes freed in the last minutes before each new one, so
# there every figure follows how much was deleted just before it. Needs
# root and a loop device; BENCH_EXT4=0 skips it.
if [ "${BENCH_EXT4-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null; then
	J=$(mktemp -d "$W.ext4.XXXXXX")
	truncate -s 4G "$J.img"
	if mkfs.ext4 -q -F "$J.img" && mount -o loop "$J.img" "$J" 2>/dev/null; then
		cp -r "$W/content" "$J/content"
		mkdir "$J/hugo"
		(cd "$W/hugo" && cp -r hugo.toml layouts content "$J/hugo/")
		rounds "$J" j_
		umount "$J"
	else
		echo "bench: no loop device for a journaled ext4; its rounds are skipped" >&2
	fi
	rm -rf "$J" "$J.img"
	J=
fi
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
# the costliest Markdown within the size limit: one story of 1.9 MB of
# one-letter list items (a build took 550 MB for it before the parse had
# a limit), and the same size of prose, each in a library of its own
for kind in hostile prose; do
	mkdir -p "$W/$kind/stories/one"
	python3 - "$kind" "$W/$kind/stories/one/story.md" <<'PY'
import sys
kind, path = sys.argv[1], sys.argv[2]
line = "- a\n" if kind == "hostile" else "Morning group listen voice river quiet window kitchen walk.\n"
with open(path, "w") as f:
    f.write("---\ntitle: One\nstatus: published\npublished: 2024-01-01\n"
            "contributor: {name: A B, attribution: anonymous}\n"
            "consent: {site: yes, podcast: no, given: 2024-01-01, recorded_by: Jo}\n---\n")
    f.write(line * (1900000 // len(line)))
PY
	"$hearth" init "$W/$kind/lib" >/dev/null
	"$hearth" -C "$W/$kind/lib" import "$W/$kind" >/dev/null
	for r in $(seq "$RUNS"); do
		rm -rf "$W/$kind/lib/public"
		timed "${kind}_md" "$hearth" -C "$W/$kind/lib" build
	done
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
row() { printf '%-46s %-30s %-18s %s\n' "$@"; }

echo
echo "Text library: $N stories, $(uname -m), $(nproc) cores, load $load_before at the start;"
echo "medians of $RUNS rounds ($QUICK for the quick commands), in $W's file system."
echo
row "figure" "measured" "target" "holds"
row "hearth import" "${imp} s, $(mb "$(median "$W/.r-import" 2)")" "" ""
row "hearth build" "${bld} s, $(mb "$(median "$W/.r-build" 2)")" "" ""
row "hearth import + build" "${hh_t} s, $(mb "$hh_m")" "" ""
row "hugo --quiet (reference)" "${hu_t} s, $(mb "$hu_m")" "" ""
row "import + build / Hugo, time" "${rt}x" "<= 0.15x" "$(holds "$rt <= 0.15")"
row "import + build / Hugo, peak memory" "${rm_}x" "<= 0.1x" "$(holds "$rm_ <= 0.1")"
# place PREFIX LABEL: the rows of one place's rounds (PREFIX names its
# figures): Hearth and Hugo, the blank theme and the floors, each against
# Hugo's time there; sets RT, B_RT, FLOOR_HUGO and FLOOR_HEARTH to their
# ratios with their seconds
place() {
	local p=$1 l=$2 imp bld hu bimp bbld fh fs
	imp=$(printf "%.2f" "$(median "$W/.r-${p}import" 1)") bld=$(printf "%.2f" "$(median "$W/.r-${p}build" 1)")
	hu=$(printf "%.2f" "$(median "$W/.r-${p}hugo" 1)")
	bimp=$(printf "%.2f" "$(median "$W/.r-${p}bimport" 1)") bbld=$(printf "%.2f" "$(median "$W/.r-${p}bbuild" 1)")
	fh=$(printf "%.2f" "$(median "$W/.r-${p}floor_hugo" 1)") fs=$(printf "%.2f" "$(median "$W/.r-${p}floor_hearth" 1)")
	ratio() { awk -v a="$1" -v c="$hu" 'BEGIN {printf "%.2f", a / c}'; }
	RT="$(ratio "$(awk -v a="$imp" -v b="$bld" 'BEGIN {print a + b}')")x ($imp + $bld s / $hu s)"
	B_RT="$(ratio "$(awk -v a="$bimp" -v b="$bbld" 'BEGIN {print a + b}')")x ($bimp + $bbld s / $hu s)"
	FLOOR_HUGO="$(ratio "$fh")x ($fh s / $hu s)" FLOOR_HEARTH="$(ratio "$fs")x ($fs s / $hu s)"
	row "$l: import + build / Hugo" "$RT" "" ""
	row "$l: a theme writing nothing" "$B_RT" "" ""
	row "$l: writing Hearth's site alone" "$FLOOR_HEARTH" "" ""
	row "$l: writing Hugo's site alone" "$FLOOR_HUGO" "" ""
}
place "" "this folder"
d_floor_hugo=$FLOOR_HUGO d_floor_hearth=$FLOOR_HEARTH d_b_rt=$B_RT
if [ -s "$W/.r-j_build" ]; then
	place j_ "a journaled ext4"
	j_rt=$RT j_b_rt=$B_RT j_floor_hearth=$FLOOR_HEARTH
fi
if [ -s "$W/.r-m_build" ]; then
	place m_ "in memory"
	m_rt=$RT mb_rt=$B_RT m_floor_hearth=$FLOOR_HEARTH
fi
ei=$(median "$W/.r-edit_import" 1) eb=$(median "$W/.r-edit_build" 1)
e=$(awk -v a="$ei" -v b="$eb" 'BEGIN {print a + b}')
row "one story edited: import + build" "$(ms "$ei") + $(ms "$eb")" "" ""
t=$(median "$W/.r-noop_import" 1)
row "import, nothing changed" "$(ms "$t"), $(mb "$(median "$W/.r-noop_import" 2)")" "" ""
t=$(median "$W/.r-list" 1) m=$(median "$W/.r-list" 2)
row "hearth list" "$(ms "$t"), $(mb "$m")" "< 20 ms, < 10 MB" "$(holds "$t < 0.020 && $m < 10240")"
t=$(median "$W/.r-help" 1) m=$(median "$W/.r-help" 2)
row "hearth --help" "$(ms "$t"), $(mb "$m")" "" ""
t=$(median "$W/.r-help_media" 1) m=$(median "$W/.r-help_media" 2)
row "hearth-media --help (reference)" "$(ms "$t"), $(mb "$m")" "" ""
t=$(median "$W/.r-floor" 1)
row "/bin/true (starting any program)" "$(ms "$t")" "" ""
hostile_md="$(ms "$(median "$W/.r-hostile_md" 1)"), $(mb "$(median "$W/.r-hostile_md" 2)")"
prose_md="$(ms "$(median "$W/.r-prose_md" 1)"), $(mb "$(median "$W/.r-prose_md" 2)")"
row "build, 1.9 MB of one-letter list items" "$hostile_md" "" ""
row "build, 1.9 MB of prose" "$prose_md" "" ""
echo

. "$here/tests/bench/summary.sh"
summary_add "edit one story @$N, stories of 3 to 5 paragraphs" "$(ms "$e") ($(ms "$ei") + $(ms "$eb"))" \
	"(no target)" info
summary_add "import + build @$N vs Hugo, time" "${rt}x (${hh_t} s / ${hu_t} s)" "<= 0.15x" "$(holds "$rt <= 0.15")"
summary_add "  a theme writing nothing, same folder" "$d_b_rt" "(no target)" info
summary_add "  writing Hearth's finished site alone there" "$d_floor_hearth" "(no target)" info
summary_add "  writing Hugo's finished site alone there" "$d_floor_hugo" "(no target)" info
[ -z "${j_rt:-}" ] ||
	summary_add "  in a journaled ext4 on the same disk" "$j_rt" "(no target)" info
[ -z "${j_rt:-}" ] ||
	summary_add "  there, writing Hearth's site alone" "$j_floor_hearth" "(no target)" info
[ -z "${m_rt:-}" ] ||
	summary_add "  in memory (tmpfs), vs Hugo there" "$m_rt" "(no target)" info
[ -z "${m_rt:-}" ] ||
	summary_add "  in memory, a theme writing nothing" "$mb_rt" "(no target)" info
summary_add "import + build @$N vs Hugo, peak memory" "${rm_}x ($(mb "$hh_m") / $(mb "$hu_m"))" "<= 0.1x" \
	"$(holds "$rm_ <= 0.1")"
t=$(median "$W/.r-list" 1) m=$(median "$W/.r-list" 2)
summary_add "build of one 1.9 MB story of one-letter list items" "$hostile_md (prose: $prose_md)" "(no target)" info
summary_add "hearth list @$N" "$(ms "$t"), $(mb "$m")" "< 20 ms, < 10 MB" "$(holds "$t < 0.020 && $m < 10240")"
