# public_copy.sh - a published file shares no inode with cache/: editing
# a file in public/ in place must not change the cache, and the next
# build that verifies publishes the rendition as it was made.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
printf 'A story told aloud.\n' >"$T/story.md"
tone "$T/voice.wav" 1
picture "$T/art.png"
"$HEARTH" -C "$L" submit "$T/story.md" "$T/voice.wav" "$T/art.png" --title "Told" \
	--consent both --alt "A test pattern" >/dev/null
"$HEARTH" -C "$L" review told --approve >/dev/null
"$HEARTH" -C "$L" publish told --at 2024-06-01 >/dev/null
ok first_build -C "$L" build

mp3="$L/public/media/told/told.mp3"
jpg=$(ls "$L"/public/media/told/art-1-*.jpg | head -1)
cache_hash() { (cd "$L/cache" && find . -type f | sort | xargs sha256sum) | sha256sum; }
before_mp3=$(sha256sum <"$mp3")
before_jpg=$(sha256sum <"$jpg")
before_cache=$(cache_hash)
check published_mp3_is_its_own_file test "$(stat -c %h "$mp3")" -eq 1
check published_art_is_its_own_file test "$(stat -c %h "$jpg")" -eq 1

# an editor's tool writes into the published files in place
printf 'GARBAGE' >>"$mp3"
printf 'GARBAGE' >>"$jpg"
check cache_untouched_by_the_edit test "$(cache_hash)" = "$before_cache"

ok second_build -C "$L" build
check cache_intact_after_rebuild test "$(cache_hash)" = "$before_cache"
ok verify_build -C "$L" build --verify
check cache_intact_after_verify test "$(cache_hash)" = "$before_cache"
check republished_mp3_is_the_rendition test "$(sha256sum <"$mp3")" = "$before_mp3"
check republished_art_is_the_rendition test "$(sha256sum <"$jpg")" = "$before_jpg"
