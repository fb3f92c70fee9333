// The voter's whole way through the booth in Debian's chromium (specs/
// client.md §9.2), driven by playwright-core, against a real vybar-board
// serving the booth and a real vybar-registrar on 127.0.0.1 (booth_world):
// a wrong code, registration with a code, a choice, one audit, a cast, a
// revote, the check page (superseded, counted), a code used twice, the
// credential file imported in a second browser, a board answering 503, a
// board that is down, a record that does not verify, a cast whose answer
// is lost and sent again, and the fallback without WebAssembly. axe-core checks every step for serious or
// critical violations; every request must stay on the board or the
// registrar, and the content policy must refuse nothing. Each step is
// photographed at 360x640 and 1280x800 into OUT. The receipts and the
// record verify with vybar-verify.
//
//   node booth_e2e.mjs --booth DIR --world PROG --verify PROG --modules DIR
//                      --chromium PROG --out DIR
//
// Exit 0 when all went as it must, 1 on a failure, 77 (skipped) when
// chromium, the npm modules or the booth's build are missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SKIP = 77;
const STEP_TIMEOUT_MS = 120000; // a step may fetch and verify the whole record
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1280, height: 800 };
const PASSPHRASE = 'correct horse battery staple';

const opt = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['booth', 'world', 'verify', 'modules', 'chromium', 'out']) {
  if (!opt[k]) { console.error(`usage: node booth_e2e.mjs --${k} ... (missing)`); process.exit(2); }
}
function skip(why) { console.log(`SKIPPED: ${why}`); process.exit(SKIP); }
if (!existsSync(opt.chromium)) skip(`no chromium at ${opt.chromium} (apt-get install chromium)`);
if (!existsSync(join(opt.modules, 'playwright-core')) || !existsSync(join(opt.modules, 'axe-core')))
  skip(`no playwright-core or axe-core in ${opt.modules} (the build runs npm ci there when npm is installed)`);
for (const f of ['booth.js', 'booth.wasm', 'booth-nowasm.js', 'index.html', 'check.html'])
  if (!existsSync(join(opt.booth, f))) skip(`the booth's build has no ${f} in ${opt.booth} (emscripten: make deps, make build)`);

