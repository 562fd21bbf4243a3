// serve_flow.mjs BASE INVITE_PATH AUDIO PICTURE EDITOR PASSWORD SHOTS_DIR - the
// whole life of a web submission in headless Chromium, against a running
// `hearth serve`: a peer opens the invitation link, fills in the form with a
// recording and a picture, and reads the receipt; an editor signs in and
// asks for a change; the peer reads the message and sends a revision; the
// editor approves it, the peer confirms that version, the editor publishes
// and builds from the console; the story is on the site and in the feed.
// Then the peer takes it back with the receipt, the editor builds again, and
// the story is gone from both. axe-core (WCAG 2.2 A/AA) checks the form, the
// receipt and the console's pages; a screenshot of every step is saved.
// Prints one "PASS name" or "FAIL name: why" line per check; the first step
// that cannot be done ends the run (with a screenshot of where it stood).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, invitePath, audioFile, pictureFile, editor, password, shots] =
  process.argv.slice(2);
const TITLE = 'The kettle on the windowsill';
const REVISED = 'The kettle on the windowsill, told again';
const MESSAGE = 'Could you say a little more about the morning it happened?';

const report = (name, ok, why = '') =>
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
class Stop extends Error {}
const must = (name, ok, why = '') => {
  report(name, ok, why);
  if (!ok) throw new Stop(name);
};

// the whole run is bounded, whatever a page does
const guard = setTimeout(() => {
  console.log('FAIL serve_flow_time: the flow took more than 5 minutes');
  process.exit(1);
}, 300000);

fs.mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
// the peer and the editor each have their own browser profile (cookies)
const peerCtx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
const edCtx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
const peer = await peerCtx.newPage();
const ed = await edCtx.newPage();
for (const p of [peer, ed]) p.setDefaultTimeout(20000);
const errors = [];
for (const p of [peer, ed]) {
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
}

