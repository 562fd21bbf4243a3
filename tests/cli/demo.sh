# demo.sh - the demo library in content/ imports and builds: every story has
# its page, the home page links to each, the feed reads in real podcast
# parsers with exact enclosure lengths, and no original file is published.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null
ok demo_import -C "$L" import "$HEARTH_ROOT/content"
ok demo_build -C "$L" build -j 2
P="$L/public"
n=0
for d in "$HEARTH_ROOT"/content/stories/*/; do
	s=$(basename "$d")
	n=$((n + 1))
	check "page_$s" test -s "$P/stories/$s/index.html"
	check "home_links_$s" grep -q "stories/$s/index.html" "$P/index.html"
done
check demo_has_eight_stories test "$n" -ge 8
for f in "$HEARTH_ROOT"/content/collections/*.yaml; do
	s=$(basename "$f" .yaml)
	check "collection_page_$s" test -s "$P/collections/$s/index.html"
done
check feed_well_formed xmllint --noout "$P/feed.xml"
check demo_chapters_json python3 -c 'import json, sys; assert len(json.load(open(sys.argv[1]))["chapters"]) == 3' \
	"$P/media/a-hard-tuesday/a-hard-tuesday.chapters.json"
check demo_feed_chapters grep -q 'a-hard-tuesday.chapters.json" type="application/json+chapters"' "$P/feed.xml"
episodes=$(grep -l -E '^(audio|music):' "$HEARTH_ROOT"/content/stories/*/story.md |
	xargs grep -l 'podcast: yes' | wc -l)
python3 "$HEARTH_ROOT/tests/cli/check_feed.py" "$P/feed.xml" "$P" "$episodes"
check no_originals_published test -z "$(find "$P" -name '*.flac' -o -name '*.ogg' -o -name '*.wav' -o -name '*.png')"
check pages_are_html xmllint --html --noout "$P/index.html"
check content_under_5mb test "$(du -sb "$HEARTH_ROOT/content" | cut -f1)" -lt 5000000
