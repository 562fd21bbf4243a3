// search_bench.mjs HEARTH_SITE HUGO_SITE RARE SLUG COMMON - what a reader's
// search downloads, in headless Chromium: on Hearth's search page and on a
// page of Hugo's site that runs Pagefind (pagefind.js, its API), each
// search from a fresh page, counting every byte the page fetches after it
// has loaded (bodies and headers, as Chromium reports them) until the
// first ten results are shown. RARE is a term only story SLUG has (its
// number); COMMON a word in (nearly) every story. Prints one line per
// search: "<engine> <rare|common> <bytes> <requests> <results> <first>".
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '../browser/package.json'));
const { chromium } = require('playwright-core');
const [hearthSite, hugoSite, rare, slug, common] = process.argv.slice(2);

const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm',
};
function serve(root) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, url);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file.startsWith(path.resolve(root)) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Content-Length': size });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

// Pagefind's side: a page that loads nothing but itself; the search imports pagefind.js
fs.writeFileSync(path.join(hugoSite, 'pagefind-search.html'),
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Search</title></head>' +
  '<body><main><ol id="r"></ol></main></body></html>\n');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});

// loads url in a fresh context, then runs act(page) counting what is fetched
async function measure(base, url, act) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + url, { waitUntil: 'load' });
  await page.waitForTimeout(200);
  let bytes = 0, requests = 0;
  const pending = [];
  page.on('requestfinished', (req) => {
    pending.push(req.sizes().then((s) => {
      bytes += s.responseBodySize + s.responseHeadersSize;
      requests++;
    }));
  });
  const out = await act(page);
  await page.waitForTimeout(300);
  await Promise.all(pending);
  await ctx.close();
  return { bytes, requests, ...out };
}

async function hearth(base, q) {
  return measure(base, '/search/index.html', async (page) => {
    await page.fill('#search-q', q);
    await page.press('#search-q', 'Enter');
    await page.waitForFunction(() => {
      const s = document.getElementById('search-status').textContent;
      const n = document.querySelectorAll('#search-results li').length;
      return s && !/…$/.test(s) && (n >= 10 || /^(No|1 )/.test(s) || n > 0);
    }, null, { timeout: 60000 });
    await page.waitForFunction(() => document.querySelectorAll('#search-results li').length >= 10 ||
      !document.querySelector('.search-more') || document.querySelector('.search-more').hidden,
    null, { timeout: 60000 });
    return page.evaluate(() => {
      const a = [...document.querySelectorAll('#search-results li h2 a')];
      const n = (document.getElementById('search-status').textContent.match(/\d+/) || ['0'])[0];
      return { results: +n, shown: a.length, first: a.length ? a[0].getAttribute('href') : '' };
    });
  });
}

async function pagefind(base, q) {
  return measure(base, '/pagefind-search.html', (page) => page.evaluate(async (query) => {
    const pf = await import('/pagefind/pagefind.js');
    const r = await pf.search(query);
    const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
    return { results: r.results.length, shown: data.length, first: data.length ? data[0].url : '' };
  }, q));
}

const hs = await serve(hearthSite), ps = await serve(hugoSite);
const hb = `http://127.0.0.1:${hs.address().port}`, pb = `http://127.0.0.1:${ps.address().port}`;
for (const [engine, fn, base] of [['hearth', hearth, hb], ['pagefind', pagefind, pb]]) {
  for (const [kind, q] of [['rare', rare], ['common', common]]) {
    const r = await fn(base, q);
    const first = kind === 'rare' ? (r.first.includes(slug) ? 'right' : `wrong:${r.first}`) : '-';
    console.log(`${engine} ${kind} ${r.bytes} ${r.requests} ${r.results} ${r.shown} ${first}`);
  }
}
await browser.close();
hs.close();
ps.close();
