# hostile_audio.sh - any sound accepted is a sound that builds. Sound the
# build could not render (a sample rate out of range, too many channels,
# samples that are not numbers or far past full scale) is refused at
# submit with the file named; and when such a file is already in a
# catalogue, the build leaves its story out, names it, publishes the rest
# (withdrawals included) and exits 1, without crashing.
. "$(dirname "$0")/lib.sh"

# wav FILE KIND [ARG]: a WAV written sample by sample
wav() {
	python3 - "$@" <<'PY'
import math, struct, sys
path, kind = sys.argv[1], sys.argv[2]
arg = int(sys.argv[3]) if len(sys.argv) > 3 else 0
def write(rate, ch, frames, fmt):
    tag, bits = (1, 16) if fmt == 'h' else (3, 32)
    data = b''.join(struct.pack('<' + fmt * ch, *f) for f in frames)
    ba = ch * bits // 8
    hdr = b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVE'
    hdr += b'fmt ' + struct.pack('<IHHIIHH', 16, tag, ch, rate, rate * ba, ba, bits)
    open(path, 'wb').write(hdr + b'data' + struct.pack('<I', len(data)) + data)
def sine(rate, secs, amp, f):
    return [amp * math.sin(2 * math.pi * f * i / rate) for i in range(int(rate * secs))]
if kind == 'rate':
    write(arg, 1, [(int(v),) for v in sine(arg, 2, 12000, arg / 8)], 'h')
elif kind == 'channels':
    write(44100, arg, [(int(v),) * arg for v in sine(44100, 1, 8000, 440)], 'h')
else:
    s = sine(44100, 2, 1e20 if kind == 'huge' else 0.3, 440)
    if kind in ('nan', 'inf'):
        s[5000] = float(kind)
    write(44100, 1, [(v,) for v in s], 'f')
PY
}

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
printf 'A story told aloud.\n' >"$T/story.md"

wav "$T/rate2000.wav" rate 2000
wav "$T/rate1000.wav" rate 1000
wav "$T/rate100.wav" rate 100
wav "$T/rate1.wav" rate 1
wav "$T/ch32.wav" channels 32
wav "$T/huge.wav" huge
wav "$T/nan.wav" nan
wav "$T/inf.wav" inf

for f in rate2000 rate1000 rate100 rate1; do
	refuses "refused_at_submit_$f" 1 "$f\.wav: the sample rate is [0-9]+ Hz; Hearth takes 8000 to 192000 Hz" \
		-C "$L" submit "$T/story.md" "$T/$f.wav" --title "Bad $f" --consent both
done
refuses refused_at_submit_32_channels 1 "ch32\.wav: the sound has 32 channels; Hearth takes 1 to 8" \
	-C "$L" submit "$T/story.md" "$T/ch32.wav" --title "Bad channels" --consent both
refuses refused_at_submit_huge 1 "huge\.wav: the sound has a sample at \+[0-9]+ dBFS at 0:00, past the limit of \+60 dBFS" \
	-C "$L" submit "$T/story.md" "$T/huge.wav" --title "Bad huge" --consent both
refuses refused_at_submit_nan 1 "nan\.wav: the sound holds a sample that is not a number \(NaN\) at 0:00\.1" \
	-C "$L" submit "$T/story.md" "$T/nan.wav" --title "Bad nan" --consent both
refuses refused_at_submit_inf 1 "inf\.wav: the sound holds a sample that is not a number \(infinity\)" \
	-C "$L" submit "$T/story.md" "$T/inf.wav" --title "Bad inf" --consent both
check nothing_stored_by_refusals test -z "$(find "$L/store" -type f 2>/dev/null)"

# three published stories; the second's original is then replaced in the
# store by hostile sound, as an old catalogue might hold it
for s in good broken gone; do
	tone "$T/$s.wav" 1 $((300 + ${#s} * 50))
	"$HEARTH" -C "$L" submit "$T/story.md" "$T/$s.wav" --title "$s" --consent both >/dev/null
	"$HEARTH" -C "$L" review "$s" --approve >/dev/null
	"$HEARTH" -C "$L" publish "$s" --at 2024-06-01 >/dev/null
done
ok first_build_is_whole -C "$L" build
check first_build_has_broken test -f "$L/public/stories/broken/index.html"
ok withdraw_gone -C "$L" withdraw gone --reason "changed mind"
sha=$(sha256sum "$T/broken.wav" | cut -d' ' -f1)
stored="$L/store/${sha:0:2}/$sha"
check broken_is_stored test -f "$stored"

for f in nan inf huge rate2000 rate1 ch32; do
	rm -rf "$L/cache"
	chmod u+w "$stored" 2>/dev/null
	cp "$T/$f.wav" "$stored"
	run -C "$L" build
	check "build_with_${f}_exits_1" test "$RC" -eq 1
	check "build_with_${f}_names_the_story" grep -Eq \
		"^hearth: build: story 'broken' was left out: its media cannot be made: .*(sample rate|channels|not a number|dBFS)" "$ERR"
	check "build_with_${f}_keeps_the_others" test -f "$L/public/stories/good/index.html"
	check "build_with_${f}_leaves_it_out" test ! -e "$L/public/stories/broken" -a ! -e "$L/public/media/broken"
	check "build_with_${f}_applies_the_withdrawal" test ! -e "$L/public/stories/gone" -a ! -e "$L/public/media/gone"
	check "build_with_${f}_no_links" ! grep -rlq "broken\|stories/gone" "$L/public/index.html" "$L/public/feed.xml"
	check "build_with_${f}_feed_has_the_good_one" grep -q "media/good/good.mp3" "$L/public/feed.xml"
done
