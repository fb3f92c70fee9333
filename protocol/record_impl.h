/* Internal to the protocol layer: shared between record.c, ceremony.c,
 * tally.c and the table of entry types (entry_types.c). */
#ifndef VY_RECORD_IMPL_H
#define VY_RECORD_IMPL_H

#include "protocol/vy_record.h"

/* Apply an accepted entry of each type (record.c): entry 0, a ballot (it
 * becomes its credential's last, §3.6, §10.1), an audited ballot, the
 * close. */
vy_rc vy_record_apply_manifest(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);
vy_rc vy_record_apply_ballot(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);
vy_rc vy_record_apply_audited(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);
vy_rc vy_record_apply_close(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);

/* §4.5, §6: the payload decodes as a Ballot (an AuditedBallot) and, unless
 * e is NULL, vy_ballot_validate (vy_audited_ballot_check) accepts it in e:
 * the rules of the entry that do not depend on the record state. */
vy_rc vy_ballot_payload_check(const vy_election *e, const uint8_t *p, size_t n, vy_reason *why);
vy_rc vy_audited_payload_check(const vy_election *e, const uint8_t *p, size_t n, vy_reason *why);
/* §8.6 steps 2-3, §8.7 steps 2-3: the rules of a BALLOT (V4.8, V4.9) and
 * of an AUDITED_BALLOT (V5.4, V5.5) that depend on the record so far. */
vy_rc vy_ballot_state_rules(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why);
vy_rc vy_audited_state_rules(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why);

/* §8.6 (V4.8, replay.c): no alpha of ballot b stands on the record
 * already, or twice in b (a failure names check: "V4.8" for a BALLOT,
 * "V5.4" for an AUDITED_BALLOT's ballot); record b's alphas (a BALLOT's, or
 * an AUDITED_BALLOT's inner ballot); free the set. */
vy_rc vy_replay_check(const vy_record_state *st, const Vybar__Ballot *b, const char *check, vy_reason *why);
vy_rc vy_replay_add(vy_record_state *st, const Vybar__Ballot *b);
/* §8.6 step 3, §8.7 (V4.9, V5.5): whether pk is the one-time key of an
 * AUDITED_BALLOT on the record; record one (VY_R_NOMEM on failure). */
int vy_audit_key_seen(const vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES]);
vy_rc vy_audit_key_add(vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES]);
void vy_replay_free(vy_record_state *st);

/* §8.13 (witnessed.c): the WITNESSED entry's rule and its application. */
vy_rc vy_validate_witnessed(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why);
vy_rc vy_witnessed_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);

/* Apply an accepted key-ceremony or election-open entry (§8.3-§8.5). */
vy_rc vy_ceremony_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);

/* §5.4: in phase `phase`, decode the TrusteeSigned wrapper, check the
 * trustee index and the signature over entry type `type`, then decode the
 * body as desc into *body (NULL on failure) and the signer into *index. */
vy_rc vy_open_signed(const vy_record_state *st, vy_phase phase, Vybar__EntryType type,
		     const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t n, uint32_t *index,
		     ProtobufCMessage **body, vy_reason *why);
/* The body of an accepted TrusteeSigned entry, decoded as d. */
vy_rc vy_signed_body_of(const Vybar__RecordEntry *e, const ProtobufCMessageDescriptor *d, ProtobufCMessage **out,
			vy_reason *why);

/* The number of selections of the whole manifest (§10.1). */
size_t vy_manifest_selections(const Vybar__Manifest *m);
/* Set up the empty tally (n_sel encryptions of zero) after the manifest. */
vy_rc vy_tally_init(vy_record_state *st, vy_reason *why);
/* §10.1: the ciphertexts of ballot b as they are kept per credential:
 * alpha || beta of every selection in order, 2 * elem_bytes * n_sel bytes
 * at out; VY_R_ELEMENT or VY_R_SHAPE (out untouched) if b does not have the
 * manifest's shape. out NULL: that check only. */
vy_rc vy_tally_ballot_cts(const vy_record_state *st, const Vybar__Ballot *b, uint8_t *out, vy_reason *why);
/* §10.1: count ballot b, whose credential's previous ballot (if prev != NULL)
 * had the ciphertexts encoded at prev; store b's ciphertexts at slot
 * (2 * elem_bytes * n_sel bytes; slot may equal prev; NULL: not stored).
 * Nothing changes on failure. */
vy_rc vy_tally_count_ballot(vy_record_state *st, const Vybar__Ballot *b, const uint8_t *prev, uint8_t *slot,
			    vy_reason *why);
/* Apply an accepted ENCRYPTED_TALLY, PARTIAL_DECRYPTION or RESULT entry. */
vy_rc vy_tally_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);
/* Free what the tally stage holds. */
void vy_tally_free(vy_record_state *st);

#endif
