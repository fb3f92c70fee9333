/*
 * vybar-board when its disk fails (specs/board-api.md §2): a real board
 * with tests/support/preload/eio_preload.c preloaded, so that, while a
 * control file exists, its fsync/fdatasync (or its pwrite) fail with EIO.
 *
 *  - a ballot whose COMMIT fails gets 500, never a receipt;
 *  - reads go on serving the committed record while the disk fails;
 *  - once the disk works again, the next ballots chain from the last
 *    committed entry, and the refused ballot can be sent again (it was
 *    not recorded: 200, not 409);
 *  - after a crash (kill -9) during the fault or just after it, and after
 *    a clean restart, the board re-validates the record: every
 *    acknowledged ballot is there, with the entry hash its receipt names,
 *    and no refused one.
 *
 * With the argument "postgresql", the same on the PostgreSQL store, where
 * the fault is a trigger failing the inserts or the COMMIT.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/board_harness.h"

#ifndef VYTEST_EIO_PRELOAD
#error "VYTEST_EIO_PRELOAD must name the preloaded fault library (tests/CMakeLists.txt)"
#endif

#define FIRST_BALLOT_SEQ 11 /* 0 manifest, 1-9 key ceremony, 10 election open */
#define MAX_BALLOTS 32

typedef struct {
	uint8_t *bytes;
	size_t len;
	char code[VY_TRACKING_CODE_BYTES];
} ballot;

typedef struct {
	vyh_election e;
	char fault_dir[VYH_DIR_BYTES], ctl[VYH_PATH_BYTES];
	const char *mode;  /* "sync" or "write" */
	const char *phase; /* what the scenario is at, for the messages */
	unsigned voters;
	/* acknowledged ballots: their receipts */
	Vybar__Receipt *acked[MAX_BALLOTS];
	size_t n_acked;
	/* refused ballots (500) not acknowledged since: their tracking codes */
	char refused[MAX_BALLOTS][VY_TRACKING_CODE_BYTES];
	size_t n_refused;
} world;

/* ---- the fault ---- */

/* On the PostgreSQL store the server's disk is out of reach: the fault is
 * a trigger that raises an error on every insert into entries ("insert"),
 * or only at COMMIT ("commit": a deferred constraint trigger). */
#define PG_FAIL_FUNCTION                                                                                   \
	"CREATE OR REPLACE FUNCTION vytest_fail() RETURNS trigger LANGUAGE plpgsql AS "                   \
	"$$BEGIN RAISE EXCEPTION 'the disk fails (a test''s fault)'; END$$;"
#define PG_FAIL_INSERT "CREATE TRIGGER vytest_fault BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION vytest_fail()"
#define PG_FAIL_COMMIT                                                                                     \
	"CREATE CONSTRAINT TRIGGER vytest_fault AFTER INSERT ON entries DEFERRABLE INITIALLY DEFERRED "    \
	"FOR EACH ROW EXECUTE FUNCTION vytest_fail()"

/* The board's PostgreSQL database, NULL on SQLite. */
static const char *pg_conninfo(const world *w)
{
	const char *store = w->e.b.store;

	return store[0] != '\0' ? store + strlen("postgresql:") : NULL;
}

static void fault_on(const world *w)
{
	if (pg_conninfo(w) != NULL) {
		vypg_exec(pg_conninfo(w), strcmp(w->mode, "commit") == 0 ? PG_FAIL_FUNCTION PG_FAIL_COMMIT
									  : PG_FAIL_FUNCTION PG_FAIL_INSERT);
		return;
	}
	vytest_write_file(w->ctl, (const uint8_t *)w->mode, strlen(w->mode));
}

static void fault_off(const world *w)
{
	if (pg_conninfo(w) != NULL) {
		vypg_exec(pg_conninfo(w), "DROP TRIGGER vytest_fault ON entries");
		return;
	}
	assert_int_equal(unlink(w->ctl), 0);
}

