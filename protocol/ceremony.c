/*
 * The key ceremony in the record (specs/protocol.md §5 and §8.3-§8.5):
 * trustee-signed announce, reveal and verdict messages, and the board's
 * election-open entry carrying the joint key.
 *
 *   round 1  KeyAnnounce: X25519 key, H(A_0..A_{t-1})      (every trustee)
 *   round 2  KeyReveal: A_0..A_{t-1}, Schnorr proofs, sealed shares
 *            (only once every trustee has announced)
 *   round 3  KeyVerdict: accept, or complaints             (after every reveal)
 *   open     joint key K = prod_i A_{i,0}                  (after every verdict)
 *
 * Complaints and the disqualification rule belong to the trustee issue:
 * a verdict with a complaint fails with VY_R_NOT_IMPLEMENTED.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "crypto/vy_proof.h"
#include "protocol/record_impl.h"

#define SHARE_BYTES VY_SCALAR_BYTES
#define SEALED_SHARE_BYTES (crypto_box_SEALBYTES + SHARE_BYTES)

void vy_trustee_signed_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t type,
			    uint32_t trustee_index, const uint8_t *body, size_t body_len)
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_TRUSTEE_SIGNED);
	vy_hasher_item(&h, base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, type);
	vy_hasher_u64(&h, trustee_index);
	vy_hasher_item(&h, body, body_len);
	vy_hasher_final(&h, out);
}

void vy_coefficient_commitment_hash(uint8_t out[VY_HASH_BYTES], const vy_election *e, uint32_t index,
				    const vy_elem *commits, size_t t)
{
	size_t eb = vy_group_elem_bytes(e->group);
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_COEFF_COMMIT);
	vy_hasher_item(&h, e->base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, index);
	for (size_t j = 0; j < t; j++)
		vy_hasher_item(&h, commits[j].b, eb);
	vy_hasher_final(&h, out);
}

size_t vy_coefficient_proof_ctx(uint8_t out[VY_CTX_MAX_BYTES], uint32_t index, uint32_t j)
{
	uint64_t v[2] = { index, j };
	size_t pos = 0;

	for (size_t k = 0; k < 2; k++) {
		out[pos++] = 0;
		out[pos++] = 0;
		out[pos++] = 0;
		out[pos++] = 8;
		for (int i = 7; i >= 0; i--)
			out[pos++] = (uint8_t)(v[k] >> (8 * i));
	}
	return pos;
}

/* §5.4: decode the TrusteeSigned wrapper, check the trustee index and the
 * signature, then decode the body as desc. */
static vy_rc open_signed(const vy_record_state *st, Vybar__EntryType type, const ProtobufCMessageDescriptor *desc,
			 const uint8_t *p, size_t n, uint32_t *index, ProtobufCMessage **body, vy_reason *why)
{
	Vybar__TrusteeSigned *ts = NULL;
	uint8_t h[VY_HASH_BYTES];
	const uint8_t *key;
	vy_rc rc;

	*body = NULL;
	if (st->phase != VY_PHASE_SETUP)
		return vy_reason_set(why, VY_R_PHASE, "%s: only during the key ceremony", desc->short_name);
	rc = vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES, p, n,
			       why);
	if (rc != VY_R_OK)
		return rc;
	if (ts->trustee_index < 1 || ts->trustee_index > st->manifest->trustee_count) {
		rc = vy_reason_set(why, VY_R_TRUSTEE, "%s: trustee index %u is not 1..%u", desc->short_name,
				   ts->trustee_index, st->manifest->trustee_count);
		goto out;
	}
	key = st->manifest->trustees[ts->trustee_index - 1]->signing_key.data;
	vy_trustee_signed_hash(h, st->election.base_hash, (uint64_t)type, ts->trustee_index, ts->body.data, ts->body.len);
	if (ts->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(ts->signature.data, h, sizeof h, key) != 0) {
		rc = vy_reason_set(why, VY_R_TRUSTEE_SIGNATURE, "%s: trustee %u signature does not verify",
				   desc->short_name, ts->trustee_index);
		goto out;
	}
	*index = ts->trustee_index;
	rc = vy_decode_message(body, desc, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, why);
out:
	vy_msg_free(ts);
	return rc;
}

