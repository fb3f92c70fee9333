/*
 * The record as a trustee sees it (trustee.h): read whole from a record
 * file or the board, every entry re-checked with the verifier's engine
 * (protocol/vy_verify.h: board signatures, the chain, every ballot's proofs
 * on --jobs threads, every phase rule), of the entries only the trustees'
 * signed messages kept; then this trustee's index in the manifest.
 * specs/trustee.md §1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/vy_cli.h"
#include "protocol/vy_verify.h"
#include "trustee/transport.h"
#include "trustee/trustee.h"

void vyt_view_free(vyt_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		vy_msg_free(v->e[i]);
	free(v->e);
	vy_record_state_free(&v->st);
}

/* The engine's callback: note the tally's position and the hash of the
 * entry DIR/seen names (memory.c); keep the trustees' signed messages. */
static int keep_entry(void *arg, const vy_record_state *st, Vybar__RecordEntry *e)
{
	vyt_ctx *c = arg;
	Vybar__RecordEntry **ne;

	if (c->v.have_seen && e->seq == c->v.seen.size - 1)
		memcpy(c->v.seen_now, st->head_hash, VY_HASH_BYTES); /* st has just applied e */
	if (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY)
		c->v.tally_seq = e->seq;
	switch (e->type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
		break;
	default:
		return 0;
	}
	ne = realloc(c->v.e, (c->v.n + 1) * sizeof *ne);
	if (ne == NULL) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	c->v.e = ne;
	c->v.e[c->v.n++] = e;
	return 1;
}

/* Verify and apply every entry of the record read from f (§7, §8) with the
 * verifier's engine: every board signature, the chain, every ballot's
 * proofs (on c->o->jobs threads) and every phase rule. */
static int view_verify(vyt_ctx *c, FILE *f, const char *src)
{
	vyv_options o = { .jobs = c->o->jobs, .watch_seq = -1, .on_entry = keep_entry, .arg = c };
	vyv_report rep;

	vy_record_state_free(&c->v.st);
	vyv_verify_with(f, &o, &rep, &c->v.st);
	c->v.entries = rep.entries;
	if (rep.outcome == VYV_ERROR) {
		if (c->err[0] == '\0')
			snprintf(c->err, sizeof c->err, "record %s: %s", src, rep.note);
		c->status = VY_EXIT_IO;
		return -1;
	}
	if (ferror(f)) {
		snprintf(c->err, sizeof c->err, "cannot read %s", src);
		c->status = VY_EXIT_IO;
		return -1;
	}
	if (rep.outcome == VYV_FAILED) {
		/* the entry's position: the engine stops at the first failure */
		if (rep.failed_seq_known)
			snprintf(c->err, sizeof c->err, "record %s does not verify at entry %llu (%s, %s): %s", src,
				 (unsigned long long)rep.entries, vyv_check_id(rep.failed_check),
				 vyv_check_what(rep.failed_check), rep.why.msg);
		else
			snprintf(c->err, sizeof c->err, "record %s does not verify (%s, %s): %s", src,
				 vyv_check_id(rep.failed_check), vyv_check_what(rep.failed_check), rep.why.msg);
		return -1;
	}
	if (c->v.st.manifest == NULL) {
		snprintf(c->err, sizeof c->err, "record %s has no manifest", src);
		return -1;
	}
	return 0; /* complete, or a record still growing (VYV_INCOMPLETE) */
}

/* Read the record (file or board; main.c made sure there is one) and
 * verify it. A file is streamed; the board's answers are gathered in memory
 * first (trustee/transport.c). */
int vyt_view_load(vyt_ctx *c)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc = -1, ch, got;
	const char *src = c->o->board ? c->o->board : c->o->record;

	if (c->o->board != NULL) {
		if ((got = vyt_board_get_record(c->o->board, &buf, &len, c->err)) != 0)
			return vyt_failed(c, got);
		f = len ? fmemopen(buf, len, "rb") : NULL;
		if (f == NULL && len != 0) {
			snprintf(c->err, sizeof c->err, "out of memory");
			c->status = VY_EXIT_IO;
			goto out;
		}
	} else {
		f = fopen(c->o->record, "rb");
		if (f == NULL) {
			snprintf(c->err, sizeof c->err, "cannot open %s: %s", c->o->record, strerror(errno));
			return vyt_failed(c, VYT_IO_ERROR);
		}
	}
	if (f == NULL || (ch = getc(f)) == EOF) {
		snprintf(c->err, sizeof c->err, "record %s is empty", src);
		goto out;
	}
	ungetc(ch, f);
	rc = view_verify(c, f, src);
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return rc;
}

/* This trustee's index: the manifest's trustee whose signing key is ours. */
int vyt_find_me(vyt_ctx *c)
{
	const Vybar__Manifest *m = c->v.st.manifest;
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];

	for (size_t i = 0; i < m->n_trustees; i++)
		if (m->trustees[i]->signing_key.len == crypto_sign_PUBLICKEYBYTES &&
		    memcmp(m->trustees[i]->signing_key.data, c->s->sign_pk, crypto_sign_PUBLICKEYBYTES) == 0) {
			c->v.me = m->trustees[i]->index;
			return 0;
		}
	sodium_bin2hex(hex, sizeof hex, c->s->sign_pk, crypto_sign_PUBLICKEYBYTES);
	snprintf(c->err, sizeof c->err, "this key (%s) is not a trustee of election %s", hex, m->election_id);
	return -1;
}

/* The decoded body of trustee idx's entry of type (NULL if absent). */
ProtobufCMessage *vyt_find_body(const vyt_view *v, Vybar__EntryType type, uint32_t idx,
				const ProtobufCMessageDescriptor *desc)
{
	for (size_t i = 0; i < v->n; i++) {
		Vybar__TrusteeSigned *ts = NULL;
		ProtobufCMessage *m = NULL;

		if (v->e[i]->type != type)
			continue;
		if (vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES,
				      v->e[i]->payload.data, v->e[i]->payload.len, NULL) != VY_R_OK)
			continue;
		if (ts->trustee_index == idx &&
		    vy_decode_message(&m, desc, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL) == VY_R_OK) {
			vy_msg_free(ts);
			return m;
		}
		vy_msg_free(ts);
	}
	return NULL;
}
