// search.mjs PUBLIC_DIR SHOTS_DIR - the search page of the site that
// tests/cli/search.sh builds, as a reader uses it in headless Chromium:
// finds a story by a word from its body and by a theme, filters by kind,
// folds accents, hides a story by its content warning when asked (and
// remembers it), checks the page with axe-core (WCAG 2.2 A/AA) with
// results shown at 320 and 1280 px, and saves screenshots of both.
// Prints one "PASS name" or "FAIL name: why" line per check.
import fs from 'node:fs';
import path from 'node:path';
import { report, serveSite, launch, axeCheck } from './common.mjs';

const [root, shots] = process.argv.slice(2);
const { server, base } = await serveSite(root);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

// the river story's title gains a word in an edit before this runs
const river = (x) => typeof x === 'string' && x.startsWith('The river at dusk');
const titles = () => page.$$eval('#search-results li h2 a', (a) => a.map((x) => x.textContent));
// types q (and picks the filters), waits for the status line, gives the titles shown
async function query(q, kind = '', theme = '') {
  await page.selectOption('#search-kind', kind);
  await page.selectOption('#search-theme', theme);
  await page.fill('#search-q', q);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => {
    const s = document.getElementById('search-status').textContent;
    return s && !/…$/.test(s);
  }, null, { timeout: 10000 });
  await page.waitForTimeout(50);
  return titles();
}

const axe = (name) => axeCheck(page, name);

try {
  await page.goto(base + '/search/index.html', { waitUntil: 'load' });
  await page.evaluate(() => localStorage.clear());
  await page.reload({ waitUntil: 'load' });
  report('form_shown_with_script', await page.isVisible('#search-form'));

  let t = await query('quillfeather');
  report('finds_by_body_word', river(t[0]), JSON.stringify(t));
  const status = await page.textContent('#search-status');
  report('count_announced', /1 story found/.test(status) &&
    (await page.getAttribute('#search-status', 'aria-live')) === 'polite', status);
  t = await query('Grief');
  report('finds_by_theme_word', t.some(river), JSON.stringify(t));
  t = await query('', '', 'grief');
  report('filter_by_theme', t.length === 1 && river(t[0]), JSON.stringify(t));
  t = await query('FAÇADE');
  report('folds_accents', t[0] === 'Café crème', JSON.stringify(t));
  t = await query('lantern');
  report('finds_both', t.length === 2 && t[0] === 'Colours of a lantern', JSON.stringify(t));
  t = await query('lantern', 'art');
  report('filter_by_kind', t.length === 1 && t[0] === 'Colours of a lantern', JSON.stringify(t));
  t = await query('lantern', 'text');
  report('filter_by_kind_text', t.length === 1 && river(t[0]), JSON.stringify(t));

  // hide by warning: gone from the results, and still hidden after a reload
  await query('lantern');
  await page.check('#search-hide-self-harm');
  await page.waitForFunction(() => /hidden/.test(document.getElementById('search-status').textContent));
  t = await titles();
  report('hides_by_warning', t.length === 1 && t[0] === 'Colours of a lantern', JSON.stringify(t));
  await page.reload({ waitUntil: 'load' });
  report('hide_choice_kept', await page.isChecked('#search-hide-self-harm'));
  t = await query('quillfeather');
  report('hidden_after_reload', t.length === 0, JSON.stringify(t));
  await page.uncheck('#search-hide-self-harm');

  fs.mkdirSync(shots, { recursive: true });
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 900 });
    t = await query('hope');
    report(`results_shown_${width}`, t.length >= 3, JSON.stringify(t));
    await axe(`search_${width}`);
    await page.screenshot({ path: path.join(shots, `search-${width}.png`), fullPage: true });
  }

  // without JavaScript: the form stays hidden and the theme and tag pages are offered
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const plain = await ctx.newPage();
  await plain.goto(base + '/search/index.html', { waitUntil: 'load' });
  report('no_script_form_hidden', !(await plain.isVisible('#search-form')));
  report('no_script_theme_links',
    (await plain.locator('a[href="../themes/grief/index.html"]').count()) === 1);
  await ctx.close();
  report('no_page_errors', errors.length === 0, errors.join('; '));
} catch (e) {
  report('search_page', false, String(e).slice(0, 400));
}
await browser.close();
server.close();
