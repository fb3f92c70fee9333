/*
 * The key ceremony in the record (specs/protocol.md §5 and §8.3-§8.5):
 * trustee-signed announce, reveal, verdict and justification messages, the
 * disqualification rule, and the board's election-open entry carrying the
 * joint key.
 *
 *   round 1  KeyAnnounce: X25519 key, H(A_0..A_{t-1})      (every trustee)
 *   round 2  KeyReveal: A_0..A_{t-1}, Schnorr proofs, sealed shares
 *            (only once every trustee has announced)
 *   round 3  KeyVerdict: accept, or complaints             (after every reveal)
 *   round 3b KeyJustification: the accused publishes f_i(k) in the clear
 *            for every complainer k                        (after every verdict)
 *   open     qualified Q = trustees not disqualified (§5.3);
 *            joint key K = prod_{i in Q} A_{i,0}           (after every verdict)
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "crypto/vy_proof.h"
#include "crypto/vy_shamir.h"
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

uint8_t *vy_trustee_signed_pack(const vy_election *e, Vybar__EntryType type, uint32_t index, const uint8_t *body,
				size_t body_len, const uint8_t *sk, size_t *len)
{
	Vybar__TrusteeSigned ts = VYBAR__TRUSTEE_SIGNED__INIT;
	uint8_t h[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES];

	ts.trustee_index = index;
	ts.body.data = (uint8_t *)body;
	ts.body.len = body_len;
	vy_trustee_signed_hash(h, e->base_hash, (uint64_t)type, index, body, body_len);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	ts.signature.data = sig;
	ts.signature.len = sizeof sig;
	return vy_msg_pack(&ts, len);
}

/* The phase names used in messages. */
static const char *signed_phase_name(vy_phase p)
{
	return p == VY_PHASE_SETUP ? "during the key ceremony" : "after the election closed";
}

/* §5.4: decode the TrusteeSigned wrapper, check the trustee index and the
 * signature, then decode the body as desc. */
vy_rc vy_open_signed(const vy_record_state *st, vy_phase phase, Vybar__EntryType type,
		     const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t n, uint32_t *index,
		     ProtobufCMessage **body, vy_reason *why)
{
	Vybar__TrusteeSigned *ts = NULL;
	uint8_t h[VY_HASH_BYTES];
	const uint8_t *key;
	vy_rc rc;

	*body = NULL;
	if (st->phase != phase)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_PHASE, "%s: only %s", desc->short_name,
						     signed_phase_name(phase)),
				       "V1.7");
	rc = vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES, p, n,
			       why);
	if (rc != VY_R_OK)
		return rc;
	if (ts->trustee_index < 1 || ts->trustee_index > st->manifest->trustee_count) {
		rc = vy_reason_set(why, VY_R_TRUSTEE, "%s: trustee index %u is not 1..%u", desc->short_name,
				   ts->trustee_index, st->manifest->trustee_count);
		vy_reason_check(why, rc, "V3.1");
		goto out;
	}
	key = st->manifest->trustees[ts->trustee_index - 1]->signing_key.data;
	vy_trustee_signed_hash(h, st->election.base_hash, (uint64_t)type, ts->trustee_index, ts->body.data, ts->body.len);
	if (ts->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(ts->signature.data, h, sizeof h, key) != 0) {
		rc = vy_reason_set(why, VY_R_TRUSTEE_SIGNATURE, "%s: trustee %u signature does not verify",
				   desc->short_name, ts->trustee_index);
		vy_reason_check(why, rc, "V3.1");
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

/* §5.3 the disqualification rule: trustee i (1-based) qualifies unless
 * someone complained against it and it published no justification. */
static int is_qualified(const vy_record_state *st, uint32_t i)
{
	const vy_trustee_state *ts = &st->trustees[i - 1];

	return ts->complained_by == 0 || ts->justified;
}

/* §8.3: round 1. */
vy_rc vy_validate_key_announce(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__KeyAnnounce *a = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = vy_open_signed(st, VY_PHASE_SETUP, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE,
			    &vybar__key_announce__descriptor, p, n, &idx, (ProtobufCMessage **)&a, why);
	if (rc != VY_R_OK)
		goto out;
	if (a->trustee_index != idx)
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_TRUSTEE, "announce: body names trustee %u, signed by %u",
						   a->trustee_index, idx),
				     "V3.1");
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
	return vy_reason_check(why, rc, "V3.2");
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
			return vy_reason_check(why,
					       vy_reason_set(why, VY_R_SCALAR, "reveal: trustee %u proof %zu: invalid scalar",
							     r->trustee_index, j),
					       "V3.5");
		pc.ctx_len = vy_coefficient_proof_ctx(ctx, r->trustee_index, (uint32_t)j);
		if (vy_schnorr_verify(&pc, &pr, &commits[j]) != VY_OK)
			return vy_reason_check(why,
					       vy_reason_set(why, VY_R_COMMITMENT, "reveal: trustee %u proof %zu does not verify",
							     r->trustee_index, j),
					       "V3.5");
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

	rc = vy_open_signed(st, VY_PHASE_SETUP, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, &vybar__key_reveal__descriptor,
			    p, n, &idx, (ProtobufCMessage **)&r, why);
	if (rc != VY_R_OK)
		goto out;
	if (r->trustee_index != idx) {
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_TRUSTEE, "reveal: body names trustee %u, signed by %u",
						   r->trustee_index, idx),
				     "V3.1");
	} else if (count_flag(st, offsetof(vy_trustee_state, announced)) != st->manifest->trustee_count) {
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_PHASE,
						   "reveal: trustee %u reveals before every trustee has announced", idx),
				     "V3.3");
	} else if (st->trustees[idx - 1].revealed) {
		rc = vy_reason_check(why, vy_reason_set(why, VY_R_DUPLICATE, "reveal: trustee %u has already revealed", idx),
				     "V3.3");
	} else {
		commits = calloc(st->manifest->threshold, sizeof *commits);
		if (commits == NULL)
			rc = vy_reason_set(why, VY_R_NOMEM, "reveal: out of memory");
		else
			rc = vy_reason_check(why, check_commitments(st, r, commits, why), "V3.4");
		if (rc == VY_R_OK)
			rc = vy_reason_check(why, check_shares(st, r, why), "V3.6");
	}
