/*
 * vybar-board's answers to odd requests (specs/board-api.md §3, §4): a real
 * board on 127.0.0.1 and raw HTTP requests.
 *
 *  - a method a path does not take (DELETE, TRACE, an unknown one) is 405
 *    with Allow, never served as a GET;
 *  - %00 in a path or a query is 400 (never /v1/status%00.html served as
 *    /v1/status), while other escapes still decode;
 *  - from= of 2^63 or more is 400, not 500; 2^63 - 1 is an empty page.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/support/board_harness.h"
#include "tests/support/slow_clients.h"

#define ANSWER_WAIT_MS 10000
#define ANSWER_BYTES 8192

static void test_odd_requests(void **state)
{
	static const struct {
		const char *method, *target;
		int status;
		const char *text; /* in the answer */
	} t[] = {
		{ "DELETE", VY_PATH_STATUS, 405, "Allow: GET, HEAD" },
		{ "TRACE", VY_PATH_STATUS, 405, "Allow: GET, HEAD" },
		{ "BREW", VY_PATH_MANIFEST, 405, "Allow: GET, HEAD" },
		{ "PUT", VY_PATH_RECORD, 405, "Allow: GET, HEAD" },
		{ "DELETE", VY_PATH_BALLOTS, 405, "Allow: POST" },
		{ "GET", VY_PATH_BALLOTS, 405, "Allow: POST" },
		{ "GET", VY_PATH_STATUS "%00.html", 400, "%00 (a NUL byte)" },
		{ "GET", VY_PATH_STATUS "%00", 400, "%00 (a NUL byte)" },
		{ "GET", VY_PATH_RECORD "?from=0%00", 400, "%00 (a NUL byte)" },
		{ "POST", VY_PATH_BALLOTS "%00.html", 400, "%00 (a NUL byte)" },
		{ "GET", "/v1/stat%75s", 200, "\"entries\"" },
		{ "GET", VY_PATH_RECORD "?from=9223372036854775808", 400, "below 2^63" },
		{ "GET", VY_PATH_RECORD "?from=18446744073709551615", 400, "below 2^63" },
		{ "GET", VY_PATH_RECORD "?from=9223372036854775807", 200, "X-Vybar-Next: 9223372036854775807" },
	};
	char req[512], out[ANSWER_BYTES];
	vyh_election e;

	(void)state;
	vyh_election_start(&e, 1, 1, NULL);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int st;

		snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", t[i].method,
			 t[i].target);
		st = vyt_raw_request(e.b.port, req, strlen(req), out, sizeof out, ANSWER_WAIT_MS);
		if (st != t[i].status || strstr(out, t[i].text) == NULL)
			fail_msg("%s %s: status %d, expected %d with \"%s\": %.400s", t[i].method, t[i].target, st,
				 t[i].status, t[i].text, out);
	}
	vyh_election_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
