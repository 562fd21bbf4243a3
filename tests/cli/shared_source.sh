# shared_source.sh - stories that share one original (the same recording
# in three bundles) share the renditions that carry no story's tags
# (peaks, waveform): one job makes them and the others find them in the
# cache, so no cached file is written twice. The build after the first
# is then decided by the lean program without FFmpeg, every time.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
OUT="$T/out"
ERR="$T/err"
"$HEARTH" init "$L" >/dev/null
site_address "$L"
tone "$T/voice.wav" 3
for s in one two three four; do
	bundle "$L/stories" "$s" "Story $s" "audio: voice.wav"
	cp "$T/voice.wav" "$L/stories/$s/"
done
"$HEARTH" -C "$L" import "$L/stories" >/dev/null 2>"$ERR" || fail import "$(head -c 300 "$ERR")"

full first_build_makes_media -j 2
for i in 1 2 3; do quick "next_build_quick_$i" -j 2; done
