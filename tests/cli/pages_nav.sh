# pages_nav.sh - the pages a reader finds their way by: a page per theme,
# per tag and per contributor (paged, newest first), the index of themes
# and tags and of contributors, subscribe, about, sitemap.xml and
# robots.txt, and what every page's <head> says (canonical address,
# OpenGraph, feed autodiscovery, JSON-LD). Contributors are grouped by the
# public byline alone: a pseudonymous story never lands on the page of the
# name behind it, an anonymous one on none. A withdrawn story leaves every
# such page, a theme no story uses any more loses its page, and every
# incremental build equals a clean one.
. "$(dirname "$0")/lib.sh"

C="$T/content/stories"
L="$T/lib"
P="$L/public"
mkdir -p "$C" "$T/content/collections"

# story SLUG DATE CONTRIBUTOR THEMES TAGS [EXTRA]: a story bundle
story() {
	mkdir -p "$C/$1"
	{
		echo "---"
		echo "title: Story $1"
		echo "summary: A short summary of $1."
		echo "status: published"
		echo "published: $2"
		echo "contributor: $3"
		echo "consent: {site: yes, podcast: yes, given: 2024-01-01, recorded_by: Jo}"
		echo "themes: $4"
		echo "tags: $5"
		[ -n "${6:-}" ] && printf '%s\n' "$6"
		echo "---"
		echo "The body of $1."
	} >"$C/$1/story.md"
}
story named 2024-03-01 '{name: Sam Lee, attribution: name}' '[Hope, Belonging]' '[sea]'
story pseudo 2024-03-02 '{name: Sam Lee, pseudonym: Willow, attribution: pseudonym}' '[Hope]' '[]'
story anon 2024-03-03 '{name: Sam Lee, attribution: anonymous}' '[Hope]' '[sea]'
story grief 2024-03-04 '{name: Ola Tester, attribution: name}' '[Grief]' '[]'
# a title that would end a script element if it were written as it is
mkdir -p "$C/script"
story script 2024-03-05 '{name: Ola Tester, attribution: name}' '[]' '[]'
sed -i 's|^title: .*|title: "Ends </script><b>here"|' "$C/script/story.md"
tone "$C/named/voice.flac" 2
sed -i '/^tags:/a audio: voice.flac' "$C/named/story.md"
picture "$C/grief/sketch.png"
sed -i '/^tags:/a art: [{file: sketch.png, alt: Coloured bars}]' "$C/grief/story.md"
# enough stories of one tag for two pages
for i in $(seq 1 52); do
	s=$(printf 'b%02d' "$i")
	story "$s" "$(date -u -d "2023-01-01 + $i days" +%F)" '{name: Bo Bulk, attribution: name}' '[]' '[bulk]'
done
printf 'title: Pod\npodcast: yes\nstories: [named, pseudo]\n' >"$T/content/collections/pod.yaml"
ok init init "$L" && site_address "$L"
ok import -C "$L" import "$T/content"
ok build -C "$L" build

# the story slugs a page links to, in order
slugs_on() { grep -o 'href="[./]*stories/[a-z0-9-]*/index.html"' "$1" | sed 's|.*stories/||; s|/index.html"||'; }
# same_as_clean: the site equals a clean build into another folder
same_as_clean() {
	rm -rf "$T/clean" "$T/.hearth-build.clean"
	"$HEARTH" -C "$L" build -o "$T/clean" >/dev/null 2>&1 && diff -r "$T/clean" "$P" >"$T/diff" 2>&1
}

# ---- themes and tags ----
check theme_page_newest_first test "$(slugs_on "$P/themes/hope/index.html" | paste -sd' ')" = "anon pseudo named"
check tag_page test "$(slugs_on "$P/tags/sea/index.html" | paste -sd' ')" = "anon named"
check theme_page_title grep -q '<h1>Theme: Hope</h1>' "$P/themes/hope/index.html"
check story_links_its_themes grep -q 'href="../../themes/hope/index.html">Hope</a>' "$P/stories/named/index.html"
check story_links_its_tags grep -q 'href="../../tags/sea/index.html">sea</a>' "$P/stories/named/index.html"
check index_of_themes_and_tags grep -q 'href="../tags/bulk/index.html"' "$P/themes/index.html"
check index_lists_themes grep -q 'href="../themes/grief/index.html">Grief</a>' "$P/themes/index.html"
check home_names_themes grep -q 'href="themes/hope/index.html">Hope</a>' "$P/index.html"
check tag_paged test -f "$P/tags/bulk/page/2/index.html"
check tag_page_two_has_prev grep -q 'rel="prev"' "$P/tags/bulk/page/2/index.html"
check tag_pages_hold_all test "$(cat "$P/tags/bulk/index.html" "$P/tags/bulk/page/2/index.html" |
	grep -o 'stories/b[0-9]*/index.html' | sort -u | wc -l)" -eq 52

