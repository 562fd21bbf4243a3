# site_program.sh - a build the lean hearth cannot decide goes to
# hearth-site, which builds a site that needs no rendition without loading
# FFmpeg (seen with the loader's report, LD_DEBUG=libs), and hands a build
# that needs media (a story with a file, the show's cover) to hearth-media.
# Both make the same bytes and the same keys: after each step the site is
# byte for byte what a clean build makes, and a build by one program after
# the other keeps every page that did not change. Without hearth-site
# beside hearth-media, hearth-media builds.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
SITE_PROG="$(dirname "$HEARTH")/hearth-site"

# same_as_clean NAME: the site equals a clean build of the library as it is
same_as_clean() {
	rm -rf "$T/clean" "$T/.hearth-build.clean"
	"$HEARTH" -C "$L" build -o "$T/clean" >/dev/null 2>"$ERR" ||
		{ fail "$1" "clean build: $(head -c 300 "$ERR")"; return; }
	if diff -r -x .hearth-site "$L/public" "$T/clean" >"$T/diff" 2>&1; then pass "$1"; else
		fail "$1" "$(head -c 600 "$T/diff")"; fi
}
# site_expect WANT NAME: the build ran hearth-site alone (yes) or hearth-media (no)
site_expect() {
	local want=$1 name=$2
	build "$name"
	if [ "$RC" -ne 0 ]; then fail "$name" "exit $RC: $(head -c 600 "$ERR")"
	elif [ "$MEDIA_RAN" != yes ]; then fail "$name" "no building program ran ($MEDIA_RAN)"
	elif [ "$SITE_RAN" = "$want" ]; then pass "$name"
	else fail "$name" "hearth-site alone: $SITE_RAN, wanted $want"; fi
}
ino() { stat -c %i "$1"; }

check site_program_beside test -x "$SITE_PROG"
check site_links_no_ffmpeg ! sh -c "ldd '$SITE_PROG' | grep -Eq 'libav(codec|format|filter)|libebur128|libmagic'"

"$HEARTH" init "$L" >/dev/null
# the address alone: no show cover (a rendition) until the step that sets one
sed -i "s|^base_url: .*|base_url: \"https://stories.example.net\"|" "$L/hearth.yaml"
for s in one two three; do bundle "$C" $s "Marker ${s^^}STORY"; done
PODCAST=no bundle "$C" one "Marker ONESTORY"
"$HEARTH" -C "$L" import "$T/content" >/dev/null 2>&1

site_expect yes text_first_build_by_site
check text_first_build_page grep -q "Marker TWOSTORY" "$L/public/stories/two/index.html"
same_as_clean text_first_same_as_clean
quick text_noop_quick
check text_noop_says_built grep -q "^built 3 stories" "$OUT"

# one story edited: hearth-site remakes its page and keeps the others
before_two=$(ino "$L/public/stories/two/index.html")
bundle "$C" one "Marker ONESTORY edited"
"$HEARTH" -C "$L" import "$C/one" >/dev/null 2>&1
site_expect yes text_edit_by_site
check text_edit_shown grep -q "ONESTORY edited" "$L/public/stories/one/index.html"
check text_edit_keeps_others test "$(ino "$L/public/stories/two/index.html")" = "$before_two"
same_as_clean text_edit_same_as_clean

# a story with a picture: the build is hearth-media's, and its keys are
# hearth-site's: the text pages it did not change stay as they were
mkdir -p "$C/art"
picture "$C/art/art.png"
bundle "$C" art "Marker ARTSTORY" "art: [{file: art.png, alt: A test pattern}]"
"$HEARTH" -C "$L" import "$C/art" >/dev/null 2>&1
before_two=$(ino "$L/public/stories/two/index.html")
site_expect no picture_build_by_media
check picture_renditions sh -c "ls '$L/public/media/art/' | grep -q ."
check picture_keeps_text_pages test "$(ino "$L/public/stories/two/index.html")" = "$before_two"
same_as_clean picture_same_as_clean

# the picture's story withdrawn: hearth-site again, and its media leave
"$HEARTH" -C "$L" withdraw art --reason "asked" >/dev/null 2>&1
before_two=$(ino "$L/public/stories/two/index.html")
site_expect yes withdrawn_picture_by_site
check withdrawn_media_gone test ! -e "$L/public/media/art"
check withdrawn_page_gone test ! -e "$L/public/stories/art"
check withdrawn_keeps_text_pages test "$(ino "$L/public/stories/two/index.html")" = "$before_two"
same_as_clean withdrawn_same_as_clean

