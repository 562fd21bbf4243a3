# badinput.sh - bad input gets a clear message naming the file and field,
# a non-zero exit, and leaves the library exactly as it was.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null
# a good story first, so "unchanged" means something
mkdir -p "$T/good"
bundle "$T/good" fine "A fine story"
ok import_good -C "$L" import "$T/good/fine"
before=$(snapshot "$L")

# expect_unchanged NAME PATTERN BUNDLE: import must fail and change nothing
expect_unchanged() {
	refuses "$1" 1 "$2" -C "$L" import "$3"
	local after
	after=$(snapshot "$L")
	if [ "$after" = "$before" ]; then pass "$1_unchanged"; else
		fail "$1_unchanged" "the library changed"; fi
}

B="$T/bad"
mkdir -p "$B"

# a text file named .mp3
bundle "$B" fake-mp3 "Fake" "audio: song.mp3"
echo "this is not audio at all" >"$B/fake-mp3/song.mp3"
expect_unchanged fake_mp3_refused "song\.mp3.*(text|ASCII)" "$B/fake-mp3"

# a picture given as audio
bundle "$B" pic-audio "Pic" "audio: pic.mp3"
picture "$B/pic-audio/pic.mp3"
expect_unchanged picture_as_audio_refused "pic\.mp3.*(image|PNG)" "$B/pic-audio"

# real audio whose name claims another kind of audio
bundle "$B" disguised "Disguised" "audio: voice.mp3"
tone "$T/real.flac" 1
cp "$T/real.flac" "$B/disguised/voice.mp3"
expect_unchanged name_disagrees_with_content "voice\.mp3.*MP3.*FLAC" "$B/disguised"

# a path leaving the bundle
bundle "$B" dotdot "Dots" "audio: ../secret.flac"
tone "$B/secret.flac" 1
expect_unchanged dotdot_refused "\.\./secret\.flac" "$B/dotdot"

# an absolute path
bundle "$B" absolute "Abs" "audio: $B/secret.flac"
expect_unchanged absolute_refused "secret\.flac" "$B/absolute"

# a symlink out of the bundle
bundle "$B" symlink "Link" "audio: link.flac"
ln -s "$B/secret.flac" "$B/symlink/link.flac"
expect_unchanged symlink_out_refused "link\.flac" "$B/symlink"

# malformed YAML
mkdir -p "$B/badyaml"
printf -- '---\ntitle: [unclosed\nsummary: x\n---\nBody\n' >"$B/badyaml/story.md"
expect_unchanged malformed_yaml_refused "story\.md.*line [0-9]+" "$B/badyaml"

# a missing referenced file
bundle "$B" missing "Missing" "audio: nowhere.flac"
expect_unchanged missing_file_refused "nowhere\.flac" "$B/missing"

# a story without a title
mkdir -p "$B/untitled"
printf -- '---\nsummary: no title here\n---\nBody\n' >"$B/untitled/story.md"
expect_unchanged no_title_refused "story\.md.*title" "$B/untitled"

# an unknown front matter key (a typo must not be silently ignored)
bundle "$B" typo "Typo" "warnigns: [grief]"
expect_unchanged unknown_key_refused "warnigns" "$B/typo"

# truncated audio is refused at import, not at build
bundle "$B" truncated "Truncated" "audio: cut.flac"
tone "$T/whole.flac" 4
head -c $(( $(stat -c %s "$T/whole.flac") / 2 )) "$T/whole.flac" >"$B/truncated/cut.flac"
expect_unchanged truncated_audio_refused "cut\.flac" "$B/truncated"

# art without alt text
bundle "$B" noalt "No alt" "art: [pic.png]"
picture "$B/noalt/pic.png"
expect_unchanged art_without_alt_refused "alt" "$B/noalt"

# one bad bundle among good ones: nothing is imported
mkdir -p "$T/mixed/stories"
bundle "$T/mixed/stories" good-one "Good one"
bundle "$T/mixed/stories" bad-one "Bad one" "audio: song.mp3"
echo "not audio" >"$T/mixed/stories/bad-one/song.mp3"
expect_unchanged all_or_nothing "song\.mp3" "$T/mixed"

refuses import_nothing_there 1 "does not exist" -C "$L" import "$T/nowhere"
