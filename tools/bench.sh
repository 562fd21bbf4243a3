#!/usr/bin/env bash
# make bench: Hearth's podcast audio against the ffmpeg program, in one run.
#
# Makes a 10-minute mono 44.1 kHz speech recording (espeak-ng, looped),
# then times, in three rounds that take turns (the median counts):
#   hearth    the whole podcast MP3 rendition: measure, then gain, limiter
#             and LAME in one more pass (tests/bench/bench_audio render)
#   loudnorm  ffmpeg -af loudnorm=I=-16:TP=-1.5:LRA=11 -c:a libmp3lame
#   plain     ffmpeg -c:a libmp3lame, no loudness work at all
# all three mono, 44.1 kHz, 96 kbit/s, each ffmpeg command with ffmpeg's
# own defaults otherwise (LAME quality 3, which Hearth uses too). It
# measures each output's loudness and true peak, the peak memory of the
# Hearth render for a 2-minute and the 10-minute file, and the wall time
# of `hearth build -j 1` and `-j 2` on a library of four stories with a
# fresh cache each time. It prints the figures and which targets hold;
# it never fails on timing.
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
ff -i speech.wav -t 120 -c:a pcm_s16le speech2.wav

# ---- timing -----------------------------------------------------------------
# once NAME CMD...: runs CMD once, adding its wall time to TIMES[NAME] and
# keeping the largest peak memory in MEM[NAME] (KB). $BEFORE, when set, runs first.
declare -A TIMES MEM
once() {
	local name=$1 line s kb code
	shift
	[ -z "${BEFORE:-}" ] || eval "$BEFORE"
	line=$("$drv" run "$@")
	read -r s kb code <<<"$line"
	[ "$code" = 0 ] || { echo "bench: '$*' failed (exit $code)" >&2; exit 1; }
	TIMES[$name]+="$s "
	[ "$kb" -gt "${MEM[$name]:-0}" ] && MEM[$name]=$kb
	return 0
}
median() { printf '%s\n' ${TIMES[$1]} | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# the commands take turns, so a change in the machine's other load falls on all
echo "bench: timing ($RUNS rounds)..." >&2
for ((r = 0; r < RUNS; r++)); do
	once hearth "$drv" render mp3 speech.wav hearth.mp3
	once loudnorm ffmpeg -nostdin -loglevel error -y -i speech.wav \
		-af loudnorm=I=-16:TP=-1.5:LRA=11 "${OUT[@]}" loudnorm.mp3
	once plain ffmpeg -nostdin -loglevel error -y -i speech.wav "${OUT[@]}" plain.mp3
	once short "$drv" render mp3 speech2.wav short.mp3
done

read -r L_source P_source <<<"$("$drv" loudness speech.wav)"
read -r L_hearth P_hearth <<<"$("$drv" loudness hearth.mp3)"
read -r L_loudnorm P_loudnorm <<<"$("$drv" loudness loudnorm.mp3)"
read -r L_plain P_plain <<<"$("$drv" loudness plain.mp3)"

# ---- hearth build -j 1 and -j 2 -------------------------------------------------
echo "bench: building a library of four stories with -j 1 and -j 2..." >&2
mkdir -p import/stories
cat >import/hearth.yaml <<'EOF'
title: Bench Stories
description: Four stories for timing the build.
base_url: https://bench.example.org
language: en
author: Bench
podcast:
  category: Health & Fitness
  explicit: no
EOF
for n in 1 2 3 4; do
	d=import/stories/story-$n
	mkdir -p "$d"
	ff -ss $(((n - 1) * 140)) -i speech.wav -t 150 -c:a flac "$d/narration.flac"
	cat >"$d/story.md" <<EOF
---
title: Story $n
summary: A story for the bench.
status: published
published: 2024-05-0$n
contributor: {name: Bench Person, attribution: name}
consent: {site: yes, podcast: yes, given: 2024-05-01, recorded_by: Bench}
audio: narration.flac
---
Story $n, read aloud.
EOF
done
"$hearth" init lib >/dev/null
"$hearth" -C lib import import >/dev/null
BEFORE='rm -rf lib/cache lib/public'
for ((r = 0; r < RUNS; r++)); do
	once j1 "$hearth" -C lib build -j 1
	once j2 "$hearth" -C lib build -j 2
done
BEFORE=

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
for n in hearth loudnorm plain short j1 j2 hash sha256sum; do
	printf -v "T_$n" '%s' "$(median $n)"
	printf -v "M_$n" '%s' "${MEM[$n]}"
done

# ---- the table ----------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
holds() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }

r_loudnorm=$(ratio "$T_hearth" "$T_loudnorm")
r_plain=$(ratio "$T_hearth" "$T_plain")
r_jobs=$(ratio "$T_j1" "$T_j2")
on_target=$(holds "$L_hearth >= -17 && $L_hearth <= -15 && $P_hearth <= -1")
flat=$(holds "$M_hearth <= $M_short + 10240")

echo
echo "Hearth audio bench: 10 min of mono speech, 44.1 kHz WAV ($L_source LUFS, $P_source dBTP)"
echo "every output MP3, mono, 44.1 kHz, 96 kbit/s; median of $RUNS rounds"
echo "$(nproc) cores; load average $load_before before and $(cut -d' ' -f1 /proc/loadavg) after the run"
echo
printf '%-44s %8s %9s %8s %7s\n' "" "wall s" "peak MB" "LUFS" "dBTP"
printf '%-44s %8s %9s %8s %7s\n' "hearth (measure, then gain+limiter+LAME)" "$T_hearth" \
	"$(mb "$M_hearth")" "$L_hearth" "$P_hearth"
printf '%-44s %8s %9s %8s %7s\n' "ffmpeg loudnorm I=-16:TP=-1.5 + libmp3lame" "$T_loudnorm" \
	"$(mb "$M_loudnorm")" "$L_loudnorm" "$P_loudnorm"
printf '%-44s %8s %9s %8s %7s\n' "ffmpeg libmp3lame (no loudness work)" "$T_plain" \
	"$(mb "$M_plain")" "$L_plain" "$P_plain"
printf '%-44s %8s %9s\n' "hearth, the first 2 minutes only" "$T_short" "$(mb "$M_short")"
printf '%-44s %8s %9s\n' "hearth build -j 1 (4 x 2.5 min, fresh cache)" "$T_j1" "$(mb "$M_j1")"
printf '%-44s %8s %9s\n' "hearth build -j 2 (the same)" "$T_j2" "$(mb "$M_j2")"
mbs() { awk -v t="$1" 'BEGIN { printf "%.0f MB/s", 256 * 1.048576 / t }'; }
printf '%-44s %8s %9s  %s\n' "SHA-256 of 256 MB, as intake hashes (nettle)" "$T_hash" \
	"$(mb "$M_hash")" "$(mbs "$T_hash")"
printf '%-44s %8s %9s  %s\n' "sha256sum (coreutils), the same file" "$T_sha256sum" \
	"$(mb "$M_sha256sum")" "$(mbs "$T_sha256sum")"
echo
printf '%-44s %-16s %s\n' "target" "figure" "holds"
printf '%-44s %-16s %s\n' "hearth <= 0.5 x loudnorm's wall time" "${r_loudnorm} x" \
	"$(holds "$r_loudnorm <= 0.5")"
printf '%-44s %-16s %s\n' "hearth <= 1.3 x the plain encode's" "${r_plain} x" \
	"$(holds "$r_plain <= 1.3")"
printf '%-44s %-16s %s\n' "output -16 +-1 LUFS, true peak <= -1 dBTP" "$L_hearth / $P_hearth" \
	"$on_target"
printf '%-44s %-16s %s\n' "peak memory < 100 MB" "$(mb "$M_hearth") MB" \
	"$(holds "$M_hearth < 102400")"
printf '%-44s %-16s %s\n' "memory flat: 10 min within 10 MB of 2 min" \
	"$(mb "$M_short") -> $(mb "$M_hearth") MB" "$flat"
printf '%-44s %-16s %s\n' "build -j 2 >= 1.7 x faster than -j 1" "${r_jobs} x" \
	"$(holds "$r_jobs >= 1.7")"