/* Start the board (the whole election when first, else vyh_start) with the
 * fault library preloaded; the test's own environment is left as it was. */
static void board_start(world *w, int first)
{
	char *old_preload = getenv("LD_PRELOAD"), *old_asan = getenv("ASAN_OPTIONS");
	char asan[512];

	old_preload = old_preload ? strdup(old_preload) : NULL;
	old_asan = old_asan ? strdup(old_asan) : NULL;
	assert_int_equal(setenv("LD_PRELOAD", VYTEST_EIO_PRELOAD, 1), 0);
	assert_int_equal(setenv("VYTEST_EIO_FILE", w->ctl, 1), 0);
	/* The preloaded library comes before the sanitizer's runtime. */
	snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", old_asan ? old_asan : "", old_asan ? ":" : "");
	assert_int_equal(setenv("ASAN_OPTIONS", asan, 1), 0);
	if (first) {
		vyh_election_start(&w->e, 3, 2, NULL);
	} else if (vyh_start(&w->e.b, NULL) != -1) {
		char *log = vyh_log(&w->e.b);

		fail_msg("vybar-board refused to restart after the fault: %s", log);
	}
	if (old_preload != NULL)
		assert_int_equal(setenv("LD_PRELOAD", old_preload, 1), 0);
	else
		assert_int_equal(unsetenv("LD_PRELOAD"), 0);
	if (old_asan != NULL)
		assert_int_equal(setenv("ASAN_OPTIONS", old_asan, 1), 0);
	else
		assert_int_equal(unsetenv("ASAN_OPTIONS"), 0);
	assert_int_equal(unsetenv("VYTEST_EIO_FILE"), 0);
	free(old_preload);
	free(old_asan);
}

/* ---- ballots ---- */

/* A fresh voter's ballot and its tracking code. */
static void ballot_new(world *w, ballot *b)
{
	uint32_t choices[VYF_SELECTIONS];
	uint8_t h[VY_HASH_BYTES];
	Vybar__Ballot *m = NULL;
	char label[32];
	vyf_voter v;

	snprintf(label, sizeof label, "fault voter %u", w->voters++);
	vyf_default_choices(choices);
	vyf_voter_init(&v, &w->e.r.st.election, label);
	b->bytes = vyf_ballot_pack(&w->e.r.st.election, &v, choices, "cast", NULL, &b->len);
	assert_int_equal(vy_decode_ballot(&m, b->bytes, b->len, NULL), VY_R_OK);
	vy_ballot_ciphertexts_hash(&w->e.r.st.election, h, m);
	vy_tracking_code(b->code, h);
	vy_msg_free(m);
}

static void ballot_free(ballot *b)
{
	free(b->bytes);
	memset(b, 0, sizeof *b);
}

/* Forget a refused code (the same ballot was acknowledged since). */
static void refused_drop(world *w, const char *code)
{
	for (size_t i = 0; i < w->n_refused; i++)
		if (strcmp(w->refused[i], code) == 0) {
			memmove(w->refused[i], w->refused[i + 1], (w->n_refused - i - 1) * sizeof w->refused[0]);
			w->n_refused--;
			return;
		}
}

/* POST: 200 with a receipt that verifies, names this ballot and the next
 * position after every acknowledged entry. */
static void post_acked(world *w, const ballot *b)
{
	Vybar__Receipt *r = NULL;
	vyh_resp resp;

	vyh_post(&w->e.b, VY_PATH_BALLOTS, b->bytes, b->len, &resp);
	if (resp.status != 200)
		fail_msg("%s storage: ballot %s: expected 200, got %ld: %s", w->mode, b->code, resp.status,
			 (const char *)resp.body);
	assert_int_equal(vy_decode_receipt(&r, resp.body, resp.len, NULL), VY_R_OK);
	assert_int_equal(vy_receipt_verify(w->e.r.keys.board_pk, r, NULL), VY_R_OK);
	assert_string_equal(r->tracking_code, b->code);
	assert_int_equal(r->seq, FIRST_BALLOT_SEQ + w->n_acked);
	assert_true(w->n_acked < MAX_BALLOTS);
	w->acked[w->n_acked++] = r;
	refused_drop(w, b->code);
	vyh_resp_free(&resp);
}

