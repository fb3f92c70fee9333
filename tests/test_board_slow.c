/*
 * vybar-board under slow clients (specs/security.md §Slow clients,
 * specs/board-api.md §1): a real board on 127.0.0.1 and a few hundred
 * connections that trickle their headers a byte at a time, as an attacker
 * holding places would.
 *
 *  - the request deadline: trickled bytes do not keep a request alive; the
 *    board closes every one once its deadline is past (an idle timer, reset
 *    by each byte, would keep them all);
 *  - the connection limit: with many more slow connections than the limit,
 *    a voter's request is still answered (the oldest unfinished requests
 *    give way);
 *  - the per-address limit: slow connections from the voter's own address
 *    do not lock the voter out either.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/support/board_harness.h"
#include "tests/support/slow_clients.h"

#define SLOW_HEAD "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
#define TICK_MS 200
#define WAIT_STEP_MS 100
#define DEADLINE_WAIT_S 10 /* far above the board's 2 s deadline */

static void sleep_ms(unsigned ms)
{
	struct timespec t = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Wait (bounded) until at most `most` slow connections are left open: the
 * board accepts and cuts them at its own pace. */
static void expect_open_at_most(vyt_slow *s, size_t most, const char *what)
{
	unsigned waited = 0;

	while (vyt_slow_open(s) > most && waited < DEADLINE_WAIT_S * 1000) {
		sleep_ms(WAIT_STEP_MS);
		waited += WAIT_STEP_MS;
	}
	if (vyt_slow_open(s) > most)
		fail_msg("%s: %zu slow connections still open, at most %zu expected", what, vyt_slow_open(s), most);
}

/* GET /v1/status answers 200 with the counts. */
static void expect_status_ok(const vyh_board *b, const char *what)
{
	vyh_resp r;

	vyh_get(b, VY_PATH_STATUS, &r);
	if (r.transport_error || r.status != 200)
		fail_msg("%s: GET %s: %s, status %ld", what, VY_PATH_STATUS,
			 r.transport_error ? "no answer" : "answered", r.status);
	assert_true(vyh_body_has(&r, "\"entries\""));
	vyh_resp_free(&r);
}

/* 100 connections trickling their headers past a 2 s deadline are all closed. */
static void test_slow_deadline(void **state)
{
	const char *const extra[] = { "--deadline", "2", "--per-ip-limit", "0", "--timeout", "60", NULL };
	vyh_election e;
	vyt_slow s;
	unsigned waited = 0;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	vyt_slow_start(&s, e.b.port, 100, SLOW_HEAD, TICK_MS);
	while (vyt_slow_open(&s) > 0 && waited < DEADLINE_WAIT_S * 1000) {
		sleep_ms(WAIT_STEP_MS);
		waited += WAIT_STEP_MS;
	}
	if (vyt_slow_open(&s) > 0)
		fail_msg("%zu of 100 trickling requests still open %u s after their 2 s deadline",
			 vyt_slow_open(&s), DEADLINE_WAIT_S);
	expect_status_ok(&e.b, "after the slow requests' deadline");
	vyt_slow_stop(&s);
	vyh_election_free(&e);
}

/* 200 slow connections against a limit of 64: a voter is still answered. */
static void test_slow_connection_limit(void **state)
{
	const char *const extra[] = { "--conn-limit", "64", "--per-ip-limit", "0", "--deadline", "60", NULL };
	vyh_election e;
	vyt_slow s;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	vyt_slow_start(&s, e.b.port, 200, SLOW_HEAD, TICK_MS);
	expect_open_at_most(&s, 64, "200 slow connections, limit 64");
	for (int i = 0; i < 3; i++)
		expect_status_ok(&e.b, "200 slow connections, limit 64");
	vyt_slow_stop(&s);
	vyh_election_free(&e);
}

/* 200 slow connections from the voter's own address (limit 64 per
 * address): the voter is still answered. */
static void test_slow_same_address(void **state)
{
	const char *const extra[] = { "--per-ip-limit", "64", "--deadline", "60", NULL };
	vyh_election e;
	vyt_slow s;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	vyt_slow_start(&s, e.b.port, 200, SLOW_HEAD, TICK_MS);
	expect_open_at_most(&s, 64, "200 slow connections from one address, 64 allowed");
	for (int i = 0; i < 3; i++)
		expect_status_ok(&e.b, "200 slow connections from the same address, 64 allowed");
	vyt_slow_stop(&s);
	vyh_election_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_deadline),
		cmocka_unit_test(test_slow_connection_limit),
		cmocka_unit_test(test_slow_same_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
