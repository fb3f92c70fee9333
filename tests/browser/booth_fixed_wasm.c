/*
 * booth_fixed.h in the booth's code for Node.js (booth-node.js and
 * booth-node-nowasm.js) and for the benchmark's page (booth-bench-web.js,
 * booth-bench-web-nowasm.js), never served, called by
 * tests/browser/booth_node.mjs and bench/booth_chromium_page.js. Each returns -1 on failure, the reason
 * in why_out[why_cap].
 */
#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/browser/booth_fixed.h"

/* booth_fixed_build: the ballot's length, its bytes in *out (malloc'd). */
EMSCRIPTEN_KEEPALIVE long booth_fixed_ballot(uint8_t *record, size_t record_len, const uint8_t *cred,
					     size_t cred_len, const uint32_t *choices, size_t n, const uint8_t *seed,
					     uint8_t **out, char *why_out, size_t why_cap)
{
	vy_reason why = { 0 };
	size_t len = 0;

	if (booth_fixed_build(record, record_len, cred, cred_len, choices, n, seed, out, &len, &why) != VY_R_OK) {
		snprintf(why_out, why_cap, "%s", why.msg);
		return -1;
	}
	return (long)len;
}

static double now_ms(void)
{
	return emscripten_get_now();
}

/* booth_fixed_time: 0, the times in times[0..reps). */
EMSCRIPTEN_KEEPALIVE long booth_fixed_times(uint8_t *record, size_t record_len, const uint8_t *cred,
					    size_t cred_len, const uint32_t *choices, size_t n, double *times,
					    size_t reps, char *why_out, size_t why_cap)
{
	vy_reason why = { 0 };

	if (booth_fixed_time(record, record_len, cred, cred_len, choices, n, now_ms, times, reps, &why) != VY_R_OK) {
		snprintf(why_out, why_cap, "%s", why.msg);
		return -1;
	}
	return 0;
}