out:
	free(commits);
	vy_msg_free(r);
	return rc;
}

/* §5.3 (complaints of a verdict): against another trustee 1..n, in strictly
 * ascending order; reason at most VY_MAX_TEXT_BYTES; revealed_share empty
 * or SHARE_BYTES long (informative); sealed_key_proof empty (reserved). */
static vy_rc check_complaints(const vy_record_state *st, const Vybar__KeyVerdict *v, vy_reason *why)
{
	uint32_t idx = v->trustee_index, prev = 0;

	if (v->accept_all && v->n_complaints != 0)
		return vy_reason_set(why, VY_R_FIELD, "verdict: trustee %u accepts all and complains", idx);
	if (!v->accept_all && v->n_complaints == 0)
		return vy_reason_set(why, VY_R_FIELD, "verdict: trustee %u neither accepts nor complains", idx);
	for (size_t i = 0; i < v->n_complaints; i++) {
		const Vybar__Complaint *c = v->complaints[i];
		uint32_t a = c->against_index;

		if (a < 1 || a > st->manifest->trustee_count || a == idx)
			return vy_reason_set(why, VY_R_TRUSTEE, "verdict: trustee %u complaint %zu: against %u is invalid",
					     idx, i, a);
		if (a == prev)
			return vy_reason_set(why, VY_R_DUPLICATE, "verdict: trustee %u complains twice against %u", idx, a);
		if (a < prev)
			return vy_reason_set(why, VY_R_FIELD, "verdict: trustee %u complaints are not in ascending order",
					     idx);
		prev = a;
		if (c->reason != NULL && strlen(c->reason) > VY_MAX_TEXT_BYTES)
			return vy_reason_set(why, VY_R_FIELD, "verdict: trustee %u complaint against %u: reason too long",
					     idx, a);
		if (c->revealed_share.len != 0 && c->revealed_share.len != SHARE_BYTES)
			return vy_reason_set(why, VY_R_FIELD,
					     "verdict: trustee %u complaint against %u: revealed_share must be 0 or %d bytes",
					     idx, a, SHARE_BYTES);
		if (c->sealed_key_proof.len != 0)
			return vy_reason_set(why, VY_R_FIELD,
					     "verdict: trustee %u complaint against %u: sealed_key_proof must be empty", idx, a);
	}
	return VY_R_OK;
}

