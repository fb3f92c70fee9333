/*
 * Revoting that cannot flood the record (specs/protocol.md §3.6,
 * specs/board-api.md §3): a real vybar-board on 127.0.0.1 with a manifest
 * that allows 3 ballots per credential, 3600 seconds apart.
 *
 *  - alice casts; her second ballot right after is refused with 429, a
 *    Retry-After of 1..3600 seconds and code 38 naming
 *    min_seconds_between_ballots; nothing is appended; bob casts meanwhile;
 *  - the board restarted forgets the times (the rate is the board's
 *    promise, not on the record): alice's second ballot is taken, and after
 *    another restart her third;
 *  - her fourth is refused with 403 and code 38 naming
 *    max_ballots_per_credential: at once (the count comes before the
 *    wait), and again after a restart (the count is on the record);
 *  - bob casts again; the record verifies with 5 ballots.
 *
 * And the bounded record read the voters' client uses (board-api.md §4):
 * GET /v1/record?from=N&to=M holds entries N..M-1 only (all there is past
 * the end);
 * a `to` that is not a number greater than `from` is refused with 400.
 *
 * No assertion depends on how long anything takes: the wait is an hour,
 * and only restarts clear it.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/board_harness.h"

#define N 3
#define T 2
#define MAX_BALLOTS 3
#define WAIT_S 3600

static vyh_election el;
static vyf_voter alice, bob;

/* The ballot of voter v (variant tells its randomness apart), posted. */
static void cast(const vyf_voter *v, const char *variant, vyh_resp *r)
{
	uint32_t choices[VYF_SELECTIONS];
	uint8_t *p;
	size_t len;

	vyf_default_choices(choices);
	p = vyf_ballot_pack(&el.r.st.election, v, choices, variant, NULL, &len);
	vyh_post(&el.b, VY_PATH_BALLOTS, p, len, r);
	free(p);
}

/* Cast; the board must accept it. */
static void cast_ok(const vyf_voter *v, const char *variant)
{
	vyh_resp r;

	cast(v, variant, &r);
	if (r.status != 200)
		fail_msg("%s: status %ld: %.*s", variant, r.status, (int)r.len, (const char *)r.body);
	vyh_resp_free(&r);
}

/* The number of entries on the board's record. */
static size_t entries(void)
{
	size_t len, n;
	uint8_t *rec = vyh_record(&el.b, &len);
	uint8_t (*h)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, &n);

	free(h);
	free(rec);
	return n;
}

/* Stop the board (SIGTERM) and start it again on the same store. */
static void restart(void)
{
	assert_int_equal(vyh_stop(&el.b, SIGTERM), 0);
	if (vyh_start(&el.b, NULL) != -1) {
		char *log = vyh_log(&el.b);

		fail_msg("vybar-board did not restart: %s", log);
	}
}

/* Alice's fourth ballot: refused for good, 403, naming the count. */
static void assert_count_spent(const char *variant)
{
	size_t before = entries();
	vyh_resp r;

	cast(&alice, variant, &r);
	if (r.status != 403 || !vyh_body_has(&r, "\"code\":38") ||
	    !vyh_body_has(&r, "has cast 3 ballots already, the limit (max_ballots_per_credential)"))
		fail_msg("%s: status %ld: %.*s", variant, r.status, (int)r.len, (const char *)r.body);
	assert_string_equal(r.retry_after, "");
	vyh_resp_free(&r);
	assert_int_equal(entries(), before);
}

/* The frames of a record answer (after the magic line): their number. */
static size_t frames_in(const vyh_resp *r)
{
	const uint8_t *entry;
	size_t off = VY_RECORD_MAGIC_LEN, n, count = 0;

	assert_true(r->len >= VY_RECORD_MAGIC_LEN);
	assert_memory_equal(r->body, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	while (vy_record_frame_next(r->body, r->len, &off, &entry, &n, NULL) == VY_R_OK && entry != NULL)
		count++;
	assert_int_equal(off, r->len);
	return count;
}

/* ?from=N&to=M: entries N..M-1, X-Vybar-Next M; the whole record's first
 * entries byte for byte; bad bounds refused. */
static void assert_bounded_reads(void)
{
	static const char *const bad[] = { "?from=3&to=3", "?from=3&to=2", "?from=0&to=x", "?from=0&to=",
					   "?from=0&to=-1" };
	size_t all_len, total = entries();
	uint8_t *all = vyh_record(&el.b, &all_len);
	vyh_resp r;

	vyh_get(&el.b, VY_PATH_RECORD "?from=0&to=1", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(frames_in(&r), 1);
	assert_memory_equal(r.body, all, r.len); /* the magic line and entry 0 */
	vyh_resp_free(&r);
	vyh_get(&el.b, VY_PATH_RECORD "?from=2&to=7", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(frames_in(&r), 5);
	vyh_resp_free(&r);
	vyh_get(&el.b, VY_PATH_RECORD "?from=0&to=100000", &r); /* past the end: all there is */
	assert_int_equal(frames_in(&r), total);
	vyh_resp_free(&r);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[64];

		snprintf(path, sizeof path, "%s%s", VY_PATH_RECORD, bad[i]);
		vyh_get(&el.b, path, &r);
		if (r.status != 400 || !vyh_body_has(&r, "to: must be a decimal sequence number greater than from"))
			fail_msg("%s: status %ld", bad[i], r.status);
		vyh_resp_free(&r);
	}
	free(all);
}

static void test_count_and_rate(void **state)
{
	vyf_keys k;
	uint8_t *m;
	size_t len, before;
	vyh_resp r;
	long retry;
	vy_record_state st;
	vy_reason why = { 0 };
	uint8_t *rec;

	(void)state;
	vyf_keys_init(&k, N, T);
	k.max_ballots = MAX_BALLOTS;
	k.min_seconds = WAIT_S;
	m = vyf_manifest_pack(&k, &len);
	vyh_election_start_manifest(&el, N, T, m, len, NULL);
	free(m);
	vyh_election_ceremony(&el);
	vyf_voter_init(&alice, &el.r.st.election, "alice");
	vyf_voter_init(&bob, &el.r.st.election, "bob");

	cast_ok(&alice, "1");
	before = entries();
	cast(&alice, "2", &r);
	if (r.status != 429 || !vyh_body_has(&r, "\"code\":38") || !vyh_body_has(&r, "min_seconds_between_ballots"))
		fail_msg("too soon: status %ld: %.*s", r.status, (int)r.len, (const char *)r.body);
	retry = strtol(r.retry_after, NULL, 10);
	assert_true(retry >= 1 && retry <= WAIT_S);
	vyh_resp_free(&r);
	assert_int_equal(entries(), before);
	cast_ok(&bob, "1"); /* another credential is not held back */

	restart();
	cast_ok(&alice, "2");
	restart();
	cast_ok(&alice, "3");
	assert_count_spent("4"); /* too soon as well: the count is said */
	restart();
	assert_count_spent("4 again");
	cast(&bob, "2", &r); /* bob's second, right after a restart */
	assert_int_equal(r.status, 200);
	vyh_resp_free(&r);

	assert_bounded_reads();
	rec = vyh_record(&el.b, &len);
	if (vyh_verify_record(rec, len, &st, &why) != VY_R_OK)
		fail_msg("the record does not verify: %s", why.msg);
	assert_int_equal(st.ballots, 5);
	assert_int_equal(vy_record_state_ballots_of(&st, alice.pk), MAX_BALLOTS);
	vy_record_state_free(&st);
	free(rec);
	assert_int_equal(vyh_stop(&el.b, SIGTERM), 0);
	vyh_election_free(&el);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_and_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
