/*
 * vybar-board on a PostgreSQL primary with a synchronous streaming standby,
 * through a failover (specs/board-api.md §2, "Failover"): the board is
 * given both servers in one libpq connection string with
 * target_session_attrs=read-write (tests/support/pg_harness.h), and
 *  - ballots cast while the primary runs are acknowledged (receipts);
 *  - the primary's postmaster is killed (SIGKILL): a ballot sent then gets
 *    an error answer, not a receipt, and the board keeps running;
 *  - the standby is promoted: the board's store lands on it by itself and
 *    the very next ballot is acknowledged again;
 *  - every receipt the test holds names its entry of the record the board
 *    serves, and its tracking code is in the promoted database; the record
 *    verifies (the library, and vybar-verify);
 *  - a ballot that got an error during the outage is either absent from
 *    the record (then sent again, it is acknowledged) or present with a
 *    receipt the board gives again (lookup, and 409 with the receipt to a
 *    resend): never on the record without a way for its voter to learn it;
 *  - the board stops cleanly and restarts on the promoted database from
 *    its restart checkpoint, and takes ballots.
 * Needs PostgreSQL with pg_basebackup: skipped (77) where it cannot run.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/board_harness.h"

#define BEFORE 4        /* ballots acknowledged before the primary dies */
#define DURING 2        /* ballots sent while no server accepts writes */
#define AFTER 3         /* ballots after the promotion */
#define MAX_RECEIPTS (BEFORE + DURING + AFTER + 3)
#define STANDBY_POLLS 100 /* the standby's replay, 10 s at most */
#define STANDBY_POLL_NS 100000000L
#define VERIFY_OUT_BYTES 8192
#define CODES_BYTES 4096

typedef struct {
	vyh_election e;
	Vybar__Receipt *receipts[MAX_RECEIPTS];
	size_t n;
} world;

/* A fresh voter's ballot, and its tracking code (§4.4). */
static uint8_t *ballot_of(world *w, const char *label, size_t *len, char code[VY_TRACKING_CODE_BYTES])
{
	const vy_election *el = &w->e.r.st.election;
	uint32_t choices[VYF_SELECTIONS];
	Vybar__Ballot *b = NULL;
	uint8_t *p;
	vyf_voter v;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, label);
	p = vyf_ballot_pack(el, &v, choices, "cast", NULL, len);
	assert_int_equal(vy_decode_ballot(&b, p, *len, NULL), VY_R_OK);
	vy_ballot_tracking_code(el, code, b);
	vy_msg_free(b);
	return p;
}

/* A receipt answer (200 from a POST, or 409 to a resend), kept: it must
 * verify under the board's key and carry the ballot's tracking code. */
static void keep_receipt(world *w, const vyh_resp *r, const char *code)
{
	Vybar__Receipt *rc = NULL;

	assert_true(w->n < MAX_RECEIPTS);
	assert_int_equal(vy_decode_receipt(&rc, r->body, r->len, NULL), VY_R_OK);
	assert_int_equal(vy_receipt_verify(w->e.r.keys.board_pk, rc, NULL), VY_R_OK);
	assert_string_equal(rc->tracking_code, code);
	w->receipts[w->n++] = rc;
}

/* Cast a fresh voter's ballot: 200 and its receipt, kept. */
static void cast_ok(world *w, const char *label)
{
	char code[VY_TRACKING_CODE_BYTES];
	uint8_t *p;
	size_t n;
	vyh_resp r;

	p = ballot_of(w, label, &n, code);
	vyh_post(&w->e.b, VY_PATH_BALLOTS, p, n, &r);
	if (r.status != 200)
		fail_msg("ballot of %s: %ld %s", label, r.status, r.body != NULL ? (const char *)r.body : "");
	keep_receipt(w, &r, code);
	vyh_resp_free(&r);
	free(p);
}

