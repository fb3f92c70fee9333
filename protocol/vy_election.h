/*
 * Manifest, ballots and audited ballots (specs/protocol.md §3, §4, §6).
 *
 * A vy_election is the validated context in which ballots are checked: the
 * manifest (borrowed, never copied), its group, its base hash and, once the
 * key ceremony is over, the joint election public key.
 */
#ifndef VY_ELECTION_H
#define VY_ELECTION_H

#include "crypto/vy_elgamal.h"
#include "crypto/vy_group.h"
#include "protocol/vy_protocol.h"

/* Verifies the registrar's RFC 9474 signature (RSABSSA-SHA384-PSS-Randomized)
 * over msg (the prepared message: randomizer || credential message, §4.1).
 * Returns VY_R_OK, VY_R_REGISTRAR_SIGNATURE, or VY_R_KEY if key is not a
 * usable RSA key. */
typedef vy_rc (*vy_registrar_verify_fn)(void *arg, const Vybar__RsaPublicKey *key, const uint8_t *msg,
					size_t msg_len, const uint8_t *sig, size_t sig_len);

/* The real verifier (§4.1, crypto §9.7): RSASSA-PSS with SHA-384,
 * MGF1-SHA-384 and a 48-byte salt. arg is unused. */
vy_rc vy_registrar_verify(void *arg, const Vybar__RsaPublicKey *key, const uint8_t *msg, size_t msg_len,
			  const uint8_t *sig, size_t sig_len) VY_WARN_UNUSED;

typedef struct {
	const Vybar__Manifest *manifest; /* borrowed */
	const vy_group *group;
	uint8_t base_hash[VY_HASH_BYTES];
	int have_joint_key;
	vy_elem joint_key;
	/* NULL (what vy_election_init sets): vy_registrar_verify, the real
	 * check. Any other value replaces it; nothing in the library sets one
	 * (vy_record_state_set_registrar_verifier passes one through). */
	vy_registrar_verify_fn registrar_verify;
	void *registrar_arg;
} vy_election;

/* The tracking code: 16 Crockford base-32 characters in four groups of four
 * joined by '-', plus the terminating NUL (§4.4). */
#define VY_TRACKING_CODE_LEN 19
#define VY_TRACKING_CODE_BYTES (VY_TRACKING_CODE_LEN + 1)

/* ---- manifest (§3) ---- */

/* Every rule of §3.3 (fields, contests, trustees, keys, the gender rule). */
vy_rc vy_manifest_validate(const Vybar__Manifest *m, vy_reason *why) VY_WARN_UNUSED;
/* The base hash (§3.5): the identifier hash of the manifest's fields. */
void vy_manifest_hash(const Vybar__Manifest *m, uint8_t out[VY_HASH_BYTES]);
/* The gender rule (§3.4) on list number list_index of a party-list contest. */
vy_rc vy_gender_rule_check(const Vybar__PartyList *list, size_t list_index, const Vybar__GenderRule *rule,
			   vy_reason *why) VY_WARN_UNUSED;
/* Number of encrypted selections and the sum range of a (valid) contest (§4.2). */
void vy_contest_shape(const Vybar__Contest *c, size_t *n_sel, uint64_t *lo, uint64_t *hi);

/* Validate m and set up e (no joint key yet). m must outlive e. */
vy_rc vy_election_init(vy_election *e, const Vybar__Manifest *m, vy_reason *why) VY_WARN_UNUSED;
void vy_election_set_joint_key(vy_election *e, const vy_elem *pk);

/* ---- ballots (§4) ---- */

/* The message the registrar blindly signs for a credential key (§4.1). */
void vy_credential_message(const vy_election *e, uint8_t out[VY_HASH_BYTES], const uint8_t pk[VY_ED25519_PK_BYTES]);
/* The proof context ctx of a selection (option < n) or, with option =
 * VY_CTX_OPTION_SUM, of the contest's sum proof (§4.3). Returns its length. */
#define VY_CTX_OPTION_SUM UINT64_MAX
#define VY_CTX_MAX_BYTES 64
size_t vy_ballot_ctx(uint8_t out[VY_CTX_MAX_BYTES], const uint8_t pk[VY_ED25519_PK_BYTES], uint64_t contest,
		     uint64_t option);
/* The ballot hash (§4.4) over the ballot's fields, whatever their sizes. */
void vy_ballot_hash(const vy_election *e, uint8_t out[VY_HASH_BYTES], const Vybar__Ballot *b);
/* The ciphertext hash (§4.4): the base hash and the ballot's ciphertexts,
 * nothing else (no key, no proof), whatever their sizes. */
void vy_ballot_ciphertexts_hash(const vy_election *e, uint8_t out[VY_HASH_BYTES], const Vybar__Ballot *b);
/* The tracking code of a ciphertext hash (§4.4). */
void vy_tracking_code(char out[VY_TRACKING_CODE_BYTES], const uint8_t ciphertexts_hash[VY_HASH_BYTES]);
/* Both: the tracking code of a ballot (or of an audited ballot's ballot). */
void vy_ballot_tracking_code(const vy_election *e, char out[VY_TRACKING_CODE_BYTES], const Vybar__Ballot *b);
/* Every rule of §4.5, in order: shape and encodings, the credential's
 * signature, the registrar's signature, the proofs. Needs the joint key. */
vy_rc vy_ballot_validate(const vy_election *e, const Vybar__Ballot *b, vy_reason *why) VY_WARN_UNUSED;

/* ---- audited ballots (§6) ---- */

/* The ballot's rules (vy_ballot_validate) under its one-time key, with an
 * empty randomizer and registrar signature and no registrar check (§6
 * step 1, V5.1), then every revealed value and
 * randomness re-encrypts to the ballot's ciphertext, and every contest's
 * values lie in its sum range. */
vy_rc vy_audited_ballot_check(const vy_election *e, const Vybar__AuditedBallot *a, vy_reason *why) VY_WARN_UNUSED;

#endif
