# art.sh - art as a peer gives it and a listener gets it: a phone photo
# stored on its side, with GPS and the camera owner's name in its EXIF,
# is published upright with none of that, as JPEG and WebP at the widths
# it reaches, and as the episode's square cover; small art gets only its
# own width and no cover. A show image too small for a podcast cover is
# refused at import, naming the file and its size.
. "$(dirname "$0")/lib.sh"

FF="ffmpeg -nostdin -hide_banner -loglevel error -y"
L="$T/lib"
C="$T/content"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C/stories"

# size FILE: "WIDTHxHEIGHT" of an image
size() {
	ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
		-of csv=s=x:p=0 "$1"
}

# pixel FILE X Y: "R G B" of one pixel
pixel() {
	$FF -i "$1" -vf "format=rgb24,crop=1:1:$2:$3" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 |
		tr -s ' ' | sed 's/^ //'
}

# is_colour FILE X Y R G B: that pixel is within 40 of R G B
is_colour() {
	local got
	got=$(pixel "$1" "$2" "$3")
	set -- $got "$4" "$5" "$6"
	[ $# -eq 6 ] && [ $(( ($1 - $4) * ($1 - $4) < 1600 )) -eq 1 ] &&
		[ $(( ($2 - $5) * ($2 - $5) < 1600 )) -eq 1 ] &&
		[ $(( ($3 - $6) * ($3 - $6) < 1600 )) -eq 1 ]
}

# A phone photo: upright it is 2400x1600, red in the top left corner;
# stored turned a quarter anticlockwise, with EXIF Orientation 6 to turn
# it back, and the camera make, the owner's name and a GPS position.
$FF -f lavfi -i "color=c=blue:s=2400x1600,drawbox=x=0:y=0:w=300:h=200:color=red:t=fill" \
	-vf transpose=cclock -frames:v 1 -q:v 2 "$T/stored.jpg"
python3 - "$T/stored.jpg" "$T/photo.jpg" <<'PY'
import struct, sys
def entry(tag, typ, count, value):
    return struct.pack('>HHII', tag, typ, count, value)
make, owner, datum = b'HEARTHCAMERA\0', b'HEARTHOWNER Jane Doe\0', b'HEARTHGPSMARKER\0'
n0 = 4
make_at = 8 + 2 + 12 * n0 + 4
owner_at = make_at + len(make)
gps_at = (owner_at + len(owner) + 1) & ~1
lat_at = gps_at + 2 + 12 * 3 + 4
datum_at = lat_at + 24
t = b'MM\0\x2a' + struct.pack('>I', 8) + struct.pack('>H', n0)
t += entry(0x010f, 2, len(make), make_at) + entry(0x0112, 3, 1, 6 << 16)
t += entry(0x013b, 2, len(owner), owner_at) + entry(0x8825, 4, 1, gps_at)
t += struct.pack('>I', 0) + make + owner
t += b'\0' * (gps_at - len(t))
t += struct.pack('>H', 3) + entry(1, 2, 2, ord('N') << 24) + entry(2, 5, 3, lat_at)
t += entry(0x12, 2, len(datum), datum_at) + struct.pack('>I', 0)
t += struct.pack('>6I', 51, 1, 30, 1, 2664, 100) + datum
def seg(marker, data):
    return b'\xff' + bytes([marker]) + struct.pack('>H', len(data) + 2) + data
xmp = b'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/">HEARTHXMP</x:xmpmeta>'
src = open(sys.argv[1], 'rb').read()
out = src[:2] + seg(0xe1, b'Exif\0\0' + t) + seg(0xe1, xmp) + seg(0xfe, b'HEARTHCOMMENT') + src[2:]
open(sys.argv[2], 'wb').write(out)
PY
check fixture_has_gps grep -q HEARTHGPSMARKER "$T/photo.jpg"
check fixture_stored_sideways test "$(size "$T/photo.jpg")" = 1600x2400

mkdir -p "$C/stories/photo" "$C/stories/sketch"
cp "$T/photo.jpg" "$C/stories/photo/photo.jpg"
tone "$C/stories/photo/voice.flac" 1
bundle "$C/stories" photo "The photo" \
	"$(printf 'audio: voice.flac\nart: [{file: photo.jpg, alt: "A blue wall with a red corner"}]')"
$FF -f lavfi -i "testsrc=size=700x500" -frames:v 1 "$C/stories/sketch/sketch.png"
tone "$C/stories/sketch/voice.flac" 1
bundle "$C/stories" sketch "The sketch" \
	"$(printf 'audio: voice.flac\nart: [{file: sketch.png, alt: Coloured bars}]')"
cat >"$C/hearth.yaml" <<'YAML'
title: Art test
base_url: https://art.example.org
podcast:
  category: Health & Fitness
  image: cover.jpg
  owner: {name: Art editors, email: art@example.org}
YAML

# a show image of 800x600: refused, by name and size, and nothing imported
$FF -f lavfi -i "testsrc=size=800x600" -frames:v 1 "$C/cover.jpg"
before=$(snapshot "$L")
refuses small_show_image_refused 1 \
	"cover\.jpg: the podcast image must be at least 1400×1400 pixels, but it is 800×600" \
	-C "$L" import "$C"
check small_show_image_imports_nothing test "$(snapshot "$L")" = "$before"

# 2000x1500: taken, with a note that the cover is its centre
$FF -f lavfi -i "testsrc=size=2000x1500" -frames:v 1 -q:v 2 "$C/cover.jpg"
ok import_with_cover -C "$L" import "$C"
check not_square_noted grep -q "cover.jpg is 2000×1500, not square; the podcast cover is its centre, 1500×1500" "$ERR"
check photo_recorded_upright sh -c "'$HEARTH' -C '$L' show photo --json | grep -q '\"width\": *2400'"

ok build_art -C "$L" build
P="$L/public"
M="$P/media/photo"
for f in art-1-480.jpg art-1-960.jpg art-1-1600.jpg art-1-480.webp art-1-960.webp \
	art-1-1600.webp cover.jpg; do
	check "photo_has_$f" test -f "$M/$f"
done
check photo_widths test "$(size "$M/art-1-480.jpg") $(size "$M/art-1-960.webp") $(size "$M/art-1-1600.jpg")" = "480x320 960x640 1600x1067"
check photo_upright is_colour "$M/art-1-1600.jpg" 20 20 255 0 0
check photo_upright_webp is_colour "$M/art-1-960.webp" 10 10 255 0 0
check photo_rest_blue is_colour "$M/art-1-1600.jpg" 1500 1000 0 0 255
check episode_cover_square test "$(size "$M/cover.jpg")" = 1600x1600
check show_cover_square test "$(size "$P/cover.jpg")" = 1500x1500
# every published image (not the MP3, whose bytes may hold "GPS" by chance;
# in an image only its first KB, where metadata would be, for the same reason)
images="$(ls "$M"/art-* "$M/cover.jpg" "$P/cover.jpg")"
gps=""
for f in $images; do
	head -c 1024 "$f" | grep -q GPS && gps="$gps $f"
done
if [ -z "$gps" ]; then pass no_GPS; else fail no_GPS "found in$gps"; fi
for m in HEARTH Exif http://ns.adobe.com; do
	if grep -lq -- "$m" $images; then
		fail "no_$m" "found in $(grep -l -- "$m" $images | head -3 | tr '\n' ' ')"
	else
		pass "no_$m"
	fi
done
check no_original_published test -z "$(find "$P" -name 'photo.jpg' -o -name '*.png')"

# small art: 480 and its own 700, no 960 or 1600, no episode cover
S="$P/media/sketch"
check sketch_widths test "$(cd "$S" && ls art-* | tr '\n' ' ')" = "art-1-480.jpg art-1-480.webp art-1-700.jpg art-1-700.webp "
check sketch_no_cover test ! -e "$S/cover.jpg"

# the page shows a picture with both formats; the feed uses the covers
page="$P/stories/photo/index.html"
check page_picture grep -q '<picture><source type="image/webp"' "$page"
check page_webp_srcset grep -q 'art-1-480.webp 480w, ../../media/photo/art-1-960.webp 960w, ../../media/photo/art-1-1600.webp 1600w' "$page"
check page_img_size grep -q 'src="../../media/photo/art-1-1600.jpg" alt="A blue wall with a red corner" width="1600" height="1067"' "$page"
check page_sketch_img grep -q 'width="700" height="500"' "$P/stories/sketch/index.html"
check feed_episode_cover grep -q '<itunes:image href="https://art.example.org/media/photo/cover.jpg"/>' "$P/feed.xml"
check feed_show_cover_for_sketch test "$(grep -c '<itunes:image href="https://art.example.org/cover.jpg"/>' "$P/feed.xml")" = 2

# the same library builds the same bytes again, from the cache
first=$(tree_hash "$P")
ok build_again -C "$L" build
check art_build_deterministic test "$(tree_hash "$P")" = "$first"