# the show's cover is a rendition: hearth-media
picture "$L/cover.png" 1400x1400
sed -i 's|^  # image: cover.jpg|  image: cover.png|' "$L/hearth.yaml"
site_expect no cover_build_by_media
check cover_published test -s "$L/public/cover.jpg"
same_as_clean cover_same_as_clean

# ---- media already made: hearth-site builds from the cache -------------------
# A recording with a transcript and chapters, a picture and the show's
# cover, all made once by hearth-media: a text edit after that is
# hearth-site's, from the cache and media/'s memos, and makes the same
# bytes as hearth-media building the same library from nothing.
sed -i '/^podcast:$/a\  owner: {name: The editors, email: editors@example.net}' "$L/hearth.yaml"
mkdir -p "$C/told"
tone "$C/told/voice.wav" 3
printf 'WEBVTT\n\n00:00.000 --> 00:01.000\n<v Sam>The kettle & the chair.\n\n00:01.000 --> 00:02.500\nMarker TOLDCUE\n' \
	>"$C/told/voice.vtt"
# told TITLE: the story with a recording, a transcript and chapters, imported
told() {
	bundle "$C" told "$1" "audio: voice.wav
transcript: voice.vtt
chapters:
  - {start: 0, title: Opening}
  - {start: 1.5, title: Close}"
	"$HEARTH" -C "$L" import "$C/told" >/dev/null 2>&1
}
told "Marker TOLDSTORY"
mkdir -p "$C/pic"
picture "$C/pic/pic.png" 1000x700
bundle "$C" pic "Marker PICSTORY" "art: [{file: pic.png, alt: A test pattern}]"
"$HEARTH" -C "$L" import "$C/pic" >/dev/null 2>&1
site_expect no media_first_made_by_media
# media_clean NAME: a clean build by hearth-media alone equals the site
media_clean() {
	rm -rf "$T/mclean"
	"$(dirname "$HEARTH")/hearth-media" -C "$L" build -o "$T/mclean" >/dev/null 2>"$ERR" ||
		{ fail "$1" "hearth-media's clean build: $(head -c 300 "$ERR")"; return; }
	if diff -r -x .hearth-site "$L/public" "$T/mclean" >"$T/diff" 2>&1; then pass "$1"; else
		fail "$1" "$(head -c 600 "$T/diff")"; fi
}
# edit_three WORDS: story three's body changed, imported
edit_three() {
	bundle "$C" three "Marker THREESTORY $1"
	"$HEARTH" -C "$L" import "$C/three" >/dev/null 2>&1
}
edit_three "with media beside it"
before_told=$(ino "$L/public/media/told/told.mp3")
site_expect yes cached_media_edit_by_site
check cached_media_edit_shown grep -q "THREESTORY with media" "$L/public/stories/three/index.html"
check cached_media_transcript_shown grep -q "Marker TOLDCUE" "$L/public/stories/told/index.html"
check cached_media_chapters_kept test -s "$L/public/media/told/told.chapters.json"
check cached_media_art_kept sh -c "ls '$L/public/media/pic/' | grep -q '\.webp$'"
check cached_media_cover_kept test -s "$L/public/cover.jpg"
check cached_media_recording_kept test "$(ino "$L/public/media/told/told.mp3")" = "$before_told"
media_clean cached_media_same_as_media_clean
same_as_clean cached_media_same_as_clean
# the site's own clean build, too, took nothing but the cache
rm -rf "$T/sclean"
CMD=build build site_clean_from_cache -o "$T/sclean"
if [ "$RC" -eq 0 ] && [ "$SITE_RAN" = yes ]; then pass site_clean_from_cache
else fail site_clean_from_cache "exit $RC, site alone $SITE_RAN: $(head -c 300 "$ERR")"; fi

# a new title changes the recording's tags: its renditions are new work
told "Marker TOLDSTORY renamed"
site_expect no retagged_recording_by_media
same_as_clean retagged_same_as_clean

# a rendition gone from the cache: hearth-media makes it again
rm -f "$L"/cache/*/*.webp
edit_three "once more"
site_expect no lost_rendition_by_media
check lost_rendition_made_again sh -c "ls '$L'/cache/*/*.webp >/dev/null 2>&1"
media_clean lost_rendition_same_as_media_clean

