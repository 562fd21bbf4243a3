# limits.sh - the limits against hostile files in hearth.yaml reach import:
# a file over the size, a recording over the length, a picture over the
# pixel count, each refused with a message naming it and the limit.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
"$HEARTH" init "$L" >/dev/null
cat >>"$L/hearth.yaml" <<'YAML'
limits:
  max_file_size: 200000
  max_duration: 3
  max_pixels: 100000
YAML
mkdir -p "$C/big" "$C/long" "$C/wide" "$C/fine"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i anoisesrc=d=4:a=0.3 \
	-ac 2 -ar 48000 "$C/big/noise.wav"
tone "$C/long/voice.flac" 5
picture "$C/wide/art.png" 640x480
tone "$C/fine/voice.flac" 2
bundle "$C" big "Big" "music: noise.wav"
bundle "$C" long "Long" "audio: voice.flac"
bundle "$C" wide "Wide" "art: [{file: art.png, alt: Bars}]"
bundle "$C" fine "Fine" "audio: voice.flac"

refuses file_over_size_refused 1 "noise\.wav.*(limit|larger|more than)" -C "$L" import "$C/big"
refuses recording_over_length_refused 1 "voice\.flac.*(limit|longer|more than)" -C "$L" import "$C/long"
refuses picture_over_pixels_refused 1 "art\.png.*(limit|pixels)" -C "$L" import "$C/wide"
ok within_limits_accepted -C "$L" import "$C/fine"

# a decompression bomb: a small PNG that declares 120 megapixels is refused
# on what its header says, without decoding it (which would take 460 MB)
mkdir -p "$C/bomb"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i color=c=white:s=12000x10000 \
	-frames:v 1 -c:v png -f image2 "$C/bomb/bomb.png"
bundle "$C" bomb "Bomb" "art: [{file: bomb.png, alt: White}]"
"$HEARTH" init "$T/lib2" >/dev/null
peak=$(ASAN_OPTIONS=detect_leaks=0 python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[-1] + ".err", "w"))
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
' "$HEARTH" -C "$T/lib2" import "$C/bomb")
check bomb_refused test "${peak%% *}" -eq 1
check bomb_message_names_size grep -q "bomb\.png: the image is 12000 x 10000 pixels" "$C/bomb.err"
check bomb_costs_no_memory test "${peak##* }" -lt 150
