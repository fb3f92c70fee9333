// The booth's ballot time in headless chromium (bench/bench_booth.c): a
// throwaway HTTP server on 127.0.0.1 serves booth_chromium.html, its
// script, MODULE (booth-node.js or booth-node-nowasm.js, never
// served by the board) as booth.js, and the record and credential files;
// Debian's chromium, driven by playwright-core from MODULES (the npm
// modules of tests/browser/package.json), opens the page, which builds
// REPS ballots (booth_chromium_page.js).
//
//   node booth_chromium.mjs MODULES CHROMIUM MODULE RECORD CREDENTIAL CHOICES REPS
//
// The median and fastest times in ms on stdout; exit 1 with the reason on
// stderr.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIMEOUT_MS = 600000; // the fallback's ballots, one after another
const here = dirname(fileURLToPath(import.meta.url));
const [modules, chromiumPath, modulePath, recordPath, credPath, choices, reps] = process.argv.slice(2);

try {
  if (reps === undefined)
    throw new Error('usage: node booth_chromium.mjs MODULES CHROMIUM MODULE RECORD CREDENTIAL CHOICES REPS');
  const files = {
    '/': ['text/html', readFileSync(join(here, 'booth_chromium.html'))],
    '/page.js': ['text/javascript', readFileSync(join(here, 'booth_chromium_page.js'))],
    '/booth.js': ['text/javascript', readFileSync(modulePath)],
    '/record.bin': ['application/octet-stream', readFileSync(recordPath)],
    '/credential.pb': ['application/octet-stream', readFileSync(credPath)],
  };
  const server = createServer((req, res) => {
    const f = files[new URL(req.url, 'http://x').pathname];
    res.writeHead(f ? 200 : 404, { 'Content-Type': f ? f[0] : 'text/plain' });
    res.end(f ? f[1] : 'not found');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { chromium } = createRequire(join(resolve(modules), 'x.js'))('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/?choices=${choices}&reps=${reps}`);
    await page.waitForSelector('#result[data-done]', { state: 'attached', timeout: TIMEOUT_MS });
    const result = await page.textContent('#result');
    if (!/^[0-9.]+ [0-9.]+$/.test(result))
      throw new Error(result);
    console.log(result);
  } finally {
    await browser.close();
    server.close();
  }
} catch (e) {
  console.error(`booth_chromium: ${e.message}`);
  process.exit(1);
}
