// site.mjs PUBLIC_DIR SHOTS_DIR [lists] - reads the built site as a visitor
// would: serves it on localhost, opens every page in headless Chromium,
// follows the links from the home page to the list of all stories and
// through its pages to every story, checks each page with axe-core (WCAG
// 2.2 A/AA), checks that images and audio load, and saves screenshots.
// One page of every kind (home, a text, an art and an audio story, a
// collection, a theme, a tag, a contributor, their indexes, subscribe,
// about, 404) is checked again at 320 and 1280 px wide, and by keyboard:
// Tab reaches every link and button, each with a visible focus ring.
// With "lists", only the home page and the list pages (a library of many
// stories). Prints one "PASS name" or "FAIL name: why" line per check.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [root, shots, mode] = process.argv.slice(2);
const listsOnly = mode === 'lists';
const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.xml': 'application/rss+xml', '.mp3': 'audio/mpeg', '.jpg': 'image/jpeg',
  '.webp': 'image/webp', '.vtt': 'text/vtt', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.txt': 'text/plain', '.m4a': 'audio/mp4',
};
const report = (name, ok, why = '') =>
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = path.join(root, url);
  if (!file.startsWith(path.resolve(root))) { res.writeHead(403).end(); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!fs.existsSync(file)) { res.writeHead(404).end('not found'); return; }
  const size = fs.statSync(file).size;
  const headers = { 'Content-Type': types[path.extname(file)] || 'application/octet-stream',
    'Accept-Ranges': 'bytes' };
  const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range || '');
  if (range) {
    const start = range[1] ? +range[1] : 0, end = range[2] ? +range[2] : size - 1;
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1 });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') { res.end(); return; }
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
// 404.html links by the site's own address (it is served for any path):
// requests to that address are answered from the built site
const siteBase = (/^Sitemap: (.*)\/sitemap\.xml$/m.exec(
  fs.existsSync(path.join(root, 'robots.txt')) ? fs.readFileSync(path.join(root, 'robots.txt'), 'utf8') : '') || [])[1];
if (siteBase) {
  await page.route((u) => u.href.startsWith(siteBase + '/'), (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname);
    const file = path.join(root, rel.slice(new URL(siteBase).pathname.replace(/\/$/, '').length));
    if (!file.startsWith(path.resolve(root)) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      route.fulfill({ status: 404, body: 'not found' });
      return;
    }
    route.fulfill({ status: 200, contentType: types[path.extname(file)] || 'application/octet-stream',
      body: fs.readFileSync(file) });
  });
}
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

