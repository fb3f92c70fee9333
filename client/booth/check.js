/*
 * The booth's check page (check.html; specs/client.md §9.2, §5): a
 * receipt kept in this browser, or a receipt file, checked against the
 * board's record, fetched and verified afresh by the voter's code. The
 * outcome is one of three: counted (the ballot is on the record and is the
 * credential's latest), superseded (a later ballot of the same credential
 * replaces it), missing (the record does not hold it as the receipt
 * says); or the record itself does not verify.
 */
'use strict';

(function () {
  var set = VyI18n.set;
  var $ = function (id) { return document.getElementById(id); };
  var cfg = null;

  function outcome(cls, key, fields) {
    var p = $('outcome');
    p.className = 'outcome ' + cls;
    set(p, key, fields);
  }

  function check(receiptB64, board) {
    Vy.clearError();
    outcome('', 'check.checking');
    Vy.busy('busy.checking');
    return Vy.step('booth_check', ['string', 'string'], [board || cfg.board, receiptB64])
      .then(function (r) {
        Vy.busy(null);
        if (r.status === 'counted')
          outcome('counted', r.tallied ? 'check.counted_tallied' : 'check.counted', { code: r.tracking_code, seq: r.seq });
        else
          outcome('superseded', 'check.superseded', { code: r.tracking_code, seq: r.seq, latest: r.latest_seq });
      }, function (err) {
        Vy.busy(null);
        if (err.kind === 'receipt') outcome('missing', 'check.missing');
        else outcome('', 'check.not_checked');
        Vy.showError(err, 'check');
      });
  }

  function listKept() {
    var list = Vy.allReceipts();
    var ul = $('kept');
    ul.textContent = '';
    $('kept-none').hidden = list.length > 0;
    list.forEach(function (r) {
      var li = document.createElement('li');
      var code = document.createElement('span');
      var info = document.createElement('span');
      var b = document.createElement('button');
      code.className = 'mono';
      code.textContent = r.tracking_code + ' ';
      set(info, 'check.kept_item', { election: r.election_id, seq: r.seq, time: Vy.when(r.time) });
      b.type = 'button';
      set(b, 'check.check');
      b.setAttribute('aria-describedby', 'kept-' + r.tracking_code);
      li.id = 'kept-' + r.tracking_code;
      b.addEventListener('click', function () { check(r.receipt, r.board); });
      li.appendChild(code);
      li.appendChild(info);
      li.appendChild(document.createElement('br'));
      li.appendChild(b);
      ul.appendChild(li);
    });
  }

  function start() {
    listKept();
    $('file-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      Vy.readFile($('receipt-file')).then(function (bytes) { return check(Vy.bytesToB64(bytes)); },
                                          function (err) { Vy.showError(err, 'check'); });
    });
    Vy.config().then(function (c) { cfg = c; }, function (err) { Vy.showError(err, 'open'); });
  }

  VyI18n.ready.then(start, start);
})();