let shotNo = 0;
const shot = async (page, name) => {
  shotNo += 1;
  await page.screenshot({
    path: path.join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`), fullPage: true,
  });
};

// The review form of the story, once it offers action: a story that is
// not yet in review is taken into review first, as an editor would.
async function reviewForm(ed, slug, action) {
  const form = () => ed.locator(`form[action="/editor/story/${slug}/review"]`);
  const offered = async () => form().locator('select[name="action"] option').evaluateAll(
    (os) => os.map((o) => o.value));
  const opts = await offered();
  if (!opts.includes(action) && opts.includes('in_review')) {
    await form().locator('select[name="action"]').selectOption('in_review');
    await send(ed, form());
  }
  return form();
}

async function axe(page, name) {
  // evaluated through the DevTools protocol, so the page's
  // Content-Security-Policy (no inline script) stays in force for the page
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }));
  const v = result.violations.map((x) =>
    `${x.id} (${x.nodes.length}): ${x.nodes[0].html.slice(0, 120)}`);
  report(`axe_${name}`, v.length === 0, v.join('; '));
}

// go PAGE URL: loads a page of the server; its status
async function go(page, url) {
  const resp = await page.goto(base + url, { waitUntil: 'load' });
  return resp ? resp.status() : 0;
}

// submit PAGE FORM-LOCATOR: clicks the form's submit button, waits for the answer
async function send(page, form) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    form.locator('button[type="submit"]').first().click(),
  ]);
  return resp ? resp.status() : 0;
}

// the text of a page of the server, fetched by the editor's browser
async function fetchText(url) {
  const resp = await ed.request.get(base + url, { failOnStatusCode: false });
  return { status: resp.status(), text: await resp.text() };
}

let slug = '';
let receipt = '';

// build: the editor starts a build in the console and waits (at most 3
// minutes) for it to finish; true when it succeeded
async function build(name) {
  must(`${name}_build_page`, (await go(ed, '/editor/build')) === 200);
  const form = ed.locator('form[action="/editor/build"]');
  must(`${name}_build_form`, (await form.count()) === 1, 'no "Start a build" form');
  await send(ed, form);
  const end = Date.now() + 180000;
  let state = '';
  while (Date.now() < end) {
    await go(ed, '/editor/build');
    state = (await ed.locator('.build-state, [role="status"]').first().textContent()) || '';
    if (!/running/i.test(state) && /finished/i.test(state)) break;
    await ed.waitForTimeout(1000);
  }
  await shot(ed, `${name}-console-build`);
  must(`${name}_build_succeeds`, /succeeded/i.test(state), state.trim());
}

try {
  // ---- the peer: the invitation, the form, the receipt ----------------------
  must('form_opens_from_the_invitation', (await go(peer, invitePath)) === 200);
  await axe(peer, 'submission_form');
  const form = peer.locator('form[action="/submit"]');
  must('one_submission_form', (await form.count()) === 1);
  for (const n of ['consent_site', 'consent_podcast'])
    report(`${n}_not_preticked`, !(await peer.locator(`input[name="${n}"]`).isChecked()));
  await peer.getByLabel(/^Title/).fill(TITLE);
  await peer.locator('textarea[name="text"]').fill(
    'Every morning my neighbour put the kettle on the windowsill so I would know she was up.');
  await peer.locator('textarea[name="summary"]').fill('A small sign between neighbours.');
  await peer.locator('input[name="audio"]').setInputFiles(audioFile);
  await peer.locator('input[name="art"]').setInputFiles(pictureFile);
  await peer.locator('textarea[name="alt"]').fill('A white kettle on a sunny windowsill.');
  await peer.locator('input[name="attribution"][value="pseudonym"]').check();
  await peer.locator('input[name="pseudonym"]').fill('Windowsill');
  await peer.locator('input[name="consent_site"]').check();
  await peer.locator('input[name="consent_podcast"]').check();
  await shot(peer, 'peer-form-filled');
  const sent = await send(peer, form);
  const m = /\/receipt\/([A-Za-z0-9-]+)/.exec(new URL(peer.url()).pathname);
  must('submission_accepted_with_a_receipt', !!m, `status ${sent} at ${peer.url()}`);
  report('receipt_page_shown', sent === 200, `status ${sent}`);
  receipt = m[1];
  const body = await peer.locator('main').textContent();
  report('receipt_shows_the_code', body.replace(/-/g, '').includes(receipt.replace(/-/g, '')),
    'the receipt page does not show its code');
  report('receipt_names_the_story', body.includes(TITLE));
  await shot(peer, 'peer-receipt');
  await axe(peer, 'receipt');

  // ---- the editor: sign in, find it in the queue, ask for a change ---------
  must('signin_page', (await go(ed, '/editor/signin')) === 200);
  await axe(ed, 'console_signin');
  await ed.locator('input[name="name"]').fill(editor);
  await ed.locator('input[name="password"]').fill(password);
  await shot(ed, 'editor-signin');
  await send(ed, ed.locator('form[action="/editor/signin"]'));
  must('signed_in_to_the_queue', new URL(ed.url()).pathname === '/editor', ed.url());
  await axe(ed, 'console_queue');
  const link = ed.locator('a[href^="/editor/story/"]', { hasText: TITLE }).first();
  must('queue_lists_the_story', (await link.count()) === 1);
  slug = (await link.getAttribute('href')).split('/')[3];
  await shot(ed, 'editor-queue');
  await link.click();
  await ed.waitForLoadState('load');
  await axe(ed, 'console_story');
  report('console_plays_the_audio', (await ed.locator('audio').count()) >= 1);
  report('console_shows_the_picture', (await ed.locator('img').count()) >= 1);
  await shot(ed, 'editor-story');
  // the console offers only the moves the workflow allows: a new submission
  // goes into review first
  const review = await reviewForm(ed, slug, 'changes');
  await review.locator('select[name="action"]').selectOption('changes');
  await review.locator('textarea[name="message"]').fill(MESSAGE);
  await review.locator('textarea[name="note"]').fill('Private: a lovely one.');
  must('changes_requested', (await send(ed, review)) < 400, ed.url());
  await shot(ed, 'editor-asked-for-changes');

  // ---- the peer: the message, a revision -----------------------------------
  must('receipt_again', (await go(peer, `/receipt/${receipt}`)) === 200);
  const withMsg = await peer.locator('main').textContent();
  report('peer_sees_the_message', withMsg.includes(MESSAGE));
  report('peer_never_sees_the_private_note', !withMsg.includes('a lovely one'));
  await shot(peer, 'peer-reads-the-message');
  const revise = peer.locator(`form[action="/receipt/${receipt}/revise"]`);
  must('revision_form_offered', (await revise.count()) === 1);
  await revise.locator('input[name="title"]').fill(REVISED);
  await revise.locator('textarea[name="text"]').fill(
    'It was a grey morning in March. Every morning my neighbour put the kettle on the ' +
    'windowsill so I would know she was up, and that morning it was not there.');
  await revise.locator('textarea[name="message"]').fill('I added the morning it happened.');
  must('revision_sent', (await send(peer, revise)) < 400, peer.url());
  await shot(peer, 'peer-sent-a-revision');

  // ---- the editor approves; the peer confirms; the editor publishes ---------
  must('story_page_again', (await go(ed, `/editor/story/${slug}`)) === 200);
  report('editor_sees_the_revision', (await ed.locator('main').textContent()).includes(REVISED));
  const review3 = await reviewForm(ed, slug, 'approve');
  await review3.locator('select[name="action"]').selectOption('approve');
  must('approved', (await send(ed, review3)) < 400, ed.url());
  await shot(ed, 'editor-approved');

  must('receipt_after_approval', (await go(peer, `/receipt/${receipt}`)) === 200);
  const confirm = peer.locator(`form[action="/receipt/${receipt}/confirm"]`);
  must('confirm_form_offered', (await confirm.count()) === 1);
  await shot(peer, 'peer-asked-to-confirm');
  must('peer_confirms', (await send(peer, confirm)) < 400, peer.url());
  await shot(peer, 'peer-confirmed');

  must('story_page_to_publish', (await go(ed, `/editor/story/${slug}`)) === 200);
  const publish = ed.locator(`form[action="/editor/story/${slug}/publish"]`);
  must('publish_form_offered', (await publish.count()) === 1);
  must('published', (await send(ed, publish)) < 400, ed.url());
  await shot(ed, 'editor-published');
  await build('publish');

  // ---- the story on the site and in the feed --------------------------------
  const story = await fetchText(`/stories/${slug}/`);
  must('story_page_on_the_site', story.status === 200 && story.text.includes(REVISED),
    `status ${story.status}`);
  report('site_names_the_pseudonym', story.text.includes('Windowsill'));
  const home = await fetchText('/');
  report('home_links_the_story', home.text.includes(`stories/${slug}/`));
  const feed = await fetchText('/feed.xml');
  report('story_in_the_feed', feed.status === 200 && feed.text.includes(REVISED),
    `status ${feed.status}`);
  await go(peer, `/stories/${slug}/`);
  await shot(peer, 'site-story-published');

  // ---- the peer takes it back; after the next build it is gone --------------
  must('receipt_to_withdraw', (await go(peer, `/receipt/${receipt}`)) === 200);
  await axe(peer, 'receipt_published');
  const withdraw = peer.locator(`form[action="/receipt/${receipt}/withdraw"]`);
  must('withdraw_form_offered', (await withdraw.count()) === 1);
  await withdraw.locator('input[name="channel"][value="all"]').check();
  await shot(peer, 'peer-withdraws');
  must('withdrawn', (await send(peer, withdraw)) < 400, peer.url());
  await shot(peer, 'peer-withdrew');
  await build('withdraw');
  const gone = await fetchText(`/stories/${slug}/`);
  report('story_page_gone', gone.status === 404, `status ${gone.status}`);
  const home2 = await fetchText('/');
  report('home_no_longer_links_it', !home2.text.includes(`stories/${slug}/`));
  const feed2 = await fetchText('/feed.xml');
  report('feed_no_longer_has_it', !feed2.text.includes(REVISED) && !feed2.text.includes(slug));
  await go(ed, `/editor/story/${slug}`);
  await shot(ed, 'editor-sees-it-withdrawn');
  report('no_console_errors', errors.length === 0, errors.join('; '));
} catch (e) {
  if (!(e instanceof Stop)) console.log(`FAIL serve_flow_step: ${String(e).slice(0, 600)}`);
  for (const [p, n] of [[peer, 'stopped-peer'], [ed, 'stopped-editor']])
    await shot(p, n).catch(() => {});
}
clearTimeout(guard);
await browser.close();