/* §8.5: round 3. */
vy_rc vy_validate_key_verdict(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__KeyVerdict *v = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = vy_open_signed(st, VY_PHASE_SETUP, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT,
			    &vybar__key_verdict__descriptor, p, n, &idx, (ProtobufCMessage **)&v, why);
	if (rc != VY_R_OK)
		goto out;
	if (v->trustee_index != idx)
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_TRUSTEE, "verdict: body names trustee %u, signed by %u",
						   v->trustee_index, idx),
				     "V3.1");
	else if (count_flag(st, offsetof(vy_trustee_state, revealed)) != st->manifest->trustee_count)
		rc = vy_reason_set(why, VY_R_PHASE, "verdict: trustee %u gives a verdict before every trustee has revealed",
				   idx);
	else if (st->trustees[idx - 1].verdict)
		rc = vy_reason_set(why, VY_R_DUPLICATE, "verdict: trustee %u has already given a verdict", idx);
	else
		rc = check_complaints(st, v, why);
out:
	vy_msg_free(v);
	return vy_reason_check(why, rc, "V3.7");
}

/* §5.3 (justified shares): exactly one per complainer, ascending, each a
 * scalar matching the accused's own commitments at the complainer's index. */
static vy_rc check_justified(const vy_record_state *st, const Vybar__KeyJustification *j, vy_reason *why)
{
	const vy_trustee_state *ts = &st->trustees[j->trustee_index - 1];
	uint32_t idx = j->trustee_index, k = 0;
	size_t expected = 0;
	vy_scalar s;
	vy_rc rc = VY_R_OK;

	for (uint32_t i = 0; i < VY_MAX_TRUSTEES; i++)
		expected += (ts->complained_by >> i) & 1;
	if (j->n_shares != expected)
		return vy_reason_set(why, VY_R_SHAPE, "justification: trustee %u answers %zu complaints, there are %zu", idx,
				     j->n_shares, expected);
	for (size_t i = 0; i < j->n_shares; i++) {
		const Vybar__JustifiedShare *js = j->shares[i];

		/* the next complainer in ascending order */
		for (k++; k <= VY_MAX_TRUSTEES && !((ts->complained_by >> (k - 1)) & 1); k++)
			;
		if (js->complainer_index != k) {
			rc = vy_reason_set(why, VY_R_FIELD, "justification: trustee %u share %zu is for %u, must be for %u",
					   idx, i, js->complainer_index, k);
			break;
		}
		if (vy_scalar_decode(st->election.group, &s, js->share.data, js->share.len) != VY_OK) {
			rc = vy_reason_set(why, VY_R_SCALAR, "justification: trustee %u share for %u: invalid scalar", idx, k);
			break;
		}
		if (vy_feldman_verify_share(st->election.group, ts->commitments, st->manifest->threshold, k, &s) != VY_OK) {
			rc = vy_reason_set(why, VY_R_COMMITMENT,
					   "justification: trustee %u share for %u does not match its commitments", idx, k);
			break;
		}
	}
	vy_wipe(&s, sizeof s);
	return rc;
}

/* §5.3: round 3b, the accused's answer. */
vy_rc vy_validate_key_justification(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__KeyJustification *j = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = vy_open_signed(st, VY_PHASE_SETUP, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION,
			    &vybar__key_justification__descriptor, p, n, &idx, (ProtobufCMessage **)&j, why);
	if (rc != VY_R_OK)
		goto out;
	if (j->trustee_index != idx)
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_TRUSTEE, "justification: body names trustee %u, signed by %u",
						   j->trustee_index, idx),
				     "V3.1");
	else if (count_flag(st, offsetof(vy_trustee_state, verdict)) != st->manifest->trustee_count)
		rc = vy_reason_set(why, VY_R_PHASE, "justification: trustee %u answers before every trustee gave a verdict",
				   idx);
	else if (st->trustees[idx - 1].complained_by == 0)
		rc = vy_reason_set(why, VY_R_FIELD, "justification: nobody complained against trustee %u", idx);
	else if (st->trustees[idx - 1].justified)
		rc = vy_reason_set(why, VY_R_DUPLICATE, "justification: trustee %u has already answered", idx);
	else
		rc = check_justified(st, j, why);
out:
	vy_msg_free(j);
	return vy_reason_check(why, rc, "V3.8");
}