# ---- contributors: the public byline only ----
check contributor_page grep -q '<h1>Stories by Sam Lee</h1>' "$P/contributors/sam-lee/index.html"
check named_story_on_its_page test "$(slugs_on "$P/contributors/sam-lee/index.html" | paste -sd' ')" = "named"
check pseudonym_on_its_own_page test "$(slugs_on "$P/contributors/willow/index.html" | paste -sd' ')" = "pseudo"
check pseudonym_page_names_nobody_else ! grep -q 'Sam Lee' "$P/contributors/willow/index.html"
check pseudonym_story_names_nobody_else ! grep -q 'Sam Lee' "$P/stories/pseudo/index.html"
check anonymous_story_names_nobody ! grep -q 'Sam Lee' "$P/stories/anon/index.html"
check anonymous_on_no_contributor_page ! grep -rlq 'stories/anon/' "$P/contributors"
check no_anonymous_contributor test ! -e "$P/contributors/anonymous"
check byline_links_contributor grep -q 'By <a href="../../contributors/willow/index.html">Willow</a>' "$P/stories/pseudo/index.html"
check contributors_index grep -q 'href="../contributors/willow/index.html">Willow</a>' "$P/contributors/index.html"
check contributors_index_no_real_name_of_pseudonym test "$(grep -o 'contributors/[a-z-]*/index.html' "$P/contributors/index.html" | sort -u | paste -sd' ')" = "contributors/bo-bulk/index.html contributors/ola-tester/index.html contributors/sam-lee/index.html contributors/willow/index.html"

# ---- subscribe and about ----
S="$P/subscribe/index.html"
check subscribe_shows_feed_url grep -q '<code id="feed-url">https://stories.example.net/feed.xml</code>' "$S"
check subscribe_copy_button grep -q '<button type="button" class="copy"' "$S"
check subscribe_podcast_link grep -q 'href="podcast://stories.example.net/feed.xml"' "$S"
check subscribe_overcast_link grep -q 'href="overcast://x-callback-url/add?url=https%3A%2F%2Fstories.example.net%2Ffeed.xml"' "$S"
check subscribe_pocket_casts grep -q 'href="pktc://subscribe/stories.example.net/feed.xml"' "$S"
check subscribe_antennapod grep -q 'href="antennapod-subscribe://stories.example.net/feed.xml"' "$S"
check subscribe_qr_svg grep -q '<svg viewBox="0 0 [0-9]* [0-9]*" role="img" aria-label="QR code[^"]*"' "$S"
check subscribe_qr_drawn grep -q '<path d="M4 4h7v1h-7z' "$S"
check subscribe_collection_feed grep -q 'href="../collections/pod/feed.xml"' "$S"
check subscribe_atom_opml grep -q 'href="../feeds.opml"' "$S"
check every_feed_link_to_subscribe ! grep -rlq '<a href="[./]*feed.xml">Podcast feed' "$P" --include=index.html
check nav_subscribe grep -q '<a href="../../subscribe/index.html">Podcast feed</a>' "$P/stories/named/index.html"
check about_page grep -q 'How to withdraw' "$P/about/index.html"

# ---- head: canonical, OpenGraph, feeds, JSON-LD ----
N="$P/stories/named/index.html"
check canonical grep -q '<link rel="canonical" href="https://stories.example.net/stories/named/">' "$N"
check canonical_home grep -q '<link rel="canonical" href="https://stories.example.net/">' "$P/index.html"
check og_tags grep -q '<meta property="og:url" content="https://stories.example.net/stories/named/"><meta property="og:type" content="article">' "$N"
check og_image_art grep -q '<meta property="og:image" content="https://stories.example.net/media/grief/art-1-' "$P/stories/grief/index.html"
check og_image_cover grep -q '<meta property="og:image" content="https://stories.example.net/cover.jpg">' "$P/stories/pseudo/index.html"
check feed_discovery grep -q '<link rel="alternate" type="application/atom+xml" href="../../atom.xml"' "$N"
check collection_feed_discovery grep -q '<link rel="alternate" type="application/rss+xml" href="../../collections/pod/feed.xml"' \
	"$P/collections/pod/index.html"
