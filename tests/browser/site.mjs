// site.mjs PUBLIC_DIR SHOTS_DIR [lists|kinds] - reads the built site as a visitor
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
import fs from 'node:fs';
import path from 'node:path';
import { report, serveSite, launch, axeCheck, types } from './common.mjs';

const [root, shots, mode] = process.argv.slice(2);
const listsOnly = mode === 'lists';
// "kinds": one page of every kind, without the walk through every story
const kindsOnly = mode === 'kinds';
const { server, base } = await serveSite(root);
const browser = await launch();
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

// lazy images below the fold are fetched now, so every one is checked and
// a full-page screenshot shows them; gives the sources of those that failed
const loadImages = () => page.evaluate(async () => {
  const imgs = [...document.images];
  imgs.forEach((i) => { i.loading = 'eager'; });
  await Promise.all(imgs.map((i) => (i.complete ? null : new Promise((r) => {
    i.addEventListener('load', r, { once: true }); i.addEventListener('error', r, { once: true });
    setTimeout(r, 5000);
  }))));
  return imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src);
});

async function audit(url, name) {
  errors.length = 0;
  const resp = await page.goto(base + url, { waitUntil: 'load' });
  report(`loads_${name}`, resp && resp.status() === 200, `status ${resp && resp.status()}`);
  await axeCheck(page, name);
  const broken = await loadImages();
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
for (const href of listsOnly || kindsOnly ? [] : unique) {
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
const collections = !kindsOnly && fs.existsSync(path.join(root, 'collections'))
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
// the search page with results: a word of the first story's title
const searchWith = () => {
  const story = storyOf(() => true);
  if (!story || !isFile('search/index.html')) return null;
  const h1 = /<h1[^>]*>([^<]*)</.exec(fs.readFileSync(path.join(root, story), 'utf8'));
  const word = h1 && h1[1].split(/[^\p{L}\p{N}]+/u).find((w) => w.length > 3);
  return word ? `/search/index.html?q=${encodeURIComponent(word)}` : null;
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
  ['search', searchWith()],
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
    if (name === 'search') {
      const found = await page.waitForSelector('#search-results li', { timeout: 10000 })
        .then(() => true, () => false);
      report(`search_shows_results_${width}`, found, `no result for ${url}`);
    }
    await axeCheck(page, `${name}_${width}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    report(`no_sideways_scroll_${name}_${width}`, !wide, 'the page is wider than the window');
    report(`no_console_errors_${name}_${width}`, errors.length === 0, errors.join('; '));
    if (name === 'home' || name === 'subscribe') {
      await loadImages();
      await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    }
    // the keyboard's path depends on the markup and the style sheet, not on the words:
    // a second language's run may leave it out (SITE_KEYBOARD=no)
    if (width === 1280 && process.env.SITE_KEYBOARD !== 'no') await keyboard(name);
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
