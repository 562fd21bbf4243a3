"""check_feed.py: Hearth's feeds as podcast apps and feed readers read them.

    check_feed.py FEED PUBLIC_DIR [EXPECTED_ITEMS]
        One podcast feed, read with gPodder's podcastparser and with
        feedparser: it parses cleanly, every item has a title, a GUID that
        never repeats, an enclosure whose length is the exact size of the
        file it names, a duration, a date.

    check_feed.py --site PUBLIC_DIR --library EXPORT_JSON --base URL
                  [--serial SLUG,...] [--partytime OUT_JSON]
        Every feed of a built site against what the library says
        (EXPORT_JSON is `hearth export --json`): feed.xml and the feed of each collection
        marked podcast: yes, with their RFC 5005 archives, have exactly the
        episodes the library publishes there, with their titles, GUIDs,
        enclosure URLs and lengths (each the size of its file), durations
        and bylines (podcast:person: the public byline, nobody for an
        anonymous story, besides the show's own people); a serial show (--serial: the collections whose
        type is serial) keeps the editors' order and a
        music-only one says podcast:medium music; atom.xml has every
        published story; feeds.opml lists every feed; every transcript and
        chapters file a feed names exists and parses. feedparser reports no
        error anywhere. OUT_JSON gets what podcast-partytime must find, for
        tests/browser/feed.mjs.

Prints PASS/FAIL lines like the other tests.
"""
import calendar
import json
import os
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

import feedparser
import podcastparser

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
}


def check(name, cond, why=""):
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + str(why)[:600]))
    return cond


# ---- one feed, as before -------------------------------------------------

def one_feed(feed, public, expected):
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


# ---- every feed of a site against the library ----------------------------

class Site:
    def __init__(self, public, base):
        self.public, self.base = public, base.rstrip("/")

    def local(self, url):
        """The file of the site a URL names, or None when it is not under base."""
        if not url or not url.startswith(self.base + "/"):
            return None
        rel = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        rel = rel[len(urllib.parse.urlsplit(self.base).path):].lstrip("/")
        return os.path.join(self.public, rel)

    def rel(self, path):
        return os.path.relpath(path, self.public)


