# audio_long.sh - renditions meet the ceiling without failing: a
# 10-minute speech recording (espeak-ng, three voices at two speeds),
# music-like tones and noise are built, and every rendition (MP3 and M4A)
# must be within 1 LU of -16 LUFS and at or under -1 dBTP, measured with
# ffmpeg's ebur128 filter. The release build does the encoding (make
# check builds it): ten minutes of audio under AddressSanitizer would
# take most of the suite's time.
. "$(dirname "$0")/lib.sh"

H="$HEARTH_ROOT/hearth"
[ -x "$H" ] || H="$HEARTH"
L="$T/lib"
"$H" init "$L" >/dev/null && site_address "$L"
printf 'A story told aloud.\n' >"$T/story.md"

# speech: one text in several voices and speeds, cut to 10 minutes
python3 -c "
import random
random.seed(7)
w = '''the of and a to in is you that it he was for on are as with his they at be
this from have or by one had not but what all were when we there can an your which
their said if do will each about how up out them then she many some so these would
other into has more her two like him see time could no make than first been its who
now people my made over did down only way find use may water long little very after
words called just where most know'''.split()
print(' '.join(random.choice(w) for _ in range(1500)))" >"$T/words.txt"
i=0
for v in "en 120" "en-us+f3 200" "de 120" "en-us+f3 120" "en 200" "de 200"; do
	set -- $v
	espeak-ng -v "$1" -s "$2" -f "$T/words.txt" -w "$T/part$i.wav"
	i=$((i + 1))
done
inputs=() maps=""
for k in $(seq 0 $((i - 1))); do inputs+=(-i "$T/part$k.wav"); maps="$maps[$k:a]"; done
ffmpeg -nostdin -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex \
	"${maps}concat=n=$i:v=0:a=1,aloop=loop=-1:size=2e9,atrim=0:600" -ar 22050 "$T/speech.wav"
# music-like: chords of sines with a beat, stereo, 3 minutes
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i \
	"aevalsrc=0.3*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*2*t))+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)*lt(mod(t\,0.5)\,0.25)+0.1*sin(2*PI*1760*t)|0.3*sin(2*PI*165*t)+0.2*sin(2*PI*440*t)*(0.5+0.5*sin(2*PI*0.5*t)):s=44100:d=180" \
	-c:a pcm_s16le "$T/music.wav"
# noise: dense pink noise, 3 minutes
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i \
	"anoisesrc=color=pink:amplitude=0.9:seed=11:d=180:r=44100" -c:a pcm_s16le "$T/noise.wav"

for s in speech music noise; do
	extra=""
	[ "$s" = music ] && extra=--music
	"$H" -C "$L" submit "$T/story.md" "$T/$s.wav" --title "$s" --consent both $extra >/dev/null
	"$H" -C "$L" review "$s" --approve >/dev/null
	"$H" -C "$L" publish "$s" --at 2024-06-01 >/dev/null
done
"$H" -C "$L" build -j 2 >"$OUT" 2>"$ERR"
RC=$?
check long_build_succeeds test "$RC" -eq 0
[ "$RC" -eq 0 ] || head -c 600 "$ERR"

# measure FILE: "LUFS dBTP" by ffmpeg's ebur128 filter
measure() {
	ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 |
		python3 -c "
import re, sys
t = sys.stdin.read().split('Summary:')[-1]
i = re.search(r'I:\s+(-?[0-9.]+) LUFS', t).group(1)
p = re.search(r'True peak:\s+Peak:\s+(-?[0-9.]+|-inf) dBFS', t).group(1)
print(i, p)"
}
for s in speech music noise; do
	for ext in mp3 m4a; do
		f="$L/public/media/$s/$s.$ext"
		m=$(measure "$f" 2>/dev/null)
		echo "# $s.$ext: ${m% *} LUFS, ${m#* } dBTP"
		check "${s}_${ext}_within_1_lu" python3 -c "import sys; assert abs(float('${m% *}') + 16) <= 1.0"
		check "${s}_${ext}_under_ceiling" python3 -c "import sys; assert float('${m#* }') <= -1.0"
	done
done
