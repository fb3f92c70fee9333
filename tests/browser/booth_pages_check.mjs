// The booth's pages without a browser (specs/client.md §9.2), under plain
// Node.js: every text in every catalogue (be, ru, en) with the same
// {fields}; every key the pages and scripts use is in the catalogues; no
// inline script, inline style or event attribute (the content policy
// forbids them: board-api.md §5.1); no address of another site.
//
//   node booth_pages_check.mjs PAGES_DIR
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node booth_pages_check.mjs PAGES_DIR');
  process.exit(2);
}
const LANGS = ['be', 'ru', 'en'];
const problems = [];
const fail = (msg) => problems.push(msg);

const cat = {};
for (const l of LANGS) cat[l] = JSON.parse(readFileSync(join(dir, 'i18n', l + '.json'), 'utf8'));
const fields = (s) => [...String(s).matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]).sort().join(',');

// The same keys everywhere, each a text with the same fields, translated.
for (const l of LANGS) {
  for (const k of Object.keys(cat.en)) {
    if (typeof cat[l][k] !== 'string' || cat[l][k].trim() === '') fail(`${l}.json: no text for ${k}`);
    else if (fields(cat[l][k]) !== fields(cat.en[k]))
      fail(`${l}.json: ${k} has fields {${fields(cat[l][k])}}, en.json {${fields(cat.en[k])}}`);
    else if (l !== 'en' && cat[l][k] === cat.en[k] && /[a-z]{3}/.test(cat.en[k].replace(/\{[a-z_]+\}/g, '')))
      fail(`${l}.json: ${k} is not translated`);
  }
  for (const k of Object.keys(cat[l])) if (!(k in cat.en)) fail(`${l}.json: ${k} is not in en.json`);
}

const files = readdirSync(dir);
const used = new Set();
const KEY = /^(lang|nav|booth|footer|busy|election|phase|credential|choice|rule|decide|audited|cast|pending|check|error)\.[a-z_]+$/;

for (const f of files.filter((n) => n.endsWith('.html'))) {
  const html = readFileSync(join(dir, f), 'utf8');
  for (const m of html.matchAll(/data-i18n(?:-aria)?="([^"]*)"/g)) used.add(m[1]);
  for (const m of html.matchAll(/<script\b([^>]*)>/g)) if (!/\bsrc=/.test(m[1])) fail(`${f}: an inline script`);
  if (/<style\b/i.test(html)) fail(`${f}: an inline style sheet`);
  if (/\sstyle=/i.test(html)) fail(`${f}: a style attribute`);
  if (/\son[a-z]+=/i.test(html)) fail(`${f}: an event attribute`);
  if (/<(input|select|textarea)\b/.test(html)) {
    for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*\bid="([^"]+)"/g))
      if (!html.includes(`for="${m[2]}"`)) fail(`${f}: the field ${m[2]} has no label`);
  }
}
for (const f of files.filter((n) => n.endsWith('.js') && !n.startsWith('booth'))) {
  const js = readFileSync(join(dir, f), 'utf8');
  for (const m of js.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) if (KEY.test(m[1]) && !/\.(js|json|html|css|wasm)$/.test(m[1])) used.add(m[1]);
  const known = /var known = \[([^\]]*)\]/.exec(js);
  if (known) for (const m of known[1].matchAll(/'([a-z_]+)'/g)) used.add('error.' + m[1]);
  const phases = /var PHASES = \[([^\]]*)\]/.exec(js);
  if (phases) for (const m of phases[1].matchAll(/'([a-z_]+)'/g)) used.add('phase.' + m[1]);
}
for (const f of files.filter((n) => /\.(html|js|css|json)$/.test(n) && !n.startsWith('booth'))) {
  const text = readFileSync(join(dir, f), 'utf8');
  for (const m of text.matchAll(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)) fail(`${f}: an address of another site: ${m[0]}`);
}
for (const k of used) if (!(k in cat.en)) fail(`the key ${k} is used but not in the catalogues`);
for (const k of Object.keys(cat.en)) if (!used.has(k)) fail(`en.json: ${k} is never used`);

if (problems.length) {
  for (const p of problems) console.error('booth pages: ' + p);
  process.exit(1);
}
console.log(`booth pages: ${Object.keys(cat.en).length} texts in ${LANGS.join(', ')}; ${used.size} used; no inline script or style, no other site`);
