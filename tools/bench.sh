#!/usr/bin/env bash
# make bench: Hearth's podcast audio against the ffmpeg program, in one run.
#
# Makes a 10-minute mono 44.1 kHz speech recording (espeak-ng, looped),
# then times, in rounds that take turns (the median counts):
#   build     `hearth build -j 2` of a library of one story holding it,
#             fresh cache: every rendition (MP3, M4A, peaks, waveform)
#             and the site, as an editor runs it
#   set       the same renditions through media_render_audio alone
#             (tests/bench/bench_audio set): the media work without the site
#   loudnorm  ffmpeg -af loudnorm=I=-16:TP=-1.5:LRA=11 -c:a libmp3lame
#   plain     ffmpeg -c:a libmp3lame, no loudness work at all
# all mono, 44.1 kHz, 96 kbit/s, each ffmpeg command with ffmpeg's own
# defaults otherwise (LAME quality 3, which Hearth uses too). It measures
# each output's loudness and true peak; the wall time of `hearth build
# -j 1` and `-j 2` on a library of four 2.5-minute stories with a fresh
# cache each time; and the peak memory of the build of one story of 5,
# 10 and 20 minutes. It prints the figures and which targets hold; it
# never fails on timing.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
drv="$here/build/rel/tests/bench/bench_audio"
hearth="$here/hearth"
for t in "$drv" "$hearth"; do
	[ -x "$t" ] || { echo "bench: $t is missing (make bench builds it)" >&2; exit 1; }
done
for tool in ffmpeg espeak-ng awk; do
	command -v "$tool" >/dev/null || { echo "bench: missing tool: $tool" >&2; exit 1; }
done

# other work on the machine skews every figure: say how much there was
load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
RUNS=${BENCH_RUNS:-3}
OUT=(-ar 44100 -ac 1 -c:a libmp3lame -b:a 96k)

# ---- the recording ----------------------------------------------------------
echo "bench: making a 10-minute speech recording (espeak-ng)..." >&2
i=0
for voice in en-gb en-us en-gb+f3; do
	i=$((i + 1))
	espeak-ng -v "$voice" -s 155 -w "part$i.wav" \
		"The first thing they asked us to do on the peer support course was sit in
		pairs and say nothing for a full minute. I thought it would be easy. I have
		spent a lot of my life being quiet. But this was a different kind of quiet:
		not hiding, just waiting. You don't have to fix it. You have to be there
		while it's being felt. My own lived experience is still part of how I
		support people, but now I share it when it helps the other person. That's a
		small difference on paper. In the room, it's everything."
	printf "file 'part%d.wav'\n" "$i" >>parts.txt
done
ff -f concat -safe 0 -i parts.txt -ar 44100 -ac 1 once.wav
ff -stream_loop -1 -i once.wav -t 600 -ar 44100 -ac 1 -c:a pcm_s16le speech.wav
ff -i speech.wav -t 300 -c:a pcm_s16le speech5.wav
ff -stream_loop 1 -i speech.wav -t 1200 -c:a pcm_s16le speech20.wav

