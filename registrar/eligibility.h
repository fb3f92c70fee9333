/*
 * The registrar's eligibility check (specs/registrar.md §2): a small
 * interface, so that another check (an identity-document service, say) can
 * be added without touching the rest of the registrar.
 *
 * A check looks at the voter's evidence bytes (what the voter sent in
 * RegistrationRequest.evidence) and answers one of:
 *   VYR_ELIG_LISTED    eligible IF the keyed hash of `identity` is on the
 *                      registrar's roll (the roll of one-time codes);
 *   VYR_ELIG_YES       eligible, whether listed or not (a check that asks
 *                      an outside authority); the registrar adds the keyed
 *                      hash of `identity` to its table on first issuance;
 *   VYR_ELIG_MALFORMED the evidence is not of the check's form;
 *   VYR_ELIG_NO        not eligible.
 * In the first two cases `identity` receives the canonical identity bytes
 * (what makes one person one person: the normalised code, a document
 * number, ...). The registrar stores ONLY their keyed hash (§2.2). On the
 * other two, `reason` receives a short English reason.
 */
#ifndef VYR_ELIGIBILITY_H
#define VYR_ELIGIBILITY_H

#include <stddef.h>
#include <stdint.h>

#define VYR_MAX_EVIDENCE_BYTES 1024
#define VYR_MAX_IDENTITY_BYTES 256
#define VYR_REASON_BYTES 200

typedef enum {
	VYR_ELIG_LISTED = 0,
	VYR_ELIG_YES,
	VYR_ELIG_MALFORMED,
	VYR_ELIG_NO,
} vyr_elig_result;

typedef struct {
	/* The check's name: the `kind` item of the keyed hash (§2.2), so two
	 * checks never share an identity by accident. */
	const char *name;
	/* Check evidence[0..len); see above. *id_len <= VYR_MAX_IDENTITY_BYTES. */
	vyr_elig_result (*check)(void *ctx, const uint8_t *evidence, size_t len, uint8_t *identity, size_t *id_len,
				 char reason[VYR_REASON_BYTES]);
	void *ctx;
} vyr_eligibility;

/* ---- the shipped check: a roll of one-time registration codes (§2.1) ---- */

#define VYR_CODE_CHARS 20 /* 100 bits: 20 Crockford base-32 characters */
#define VYR_CODE_GROUP 5
#define VYR_CODE_TEXT_BYTES (VYR_CODE_CHARS + VYR_CODE_CHARS / VYR_CODE_GROUP) /* with '-' and NUL */
#define VYR_ROLL_CHECK_NAME "roll-code"

/* The roll-code check (its ctx is unused). */
const vyr_eligibility *vyr_roll_check(void);
/* A fresh random code, "XXXXX-XXXXX-XXXXX-XXXXX" and NUL. */
void vyr_roll_code_new(char out[VYR_CODE_TEXT_BYTES]);
/* The canonical form of a typed code (§2.1): 20 characters into out, or -1
 * if it is not a code. */
int vyr_roll_code_normalise(uint8_t out[VYR_CODE_CHARS], const uint8_t *typed, size_t len);

#endif
