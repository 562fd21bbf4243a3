# feeds.sh - every feed a library publishes: the show (feed.xml), a show
# per collection marked podcast (serial with episode numbers, music-only as
# podcast:medium music, in the editors' order, with a GUID of its own),
# atom.xml with every published story, feeds.opml listing every feed,
# RFC 5005 archives past feeds.archive_after items (every item reachable
# by prev-archive, archives unchanged by a new episode), addresses that
# survive a change of base_url, the same bytes on a rebuild, and only the
# public byline in podcast:person.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
P="$L/public"
# the Python that has the parsers podcast apps use (Debian's)
PY=python3
for py in python3 /usr/bin/python3; do
	"$py" -c 'import feedparser, podcastparser' 2>/dev/null && PY=$py && break
done

"$HEARTH" init "$L" >/dev/null
site_address "$L" https://first.example.net
# two items a feed before older ones move to archives
printf 'feeds:\n  archive_after: 2\n' >>"$L/hearth.yaml"

mkdir -p "$C"
tone "$T/voice.flac" 1
tone "$T/song.flac" 1 660
# STORY SLUG DATE KIND(audio|music|text) [CONTRIBUTOR]
story() {
	local kind=$3 file=voice
	[ "$kind" = music ] && file=song
	PUBLISHED=$2 bundle "$C/stories" "$1" "Story $1"
	if [ "$kind" != text ]; then
		printf '%s: %s.flac\n' "$kind" "$file" >"$T/extra"
		sed -i "/^consent:/r $T/extra" "$C/stories/$1/story.md"
		cp "$T/$file.flac" "$C/stories/$1/"
	fi
	[ -n "${4:-}" ] && sed -i "s|^contributor: .*|contributor: $4|" "$C/stories/$1/story.md"
	return 0
}
story a0 2023-12-31 audio
story a1 2024-01-01 audio
story a2 2024-01-02 audio
story a3 2024-01-03 audio
story a4 2024-01-04 audio
story m1 2024-01-05 music
story t1 2024-01-06 text
story p1 2024-01-07 audio "{name: Rosa Realname, pseudonym: Quiet Fox, attribution: pseudonym, contact: rosa@private.example}"
story n1 2024-01-08 audio "{name: Hidden Person, attribution: anonymous, contact: hidden@private.example}"
mkdir -p "$C/collections"
printf 'title: Saga\ntype: serial\npodcast: yes\nstories: [a3, a1, a2]\n' >"$C/collections/saga.yaml"
printf 'title: Tunes\npodcast: yes\nstories: [m1]\n' >"$C/collections/tunes.yaml"
printf 'title: Plain\npodcast: no\nstories: [a1, t1]\n' >"$C/collections/plain.yaml"
ok import -C "$L" import "$C"
ok first_build -C "$L" build

# ---- what is written ------------------------------------------------------------

check show_feed test -s "$P/feed.xml"
check serial_collection_feed test -s "$P/collections/saga/feed.xml"
check music_collection_feed test -s "$P/collections/tunes/feed.xml"
check no_feed_without_podcast test ! -e "$P/collections/plain/feed.xml"
check atom_feed test -s "$P/atom.xml"
check opml test -s "$P/feeds.opml"

# xq FILE EXPR: prints what the Python expression EXPR gives for the parsed
# document r (ElementTree root), one value a line; ns holds the namespaces
xq() {
	$PY - "$1" "$2" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom",
      "content": "http://purl.org/rss/1.0/modules/content/"}
r = ET.parse(sys.argv[1]).getroot()
v = eval(sys.argv[2])
for x in (v if isinstance(v, list) else [v]):
    print(x)
