/*
 * vybar-board against large and misplaced bodies (specs/board-api.md §3,
 * specs/security.md §3.6): a real board on 127.0.0.1 and raw connections.
 *
 *  - a declared Content-Length of 99 GB is refused with 413 at once;
 *  - an entry posted outside its phase (a partial decryption while voting
 *    is open) is refused with 403 before its body is read;
 *  - 50 connections that announce 16 MiB bodies and send 4 MiB each leave
 *    the board's memory bounded by its body budget: the ones beyond it get
 *    503 at once, and the board's resident memory grows by far less than
 *    what they sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/board_harness.h"
#include "tests/support/slow_clients.h"

#define ADMIN_CLOSE VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE
#define ANSWER_WAIT_MS 10000 /* far longer than an answer takes; it bounds a board that waits */
#define ANSWER_BYTES 4096
#define BIG_CONNS 50
#define BIG_DECLARED (16u << 20)
#define BIG_SENT (4u << 20)
#define SEND_CHUNK (64u << 10)
#define SEND_FOR_S 5
#define SETTLE_S 2 /* for the board to read what sits in its sockets */
#define BUDGET_MIB "64"
#define MAX_GROWTH_KB (100u * 1024u) /* the budget and its overheads; without it, 200 MiB */

/* A POST's headers with Content-Length n. */
static void post_head(char *out, size_t cap, const char *path, unsigned long long n)
{
	snprintf(out, cap,
		 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
		 "Content-Length: %llu\r\n\r\n",
		 path, n);
}

/* Content-Length: 99 GB on two endpoints: 413 at once. */
static void test_huge_declared(void **state)
{
	const char *paths[] = { VY_PATH_BALLOTS, VY_PATH_TRUSTEE_DECRYPTION };
	char req[512], out[ANSWER_BYTES];
	vyh_election e;

	(void)state;
	vyh_election_start(&e, 1, 1, NULL);
	for (size_t i = 0; i < 2; i++) {
		post_head(req, sizeof req, paths[i], 99000000000ull);
		if (vyt_raw_request(e.b.port, req, strlen(req), out, sizeof out, ANSWER_WAIT_MS) != 413)
			fail_msg("POST %s, Content-Length 99 GB: %s", paths[i], out[0] ? out : "no answer");
		assert_non_null(strstr(out, "body larger than"));
	}
	vyh_election_free(&e);
}

/* A partial decryption while voting is open: 403 before the body. */
static void test_phase_before_body(void **state)
{
	char req[512], out[ANSWER_BYTES];
	vyh_election e;

	(void)state;
	vyh_election_start(&e, 1, 1, NULL);
	vyh_election_ceremony(&e);
	post_head(req, sizeof req, VY_PATH_TRUSTEE_DECRYPTION, 1000000);
	if (vyt_raw_request(e.b.port, req, strlen(req), out, sizeof out, ANSWER_WAIT_MS) != 403)
		fail_msg("POST %s while open, no body sent: %s", VY_PATH_TRUSTEE_DECRYPTION,
			 out[0] ? out : "no answer (the board waits for the body)");
	assert_non_null(strstr(out, "only in phase closed, the record is in phase open"));
	/* and a ballot before the election opens, the same way */
	vyh_election_free(&e);
	vyh_election_start(&e, 1, 1, NULL);
	post_head(req, sizeof req, VY_PATH_BALLOTS, 10000);
	assert_int_equal(vyt_raw_request(e.b.port, req, strlen(req), out, sizeof out, ANSWER_WAIT_MS), 403);
	assert_non_null(strstr(out, "not open for voting"));
	vyh_election_free(&e);
}

/* The board's resident memory (kB), from /proc. */
static unsigned long rss_kb(pid_t pid)
{
	char path[64], *text, *at;
	size_t len;
	unsigned long kb = 0;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	text = vytest_read_file(path, &len);
	at = strstr(text, "VmRSS:");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "VmRSS: %lu kB", &kb), 1);
	free(text);
	return kb;
}

/* 50 x 16 MiB announced, 4 MiB sent each, budget 64 MiB: bounded memory. */
static void test_body_budget(void **state)
{
	const char *const extra[] = { "--body-memory", BUDGET_MIB, NULL };
	struct sockaddr_in a = { .sin_family = AF_INET };
	static uint8_t chunk[SEND_CHUNK];
	int fds[BIG_CONNS];
	size_t sent[BIG_CONNS] = { 0 }, busy = 0;
	int gone[BIG_CONNS] = { 0 };
	char head[512], out[ANSWER_BYTES];
	unsigned long before, after;
	struct timespec settle = { SETTLE_S, 0 };
	time_t until;
	vyh_election e;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	vyh_election_ceremony(&e);
	vyh_admin(&e, ADMIN_CLOSE);
	before = rss_kb(e.b.pid);
	a.sin_port = htons((uint16_t)e.b.port);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr), 1);
	post_head(head, sizeof head, VY_PATH_TRUSTEE_DECRYPTION, BIG_DECLARED);
	for (int i = 0; i < BIG_CONNS; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fds[i] >= 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&a, sizeof a), 0);
		assert_int_equal(send(fds[i], head, strlen(head), MSG_NOSIGNAL), (ssize_t)strlen(head));
		assert_int_equal(fcntl(fds[i], F_SETFL, O_NONBLOCK), 0);
	}
	memset(chunk, 'x', sizeof chunk);
	/* push 4 MiB on each, as fast as the board takes them, for a bounded time */
	until = time(NULL) + SEND_FOR_S;
	for (int more = 1; more && time(NULL) < until;) {
		more = 0;
		for (int i = 0; i < BIG_CONNS; i++) {
			ssize_t n;

			if (fds[i] < 0 || sent[i] >= BIG_SENT)
				continue;
			n = send(fds[i], chunk, sizeof chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent[i] += (size_t)n;
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				gone[i] = 1, sent[i] = BIG_SENT; /* the board answered 503 and closed */
			more = 1;
		}
	}
	nanosleep(&settle, NULL);
	after = rss_kb(e.b.pid);
	for (int i = 0; i < BIG_CONNS; i++) {
		ssize_t n = recv(fds[i], out, sizeof out - 1, MSG_DONTWAIT);

		/* the 503 itself, or the close after it (its bytes may be lost
		 * to the reset of the unread body) */
		if (n > 0) {
			out[n] = '\0';
			gone[i] |= strstr(out, " 503 ") != NULL;
		} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			gone[i] = 1;
		}
		busy += (size_t)gone[i];
		close(fds[i]);
	}
	if (after > before + MAX_GROWTH_KB)
		fail_msg("the board grew from %lu kB to %lu kB under %d bodies of 16 MiB (budget %s MiB)", before, after,
			 BIG_CONNS, BUDGET_MIB);
	if (busy < BIG_CONNS - 4) /* 64 MiB holds four of 16 MiB */
		fail_msg("%zu of %d connections refused with 503, expected all but 4", busy, BIG_CONNS);
	vyh_election_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_huge_declared),
		cmocka_unit_test(test_phase_before_body),
		cmocka_unit_test(test_body_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