/* Count of trustees with the given flag set. */
static size_t count_flag(const vy_record_state *st, size_t offset)
{
	size_t c = 0;

	for (size_t i = 0; i < st->manifest->trustee_count; i++)
		c += *(const int *)((const char *)&st->trustees[i] + offset) != 0;
	return c;
}

/* §8.3: round 1. */
vy_rc vy_validate_key_announce(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__KeyAnnounce *a = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = open_signed(st, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, &vybar__key_announce__descriptor, p, n, &idx,
			 (ProtobufCMessage **)&a, why);
	if (rc != VY_R_OK)
		goto out;
	if (a->trustee_index != idx)
		rc = vy_reason_set(why, VY_R_TRUSTEE, "announce: body names trustee %u, signed by %u", a->trustee_index, idx);
	else if (st->trustees[idx - 1].announced)
		rc = vy_reason_set(why, VY_R_DUPLICATE, "announce: trustee %u has already announced", idx);
	else if (a->encryption_key.len != VY_X25519_PK_BYTES)
		rc = vy_reason_set(why, VY_R_KEY, "announce: trustee %u encryption_key must be %d bytes", idx,
				   VY_X25519_PK_BYTES);
	else if (a->commitment_hash.len != VY_HASH_BYTES)
		rc = vy_reason_set(why, VY_R_FIELD, "announce: trustee %u commitment_hash must be %d bytes", idx,
				   VY_HASH_BYTES);
out:
	vy_msg_free(a);
	return rc;
}

/* §8.4 (shares): one sealed share for every other trustee. */
static vy_rc check_shares(const vy_record_state *st, const Vybar__KeyReveal *r, vy_reason *why)
{
	uint32_t n = st->manifest->trustee_count;
	uint8_t seen[VY_MAX_TRUSTEES + 1] = { 0 };

	if (r->n_shares != n - 1)
		return vy_reason_set(why, VY_R_SHAPE, "reveal: trustee %u sends %zu shares, must be %u", r->trustee_index,
				     r->n_shares, n - 1);
	for (size_t i = 0; i < r->n_shares; i++) {
		uint32_t to = r->shares[i]->recipient_index;

		if (to < 1 || to > n || to == r->trustee_index || seen[to])
			return vy_reason_set(why, VY_R_FIELD, "reveal: trustee %u share %zu: recipient %u is invalid",
					     r->trustee_index, i, to);
		seen[to] = 1;
		if (r->shares[i]->sealed.len != SEALED_SHARE_BYTES)
			return vy_reason_set(why, VY_R_FIELD, "reveal: trustee %u share for %u must be %d bytes",
					     r->trustee_index, to, SEALED_SHARE_BYTES);
	}
	return VY_R_OK;
}

/* §8.4 (commitments): t elements, matching the announced hash, each with a
 * Schnorr proof of knowledge of its coefficient. commits receives them. */
