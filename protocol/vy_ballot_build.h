/*
 * Building ballots (specs/protocol.md §4.2-§4.4, §6): encrypt the voter's
 * choices under the joint key, prove every selection 0/1 and every
 * contest's sum in range, sign with the credential key, and keep the
 * randomness in guarded memory (sodium_malloc) so that an audited ballot
 * can reveal it. The voter client and the test fixtures share this code.
 *
 * Choices are one 0/1 value per selection of the whole manifest (every
 * contest's options or lists, contests in order, vy_contest_shape).
 */
#ifndef VY_BALLOT_BUILD_H
#define VY_BALLOT_BUILD_H

#include "protocol/vy_election.h"

/* Which random scalar a randomness source is asked for. */
typedef enum {
	VY_BB_RAND_R = 0, /* the encryption randomness of a selection */
	VY_BB_RAND_U = 1, /* the nonce of the true branch of a proof */
	VY_BB_RAND_C = 2, /* the simulated challenge of branch `branch` */
	VY_BB_RAND_V = 3  /* the simulated response of branch `branch` */
} vy_bb_rand_kind;

/* A randomness source: out receives the scalar of kind for the selection
 * (contest, option), or with option = VY_CTX_OPTION_SUM for the contest's
 * sum proof. NULL everywhere means fresh randomness (vy_scalar_random);
 * only the test fixtures pass a deterministic source. */
typedef void (*vy_bb_rand_fn)(void *arg, const vy_group *g, vy_scalar *out, size_t contest, uint64_t option,
			      vy_bb_rand_kind kind, size_t branch);

/* The voter's credential (protocol.md §4.1), borrowed: public key, the
 * libsodium secret key (64 bytes, secret), randomizer, registrar signature.
 * For an audited ballot (§6) a one-time key: randomizer and reg_sig NULL,
 * and the ballot's credential then carries neither. */
typedef struct {
	const uint8_t *pk;
	const uint8_t *sk;
	const uint8_t *randomizer;
	const uint8_t *reg_sig;
	size_t reg_sig_len;
} vy_ballot_signer;

/* A built ballot. r and choices are secrets in guarded memory: end with
 * vy_built_ballot_free, which wipes them. */
typedef struct {
	uint8_t *bytes; /* the packed Ballot (malloc'd) */
	size_t len;
	uint8_t hash[VY_HASH_BYTES];                   /* ballot hash (§4.4) */
	char tracking_code[VY_TRACKING_CODE_BYTES];    /* §4.4 */
	size_t n_sel;
	vy_scalar *r;      /* randomness of each selection (guarded) */
	uint32_t *choices; /* the choices (guarded) */
	const Vybar__Manifest *manifest; /* the election's, borrowed */
} vy_built_ballot;

/* Number of selections of the whole manifest (defined in tally.c). */
size_t vy_manifest_selections(const Vybar__Manifest *m);

/* The contest rules on choices (n must be vy_manifest_selections), before
 * anything is encrypted: every value 0 or 1, and every contest's count in
 * its range (§4.2). VY_R_FIELD with a plain message ("contest 3: two lists
 * chosen", "contest 2: too many options (3 chosen, at most 2)"). */
vy_rc vy_choices_check(const Vybar__Manifest *m, const uint32_t *choices, size_t n, vy_reason *why) VY_WARN_UNUSED;

/* Check choices, then build and sign a ballot (needs the joint key).
 * rand = NULL: fresh randomness. On failure *out is empty. */
vy_rc vy_ballot_build(vy_built_ballot *out, const vy_election *e, const vy_ballot_signer *v, const uint32_t *choices,
		      size_t n, vy_bb_rand_fn rand, void *rand_arg, vy_reason *why) VY_WARN_UNUSED;

/* The same ciphertexts as `from` (its choices and encryption randomness),
 * with fresh proofs under signer v, signed by v: the ballot a client casts
 * after it committed to `from` (built under a one-time key) and the voter
 * chose to cast it (§6, client.md §4). Its tracking code is from's, since
 * the code covers the ciphertexts alone (§4.4); VY_R_FIELD if not. */
vy_rc vy_ballot_rebuild(vy_built_ballot *out, const vy_election *e, const vy_ballot_signer *v,
			const vy_built_ballot *from, vy_reason *why) VY_WARN_UNUSED;

/* The AuditedBallot (§6) of a built ballot: the ballot, every selection's
 * value and randomness; packed into a malloc'd *out. */
vy_rc vy_ballot_audit_pack(const vy_election *e, const vy_built_ballot *b, uint8_t **out, size_t *len,
			   vy_reason *why) VY_WARN_UNUSED;

void vy_built_ballot_free(vy_built_ballot *b);

#endif