async function audit(url, name) {
  errors.length = 0;
  const resp = await page.goto(base + url, { waitUntil: 'load' });
  report(`loads_${name}`, resp && resp.status() === 200, `status ${resp && resp.status()}`);
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }));
  const v = result.violations.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes[0].html.slice(0, 120)}`);
  report(`axe_${name}`, v.length === 0, v.join('; '));
  // lazy images below the fold are fetched now, so every one is checked
  const broken = await page.evaluate(async () => {
    const imgs = [...document.images];
    imgs.forEach((i) => { i.loading = 'eager'; });
    await Promise.all(imgs.map((i) => (i.complete ? null : new Promise((r) => {
      i.addEventListener('load', r, { once: true }); i.addEventListener('error', r, { once: true });
      setTimeout(r, 5000);
    }))));
    return imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src);
  });
  report(`images_load_${name}`, broken.length === 0, broken.join(' '));
  const h1 = await page.locator('h1').count();
  report(`one_h1_${name}`, h1 === 1, `${h1} h1 elements`);
  report(`no_console_errors_${name}`, errors.length === 0, errors.join('; '));
}

await audit('/index.html', 'home');
fs.mkdirSync(shots, { recursive: true });
if (!listsOnly) await page.screenshot({ path: path.join(shots, 'home.png'), fullPage: true });
const hrefs = () => page.evaluate(() => [...document.querySelectorAll('main a[href]')]
  .map((a) => a.getAttribute('href')));
const homeLinks = await hrefs();
report('home_links_all_stories', homeLinks.includes('stories/index.html'),
  'no link to stories/index.html');
const latest = homeLinks.filter((h) => /^stories\/[^/]+\/index\.html$/.test(h));
report('home_shows_the_latest', latest.length === Math.min(12, fs.readdirSync(path.join(root, 'stories'))
  .filter((d) => d !== 'index.html' && d !== 'page').length), `${latest.length} stories`);

// the list of all stories, page after page by its rel="next" links
const storyLinks = [];
let listUrl = '/stories/index.html', listPages = 0;
while (listUrl && listPages < 50) {
  listPages++;
  await audit(listUrl, `stories_page_${listPages}`);
  const dir = path.posix.dirname(listUrl);
  for (const h of await hrefs()) {
    const abs = path.posix.normalize(path.posix.join(dir, h));
    if (/^\/stories\/[^/]+\/index\.html$/.test(abs) && !abs.startsWith('/stories/page/')) storyLinks.push(abs.slice(1));
  }
  const next = await page.evaluate(() => {
    const a = document.querySelector('nav.pager a[rel="next"]');
    return a ? a.getAttribute('href') : null;
  });
  listUrl = next ? path.posix.normalize(path.posix.join(dir, next)) : null;
  if (listPages === 2 && listsOnly) await page.screenshot({ path: path.join(shots, 'list.png'), fullPage: true });
}
const unique = [...new Set(storyLinks)];
const onDisk = fs.readdirSync(path.join(root, 'stories')).filter((d) => d !== 'index.html' && d !== 'page');
report('lists_link_every_story_page_once', unique.length === onDisk.length && storyLinks.length === unique.length,
  `${storyLinks.length} links, ${unique.length} different, ${onDisk.length} pages`);

let shot = false;
for (const href of listsOnly ? [] : unique) {
  const slug = href.split('/')[1];
  await audit('/' + href, `story_${slug}`);
  const audio = await page.evaluate(() => [...document.querySelectorAll('audio')].map((a) => a.currentSrc || a.src || (a.querySelector('source') || {}).src));
  for (const src of audio) {
    const ok = await page.evaluate(async (u) => (await fetch(u, { method: 'HEAD' })).ok, src);
    report(`audio_reachable_${slug}`, ok, src);
    const playable = await page.evaluate(async () => {
      const a = document.querySelector('audio');
      a.preload = 'auto';
      a.load();
      await new Promise((r) => { a.addEventListener('loadedmetadata', r, { once: true });
        a.addEventListener('error', r, { once: true }); setTimeout(r, 5000); });
      return a.duration > 0 && !a.error;
    });
    report(`audio_decodes_in_browser_${slug}`, playable, 'no duration or a media error');
  }
  const warn = await page.evaluate(() => {
    const w = document.querySelector('.content-warning, [data-warning]');
    const body = document.querySelector('.story-body, article .body');
    if (!w) return null;
    return body ? !!(w.compareDocumentPosition(body) & Node.DOCUMENT_POSITION_FOLLOWING) : true;
  });
  if (warn !== null) report(`warning_before_story_${slug}`, warn, 'the content warning comes after the story');
  if (!shot && audio.length) {
    await page.screenshot({ path: path.join(shots, 'story.png'), fullPage: true });
    shot = true;
  }
}
const collections = fs.existsSync(path.join(root, 'collections'))
  ? fs.readdirSync(path.join(root, 'collections')) : [];
for (const dir of collections) {
  await audit(`/collections/${dir}/index.html`, `collection_${dir}`);
  const more = path.join(root, 'collections', dir, 'page');
  for (const n of fs.existsSync(more) ? fs.readdirSync(more) : []) {
    await audit(`/collections/${dir}/page/${n}/index.html`, `collection_${dir}_page_${n}`);
  }
}
// every kind of page at a phone's width and a desktop's, and by keyboard alone
const isFile = (rel) => fs.existsSync(path.join(root, rel));
const firstDir = (dir) => {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return null;
  const d = fs.readdirSync(full).filter((x) => x !== 'index.html' && x !== 'page').sort()[0];
  return d ? `/${dir}/${d}/index.html` : null;
};
const storyOf = (test) => {
  const dir = path.join(root, 'stories');
  for (const d of fs.readdirSync(dir).filter((x) => x !== 'index.html' && x !== 'page').sort()) {
    const html = fs.readFileSync(path.join(dir, d, 'index.html'), 'utf8');
    if (test(html)) return `/stories/${d}/index.html`;
  }
  return null;
};
const kinds = listsOnly ? [] : [
  ['home', '/index.html'],
  ['text_story', storyOf((h) => !/<audio|<picture/.test(h))],
  ['art_story', storyOf((h) => /<picture/.test(h) && !/<audio/.test(h))],
  ['audio_story', storyOf((h) => /<audio/.test(h))],
  ['collection', firstDir('collections')],
  ['theme', firstDir('themes')],
  ['tag', firstDir('tags')],
  ['contributor', firstDir('contributors')],
  ['topics', isFile('themes/index.html') ? '/themes/index.html' : null],
  ['contributors', isFile('contributors/index.html') ? '/contributors/index.html' : null],
  ['subscribe', '/subscribe/index.html'],
  ['about', '/about/index.html'],
  ['404', '/404.html'],
];
// Tab through the page: every link and button takes the focus, each with a visible ring
async function keyboard(name) {
  const want = await page.evaluate(() => {
    const v = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]')]
      .filter((e) => !e.closest('[hidden]') && e.getClientRects().length > 0);
    v.forEach((e, i) => e.setAttribute('data-kbd', String(i)));
    return v.length;
  });
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const seen = new Set(), unringed = [];
  for (let i = 0; i < want + 40 && seen.size < want; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const cs = getComputedStyle(e);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
        cs.boxShadow !== 'none';
      return { id: e.getAttribute('data-kbd'), ring, html: e.outerHTML.slice(0, 80) };
    });
    if (!f || f.id === null) continue;
    seen.add(f.id);
    if (!f.ring) unringed.push(f.html);
  }
  report(`keyboard_reaches_all_${name}`, seen.size === want, `${seen.size} of ${want} reached by Tab`);
  report(`keyboard_focus_visible_${name}`, unringed.length === 0, unringed.slice(0, 3).join(' '));
}
for (const [name, url] of kinds) {
  // the demo site has every kind (SITE_KINDS=all); another site, the kinds it has
  if (process.env.SITE_KINDS === 'all') report(`page_kind_exists_${name}`, url !== null, 'no such page in the site');
  if (!url) continue;
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    errors.length = 0;
    const resp = await page.goto(base + url, { waitUntil: 'load' });
    // 404.html is served as a page here: its status is the host's business
    if (name !== '404') report(`loads_${name}_${width}`, resp && resp.status() === 200, `status ${resp && resp.status()}`);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      await axe.run(document, { runOnly: { type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }));
    const v = result.violations.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes[0].html.slice(0, 120)}`);
    report(`axe_${name}_${width}`, v.length === 0, v.join('; '));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    report(`no_sideways_scroll_${name}_${width}`, !wide, 'the page is wider than the window');
    report(`no_console_errors_${name}_${width}`, errors.length === 0, errors.join('; '));
    if (name === 'home' || name === 'subscribe')
      await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    if (width === 1280) await keyboard(name);
  }
}
await page.setViewportSize({ width: 1280, height: 900 });
if (!listsOnly) {
  // without JavaScript the feed's address is still there to copy by hand
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const bare = await ctx.newPage();
  await bare.goto(base + '/subscribe/index.html');
  const url = await bare.locator('#feed-url').textContent();
  report('subscribe_url_without_js', /^https?:\/\/.+\/feed\.xml$/.test(url || ''), url);
  report('subscribe_copy_button_waits_for_js', await bare.locator('button.copy').isHidden(), 'shown without JavaScript');
  await ctx.close();
}
await page.emulateMedia({ colorScheme: 'dark' });
await page.goto(base + '/index.html');
if (!listsOnly) await page.screenshot({ path: path.join(shots, 'home-dark.png') });
await browser.close();
server.close();