/* The joint key: the product of A_{i,0} over the qualified trustees. */
static void joint_key(const vy_record_state *st, vy_elem *out)
{
	vy_elem_identity(st->election.group, out);
	for (uint32_t i = 1; i <= st->manifest->trustee_count; i++)
		if (is_qualified(st, i))
			vy_elem_mul(st->election.group, out, out, &st->trustees[i - 1].commitments[0]);
}

/* §5.5: at least t trustees qualify; otherwise a reason naming the
 * disqualified ones. */
static vy_rc check_enough_qualified(const vy_record_state *st, vy_reason *why)
{
	uint32_t n = st->manifest->trustee_count, q = 0;
	char names[VY_REASON_MSG_BYTES] = "";
	size_t pos = 0;

	for (uint32_t i = 1; i <= n; i++) {
		if (is_qualified(st, i)) {
			q++;
			continue;
		}
		if (pos < sizeof names)
			pos += (size_t)snprintf(names + pos, sizeof names - pos, "%s%u", pos ? ", " : "", i);
	}
	if (q >= st->manifest->threshold)
		return VY_R_OK;
	return vy_reason_set(why, VY_R_TRUSTEES,
			     "open: only %u trustees qualify, threshold %u (disqualified: %s); the election cannot open", q,
			     st->manifest->threshold, names);
}

/* §5.5: qualified_trustees lists exactly the qualified trustees, ascending. */
static vy_rc check_qualified_list(const vy_record_state *st, const Vybar__ElectionOpen *o, vy_reason *why)
{
	size_t k = 0;

	for (uint32_t i = 1; i <= st->manifest->trustee_count; i++) {
		if (!is_qualified(st, i))
			continue;
		if (k >= o->n_qualified_trustees || o->qualified_trustees[k] != i)
			return vy_reason_set(why, VY_R_FIELD, "open: qualified trustee %zu must be %u", k, i);
		k++;
	}
	if (k != o->n_qualified_trustees)
		return vy_reason_set(why, VY_R_FIELD, "open: %zu qualified trustees listed, %zu qualify",
				     o->n_qualified_trustees, k);
	return VY_R_OK;
}

/* §8.5 (open): every trustee gave a verdict; qualified is the set of §5.3,
 * with at least t members; the joint key is prod_{i qualified} A_{i,0}. */
vy_rc vy_validate_election_open(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__ElectionOpen *o = NULL;
	vy_elem k, expect;
	vy_rc rc;

	if (st->phase != VY_PHASE_SETUP)
		return vy_reason_check(why, vy_reason_set(why, VY_R_PHASE, "open: only at the end of the key ceremony"),
				       "V1.7");
	if (count_flag(st, offsetof(vy_trustee_state, verdict)) != st->manifest->trustee_count)
		return vy_reason_check(why, vy_reason_set(why, VY_R_PHASE, "open: not every trustee has given a verdict"),
				       "V3.9");
	rc = vy_decode_message((ProtobufCMessage **)&o, &vybar__election_open__descriptor, VY_MAX_MESSAGE_BYTES, p, n,
			       why);
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V3.9");
	rc = check_enough_qualified(st, why);
	if (rc == VY_R_OK)
		rc = check_qualified_list(st, o, why);
	if (rc != VY_R_OK)
		goto out;
	if (vy_elem_decode_nonidentity(st->election.group, &k, o->joint_public_key.data, o->joint_public_key.len) !=
	    VY_OK) {
		rc = vy_reason_set(why, VY_R_ELEMENT, "open: joint_public_key is not a valid element");
		goto out;
	}
	joint_key(st, &expect);
	if (!vy_elem_eq(st->election.group, &k, &expect))
		rc = vy_reason_set(why, VY_R_JOINT_KEY,
				   "open: joint_public_key is not the product of the qualified trustees' A_0");
out:
	vy_msg_free(o);
	return vy_reason_check(why, rc, "V3.9");
}

