# textlimits.sh - text has limits: story.md, collection files and
# hearth.yaml are refused by their size before they are read; front matter
# parses in time linear in its size; titles, summaries, terms and pieces
# of art are limited for bundles and submissions alike; a named file's
# size is checked before it is hashed; no file of a bundle may be a link
# that leads out of it; a body whose Markdown would cost cmark hundreds
# of bytes a byte is built as plain paragraphs.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C/stories" "$C/collections" "$T/outside"

# ---- sizes, checked before reading ------------------------------------------------

# a 50 MB front matter: refused by its size with the setting named
mkdir -p "$C/stories/huge-front"
python3 - "$C/stories/huge-front/story.md" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("---\ntitle: Huge\n")
    line = "k%07d: " + "v" * 40 + "\n"
    for i in range(1000000):
        f.write(line % i)
    f.write("---\nBody.\n")
PY
refuses huge_front_matter_refused 1 "story\.md.*larger than 2000000 bytes.*limits\.max_story_size" \
	-C "$L" import "$C/stories/huge-front"

# a 1 GB story.md (sparse: it takes no room) is refused without being read
mkdir -p "$C/stories/gigabyte"
truncate -s 1G "$C/stories/gigabyte/story.md"
refuses gigabyte_story_refused 1 "story\.md.*larger than 2000000 bytes" \
	-C "$L" import "$C/stories/gigabyte"
rm -rf "$C/stories/gigabyte"

# with the limit raised, a front matter of 300,000 keys is read (in linear
# time: the duplicate check once compared every key with all before it)
# and refused for what it says, naming the first unknown key
cat >>"$L/hearth.yaml" <<'YAML'
limits:
  max_story_size: 20000000
YAML
mkdir -p "$C/stories/many-keys"
python3 - "$C/stories/many-keys/story.md" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("---\ntitle: Many\n")
    for i in range(300000):
        f.write("k%d: v\n" % i)
    f.write("k299999: again\n---\nBody.\n")
PY
refuses many_keys_duplicate_found 1 "line 300003: key 'k299999' appears twice" \
	-C "$L" import "$C/stories/many-keys"
rm -rf "$C/stories/many-keys" "$C/stories/huge-front"

# a collection file over limits.max_collection_size
bundle "$C/stories" kept "Kept"
{
	echo "title: Big collection"
	echo "description: $(head -c 300000 /dev/zero | tr '\0' 'x')"
	echo "stories: [kept]"
} >"$C/collections/big.yaml"
refuses big_collection_refused 1 "big\.yaml.*larger than 256000 bytes.*limits\.max_collection_size" \
	-C "$L" import "$C/collections/big.yaml"
rm "$C/collections/big.yaml"

# hearth.yaml cannot set its own limit: it is fixed
{
	echo "title: Big settings"
	echo "description: $(head -c 300000 /dev/zero | tr '\0' 'x')"
} >"$C/hearth.yaml"
refuses big_settings_refused 1 "hearth\.yaml.*larger than 256000 bytes" -C "$L" import "$C"
rm "$C/hearth.yaml"

# a library's own hearth.yaml too
cp "$L/hearth.yaml" "$T/settings.keep"
head -c 300000 /dev/zero | tr '\0' '#' >>"$L/hearth.yaml"
refuses big_library_settings_refused 1 "hearth\.yaml.*larger than 256000 bytes" \
	-C "$L" import "$C/stories/kept"
cp "$T/settings.keep" "$L/hearth.yaml"

# a media file over limits.max_file_size is refused before it is hashed: a
# sparse gigabyte, named with the limit (hashing it would read 1 GB)
cat >>"$L/hearth.yaml" <<'YAML'
  max_file_size: 1000
YAML
mkdir -p "$C/stories/big-sound"
truncate -s 1G "$C/stories/big-sound/sound.wav"
bundle "$C/stories" big-sound "Big sound" "audio: sound.wav"
refuses big_media_refused_before_hashing 1 \
	"story\.md: line [0-9]+: audio: 'sound\.wav' is 1073741824 bytes, larger than limits\.max_file_size \(1000 bytes\)" \
	-C "$L" import "$C/stories/big-sound"
rm -rf "$C/stories/big-sound"
cp "$T/settings.keep" "$L/hearth.yaml"

# ---- links out of the bundle, for every file --------------------------------------

mkdir -p "$T/outside/linked"
bundle "$T/outside" linked "Linked from elsewhere"
mkdir -p "$C/stories/linked-story"
ln -s "$T/outside/linked/story.md" "$C/stories/linked-story/story.md"
refuses story_md_link_out_refused 1 "linked-story: story: 'story\.md' is a link that leads outside" \
	-C "$L" import "$C/stories/linked-story"
rm -rf "$C/stories/linked-story"

printf 'title: Elsewhere\nstories: [kept]\n' >"$T/outside/elsewhere.yaml"
ln -s "$T/outside/elsewhere.yaml" "$C/collections/elsewhere.yaml"
refuses collection_link_out_refused 1 "collection: 'elsewhere\.yaml' is a link that leads outside" \
	-C "$L" import "$C"
rm "$C/collections/elsewhere.yaml"

printf 'title: Elsewhere\n' >"$T/outside/hearth.yaml"
ln -s "$T/outside/hearth.yaml" "$C/hearth.yaml"
refuses settings_link_out_refused 1 "settings: 'hearth\.yaml' is a link that leads outside" \
	-C "$L" import "$C"
rm "$C/hearth.yaml"
ok content_without_links_imports -C "$L" import "$C"

