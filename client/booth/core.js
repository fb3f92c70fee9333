/*
 * What the booth's pages share (specs/client.md §9.2): loading the voter's
 * code (booth.js with WebAssembly, booth-nowasm.js where the browser
 * forbids it), calling its steps one at a time, the browser storage, the
 * messages of every failure in the voter's language, and downloads.
 *
 * Storage (localStorage, this origin only), per election id:
 *   vybar/ID/credential  the credential file sealed under the voter's
 *                        passphrase (base64), never the open credential
 *   vybar/ID/receipts    the board's signed receipts (JSON list)
 *   vybar/ID/pending     a ballot sent whose receipt has not come back
 */
'use strict';

var Vy = (function () {
  var t = VyI18n.t;
  var module = null;
  var queue = Promise.resolve();

  /* WebAssembly may be run here (Tor Browser's Safer level forbids it). */
  function wasmUsable() {
    try {
      if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
      return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    } catch (e) {
      return false;
    }
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error(src + ': not loaded')); };
      document.head.appendChild(s);
    });
  }

  /* The voter's code, loaded once. */
  function load() {
    if (module) return module;
    var src = wasmUsable() ? 'booth.js' : 'booth-nowasm.js';
    module = loadScript(src).then(function () {
      if (typeof VybarBooth !== 'function') throw new Error(src + ': no VybarBooth');
      return VybarBooth({});
    }).catch(function (e) {
      module = null;
      throw { kind: 'module', reason: String(e && e.message ? e.message : e), http_status: 0 };
    });
    return module;
  }

  /* One step of the voter's code (client.md §9.1): its result object, or
   * a rejection {kind, reason, http_status, rc_name}. Steps run one at a
   * time, in the order asked. */
  function step(name, types, args) {
    var run = queue.then(function () { return load(); }).then(function (B) {
      return B.ccall(name, 'number', types, args, { async: true }).then(function (rc) {
        var text = B.UTF8ToString(B._booth_result());
        var res = {};
        try { res = text ? JSON.parse(text) : {}; } catch (e) { res = { error: 'failed', reason: text }; }
        if (rc !== 0) {
          throw { kind: res.error || 'failed', reason: res.reason || '', http_status: res.http_status || 0,
                  rc_name: res.rc_name || '' };
        }
        return res;
      });
    });
    queue = run.catch(function () { return null; });
    return run;
  }

  /* The board's address and the registrar's: config.json, which the
   * board writes (board-api.md §5.1); a mirror may name the board. */
  function config() {
    return fetch('config.json', { credentials: 'omit', cache: 'no-cache' })
      .then(function (r) { if (!r.ok) throw new Error('config.json: ' + r.status); return r.json(); })
      .then(function (c) {
        return { board: c.board || location.origin, registrar: c.registrar || '' };
      })
      .catch(function (e) { throw { kind: 'config', reason: String(e.message || e), http_status: 0 }; });
  }

  /* ---- storage ---- */

  function key(id, what) { return 'vybar/' + id + '/' + what; }
  function get(id, what) {
    try { return localStorage.getItem(key(id, what)); } catch (e) { return null; }
  }
  function put(id, what, value) {
    try {
      if (value === null) localStorage.removeItem(key(id, what));
      else localStorage.setItem(key(id, what), value);
      return true;
    } catch (e) {
      return false;
    }
  }
  function receipts(id) {
    try { return JSON.parse(get(id, 'receipts') || '[]'); } catch (e) { return []; }
  }
  function addReceipt(id, r) {
    var list = receipts(id).filter(function (x) { return x.tracking_code !== r.tracking_code; });
    list.push(r);
    return put(id, 'receipts', JSON.stringify(list));
  }
  /* Every receipt kept in this browser, of every election. */
  function allReceipts() {
    var out = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        var m = /^vybar\/(.+)\/receipts$/.exec(k || '');
        if (!m) continue;
        receipts(m[1]).forEach(function (r) { r.election_id = m[1]; out.push(r); });
      }
    } catch (e) { /* no storage: none */ }
    return out;
  }

  /* ---- bytes ---- */

  function b64ToBytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function bytesToB64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }
  /* Point a download link at bytes. */
  function downloadLink(a, bytes, type) {
    var old = a.getAttribute('href');
    if (old && old.indexOf('blob:') === 0) URL.revokeObjectURL(old);
    a.href = URL.createObjectURL(new Blob([bytes], { type: type }));
  }
  /* A file the voter chose, as bytes. */
  function readFile(input) {
    return new Promise(function (resolve, reject) {
      var f = input.files && input.files[0];
      if (!f) { reject({ kind: 'no_file', reason: '', http_status: 0 }); return; }
      var r = new FileReader();
      r.onload = function () { resolve(new Uint8Array(r.result)); };
      r.onerror = function () { reject({ kind: 'no_file', reason: String(r.error), http_status: 0 }); };
      r.readAsArrayBuffer(f);
    });
  }

  /* ---- messages ---- */

  /* The message key of a failure of step `what` (register, open, cast...). */
  function errorKey(err, what) {
    var kind = err && err.kind ? err.kind : 'failed';
    var reason = err && err.reason ? String(err.reason) : '';
    if (what === 'register' && kind === 'refused') {
      if (/closed/.test(reason)) return 'error.registration_closed';
      if (err.http_status === 409) return 'error.code_used';
      if (err.http_status === 403) return 'error.code_unknown';
      if (err.http_status === 400) return 'error.code_malformed';
    }
    if (what === 'check' && kind === 'receipt') return 'error.check_missing';
    if (kind === 'refused' && err.http_status === 404) return 'error.not_found';
    var known = ['unreachable', 'busy', 'refused', 'record', 'pin', 'passphrase', 'credential', 'choices',
                 'not_yet', 'receipt', 'order', 'module', 'config', 'no_file', 'storage', 'failed'];
    return 'error.' + (known.indexOf(kind) >= 0 ? kind : 'failed');
  }

  /* Show a failure in the page's alert (redrawn on a language switch). */
  function showError(err, what, fields) {
    var box = document.getElementById('error');
    var f = fields || {};
    if (err && err.http_status) f.status = err.http_status;
    VyI18n.set(document.getElementById('error-text'), errorKey(err, what), f);
    document.getElementById('error-detail').textContent =
      (err && err.kind ? err.kind : '') + (err && err.http_status ? ' (HTTP ' + err.http_status + ')' : '') +
      (err && err.reason ? ': ' + err.reason : '');
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }
  function clearError() {
    document.getElementById('error').hidden = true;
  }

  /* Say what the booth is doing (or nothing), and lock the buttons meanwhile. */
  function busy(key, fields) {
    var el = document.getElementById('busy');
    var buttons = document.querySelectorAll('button');
    if (key) VyI18n.set(el, key, fields);
    else { el.removeAttribute('data-i18n'); el.textContent = ''; }
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = !!key;
  }

  /* Two digits. */
  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /* A Unix time in the voter's language; where the browser has no date
   * formats for it (Chromium has none for Belarusian), in numbers
   * (YYYY-MM-DD HH:MM, local time) rather than in another language. */
  function when(seconds) {
    var d, lang = VyI18n.lang();
    if (!seconds) return '';
    d = new Date(seconds * 1000);
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf([lang]).length > 0)
        return d.toLocaleString(lang, { dateStyle: 'long', timeStyle: 'short' });
    } catch (e) { /* no Intl: numbers below */ }
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' +
      pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }

  /* A fingerprint in groups of four, for reading aloud. */
  function groups(hex) {
    return String(hex).replace(/(.{4})/g, '$1 ').trim();
  }

  return {
    load: load, step: step, config: config,
    get: get, put: put, receipts: receipts, addReceipt: addReceipt, allReceipts: allReceipts,
    b64ToBytes: b64ToBytes, bytesToB64: bytesToB64, downloadLink: downloadLink, readFile: readFile,
    errorKey: errorKey, showError: showError, clearError: clearError, busy: busy, when: when, groups: groups
  };
})();
