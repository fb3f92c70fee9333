/*
 * The booth's texts (specs/client.md §9.2): every text a voter reads comes
 * from the message catalogues i18n/{be,ru,en}.json, chosen by the
 * browser's language (navigator.languages) or by the voter with the
 * switch, which is remembered in this browser. An element with
 * data-i18n="key" gets the text of key; data-i18n-aria="key" its
 * aria-label. A text may hold {name} fields, filled in by t(key, fields)
 * (for an element: the JSON object of its data-i18n-fields), so that a
 * switch of language redraws every text already shown.
 */
'use strict';

var VyI18n = (function () {
  var LANGS = ['be', 'ru', 'en'];
  var FALLBACK = 'en';
  var STORE_KEY = 'vybar/lang';
  var catalogues = {};
  var current = FALLBACK;
  var listeners = [];

  /* The language the browser prefers among ours, else English. */
  function preferred() {
    var saved = null;
    try { saved = localStorage.getItem(STORE_KEY); } catch (e) { saved = null; }
    if (saved && LANGS.indexOf(saved) >= 0) return saved;
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < wanted.length; i++) {
      var base = String(wanted[i]).toLowerCase().split('-')[0];
      if (LANGS.indexOf(base) >= 0) return base;
    }
    return FALLBACK;
  }

  function load(lang) {
    if (catalogues[lang]) return Promise.resolve(catalogues[lang]);
    return fetch('i18n/' + lang + '.json', { credentials: 'omit', cache: 'no-cache' })
      .then(function (r) { if (!r.ok) throw new Error('i18n/' + lang + '.json: ' + r.status); return r.json(); })
      .then(function (c) { catalogues[lang] = c; return c; });
  }

  /* The text of key in the current language, its fields filled in. */
  function t(key, fields) {
    var c = catalogues[current] || {};
    var text = Object.prototype.hasOwnProperty.call(c, key) ? c[key] : (catalogues[FALLBACK] || {})[key];
    if (text === undefined) text = key;
    return String(text).replace(/\{([a-z_]+)\}/g, function (m, name) {
      return fields && Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : m;
    });
  }

  /* Every marked element under root, in the current language. */
  function apply(root) {
    root = root || document;
    var els = root.querySelectorAll('[data-i18n]');
    for (var i = 0; i < els.length; i++) {
      var f = els[i].getAttribute('data-i18n-fields');
      els[i].textContent = t(els[i].getAttribute('data-i18n'), f ? JSON.parse(f) : null);
    }
    els = root.querySelectorAll('[data-i18n-aria]');
    for (i = 0; i < els.length; i++) els[i].setAttribute('aria-label', t(els[i].getAttribute('data-i18n-aria')));
    document.documentElement.lang = current;
  }

  function setLang(lang) {
    if (LANGS.indexOf(lang) < 0) lang = FALLBACK;
    return load(lang).then(function () {
      current = lang;
      try { localStorage.setItem(STORE_KEY, lang); } catch (e) { /* private mode: not remembered */ }
      apply(document);
      var sel = document.getElementById('lang');
      if (sel) sel.value = lang;
      listeners.forEach(function (f) { f(lang); });
    });
  }

  var ready = load(FALLBACK).then(function () { return setLang(preferred()); });

  document.addEventListener('DOMContentLoaded', function () {
    var sel = document.getElementById('lang');
    if (sel) sel.addEventListener('change', function () { setLang(sel.value); });
  });

  /* Show key's text (with fields) in el, redrawn on a switch of language. */
  function set(el, key, fields) {
    el.setAttribute('data-i18n', key);
    if (fields) el.setAttribute('data-i18n-fields', JSON.stringify(fields));
    else el.removeAttribute('data-i18n-fields');
    el.textContent = t(key, fields);
  }

  return {
    LANGS: LANGS,
    set: set,
    ready: ready,
    t: t,
    apply: apply,
    setLang: setLang,
    lang: function () { return current; },
    onChange: function (f) { listeners.push(f); }
  };
})();
