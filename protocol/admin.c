/*
 * The board's administrative actions (specs/protocol.md §12): the
 * commission signs an AdminAction over the record's head (§12.1), the
 * board authenticates it against the record (§12.2) and derives the entry
 * it causes from the record state (§12.3), which carries the action's
 * signature (§12.4), so that anyone can check that the commission, not the
 * board alone, ordered it (V1.8).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "protocol/vy_entry_types.h"
#include "protocol/vy_record.h"
#include "protocol/vy_tally.h"

/* §12.1: H(VY_TAG_ADMIN_ACTION, base_hash, u64(action), head_hash). */
void vy_admin_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t action,
		   const uint8_t head_hash[VY_HASH_BYTES])
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_ADMIN_ACTION);
	vy_hasher_item(&h, base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, action);
	vy_hasher_item(&h, head_hash, VY_HASH_BYTES);
	vy_hasher_final(&h, out);
}

/* §12.1: the commission's side. */
uint8_t *vy_admin_action_pack(const uint8_t base_hash[VY_HASH_BYTES], Vybar__AdminActionKind action,
			      const uint8_t head_hash[VY_HASH_BYTES], const uint8_t *sk, size_t *len)
{
	uint8_t h[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES];
	Vybar__AdminAction a;

	vy_admin_hash(h, base_hash, (uint64_t)action, head_hash);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	vybar__admin_action__init(&a);
	a.action = action;
	a.base_hash.data = (uint8_t *)base_hash;
	a.base_hash.len = VY_HASH_BYTES;
	a.head_hash.data = (uint8_t *)head_hash;
	a.head_hash.len = VY_HASH_BYTES;
	a.signature.data = sig;
	a.signature.len = sizeof sig;
	return vy_msg_pack(&a, len);
}

/* §12.2: the checks after decoding, in order. */
static vy_rc admin_authentic(const vy_record_state *st, const Vybar__AdminAction *a, vy_reason *why)
{
	uint8_t h[VY_HASH_BYTES];

	if (a->action < VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN ||
	    a->action > VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT)
		return vy_reason_set(why, VY_R_FIELD, "admin: unknown action %d", (int)a->action);
	if (a->base_hash.len != VY_HASH_BYTES || memcmp(a->base_hash.data, st->election.base_hash, VY_HASH_BYTES))
		return vy_reason_set(why, VY_R_FIELD, "admin: base_hash is not this election's base hash");
	if (a->head_hash.len != VY_HASH_BYTES || memcmp(a->head_hash.data, st->head_hash, VY_HASH_BYTES))
		return vy_reason_set(why, VY_R_CHAIN,
				     "admin: stale head: head_hash is not the hash of entry %llu, the last one",
				     (unsigned long long)st->next_seq - 1);
	vy_admin_hash(h, a->base_hash.data, (uint64_t)a->action, a->head_hash.data);
	if (a->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(a->signature.data, h, sizeof h, st->manifest->commission_key.data) != 0)
		return vy_reason_set(why, VY_R_KEY, "admin: signature does not verify under the manifest's commission_key");
	return VY_R_OK;
}

vy_rc vy_admin_action_check(const vy_record_state *st, Vybar__AdminAction **out, const uint8_t *p, size_t n,
			    vy_reason *why)
{
	Vybar__AdminAction *a = NULL;
	vy_rc rc;

	*out = NULL;
	rc = vy_decode_message((ProtobufCMessage **)&a, &vybar__admin_action__descriptor, VY_MAX_ADMIN_BYTES, p, n,
			       why);
	if (rc == VY_R_OK)
		rc = admin_authentic(st, a, why);
	if (rc != VY_R_OK) {
		vy_msg_free(a);
		return rc;
	}
	*out = a;
	return VY_R_OK;
}

/* §8.8, §12.3: ElectionClose{ballots_received}, while voting is open. */
static vy_rc close_payload(const vy_record_state *st, uint8_t **out, size_t *len, vy_reason *why)
{
	Vybar__ElectionClose c;

	if (st->phase != VY_PHASE_OPEN)
		return vy_reason_set(why, VY_R_PHASE, "close: the election is not open");
	vybar__election_close__init(&c);
	c.ballots_received = st->ballots;
	*out = vy_msg_pack(&c, len);
	return *out != NULL ? VY_R_OK : vy_reason_set(why, VY_R_NOMEM, "admin: out of memory");
}

/* The commission_signature field of message m, whose descriptor has one
 * (every payload of a VY_SIGNER_COMMISSION row, vybar.proto). */
