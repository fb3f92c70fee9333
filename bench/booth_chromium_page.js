// The page of bench/booth_chromium.mjs (served as page.js, never by the
// board): loads the booth's benchmark module (booth.js: booth-node.js
// or booth-node-nowasm.js), fetches record.bin and credential.pb,
// builds ?reps= ballots with ?choices= and fresh randomness
// (tests/browser/booth_fixed.c), and writes "MEDIAN FASTEST" in ms, or
// "error: WHY", into #result, then sets its data-done.
'use strict';

// The bytes of a file served next to the page.
async function bytes(name) {
  const r = await fetch(name);
  if (!r.ok)
    throw new Error(`${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

// The median and fastest times of reps ballots.
async function bench() {
  const q = new URLSearchParams(location.search);
  const choices = q.get('choices').split(',').map(Number);
  const reps = Number(q.get('reps'));
  const record = await bytes('record.bin');
  const cred = await bytes('credential.pb');
  const B = await VybarBooth();
  const put = (b) => {
    const p = B._malloc(b.length || 1);
    B.HEAPU8.set(b, p);
    return p;
  };
  const c = B._malloc(4 * choices.length);
  B.HEAPU32.set(choices, c >> 2);
  const times = B._malloc(8 * reps);
  const why = B._malloc(512);
  if (B._booth_fixed_times(put(record), record.length, put(cred), cred.length, c, choices.length, times, reps,
                           why, 512) < 0)
    throw new Error(B.UTF8ToString(why));
  const t = Array.from(B.HEAPF64.subarray(times >> 3, (times >> 3) + reps)).sort((a, b) => a - b);
  return [(t[(reps - 1) >> 1] + t[reps >> 1]) / 2, t[0]];
}

(async () => {
  const out = document.getElementById('result');
  try {
    out.textContent = (await bench()).map((x) => x.toFixed(1)).join(' ');
  } catch (e) {
    out.textContent = `error: ${e.message}`;
  }
  out.dataset.done = '1';
})();
