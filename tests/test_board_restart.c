/*
 * vybar-board's restart checkpoint (bulletin/checkpoint.h, specs/board-api.md
 * §2 "Restart"), against a real board:
 *
 *  - a clean stop writes a checkpoint; the restart replays the entries it
 *    covers without their proofs and serves the very same record, status
 *    and signed tree head; the rebuilt state goes on as the old one would
 *    (a ballot sent again is a duplicate, a revote supersedes);
 *  - after kill -9, only the entries after the checkpoint are checked in
 *    full;
 *  - a checkpoint whose signature fails, and one signed by the board's key
 *    for other stored bytes, are said to be refused and the board checks
 *    every entry, to the same state (and writes a checkpoint that holds);
 *  - counted at the end, the board's record is byte for byte the one the
 *    protocol library builds from the same inputs (the tally accumulators
 *    and the credentials' last ballots were rebuilt right).
 *
 * With the argument "postgresql", all of it on the PostgreSQL store.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulletin/checkpoint.h"
#include "tests/support/board_harness.h"


/* What a board serves of its state: record, status, signed tree head. */
typedef struct {
	uint8_t *record;
	size_t record_len;
	char *status, *head;
} served;

static char *get_text(const vyh_board *b, const char *path)
{
	vyh_resp r;
	char *out;

	vyh_get(b, path, &r);
	assert_int_equal(r.status, 200);
	out = calloc(1, r.len + 1);
	assert_non_null(out);
	memcpy(out, r.body, r.len);
	vyh_resp_free(&r);
	return out;
}

static void served_take(const vyh_board *b, served *s)
{
	s->record = vyh_record(b, &s->record_len);
	s->status = get_text(b, VY_PATH_STATUS);
	s->head = get_text(b, VY_PATH_CHECKPOINT);
}

static void served_free(served *s)
{
	free(s->record);
	free(s->status);
	free(s->head);
	memset(s, 0, sizeof *s);
}

/* The board serves exactly what it served before. */
static void expect_same(const vyh_board *b, const served *before, const char *when)
{
	served now;

	served_take(b, &now);
	if (now.record_len != before->record_len || memcmp(now.record, before->record, now.record_len) != 0)
		fail_msg("%s: the record differs (%zu bytes, was %zu)", when, now.record_len, before->record_len);
	if (strcmp(now.status, before->status) != 0)
		fail_msg("%s: status %s, was %s", when, now.status, before->status);
	if (strcmp(now.head, before->head) != 0)
		fail_msg("%s: tree head %s, was %s", when, now.head, before->head);
	served_free(&now);
}

/* Restart (with a fresh log): it must start, and its log must say `said`. */
static void restart_saying(vyh_election *e, const char *said)
{
	char *log;

	unlink(e->b.log);
	if (vyh_start(&e->b, NULL) != -1) {
		log = vyh_log(&e->b);
		fail_msg("the board did not restart: %s", log);
	}
	log = vyh_log(&e->b);
	if (strstr(log, said) == NULL)
		fail_msg("expected \"%s\" in the board's log: %s", said, log);
	free(log);
}

/* A voter's ballot with option c (0 or 1) of the first contest (its
 * randomness from the label and variant), accepted and also appended to
 * the local record. */
static void vote(vyh_election *e, const char *label, const char *variant, uint32_t c)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;
	uint8_t *p;
	size_t n;
	vyh_resp r;

	vyf_default_choices(choices);
	choices[0] = c;
	choices[1] = 1 - c;
	vyf_voter_init(&v, &e->r.st.election, label);
	p = vyf_ballot_pack(&e->r.st.election, &v, choices, variant, NULL, &n);
	vyh_post(&e->b, VY_PATH_BALLOTS, p, n, &r);
	if (r.status != 200)
		fail_msg("ballot of %s: %ld %s", label, r.status, (const char *)r.body);
	vyh_resp_free(&r);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, n);
	/* The same bytes again: already on the record. */
	vyh_post(&e->b, VY_PATH_BALLOTS, p, n, &r);
	assert_int_equal(r.status, 409);
	vyh_resp_free(&r);
	free(p);
}

