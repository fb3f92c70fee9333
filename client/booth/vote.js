/*
 * The booth's voting page (index.html; specs/client.md §9.2): the election
 * as the manifest states it, the credential (registered with a one-time
 * code, or unlocked, or imported), the choice, the tracking code of the
 * encrypted ballot, then cast or audit. The ballot is encrypted and fixed
 * (booth_build) before the voter says cast or audit, so the booth cannot
 * encrypt differently once it knows which (Benaloh).
 *
 * Nothing is dropped silently: before a cast the tracking code is kept as
 * "pending" in the browser; it is cleared only when a verified receipt
 * came. A cast that got no receipt stays on screen with "send it again"
 * (the same bytes: client.md §9.1 booth_cast), and a page opened later
 * says that the ballot may not have arrived.
 */
'use strict';

(function () {
  var t = VyI18n.t, set = VyI18n.set;
  var $ = function (id) { return document.getElementById(id); };
  var cfg = null;        /* {board, registrar} */
  var election = null;   /* booth_open's result */
  var built = null;      /* booth_build's result and the choices' summary */
  var credentialInfo = null;
  var registered = null; /* booth_register's result until the credential is sealed */
  var STEPS = ['step-credential', 'step-choice', 'step-decide', 'step-audited', 'step-cast', 'step-pending'];

  /* Show the steps named (and the election), hide the others. */
  function show() {
    var want = Array.prototype.slice.call(arguments);
    STEPS.forEach(function (s) { $(s).hidden = want.indexOf(s) < 0; });
    var first = want.length ? $(want[want.length - 1]) : null;
    var h = first ? first.querySelector('h2') : null;
    if (h) { h.setAttribute('tabindex', '-1'); h.focus(); }
  }

  function fail(what, fields) {
    return function (err) {
      Vy.busy(null);
      Vy.showError(err, what, fields);
      throw err;
    };
  }

  /* ---- the election ---- */

  /* The election's own text in the voter's language: its translation
   * (protocol.md §3.7) when the manifest has one, else the default text. */
  function local(text, tr) {
    var lang = VyI18n.lang();
    return tr && Object.prototype.hasOwnProperty.call(tr, lang) ? tr[lang] : text;
  }

  /* Elements that show an election text, redrawn on a switch of language. */
  var shownTexts = [];

  function showText(el, text, tr) {
    el.textContent = local(text, tr);
    shownTexts.push({ el: el, text: text, tr: tr });
  }

  VyI18n.onChange(function () {
    shownTexts.forEach(function (s) { s.el.textContent = local(s.text, s.tr); });
  });

  function fingerprintPin() {
    var m = /(?:^#|&)fp=([0-9a-fA-F]{64})/.exec(location.hash);
    return m ? m[1].toLowerCase() : '';
  }

  var PHASES = ['empty', 'setup', 'open', 'closed', 'tallied'];

  function showElection(e) {
    election = e;
    $('election-loading').hidden = true;
    $('election').hidden = false;
    shownTexts = [];
    showText($('election-title'), e.title, e.translations);
    $('election-id').textContent = e.election_id;
    set($('election-phase'), 'phase.' + (PHASES.indexOf(e.phase) >= 0 ? e.phase : PHASES[e.phase] || 'empty'));
    set($('election-times'), 'election.from_to', { from: Vy.when(e.voting_start), to: Vy.when(e.voting_end) });
    $('election-fingerprint').textContent = Vy.groups(e.fingerprint);
    renderContests(e);
  }

  /* ---- the contests ---- */

  /* The rule of contest c in words. */
  function ruleKey(c) {
    var list = c.kind === 'list';
    if (c.max === 1 && c.min === 1) return [list ? 'rule.list_one' : 'rule.one', {}];
    if (c.max === 1) return [list ? 'rule.list_one_or_blank' : 'rule.one_or_blank', {}];
    if (c.min === c.max) return ['rule.exactly', { n: c.max }];
    if (c.min === 0) return ['rule.up_to', { max: c.max }];
    return ['rule.between', { min: c.min, max: c.max }];
  }

  function renderContests(e) {
    var box = $('contests');
    box.textContent = '';
    e.contests.forEach(function (c, ci) {
      var fs = document.createElement('fieldset');
      var lg = document.createElement('legend');
      var rule = document.createElement('p');
      var r = ruleKey(c);
      var radio = c.max === 1;
      showText(lg, c.title, c.translations);
      fs.appendChild(lg);
      rule.className = 'rules';
      rule.id = 'rule-' + ci;
      set(rule, r[0], r[1]);
      fs.appendChild(rule);
      fs.setAttribute('aria-describedby', rule.id);
      c.options.forEach(function (o, oi) {
        fs.appendChild(optionRow(ci, oi, o.title, radio, o.translations));
        if (o.candidates && o.candidates.length) {
          var ol = document.createElement('ol');
          ol.className = 'candidates';
          ol.id = 'cand-' + ci + '-' + oi;
          o.candidates.forEach(function (name, k) {
            var li = document.createElement('li');
            showText(li, name, o.candidate_translations ? o.candidate_translations[k] : null);
            ol.appendChild(li);
          });
          fs.appendChild(ol);
          fs.querySelector('#opt-' + ci + '-' + oi).setAttribute('aria-describedby', ol.id);
        }
      });
      if (radio && c.min === 0) {
        var blank = optionRow(ci, -1, '', true);
        set(blank.querySelector('label'), 'choice.blank');
        fs.appendChild(blank);
      }
      box.appendChild(fs);
    });
  }

  function optionRow(ci, oi, title, radio, tr) {
    var row = document.createElement('div');
    var input = document.createElement('input');
    var label = document.createElement('label');
    row.className = 'option';
    input.type = radio ? 'radio' : 'checkbox';
    input.name = 'contest-' + ci;
    input.id = oi < 0 ? 'blank-' + ci : 'opt-' + ci + '-' + oi;
    input.value = String(oi);
    label.htmlFor = input.id;
    if (oi >= 0) showText(label, title, tr); /* the blank choice's label is the booth's (set by the caller) */
    row.appendChild(input);
    row.appendChild(label);
    return row;
  }

  /* The choices as booth_build takes them ('0'/'1' per selection), or
   * null after saying which contest breaks its rule. */
  function readChoices() {
    var bits = [];
    var summary = [];
    for (var i = 0; i < election.selections; i++) bits.push('0');
    for (var ci = 0; ci < election.contests.length; ci++) {
      var c = election.contests[ci];
      var picked = document.querySelectorAll('input[name="contest-' + ci + '"]:checked');
      var names = [];
      var n = 0;
      for (var k = 0; k < picked.length; k++) {
        var oi = Number(picked[k].value);
        if (oi < 0) continue;
        bits[c.first + oi] = '1';
        names.push(local(c.options[oi].title, c.options[oi].translations));
        n++;
      }
      if (n < c.min || n > c.max || (picked.length === 0 && c.max === 1)) {
        var r = ruleKey(c);
        Vy.showError({ kind: 'choices', reason: '' }, 'choose');
        set($('error-text'), 'error.contest_rule', { contest: local(c.title, c.translations), rule: t(r[0], r[1]) });
        var first = document.querySelector('input[name="contest-' + ci + '"]');
        if (first) first.focus();
        return null;
      }
      summary.push({ contest: local(c.title, c.translations), names: names });
    }
    return { bits: bits.join(''), summary: summary };
  }

  function showSummary(summary) {
    var p = $('decide-summary');
    p.textContent = '';
    summary.forEach(function (s) {
      var line = document.createElement('span');
      line.textContent = s.contest + ': ';
      var what = document.createElement('strong');
      if (s.names.length) what.textContent = s.names.join(', ');
      else set(what, 'choice.blank_short');
      line.appendChild(what);
      p.appendChild(line);
      p.appendChild(document.createElement('br'));
    });
  }

  /* ---- the credential ---- */

  function showCredentialForms() {
    var stored = Vy.get(election.election_id, 'credential');
    $('unlock-form').hidden = !stored;
    $('register-form').hidden = !!stored;
    $('import-form').hidden = false;
    $('credential-ready').hidden = true;
    show('step-credential');
  }

  /* The credential is open in the module: keep its sealed file, offer it. */
  function credentialReady(info, sealedB64) {
    credentialInfo = info;
    if (sealedB64) {
      if (!Vy.put(election.election_id, 'credential', sealedB64))
        Vy.showError({ kind: 'storage' }, 'store');
      Vy.downloadLink($('credential-download'), Vy.b64ToBytes(sealedB64), 'application/octet-stream');
    }
    $('unlock-form').hidden = true;
    $('register-form').hidden = true;
    $('import-form').hidden = true;
    $('credential-ready').hidden = false;
    var now = Date.now() / 1000;
    /* Before the earliest cast time the voter may still cast, knowingly. */
    $('cast-now-row').hidden = !(info && info.earliest_cast && info.earliest_cast > now);
    if (info && info.earliest_cast && info.earliest_cast > now)
      set($('credential-ready-text'), 'credential.ready_from', { time: Vy.when(info.earliest_cast) });
    else
      set($('credential-ready-text'), 'credential.ready');
    show('step-credential', 'step-choice');
  }

  function onRegister(ev) {
    ev.preventDefault();
    Vy.clearError();
    var code = $('reg-code').value.trim();
    var pass = $('reg-pass').value;
    if (pass !== $('reg-pass2').value) {
      Vy.showError({ kind: 'passphrases_differ' }, 'register');
      set($('error-text'), 'error.passphrases_differ');
      $('reg-pass2').focus();
      return;
    }
    /* Registered already in this page, but not sealed (the seal failed):
     * seal again, never register twice (the code is spent). */
    var first = registered ? Promise.resolve(registered)
      : (Vy.busy('busy.registering'), Vy.step('booth_register', ['string', 'string'], [cfg.registrar, code]));
    first
      .then(function (r) { registered = r; Vy.busy('busy.sealing'); return Vy.step('booth_credential_export', ['string'], [pass]); },
            fail('register'))
      .then(function (r) {
        Vy.busy(null);
        $('reg-pass').value = '';
        $('reg-pass2').value = '';
        credentialReady(registered, r.file);
        registered = null;
      }, function (err) { if (registered) fail('seal')(err); throw err; })
      .catch(function () {});
  }

  function onUnlock(ev) {
    ev.preventDefault();
    Vy.clearError();
    var sealed = Vy.get(election.election_id, 'credential');
    Vy.busy('busy.unlocking');
    Vy.step('booth_credential_import', ['string', 'string'], [sealed, $('unlock-pass').value])
      .then(function (r) { Vy.busy(null); $('unlock-pass').value = ''; credentialReady(r, sealed); }, fail('unlock'))
      .catch(function () {});
  }

  function onImport(ev) {
    ev.preventDefault();
    Vy.clearError();
    var b64 = null;
    Vy.readFile($('import-file'))
      .then(function (bytes) {
        b64 = Vy.bytesToB64(bytes);
        Vy.busy('busy.unlocking');
        return Vy.step('booth_credential_import', ['string', 'string'], [b64, $('import-pass').value]);
      })
      .then(function (r) { Vy.busy(null); $('import-pass').value = ''; credentialReady(r, b64); }, fail('import'))
      .catch(function () {});
  }

  function onForget() {
    if (!window.confirm(t('credential.forget_confirm'))) return;
    Vy.put(election.election_id, 'credential', null);
    Vy.step('booth_forget', [], []).catch(function () {});
    showCredentialForms();
  }

  /* ---- the ballot ---- */

  function onChoose(ev) {
    ev.preventDefault();
    Vy.clearError();
    var ch = readChoices();
    if (!ch) return;
    Vy.busy('busy.encrypting');
    Vy.step('booth_build', ['string'], [ch.bits])
      .then(function (r) {
        Vy.busy(null);
        built = { code: r.tracking_code, summary: ch.summary };
        $('decide-code').textContent = r.tracking_code;
        showSummary(ch.summary);
        $('decide-revote').hidden = !r.voted_before;
        show('step-decide');
      }, fail('build'))
      .catch(function () {});
  }

  function pendingSet(code) {
    Vy.put(election.election_id, 'pending', code ? JSON.stringify({ tracking_code: code, time: Math.floor(Date.now() / 1000) }) : null);
  }

  function onCast() {
    Vy.clearError();
    if (!built) return;
    pendingSet(built.code);
    Vy.busy('busy.casting');
    Vy.step('booth_cast', ['number'], [$('cast-now').checked ? 1 : 0])
      .then(function (r) {
        Vy.busy(null);
        var kept = Vy.addReceipt(election.election_id, {
          tracking_code: r.tracking_code, seq: r.seq, receipt: r.receipt, board: cfg.board,
          time: Math.floor(Date.now() / 1000)
        });
        pendingSet(null);
        built = null;
        $('cast-code').textContent = r.tracking_code;
        set($('cast-seq'), 'cast.seq', { seq: r.seq });
        Vy.downloadLink($('receipt-download'), Vy.b64ToBytes(r.receipt), 'application/octet-stream');
        if (!kept) Vy.showError({ kind: 'storage' }, 'store');
        show('step-cast');
      }, function (err) {
        Vy.busy(null);
        if (err.kind === 'not_yet' || err.kind === 'order') {
          /* nothing was sent */
          pendingSet(null);
          Vy.showError(err, 'cast', { time: Vy.when(credentialInfo && credentialInfo.earliest_cast) });
          return;
        }
        Vy.showError(err, 'cast');
        set($('pending-text'), 'pending.no_receipt');
        $('pending-code').textContent = built.code;
        $('retry-cast').hidden = false;
        show('step-pending');
      });
  }

  function onAudit() {
    Vy.clearError();
    Vy.busy('busy.auditing');
    Vy.step('booth_audit', [], [])
      .then(function (r) {
        Vy.busy(null);
        built = null;
        $('audited-code').textContent = r.tracking_code;
        $('audited-link').href = cfg.board + '/#' + r.tracking_code;
        $('audited-command').textContent = r.check;
        show('step-audited');
      }, fail('audit'))
      .catch(function () {});
  }

  function onChange() {
    Vy.clearError();
    Vy.step('booth_drop', [], []).catch(function () {});
    built = null;
    show('step-choice');
  }

  function voteAgain() {
    Vy.clearError();
    show('step-choice');
  }

  /* A ballot sent from an earlier page whose receipt never came: say so. */
  function reportLost() {
    var p = null;
    try { p = JSON.parse(Vy.get(election.election_id, 'pending') || 'null'); } catch (e) { p = null; }
    if (!p) return false;
    set($('pending-text'), 'pending.lost', { time: Vy.when(p.time) });
    $('pending-code').textContent = p.tracking_code;
    $('retry-cast').hidden = true;
    $('step-pending').hidden = false;
    return true;
  }

  window.addEventListener('beforeunload', function (ev) {
    if (built && !$('step-pending').hidden) { ev.preventDefault(); ev.returnValue = ''; }
  });

  function start() {
    $('register-form').addEventListener('submit', onRegister);
    $('unlock-form').addEventListener('submit', onUnlock);
    $('import-form').addEventListener('submit', onImport);
    $('forget-credential').addEventListener('click', onForget);
    $('choice-form').addEventListener('submit', onChoose);
    $('cast').addEventListener('click', onCast);
    $('retry-cast').addEventListener('click', onCast);
    $('audit').addEventListener('click', onAudit);
    $('change').addEventListener('click', onChange);
    $('vote-again').addEventListener('click', voteAgain);
    $('vote-again-audit').addEventListener('click', voteAgain);
    Vy.busy('busy.loading');
    Vy.config()
      .then(function (c) { cfg = c; return Vy.load(); })
      .then(function () { Vy.busy('busy.opening'); return Vy.step('booth_open', ['string', 'string'], [cfg.board, fingerprintPin()]); })
      .then(function (e) {
        Vy.busy(null);
        showElection(e);
        var lost = reportLost();
        showCredentialForms();
        if (lost) $('step-pending').hidden = false;
      }, function (err) {
        Vy.busy(null);
        set($('election-loading'), 'election.not_loaded');
        Vy.showError(err, 'open');
      });
  }

  VyI18n.ready.then(start, start);
})();