const require = createRequire(join(resolve(opt.modules), 'x.js'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const en = JSON.parse(readFileSync(join(opt.booth, 'i18n', 'en.json'), 'utf8'));
const be = JSON.parse(readFileSync(join(opt.booth, 'i18n', 'be.json'), 'utf8'));
mkdirSync(opt.out, { recursive: true });

let failures = 0;
function check(ok, what) {
  if (ok) { console.log(`ok: ${what}`); return; }
  failures++;
  console.log(`FAILED: ${what}`);
}
const strip = (s) => String(s).replace(/\{[a-z_]+\}/g, '');

// ---- the election ----
const world = spawn(opt.world, [resolve(opt.booth)], { stdio: ['pipe', 'pipe', 'inherit'] });
const first = await new Promise((res, rej) => {
  const rl = createInterface({ input: world.stdout });
  rl.once('line', res);
  world.once('exit', (c) => rej(new Error(`booth_world exited with ${c}`)));
});
const W = JSON.parse(first);
console.log(`board ${W.board}, registrar ${W.registrar}, ${W.codes.length} codes`);
const allowed = [new URL(W.board).origin, new URL(W.registrar).origin];

const browser = await chromium.launch({
  executablePath: opt.chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run']
});
const shots = [];

// A page that reports any request to another origin and any refusal of the content policy.
async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('request', (r) => {
    const u = new URL(r.url());
    if ((u.protocol === 'http:' || u.protocol === 'https:') && !allowed.includes(u.origin))
      check(false, `a request to another origin: ${r.url()}`);
  });
  page.on('console', (m) => {
    if (/Content Security Policy/.test(m.text())) check(false, `content policy: ${m.text()}`);
  });
  page.on('pageerror', (e) => check(false, `page error: ${e.message}`));
  return page;
}

// Photograph the page at both sizes and check it with axe.
async function step(page, name) {
  for (const [label, size] of [['360x640', PHONE], ['1280x800', DESKTOP]]) {
    await page.setViewportSize(size);
    const path = join(opt.out, `${String(shots.length + 1).padStart(2, '0')}-${name}-${label}.png`);
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  }
  await page.setViewportSize(DESKTOP);
  await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `${name}: no serious or critical accessibility violation` +
        (bad.length ? ': ' + bad.map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(' ')}`).join('; ') : ''));
}

async function visible(page, sel) { await page.locator(sel).waitFor({ state: 'visible' }); }
async function errorText(page) { await visible(page, '#error'); return page.locator('#error-text').innerText(); }

// Choose in every contest: the option at index `which` of each (or the
// first ones the contest's minimum asks for).
async function choose(page, which) {
  const sets = page.locator('#contests fieldset');
  const n = await sets.count();
  for (let i = 0; i < n; i++) {
    const inputs = sets.nth(i).locator('input:not([id^="blank-"])');
    const m = await inputs.count();
    await inputs.nth(Math.min(which, m - 1)).check();
  }
  await page.locator('#choice-form button[type=submit]').click();
  await visible(page, '#step-decide');
  return (await page.locator('#decide-code').innerText()).trim();
}

async function keptReceipts(page) {
  return page.evaluate(() => {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (/\/receipts$/.test(k)) out.push(...JSON.parse(localStorage.getItem(k)));
    }
    return out;
  });
}

try {
  const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', acceptDownloads: true });
  const page = await newPage(ctx);

  // 1. The election as the manifest states it.
  await page.goto(`${W.board}/booth/`);
  await visible(page, '#election');
  const fp = (await page.locator('#election-fingerprint').innerText()).replace(/\s/g, '');
  // The election's own texts: the manifest's default in English.
  check((await page.locator('#election-title').innerText()) === 'Test election', 'the election title, in English');
  check(/^[0-9a-f]{64}$/.test(fp), `the election's fingerprint is shown (${fp.slice(0, 16)}…)`);
  await visible(page, '#register-form');
  await step(page, 'election');

  // 2. A wrong code: a clear message, nothing kept.
  // A code of the roll's form that is not on the roll: the last code, its last character changed.
  const last = W.codes[W.codes.length - 1];
  const wrong = last.slice(0, -1) + (last.slice(-1) === 'A' ? 'B' : 'A');
  await page.fill('#reg-code', wrong);
  await page.fill('#reg-pass', PASSPHRASE);
  await page.fill('#reg-pass2', PASSPHRASE);
  await page.locator('#register-form button[type=submit]').click();
  let msg = await errorText(page);
  check(msg === en['error.code_unknown'], `a wrong code says so: "${msg}"`);
  await step(page, 'wrong-code');

  // The switch of language redraws the message, in Belarusian.
  await page.selectOption('#lang', 'be');
  await page.waitForFunction(() => document.documentElement.lang === 'be');
  msg = await page.locator('#error-text').innerText();
  check(msg === be['error.code_unknown'], `the same message in Belarusian: "${msg}"`);
  // ... and the election's title, translated in the manifest (protocol.md §3.7).
  msg = await page.locator('#election-title').innerText();
  check(msg === 'Testavyja vybary', `the election title in Belarusian: "${msg}"`);
  await step(page, 'wrong-code-be');
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  // 3. Registration with a code: the credential kept only sealed.
  await page.fill('#reg-code', W.codes[0]);
  await page.fill('#reg-pass', PASSPHRASE);
  await page.fill('#reg-pass2', PASSPHRASE);
  await page.locator('#register-form button[type=submit]').click();
  await visible(page, '#step-choice');
  const stored = await page.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (/\/credential$/.test(k)) return localStorage.getItem(k);
    }
    return null;
  });
  check(stored !== null && atob(stored).startsWith('VYBAR-CREDENTIAL/1'), 'the credential is stored sealed (VYBAR-CREDENTIAL/1)');
  check(!JSON.stringify(await page.evaluate(() => ({ ...localStorage }))).includes(W.codes[0]), 'the code is not stored');
  await step(page, 'registered');
  const credDl = await Promise.all([page.waitForEvent('download'), page.click('#credential-download')]);
  const credFile = join(opt.out, 'credential.txt');
  await credDl[0].saveAs(credFile);
  check(readFileSync(credFile).subarray(0, 18).toString() === 'VYBAR-CREDENTIAL/1', 'the credential file offered is the sealed file');

  // 4. The choice, the tracking code, an audit.
  const audited = await choose(page, 0);
  check(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(audited), `a tracking code before the decision: ${audited}`);
  await step(page, 'tracking-code');
  await page.click('#audit');
  await visible(page, '#step-audited');
  check((await page.locator('#audited-code').innerText()).trim() === audited, 'the audited ballot keeps its tracking code');
  const onBoard = await (await fetch(`${W.board}/v1/receipts/${audited}`)).json();
  check(onBoard.type === 'audited-ballot' || JSON.stringify(onBoard).includes('audited'), 'the board holds it as an audited ballot');
  await step(page, 'audited');

  // 5. Cast (with the earliest cast time waived, as vybar-vote --cast-now).
  await page.click('#vote-again-audit');
  const cast1 = await choose(page, 0);
  check(cast1 !== audited, 'a new ballot after the audit: a new tracking code');
  await page.check('#cast-now');
  await page.click('#cast');
  await visible(page, '#step-cast');
  check((await page.locator('#cast-code').innerText()).trim() === cast1, 'cast: its receipt names its tracking code');
  await step(page, 'cast');
  const dl = await Promise.all([page.waitForEvent('download'), page.click('#receipt-download')]);
  const receiptFile = join(opt.out, 'receipt-1.bin');
  await dl[0].saveAs(receiptFile);
  let v = spawnSync(opt.verify, ['receipt', '--receipt', receiptFile, W.board], { encoding: 'utf8' });
  check(v.status === 0, `vybar-verify receipt: the downloaded receipt verifies (${(v.stdout + v.stderr).trim().split('\n').pop()})`);

  // 6. A revote, whose answer is lost once: kept, sent again, never dropped.
  await page.click('#vote-again');
  const cast2 = await choose(page, 1);
  check(await page.locator('#decide-revote').isVisible(), 'the booth says the new ballot replaces the earlier one');
  let lost = 0;
  await page.route('**/v1/ballots', (route) => { lost++; return route.abort('connectionreset'); });
  await page.click('#cast');
  await visible(page, '#step-pending');
  check(lost > 0 && (await page.locator('#pending-code').innerText()).trim() === cast2, 'no receipt: the ballot is kept and said to be pending');
  await step(page, 'no-receipt');
  await page.unroute('**/v1/ballots');
  await page.click('#retry-cast');
  await visible(page, '#step-cast');
  check((await page.locator('#cast-code').innerText()).trim() === cast2, 'sent again: the same ballot, with its receipt');
  check(await page.evaluate(() => Object.keys(localStorage).filter((k) => /\/pending$/.test(k)).length) === 0,
        'nothing left pending');

  // 7. The check page: superseded, counted.
  await page.goto(`${W.board}/booth/check.html`);
  await page.locator('#kept li').first().waitFor({ state: 'visible' });
  const kept = await keptReceipts(page);
  check(kept.length === 2, `two receipts kept in the browser (${kept.length})`);
  const items = page.locator('#kept li');
  for (let i = 0; i < (await items.count()); i++) {
    const code = (await items.nth(i).locator('.mono').innerText()).trim();
    await items.nth(i).locator('button').click();
    await page.locator('#outcome.counted, #outcome.superseded, #outcome.missing').waitFor();
    const out = await page.locator('#outcome').innerText();
    if (code === cast1) check(out.startsWith('Superseded'), `the first cast ballot is superseded: "${out}"`);
    if (code === cast2) check(out.startsWith('Counted'), `the revote is counted: "${out}"`);
  }
  await step(page, 'check');

  // 8. A board that answers 503: a clear message, nothing lost.
  await page.route('**/v1/record*', (route) => route.fulfill({ status: 503, headers: { 'Retry-After': '0' }, body: 'busy' }));
  await items.nth(0).locator('button').click();
  msg = await errorText(page);
  check(msg.startsWith(strip(en['error.busy']).slice(0, 20)), `a board answering 503: "${msg}"`);
  await step(page, 'board-busy');
  await page.unroute('**/v1/record*');

  // A board that is down.
  await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
  await page.locator('#error').evaluate((e) => { e.hidden = true; });
  await items.nth(0).locator('button').click();
  msg = await errorText(page);
  check(msg === en['error.unreachable'], `a board that is down: "${msg}"`);
  await page.unroute('**/v1/**');

  // 9. A record that does not verify.
  await page.route('**/v1/record*', async (route) => {
    const r = await route.fetch();
    const body = Buffer.from(await r.body());
    if (body.length > 200) body[body.length - 100] ^= 1;
    return route.fulfill({ response: r, body });
  });
  await page.locator('#error').evaluate((e) => { e.hidden = true; });
  await items.nth(1).locator('button').click();
  msg = await errorText(page);
  check(msg === en['error.record'] || msg === en['error.check_missing'], `a record that does not verify: "${msg}"`);
  await page.unroute('**/v1/record*');

  // 10. The same code again, in another browser: already used.
  const ctx2 = await browser.newContext({ viewport: PHONE, locale: 'ru-RU' });
  const page2 = await newPage(ctx2);
  await page2.goto(`${W.board}/booth/`);
  await page2.waitForFunction(() => document.documentElement.lang !== 'en' || document.getElementById('lang').value !== 'be');
  check(await page2.evaluate(() => document.documentElement.lang) === 'ru', 'a Russian browser gets the booth in Russian');
  await visible(page2, '#register-form');
  await page2.selectOption('#lang', 'en');
  await page2.waitForFunction(() => document.documentElement.lang === 'en');
  await page2.fill('#reg-code', W.codes[0]);
  await page2.fill('#reg-pass', PASSPHRASE);
  await page2.fill('#reg-pass2', PASSPHRASE);
  await page2.locator('#register-form button[type=submit]').click();
  msg = await errorText(page2);
  check(msg === en['error.code_used'], `a code used already says so: "${msg}"`);
  await step(page2, 'code-used');
  // The credential file brought from the first browser, with its passphrase.
  await page2.setInputFiles('#import-file', credFile);
  await page2.fill('#import-pass', PASSPHRASE);
  await page2.locator('#import-form button[type=submit]').click();
  await visible(page2, '#step-choice');
  check(true, 'the credential file imported on another device opens with its passphrase');
  await step(page2, 'imported');
  await ctx2.close();

  // 11. Back in the first browser: the credential unlocks with the passphrase.
  await page.goto(`${W.board}/booth/`);
  await visible(page, '#unlock-form');
  await page.fill('#unlock-pass', 'not the passphrase');
  await page.locator('#unlock-form button[type=submit]').click();
  msg = await errorText(page);
  check(msg === en['error.passphrase'], `a wrong passphrase says so: "${msg}"`);
  await page.fill('#unlock-pass', PASSPHRASE);
  await page.locator('#unlock-form button[type=submit]').click();
  await visible(page, '#step-choice');
  await step(page, 'unlocked');
  await ctx.close();

  // 12. Without WebAssembly: booth-nowasm.js opens the election.
  const ctx3 = await browser.newContext({ viewport: PHONE });
  await ctx3.addInitScript(() => { delete globalThis.WebAssembly; });
  const page3 = await newPage(ctx3);
  let nowasm = false;
  page3.on('request', (r) => { if (r.url().endsWith('/booth-nowasm.js')) nowasm = true; });
  await page3.goto(`${W.board}/booth/`);
  await visible(page3, '#election');
  check(nowasm, 'without WebAssembly the booth loads booth-nowasm.js and opens the election');
  await step(page3, 'no-wasm');
  await ctx3.close();

  // 13. Every ballot cast from the browser verifies with the record.
  v = spawnSync(opt.verify, ['record', '--partial-ok', W.board], { encoding: 'utf8' });
  check(v.status === 0, `vybar-verify record --partial-ok: the record with the browser's ballots verifies (exit ${v.status})`);
  if (v.status !== 0) console.log(v.stdout + v.stderr);
} catch (e) {
  check(false, `the way through the booth: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
  world.stdin.end('stop\n');
  await new Promise((res) => world.once('exit', res));
}

console.log(`screenshots (${shots.length}): ${resolve(opt.out)}`);
console.log(failures ? `${failures} check(s) FAILED` : 'all checks passed');
process.exit(failures ? 1 : 0);
