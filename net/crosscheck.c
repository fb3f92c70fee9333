/*
 * The board and a witness compared over one entry (vy_crosscheck.h,
 * specs/witness.md §8): two checkpoints, a consistency proof between them,
 * an inclusion proof from each side. Every step that fails says which
 * source said what.
 */
#include "net/vy_crosscheck.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "protocol/vy_entry_types.h"
#include "protocol/vy_record.h"

/* A proof answer: at most its longest text. */
#define PROOF_ANSWER_MAX (VY_MERKLE_PROOF_TEXT_MAX + 1)

typedef uint8_t proof_path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];

static void say(vy_xc_result *r, vy_xc_verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(vy_xc_result *r, vy_xc_verdict v, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
}

/* A hash in full, lowercase hex: what a reader can quote as evidence. */
static void hash_hex(char out[2 * VY_HASH_BYTES + 1], const uint8_t *b)
{
	sodium_bin2hex(out, 2 * VY_HASH_BYTES + 1, b, VY_HASH_BYTES);
}

void vy_xc_election_init(vy_xc_election *e, const Vybar__Manifest *m, const uint8_t base_hash[VY_HASH_BYTES])
{
	memset(e, 0, sizeof *e);
	memcpy(e->base_hash, base_hash, VY_HASH_BYTES);
	if (m->board_key.len == 32)
		memcpy(e->board_key, m->board_key.data, 32);
	for (size_t i = 0; i < m->n_witnesses && i < VY_MAX_WITNESSES; i++) {
		e->names[i] = m->witnesses[i]->name;
		if (m->witnesses[i]->public_key.len == 32)
			memcpy(e->keys[i], m->witnesses[i]->public_key.data, 32);
		e->n_witnesses = i + 1;
	}
}

const char *vy_xc_verdict_name(vy_xc_verdict v)
{
	switch (v) {
	case VY_XC_AGREE:
		return "agrees";
	case VY_XC_PENDING:
		return "pending";
	case VY_XC_DISAGREE:
		return "DISAGREES";
	default:
		return "cannot tell";
	}
}

/* GET base + path (+ query) as text of at most max bytes: 0 with the
 * answer in *a (status 200), the HTTP status if another, or -1 if none
 * came (err says why). */
static long get_text(const vy_http_transport *t, const char *base, const char *path, const char *query, size_t max,
		     vy_http_answer *a, char *err, size_t cap)
{
	char url[VY_HTTP_URL_BYTES];
	vy_reason why = { 0 };

	memset(a, 0, sizeof *a);
	if (vy_http_url(url, sizeof url, base, path, query) != VY_R_OK) {
		snprintf(err, cap, "the URL is too long");
		return -1;
	}
	if (vy_http_get(t, url, max, a, &why) != VY_R_OK) {
		snprintf(err, cap, "%.300s", why.msg);
		return -1;
	}
	if (a->status != 200) {
		long st = a->status;

		snprintf(err, cap, "GET %.200s: HTTP %ld", url, st);
		vy_http_answer_free(a);
		return st;
	}
	return 0;
}

/* A checkpoint note from base: 0 with *c (and the witnesses' cosignatures
 * that verify in have[]), 404 if the source has none, -1 with err. */
static long read_note(const vy_http_transport *t, const vy_xc_election *e, const char *base, vy_checkpoint *c,
		      int have[VY_MAX_WITNESSES], char *err, size_t cap)
{
	vy_cosignature cosigs[VY_MAX_WITNESSES];
	vy_http_answer a;
	vy_reason why = { 0 };
	long st = get_text(t, base, VY_PATH_CHECKPOINT, NULL, VY_CHECKPOINT_NOTE_MAX, &a, err, cap);

	memset(have, 0, VY_MAX_WITNESSES * sizeof have[0]);
	if (st != 0)
		return st == 404 ? 404 : -1;
	if (vy_checkpoint_note_parse(c, cosigs, have, (const char *)a.body, a.len, e->base_hash, e->board_key,
				     e->names, (const uint8_t (*)[32])e->keys, e->n_witnesses, &why) != VY_R_OK) {
		snprintf(err, cap, "its checkpoint is refused: %.300s", why.msg);
		st = -1;
	}
	vy_http_answer_free(&a);
	return st;
}

/* A proof from base (path, "?k1=v1&k2=v2"): 0 with path and *n, the HTTP
 * status if another, -1 if none came or it is not a proof. */
static long read_proof(const vy_http_transport *t, const char *base, const char *api, const char *k1, uint64_t v1,
		       const char *k2, uint64_t v2, proof_path path, size_t *n, char *err, size_t cap)
{
	char q[96];
	vy_http_answer a;
	long st;

	snprintf(q, sizeof q, "?%s=%" PRIu64 "&%s=%" PRIu64, k1, v1, k2, v2);
	st = get_text(t, base, api, q, PROOF_ANSWER_MAX, &a, err, cap);
	if (st != 0)
		return st;
	if (vy_merkle_proof_parse(path, n, (const char *)a.body, a.len) != VY_R_OK) {
		snprintf(err, cap, "GET %s%s: not a proof (base64 lines)", api, q);
		st = -1;
	}
	vy_http_answer_free(&a);
	return st;
}

/* Entry seq as the witness serves it: its hash and type name, or 0. */
static int witness_entry(const vy_http_transport *t, const char *base, uint64_t seq, uint8_t hash[VY_HASH_BYTES],
			 const char **type)
{
	char q[40], err[64];
	vy_http_answer a;
	vy_record_reader rd;
	Vybar__RecordEntry *en = NULL;
	FILE *f;
	int ok = 0;

	snprintf(q, sizeof q, "?from=%" PRIu64, seq);
	if (get_text(t, base, VY_PATH_RECORD, q, VY_MAX_RECORD_ANSWER_BYTES, &a, err, sizeof err) != 0)
		return 0;
	f = fmemopen(a.body, a.len, "rb");
	if (f != NULL && vy_record_reader_open(&rd, f, NULL) == VY_R_OK) {
		if (vy_record_reader_next(&rd, &en, NULL) == VY_R_OK && en != NULL && en->seq == seq) {
			const vy_entry_type_info *ti = vy_entry_type(en->type);

			vy_entry_hash_of(hash, en);
			*type = ti != NULL ? ti->name : "unknown";
			ok = 1;
		}
		vy_msg_free(en);
		vy_record_reader_close(&rd);
	}
	if (f != NULL)
		fclose(f);
	vy_http_answer_free(&a);
	return ok;
}

/* Step 3: the two checkpoints are one record. 1 if they are, 0 if not
 * (why in msg), -1 if the source of the larger gave no usable answer. */
static int one_record(const vy_http_transport *t, const char *board, const char *wit, const char *wname,
		      const vy_checkpoint *cb, const vy_checkpoint *cw, char *msg, size_t cap)
{
	const vy_checkpoint *small = cb->size <= cw->size ? cb : cw, *large = small == cb ? cw : cb;
	const char *holder = large == cb ? board : wit;
	char err[400], rb[2 * VY_HASH_BYTES + 1], rw[2 * VY_HASH_BYTES + 1];
	proof_path path;
	size_t n = 0;
	long st;

	hash_hex(rb, cb->root);
	hash_hex(rw, cw->root);
	if (cb->size == cw->size) {
		if (sodium_memcmp(cb->root, cw->root, VY_MERKLE_HASH_BYTES) == 0)
			return 1;
		snprintf(msg, cap,
			 "at size %" PRIu64 " the board's checkpoint has root %s, the one witness %s cosigned root "
			 "%s",
			 cb->size, rb, wname, rw);
		return 0;
	}
	if (small->size == 0)
		return 1;
	st = read_proof(t, holder, VY_PATH_PROOF_CONSISTENCY, "first", small->size, "second", large->size, path, &n,
			err, sizeof err);
	if (st == -1 || (st != 0 && st != 404)) {
		snprintf(msg, cap, "no consistency proof from the %s: %.180s", large == cb ? "board" : "witness", err);
		return -1;
	}
	if (st == 0 && vy_merkle_verify_consistency(small->size, large->size, small->root, large->root,
						      (const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, n))
		return 1;
	if (large == cb)
		snprintf(msg, cap,
			 "the board's record (%" PRIu64 " entries, root %s) does not extend the checkpoint witness %s "
			 "cosigned (%" PRIu64 " entries, root %s): %s",
			 cb->size, rb, wname, cw->size, rw,
			 st == 0 ? "the board's consistency proof does not verify" : "the board has no consistency proof");
	else
		snprintf(msg, cap,
			 "the checkpoint witness %s cosigned (%" PRIu64 " entries, root %s) does not extend the "
			 "board's (%" PRIu64 " entries, root %s): %s",
			 wname, cw->size, rw, cb->size, rb,
			 st == 0 ? "the witness's consistency proof does not verify" : "the witness has no consistency proof");
	return 0;
}

/* Step 4 on one side: 1 if entry seq with leaf hash `leaf` is under c's
 * root by the proof src serves, 0 if not, -1 if src gave no usable answer
 * (err says why). */
static int included(const vy_http_transport *t, const char *src, const vy_checkpoint *c, uint64_t seq,
		    const uint8_t leaf[VY_MERKLE_HASH_BYTES], char *err, size_t cap)
{
	proof_path path;
	size_t n = 0;
	long st = read_proof(t, src, VY_PATH_PROOF_INCLUSION, "seq", seq, "size", c->size, path, &n, err, cap);

	if (st == 404)
		return 0;
	if (st != 0)
		return -1;
	return vy_merkle_verify_inclusion(leaf, seq, c->size, (const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, n,
					  c->root);
}

/* The witness's entry at seq, said after a failed inclusion. */
static void witness_holds(const vy_http_transport *t, const char *wit, uint64_t seq, char *out, size_t cap)
{
	uint8_t h[VY_HASH_BYTES];
	const char *type = NULL;
	char hex[2 * VY_HASH_BYTES + 1];

	if (witness_entry(t, wit, seq, h, &type)) {
		hash_hex(hex, h);
		snprintf(out, cap, "; the witness holds a %s entry there, hash %s", type, hex);
	} else {
		out[0] = '\0';
	}
}

void vy_crosscheck_entry(const vy_http_transport *t, const vy_xc_election *e, const char *board_url,
			 const char *witness_url, uint64_t seq, const uint8_t entry_hash[VY_HASH_BYTES],
			 vy_xc_result *r)
{
	vy_checkpoint cb, cw;
	int have_b[VY_MAX_WITNESSES], have_w[VY_MAX_WITNESSES], on_board, on_witness = 0, one;
	uint8_t leaf[VY_MERKLE_HASH_BYTES];
	char err[400], fork[VY_XC_MSG_BYTES / 2] = "", more[200] = "", eh[2 * VY_HASH_BYTES + 1];
	const char *wname;
	long st;

	memset(r, 0, sizeof *r);
	vy_merkle_leaf_hash(leaf, entry_hash, VY_HASH_BYTES);
	hash_hex(eh, entry_hash);
	/* 1, 2: the checkpoints */
	if (read_note(t, e, board_url, &cb, have_b, err, sizeof err) != 0) {
		say(r, VY_XC_UNKNOWN, "the board's checkpoint: %s", err);
		return;
	}
	r->board_size = cb.size;
	st = read_note(t, e, witness_url, &cw, have_w, err, sizeof err);
	if (st == 404) {
		say(r, VY_XC_PENDING, "the witness has cosigned no checkpoint yet");
		return;
	}
	if (st != 0) {
		say(r, VY_XC_UNKNOWN, "the witness's checkpoint: %s", err);
		return;
	}
	for (size_t i = 0; i < e->n_witnesses && r->witness == 0; i++)
		if (have_w[i])
			r->witness = (unsigned)i + 1;
	if (r->witness == 0) {
		say(r, VY_XC_UNKNOWN,
		    "the witness's checkpoint carries the cosignature of no witness this election's manifest names");
		return;
	}
	wname = e->names[r->witness - 1];
	r->witness_size = cw.size;
	/* 4: the entry on each side */
	on_board = seq < cb.size ? included(t, board_url, &cb, seq, leaf, err, sizeof err) : 0;
	if (on_board < 0) {
		say(r, VY_XC_UNKNOWN, "no inclusion proof from the board: %s", err);
		return;
	}
	if (seq < cw.size && (on_witness = included(t, witness_url, &cw, seq, leaf, err, sizeof err)) < 0) {
		say(r, VY_XC_UNKNOWN, "no inclusion proof from the witness: %s", err);
		return;
	}
	/* 3: one record */
	one = one_record(t, board_url, witness_url, wname, &cb, &cw, fork, sizeof fork);
	if (one < 0) {
		say(r, VY_XC_UNKNOWN, "%s", fork);
		return;
	}
	if (seq < cw.size && on_board != on_witness) {
		if (!on_witness)
			witness_holds(t, witness_url, seq, more, sizeof more);
		say(r, VY_XC_DISAGREE,
		    "the board and witness %s disagree at entry %" PRIu64 ": the entry of hash %s is %s the board's "
		    "record and %s the checkpoint the witness cosigned (%" PRIu64 " entries)%s%s%s",
		    wname, seq, eh, on_board ? "on" : "not on", on_witness ? "in" : "not in", cw.size, more,
		    one ? "" : "; ", fork);
		return;
	}
	if (!one) {
		say(r, VY_XC_DISAGREE,
		    "the board and witness %s disagree: %s; both checkpoints carry the board's signature: the board "
		    "forked its record",
		    wname, fork);
		return;
	}
	if (seq < cw.size && !on_witness) {
		witness_holds(t, witness_url, seq, more, sizeof more);
		say(r, VY_XC_DISAGREE,
		    "the board and witness %s hold one record, and its entry %" PRIu64 " is not the entry of hash %s "
		    "that the board's receipt names%s",
		    wname, seq, eh, more);
		return;
	}
	if (seq >= cw.size) {
		say(r, VY_XC_PENDING,
		    "one record so far, but witness %s has cosigned %" PRIu64 " entries, not yet entry %" PRIu64
		    "%s",
		    wname, cw.size, seq, on_board ? "" : " (nor does the board's checkpoint hold it)");
		return;
	}
	say(r, VY_XC_AGREE,
	    "entry %" PRIu64 " (hash %s) is on the board's record (%" PRIu64 " entries) and in the checkpoint "
	    "witness %s cosigned (%" PRIu64 " entries), one record",
	    seq, eh, cb.size, wname, cw.size);
}
