// The browser check of the demo's lesson page, run by scripts/check_lesson_page.sh
// (which installs Chromium and playwright-core). Uses the page as a person would
// and exits non-zero with a message on the first failure.
//
//   node scripts/check_lesson_page.mjs --page FILE [--hostile FILE] [--screenshot PNG]
//
// LESSON_CHECK_DIR names the folder whose node_modules holds playwright-core.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.page) fail('usage: check_lesson_page.mjs --page FILE [--hostile FILE] [--screenshot PNG]');
const dir = process.env.LESSON_CHECK_DIR || path.resolve('target/lesson-check');
const { chromium } = createRequire(path.join(dir, 'package.json'))('playwright-core');

const profiles = []; // fresh Chromium profiles, removed however the check ends
process.on('exit', () => profiles.forEach((p) => fs.rmSync(p, { recursive: true, force: true })));
function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exit(1);
}
function ok(msg) { console.log('  ok  ' + msg); }
function check(cond, msg) { if (!cond) throw new Error(msg); }

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function open(file, viewport) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'w2v-lesson-'));
  profiles.push(profile);
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS, viewport,
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  const url = pathToFileURL(path.resolve(file)).href;
  const problems = [], requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('failed request: ' + r.url()));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#map-trained g[data-word], #error:not([hidden])', { state: 'attached', timeout: 10000 });
  const error = await page.$eval('#error', (e) => (e.hidden ? '' : e.textContent));
  check(!error, file + ' shows an error: ' + error + ' ' + problems.join('; '));
  await page.waitForTimeout(250); // the first resize redraw
  const close = () => ctx.close();
  return { page, url, problems, requests, close };
}

function noProblems(s, what) {
  check(s.problems.length === 0, what + ': ' + s.problems.join('; '));
  const others = s.requests.filter((u) => u !== s.url);
  check(others.length === 0, what + ' made network requests: ' + others.join(', '));
}

// Positions (screen units) of `words` in map `id`, from each word's data-x/data-y.
const positions = (page, id) => page.evaluate((id) => {
  const out = {};
  for (const g of document.querySelectorAll('#' + id + ' g[data-word]')) {
    out[g.getAttribute('data-word')] = [Number(g.getAttribute('data-x')), Number(g.getAttribute('data-y'))];
  }
  return out;
}, id);
const text = (page, sel) => page.$eval(sel, (n) => n.textContent);
const value = (page) => page.$eval('#timeline', (n) => Number(n.value));
function moved(a, b, words) {
  return words.filter((w) => Math.hypot(a[w][0] - b[w][0], a[w][1] - b[w][1]) > 0.5).length;
}
function spread(pos) {
  const xs = Object.values(pos).map((p) => p[0]), ys = Object.values(pos).map((p) => p[1]);
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
}

