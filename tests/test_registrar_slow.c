/*
 * vybar-registrar under slow and bad clients (specs/registrar.md §4.4,
 * specs/security.md §Slow clients): a real registrar on 127.0.0.1.
 *
 *  - 300 connections from the voter's own address that trickle their
 *    headers do not stop a voter's registration;
 *  - a declared Content-Length of 99 GB is refused with 413 at once (the
 *    registrar does not wait for the body);
 *  - a known path with another method answers 405 with Allow, and
 *    changes nothing; an unknown path 404.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/registration.h"
#include "tests/support/registrar_harness.h"
#include "tests/support/slow_clients.h"

#define N_CODES 2
#define PASS "a voter's passphrase"
#define SLOW_CONNS 300
#define TICK_MS 200
#define SETTLE_STEPS 50  /* x TICK_MS */
#define PER_IP_LIMIT 64  /* the registrar's default (specs/registrar.md §4.4) */
#define ANSWER_WAIT_MS 10000 /* far longer than an answer takes; it bounds a server that waits */
#define ANSWER_BYTES 4096

static vyrh_registrar reg;

static int setup(void **state)
{
	(void)state;
	vytest_init();
	vyrh_start(&reg, N_CODES);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vyrh_stop(&reg);
	return 0;
}

/* The port of the registrar's URL (http://127.0.0.1:PORT). */
static unsigned reg_port(void)
{
	const char *colon = strrchr(reg.url, ':');

	assert_non_null(colon);
	return (unsigned)strtoul(colon + 1, NULL, 10);
}

/* 300 slow connections from 127.0.0.1; a voter on 127.0.0.1 registers. */
static void test_register_under_slow_clients(void **state)
{
	char file[VYRH_PATH_BYTES];
	struct timespec settle = { 0, TICK_MS * 1000000L };
	long status = 0;
	vy_reason why = { 0 };
	vyt_slow s;

	(void)state;
	vyt_slow_start(&s, reg_port(), SLOW_CONNS, "POST " VY_PATH_REGISTER " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
		       TICK_MS);
	/* the registrar accepts and cuts them at its own pace (bounded wait) */
	for (int i = 0; i < SETTLE_STEPS && vyt_slow_open(&s) > PER_IP_LIMIT; i++)
		nanosleep(&settle, NULL);
	if (vyt_slow_open(&s) > PER_IP_LIMIT)
		fail_msg("%zu slow connections from one address still open, at most %d expected", vyt_slow_open(&s),
			 PER_IP_LIMIT);
	snprintf(file, sizeof file, "%.400s/slow-cred.pb", reg.dir);
	if (vyc_register(&reg.e, reg.url, reg.codes[0], file, PASS, 0, &status, &why) != VY_R_OK)
		fail_msg("registration during %d slow connections: %s (status %ld)", SLOW_CONNS, why.msg, status);
	assert_int_equal(status, 200);
	vyt_slow_stop(&s);
}

/* Content-Length: 99 GB: 413 without waiting for the body; nothing changes. */
static void test_huge_content_length(void **state)
{
	static const char req[] = "POST " VY_PATH_REGISTER " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				  "Content-Type: application/x-protobuf\r\nContent-Length: 99000000000\r\n\r\n";
	char out[ANSWER_BYTES], *before = vyrh_db_dump(&reg), *after;

	(void)state;
	assert_int_equal(vyt_raw_request(reg_port(), req, strlen(req), out, sizeof out, ANSWER_WAIT_MS), 413);
	assert_non_null(strstr(out, "too large"));
	after = vyrh_db_dump(&reg);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* Other methods: 405 with Allow; other paths: 404. */
static void test_methods(void **state)
{
	static const struct {
		const char *request;
		int status;
		const char *text;
	} t[] = {
		{ "DELETE " VY_PATH_REGISTER " HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Allow: POST" },
		{ "GET " VY_PATH_REGISTER " HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Allow: POST" },
		{ "TRACE " VY_PATH_ISSUED " HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Allow: GET, HEAD" },
		{ "FOO " VY_PATH_ISSUED " HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Allow: GET, HEAD" },
		{ "GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404, "no such route" },
	};
	char out[ANSWER_BYTES];

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int st = vyt_raw_request(reg_port(), t[i].request, strlen(t[i].request), out, sizeof out,
					 ANSWER_WAIT_MS);

		if (st != t[i].status || strstr(out, t[i].text) == NULL)
			fail_msg("%.30s: status %d, expected %d with \"%s\": %s", t[i].request, st, t[i].status,
				 t[i].text, out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_huge_content_length),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_register_under_slow_clients),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
