/*
 * The tally stage, producing side (specs/protocol.md §10): what a board (or
 * anyone) calls to compute the encrypted tally and the result, and what a
 * trustee's program calls to compute its partial decryption. The validity
 * rules of the same entries are in vy_record.h (vy_validate_encrypted_tally,
 * vy_validate_partial_decryption, vy_validate_result); everything produced
 * here passes them.
 *
 * Every function reads the record state (vy_record_state, after the
 * entries so far were applied) and returns the payload bytes of the next
 * entry in a malloc'd buffer (*out, *len), to be freed by the caller;
 * *out = NULL on failure.
 */
#ifndef VY_TALLY_H
#define VY_TALLY_H

#include "protocol/vy_record.h"

/* The text item that opens the context of a decryption proof (§10.2). */
#define VY_CTX_TALLY "tally"

/* §10.2: the Chaum-Pedersen proof context of trustee index's share of the
 * tally ciphertext of option `option` of contest `contest` (0-based):
 * item("tally") || item(u64(index)) || item(u64(contest)) || item(u64(option)).
 * Returns its length (45). */
size_t vy_decryption_ctx(uint8_t out[VY_CTX_MAX_BYTES], uint32_t index, uint64_t contest, uint64_t option);

/* §10.1: the EncryptedTally of the counted ballots (phase CLOSED, no tally yet). */
vy_rc vy_tally_encrypted(const vy_record_state *st, uint8_t **out, size_t *len, vy_reason *why) VY_WARN_UNUSED;

/* §10.2: the PartialDecryption body of qualified trustee index with secret
 * share s (vy_trustee_secret_share), after the encrypted tally is on the
 * record: M = alpha^s with a Chaum-Pedersen proof for every tally
 * ciphertext. The caller wraps it in a TrusteeSigned (vy_trustee_signed_pack,
 * type PARTIAL_DECRYPTION). Constant time in s; fails if g^s is not the
 * trustee's verification key. */
vy_rc vy_partial_decrypt(const vy_record_state *st, uint32_t index, const vy_scalar *s, uint8_t **out, size_t *len,
			 vy_reason *why) VY_WARN_UNUSED;

/* §10.3: the Result from the partial decryptions of the trustees used[0..n_used)
 * (ascending, each with a partial decryption on the record, n_used >= t);
 * used = NULL takes every trustee whose partial decryption is on the record.
 * Counts by bounded discrete log (bound: ballots_counted); for party lists
 * the seats (vy_seats_allocate, tie seed = the ELECTION_OPEN entry's hash) and the
 * elected candidates. */
vy_rc vy_tally_result(const vy_record_state *st, const uint32_t *used, size_t n_used, uint8_t **out, size_t *len,
		      vy_reason *why) VY_WARN_UNUSED;

#endif