static vy_rc check_commitments(const vy_record_state *st, const Vybar__KeyReveal *r, vy_elem *commits,
			       vy_reason *why)
{
	const vy_election *e = &st->election;
	size_t t = st->manifest->threshold;
	uint8_t h[VY_HASH_BYTES], ctx[VY_CTX_MAX_BYTES];
	vy_schnorr_proof pr;
	vy_proof_ctx pc;

	if (r->n_commitments != t || r->n_proofs != t)
		return vy_reason_set(why, VY_R_SHAPE, "reveal: trustee %u: %zu commitments and %zu proofs, must be %zu",
				     r->trustee_index, r->n_commitments, r->n_proofs, t);
	for (size_t j = 0; j < t; j++)
		if (vy_elem_decode_nonidentity(e->group, &commits[j], r->commitments[j].data, r->commitments[j].len) !=
		    VY_OK)
			return vy_reason_set(why, VY_R_ELEMENT, "reveal: trustee %u commitment %zu is not a valid element",
					     r->trustee_index, j);
	vy_coefficient_commitment_hash(h, e, r->trustee_index, commits, t);
	if (memcmp(h, st->trustees[r->trustee_index - 1].commitment_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_COMMITMENT, "reveal: trustee %u commitments do not match the announced hash",
				     r->trustee_index);
	pc.group = e->group;
	memcpy(pc.base_hash, e->base_hash, VY_HASH_BYTES);
	pc.ctx = ctx;
	for (size_t j = 0; j < t; j++) {
		const Vybar__ChallengeResponse *cr = r->proofs[j];

		if (vy_scalar_decode(e->group, &pr.c, cr->c.data, cr->c.len) != VY_OK ||
		    vy_scalar_decode(e->group, &pr.v, cr->v.data, cr->v.len) != VY_OK)
			return vy_reason_set(why, VY_R_SCALAR, "reveal: trustee %u proof %zu: invalid scalar",
					     r->trustee_index, j);
		pc.ctx_len = vy_coefficient_proof_ctx(ctx, r->trustee_index, (uint32_t)j);
		if (vy_schnorr_verify(&pc, &pr, &commits[j]) != VY_OK)
			return vy_reason_set(why, VY_R_COMMITMENT, "reveal: trustee %u proof %zu does not verify",
					     r->trustee_index, j);
	}
	return VY_R_OK;
}

/* §8.4: round 2. */
vy_rc vy_validate_key_reveal(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__KeyReveal *r = NULL;
	vy_elem *commits = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = open_signed(st, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, &vybar__key_reveal__descriptor, p, n, &idx,
			 (ProtobufCMessage **)&r, why);
	if (rc != VY_R_OK)
		goto out;
	if (r->trustee_index != idx) {
		rc = vy_reason_set(why, VY_R_TRUSTEE, "reveal: body names trustee %u, signed by %u", r->trustee_index, idx);
	} else if (count_flag(st, offsetof(vy_trustee_state, announced)) != st->manifest->trustee_count) {
		rc = vy_reason_set(why, VY_R_PHASE, "reveal: trustee %u reveals before every trustee has announced", idx);
	} else if (st->trustees[idx - 1].revealed) {
		rc = vy_reason_set(why, VY_R_DUPLICATE, "reveal: trustee %u has already revealed", idx);
	} else {
		commits = calloc(st->manifest->threshold, sizeof *commits);
		if (commits == NULL)
			rc = vy_reason_set(why, VY_R_NOMEM, "reveal: out of memory");
		else
			rc = check_commitments(st, r, commits, why);
		if (rc == VY_R_OK)
			rc = check_shares(st, r, why);
	}
out:
	free(commits);
	vy_msg_free(r);
	return rc;
}

/* §8.5: round 3. */
vy_rc vy_validate_key_verdict(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__KeyVerdict *v = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = open_signed(st, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, &vybar__key_verdict__descriptor, p, n, &idx,
			 (ProtobufCMessage **)&v, why);
	if (rc != VY_R_OK)
		goto out;
	if (v->trustee_index != idx)
		rc = vy_reason_set(why, VY_R_TRUSTEE, "verdict: body names trustee %u, signed by %u", v->trustee_index, idx);
	else if (count_flag(st, offsetof(vy_trustee_state, revealed)) != st->manifest->trustee_count)
		rc = vy_reason_set(why, VY_R_PHASE, "verdict: trustee %u gives a verdict before every trustee has revealed",
				   idx);
	else if (st->trustees[idx - 1].verdict)
		rc = vy_reason_set(why, VY_R_DUPLICATE, "verdict: trustee %u has already given a verdict", idx);
	else if (!v->accept_all || v->n_complaints != 0)
		rc = vy_reason_set(why, VY_R_NOT_IMPLEMENTED,
				   "verdict: trustee %u complains; complaint resolution and disqualification are not "
				   "implemented yet (trustee issue)", idx);
out:
	vy_msg_free(v);
	return rc;
}

/* The joint key: the product of every trustee's A_0. */
static void joint_key(const vy_record_state *st, vy_elem *out)
{
	vy_elem_identity(st->election.group, out);
	for (size_t i = 0; i < st->manifest->trustee_count; i++)
		vy_elem_mul(st->election.group, out, out, &st->trustees[i].commitments[0]);
}

/* §8.5 (open): every trustee accepted; the joint key is prod_i A_{i,0}. */
vy_rc vy_validate_election_open(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__ElectionOpen *o = NULL;
	uint32_t tc;
	vy_elem k, expect;
	vy_rc rc;

	if (st->phase != VY_PHASE_SETUP)
		return vy_reason_set(why, VY_R_PHASE, "open: only at the end of the key ceremony");
	tc = st->manifest->trustee_count;
	if (count_flag(st, offsetof(vy_trustee_state, verdict)) != tc)
		return vy_reason_set(why, VY_R_PHASE, "open: not every trustee has accepted the ceremony");
	rc = vy_decode_message((ProtobufCMessage **)&o, &vybar__election_open__descriptor, VY_MAX_MESSAGE_BYTES, p, n,
			       why);
	if (rc != VY_R_OK)
		return rc;
	if (o->n_qualified_trustees != tc) {
		rc = vy_reason_set(why, VY_R_FIELD, "open: %zu qualified trustees, must be all %u", o->n_qualified_trustees,
				   tc);
		goto out;
	}
	for (size_t i = 0; i < tc; i++)
		if (o->qualified_trustees[i] != i + 1) {
			rc = vy_reason_set(why, VY_R_FIELD, "open: qualified trustee %zu is %u, must be %zu", i,
					   o->qualified_trustees[i], i + 1);
			goto out;
		}
	if (vy_elem_decode_nonidentity(st->election.group, &k, o->joint_public_key.data, o->joint_public_key.len) !=
	    VY_OK) {
		rc = vy_reason_set(why, VY_R_ELEMENT, "open: joint_public_key is not a valid element");
		goto out;
	}
	joint_key(st, &expect);
	if (!vy_elem_eq(st->election.group, &k, &expect))
		rc = vy_reason_set(why, VY_R_JOINT_KEY, "open: joint_public_key is not the product of the trustees' A_0");
out:
	vy_msg_free(o);
	return rc;
}

/* Re-open the trusted wrapper of an accepted entry and decode its body. */
static vy_rc body_of(const Vybar__RecordEntry *e, const ProtobufCMessageDescriptor *d, ProtobufCMessage **out,
		     vy_reason *why)
{
	Vybar__TrusteeSigned *ts = NULL;
	vy_rc rc;

	rc = vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES,
			       e->payload.data, e->payload.len, why);
	if (rc == VY_R_OK)
		rc = vy_decode_message(out, d, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, why);
	vy_msg_free(ts);
	return rc;
}

