/*
 * The roll of one-time registration codes (specs/registrar.md §2.1): the
 * one eligibility check shipped with vybar-registrar.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "registrar/eligibility.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* A fresh code: 20 uniformly random Crockford characters in 4 groups of 5. */
void vyr_roll_code_new(char out[VYR_CODE_TEXT_BYTES])
{
	size_t o = 0;

	for (size_t i = 0; i < VYR_CODE_CHARS; i++) {
		if (i > 0 && i % VYR_CODE_GROUP == 0)
			out[o++] = '-';
		out[o++] = crockford[randombytes_uniform(32)];
	}
	out[o] = '\0';
}

/* The Crockford value of c after the reading rules of §2.1 (case folded,
 * O read as 0, I and L as 1), or -1. */
static int crockford_value(uint8_t c)
{
	if (c >= 'a' && c <= 'z')
		c = (uint8_t)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	if (c == 'I' || c == 'L')
		c = '1';
	for (int v = 0; v < 32; v++)
		if (crockford[v] == c)
			return v;
	return -1;
}

/* §2.1: drop '-' and ' ', fold the rest; exactly 20 characters remain. */
int vyr_roll_code_normalise(uint8_t out[VYR_CODE_CHARS], const uint8_t *typed, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int v;

		if (typed[i] == '-' || typed[i] == ' ')
			continue;
		v = crockford_value(typed[i]);
		if (v < 0 || n == VYR_CODE_CHARS)
			return -1;
		out[n++] = (uint8_t)crockford[v];
	}
	return n == VYR_CODE_CHARS ? 0 : -1;
}

/* §2.1: a well-formed code is eligible if its keyed hash is on the roll. */
static vyr_elig_result roll_check(void *ctx, const uint8_t *evidence, size_t len, uint8_t *identity, size_t *id_len,
				  char reason[VYR_REASON_BYTES])
{
	(void)ctx;
	if (vyr_roll_code_normalise(identity, evidence, len) != 0) {
		snprintf(reason, VYR_REASON_BYTES,
			 "evidence: not a registration code (%d Crockford base-32 characters)", VYR_CODE_CHARS);
		return VYR_ELIG_MALFORMED;
	}
	*id_len = VYR_CODE_CHARS;
	return VYR_ELIG_LISTED;
}

static const vyr_eligibility roll = {
	.name = VYR_ROLL_CHECK_NAME,
	.check = roll_check,
	.ctx = NULL,
};

/* The roll-code check. */
const vyr_eligibility *vyr_roll_check(void)
{
	return &roll;
}