# ---- titles and summaries, every way in -------------------------------------------

long_title=$(printf 'T%.0s' $(seq 201))
title_200=$(printf '\xc3\xa9%.0s' $(seq 200)) # 200 characters, 400 bytes
long_summary=$(printf 's%.0s' $(seq 1001))

mkdir -p "$C/stories/long-title"
bundle "$C/stories" long-title "$long_title"
refuses bundle_long_title_refused 1 "story\.md: line 2: title: is longer than 200 characters" \
	-C "$L" import "$C/stories/long-title"
bundle "$C/stories" long-title "$title_200"
ok bundle_title_of_200_characters_accepted -C "$L" import "$C/stories/long-title"

mkdir -p "$C/stories/long-summary"
bundle "$C/stories" long-summary "Long summary"
sed -i "s/^summary: .*/summary: $long_summary/" "$C/stories/long-summary/story.md"
refuses bundle_long_summary_refused 1 "story\.md: line 3: summary: is longer than 1000 characters" \
	-C "$L" import "$C/stories/long-summary"

printf 'A story told in a few words.\n' >"$T/told.md"
refuses submit_long_title_refused 1 "title: is longer than 200 characters" \
	-C "$L" submit "$T/told.md" --title "$long_title" --consent none
refuses submit_long_summary_refused 1 "summary: is longer than 1000 characters" \
	-C "$L" submit "$T/told.md" --title "Short" --summary "$long_summary" --consent none
ok submit_within_limits -C "$L" submit "$T/told.md" --title "Short" --summary "Fine." \
	--consent none

# ---- terms: 50 of each kind, 100 characters each, every way in ----------------------
# (a story of 150,000 tags made a page for each tag listing all of them)
tags_50=$(seq -s ', ' -f 'tag-%g' 50)
bundle "$C/stories" many-tags "Many tags" "tags: [$tags_50]"
ok bundle_fifty_tags_accepted -C "$L" import "$C/stories/many-tags"
bundle "$C/stories" many-tags "Many tags" "tags: [$tags_50, one-more]"
refuses bundle_fifty_one_tags_refused 1 "story 'many-tags': tags: 51 given, at most 50" \
	-C "$L" import "$C/stories/many-tags"
bundle "$C/stories" long-theme "Long theme" "themes: [fine, $(printf 'x%.0s' $(seq 101))]"
refuses bundle_long_theme_refused 1 "themes: the 2nd is longer than 100 characters" \
	-C "$L" import "$C/stories/long-theme"
warnings=()
for i in $(seq 51); do warnings+=(--warning "w$i"); done
refuses submit_fifty_one_warnings_refused 1 "warnings: 51 given, at most 50" \
	-C "$L" submit "$T/told.md" --title "Warned" --consent none "${warnings[@]}"

# ---- Markdown that costs cmark hundreds of bytes a byte -----------------------------
# (2 MB of one-letter list items took 550 MB to build; past a limit
# proportional to its size, a body is shown as plain paragraphs, on the
# page and in the feeds alike, and a story of ordinary Markdown is not)
bundle "$C/stories" degenerate "Degenerate"
python3 - "$C/stories/degenerate/story.md" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    f.write("\n*Emphasis* here.\n\n" + "- a\n" * 470000 + "\n*Last.*\n")
PY
bundle "$C/stories" ordinary "Ordinary"
printf '\n*Emphasis* here.\n\n- a list\n- of two\n' >>"$C/stories/ordinary/story.md"
ok degenerate_markdown_imports -C "$L" import "$C/stories/degenerate" "$C/stories/ordinary"
ok degenerate_markdown_builds -C "$L" build
page="$L/public/stories/degenerate/index.html"
check degenerate_markdown_shown_plain grep -q '<p>\*Emphasis\* here.</p>' "$page"
check degenerate_markdown_keeps_its_lines grep -qzF $'<p>- a\n- a\n- a\n' "$page"
check degenerate_markdown_makes_no_list ! grep -q '<li>a</li>' "$page"
check degenerate_markdown_plain_in_feed grep -qF '<p>*Emphasis* here.</p>' "$L/public/atom.xml"
check ordinary_markdown_still_read grep -q '<em>Emphasis</em> here.' "$L/public/stories/ordinary/index.html"
check ordinary_markdown_list grep -q '<li>of two</li>' "$L/public/stories/ordinary/index.html"

# ---- pieces of art: 100 at most, every way in ----------------------------------------
# (one small picture named 70,000 times took an import of 455 MB and a
# build of 700 MB that made 140,000 files)
picture "$T/pic.png" 32x32
art_list() {
	local i
	echo "art:"
	for i in $(seq "$1"); do printf '  - {file: pic.png, alt: "Bars %d"}\n' "$i"; done
}
bundle "$C/stories" gallery "Gallery" "$(art_list 101)"
cp "$T/pic.png" "$C/stories/gallery/"
refuses bundle_101_pieces_of_art_refused 1 "story\.md: line 9: art: 101 pieces given, at most 100" \
	-C "$L" import "$C/stories/gallery"
bundle "$C/stories" gallery "Gallery" "$(art_list 100)"
ok bundle_100_pieces_of_art_accepted -C "$L" import "$C/stories/gallery"
pics=()
for i in $(seq 101); do pics+=("$T/pic.png" --alt "Bars $i"); done
refuses submit_101_pieces_of_art_refused 1 "story 'many-pictures': art: 101 pieces given, at most 100" \
	-C "$L" submit "$T/told.md" "${pics[@]}" --title "Many pictures" --consent none
