// common.mjs - what the browser tests share: a static server for a built
// site on 127.0.0.1 (a free port; folders answer with their index.html,
// byte ranges and HEAD as a static host answers them), Chromium launched
// headless, the PASS/FAIL line, and axe-core's WCAG 2.2 A/AA run.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.xml': 'application/rss+xml', '.mp3': 'audio/mpeg', '.jpg': 'image/jpeg',
  '.webp': 'image/webp', '.vtt': 'text/vtt', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.txt': 'text/plain', '.m4a': 'audio/mp4',
};

export const report = (name, ok, why = '') =>
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);

// Serves the folder root; resolves to { server, base } once it listens.
export async function serveSite(root) {
  const top = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(top, url);
    if (!file.startsWith(top)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404).end('not found'); return; }
    const size = fs.statSync(file).size;
    const headers = { 'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Accept-Ranges': 'bytes' };
    const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range || '');
    if (range) {
      const start = range[1] ? +range[1] : 0;
      const end = range[2] ? Math.min(+range[2], size - 1) : size - 1;
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
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

// Debian's Chromium, headless, with any extra switches.
export function launch(extra = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', ...extra],
  });
}

// axe-core over the page as it stands; one PASS or FAIL line named axe_<name>.
export async function axeCheck(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }));
  const v = result.violations.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes[0].html.slice(0, 120)}`);
  report(`axe_${name}`, v.length === 0, v.join('; '));
}