/* The standby's copy of the tracking codes holds every receipt's, and
 * `also` if not NULL (its replay follows the WAL it received closely:
 * looked at for a while). */
static void standby_has_codes(world *w, const char *also)
{
	struct timespec step = { 0, STANDBY_POLL_NS };
	const char *conninfo = w->e.b.store + strlen("postgresql:");
	char codes[CODES_BYTES];
	size_t missing = 1;

	for (int i = 0; i < STANDBY_POLLS && missing > 0; i++) {
		vypg_standby_query(conninfo, "SELECT code FROM tracking ORDER BY code", codes, sizeof codes);
		missing = also != NULL && strstr(codes, also) == NULL;
		for (size_t k = 0; k < w->n; k++)
			missing += strstr(codes, w->receipts[k]->tracking_code) == NULL;
		if (missing > 0)
			nanosleep(&step, NULL);
	}
	if (missing > 0)
		fail_msg("the standby lacks %zu ballots: %s", missing, codes);
}

/* The board is alive and answers: its status (from memory) 200; a receipt
 * lookup (the store's) 500 while no server accepts writes. */
static void board_answers(const world *w)
{
	char path[64];
	vyh_resp r;

	assert_int_equal(kill(w->e.b.pid, 0), 0);
	vyh_get(&w->e.b, VY_PATH_STATUS, &r);
	assert_false(r.transport_error);
	assert_int_equal(r.status, 200);
	vyh_resp_free(&r);
	snprintf(path, sizeof path, VY_PATH_RECEIPTS "%s", w->receipts[0]->tracking_code);
	vyh_get(&w->e.b, path, &r);
	assert_false(r.transport_error);
	assert_int_equal(r.status, 500);
	vyh_resp_free(&r);
}

/* A ballot sent while no server accepts writes: an error, no receipt, and
 * the board lives on. Its bytes and code are kept for later. */
static uint8_t *cast_in_outage(world *w, const char *label, size_t *len, char code[VY_TRACKING_CODE_BYTES])
{
	uint8_t *p = ballot_of(w, label, len, code);
	vyh_resp r;

	vyh_post(&w->e.b, VY_PATH_BALLOTS, p, *len, &r);
	if (r.transport_error)
		fail_msg("the board did not answer a ballot sent during the outage: %s", vyh_log(&w->e.b));
	if (r.status != 500)
		fail_msg("a ballot sent during the outage: %ld %s (expected 500)", r.status,
			 r.body != NULL ? (const char *)r.body : "");
	vyh_resp_free(&r);
	board_answers(w);
	return p;
}

/* After the failover, a ballot that got an error: absent from the record
 * (its lookup 404; sent again, it is acknowledged), or present with a
 * receipt the board gives again (lookup 200; a resend 409 with the
 * receipt). Either way the test then holds its receipt. */
static void outage_ballot_resolved(world *w, const uint8_t *p, size_t len, const char *code)
{
	char path[64];
	vyh_resp r;

	snprintf(path, sizeof path, VY_PATH_RECEIPTS "%s", code);
	vyh_get(&w->e.b, path, &r);
	if (r.status != 200 && r.status != 404)
		fail_msg("lookup of %s after the failover: %ld", code, r.status);
	if (r.status == 200)
		print_message("ballot %s: it landed before the primary died; its receipt is served\n", code);
	vyh_resp_free(&r);
	vyh_post(&w->e.b, VY_PATH_BALLOTS, p, len, &r);
	if (r.status != 200 && r.status != 409)
		fail_msg("ballot %s sent again after the failover: %ld %s", code, r.status,
			 r.body != NULL ? (const char *)r.body : "");
	keep_receipt(w, &r, code);
	vyh_resp_free(&r);
}

/* Every receipt held names its entry of the record served, its code is in
 * the promoted database's index and served by lookup; the record verifies.
 * The number of entries, for the restart's message. */