static ProtobufCBinaryData *commission_signature_of(ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "commission_signature");

	return f != NULL && f->type == PROTOBUF_C_TYPE_BYTES ? (ProtobufCBinaryData *)((char *)m + f->offset) : NULL;
}

vy_rc vy_admin_payload_sign(Vybar__EntryType type, const uint8_t sig[VY_ED25519_SIG_BYTES], uint8_t **payload,
			    size_t *len, vy_reason *why)
{
	const vy_entry_type_info *t = vy_entry_type(type);
	ProtobufCMessage *m = NULL;
	ProtobufCBinaryData *field, old;
	uint8_t *signed_payload;
	vy_rc rc;

	if (t == NULL || t->signer != VY_SIGNER_COMMISSION)
		return vy_reason_set(why, VY_R_ARG, "admin: entry type %d is not ordered by the commission", (int)type);
	rc = vy_decode_message(&m, t->payload, VY_MAX_ENTRY_BYTES, *payload, *len, why);
	if (rc != VY_R_OK)
		return rc;
	field = commission_signature_of(m);
	if (field == NULL) {
		vy_msg_free(m);
		return vy_reason_set(why, VY_R_ARG, "admin: %s has no commission_signature field", t->name);
	}
	old = *field; /* a signature the payload already had (re-signing) stays m's to free */
	field->data = (uint8_t *)sig;
	field->len = VY_ED25519_SIG_BYTES;
	signed_payload = vy_msg_pack(m, len);
	*field = old;
	vy_msg_free(m);
	if (signed_payload == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "admin: out of memory");
	free(*payload);
	*payload = signed_payload;
	return VY_R_OK;
}

/* §12.4, V1.8: checked after the entry's own rules accepted payload p. */
vy_rc vy_admin_signature_check(const vy_record_state *st, Vybar__EntryType type, const uint8_t *p, size_t n,
			       vy_reason *why)
{
	const vy_entry_type_info *t = vy_entry_type(type);
	ProtobufCMessage *m = NULL;
	ProtobufCBinaryData *sig;
	uint8_t h[VY_HASH_BYTES];
	vy_rc rc;

	if (t == NULL || t->signer != VY_SIGNER_COMMISSION)
		return VY_R_OK;
	rc = vy_decode_message(&m, t->payload, VY_MAX_ENTRY_BYTES, p, n, why);
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V1.8");
	sig = commission_signature_of(m);
	vy_admin_hash(h, st->election.base_hash, (uint64_t)t->admin, st->head_hash);
	if (sig == NULL || sig->len != VY_ED25519_SIG_BYTES)
		rc = vy_reason_set(why, VY_R_ADMIN_SIGNATURE,
				   "%s: commission_signature is missing (%zu bytes, not 64): nothing shows that the "
				   "commission ordered it",
				   t->name, sig != NULL ? sig->len : 0);
	else if (crypto_sign_verify_detached(sig->data, h, sizeof h, st->manifest->commission_key.data) != 0)
		rc = vy_reason_set(why, VY_R_ADMIN_SIGNATURE,
				   "%s: commission_signature does not verify under the manifest's commission_key "
				   "(action %d over the previous entry's hash)",
				   t->name, (int)t->admin);
	vy_msg_free(m);
	return vy_reason_check(why, rc, "V1.8");
}

vy_rc vy_admin_entry(const vy_record_state *st, const Vybar__AdminAction *a, Vybar__EntryType *type,
		     uint8_t **payload, size_t *len, vy_reason *why)
{
	Vybar__AdminActionKind action = a->action;
	vy_rc rc;

	*payload = NULL;
	if (a->signature.len != VY_ED25519_SIG_BYTES)
		return vy_reason_set(why, VY_R_FIELD, "admin: the action's signature is not 64 bytes");
	switch (action) {
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN:
		/* §5.5: Q and K = prod_{i in Q} A_{i,0} from the record. */
		*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN;
		rc = vy_ceremony_open(st, payload, len, why);
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE:
		*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE;
		rc = close_payload(st, payload, len, why);
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY:
		/* §10.1: the product of the counted ballots' ciphertexts. */
		*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY;
		rc = vy_tally_encrypted(st, payload, len, why);
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT:
		/* §10.3: combine every partial decryption on the record. */
		*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT;
		rc = vy_tally_result(st, NULL, 0, payload, len, why);
		break;
	default:
		return vy_reason_set(why, VY_R_FIELD, "admin: unknown action %d", (int)action);
	}
	/* §12.4: the entry carries the action's signature */
	if (rc == VY_R_OK)
		rc = vy_admin_payload_sign(*type, a->signature.data, payload, len, why);
	if (rc != VY_R_OK) {
		free(*payload);
		*payload = NULL;
	}
	return rc;
}
