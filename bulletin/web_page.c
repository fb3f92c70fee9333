/*
 * The board's read-only web page (GET /) and its script (GET /app.js):
 * plain HTML and a little JavaScript, for people without the command-line
 * tools (specs/board-api.md "Web page"). It only reads the board's JSON
 * endpoints; every text from the board is inserted as text, never as HTML.
 *
 * A tracking code in the address's fragment (#7K2Q-0ZRD-M4XW-9HCT) is
 * looked up as soon as the page loads, so a link can be shared or opened
 * by a headless browser. A fragment never reaches the board; a query
 * (?code=...) would, with the request for the page itself, so the page
 * does not read one, and no link of that form should be made. The input
 * field has no name, so that the form, submitted without the script,
 * sends no code either.
 *
 * The lookup never sends the code: the script asks for every code under a
 * prefix of it (GET /v1/codes/<prefix>, board-api.md §4) and looks for the
 * code in that list itself. It chooses the prefix length from the status
 * counts by the rule of bulletin/codes.h (vyb_lookup_prefix_len), written
 * here in JavaScript from the same constants as function prefixLength,
 * which the tests run against the C rule.
 */
#include "bulletin/http.h"
#include "protocol/vy_api.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char vyb_web_page_html[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>Vybar bulletin board</title>\n"
	"<style>\n"
	"body{font-family:sans-serif;max-width:46em;margin:1em auto;padding:0 1em;line-height:1.4}\n"
	"input{font-family:monospace;font-size:1.1em;width:13em}\n"
	"table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}\n"
	".found{color:#064}.missing{color:#a00}\n"
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<h1>Vybar bulletin board</h1>\n"
	"<p id=\"status\">Loading the board's status&hellip;</p>\n"
	"<h2>Is my ballot on the board?</h2>\n"
	"<form id=\"lookup-form\">\n"
	"<label for=\"code\">Tracking code</label>\n"
	"<input id=\"code\" placeholder=\"7K2Q-0ZRD-M4XW-9HCT\" autocomplete=\"off\">\n"
	"<button type=\"submit\">Look up</button>\n"
	"</form>\n"
	"<p id=\"lookup\"></p>\n"
	"<h2>Result</h2>\n"
	"<div id=\"result\">Not published yet.</div>\n"
	"<p><small>The whole record: <a href=\"" VY_PATH_RECORD "\">" VY_PATH_RECORD "</a>. Verify it yourself with "
	"<code>vybar-verify</code>.</small></p>\n"
	"<script src=\"" VY_PATH_SCRIPT "\"></script>\n"
	"</body>\n"
	"</html>\n";