vy_rc vy_ceremony_open(const vy_record_state *st, uint8_t **out, size_t *len, vy_reason *why)
{
	Vybar__ElectionOpen o = VYBAR__ELECTION_OPEN__INIT;
	uint32_t q[VY_MAX_TRUSTEES];
	uint8_t enc[VY_ELEM_MAX_BYTES];
	vy_elem k;
	vy_rc rc;

	*out = NULL;
	if (st->phase != VY_PHASE_SETUP)
		return vy_reason_set(why, VY_R_PHASE, "open: only at the end of the key ceremony");
	if (count_flag(st, offsetof(vy_trustee_state, verdict)) != st->manifest->trustee_count)
		return vy_reason_set(why, VY_R_PHASE, "open: not every trustee has given a verdict");
	rc = check_enough_qualified(st, why);
	if (rc != VY_R_OK)
		return rc;
	for (uint32_t i = 1; i <= st->manifest->trustee_count; i++)
		if (is_qualified(st, i))
			q[o.n_qualified_trustees++] = i;
	o.qualified_trustees = q;
	joint_key(st, &k);
	vy_elem_encode(st->election.group, enc, &k);
	o.joint_public_key.data = enc;
	o.joint_public_key.len = vy_group_elem_bytes(st->election.group);
	*out = vy_msg_pack(&o, len);
	if (*out == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "open: out of memory");
	return VY_R_OK;
}

/* Re-open the trusted wrapper of an accepted entry and decode its body. */
vy_rc vy_signed_body_of(const Vybar__RecordEntry *e, const ProtobufCMessageDescriptor *d, ProtobufCMessage **out,
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
	vy_elem *c = calloc(t, sizeof *c);

	if (c == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "reveal: out of memory");
	for (size_t j = 0; j < t; j++)
		if (vy_elem_decode_nonidentity(st->election.group, &c[j], r->commitments[j].data,
					       r->commitments[j].len) != VY_OK) {
			free(c);
			return vy_reason_set(why, VY_R_ELEMENT, "reveal: commitment %zu", j);
		}
	ts->commitments = c;
	ts->revealed = 1;
	return VY_R_OK;
}

/* Apply a verdict: remember who complained against whom (§5.3). */
static void apply_verdict(vy_record_state *st, const Vybar__KeyVerdict *v)
{
	st->trustees[v->trustee_index - 1].verdict = 1;
	for (size_t i = 0; i < v->n_complaints; i++)
		st->trustees[v->complaints[i]->against_index - 1].complained_by |= (uint64_t)1
										  << (v->trustee_index - 1);
}

/* §5.5 apply open: the qualified set, the joint key, and every qualified
 * trustee's verification key vk_k = prod_{i in Q} prod_j A_{i,j}^{k^j},
 * computed as the Feldman evaluation at k of C_j = prod_{i in Q} A_{i,j}. */
static vy_rc apply_open(vy_record_state *st, vy_reason *why)
{
	const vy_group *g = st->election.group;
	size_t t = st->manifest->threshold;
	uint32_t n = st->manifest->trustee_count;
	vy_elem *c = calloc(t, sizeof *c), k;

	if (c == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "open: out of memory");
	for (size_t j = 0; j < t; j++) {
		vy_elem_identity(g, &c[j]);
		for (uint32_t i = 1; i <= n; i++)
			if (is_qualified(st, i))
				vy_elem_mul(g, &c[j], &c[j], &st->trustees[i - 1].commitments[j]);
	}
	st->n_qualified = 0;
	for (uint32_t i = 1; i <= n; i++) {
		st->trustees[i - 1].qualified = is_qualified(st, i);
		if (st->trustees[i - 1].qualified) {
			vy_feldman_eval(g, &st->trustees[i - 1].vk, c, t, i);
			st->n_qualified++;
		}
	}
	free(c);
	joint_key(st, &k);
	vy_election_set_joint_key(&st->election, &k);
	st->phase = VY_PHASE_OPEN;
	return VY_R_OK;
}

vy_rc vy_ceremony_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	ProtobufCMessage *m = NULL;
	vy_rc rc = VY_R_OK;

	switch (e->type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		rc = vy_signed_body_of(e, &vybar__key_announce__descriptor, &m, why);
		if (rc == VY_R_OK) {
			Vybar__KeyAnnounce *a = (Vybar__KeyAnnounce *)m;

			memcpy(st->trustees[a->trustee_index - 1].commitment_hash, a->commitment_hash.data, VY_HASH_BYTES);
			st->trustees[a->trustee_index - 1].announced = 1;
		}
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		rc = vy_signed_body_of(e, &vybar__key_reveal__descriptor, &m, why);
		if (rc == VY_R_OK)
			rc = apply_reveal(st, (Vybar__KeyReveal *)m, why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		rc = vy_signed_body_of(e, &vybar__key_verdict__descriptor, &m, why);
		if (rc == VY_R_OK)
			apply_verdict(st, (Vybar__KeyVerdict *)m);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		rc = vy_signed_body_of(e, &vybar__key_justification__descriptor, &m, why);
		if (rc == VY_R_OK)
			st->trustees[((Vybar__KeyJustification *)m)->trustee_index - 1].justified = 1;
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN:
		rc = apply_open(st, why);
		break;
	default:
		rc = vy_reason_set(why, VY_R_ARG, "ceremony apply: wrong entry type %d", (int)e->type);
	}
	vy_msg_free(m);
	return rc;
}