/* POST while the disk fails: 500 naming the store, no receipt. */
static void post_refused(world *w, const ballot *b)
{
	vyh_resp resp;

	vyh_post(&w->e.b, VY_PATH_BALLOTS, b->bytes, b->len, &resp);
	if (resp.status != 500 || !vyh_body_has(&resp, "\"message\"") || !vyh_body_has(&resp, "store"))
		fail_msg("%s storage failing: ballot %s: expected 500 naming the store, got %ld: %s", w->mode, b->code,
			 resp.status, (const char *)resp.body);
	assert_true(w->n_refused < MAX_BALLOTS);
	snprintf(w->refused[w->n_refused++], VY_TRACKING_CODE_BYTES, "%s", b->code);
	vyh_resp_free(&resp);
}

/* The record verifies with the protocol library; it holds exactly the
 * acknowledged ballots, each at its receipt's position with the receipt's
 * entry hash; no refused ballot has a stored receipt. Returns the record. */
static uint8_t *record_check(const world *w, size_t *len)
{
	uint8_t *rec = vyh_record(&w->e.b, len);
	uint8_t (*hashes)[VY_HASH_BYTES];
	vy_record_state st;
	vy_reason why;
	size_t n;

	if (vyh_verify_record(rec, *len, &st, &why) != VY_R_OK)
		fail_msg("%s storage, %s: the record does not verify: %s", w->mode, w->phase, why.msg);
	if (st.ballots != w->n_acked || st.next_seq != FIRST_BALLOT_SEQ + w->n_acked)
		fail_msg("%s storage, %s: the record holds %llu ballots (%llu entries), %zu were acknowledged", w->mode,
			 w->phase, (unsigned long long)st.ballots, (unsigned long long)st.next_seq, w->n_acked);
	vy_record_state_free(&st);
	hashes = vyh_entry_hashes(rec, *len, &n);
	assert_int_equal(n, FIRST_BALLOT_SEQ + w->n_acked);
	for (size_t i = 0; i < w->n_acked; i++)
		assert_memory_equal(hashes[w->acked[i]->seq], w->acked[i]->head_hash.data, VY_HASH_BYTES);
	free(hashes);
	for (size_t i = 0; i < w->n_refused; i++) {
		char path[64];
		vyh_resp r;

		snprintf(path, sizeof path, VY_PATH_RECEIPTS "%s", w->refused[i]);
		vyh_get(&w->e.b, path, &r);
		if (r.status != 404)
			fail_msg("%s storage, %s: refused ballot %s: GET %s answered %ld", w->mode, w->phase, w->refused[i],
				 path, r.status);
		vyh_resp_free(&r);
	}
	return rec;
}

/* ---- the scenario ---- */