const char vyb_web_page_js[] =
	"'use strict';\n"
	"function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; "
	"return e; }\n"
	"function get(url) {\n"
	"  /* Synchronous, so that the page is complete when it has loaded. */\n"
	"  var x = new XMLHttpRequest();\n"
	"  x.open('GET', url, false);\n"
	"  try { x.send(); } catch (e) { return { status: 0, body: null }; }\n"
	"  var body = null;\n"
	"  try { body = JSON.parse(x.responseText); } catch (e) { body = null; }\n"
	"  return { status: x.status, body: body, text: x.responseText };\n"
	"}\n"
	"/* The prefix length for a record of n codes: the largest p <= " STR(VY_CODE_PREFIX_MAX) " such that\n"
	"   n / 32^p >= " STR(VY_LOOKUP_MIN_SET) ", at least 1 (bulletin/codes.h). */\n"
	"function prefixLength(n) {\n"
	"  var p = 1;\n"
	"  while (p < " STR(VY_CODE_PREFIX_MAX) " && n / Math.pow(32, p + 1) >= " STR(VY_LOOKUP_MIN_SET) ") p++;\n"
	"  return p;\n"
	"}\n"
	"/* The line of code in the list of the codes under its prefix, or null. */\n"
	"function findCode(text, code) {\n"
	"  var lines = text.split('\\n');\n"
	"  for (var i = 0; i < lines.length; i++) {\n"
	"    var f = lines[i].split(' ');\n"
	"    if (f.length === 3 && f[0] === code) return { seq: f[1], type: f[2] };\n"
	"  }\n"
	"  return null;\n"
	"}\n"
	"function normalise(code) {\n"
	"  code = code.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');\n"
	"  if (code.length !== 16) return null;\n"
	"  return code.slice(0, 4) + '-' + code.slice(4, 8) + '-' + code.slice(8, 12) + '-' + code.slice(12);\n"
	"}\n"
	"function lookup(raw) {\n"
	"  var out = document.getElementById('lookup');\n"
	"  var code = normalise(raw);\n"
	"  out.className = 'missing';\n"
	"  if (code === null) { out.textContent = 'A tracking code has 16 characters, e.g. 7K2Q-0ZRD-M4XW-9HCT.'; "
	"return; }\n"
	"  document.getElementById('code').value = code;\n"
	"  /* Only a prefix leaves the page: the board never learns the code. */\n"
	"  var st = get('" VY_PATH_STATUS "'), n = 0;\n"
	"  if (st.status === 200 && st.body) n = Number(st.body.ballots_received) + Number(st.body.audited_ballots);\n"
	"  var prefix = code.replace(/-/g, '').slice(0, prefixLength(n));\n"
	"  var r = get('" VY_PATH_CODES "' + prefix);\n"
	"  var hit = r.status === 200 ? findCode(r.text, code) : null;\n"
	"  if (hit) {\n"
	"    out.className = 'found';\n"
	"    out.textContent = 'Found: ballot ' + code + ' is on the board at entry ' + hit.seq +\n"
	"      (hit.type === 'audited-ballot' ? ' (an audited ballot: it is not counted).' : '.');\n"
	"  } else if (r.status === 200) {\n"
	"    out.textContent = 'Not found: no ballot with tracking code ' + code + ' is on the board.';\n"
	"  } else {\n"
	"    out.textContent = 'The board did not answer (' + r.status + '). Try again later.';\n"
	"  }\n"
	"}\n"
	"function showStatus() {\n"
	"  var r = get('" VY_PATH_STATUS "'), p = document.getElementById('status');\n"
	"  if (r.status !== 200 || !r.body) { p.textContent = 'The board did not answer.'; return; }\n"
	"  p.textContent = 'Election ' + r.body.election_id + ': phase ' + r.body.phase + ', ' + r.body.entries +\n"
	"    ' entries, ' + r.body.ballots_received + ' ballots received.';\n"
	"}\n"
	"function showResult() {\n"
	"  var r = get('" VY_PATH_RESULT "'), div = document.getElementById('result');\n"
	"  if (r.status !== 200 || !r.body || !r.body.published) return;\n"
	"  div.textContent = '';\n"
	"  r.body.contests.forEach(function (c) {\n"
	"    div.appendChild(el('h3', c.title));\n"
	"    var t = el('table'), head = el('tr');\n"
	"    var lists = c.lists.length > 0;\n"
	"    (lists ? ['List', 'Votes', 'Seats', 'Elected'] : ['Option', 'Votes']).forEach(function (h) "
	"{ head.appendChild(el('th', h)); });\n"
	"    t.appendChild(head);\n"
	"    (lists ? c.lists : c.options).forEach(function (o) {\n"
	"      var tr = el('tr');\n"
	"      tr.appendChild(el('td', o.name));\n"
	"      tr.appendChild(el('td', String(lists ? o.votes : o.count)));\n"
	"      if (lists) { tr.appendChild(el('td', String(o.seats))); tr.appendChild(el('td', o.elected.join(', '))); }\n"
	"      t.appendChild(tr);\n"
	"    });\n"
	"    div.appendChild(t);\n"
	"  });\n"
	"}\n"
	"document.getElementById('lookup-form').addEventListener('submit', function (ev) {\n"
	"  ev.preventDefault();\n"
	"  lookup(document.getElementById('code').value);\n"
	"});\n"
	"showStatus();\n"
	"showResult();\n"
	"(function () {\n"
	"  var h = location.hash.replace(/^#(code=)?/, '');\n"
	"  if (h) lookup(decodeURIComponent(h));\n"
	"})();\n";