/* ---- for a trustee's program ---- */

/* The sealed share addressed to `to` in a reveal, or NULL. */
static const Vybar__EncryptedShare *share_for(const Vybar__KeyReveal *r, uint32_t to)
{
	for (size_t i = 0; i < r->n_shares; i++)
		if (r->shares[i]->recipient_index == to)
			return r->shares[i];
	return NULL;
}

vy_rc vy_ceremony_open_share(const vy_record_state *st, vy_scalar *share, const Vybar__KeyReveal *from_reveal,
			     uint32_t to, const uint8_t xpk[VY_X25519_PK_BYTES], const uint8_t xsk[32], vy_reason *why)
{
	const Vybar__EncryptedShare *es;
	uint32_t from;
	uint8_t plain[SHARE_BYTES];
	vy_rc rc = VY_R_OK;

	memset(share, 0, sizeof *share);
	from = from_reveal->trustee_index;
	if (st->manifest == NULL || from < 1 || from > st->manifest->trustee_count || !st->trustees[from - 1].revealed)
		return vy_reason_set(why, VY_R_TRUSTEE, "share: trustee %u has no reveal on the record", from);
	es = share_for(from_reveal, to);
	if (es == NULL || es->sealed.len != SEALED_SHARE_BYTES ||
	    crypto_box_seal_open(plain, es->sealed.data, es->sealed.len, xpk, xsk) != 0) {
		rc = vy_reason_set(why, VY_R_COMMITMENT, "share: trustee %u's share for %u does not open", from, to);
		goto out;
	}
	if (vy_scalar_decode(st->election.group, share, plain, sizeof plain) != VY_OK ||
	    vy_feldman_verify_share(st->election.group, st->trustees[from - 1].commitments, st->manifest->threshold, to,
				    share) != VY_OK)
		rc = vy_reason_set(why, VY_R_COMMITMENT, "share: trustee %u's share for %u does not match its commitments",
				   from, to);
out:
	vy_wipe(plain, sizeof plain);
	if (rc != VY_R_OK)
		vy_wipe(share, sizeof *share);
	return rc;
}

vy_rc vy_trustee_secret_share(const vy_record_state *st, vy_scalar *s, uint32_t index, const vy_scalar *received,
			      vy_reason *why)
{
	const vy_group *g = st->election.group;
	vy_elem check;
	vy_rc rc = VY_R_OK;

	memset(s, 0, sizeof *s);
	if (st->phase < VY_PHASE_OPEN || index < 1 || index > st->manifest->trustee_count ||
	    !st->trustees[index - 1].qualified)
		return vy_reason_set(why, VY_R_TRUSTEE, "secret share: trustee %u is not qualified (or the ceremony is "
				     "not over)", index);
	/* §5.5 s_k = sum over qualified i of f_i(k) */
	for (uint32_t i = 1; i <= st->manifest->trustee_count && rc == VY_R_OK; i++) {
		if (!st->trustees[i - 1].qualified)
			continue;
		if (vy_feldman_verify_share(g, st->trustees[i - 1].commitments, st->manifest->threshold, index,
					    &received[i - 1]) != VY_OK)
			rc = vy_reason_set(why, VY_R_COMMITMENT,
					   "secret share: the share from trustee %u does not match its commitments", i);
		else
			vy_scalar_add(g, s, s, &received[i - 1]);
	}
	if (rc == VY_R_OK) {
		vy_elem_exp_base(g, &check, s);
		if (!vy_elem_eq(g, &check, &st->trustees[index - 1].vk))
			rc = vy_reason_set(why, VY_R_COMMITMENT, "secret share: g^s is not trustee %u's verification key",
					   index);
	}
	vy_wipe(&check, sizeof check);
	if (rc != VY_R_OK)
		vy_wipe(s, sizeof *s);
	return rc;
}
