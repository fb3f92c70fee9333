/*
 * The WITNESSED entry (protocol.md §8.13, specs/witness.md §6, V10.1-V10.3):
 * the checkpoint of the record up to and including the encrypted tally,
 * cosigned by at least k of the manifest's witnesses. No trustee's partial
 * decryption is valid before it, so a tally that k witnesses did not see
 * as part of the one record they each hold is never decrypted.
 *
 *   size   = this entry's seq (entries 0..size-1 are covered, the tally last)
 *   root   = MTH(entries 0..size-1), leaves the entry hashes (witness.md §2)
 *   each cosignature: witness i in 1..m, strictly ascending; timestamp
 *   < 2^63; Ed25519 over "cosignature/v1\ntime <t>\n" || checkpoint text
 *   at least k of them
 */
#include <string.h>

#include "protocol/record_impl.h"
#include "protocol/vy_checkpoint.h"

#define MAX_WITNESSED_BYTES 65536

/* V10.1: placed after the encrypted tally, once, with this election's
 * witnesses; the checkpoint is this record's up to the entry before it. */
static vy_rc check_checkpoint(const vy_record_state *st, const Vybar__Witnessed *w, vy_checkpoint *c,
			      vy_reason *why)
{
	uint8_t root[VY_MERKLE_HASH_BYTES];

	if (w->size != st->next_seq)
		return vy_reason_set(why, VY_R_FIELD, "witnessed: size %llu, must be its own position %llu",
				     (unsigned long long)w->size, (unsigned long long)st->next_seq);
	vy_merkle_acc_root(&st->tree, root);
	if (w->root.len != VY_MERKLE_HASH_BYTES || memcmp(w->root.data, root, sizeof root) != 0)
		return vy_reason_set(why, VY_R_FIELD,
				     "witnessed: root is not the Merkle tree hash of entries 0..%llu",
				     (unsigned long long)st->next_seq - 1);
	memcpy(c->base_hash, st->election.base_hash, VY_HASH_BYTES);
	c->size = w->size;
	memcpy(c->root, root, sizeof root);
	return VY_R_OK;
}

/* V10.2: every cosignature names a witness of the manifest, in strictly
 * ascending order, and verifies over the checkpoint. */
static vy_rc check_cosignatures(const vy_record_state *st, const Vybar__Witnessed *w, const vy_checkpoint *c,
				vy_reason *why)
{
	const Vybar__Manifest *m = st->manifest;
	uint32_t last = 0;

	for (size_t i = 0; i < w->n_cosignatures; i++) {
		const Vybar__Cosignature *s = w->cosignatures[i];
		vy_cosignature cs;

		if (s->witness < 1 || s->witness > m->n_witnesses || s->witness <= last)
			return vy_reason_set(why, VY_R_FIELD,
					     "witnessed: cosignature %zu names witness %u (1..%zu, ascending, once)", i,
					     s->witness, m->n_witnesses);
		last = s->witness;
		if (s->signature.len != sizeof cs.signature || s->timestamp > INT64_MAX)
			return vy_reason_set(why, VY_R_FIELD, "witnessed: witness %u: signature of %zu bytes or time %llu",
					     s->witness, s->signature.len, (unsigned long long)s->timestamp);
		cs.timestamp = s->timestamp;
		memcpy(cs.signature, s->signature.data, sizeof cs.signature);
		if (!vy_cosignature_verify(&cs, c, m->witnesses[s->witness - 1]->public_key.data))
			return vy_reason_set(why, VY_R_WITNESS,
					     "witnessed: the cosignature of witness %u (%s) does not verify", s->witness,
					     m->witnesses[s->witness - 1]->name);
	}
	return VY_R_OK;
}

vy_rc vy_validate_witnessed(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__Witnessed *w = NULL;
	vy_checkpoint c;
	vy_rc rc;

	if (st->phase != VY_PHASE_CLOSED || !st->have_tally)
		return vy_reason_check(why, vy_reason_set(why, VY_R_PHASE, "witnessed: only after the encrypted tally"),
				       "V1.7");
	if (st->manifest->n_witnesses == 0)
		return vy_reason_check(why, vy_reason_set(why, VY_R_PHASE, "witnessed: the manifest names no witness"),
				       "V1.7");
	if (st->have_witnessed)
		return vy_reason_check(why, vy_reason_set(why, VY_R_DUPLICATE, "witnessed: a second WITNESSED entry"),
				       "V10.1");
	rc = vy_decode_message((ProtobufCMessage **)&w, &vybar__witnessed__descriptor, MAX_WITNESSED_BYTES, p, n,
			       why);
	if (rc == VY_R_OK)
		rc = vy_reason_check(why, check_checkpoint(st, w, &c, why), "V10.1");
	if (rc == VY_R_OK)
		rc = vy_reason_check(why, check_cosignatures(st, w, &c, why), "V10.2");
	if (rc == VY_R_OK && w->n_cosignatures < st->manifest->witness_threshold)
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_WITNESS, "witnessed: %zu cosignatures, the manifest needs %u",
						   w->n_cosignatures, st->manifest->witness_threshold),
				     "V10.3");
	vy_msg_free(w);
	return rc;
}

vy_rc vy_witnessed_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	(void)e;
	(void)why;
	st->have_witnessed = 1;
	return VY_R_OK;
}
