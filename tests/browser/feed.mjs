// feed.mjs FEED EXPECTED_ITEMS - reads the podcast feed with podcast-partytime,
// the Podcast Index's own parser, and checks the channel and every item.
import fs from 'node:fs';
import { parseFeed } from 'podcast-partytime';

const [file, expected] = process.argv.slice(2);
const report = (name, ok, why = '') =>
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
const feed = parseFeed(fs.readFileSync(file, 'utf8'));
report('partytime_parses', !!feed, 'parseFeed returned nothing');
if (feed) {
  report('partytime_title', !!feed.title, 'no title');
  report('partytime_guid', /^[0-9a-f-]{36}$/.test(feed.guid || ''), String(feed.guid));
  const support = Object.values(feed.pc20support || {}).flat();
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
