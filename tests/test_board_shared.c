/*
 * Two vybar-board processes appending to one PostgreSQL database
 * (specs/board-api.md §2, bulletin/store_pg.c): each takes the store's
 * append lock and follows the entries the other appended before it builds
 * its own, so that
 *  - ballots sent to both at once, and in turn, are all accepted, each
 *    receipt naming its entry of the one record;
 *  - a ballot one board recorded is a duplicate at the other;
 *  - a credential that revotes at one board, then the other, in turn: each
 *    board divides the previous ballot, which the other appended, out of
 *    its running tally (reading it back from the store);
 *  - both serve the same record, which vybar-verify accepts and which
 *    holds every ballot; the restart checkpoint the last board stopped
 *    writes holds the running tally the record gives.
 * Needs PostgreSQL (tests/support/pg_harness.h): skipped where it cannot run.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bulletin/checkpoint.h"
#include "tests/support/board_harness.h"

#define PER_BOARD 10
#define IN_TURN 6
#define REVOTES 5 /* one credential's ballots, at each board in turn */
#define VERIFY_OUT_BYTES 8192

typedef struct {
	vyh_board *b;
	uint8_t *ballots[PER_BOARD];
	size_t lens[PER_BOARD];
	Vybar__Receipt *receipts[PER_BOARD + IN_TURN + REVOTES];
	size_t n_receipts;
} client;

/* A ballot of voter `label` (its randomness from variant), for option
 * c % 3 of contest 0. */
static uint8_t *ballot_as(vyh_election *e, const char *label, const char *variant, uint32_t c, size_t *len)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;

	vyf_default_choices(choices);
	for (uint32_t k = 0; k < 3; k++)
		choices[k] = k == c % 3;
	vyf_voter_init(&v, &e->r.st.election, label);
	return vyf_ballot_pack(&e->r.st.election, &v, choices, variant, NULL, len);
}

/* A fresh voter's ballot. */
static uint8_t *ballot_of(vyh_election *e, const char *label, size_t *len)
{
	return ballot_as(e, label, "cast", 1, len);
}

/* The stored restart checkpoint holds the running tally of st. */
static void assert_checkpoint_tally(const vyh_election *e, const vy_record_state *st)
{
	const vy_group *g = st->election.group;
	size_t eb = vy_group_elem_bytes(g), len;
	uint8_t *blob = vyh_checkpoint_get(&e->b, &len), *want;
	vyb_checkpoint ck;

	assert_non_null(blob);
	assert_int_equal(vyb_checkpoint_open(blob, len, e->r.keys.board_pk, &ck, NULL), VY_R_OK);
	assert_int_equal(ck.size, st->next_seq);
	assert_int_equal(ck.tally_len, 2 * eb * st->n_sel);
	want = malloc(ck.tally_len);
	assert_non_null(want);
	for (size_t j = 0; j < st->n_sel; j++) {
		vy_elem_encode(g, want + 2 * eb * j, &st->tally[j].alpha);
		vy_elem_encode(g, want + 2 * eb * j + eb, &st->tally[j].beta);
	}
	assert_memory_equal(ck.tally, want, ck.tally_len);
	free(want);
	free(blob);
}

/* POST a ballot: 200 with its receipt, kept. */
static void post_ok(client *c, vyh_board *b, const uint8_t *p, size_t n)
{
	vyh_resp r;

	vyh_post(b, VY_PATH_BALLOTS, p, n, &r);
	if (r.status != 200)
		fail_msg("ballot at port %u: %ld %s", b->port, r.status, (const char *)r.body);
	assert_int_equal(vy_decode_receipt(&c->receipts[c->n_receipts++], r.body, r.len, NULL), VY_R_OK);
	vyh_resp_free(&r);
}

static void *client_main(void *arg)
{
	client *c = arg;

	for (int i = 0; i < PER_BOARD; i++)
		post_ok(c, c->b, c->ballots[i], c->lens[i]);
	return NULL;
}

/* The second board: the first's store, key and manifest, its own port. */
static void second_board(const vyh_election *e, vyh_board *b2)
{
	uint8_t seed[32];

	vyh_init(b2);
	snprintf(b2->store, sizeof b2->store, "%s", e->b.store);
	vyf_bytes32(seed, "board"); /* the fixtures' board key, as vyh_election_start */
	vyh_write_key(b2, seed);
	vyh_write_manifest(b2, e->r.manifest_bytes, e->r.manifest_len);
	if (vyh_start(b2, NULL) != -1) {
		char *log = vyh_log(b2);

		fail_msg("the second board refused to start: %s", log);
	}
}