static size_t record_holds_receipts(world *w)
{
	const char *conninfo = w->e.b.store + strlen("postgresql:");
	char codes[CODES_BYTES], path[64], seq[32], out[VERIFY_OUT_BYTES], url[64];
	uint8_t (*hashes)[VY_HASH_BYTES];
	vy_record_state st;
	vy_reason why = { 0 };
	size_t len, n_hashes;
	uint8_t *rec = vyh_record(&w->e.b, &len);
	vyh_resp r;

	if (vyh_verify_record(rec, len, &st, &why) != VY_R_OK)
		fail_msg("the record after the failover does not verify: %s", why.msg);
	assert_int_equal(st.ballots, w->n);
	vy_record_state_free(&st);
	hashes = vyh_entry_hashes(rec, len, &n_hashes);
	vypg_query(conninfo, "SELECT code FROM tracking ORDER BY code", codes, sizeof codes);
	for (size_t k = 0; k < w->n; k++) {
		const Vybar__Receipt *rc = w->receipts[k];

		assert_true(rc->seq < n_hashes);
		assert_memory_equal(hashes[rc->seq], rc->head_hash.data, VY_HASH_BYTES);
		if (strstr(codes, rc->tracking_code) == NULL)
			fail_msg("acknowledged ballot %s is not in the promoted database", rc->tracking_code);
		snprintf(path, sizeof path, VY_PATH_RECEIPTS "%s", rc->tracking_code);
		vyh_get(&w->e.b, path, &r);
		assert_int_equal(r.status, 200);
		snprintf(seq, sizeof seq, "\"seq\":%llu,", (unsigned long long)rc->seq);
		assert_true(vyh_body_has(&r, seq));
		vyh_resp_free(&r);
	}
	free(hashes);
	free(rec);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", w->e.b.port);
	if (vytest_run(out, sizeof out, 1, VYBAR_VERIFY_PROGRAM,
		       (const char *const[]){ "record", url, "--partial-ok", NULL }) != 0)
		fail_msg("vybar-verify refused the record after the failover: %s", out);
	return n_hashes;
}

/* A board on both servers, the election open, BEFORE ballots
 * acknowledged and on the standby. */
static void start(world *w)
{
	char label[32];

	memset(w, 0, sizeof *w);
	vyh_election_start(&w->e, 3, 2, NULL);
	if (strstr(w->e.b.store, "target_session_attrs=read-write") == NULL)
		fail_msg("the board's store does not name both servers: %s", w->e.b.store);
	vyh_election_ceremony(&w->e);
	for (int i = 0; i < BEFORE; i++) {
		snprintf(label, sizeof label, "voter before %d", i);
		cast_ok(w, label);
	}
	standby_has_codes(w, NULL);
}

/* After the promotion: AFTER more ballots acknowledged; every receipt on
 * the record; a clean stop (which writes the checkpoint) and a restart
 * that replays from it; one more ballot. */
static void finish(world *w)
{
	char label[32], said[128];
	size_t entries;
	char *log;

	for (int i = 0; i < AFTER; i++) {
		snprintf(label, sizeof label, "voter after %d", i);
		cast_ok(w, label);
	}
	entries = record_holds_receipts(w);
	assert_int_equal(vyh_stop(&w->e.b, SIGTERM), 0);
	unlink(w->e.b.log);
	if (vyh_start(&w->e.b, NULL) != -1)
		fail_msg("the board did not restart on the promoted database: %s", vyh_log(&w->e.b));
	snprintf(said, sizeof said, "restart checkpoint: %zu entries replayed without their proofs, 0 checked in full",
		 entries);
	log = vyh_log(&w->e.b);
	if (strstr(log, said) == NULL)
		fail_msg("expected \"%s\" in the restarted board's log: %s", said, log);
	free(log);
	cast_ok(w, "voter after the restart");
	(void)record_holds_receipts(w);
	assert_int_equal(vyh_stop(&w->e.b, SIGTERM), 0);
	for (size_t k = 0; k < w->n; k++)
		vy_msg_free(w->receipts[k]);
	vyh_election_free(&w->e);
}

