/*
 * Eligibility on the record (specs/protocol.md §8.12; verification.md
 * V6.2, V6.3): the registrar's signed count of credentials issued
 * (IssuedStatement, specs/registrar.md §4.2) is carried to the board after
 * voting closes, as the CREDENTIALS_ISSUED entry, and the number of
 * distinct credentials that voted must not exceed it. The encrypted tally
 * needs it on the record.
 *
 * The statement holds no identity: only the election's base hash, a count,
 * a time and the registrar's Ed25519 signature.
 */
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "protocol/vy_record.h"

#define WHAT "credentials issued"

/* registrar.md §4.2: H("vybar/v1/registrar-issued", base_hash, u64(issued), u64(time)). */
void vy_issued_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t issued,
		    uint64_t time)
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_REGISTRAR_ISSUED);
	vy_hasher_item(&h, base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, issued);
	vy_hasher_u64(&h, time);
	vy_hasher_final(&h, out);
}

/* §8.12 step 1: phase CLOSED, before the encrypted tally, none yet. */
static vy_rc check_when(const vy_record_state *st, vy_reason *why)
{
	if (st->phase != VY_PHASE_CLOSED)
		return vy_reason_set(why, VY_R_PHASE, WHAT ": only in phase closed (after ELECTION_CLOSE)");
	if (st->have_tally)
		return vy_reason_set(why, VY_R_PHASE, WHAT ": only before the encrypted tally");
	if (st->have_issued)
		return vy_reason_set(why, VY_R_DUPLICATE, WHAT ": the record already holds the registrar's statement");
	return VY_R_OK;
}

/* §8.12 steps 3-4: this election's statement, signed under the manifest's
 * registrar_statement_key (V6.2). */
static vy_rc check_statement(const vy_record_state *st, const Vybar__IssuedStatement *s, vy_reason *why)
{
	const ProtobufCBinaryData *key = &st->manifest->registrar_statement_key;
	uint8_t h[VY_HASH_BYTES];

	if (s->base_hash.len != VY_HASH_BYTES)
		return vy_reason_set(why, VY_R_FIELD, WHAT ": base_hash is %zu bytes, must be %d", s->base_hash.len,
				     VY_HASH_BYTES);
	if (memcmp(s->base_hash.data, st->election.base_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_FIELD, WHAT ": base_hash is not this election's base hash");
	if (s->signature.len != VY_ED25519_SIG_BYTES)
		return vy_reason_set(why, VY_R_FIELD, WHAT ": signature is %zu bytes, must be %d", s->signature.len,
				     VY_ED25519_SIG_BYTES);
	vy_issued_hash(h, s->base_hash.data, s->issued, s->time);
	if (key->len != VY_ED25519_PK_BYTES ||
	    crypto_sign_verify_detached(s->signature.data, h, sizeof h, key->data) != 0)
		return vy_reason_set(why, VY_R_REGISTRAR_SIGNATURE,
				     WHAT ": signature does not verify under the manifest's registrar_statement_key");
	return VY_R_OK;
}

vy_rc vy_validate_credentials_issued(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__IssuedStatement *s = NULL;
	vy_rc rc;

	if (st == NULL || (p == NULL && n > 0))
		return vy_reason_set(why, VY_R_ARG, WHAT ": NULL argument");
	rc = check_when(st, why);
	if (rc == VY_R_OK)
		rc = vy_decode_message((ProtobufCMessage **)&s, &vybar__issued_statement__descriptor,
				       VY_MAX_ISSUED_BYTES, p, n, why);
	if (rc == VY_R_OK)
		rc = check_statement(st, s, why);
	if (rc != VY_R_OK) {
		vy_msg_free(s);
		return vy_reason_check(why, rc, "V6.2");
	}
	/* §8.12 step 5 (V6.3): distinct credentials that voted <= issued */
	if (st->cred_count > s->issued)
		rc = vy_reason_set(why, VY_R_FIELD,
				   WHAT ": %zu distinct credentials voted, the registrar issued only %llu",
				   st->cred_count, (unsigned long long)s->issued);
	vy_msg_free(s);
	return vy_reason_check(why, rc, "V6.3");
}

vy_rc vy_eligibility_tally_check(const vy_record_state *st, vy_reason *why)
{
	vy_rc rc = VY_R_OK;

	if (!st->have_issued)
		rc = vy_reason_set(why, VY_R_PHASE, "encrypted tally: only after the registrar's CREDENTIALS_ISSUED entry");
	return vy_reason_check(why, rc, "V6.3");
}

vy_rc vy_credentials_issued_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	Vybar__IssuedStatement *s = NULL;
	vy_rc rc;

	rc = vy_decode_message((ProtobufCMessage **)&s, &vybar__issued_statement__descriptor, VY_MAX_ISSUED_BYTES,
			       e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK)
		return rc;
	st->issued = s->issued;
	st->have_issued = 1;
	vy_msg_free(s);
	return VY_R_OK;
}
