/*
 * A trustee's messages on their way out (specs/trustee.md §5): vyt_emit
 * signs a message's body (protocol.md §5.4), checks the message against the
 * record with its entry type's rule, as the board will (§8), so that a
 * message the board would refuse is never sent, then posts it to the board
 * or writes it to a message file (trustee/transport.h) for an air-gapped
 * trustee; `post` carries such a file to the board.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "protocol/vy_api.h"
#include "trustee/cheats.h"
#include "trustee/transport.h"
#include "trustee/trustee.h"

/* Sign body (§5.4), check the message against the record as the board
 * will (§8), then post it or write the message file. */
int vyt_emit(vyt_ctx *c, Vybar__EntryType type, const void *body_msg)
{
	Vybar__RecordEntry e;
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], fake_sk[crypto_sign_SECRETKEYBYTES] = { 0 };
	uint8_t *body, *payload = NULL;
	size_t blen, plen = 0;
	vy_reason why = { 0 };
	vy_rc rc;
	int ret = -1;

	body = vy_msg_pack(body_msg, &blen);
	if (body == NULL) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	vyt_secrets_open(c->s);
	payload = vy_trustee_signed_pack(&c->v.st.election, type, c->v.me, body, blen, c->s->sign_sk, &plen);
	vyt_secrets_close(c->s);
	free(body);
	if (payload == NULL) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	/* the entry's own rule (the frame signature is the board's business) */
	vy_entry_make(&e, sig, &c->v.st, type, payload, plen, fake_sk);
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		rc = vy_validate_key_announce(&c->v.st, payload, plen, &why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		rc = vy_validate_key_reveal(&c->v.st, payload, plen, &why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		rc = vy_validate_key_verdict(&c->v.st, payload, plen, &why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		rc = vy_validate_key_justification(&c->v.st, payload, plen, &why);
		break;
	default:
		rc = vyt_cheat_unchecked() ? VY_R_OK : vy_validate_partial_decryption(&c->v.st, payload, plen, &why);
	}
	if (rc != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "the message would be refused: %s", why.msg);
		goto out;
	}
	if (c->o->board != NULL)
		ret = vyt_board_post(c->o->board, vyt_msg_endpoint((uint32_t)type), payload, plen, NULL, NULL, c->err);
	else if (c->o->out != NULL)
		ret = vyt_msg_write(c->o->out, (uint32_t)type, payload, plen, c->err);
	else
		snprintf(c->err, sizeof c->err, "give --board URL or --out FILE for the message");
	if (ret < -1)
		ret = vyt_failed(c, ret);
	if (ret == 0)
		printf("trustee %u: %s message %s %s\n", c->v.me,
		       vyt_msg_endpoint((uint32_t)type) + strlen(VY_PATH_TRUSTEE),
		       c->o->board ? "posted to" : "written to", c->o->board ? c->o->board : c->o->out);
out:
	free(payload);
	return ret;
}

/* The message descriptor of a trustee message type's body (NULL: not one). */
static const ProtobufCMessageDescriptor *body_descriptor(uint32_t type)
{
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		return &vybar__key_announce__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		return &vybar__key_reveal__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		return &vybar__key_verdict__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return &vybar__key_justification__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
		return &vybar__partial_decryption__descriptor;
	default:
		return NULL;
	}
}

/* The trustee index a body names (every body's field 1). */
static uint32_t body_index(uint32_t type, const ProtobufCMessage *m)
{
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		return ((const Vybar__KeyAnnounce *)m)->trustee_index;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		return ((const Vybar__KeyReveal *)m)->trustee_index;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		return ((const Vybar__KeyVerdict *)m)->trustee_index;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return ((const Vybar__KeyJustification *)m)->trustee_index;
	default:
		return ((const Vybar__PartialDecryption *)m)->trustee_index;
	}
}

/* The message is of the kind its file's header says: a TrusteeSigned whose
 * body decodes as that type's message and names the signing trustee. Its
 * signature and its rules are the board's to check (they need the record).
 * *idx gets the trustee's index. */
static int message_kind(uint32_t type, const uint8_t *p, size_t n, uint32_t *idx, char *err)
{
	const ProtobufCMessageDescriptor *d = body_descriptor(type);
	Vybar__TrusteeSigned *ts = NULL;
	ProtobufCMessage *m = NULL;
	vy_reason why = { 0 };
	int r = -1;

	if (d == NULL) {
		snprintf(err, VYT_ERR_BYTES, "entry type %u is not a trustee message (2 announce, 3 reveal, "
			 "4 verdict, 12 justification, 10 partial decryption)", type);
		return -1;
	}
	if (vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES, p, n,
			      &why) != VY_R_OK) {
		snprintf(err, VYT_ERR_BYTES, "not a signed trustee message: %s", why.msg);
		return -1;
	}
	if (vy_decode_message(&m, d, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, &why) != VY_R_OK)
		snprintf(err, VYT_ERR_BYTES, "the header says a %s message, but the message is not one: %s",
			 vyt_msg_endpoint(type) + strlen(VY_PATH_TRUSTEE), why.msg);
	else if (body_index(type, m) != ts->trustee_index)
		snprintf(err, VYT_ERR_BYTES, "signed by trustee %u, but its body is trustee %u's", ts->trustee_index,
			 body_index(type, m));
	else
		r = 0;
	*idx = ts->trustee_index;
	vy_msg_free(m);
	vy_msg_free(ts);
	return r;
}

/* post: carry a message file (§5.2) to the board. It is signed already, so
 * no key is needed; the file's header and the message's kind are checked
 * before anything is sent, and the board checks the rest. */
int vyt_cmd_post(vyt_ctx *c)
{
	const vyt_opts *o = c->o;
	const uint8_t *payload;
	uint8_t *buf = NULL, head[VY_HASH_BYTES];
	char hex[2 * VY_HASH_BYTES + 1], why[VYT_ERR_BYTES];
	size_t len = 0, plen = 0;
	uint32_t type = 0, idx = 0;
	uint64_t seq = 0;
	vy_reason fwhy = { 0 };
	vy_rc frc = vy_file_read(&buf, &len, o->message, VYT_MSG_HDR_BYTES + (size_t)VY_MAX_MESSAGE_BYTES + 1, 0,
				 &fwhy);
	int r = -1;

	if (frc != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "%s (nothing sent)", fwhy.msg);
		return vyt_failed(c, frc == VY_R_TOO_LARGE ? VYT_REFUSED : VYT_IO_ERROR);
	}
	if (vyt_msg_parse(buf, len, &type, &payload, &plen, why) != 0 ||
	    message_kind(type, payload, plen, &idx, why) != 0) {
		snprintf(c->err, sizeof c->err, "%.2048s: %.4096s (nothing sent)", o->message, why);
		goto out;
	}
	if ((r = vyt_board_post(o->board, vyt_msg_endpoint(type), payload, plen, &seq, head, why)) != 0) {
		snprintf(c->err, sizeof c->err, "%.2048s: %.4096s", o->message, why);
		r = vyt_failed(c, r);
		goto out;
	}
	sodium_bin2hex(hex, sizeof hex, head, sizeof head);
	printf("trustee %u: %s message posted to %s: entry %llu, head %s\n", idx,
	       vyt_msg_endpoint(type) + strlen(VY_PATH_TRUSTEE), o->board, (unsigned long long)seq, hex);
	r = 0;
out:
	free(buf);
	return r;
}