/* The primary dies between two groups. */
static void test_failover(void **state)
{
	uint8_t *outage[DURING];
	size_t outage_len[DURING];
	char outage_code[DURING][VY_TRACKING_CODE_BYTES], label[32];
	world w;

	(void)state;
	start(&w);

	vypg_primary_kill();
	for (int i = 0; i < DURING; i++) {
		snprintf(label, sizeof label, "voter during %d", i);
		outage[i] = cast_in_outage(&w, label, &outage_len[i], outage_code[i]);
	}

	vypg_standby_promote();
	/* the first ballot after the promotion is acknowledged */
	cast_ok(&w, "voter at once after the promotion");
	for (int i = 0; i < DURING; i++) {
		outage_ballot_resolved(&w, outage[i], outage_len[i], outage_code[i]);
		free(outage[i]);
	}
	finish(&w);
}

typedef struct {
	world *w;
	const uint8_t *p;
	size_t len;
	vyh_resp r;
} pending;

static void *post_main(void *arg)
{
	pending *q = arg;

	vyh_post(&q->w->e.b, VY_PATH_BALLOTS, q->p, q->len, &q->r);
	return NULL;
}

/* The primary dies while a group's COMMIT waits for the standby (its WAL
 * receiver stopped), the WAL of that COMMIT sent but not yet taken. The
 * receiver, continued, takes it, so the group is on the standby although
 * its COMMIT was never reported; the store cannot tell until the standby
 * is promoted, then finds the group there: the ballot gets its receipt. */
static void test_failover_during_commit(void **state)
{
	char code[VY_TRACKING_CODE_BYTES];
	pending q = { 0 };
	pthread_t t;
	uint8_t *p;
	world w;

	(void)state;
	start(&w);
	p = ballot_of(&w, "voter in the COMMIT", &q.len, code);
	q.w = &w;
	q.p = p;
	vypg_standby_receiver_pause(1);
	assert_int_equal(pthread_create(&t, NULL, post_main, &q), 0);
	vypg_primary_await("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'", "1");
	vypg_primary_kill();
	vypg_standby_receiver_pause(0);
	standby_has_codes(&w, code);
	vypg_standby_promote();
	assert_int_equal(pthread_join(t, NULL), 0);
	if (q.r.transport_error)
		fail_msg("the board did not answer the ballot whose COMMIT the failover cut: %s", vyh_log(&w.e.b));
	if (q.r.status != 200)
		fail_msg("the ballot whose COMMIT the failover cut: %ld %s (expected its receipt)", q.r.status,
			 q.r.body != NULL ? (const char *)q.r.body : "");
	keep_receipt(&w, &q.r, code);
	vyh_resp_free(&q.r);
	free(p);
	finish(&w);
}

/* PostgreSQL with a standby only: skipped (77) where it cannot run. One
 * failover per process (one cluster, one standby): no argument, the
 * primary dies between groups; "during-commit", during one. */
int main(int argc, char **argv)
{
	const struct CMUnitTest between[] = {
		cmocka_unit_test(test_failover),
	};
	const struct CMUnitTest during[] = {
		cmocka_unit_test(test_failover_during_commit),
	};
	char pg[] = "postgresql";
	char *pg_argv[] = { argv[0], pg, NULL };
	int rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "during-commit") != 0)) {
		fprintf(stderr, "usage: %s [during-commit]\n", argv[0]);
		return 2;
	}
	rc = vyh_store_select(2, pg_argv);
	if (rc != 0)
		return rc;
	if (!vypg_standby_start())
		return VYPG_SKIP;
	if (argc == 2)
		return cmocka_run_group_tests_name("postgresql, during a COMMIT", during, NULL, NULL);
	return cmocka_run_group_tests_name("postgresql, between groups", between, NULL, NULL);
}
