// The booth's code under Node.js, for tests/test_vote_booth.c and
// bench/bench_booth.mjs (never served). Loads MODULE (booth-node.js or
// booth-node-nowasm.js: the booth's objects with tests/browser/'s
// fixed-seed ballot builder) and runs one command:
//   node booth_node.mjs MODULE fixed RECORD CREDENTIAL CHOICES SEED_HEX
//       the Ballot built from the record file, the credential file's
//       plaintext, choices ("0,1,0,...") and the seed, in hex on stdout;
//   node booth_node.mjs MODULE bench RECORD CREDENTIAL CHOICES REPS
//       REPS ballots built with fresh randomness (bench/bench_booth.c): the
//       median and fastest times in ms on stdout;
//   node booth_node.mjs MODULE flow BOARD_URL SEALED_CREDENTIAL PASSPHRASE CHOICES
//       the booth's API as a page calls it, against a real board: open,
//       import the sealed credential, build, audit, build, cast, check,
//       with the errors a page words (an unreachable board, a step out of
//       order, choices that break a rule, a wrong passphrase) on the way;
//       each step's JSON result on its own line on stdout.
// Exit status 0, or 1 with the reason on stderr.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const [modulePath, command, ...args] = process.argv.slice(2);
const B = await require(resolve(modulePath))();

// Copy bytes into the module's memory: a malloc'd pointer.
function put(bytes) {
	const p = B._malloc(bytes.length || 1);
	B.HEAPU8.set(bytes, p);
	return p;
}

// The fixed-seed Ballot (tests/browser/booth_fixed.c) in hex.
function fixed(recordPath, credPath, choicesText, seedHex) {
	const record = readFileSync(recordPath);
	const cred = readFileSync(credPath);
	const choices = choicesText.split(',').map(Number);
	const seed = Buffer.from(seedHex, 'hex');
	const c = B._malloc(4 * choices.length);
	B.HEAPU32.set(choices, c >> 2);
	const out = B._malloc(4);
	const why = B._malloc(512);
	const rp = put(record); // taken over by the library
	const cp = put(cred);
	const sp = put(seed);
	const len = B._booth_fixed_ballot(rp, record.length, cp, cred.length, c, choices.length, sp, out, why, 512);
	if (len < 0)
		throw new Error(B.UTF8ToString(why));
	const p = B.HEAPU32[out >> 2];
	return Buffer.from(B.HEAPU8.subarray(p, p + len)).toString('hex');
}

// The median and fastest times of reps ballots (tests/browser/booth_fixed.c).
function bench(recordPath, credPath, choicesText, repsText) {
	const record = readFileSync(recordPath);
	const cred = readFileSync(credPath);
	const choices = choicesText.split(',').map(Number);
	const reps = Number(repsText);
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

// One step of the API (client/wasm/booth_api.c), its JSON result.
async function step(name, types, values) {
	const rc = await B.ccall(name, 'number', types, values, { async: true });
	const result = JSON.parse(B.UTF8ToString(B._booth_result()));
	if (rc !== 0)
		throw new Error(`${name}: ${JSON.stringify(result)}`);
	console.log(JSON.stringify({ step: name, ...result }));
	return result;
}

// A step that must fail with the error kind `kind`.
async function refused(name, types, values, kind) {
	const rc = await B.ccall(name, 'number', types, values, { async: true });
	const result = JSON.parse(B.UTF8ToString(B._booth_result()));
	if (rc === 0 || result.error !== kind)
		throw new Error(`${name}: ${kind} expected, got ${rc} ${JSON.stringify(result)}`);
	console.log(JSON.stringify({ step: name, ...result }));
}

async function flow(board, sealedPath, passphrase, choices) {
	const file = readFileSync(sealedPath).toString('base64');
	await refused('booth_open', ['string', 'string'], ['http://127.0.0.1:9', ''], 'unreachable');
	await refused('booth_build', ['string'], [choices], 'order');
	await step('booth_open', ['string', 'string'], [board, '']);
	await refused('booth_build', ['string'], [choices.replace(/1/g, '0')], 'choices');
	await refused('booth_credential_import', ['string', 'string'], [file, passphrase + '!'], 'passphrase');
	await step('booth_credential_import', ['string', 'string'], [file, passphrase]);
	await step('booth_build', ['string'], [choices]);
	await step('booth_audit', [], []);
	await step('booth_build', ['string'], [choices]);
	const cast = await step('booth_cast', ['number'], [1]);
	await step('booth_check', ['string', 'string'], [board, cast.receipt]);
}

try {
	if (command === 'fixed')
		console.log(fixed(...args));
	else if (command === 'bench')
		console.log(bench(...args).map((x) => x.toFixed(1)).join(' '));
	else if (command === 'flow')
		await flow(...args);
	else
		throw new Error(`unknown command ${command}`);
} catch (e) {
	console.error(`booth_node: ${e.message}`);
	process.exit(1);
}