static void test_board_restart_checkpoint(void **state)
{
	uint8_t *blob, *forged;
	size_t len, forged_len;
	vyb_checkpoint ck;
	vyh_election e;
	served before;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	vote(&e, "ana", "cast", 0);
	vote(&e, "ben", "cast", 1);
	vote(&e, "cleo", "cast", 0);
	vote(&e, "ana", "revote", 1); /* a revote: ana's first ballot leaves the tally */
	served_take(&e.b, &before);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* A clean restart: every entry under the checkpoint, the same state. */
	blob = vyh_checkpoint_get(&e.b, &len);
	assert_non_null(blob);
	assert_int_equal(vyb_checkpoint_open(blob, len, e.r.keys.board_pk, &ck, NULL), VY_R_OK);
	assert_int_equal(ck.size, e.r.st.next_seq);
	assert_memory_equal(ck.head, e.r.st.head_hash, VY_HASH_BYTES);
	restart_saying(&e, "restart checkpoint: 15 entries replayed without their proofs, 0 checked in full");
	expect_same(&e.b, &before, "after a restart from the checkpoint");
	served_free(&before);

	/* The state goes on: a new voter and a revote; kill -9 before any
	 * new checkpoint, then only those two are checked in full. */
	vote(&e, "dan", "cast", 1);
	vote(&e, "ben", "revote", 0);
	served_take(&e.b, &before);
	assert_int_equal(vyh_stop(&e.b, SIGKILL), 128 + SIGKILL);
	restart_saying(&e, "restart checkpoint: 15 entries replayed without their proofs, 2 checked in full");
	expect_same(&e.b, &before, "after kill -9");
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* One bit of the checkpoint's signature: refused, every entry checked. */
	free(blob);
	blob = vyh_checkpoint_get(&e.b, &len);
	assert_non_null(blob);
	blob[len - 1] ^= 1; /* the signature's last byte */
	vyh_checkpoint_put(&e.b, blob, len);
	restart_saying(&e, "the restart checkpoint is refused (checkpoint: the board's signature does not verify): "
			   "checking every entry");
	expect_same(&e.b, &before, "after a refused checkpoint");
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* Signed by the board's key, but for other stored bytes: the stored
	 * entries do not arrive at it, every entry checked. */
	blob[len - 1] ^= 1;
	assert_int_equal(vyb_checkpoint_open(blob, len, e.r.keys.board_pk, &ck, NULL), VY_R_OK);
	assert_int_equal(ck.size, e.r.st.next_seq);
	memset(ck.bytes_hash, 0, sizeof ck.bytes_hash);
	forged = vyb_checkpoint_make(&ck, e.r.keys.board_sk, &forged_len);
	assert_non_null(forged);
	vyh_checkpoint_put(&e.b, forged, forged_len);
	free(forged);
	restart_saying(&e, "does not match the restart checkpoint of 17 entries");
	{
		char *log = vyh_log(&e.b);

		assert_non_null(strstr(log, "not those the checkpoint covers"));
		assert_non_null(strstr(log, "checking every entry"));
		free(log);
	}
	expect_same(&e.b, &before, "after a checkpoint for other bytes");
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* The board wrote a checkpoint that holds again. */
	restart_saying(&e, "restart checkpoint: 17 entries replayed without their proofs, 0 checked in full");
	expect_same(&e.b, &before, "after a rewritten checkpoint");
	served_free(&before);

	/* Counted: the board's record is the library's, byte for byte. */
	vyh_election_close_and_count(&e);
	free(blob);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* Counted and restarted: the checkpoint covers the encrypted tally too
	 * (it is checked against the checkpoint's product of the ballots). */
	{
		char said[128];

		snprintf(said, sizeof said, "restart checkpoint: %llu entries replayed without their proofs, 0 checked in full",
			 (unsigned long long)e.r.st.next_seq);
		restart_saying(&e, said);
	}
	vyh_expect_same_record(&e);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	vyh_election_free(&e);
}

/* With the argument "postgresql", on the PostgreSQL store. */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_restart_checkpoint),
	};
	int rc = vyh_store_select(argc, argv);

	if (rc != 0)
		return rc;
	return cmocka_run_group_tests_name(vyh_store_kind(), tests, NULL, NULL);
}