PYEOF
}
# every item of a feed and its archives, following prev-archive from FILE
walk() {
	$PY - "$1" "$P" <<'PYEOF'
import os, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
path, public, seen = sys.argv[1], sys.argv[2], set()
while path and path not in seen and len(seen) < 100:
    seen.add(path)
    r = ET.parse(path).getroot()
    items = r.findall("channel/item") or r.findall(A + "entry")
    for it in items:
        g = it.findtext("guid") or it.findtext(A + "id")
        print(g)
    links = r.findall("channel/" + A + "link") + r.findall(A + "link")
    prev = [l.get("href") for l in links if l.get("rel") == "prev-archive"]
    path = os.path.join(public, prev[0].split("/", 3)[3]) if prev else None
PYEOF
}
guid_of_story() { "$HEARTH" -C "$L" export | $PY -c '
import json, sys
for s in json.load(sys.stdin)["stories"]:
    if s["slug"] == sys.argv[1]: print(s["guid"])' "$1"; }

saga="$P/collections/saga/feed.xml"
check saga_is_serial test "$(xq "$saga" 'r.findtext("channel/itunes:type", namespaces=ns)')" = serial
check saga_in_editors_order test "$(xq "$saga" '[i.findtext("title") for i in r.findall("channel/item")]' | tr '\n' ,)" = "Story a3,Story a1,Story a2,"
check saga_numbered test "$(xq "$saga" '[i.findtext("itunes:episode", namespaces=ns) for i in r.findall("channel/item")]' | tr '\n' ,)" = "1,2,3,"
saga_guid=$(xq "$saga" 'r.findtext("channel/podcast:guid", namespaces=ns)')
show_guid=$(xq "$P/feed.xml" 'r.findtext("channel/podcast:guid", namespaces=ns)')
check saga_has_own_guid test -n "$saga_guid" -a "$saga_guid" != "$show_guid"
check saga_guid_stored test "$(sqlite3 "$L/hearth.db" "SELECT value FROM settings WHERE key = 'podcast_guid:collections/saga/feed.xml'")" = "$saga_guid"
check tunes_is_music test "$(xq "$P/collections/tunes/feed.xml" 'r.findtext("channel/podcast:medium", namespaces=ns)')" = music
check show_is_podcast test "$(xq "$P/feed.xml" 'r.findtext("channel/podcast:medium", namespaces=ns)')" = podcast

# atom.xml: every published story, the text one too, newest first, with its text
atom_all=$(walk "$P/atom.xml" | sort | tr '\n' ,)
want_all=$(for s in a0 a1 a2 a3 a4 m1 t1 p1 n1; do echo "urn:uuid:$(guid_of_story $s)"; done | sort | tr '\n' ,)
check atom_every_story test "$atom_all" = "$want_all"
check atom_has_story_text grep -q "The body of Story" "$P/atom.xml" "$P"/archive/atom-*.xml
check podcast_item_has_story_text grep -q "The body of Story n1" "$P/feed.xml"

# feeds.opml lists every feed, and parses as XML
opml=$(xq "$P/feeds.opml" '[o.get("xmlUrl") for o in r.iter("outline")]' | sort | tr '\n' ,)
check opml_lists_every_feed test "$opml" = "https://first.example.net/atom.xml,https://first.example.net/collections/saga/feed.xml,https://first.example.net/collections/tunes/feed.xml,https://first.example.net/feed.xml,"

# ---- archives ---------------------------------------------------------------------

# 8 episodes, 2 a feed: archives of 2 from the oldest, the feed keeps the newest 2
check feed_keeps_newest test "$(xq "$P/feed.xml" 'len(r.findall("channel/item"))')" = 2
check three_archives test -s "$P/archive/feed-3.xml" -a ! -e "$P/archive/feed-4.xml"
all=$(walk "$P/feed.xml" | sort | tr '\n' ,)
want=$(for s in a0 a1 a2 a3 a4 m1 p1 n1; do guid_of_story $s; done | sort | tr '\n' ,)
check every_item_reachable_by_prev_archive test "$all" = "$want"
check archive_marked grep -q "<fh:archive/>" "$P/archive/feed-1.xml"
check archive_links_current grep -q 'rel="current" href="https://first.example.net/feed.xml"' "$P/archive/feed-1.xml"
check oldest_archive_holds_oldest grep -q "Story a0" "$P/archive/feed-1.xml"

for f in "$P/feed.xml" "$saga" "$P/collections/tunes/feed.xml" "$P"/archive/feed-*.xml; do
	$PY "$HEARTH_ROOT/tests/cli/check_feed.py" "$f" "$P" | sed "s|^\(PASS\|FAIL\) |\1 $(basename "$(dirname "$f")")_$(basename "$f" .xml)_|"
done

# ---- the same bytes, and stable archives --------------------------------------------

mkdir -p "$T/before"
cp -r "$P/feed.xml" "$P/atom.xml" "$P/feeds.opml" "$P/archive" "$P/collections" "$T/before/"
rm -rf "$P"
ok rebuild_from_nothing -C "$L" build
check same_feed_bytes cmp "$T/before/feed.xml" "$P/feed.xml"
check same_atom_bytes cmp "$T/before/atom.xml" "$P/atom.xml"
check same_opml_bytes cmp "$T/before/feeds.opml" "$P/feeds.opml"
check same_archive_bytes diff -r "$T/before/archive" "$P/archive"
check same_collection_feed_bytes cmp "$T/before/collections/saga/feed.xml" "$saga"

story a5 2024-02-01 audio
ok new_episode_import -C "$L" import "$C/stories/a5"
ok new_episode_build -C "$L" build
check new_episode_in_feed grep -q "Story a5" "$P/feed.xml"
same_archives=yes
for k in 1 2 3; do
	cmp -s "$T/before/archive/feed-$k.xml" "$P/archive/feed-$k.xml" || same_archives=no
done
check archives_unchanged_by_new_episode test $same_archives = yes
check feed_grows_to_three test "$(xq "$P/feed.xml" 'len(r.findall("channel/item"))')" = 3
check still_reachable test "$(walk "$P/feed.xml" | wc -l)" = 9

# ---- addresses survive a new base_url -------------------------------------------------

enclosures() { walk_enc "$1" | sort | tr '\n' ,; }
walk_enc() { xq "$1" '[e.get("url") for e in r.iter("enclosure")]'; }
enc_before=$(walk_enc "$P/feed.xml" | sort | tr '\n' ,)
guids_before=$(walk "$P/feed.xml" | sort | tr '\n' ,)
sed -i 's|^base_url: .*|base_url: "https://moved.example.net"|' "$L/hearth.yaml"
ok build_after_move -C "$L" build
check self_link_moved grep -q 'href="https://moved.example.net/feed.xml"' "$P/feed.xml"
check enclosures_kept test "$(walk_enc "$P/feed.xml" | sort | tr '\n' ,)" = "$enc_before"
check enclosures_at_first_origin grep -q 'url="https://first.example.net/media/a5/a5.mp3"' "$P/feed.xml"
check item_guids_kept test "$(walk "$P/feed.xml" | sort | tr '\n' ,)" = "$guids_before"
check show_guid_kept test "$(xq "$P/feed.xml" 'r.findtext("channel/podcast:guid", namespaces=ns)')" = "$show_guid"
check saga_guid_kept test "$(xq "$saga" 'r.findtext("channel/podcast:guid", namespaces=ns)')" = "$saga_guid"
check media_origin_stored test "$(sqlite3 "$L/hearth.db" "SELECT value FROM settings WHERE key = 'media_origin'")" = https://first.example.net

# a preview uses its own address and stores nothing
ok preview -C "$L" build --base-url http://127.0.0.1:8999 -o "$T/preview"
check preview_enclosures_local grep -q 'url="http://127.0.0.1:8999/media/' "$T/preview/feed.xml"
check preview_stored_nothing test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM settings WHERE value LIKE '%8999%'")" = 0

# podcast.media_url: an explicit move of the media
sed -i '/^podcast:$/a\  media_url: https://media.example.net/' "$L/hearth.yaml"
ok build_media_moved -C "$L" build
check enclosures_follow_media_url grep -q 'url="https://media.example.net/media/a5/a5.mp3"' "$P/feed.xml"
check guid_kept_after_media_move test "$(xq "$P/feed.xml" 'r.findtext("channel/podcast:guid", namespaces=ns)')" = "$show_guid"

# ---- people: the public byline only ---------------------------------------------------

check pseudonym_named grep -rq '<podcast:person[^>]*>Quiet Fox</podcast:person>' "$P" --include=*.xml
check realname_nowhere ! grep -rq "Rosa Realname\|Hidden Person\|private.example" "$P" --include=*.xml --include=*.opml
check anonymous_unnamed test "$(cat "$P/feed.xml" "$P"/archive/feed-*.xml | $PY -c '
import re, sys
items = re.findall(r"<item>.*?</item>", sys.stdin.read(), re.S)
n1 = [i for i in items if "<title>Story n1</title>" in i]
print(len(n1), sum(i.count("podcast:person") for i in n1))')" = "1 0"

# ---- a collection that stops being a podcast loses its feed; archives shrink ----------

sed -i 's/^podcast: yes/podcast: no/' "$C/collections/tunes.yaml"
sed -i 's/^  archive_after: 2/  archive_after: 20/' "$L/hearth.yaml"
ok import_changes -C "$L" import "$C"
ok build_after_changes -C "$L" build
check collection_feed_removed test ! -e "$P/collections/tunes/feed.xml"
check archives_removed test ! -e "$P/archive"
check opml_drops_feed ! grep -q "collections/tunes/feed.xml" "$P/feeds.opml"
check all_in_one_feed test "$(xq "$P/feed.xml" 'len(r.findall("channel/item"))')" = 9
