/*
 * The booth's ballot from fixed inputs (booth_fixed.c), for the
 * byte-for-byte test (tests/test_vote_booth.c) and the benchmark
 * (bench/bench_booth.c), natively and in the booth's code for Node.js
 * (booth_fixed_wasm.c).
 */
#ifndef VYTEST_BOOTH_FIXED_H
#define VYTEST_BOOTH_FIXED_H

#include "protocol/vy_protocol.h"
#include "tests/support/seeded_rand.h"

/* The packed Ballot into *out (malloc'd, *len bytes), built from the record
 * file image record[0..record_len) (malloc'd, taken over), a CredentialFile's
 * plaintext, choices and seed; or a failure with why. */
vy_rc booth_fixed_build(uint8_t *record, size_t record_len, const uint8_t *cred, size_t cred_len,
			const uint32_t *choices, size_t n, const uint8_t seed[VYT_SEED_BYTES], uint8_t **out,
			size_t *len, vy_reason *why);

/* The same inputs (no seed), the record loaded once, then reps ballots
 * built with fresh randomness (encrypted, proved, signed: what the booth
 * does for a ballot to cast), the time of each in ms (clock_ms) into
 * times[0..reps). */
vy_rc booth_fixed_time(uint8_t *record, size_t record_len, const uint8_t *cred, size_t cred_len,
		       const uint32_t *choices, size_t n, double (*clock_ms)(void), double *times, size_t reps,
		       vy_reason *why);

#endif
