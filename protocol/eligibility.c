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

/* registrar.md §4.2: H(VY_TAG_REGISTRAR_ISSUED, base_hash, u64(issued), u64(time)). */
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

/* The registrar's side of registrar.md §4.2: the statement, signed. */
uint8_t *vy_issued_statement_pack(const uint8_t base_hash[VY_HASH_BYTES], uint64_t issued, uint64_t time,
				  const uint8_t *sk, size_t *len)
{
	Vybar__IssuedStatement m = VYBAR__ISSUED_STATEMENT__INIT;
	uint8_t h[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES];

	vy_issued_hash(h, base_hash, issued, time);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	m.base_hash.data = (uint8_t *)base_hash;
	m.base_hash.len = VY_HASH_BYTES;
	m.issued = issued;
	m.time = time;
	m.signature.data = sig;
	m.signature.len = sizeof sig;
	return vy_msg_pack(&m, len);
}

vy_rc vy_decode_issued_statement(Vybar__IssuedStatement **out, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_message((ProtobufCMessage **)out, &vybar__issued_statement__descriptor, VY_MAX_ISSUED_BYTES,
				 buf, len, why);
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

/* §8.12 steps 3-4: the statement of the election of base_hash, signed
 * under key (on the record, the manifest's registrar_statement_key: V6.2). */
vy_rc vy_issued_statement_check(const uint8_t *key, size_t key_len, const uint8_t base_hash[VY_HASH_BYTES],
				const Vybar__IssuedStatement *s, vy_reason *why)
{
	uint8_t h[VY_HASH_BYTES];

	if (s->base_hash.len != VY_HASH_BYTES)
		return vy_reason_set(why, VY_R_FIELD, WHAT ": base_hash is %zu bytes, must be %d", s->base_hash.len,
				     VY_HASH_BYTES);
	if (memcmp(s->base_hash.data, base_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_FIELD, WHAT ": base_hash is not this election's base hash");
	if (s->signature.len != VY_ED25519_SIG_BYTES)
		return vy_reason_set(why, VY_R_FIELD, WHAT ": signature is %zu bytes, must be %d", s->signature.len,
				     VY_ED25519_SIG_BYTES);
	vy_issued_hash(h, s->base_hash.data, s->issued, s->time);
	if (key == NULL || key_len != VY_ED25519_PK_BYTES ||
	    crypto_sign_verify_detached(s->signature.data, h, sizeof h, key) != 0)
		return vy_reason_set(why, VY_R_REGISTRAR_SIGNATURE,
				     WHAT ": signature does not verify under the manifest's registrar_statement_key");
	return VY_R_OK;
}

/* An observer's check of registrar.md §4.2: the rule's steps 2-4. */
vy_rc vy_issued_statement_verify(const uint8_t statement_key[VY_ED25519_PK_BYTES],
				 const uint8_t base_hash[VY_HASH_BYTES], const uint8_t *buf, size_t len,
				 uint64_t *issued, uint64_t *time, vy_reason *why)
{
	Vybar__IssuedStatement *s = NULL;
	vy_rc rc;

	*issued = 0;
	*time = 0;
	rc = vy_decode_issued_statement(&s, buf, len, why);
	if (rc == VY_R_OK)
		rc = vy_issued_statement_check(statement_key, VY_ED25519_PK_BYTES, base_hash, s, why);
	if (rc == VY_R_OK) {
		*issued = s->issued;
		*time = s->time;
	}
	vy_msg_free(s);
	return rc;
}

vy_rc vy_validate_credentials_issued(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__IssuedStatement *s = NULL;
	vy_rc rc;

	if (st == NULL || (p == NULL && n > 0))
		return vy_reason_set(why, VY_R_ARG, WHAT ": NULL argument");
	rc = check_when(st, why);
	if (rc == VY_R_OK)
		rc = vy_decode_issued_statement(&s, p, n, why);
	if (rc == VY_R_OK)
		rc = vy_issued_statement_check(st->manifest->registrar_statement_key.data,
					       st->manifest->registrar_statement_key.len, st->election.base_hash, s, why);
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

	rc = vy_decode_issued_statement(&s, e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK)
		return rc;
	st->issued = s->issued;
	st->have_issued = 1;
	vy_msg_free(s);
	return VY_R_OK;
}