/* Every receipt verifies and names its entry of the record. */
static void check_receipts(const vyh_election *e, client *cl, size_t n, const uint8_t *rec, size_t len)
{
	size_t n_hashes;
	uint8_t (*hashes)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, &n_hashes);

	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < cl[k].n_receipts; i++) {
			const Vybar__Receipt *r = cl[k].receipts[i];

			assert_int_equal(vy_receipt_verify(e->r.keys.board_pk, r, NULL), VY_R_OK);
			assert_true(r->seq < n_hashes);
			assert_memory_equal(hashes[r->seq], r->head_hash.data, VY_HASH_BYTES);
		}
	free(hashes);
}

static void test_two_boards_one_record(void **state)
{
	client cl[2];
	pthread_t t[2];
	vyh_board b2;
	vyh_election e;
	vy_record_state st;
	vy_reason why = { 0 };
	uint8_t *rec1, *rec2, *p;
	size_t len1, len2, n;
	char label[32], url[64], out[VERIFY_OUT_BYTES];
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	second_board(&e, &b2);
	memset(cl, 0, sizeof cl);
	cl[0].b = &e.b;
	cl[1].b = &b2;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < PER_BOARD; i++) {
			snprintf(label, sizeof label, "voter %d.%d", k, i);
			cl[k].ballots[i] = ballot_of(&e, label, &cl[k].lens[i]);
		}

	/* At once, each client to its board. */
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&t[k], NULL, client_main, &cl[k]), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);

	/* In turn: each board follows the other's last entry. */
	for (int i = 0; i < IN_TURN; i++) {
		snprintf(label, sizeof label, "turn voter %d", i);
		p = ballot_of(&e, label, &n);
		post_ok(&cl[i % 2], i % 2 ? &b2 : &e.b, p, n);
		free(p);
	}

	/* One credential's ballots at each board in turn, the last at the
	 * first board (stopped last: its checkpoint is checked below). */
	for (int i = 0; i < REVOTES; i++) {
		snprintf(label, sizeof label, "revote %d", i);
		p = ballot_as(&e, "rita", label, (uint32_t)i, &n);
		post_ok(&cl[i % 2], i % 2 ? &b2 : &e.b, p, n);
		free(p);
	}

	/* Recorded by one, a duplicate at the other. */
	vyh_post(&b2, VY_PATH_BALLOTS, cl[0].ballots[0], cl[0].lens[0], &r);
	if (r.status != 409)
		fail_msg("a ballot the first board recorded, sent to the second: %ld %s", r.status, (const char *)r.body);
	vyh_resp_free(&r);

	/* One record, served by both, verified, with every ballot. */
	rec1 = vyh_record(&e.b, &len1);
	rec2 = vyh_record(&b2, &len2);
	assert_int_equal(len1, len2);
	assert_memory_equal(rec1, rec2, len1);
	if (vyh_verify_record(rec1, len1, &st, &why) != VY_R_OK)
		fail_msg("the record does not verify: %s", why.msg);
	assert_int_equal(st.ballots, 2 * PER_BOARD + IN_TURN + REVOTES);
	assert_int_equal(st.cred_count, 2 * PER_BOARD + IN_TURN + 1);
	check_receipts(&e, cl, 2, rec1, len1);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", b2.port);
	if (vytest_run(out, sizeof out, 1, VYBAR_VERIFY_PROGRAM,
		       (const char *const[]){ "record", url, "--partial-ok", NULL }) != 0)
		fail_msg("vybar-verify refused the shared record: %s", out);

	assert_int_equal(vyh_stop(&b2, SIGTERM), 0);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	assert_checkpoint_tally(&e, &st);
	vy_record_state_free(&st);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < PER_BOARD; i++)
			free(cl[k].ballots[i]);
		for (size_t i = 0; i < cl[k].n_receipts; i++)
			vy_msg_free(cl[k].receipts[i]);
	}
	free(rec1);
	free(rec2);
	vyh_cleanup(&b2);
	vyh_election_free(&e);
}

/* PostgreSQL only: skipped (77) where it cannot run. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_boards_one_record),
	};
	char name[] = "test_board_shared", pg[] = "postgresql";
	char *argv[] = { name, pg, NULL };
	int rc = vyh_store_select(2, argv);

	if (rc != 0)
		return rc;
	return cmocka_run_group_tests_name(vyh_store_kind(), tests, NULL, NULL);
}
