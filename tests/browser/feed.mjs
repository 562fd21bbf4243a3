// feed.mjs - reads Hearth's podcast feeds with podcast-partytime, the Podcast
// Index's own parser.
//
//   node feed.mjs FEED EXPECTED_ITEMS
//     one feed: the channel and every item.
//   node feed.mjs EXPECT_JSON
//     every podcast feed of a site, as tests/cli/check_feed.py --partytime
//     describes them from the library: each show's documents (the feed and
//     its RFC 5005 archives) hold the expected number of items; partytime
//     reads the Podcasting 2.0 tags (person, locked, transcript,
//     alternateEnclosure, guid, license, medium); each item's podcast:person
//     is its public byline, and an anonymous story's item names nobody.
import fs from 'node:fs';
import { parseFeed } from 'podcast-partytime';

const report = (name, ok, why = '') => {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${String(why).slice(0, 600)}`);
  return ok;
};

// the tags partytime found in a feed, by name
const supported = (feed) => Object.values(feed.pc20support || {}).flat();

function oneFeed(file, expected) {
  const feed = parseFeed(fs.readFileSync(file, 'utf8'));
  report('partytime_parses', !!feed, 'parseFeed returned nothing');
  if (!feed) return;
  report('partytime_title', !!feed.title, 'no title');
  report('partytime_guid', /^[0-9a-f-]{36}$/.test(feed.guid || ''), String(feed.guid));
  const support = supported(feed);
  for (const tag of ['guid', 'transcript', 'license', 'medium'])
    report(`partytime_reads_podcast_${tag}`, support.includes(tag), JSON.stringify(feed.pc20support));
  report('partytime_item_count', feed.items.length === +expected,
    `${feed.items.length} items, expected ${expected}`);
  for (const it of feed.items) {
    const id = (it.guid || '?').slice(0, 8);
    report(`partytime_enclosure_${id}`, it.enclosure && it.enclosure.url && it.enclosure.length > 0,
      JSON.stringify(it.enclosure));
    report(`partytime_duration_${id}`, it.duration > 0, String(it.duration));
    if (it.podcastTranscripts)
      report(`partytime_transcript_${id}`, it.podcastTranscripts.every((t) => t.url && t.type),
        JSON.stringify(it.podcastTranscripts));
  }
}

function everyShow(expectFile) {
  const shows = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
  report('partytime_has_shows', shows.length > 0, 'no show described');
  // the tags every show of the site must carry somewhere, and those a show
  // with episodes must carry
  const seen = new Set();
  for (const show of shows) {
    const n = `partytime_${show.name}`;
    const items = [];
    let first = null;
    for (const [i, doc] of show.docs.entries()) {
      const feed = parseFeed(fs.readFileSync(doc, 'utf8'));
      if (!report(`${n}_parses_${i}`, !!feed, `${doc}: parseFeed returned nothing`))
        continue;
      first = first || feed;
      items.push(...feed.items);
      supported(feed).forEach((t) => seen.add(t));
    }
    if (!first) continue;
    report(`${n}_title`, !!first.title, 'no title');
    report(`${n}_guid`, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(first.guid || ''),
      String(first.guid));
    report(`${n}_locked`, first.locked === true, String(first.locked));
    report(`${n}_license`, !!(first.license && first.license.identifier), JSON.stringify(first.license));
    report(`${n}_medium`, (first.medium || 'podcast') === show.medium, `${first.medium} vs ${show.medium}`);
    report(`${n}_item_count`, items.length === show.count, `${items.length} items, the library has ${show.count}`);
    const guids = items.map((it) => it.guid);
    report(`${n}_guids_unique`, new Set(guids).size === guids.length, JSON.stringify(guids));
    for (const it of items) {
      const id = `${n}_${(it.guid || '?').slice(0, 8)}`;
      report(`${id}_enclosure`, it.enclosure && it.enclosure.url && it.enclosure.length > 0,
        JSON.stringify(it.enclosure));
      report(`${id}_duration`, it.duration > 0, String(it.duration));
      const alt = it.alternativeEnclosures || [];
      report(`${id}_alternate_enclosure`, alt.length > 0 && alt.some((a) => a.default) &&
        alt.every((a) => a.type && a.source && a.source.length > 0), JSON.stringify(alt));
      if (it.guid in show.people) {
        const want = show.people[it.guid];
        const got = (it.podcastPeople || []).map((p) => p.name).filter((p) => !show.hosts.includes(p));
        report(`${id}_person`, JSON.stringify(got) === JSON.stringify(want),
          `${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
      }
      if (show.transcripts.includes(it.guid))
        report(`${id}_transcript`, (it.podcastTranscripts || []).length > 0 &&
          it.podcastTranscripts.every((t) => t.url && t.type === 'text/vtt'),
          JSON.stringify(it.podcastTranscripts));
    }
  }
  for (const tag of ['person', 'locked', 'transcript', 'alternateEnclosure', 'guid', 'license', 'medium'])
    report(`partytime_reads_podcast_${tag}`, seen.has(tag), JSON.stringify([...seen]));
}

const args = process.argv.slice(2);
if (args.length === 1) everyShow(args[0]);
else oneFeed(args[0], args[1]);
