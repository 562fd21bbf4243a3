// player.mjs PUBLIC_DIR SHOTS_DIR - the audio story page's player in
// headless Chromium, on the site tests/cli/player.sh builds (the story
// "told": 12 s, three chapters at 0, 4 and 8.5 s, 24 cues half a second
// apart). Checks keyboard reach of every control with a visible focus, the
// seek bar, chapter links that seek, the transcript following playback
// (aria-current moves, its box scrolls, the page does not), #t= on load,
// the link to this moment, no autoplay, axe-core at 320 and 1280 px, and
// saves screenshots. Prints one "PASS name" or "FAIL name: why" per check.
// Waits are bounded; nothing is measured.
import fs from 'node:fs';
import path from 'node:path';
import { report, serveSite, launch, axeCheck } from './common.mjs';

const [root, shots] = process.argv.slice(2);
const { server, base } = await serveSite(root);
const url = `${base}/stories/told/index.html`;

const browser = await launch(['--autoplay-policy=no-user-gesture-required']);
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await context.grantPermissions(['clipboard-read', 'clipboard-write']);
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

// true when fn (run in the page) becomes true within ms; never a measure, only a bound
async function until(fn, arg, ms = 10000) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 });
    return true;
  } catch {
    return false;
  }
}
const state = () => page.evaluate(() => {
  const a = document.querySelector('.player audio');
  const cur = document.querySelectorAll('.cue[aria-current="true"]');
  const box = document.querySelector('.transcript-cues');
  return { t: a.currentTime, paused: a.paused, scrollY: window.scrollY,
    boxTop: box.scrollTop, n: cur.length, cue: cur.length ? cur[0].getAttribute('data-start') : null };
});

const axe = (name) => axeCheck(page, name);

// ---- the page as it loads: enhanced, silent, checked at both widths ---------
await page.goto(url, { waitUntil: 'load' });
fs.mkdirSync(shots, { recursive: true });
const loaded = await page.evaluate(() => {
  const a = document.querySelector('.player audio');
  return { paused: a.paused, t: a.currentTime, autoplay: a.autoplay, preload: a.preload,
    range: !!document.querySelector('.scrubber input[type="range"]'),
    share: !!document.querySelector('button.share-button'),
    length: (document.querySelector('.audio-length') || {}).textContent };
});
report('no_autoplay', loaded.paused && loaded.t === 0 && !loaded.autoplay, JSON.stringify(loaded));
report('preload_metadata', loaded.preload === 'metadata', loaded.preload);
report('duration_before_playing', loaded.length === '0:12', loaded.length);
report('seek_bar_made', loaded.range, 'no range input over the waveform');
report('share_control_made', loaded.share, 'no "link to this moment" button');
for (const width of [320, 1280]) {
  await page.setViewportSize({ width, height: 900 });
  await axe(`player_${width}`);
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth);
  report(`no_sideways_scroll_${width}`, wide <= 0, `${wide}px too wide`);
  await page.screenshot({ path: path.join(shots, `player-${width}.png`), fullPage: true });
}

// ---- keyboard: Tab reaches every control, each with a visible focus ---------
const expected = await page.evaluate(() => {
  const all = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, audio[controls], [tabindex]:not([tabindex="-1"])')]
    .filter((el) => el.getClientRects().length && !el.closest('[hidden]'));
  all.forEach((el, i) => el.setAttribute('data-kbd', String(i)));
  return all.length;
});
const reached = new Set(), unseen = [];
await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
for (let i = 0; i < expected * 4 + 40 && reached.size < expected; i++) {
  await page.keyboard.press('Tab');
  const f = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
    // <audio controls>: Chromium draws the focus of its own buttons
    return { id: el.getAttribute('data-kbd'), what: el.outerHTML.slice(0, 80),
      visible: ring || el.tagName === 'AUDIO' };
  });
  if (!f || f.id === null) continue;
  if (!f.visible) unseen.push(f.what);
  reached.add(f.id);
}
const missed = await page.evaluate((ids) => [...document.querySelectorAll('[data-kbd]')]
  .filter((el) => !ids.includes(el.getAttribute('data-kbd'))).map((el) => el.outerHTML.slice(0, 80)),
[...reached]);
report('keyboard_reaches_every_control', missed.length === 0 && expected > 10,
  `${expected} controls, missed: ${missed.join(' | ')}`);
report('focus_always_visible', unseen.length === 0, [...new Set(unseen)].join(' | '));
await page.evaluate(() => document.querySelector('.player audio').muted = true);

// ---- the seek bar by keyboard ---------------------------------------------
const range = page.locator('.scrubber input[type="range"]').first();
await range.focus();
await page.keyboard.press('Home');
await page.keyboard.press('ArrowRight');
report('seek_bar_arrow_seeks', await until(() => Math.abs(document.querySelector('.player audio').currentTime - 5) < 0.05),
  JSON.stringify(await state()));
