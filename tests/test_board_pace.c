/*
 * The pace of each credential's ballots (bulletin/pace.h), on a clock of
 * the test's own:
 *  - a credential is refused until min_seconds after its last ballot, with
 *    the right retry and since, and taken from then on;
 *  - no wait (min_seconds 0) keeps nothing and refuses nothing;
 *  - a steady stream of new credentials, far more than the table's first
 *    capacity, keeps the capacity bounded by the credentials of the last
 *    min_seconds, while every credential inside that window is still
 *    refused and every one outside it is taken;
 *  - a burst of credentials inside one window grows the table, since none
 *    of them may be forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "bulletin/pace.h"
#include "tests/support/vytest.h"

#define WAIT 60	       /* min_seconds_between_ballots */
#define SECONDS 20000  /* the stream's length */
#define BURST 5000     /* credentials within one window */

/* The i-th test credential: its index in the first bytes. */
static void credential(uint8_t pk[VY_ED25519_PK_BYTES], uint32_t i)
{
	memset(pk, 0xa5, VY_ED25519_PK_BYTES);
	pk[0] = (uint8_t)i;
	pk[1] = (uint8_t)(i >> 8);
	pk[2] = (uint8_t)(i >> 16);
	pk[3] = (uint8_t)(i >> 24);
}

static void test_wait(void **state)
{
	vyb_pace p;
	uint8_t a[VY_ED25519_PK_BYTES], b[VY_ED25519_PK_BYTES];
	unsigned retry, since;

	(void)state;
	vyb_pace_init(&p, WAIT);
	credential(a, 1);
	credential(b, 2);
	assert_true(vyb_pace_ok(&p, a, 100.0, &retry, &since));
	assert_int_equal(vyb_pace_note(&p, a, 100.0), VY_R_OK);
	assert_false(vyb_pace_ok(&p, a, 110.5, &retry, &since));
	assert_int_equal(retry, 50);
	assert_int_equal(since, 10);
	assert_false(vyb_pace_ok(&p, a, 159.9, &retry, &since));
	assert_int_equal(retry, 1);
	assert_true(vyb_pace_ok(&p, b, 110.5, &retry, &since));
	assert_true(vyb_pace_ok(&p, a, 160.0, &retry, &since));
	assert_int_equal(retry, 0);
	vyb_pace_free(&p);

	vyb_pace_init(&p, 0);
	assert_int_equal(vyb_pace_note(&p, a, 100.0), VY_R_OK);
	assert_true(vyb_pace_ok(&p, a, 100.0, &retry, &since));
	assert_int_equal(p.cap, 0);
	vyb_pace_free(&p);
}

/* SECONDS seconds of per_second new credentials a second, each checked and
 * noted; returns the largest capacity the table had. */
static size_t stream(uint32_t per_second)
{
	vyb_pace p;
	uint8_t pk[VY_ED25519_PK_BYTES];
	unsigned retry, since;
	uint32_t next = 0;
	size_t max_cap = 0;

	vyb_pace_init(&p, WAIT);
	for (uint32_t s = 1; s <= SECONDS; s++) {
		double now = (double)s;

		for (uint32_t k = 0; k < per_second; k++) {
			credential(pk, next++);
			assert_true(vyb_pace_ok(&p, pk, now, &retry, &since));
			assert_int_equal(vyb_pace_note(&p, pk, now), VY_R_OK);
		}
		if (p.cap > max_cap)
			max_cap = p.cap;
		/* Inside the window: the credential of WAIT - 1 seconds ago,
		 * and the one just noted. Outside: the one of WAIT ago. */
		if (s > WAIT) {
			credential(pk, (s - (WAIT - 1) - 1) * per_second);
			assert_false(vyb_pace_ok(&p, pk, now, &retry, &since));
			assert_int_equal(retry, 1);
			assert_int_equal(since, WAIT - 1);
			credential(pk, (s - WAIT - 1) * per_second + 3);
			assert_true(vyb_pace_ok(&p, pk, now, &retry, &since));
		}
		credential(pk, next - 1);
		assert_false(vyb_pace_ok(&p, pk, now, &retry, &since));
		assert_int_equal(retry, WAIT);
	}
	assert_true(p.count <= p.cap / 2);
	vyb_pace_free(&p);
	return max_cap;
}

static void test_stream_stays_bounded(void **state)
{
	(void)state;
	/* 80,000 credentials, 240 waiting at any time: the table never
	 * outgrows its first capacity. */
	assert_int_equal(stream(4), VYB_PACE_INITIAL_CAP);
	/* 400,000 credentials, 1,200 waiting: fewer than eight slots each,
	 * where without forgetting it would hold all of them (1,048,576
	 * slots). */
	assert_true(stream(20) < 8 * 20 * WAIT);
}

static void test_burst_grows(void **state)
{
	vyb_pace p;
	uint8_t pk[VY_ED25519_PK_BYTES];
	unsigned retry, since;

	(void)state;
	vyb_pace_init(&p, WAIT);
	for (uint32_t i = 0; i < BURST; i++) {
		credential(pk, i);
		assert_int_equal(vyb_pace_note(&p, pk, 1000.0 + (double)i / BURST), VY_R_OK);
	}
	assert_int_equal(p.count, BURST);
	assert_true(p.cap >= 2 * BURST);
	assert_true(p.cap < 8 * BURST);
	for (uint32_t i = 0; i < BURST; i++) {
		credential(pk, i);
		assert_false(vyb_pace_ok(&p, pk, 1001.0, &retry, &since));
	}
	/* A window later all are forgotten at the next growth, and the table
	 * is rebuilt at its capacity. */
	size_t cap = p.cap;

	for (uint32_t i = 0; i < cap / 2 - BURST + 1; i++) {
		credential(pk, BURST + i);
		assert_int_equal(vyb_pace_note(&p, pk, 2000.0), VY_R_OK);
	}
	assert_int_equal(p.cap, cap);
	assert_int_equal(p.count, cap / 2 - BURST + 1);
	credential(pk, 0);
	assert_true(vyb_pace_ok(&p, pk, 2000.0, &retry, &since));
	vyb_pace_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_stream_stays_bounded),
		cmocka_unit_test(test_burst_grows),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
