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
