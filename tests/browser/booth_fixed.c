/*
 * The booth's ballot from fixed inputs (booth_fixed.h), through the
 * library calls the booth makes (client/wasm/booth_api.c). Compiled twice:
 * natively (tests/test_vote_booth.c, bench/bench_booth.c), and into the
 * booth's code for Node.js with booth_fixed_wasm.c (never served).
 */
#include <stdlib.h>
#include <string.h>

#include "client/vote.h"
#include "tests/browser/booth_fixed.h"

/* The board of the record (taken over) and the credential, both open. */
static vy_rc open_both(vyc_board *bd, vyc_credential *c, uint8_t *record, size_t record_len, const uint8_t *cred,
		       size_t cred_len, vy_reason *why)
{
	vy_rc rc = vyc_board_load(bd, "http://127.0.0.1", record, record_len, NULL, why);

	if (rc == VY_R_OK)
		rc = vyc_credential_from_bytes(c, &bd->st.election, cred, cred_len, why);
	if (rc != VY_R_OK)
		vyc_board_free(bd);
	return rc;
}

vy_rc booth_fixed_build(uint8_t *record, size_t record_len, const uint8_t *cred, size_t cred_len,
			const uint32_t *choices, size_t n, const uint8_t seed[VYT_SEED_BYTES], uint8_t **out,
			size_t *len, vy_reason *why)
{
	vyc_board bd;
	vyc_credential c;
	vy_built_ballot b;
	vy_rc rc;

	*out = NULL;
	*len = 0;
	rc = open_both(&bd, &c, record, record_len, cred, cred_len, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vy_ballot_build(&b, &bd.st.election, &c.signer, choices, n, vyt_seeded_rand, (void *)seed, why);
	if (rc == VY_R_OK) {
		*out = malloc(b.len);
		if (*out != NULL) {
			memcpy(*out, b.bytes, b.len);
			*len = b.len;
		} else {
			rc = vy_reason_set(why, VY_R_NOMEM, "out of memory");
		}
		vy_built_ballot_free(&b);
	}
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	return rc;
}

vy_rc booth_fixed_time(uint8_t *record, size_t record_len, const uint8_t *cred, size_t cred_len,
		       const uint32_t *choices, size_t n, double (*clock_ms)(void), double *times, size_t reps,
		       vy_reason *why)
{
	vyc_board bd;
	vyc_credential c;
	vy_rc rc = open_both(&bd, &c, record, record_len, cred, cred_len, why);

	if (rc != VY_R_OK)
		return rc;
	for (size_t i = 0; i < reps && rc == VY_R_OK; i++) {
		vy_built_ballot b;
		double t0 = clock_ms();

		rc = vy_ballot_build(&b, &bd.st.election, &c.signer, choices, n, NULL, NULL, why);
		times[i] = clock_ms() - t0;
		if (rc == VY_R_OK)
			vy_built_ballot_free(&b);
	}
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	return rc;
}