# jsonld FILE: the JSON-LD of a page, parsed, as "type name"
jsonld() {
	python3 -c 'import json,re,sys
t=open(sys.argv[1]).read()
m=re.search(r"<script type=\"application/ld\+json\">(.*?)</script>",t,re.S)
d=json.loads(m.group(1))
print(d["@type"], d["name"])' "$1"
}
check jsonld_episode test "$(jsonld "$N")" = "PodcastEpisode Story named"
check jsonld_creative_work test "$(jsonld "$P/stories/pseudo/index.html")" = "CreativeWork Story pseudo"
check jsonld_escapes_script test "$(jsonld "$P/stories/script/index.html")" = "CreativeWork Ends </script><b>here"
check jsonld_no_pseudonym_leak ! grep -q 'Sam Lee' "$P/stories/pseudo/index.html"

# ---- sitemap and robots ----
check robots grep -qx 'Sitemap: https://stories.example.net/sitemap.xml' "$P/robots.txt"
sitemap_ok() {
	python3 - "$P" <<'EOF'
import os, sys, xml.etree.ElementTree as ET
root = sys.argv[1]
ns = {'s': 'http://www.sitemaps.org/schemas/sitemap/0.9'}
locs = [l.text for l in ET.parse(os.path.join(root, 'sitemap.xml')).findall('s:url/s:loc', ns)]
pages = set()
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith('.html') and f != '404.html':
            rel = os.path.relpath(os.path.join(d, f), root)
            rel = rel[:-len('index.html')] if rel.endswith('index.html') else rel
            pages.add('https://stories.example.net/' + rel)
sys.exit(0 if len(locs) == len(set(locs)) and set(locs) == pages else 1)
EOF
}
check sitemap_lists_every_page sitemap_ok
check first_build_equals_clean same_as_clean

# ---- a body edit keeps the theme pages; a title edit remakes them ----
ino() { stat -c %i "$P/$1"; }
hope=$(ino themes/hope/index.html) sea=$(ino tags/sea/index.html) map=$(ino sitemap.xml)
printf '\nA new line.\n' >>"$C/pseudo/story.md"
ok import_body -C "$L" import "$C/pseudo"
ok build_body -C "$L" build
check body_edit_keeps_theme_page test "$(ino themes/hope/index.html)" = "$hope" -a "$(ino sitemap.xml)" = "$map"
sed -i 's|^title: .*|title: Story pseudo, renamed|' "$C/pseudo/story.md"
ok import_title -C "$L" import "$C/pseudo"
ok build_title -C "$L" build
check title_edit_shown grep -q 'Story pseudo, renamed' "$P/themes/hope/index.html"
check title_edit_keeps_other_tag test "$(ino tags/sea/index.html)" = "$sea"
check edit_equals_clean same_as_clean

# ---- withdrawal: every such page lets go ----
ok withdraw_grief -C "$L" withdraw grief
ok withdraw_pseudo -C "$L" withdraw pseudo
for i in 1 2 3; do "$HEARTH" -C "$L" withdraw "$(printf 'b%02d' "$i")" >/dev/null 2>&1; done
ok build_withdrawn -C "$L" build
check unused_theme_page_gone test ! -e "$P/themes/grief"
check pseudonym_page_gone test ! -e "$P/contributors/willow"
check withdrawn_on_no_page ! grep -rlq 'stories/pseudo/\|stories/grief/' "$P/themes" "$P/tags" "$P/contributors" "$P/index.html"
check withdrawn_not_in_sitemap ! grep -q 'stories/grief/\|themes/grief/\|contributors/willow/' "$P/sitemap.xml"
check index_lets_go ! grep -q 'themes/grief/' "$P/themes/index.html"
check tag_second_page_gone test ! -e "$P/tags/bulk/page/2"
check withdrawal_equals_clean same_as_clean

# ---- the about page links the receipt page when the server has an address ----
check about_no_receipt_without_server ! grep -q '/receipt"' "$P/about/index.html"
printf 'site:\n  server_url: https://share.example.net/\n' >>"$L/hearth.yaml"
ok build_server_url -C "$L" build
check about_links_receipts grep -q '<a href="https://share.example.net/receipt">' "$P/about/index.html"
check server_url_equals_clean same_as_clean