# ---- timing -----------------------------------------------------------------
# once NAME CMD...: runs CMD once, adding its wall time to TIMES[NAME] and
# its CPU time (user and system) to CPUS[NAME], and keeping the largest
# peak memory in MEM[NAME] (KB). $BEFORE, when set, runs first.
declare -A TIMES CPUS MEM
once() {
	local name=$1 line s kb code cpu
	shift
	[ -z "${BEFORE:-}" ] || eval "$BEFORE"
	line=$("$drv" run "$@")
	read -r s kb code cpu <<<"$line"
	[ "$code" = 0 ] || { echo "bench: '$*' failed (exit $code)" >&2; exit 1; }
	TIMES[$name]+="$s "
	CPUS[$name]+="$cpu "
	[ "$kb" -gt "${MEM[$name]:-0}" ] && MEM[$name]=$kb
	return 0
}
median() { printf '%s\n' ${TIMES[$1]} | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
median_cpu() { printf '%s\n' ${CPUS[$1]} | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# ---- libraries: one story per recording, and four short stories ---------------
# library NAME FILE...: a library named NAME with one story per FILE, imported
library() {
	local name=$1 n=0 f d
	shift
	mkdir -p "import-$name/stories"
	cat >"import-$name/hearth.yaml" <<'EOF'
title: Bench Stories
description: Stories for timing the build.
base_url: https://bench.example.org
language: en
author: Bench
podcast:
  image: cover.png
  owner: {name: Bench, email: bench@example.org}
  category: Health & Fitness
  explicit: no
EOF
	for f in "$@"; do
		n=$((n + 1))
		d=import-$name/stories/story-$n
		mkdir -p "$d"
		cp "$f" "$d/narration.${f##*.}"
		cat >"$d/story.md" <<EOF
---
title: Story $n
summary: A story for the bench.
status: published
published: 2024-05-0$n
contributor: {name: Bench Person, attribution: name}
consent: {site: yes, podcast: yes, given: 2024-05-01, recorded_by: Bench}
audio: narration.${f##*.}
---
Story $n, read aloud.
EOF
	done
	cp cover.png "import-$name/cover.png" # a podcast with episodes needs its artwork
	"$hearth" init "$name" >/dev/null
	"$hearth" -C "$name" import "import-$name" >/dev/null
}
echo "bench: importing the libraries..." >&2
ff -f lavfi -i color=c=0x336699:s=1400x1400 -frames:v 1 cover.png
for n in 1 2 3 4; do
	ff -ss $(((n - 1) * 140)) -i speech.wav -t 150 -c:a flac "quarter$n.flac"
done
library one speech.wav
library four quarter1.flac quarter2.flac quarter3.flac quarter4.flac
library five speech5.wav
library twenty speech20.wav

# the commands take turns, so a change in the machine's other load falls on all
echo "bench: timing ($RUNS rounds)..." >&2
fresh() { BEFORE="rm -rf $1/cache $1/public"; }
for ((r = 0; r < RUNS; r++)); do
	fresh one
	once build "$hearth" -C one build -j 2
	BEFORE=
	once set "$drv" set speech.wav set 2
	once loudnorm ffmpeg -nostdin -loglevel error -y -i speech.wav \
		-af loudnorm=I=-16:TP=-1.5:LRA=11 "${OUT[@]}" loudnorm.mp3
	once plain ffmpeg -nostdin -loglevel error -y -i speech.wav "${OUT[@]}" plain.mp3
	fresh four
	once j1 "$hearth" -C four build -j 1
	once j2 "$hearth" -C four build -j 2
	BEFORE=
done
# peak memory of an audio build against the length of the recording
fresh five
once mem5 "$hearth" -C five build -j 2
fresh twenty
once mem20 "$hearth" -C twenty build -j 2
BEFORE=

read -r L_source P_source <<<"$("$drv" loudness speech.wav)"
read -r L_hearth P_hearth <<<"$("$drv" loudness one/public/media/story-1/story-1.mp3)"
read -r L_m4a P_m4a <<<"$("$drv" loudness one/public/media/story-1/story-1.m4a)"
read -r L_loudnorm P_loudnorm <<<"$("$drv" loudness loudnorm.mp3)"
read -r L_plain P_plain <<<"$("$drv" loudness plain.mp3)"

# ---- hashing: every original is hashed once at intake ---------------------------
echo "bench: hashing a 256 MB file..." >&2
head -c $((256 * 1024 * 1024)) /dev/urandom >big.bin
cat big.bin >/dev/null
for ((r = 0; r < RUNS; r++)); do
	once hash "$drv" hash big.bin
	once sha256sum sha256sum big.bin
done
[ "$("$drv" hash big.bin)" = "$(sha256sum big.bin | cut -d' ' -f1)" ] ||
	{ echo "bench: hearth and sha256sum disagree on big.bin" >&2; exit 1; }
for n in build set loudnorm plain j1 j2 mem5 mem20 hash sha256sum; do
	printf -v "T_$n" '%s' "$(median $n)"
	printf -v "C_$n" '%s' "$(median_cpu $n)"
	printf -v "M_$n" '%s' "${MEM[$n]}"
done

# ---- the table ----------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
holds() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }

r_loudnorm=$(ratio "$T_build" "$T_loudnorm")
r_set=$(ratio "$T_set" "$T_loudnorm")
r_jobs=$(ratio "$T_j1" "$T_j2")
on_target=$(holds "$L_hearth >= -17 && $L_hearth <= -15 && $P_hearth <= -1 && \
	$L_m4a >= -17 && $L_m4a <= -15 && $P_m4a <= -1")
mem_max=$(printf '%s\n' "$M_mem5" "$M_build" "$M_mem20" | sort -n | tail -1)
mem_min=$(printf '%s\n' "$M_mem5" "$M_build" "$M_mem20" | sort -n | head -1)
flat=$(holds "$mem_max <= $mem_min + 10240")

echo
echo "Hearth audio bench: 10 min of mono speech, 44.1 kHz WAV ($L_source LUFS, $P_source dBTP)"
echo "MP3 and M4A mono, 44.1 kHz, 96 kbit/s; median of $RUNS rounds"
echo "$(nproc) cores; load average $load_before before and $(cut -d' ' -f1 /proc/loadavg) after the run"
echo
printf '%-46s %8s %9s %8s %7s\n' "" "wall s" "peak MB" "LUFS" "dBTP"
printf '%-46s %8s %9s %8s %7s\n' "hearth build -j 2, 1 story: its MP3" "$T_build" \
	"$(mb "$M_build")" "$L_hearth" "$P_hearth"
printf '%-46s %8s %9s %8s %7s\n' "  its M4A (and peaks, SVG, the site)" "" "" \
	"$L_m4a" "$P_m4a"
printf '%-46s %8s %9s\n' "the 4 renditions alone (media_render_audio)" "$T_set" "$(mb "$M_set")"
printf '%-46s %8s %9s %8s %7s\n' "ffmpeg loudnorm I=-16:TP=-1.5 + libmp3lame" "$T_loudnorm" \
	"$(mb "$M_loudnorm")" "$L_loudnorm" "$P_loudnorm"
printf '%-46s %8s %9s %8s %7s\n' "ffmpeg libmp3lame (no loudness work)" "$T_plain" \
	"$(mb "$M_plain")" "$L_plain" "$P_plain"
printf '%-46s %8s %9s\n' "hearth build -j 1 (4 x 2.5 min, fresh cache)" "$T_j1" "$(mb "$M_j1")"
printf '%-46s %8s %9s\n' "hearth build -j 2 (the same)" "$T_j2" "$(mb "$M_j2")"
printf '%-46s %8s %9s\n' "hearth build -j 2, 1 story of 5 min" "$T_mem5" "$(mb "$M_mem5")"
printf '%-46s %8s %9s\n' "hearth build -j 2, 1 story of 20 min" "$T_mem20" "$(mb "$M_mem20")"
echo
echo "CPU seconds (user + system), median: what the work costs whatever the load"
printf '%-46s %8s\n' "hearth build -j 2, 1 story of 10 min" "$C_build"
printf '%-46s %8s\n' "the 4 renditions alone" "$C_set"
printf '%-46s %8s\n' "ffmpeg loudnorm + libmp3lame" "$C_loudnorm"
printf '%-46s %8s\n' "ffmpeg libmp3lame" "$C_plain"
printf '%-46s %8s\n' "hearth build -j 1 / -j 2, 4 x 2.5 min" "$C_j1 / $C_j2"
echo
mbs() { awk -v t="$1" 'BEGIN { printf "%.0f MB/s", 256 * 1.048576 / t }'; }
printf '%-46s %8s %9s  %s\n' "SHA-256 of 256 MB, as intake hashes (nettle)" "$T_hash" \
	"$(mb "$M_hash")" "$(mbs "$T_hash")"
printf '%-46s %8s %9s  %s\n' "sha256sum (coreutils), the same file" "$T_sha256sum" \
	"$(mb "$M_sha256sum")" "$(mbs "$T_sha256sum")"
echo
printf '%-46s %-18s %s\n' "target" "figure" "holds"
printf '%-46s %-18s %s\n' "podcast build <= 0.5 x loudnorm's wall time" "${r_loudnorm} x" \
	"$(holds "$r_loudnorm <= 0.5")"
printf '%-46s %-18s %s\n' "  (the renditions alone)" "${r_set} x" \
	"$(holds "$r_set <= 0.5")"
printf '%-46s %-18s %s\n' "MP3, M4A -16 +-1 LUFS, true peak <= -1 dBTP" \
	"$L_hearth/$P_hearth $L_m4a/$P_m4a" "$on_target"
printf '%-46s %-18s %s\n' "peak memory of an audio build < 100 MB" "$(mb "$mem_max") MB" \
	"$(holds "$mem_max < 102400")"
printf '%-46s %-18s %s\n' "memory flat: 5, 10, 20 min within 10 MB" \
	"$(mb "$M_mem5")/$(mb "$M_build")/$(mb "$M_mem20")" "$flat"
printf '%-46s %-18s %s\n' "build -j 2 >= 1.7 x faster than -j 1" "${r_jobs} x" \
	"$(holds "$r_jobs >= 1.7")"

# ---- the targets, for the table make bench ends with --------------------------
. "$here/tests/bench/summary.sh"
summary_add "podcast build of 10 min speech vs ffmpeg loudnorm" \
	"${r_loudnorm}x (${T_build} s / ${T_loudnorm} s)" "<= 0.5x" "$(holds "$r_loudnorm <= 0.5")"
summary_add "four audio files, -j 2 vs -j 1" "${r_jobs}x (${T_j1} s / ${T_j2} s)" ">= 1.7x" \
	"$(holds "$r_jobs >= 1.7")"
summary_add "peak memory of an audio build" "$(mb "$mem_max") MB" "< 100 MB" \
	"$(holds "$mem_max < 102400")"
summary_add "  flat with duration (5, 10, 20 min)" \
	"$(mb "$M_mem5")/$(mb "$M_build")/$(mb "$M_mem20") MB" "within 10 MB" "$flat"
summary_add "MP3 and M4A loudness and true peak" "$L_hearth/$P_hearth, $L_m4a/$P_m4a" \
	"-16+-1 LUFS, <= -1 dBTP" "$on_target"
