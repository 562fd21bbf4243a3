"""check_feed.py FEED PUBLIC_DIR [EXPECTED_ITEMS]

Reads a Hearth podcast feed the way podcast apps do, with gPodder's
podcastparser and with feedparser, and checks what apps rely on: it parses
cleanly, every item has a title, a GUID that never repeats, an enclosure
whose length is the exact size of the file it names, a duration, a date.
Prints PASS/FAIL lines like the other tests.
"""
import os
import sys
import urllib.parse

import feedparser
import podcastparser

feed, public = sys.argv[1], sys.argv[2]
expected = int(sys.argv[3]) if len(sys.argv) > 3 else None


def check(name, cond, why=""):
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + why))


with open(feed, "rb") as f:
    parsed = podcastparser.parse("https://example.org/feed.xml", f)
episodes = parsed.get("episodes", [])
check("podcastparser_reads_feed", bool(parsed.get("title")), "no title")
if expected is not None:
    check("podcastparser_episode_count", len(episodes) == expected,
          f"{len(episodes)} episodes, expected {expected}")
guids = [e["guid"] for e in episodes]
check("podcastparser_unique_guids", len(set(guids)) == len(guids), str(guids))
for e in episodes:
    enc = e["enclosures"]
    ok = len(enc) == 1 and enc[0]["mime_type"] == "audio/mpeg"
    check("podcastparser_enclosure_" + e["guid"][:8], ok, str(enc))
    if not ok:
        continue
    path = urllib.parse.urlparse(enc[0]["url"]).path
    base_path = path.split("/media/", 1)[-1]
    local = os.path.join(public, "media", base_path)
    size = os.path.getsize(local) if os.path.exists(local) else -1
    check("enclosure_length_exact_" + e["guid"][:8], size == enc[0]["file_size"],
          f"{local}: {size} bytes on disk, {enc[0]['file_size']} in feed")
    check("duration_" + e["guid"][:8], e.get("total_time", 0) > 0, "no duration")
    check("pubdate_" + e["guid"][:8], e.get("published", 0) > 0, "no date")

fp = feedparser.parse(feed)
check("feedparser_well_formed", not fp.bozo, str(fp.get("bozo_exception")))
check("feedparser_itunes_image", bool(fp.feed.get("image")), "no channel image")
check("feedparser_language", bool(fp.feed.get("language")), "no language")
for entry in fp.entries:
    check("feedparser_item_" + entry.get("id", "?")[:8],
          bool(entry.get("title")) and bool(entry.get("enclosures")) and
          bool(entry.get("itunes_duration")), str(entry.keys()))