/* Apply a reveal: keep the commitments (already validated). */
static vy_rc apply_reveal(vy_record_state *st, const Vybar__KeyReveal *r, vy_reason *why)
{
	vy_trustee_state *ts = &st->trustees[r->trustee_index - 1];
	size_t t = st->manifest->threshold;

	ts->commitments = calloc(t, sizeof *ts->commitments);
	if (ts->commitments == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "reveal: out of memory");
	for (size_t j = 0; j < t; j++)
		if (vy_elem_decode_nonidentity(st->election.group, &ts->commitments[j], r->commitments[j].data,
					       r->commitments[j].len) != VY_OK)
			return vy_reason_set(why, VY_R_ELEMENT, "reveal: commitment %zu", j);
	ts->revealed = 1;
	return VY_R_OK;
}

vy_rc vy_ceremony_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	ProtobufCMessage *m = NULL;
	vy_rc rc = VY_R_OK;

	switch (e->type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		rc = body_of(e, &vybar__key_announce__descriptor, &m, why);
		if (rc == VY_R_OK) {
			Vybar__KeyAnnounce *a = (Vybar__KeyAnnounce *)m;

			memcpy(st->trustees[a->trustee_index - 1].commitment_hash, a->commitment_hash.data, VY_HASH_BYTES);
			st->trustees[a->trustee_index - 1].announced = 1;
		}
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		rc = body_of(e, &vybar__key_reveal__descriptor, &m, why);
		if (rc == VY_R_OK)
			rc = apply_reveal(st, (Vybar__KeyReveal *)m, why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		rc = body_of(e, &vybar__key_verdict__descriptor, &m, why);
		if (rc == VY_R_OK)
			st->trustees[((Vybar__KeyVerdict *)m)->trustee_index - 1].verdict = 1;
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN: {
		vy_elem k;

		joint_key(st, &k);
		vy_election_set_joint_key(&st->election, &k);
		st->phase = VY_PHASE_OPEN;
		break;
	}
	default:
		rc = vy_reason_set(why, VY_R_ARG, "ceremony apply: wrong entry type %d", (int)e->type);
	}
	vy_msg_free(m);
	return rc;
}