static void world_start(world *w, const char *mode)
{
	const char *tmp = getenv("TMPDIR");

	memset(w, 0, sizeof *w);
	w->mode = mode;
	snprintf(w->fault_dir, sizeof w->fault_dir, "%s/vybar-fault-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(w->fault_dir));
	snprintf(w->ctl, sizeof w->ctl, "%s/eio", w->fault_dir);
	board_start(w, 1);
	vyh_election_ceremony(&w->e);
}

/* Also after a failed check: a board still running is killed. */
static void world_free(world *w)
{
	for (size_t i = 0; i < w->n_acked; i++)
		vy_msg_free(w->acked[i]);
	(void)unlink(w->ctl);
	rmdir(w->fault_dir);
	vyh_election_free(&w->e);
	memset(w, 0, sizeof *w);
}

static world the_world;

static int world_teardown(void **state)
{
	(void)state;
	if (the_world.mode != NULL)
		world_free(&the_world);
	return 0;
}

/* n fresh ballots, each acknowledged. */
static void cast_acked(world *w, int n)
{
	for (int i = 0; i < n; i++) {
		ballot b;

		ballot_new(w, &b);
		post_acked(w, &b);
		ballot_free(&b);
	}
}

static void run(const char *mode)
{
	ballot f1, f2, f3, f4;
	uint8_t *before, *during, *after;
	size_t n_before, n_during, n_after;
	world *w = &the_world;

	world_start(w, mode);
	w->phase = "before the fault";
	cast_acked(w, 3);
	before = record_check(w, &n_before);

	/* The disk fails: two ballots refused; reads still serve the
	 * committed record, unchanged. */
	w->phase = "during the fault";
	fault_on(w);
	ballot_new(w, &f1);
	ballot_new(w, &f2);
	post_refused(w, &f1);
	post_refused(w, &f2);
	during = vyh_record(&w->e.b, &n_during);
	assert_int_equal(n_during, n_before);
	assert_memory_equal(during, before, n_before);
	free(during);
	free(before);

	/* It works again: the next ballots chain from the last committed
	 * entry; f1 was not recorded, so sending it again is accepted. */
	w->phase = "after the fault";
	fault_off(w);
	cast_acked(w, 2);
	post_acked(w, &f1);
	free(record_check(w, &n_after));

	/* A crash while the disk fails, then a restart without the fault. */
	w->phase = "after a crash during the fault";
	fault_on(w);
	ballot_new(w, &f3);
	post_refused(w, &f3);
	assert_int_equal(vyh_stop(&w->e.b, SIGKILL), 128 + SIGKILL);
	fault_off(w);
	board_start(w, 0);
	free(record_check(w, &n_after));

	/* A crash just after the fault, before any other commit. */
	w->phase = "after a crash just after the fault";
	fault_on(w);
	ballot_new(w, &f4);
	post_refused(w, &f4);
	fault_off(w);
	assert_int_equal(vyh_stop(&w->e.b, SIGKILL), 128 + SIGKILL);
	board_start(w, 0);
	free(record_check(w, &n_after));

	/* The refused ballots can be cast after all; a clean restart serves
	 * the very same record. */
	w->phase = "after a clean restart";
	post_acked(w, &f2);
	post_acked(w, &f4);
	cast_acked(w, 1);
	after = record_check(w, &n_after);
	assert_int_equal(vyh_stop(&w->e.b, SIGTERM), 0);
	board_start(w, 0);
	before = record_check(w, &n_before);
	assert_int_equal(n_before, n_after);
	assert_memory_equal(before, after, n_after);
	assert_int_equal(w->n_refused, 1); /* f3, never sent again */
	free(before);
	free(after);
	ballot_free(&f1);
	ballot_free(&f2);
	ballot_free(&f3);
	ballot_free(&f4);
	assert_int_equal(vyh_stop(&w->e.b, SIGTERM), 0);
	world_free(w);
}

/* fsync and fdatasync fail: the WAL frames were written, their flush
 * failed (PostgreSQL: the COMMIT fails). */
static void test_board_fsync_fails(void **state)
{
	(void)state;
	run(strcmp(vyh_store_kind(), "postgresql") == 0 ? "commit" : "sync");
}

/* pwrite fails: nothing of the group reaches the WAL (PostgreSQL: the
 * inserts fail). */
static void test_board_write_fails(void **state)
{
	(void)state;
	run(strcmp(vyh_store_kind(), "postgresql") == 0 ? "insert" : "write");
}

/* With the argument "postgresql", the same scenario on the PostgreSQL store. */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_board_fsync_fails, world_teardown),
		cmocka_unit_test_teardown(test_board_write_fails, world_teardown),
	};
	int rc = vyh_store_select(argc, argv);

	if (rc != 0)
		return rc;
	vytest_init();
	return cmocka_run_group_tests_name(vyh_store_kind(), tests, NULL, NULL);
}
