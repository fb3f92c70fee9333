/*
 * Checking an audited ballot from any device (specs/client.md §8): find
 * the AUDITED_BALLOT entry of a tracking code in a verified record
 * (vote.h, vyc_board_fetch), re-check it with the protocol's own rule
 * (vy_audited_ballot_check: the ballot's proofs and signatures, and the
 * revealed values and randomness re-encrypt to exactly its ciphertexts),
 * and show its choices with the manifest's names. This is what makes a
 * Benaloh challenge catch a client that encrypts something else: the
 * voter reads the choices on a device other than the one that encrypted.
 */
#ifndef VYC_AUDIT_H
#define VYC_AUDIT_H

#include "client/vote.h"

/* What the record holds under a tracking code. */
typedef enum {
	VYC_AUDIT_NOT_FOUND = 0, /* no ballot or audited ballot has this code */
	VYC_AUDIT_CAST = 1,      /* a cast BALLOT: its choices are secret */
	VYC_AUDIT_FOUND = 2      /* an AUDITED_BALLOT */
} vyc_audit_status;

typedef struct {
	vyc_audit_status status;
	char tracking_code[VY_TRACKING_CODE_BYTES]; /* as protocol.md §4.4 writes it */
	uint64_t seq;                               /* the entry's position (CAST, FOUND) */
	size_t n_sel;                               /* vy_manifest_selections */
	uint32_t *choices; /* the revealed value of every selection, only once the check passed (malloc'd) */
} vyc_audit_result;

/* A tracking code as a voter may type it: dashes and spaces anywhere, any
 * case, and Crockford's readings O = 0, I = L = 1; out receives the code
 * as §4.4 writes it. VY_R_FIELD unless exactly 16 symbols remain. */
vy_rc vyc_tracking_code_parse(char out[VY_TRACKING_CODE_BYTES], const char *typed, vy_reason *why) VY_WARN_UNUSED;

/* Look code up in bd's record (every BALLOT and AUDITED_BALLOT entry's
 * tracking code). VY_R_OK with res->status NOT_FOUND or CAST, or FOUND with
 * res->choices once vy_audited_ballot_check accepts the audited ballot.
 * Otherwise the failing rule's code (why names it and the position):
 * with res->status FOUND, the audited ballot itself does not check;
 * else the code did not parse or the record could not be read. */
vy_rc vyc_audit_find(const vyc_board *bd, const char *code, vyc_audit_result *res, vy_reason *why) VY_WARN_UNUSED;
void vyc_audit_result_free(vyc_audit_result *res);

/* A FOUND, checked result: where it is, then contest by contest the
 * options or lists it holds (numbered as `show` numbers them, "blank"
 * when none), then what to do if they are not the voter's choices. */
void vyc_audit_show(const vyc_io *io, const vyc_board *bd, const vyc_audit_result *res);

/* The instruction vyc_audit_show ends with. */
#define VYC_AUDIT_INSTRUCTION                                                                                      \
	"If these are not the choices you made, the device that encrypted this ballot is not trustworthy: "     \
	"do not cast from it."

#endif