report('seek_bar_says_where', await until(() =>
  document.querySelector('.scrubber input').getAttribute('aria-valuetext') === '0:05 of 0:12'),
await range.getAttribute('aria-valuetext'));
await page.keyboard.press('End');
report('seek_bar_end', await until(() => document.querySelector('.player audio').currentTime > 11.9),
  JSON.stringify(await state()));

// ---- a chapter link seeks and plays ------------------------------------------
await page.locator('a.chapter-link').nth(1).click();
report('chapter_link_seeks', await until(() => {
  const a = document.querySelector('.player audio');
  return !a.paused && a.currentTime >= 4 && a.currentTime < 8;
}), JSON.stringify(await state()));
await page.evaluate(() => document.querySelector('.player audio').pause());

// ---- the transcript follows playback; only its box scrolls ---------------------
await page.evaluate(() => {
  const a = document.querySelector('.player audio');
  a.pause();
  a.currentTime = 0;
  const box = document.querySelector('.transcript-cues');
  window.scrollTo(0, box.getBoundingClientRect().top + window.scrollY - 100);
});
await until(() => document.querySelector('.player audio').currentTime === 0);
const before = await state();
await page.evaluate(() => {
  const a = document.querySelector('.player audio');
  a.playbackRate = 2;
  a.play();
});
report('transcript_follows_playback', await until(() => {
  const c = document.querySelector('.cue[aria-current="true"]');
  return c && parseFloat(c.getAttribute('data-start')) >= 2;
}, null, 15000), JSON.stringify(await state()));
const playing = await state();
report('one_cue_current', playing.n === 1, `${playing.n} cues marked`);
const look = await page.evaluate(() => {
  const c = document.querySelector('.cue[aria-current="true"]');
  const o = document.querySelector('.cue:not([aria-current])');
  const a = getComputedStyle(c), b = getComputedStyle(o);
  return { weight: [a.fontWeight, b.fontWeight], border: [a.borderLeftColor, b.borderLeftColor] };
});
report('current_cue_not_colour_alone', look.weight[0] !== look.weight[1] && look.border[0] !== look.border[1],
  JSON.stringify(look));
// a timestamp near the end: the box scrolls to its cue, the page stays
await page.evaluate(() => document.querySelectorAll('a.cue-time')[20].click());
report('timestamp_seeks', await until(() => {
  const c = document.querySelector('.cue[aria-current="true"]');
  return c && parseFloat(c.getAttribute('data-start')) >= 10;
}, null, 15000), JSON.stringify(await state()));
const after = await state();
await page.evaluate(() => document.querySelector('.player audio').pause());
report('transcript_box_scrolls', after.boxTop > 0, `scrollTop ${after.boxTop}`);
report('page_does_not_scroll', before.scrollY === playing.scrollY && before.scrollY === after.scrollY,
  `scrollY ${before.scrollY}, ${playing.scrollY}, ${after.scrollY}`);
const inView = await page.evaluate(() => {
  const box = document.querySelector('.transcript-cues');
  const c = document.querySelector('.cue[aria-current="true"]');
  const b = box.getBoundingClientRect(), r = c.getBoundingClientRect();
  return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
});
report('current_cue_in_its_box', inView, 'the cue playing is outside the box');
await axe('player_playing');

// ---- #t= on load: seeks, does not play ---------------------------------------
for (const [frag, want] of [['2', 2], ['0:07', 7]]) {
  await page.goto('about:blank');
  await page.goto(`${url}#t=${frag}`, { waitUntil: 'load' });
  const ok = await until((w) => Math.abs(document.querySelector('.player audio').currentTime - w) < 0.05, want);
  const s = await state();
  report(`hash_t_${frag.replace(':', '_')}_seeks`, ok && s.paused, JSON.stringify(s));
  report(`hash_t_${frag.replace(':', '_')}_marks_cue`, await until((w) => {
    const c = document.querySelector('.cue[aria-current="true"]');
    return c && parseFloat(c.getAttribute('data-start')) === w;
  }, want), JSON.stringify(await state()));
}

// ---- a link to this moment ---------------------------------------------------
await page.locator('button.share-button').click();
const shared = await page.evaluate(() => ({ hash: location.hash,
  link: (document.querySelector('.share-status a') || {}).textContent,
  href: (document.querySelector('.share-status a') || { getAttribute: () => null }).getAttribute('href') }));
report('link_to_this_moment', shared.hash === '#t=7' && shared.href === '#t=7' && shared.link === 'Link to 0:07',
  JSON.stringify(shared));

report('no_console_errors', errors.length === 0, errors.join('; '));
await browser.close();
server.close();