async function main() {
  console.log('lesson page: ' + args.page);
  const s = await open(args.page, { width: 1280, height: 800 });
  const { page } = s;
  const data = await page.evaluate(() => JSON.parse(document.getElementById('lesson-data').textContent));
  const n = data.words.length, last = data.checkpoints.length - 1;
  noProblems(s, 'loading');
  ok('loads from file:// with no console error, no page error and no network request');

  for (const id of ['map-trained', 'map-closed', 'map-analogy']) {
    const got = Object.keys(await positions(page, id));
    const missing = data.words.filter((w) => !got.includes(w));
    check(got.length === n && missing.length === 0, '#' + id + ' lacks ' + missing.slice(0, 5).join(', '));
    const labels = await page.$$eval('#' + id + ' g[data-word] text', (ts) => ts.map((t) => t.textContent));
    check(labels.every((l, i) => l === data.words[i]), '#' + id + ': a label differs from its word');
  }
  ok('all ' + n + ' words are drawn, labelled, in #map-trained, #map-closed and #map-analogy');

  const slider = page.locator('#timeline');
  check(Number(await slider.getAttribute('max')) === last, 'the slider does not span the checkpoints');
  check((await value(page)) === last, 'the page does not open on the last checkpoint');
  const few = data.words.slice(0, 6);
  const atEnd = await positions(page, 'map-trained');
  const endLabel = await text(page, '#checkpoint-label'), endLoss = await text(page, '#loss-value');
  await slider.focus();
  await page.keyboard.press('Home');
  const atStart = await positions(page, 'map-trained');
  const startLabel = await text(page, '#checkpoint-label'), startLoss = await text(page, '#loss-value');
  check((await value(page)) === 0, 'Home on the slider did not go to checkpoint 0');
  check(moved(atEnd, atStart, few) >= 3, 'the words did not move between the last and the first checkpoint');
  check(startLabel !== endLabel && startLabel.includes('checkpoint 1 of ' + (last + 1)), 'checkpoint label: ' + startLabel);
  check(startLoss !== endLoss, 'the loss readout did not change');
  ok('keyboard on the slider: last -> first checkpoint, ' + few.join(', ') + ' moved; "' +
    endLabel + '" / "' + endLoss + '" -> "' + startLabel + '" / "' + startLoss + '"');

  const steps = Math.max(1, Math.round(last / 3));
  for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowRight');
  check((await value(page)) === steps, 'ArrowRight x' + steps + ' gave ' + (await value(page)));
  const third = await positions(page, 'map-trained');
  const markerAt = (id) => page.$eval('#' + id + ' line.marker', (l) => Number(l.getAttribute('x1')));
  const m1 = await markerAt('loss-chart'), sv1 = await markerAt('sv-chart');
  check(moved(atStart, third, few) >= 1 || moved(atEnd, third, few) >= 1, 'no word moved at checkpoint ' + steps);
  ok('ArrowRight x' + steps + ': checkpoint ' + steps + ', "' + (await text(page, '#loss-value')) + '"');

  const box = await slider.boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  const dragged = await value(page);
  check(Math.abs(dragged - 0.8 * last) <= 0.1 * last + 1, 'a mouse drag to 80% gave checkpoint ' + dragged);
  check((await markerAt('loss-chart')) > m1 && (await markerAt('sv-chart')) > sv1, 'the chart markers did not follow');
  ok('mouse drag on the slider to 80%: checkpoint ' + dragged + ', loss and singular-value markers moved right');

  const svPaths = await page.$$eval('#sv-chart path.sv-line', (ps) => ps.filter((p) => p.getAttribute('d')).length);
  const svCount = Math.max(...data.checkpoints.map((c) => c.singular_values.length));
  check(svPaths === svCount, svPaths + ' singular-value curves for ' + svCount + ' values');
  check(await page.$eval('#loss-chart path.loss-line', (p) => p.getAttribute('d').length > 20), 'no loss curve');
  ok('loss curve and ' + svCount + ' singular-value curves drawn');

  await page.keyboard.press('Home');
  const unzoomed = spread(await positions(page, 'map-trained'));
  await page.click('#zoom');
  const zoomed = spread(await positions(page, 'map-trained'));
  check(zoomed >= unzoomed - 0.5, 'zoom to fit shrank the first checkpoint');
  await page.click('#zoom');
  ok('zoom to fit at checkpoint 1: spread ' + unzoomed.toFixed(1) + ' -> ' + zoomed.toFixed(1) + ' px');

  // Played with zoom to fit on, so that even sub-pixel early motion shows.
  await page.click('#zoom');
  const zoomStart = await positions(page, 'map-trained');
  await page.click('#play');
  check((await page.getAttribute('#play', 'data-playing')) === 'true', 'Play did not start');
  await page.waitForTimeout(1200);
  const playedTo = await value(page);
  check(playedTo > 0, 'Play did not advance the timeline (still at 0 after 1.2 s)');
  check(moved(zoomStart, await positions(page, 'map-trained'), data.words) >= 1, 'no word moved while playing');
  check((await text(page, '#checkpoint-label')) !== startLabel, 'the checkpoint label did not change while playing');
  await page.click('#play');
  const paused = await value(page);
  await page.waitForTimeout(400);
  check((await value(page)) === paused, 'Pause did not stop the timeline');
  await page.click('#zoom');
  ok('Play advanced 0 -> ' + playedTo + ' in 1.2 s (' + (await text(page, '#checkpoint-label')) + '), words moved; Pause holds');

  const items = await page.$$eval('#analogy-list button', (bs) => bs.map((b) => b.getAttribute('data-landed')));
  check(items.length === data.analogies.length, items.length + ' analogies listed of ' + data.analogies.length);
  check(items.every((l, i) => l === String(data.analogies[i].landed)), 'a listed verdict differs from the data');
  if (items.length > 1) {
    await page.click('#analogy-list li:nth-child(2) button');
    check((await page.$$('#map-analogy line.arrow')).length === 2, 'one analogy should draw two arrows');
    await page.click('#analogy-all');
    check((await page.$$('#map-analogy line.arrow')).length === 2 * items.length, 'show all: wrong arrow count');
  }
  const landed = data.analogies.filter((a) => a.landed).length;
  ok(items.length + ' analogies listed (' + landed + ' land), arrows drawn for one and for all');

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the page is ' + overflow + ' px wider than a 1280 px window');
  noProblems(s, 'using the page');
  await s.close();

  const shot = await open(args.page, { width: 1280, height: 800 });
  fs.mkdirSync(path.dirname(path.resolve(args.screenshot || 'lesson.png')), { recursive: true });
  await shot.page.screenshot({ path: args.screenshot || 'lesson.png' });
  await shot.close();
  ok('screenshot 1280x800: ' + (args.screenshot || 'lesson.png'));

  const narrow = await open(args.page, { width: 390, height: 844 });
  const nOver = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const mapW = await narrow.page.$eval('#map-trained', (m) => m.getBoundingClientRect().width);
  check(nOver <= 0, 'at 390 px the page scrolls sideways by ' + nOver + ' px');
  check(mapW >= 300, 'at 390 px the map is only ' + mapW + ' px wide');
  noProblems(narrow, 'a 390 px window');
  await narrow.close();
  ok('a 390 px window: one column, no sideways scroll, map ' + Math.round(mapW) + ' px wide');

  if (args.hostile) {
    const h = await open(args.hostile, { width: 1280, height: 800 });
    const words = await h.page.evaluate(() => JSON.parse(document.getElementById('lesson-data').textContent).words);
    const evil = words.find((w) => w.includes('</script>'));
    check(evil, 'the hostile page has no hostile word');
    const shown = await h.page.$$eval('#map-trained g[data-word] text', (ts) => ts.map((t) => t.textContent));
    check(shown.includes(evil), 'the hostile word is not shown as text');
    const listed = await h.page.$eval('#analogy-list', (l) => l.textContent);
    check(listed.includes(evil), 'the hostile word is not in the analogy list as text');
    check((await h.page.$$('img')).length === 0, 'the hostile word became an element');
    check(!(await h.page.title()).includes('pwned'), 'the hostile word ran code');
    noProblems(h, 'the hostile page');
    await h.close();
    ok('hostile page: ' + JSON.stringify(evil) + ' shown as text, no element made, no code run');
  }
  console.log('lesson page check: all passed');
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