def iso_time(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def media_asset(story):
    for a in story.get("assets", []):
        if a["role"] in ("audio", "music"):
            return a
    return None


def tag(name):
    return name.replace("/", "_").replace(".", "_")


def archive_chain(site, first, name):
    """The feed document and every archive reached by prev-archive, in order."""
    docs, seen, path = [], set(), first
    while path and path not in seen and len(docs) < 1000:
        seen.add(path)
        docs.append(path)
        root = ET.parse(path).getroot()
        links = [link for link in root.iter("{%s}link" % NS["atom"])
                 if link.get("rel") == "prev-archive"]
        path = None
        if links:
            path = site.local(links[0].get("href"))
            if not check(f"{name}_archive_exists_{len(docs)}", path and os.path.isfile(path),
                         links[0].get("href")):
                path = None
    return docs


def check_side_files(site, item, name):
    """The transcripts and chapters an RSS item names exist and parse."""
    for t in item.findall("podcast:transcript", NS):
        path = site.local(t.get("url"))
        if not check(f"{name}_transcript_exists", path and os.path.isfile(path), t.get("url")):
            continue
        text = open(path, encoding="utf-8").read()
        if t.get("type") == "text/vtt":
            check(f"{name}_transcript_vtt", text.startswith("WEBVTT") and "-->" in text,
                  text[:200])
        elif t.get("type") == "application/json":
            check(f"{name}_transcript_json", "segments" in json.loads(text), text[:200])
        else:
            check(f"{name}_transcript_known_type", t.get("type") == "application/x-subrip",
                  t.get("type"))
    for c in item.findall("podcast:chapters", NS):
        path = site.local(c.get("url"))
        if not check(f"{name}_chapters_exists", path and os.path.isfile(path), c.get("url")):
            continue
        try:
            doc = json.load(open(path, encoding="utf-8"))
            ok = ("version" in doc and isinstance(doc.get("chapters"), list) and
                  doc["chapters"] and
                  all(isinstance(ch.get("startTime"), (int, float)) for ch in doc["chapters"]))
            why = doc
        except ValueError as e:
            ok, why = False, e
        check(f"{name}_chapters_json", ok, why)
    for alt in item.findall("podcast:alternateEnclosure", NS):
        for src in alt.findall("podcast:source", NS):
            path = site.local(src.get("uri"))
            size = os.path.getsize(path) if path and os.path.isfile(path) else -1
            check(f"{name}_alternate_length_{alt.get('type', '?').replace('/', '_')}",
                  size == int(alt.get("length", -2)),
                  f"{src.get('uri')}: {size} bytes, {alt.get('length')} in feed")


def check_podcast(site, rel, want, stories, serial, music, partytime):
    """One show: the feed at rel and its archives hold exactly want (stories)."""
    name = tag(rel)
    path = os.path.join(site.public, rel)
    if not check(f"{name}_exists", os.path.isfile(path), path):
        return
    docs = archive_chain(site, path, name)
    by_guid = {s["guid"]: s for s in stories}
    episodes, items, order_ok = [], [], True
    for d in docs:
        drel = tag(site.rel(d))
        with open(d, "rb") as f:
            parsed = podcastparser.parse(site.base + "/" + site.rel(d), f)
        episodes += parsed.get("episodes", [])
        fp = feedparser.parse(d)
        check(f"{drel}_feedparser_no_error", not fp.bozo, fp.get("bozo_exception"))
        root = ET.parse(d).getroot()
        doc_items = root.findall("channel/item")
        items += doc_items
        check(f"{drel}_feedparser_counts_items", len(fp.entries) == len(doc_items),
              f"{len(fp.entries)} entries, {len(doc_items)} items")
        ch = root.find("channel")
        if serial:
            check(f"{drel}_itunes_type_serial",
                  ch.findtext("itunes:type", namespaces=NS) == "serial",
                  ch.findtext("itunes:type", namespaces=NS))
            # the editors' order, in this document
            pos = [[s["guid"] for s in want].index(i.findtext("guid"))
                   for i in doc_items if i.findtext("guid") in [s["guid"] for s in want]]
            order_ok = order_ok and (pos == sorted(pos) or pos == sorted(pos, reverse=True))
        if music:
            check(f"{drel}_medium_music",
                  ch.findtext("podcast:medium", namespaces=NS) == "music",
                  ch.findtext("podcast:medium", namespaces=NS))
        check(f"{drel}_locked", ch.findtext("podcast:locked", namespaces=NS) == "yes",
              ch.findtext("podcast:locked", namespaces=NS))
    if serial:
        check(f"{name}_editors_order", order_ok, "items out of the collection's order")

    want_guids = sorted(s["guid"] for s in want)
    got_guids = [e["guid"] for e in episodes]
    check(f"{name}_episode_count", len(episodes) == len(want),
          f"{len(episodes)} episodes, the library has {len(want)}")
    check(f"{name}_guids_unique", len(set(got_guids)) == len(got_guids), got_guids)
    check(f"{name}_guids_are_the_library_s", sorted(got_guids) == want_guids,
          f"{sorted(got_guids)} vs {want_guids}")
    for e in episodes:
        s = by_guid.get(e["guid"])
        n = f"{name}_{e['guid'][:8]}"
        if not check(f"{n}_known_story", s is not None, e["guid"]):
            continue
        check(f"{n}_title", e["title"] == s["title"], f"{e['title']!r} vs {s['title']!r}")
        enc = e["enclosures"]
        if not check(f"{n}_one_mp3_enclosure",
                     len(enc) == 1 and enc[0]["mime_type"] == "audio/mpeg", enc):
            continue
        url = enc[0]["url"]
        check(f"{n}_enclosure_url", url.startswith(f"{site.base}/media/{s['slug']}/") and
              url.endswith(".mp3"), url)
        local = site.local(url)
        size = os.path.getsize(local) if local and os.path.isfile(local) else -1
        check(f"{n}_enclosure_length_is_file_size", size == enc[0]["file_size"] and size > 0,
              f"{url}: {size} bytes on disk, {enc[0]['file_size']} in the feed")
        asset = media_asset(s)
        check(f"{n}_duration", asset and abs(e.get("total_time", 0) - asset["duration"]) <= 1.5,
              f"{e.get('total_time')} s in the feed, {asset and asset['duration']} s in the library")
        check(f"{n}_pubdate", e.get("published", 0) > 0, "no date")

    # the show's own people (podcast.people) may be named on every episode;
    # besides them, an item names its public byline, or nobody
    hosts = sorted({p.text for d in docs
                    for p in ET.parse(d).getroot().findall("channel/podcast:person", NS)})
    expect_people = {}
    for item in items:
        guid = item.findtext("guid")
        s = by_guid.get(guid)
        if s is None:
            continue
        n = f"{name}_{guid[:8]}"
        people = [p.text for p in item.findall("podcast:person", NS) if p.text not in hosts]
        byline = s["contributor"]
        if byline["attribution"] == "anonymous":
            want_people = []
        else:
            want_people = [byline["byline"]]
        check(f"{n}_person_is_public_byline", people == want_people,
              f"{people} vs {want_people}")
        expect_people[guid] = want_people
        check_side_files(site, item, n)

    partytime.append({
        "name": name,
        "docs": docs,
        "count": len(want),
        "people": expect_people,
        "hosts": hosts,
        "medium": "music" if music else "podcast",
        "transcripts": sorted(g for g, s in by_guid.items() if g in expect_people and
                              any(a["role"] == "transcript" for a in s["assets"])),
    })


def check_atom(site, stories):
    path = os.path.join(site.public, "atom.xml")
    if not check("atom_exists", os.path.isfile(path), path):
        return
    titles = []
    for d in archive_chain(site, path, "atom"):
        fp = feedparser.parse(d)
        check(f"{tag(site.rel(d))}_feedparser_no_error", not fp.bozo, fp.get("bozo_exception"))
        check(f"{tag(site.rel(d))}_is_atom", fp.version == "atom10", fp.version)
        titles += [e.get("title") for e in fp.entries]
    want = sorted(s["title"] for s in stories)
    check("atom_every_published_story", sorted(titles) == want, f"{sorted(titles)} vs {want}")


def check_opml(site, feeds):
    path = os.path.join(site.public, "feeds.opml")
    if not check("opml_exists", os.path.isfile(path), path):
        return
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check("opml_parses_as_xml", False, e)
        return
    check("opml_parses_as_xml", root.tag == "opml", root.tag)
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    want = sorted(site.base + "/" + f for f in feeds)
    check("opml_lists_every_feed", sorted(set(urls)) == want, f"{sorted(urls)} vs {want}")
    for u in urls:
        local = site.local(u)
        name = tag(site.rel(local)) if local else tag(u)
        check(f"opml_feed_exists_{name}", local and os.path.isfile(local), u)


def whole_site(public, export, base, serial, partytime_out):
    site = Site(public, base)
    lib = json.load(open(export, encoding="utf-8"))
    stories = lib["stories"]
    now = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())

    def published(s):
        return s["status"] == "published" and iso_time(s["published_at"]) <= now

    def episode(s):
        return published(s) and s["consent"]["podcast"] and media_asset(s) is not None

    by_slug = {s["slug"]: s for s in stories}
    party = []
    feeds = ["feed.xml", "atom.xml"]
    check_podcast(site, "feed.xml", [s for s in stories if episode(s)], stories, False, False,
                  party)
    for c in lib["collections"]:
        rel = f"collections/{c['slug']}/feed.xml"
        if not c["podcast"]:
            check(f"{tag(rel)}_no_feed_without_podcast_yes",
                  not os.path.exists(os.path.join(public, rel)), rel)
            continue
        feeds.append(rel)
        want = [by_slug[x] for x in c["stories"] if episode(by_slug[x])]
        music = bool(want) and all(media_asset(s)["role"] == "music" for s in want)
        check_podcast(site, rel, want, stories, c["slug"] in serial, music, party)
    check_atom(site, [s for s in stories
                      if published(s) and (s["consent"]["site"] or s["consent"]["podcast"])])
    check_opml(site, feeds)
    if partytime_out:
        with open(partytime_out, "w") as f:
            json.dump(party, f, indent=1)


def main(argv):
    if argv and argv[0] == "--site":
        opts = dict(zip(argv[0::2], argv[1::2]))
        whole_site(opts["--site"], opts["--library"], opts["--base"],
                   opts.get("--serial", "").split(","), opts.get("--partytime"))
    else:
        one_feed(argv[0], argv[1], int(argv[2]) if len(argv) > 2 else None)


main(sys.argv[1:])