# a memo gone (the transcript's, the cover's check): hearth-media again
rm -f "$L"/cache/*/*.memo
edit_three "without memos"
site_expect no lost_memo_by_media
check lost_memos_written_again sh -c "ls '$L'/cache/*/*-vtt-*.memo '$L'/cache/*/*-cover-*.memo >/dev/null 2>&1"

# the cache made by other FFmpeg libraries than hearth-site was compiled
# against: its names could differ, so hearth-media builds, and notes its own
sed -i 's/^avcodec .*/avcodec 1/' "$L/cache/ffmpeg.versions"
edit_three "under other versions"
site_expect no other_versions_by_media
check other_versions_noted_again sh -c "! grep -q '^avcodec 1$' '$L/cache/ffmpeg.versions'"
edit_three "after them"
site_expect yes versions_noted_then_site
media_clean versions_same_as_media_clean

# the media stories withdrawn: the text library the next steps start from
vtt_sha=$(sha256sum "$C/told/voice.vtt" | cut -c1-64)
check transcript_memo_kept sh -c "ls '$L'/cache/*/$vtt_sha-*.memo >/dev/null 2>&1"
"$HEARTH" -C "$L" withdraw told --reason "asked" >/dev/null 2>&1
"$HEARTH" -C "$L" withdraw pic --reason "asked" >/dev/null 2>&1
# the transcript's memo (its words) leaves the cache with the story
check withdrawn_transcript_memo_gone sh -c "! ls '$L'/cache/*/$vtt_sha-* >/dev/null 2>&1"

# without hearth-site beside them, the lean hearth and hearth-media build alone
mkdir -p "$T/pair"
cp "$HEARTH" "$T/pair/hearth"
cp "$(dirname "$HEARTH")/hearth-media" "$T/pair/hearth-media"
sed -i 's|^  image: cover.png|  # image: cover.jpg|' "$L/hearth.yaml"
bundle "$C" two "Marker TWOSTORY edited"
"$HEARTH" -C "$L" import "$C/two" >/dev/null 2>&1
HEARTH="$T/pair/hearth" build pair_build
if [ "$RC" -eq 0 ] && [ "$SITE_RAN" = no ] && [ "$MEDIA_RAN" = yes ]; then pass pair_build_by_media
else fail pair_build_by_media "exit $RC, site alone $SITE_RAN: $(head -c 300 "$ERR")"; fi
check pair_edit_shown grep -q "TWOSTORY edited" "$L/public/stories/two/index.html"
same_as_clean pair_same_as_clean

# the building program starts with malloc taking huge pages (the
# glibc.malloc.hugetlb tunable, cli/build.c), added to the caller's other
# tunables, and a caller's own choice of it is left as it is; seen in the
# environment strace shows at the exec of hearth-site
if command -v strace >/dev/null 2>&1; then
	# tunes NAME CALLER_TUNABLES WANT: the GLIBC_TUNABLES hearth-site got is WANT
	tunes() {
		bundle "$C" three "Marker THREESTORY edit $1"
		"$HEARTH" -C "$L" import "$C/three" >/dev/null 2>&1
		# the leak checker cannot run under ptrace; the other tests run it
		env ${2:+GLIBC_TUNABLES=$2} ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
			strace -f -qq -v -s 400 -e trace=execve -o "$T/exec" \
			"$HEARTH" -C "$L" build >"$OUT" 2>"$ERR"
		local got
		got=$(grep 'hearth-site"' "$T/exec" | grep -o 'GLIBC_TUNABLES=[^"]*' | head -n 1)
		if [ "$got" = "GLIBC_TUNABLES=$3" ]; then pass "$1"
		else fail "$1" "hearth-site got '$got', wanted GLIBC_TUNABLES=$3"; fi
	}
	tunes tunable_huge_pages "" glibc.malloc.hugetlb=1
	tunes tunable_added_to_callers glibc.malloc.arena_max=2 \
		glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1
	tunes tunable_callers_choice_kept glibc.malloc.hugetlb=0 glibc.malloc.hugetlb=0
	same_as_clean tunables_same_as_clean
else
	fail tunables_seen "no strace (tools/setup-deps.sh test installs it)"
fi
