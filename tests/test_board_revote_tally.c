/*
 * Revotes counted by a board that keeps no ciphertexts per credential
 * (specs/protocol.md §10.1; the board reads a revote's previous ballot back
 * from its uncommitted group or from its store), against a real board:
 *
 *  - four voters cast; one revotes twice, each revote read back from the
 *    store;
 *  - then rounds of BURST ballots of one credential posted at once (with
 *    as many of another), so that revotes wait together for the writer and
 *    land in the group that holds the ballot they supersede;
 *  - kill -9 and a restart (the entries after the last restart checkpoint
 *    replayed in full: a revote's previous ballot is read from the store
 *    while the record is read), then one more revote;
 *  - counted at the end: the board's record is byte for byte the one the
 *    protocol library builds from the same entries (its running tally keeps
 *    every credential's ciphertexts in memory), the record verifies, and
 *    the result counts every credential's last ballot only.
 *
 * With the argument "postgresql", all of it on the PostgreSQL store.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/board_harness.h"

#define OPTIONS 3   /* contest 0: one of 3 (selections 0..2) */
#define BURST 4     /* ballots of one credential posted at once */
#define ROUNDS 2
#define MAX_SENT 64 /* ballots this test sends */

/* What was posted: each ballot's bytes and its choice in contest 0. */
typedef struct {
	uint8_t *payload[MAX_SENT];
	size_t len[MAX_SENT];
	uint32_t choice[MAX_SENT];
	size_t n;
} sent_ballots;

static sent_ballots sent;

/* A ballot of voter `label` for option c of contest 0, noted in `sent`. */
static size_t make_ballot(vyh_election *e, const char *label, const char *variant, uint32_t c)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;
	size_t i = sent.n++;

	assert_true(i < MAX_SENT);
	vyf_default_choices(choices);
	for (uint32_t k = 0; k < OPTIONS; k++)
		choices[k] = k == c;
	vyf_voter_init(&v, &e->r.st.election, label);
	sent.payload[i] = vyf_ballot_pack(&e->r.st.election, &v, choices, variant, NULL, &sent.len[i]);
	assert_non_null(sent.payload[i]);
	sent.choice[i] = c;
	return i;
}

static void post_ok(vyh_election *e, size_t i)
{
	vyh_resp r;

	vyh_post(&e->b, VY_PATH_BALLOTS, sent.payload[i], sent.len[i], &r);
	if (r.transport_error || r.status != 200)
		fail_msg("ballot %zu: %ld %s", i, r.status, (const char *)r.body);
	vyh_resp_free(&r);
}

/* One ballot posted by its own thread, after the others are ready. */
typedef struct {
	vyh_election *e;
	size_t i;
	pthread_barrier_t *go;
	long status;
	int transport_error;
} poster;

static void *post_one(void *arg)
{
	poster *p = arg;
	vyh_resp r;

	pthread_barrier_wait(p->go);
	vyh_post(&p->e->b, VY_PATH_BALLOTS, sent.payload[p->i], sent.len[p->i], &r);
	p->status = r.status;
	p->transport_error = r.transport_error;
	vyh_resp_free(&r);
	return NULL;
}

/* The ballots idx[0..n) posted at once, one thread each; all accepted. */
static void post_at_once(vyh_election *e, const size_t *idx, size_t n)
{
	pthread_t t[2 * BURST];
	poster p[2 * BURST];
	pthread_barrier_t go;

	assert_true(n <= 2 * BURST);
	assert_int_equal(pthread_barrier_init(&go, NULL, (unsigned)n), 0);
	for (size_t k = 0; k < n; k++) {
		p[k] = (poster){ .e = e, .i = idx[k], .go = &go };
		assert_int_equal(pthread_create(&t[k], NULL, post_one, &p[k]), 0);
	}
	for (size_t k = 0; k < n; k++)
		pthread_join(t[k], NULL);
	pthread_barrier_destroy(&go);
	for (size_t k = 0; k < n; k++)
		if (p[k].transport_error || p[k].status != 200)
			fail_msg("ballot %zu posted at once: status %ld", idx[k], p[k].status);
}

/* The local record follows the board's: every entry the board has past
 * the local one is appended locally (its payload the same), and must come
 * out with the same hash; a BALLOT must be one this test sent. */
static void follow_board(vyh_election *e)
{
	uint8_t *rec = NULL;
	size_t len = 0, off = VY_RECORD_MAGIC_LEN, n;
	const uint8_t *frame;
	uint64_t seq = 0;

	rec = vyh_record(&e->b, &len);
	while (vy_record_frame_next(rec, len, &off, &frame, &n, NULL) == VY_R_OK && frame != NULL) {
		Vybar__RecordEntry *x = NULL;
		uint8_t want[VY_HASH_BYTES];

		if (seq++ < e->r.st.next_seq)
			continue;
		assert_int_equal(vy_decode_entry(&x, frame, n, NULL), VY_R_OK);
		vy_entry_hash_of(want, x);
		vyf_record_append(&e->r, x->type, x->payload.data, x->payload.len);
		assert_memory_equal(e->r.st.head_hash, want, VY_HASH_BYTES);
		vy_msg_free(x);
	}
	assert_int_equal(off, len);
	free(rec);
}

/* Contest 0's counts of every credential's last ballot on the local
 * record, from the choices this test gave its ballots. */
static void expected_counts(const vyh_election *e, uint64_t counts[OPTIONS])
{
	uint8_t pks[MAX_SENT][VY_ED25519_PK_BYTES];
	uint32_t last[MAX_SENT];
	size_t n_cred = 0;

	memset(counts, 0, OPTIONS * sizeof counts[0]);
	for (size_t k = 0; k < e->r.n_entries; k++) {
		Vybar__RecordEntry *x = NULL;
		Vybar__Ballot *b = NULL;
		size_t i, c;

		assert_int_equal(vy_decode_entry(&x, e->r.entries[k], e->r.entry_lens[k], NULL), VY_R_OK);
		if (x->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT) {
			vy_msg_free(x);
			continue;
		}
		for (i = 0; i < sent.n; i++)
			if (sent.len[i] == x->payload.len && memcmp(sent.payload[i], x->payload.data, sent.len[i]) == 0)
				break;
		assert_true(i < sent.n);
		assert_int_equal(vy_decode_ballot(&b, x->payload.data, x->payload.len, NULL), VY_R_OK);
		for (c = 0; c < n_cred; c++)
			if (memcmp(pks[c], b->credential->public_key.data, VY_ED25519_PK_BYTES) == 0)
				break;
		if (c == n_cred)
			memcpy(pks[n_cred++], b->credential->public_key.data, VY_ED25519_PK_BYTES);
		last[c] = sent.choice[i];
		vy_msg_free(b);
		vy_msg_free(x);
	}
	for (size_t c = 0; c < n_cred; c++)
		counts[last[c]]++;
}

/* The RESULT entry (the local record's last) and its counts of contest 0. */
static void assert_result(const vyh_election *e, const uint64_t want[OPTIONS])
{
	Vybar__RecordEntry *x = NULL;
	Vybar__Result *res = NULL;

	assert_int_equal(vy_decode_entry(&x, e->r.entries[e->r.n_entries - 1], e->r.entry_lens[e->r.n_entries - 1], NULL),
			 VY_R_OK);
	assert_int_equal(x->type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
					   x->payload.data, x->payload.len, NULL),
			 VY_R_OK);
	assert_int_equal(res->contests[0]->n_counts, OPTIONS);
	for (size_t k = 0; k < OPTIONS; k++)
		if (res->contests[0]->counts[k] != want[k])
			fail_msg("option %zu: %llu votes counted, the last ballots give %llu", k,
				 (unsigned long long)res->contests[0]->counts[k], (unsigned long long)want[k]);
	vy_msg_free(res);
	vy_msg_free(x);
}

static void test_revotes_counted(void **state)
{
	static const char *const voters[] = { "ana", "ben", "cleo", "dan" };
	uint64_t want[OPTIONS], total = 0;
	uint8_t *board;
	size_t board_len, idx[2 * BURST];
	vy_record_state st;
	vy_reason why = { 0 };
	vyh_election e;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);

	/* Each voter once; ana twice more, one ballot at a time. */
	for (size_t v = 0; v < sizeof voters / sizeof voters[0]; v++)
		post_ok(&e, make_ballot(&e, voters[v], "first", (uint32_t)v % OPTIONS));
	post_ok(&e, make_ballot(&e, "ana", "second", 1));
	post_ok(&e, make_ballot(&e, "ana", "third", 2));

	/* Rounds of BURST ballots of eve (and of ben) at once. */
	for (int round = 0; round < ROUNDS; round++) {
		char variant[32];

		for (size_t k = 0; k < BURST; k++) {
			snprintf(variant, sizeof variant, "round %d ballot %zu", round, k);
			idx[2 * k] = make_ballot(&e, "eve", variant, (uint32_t)(k + (size_t)round) % OPTIONS);
			idx[2 * k + 1] = make_ballot(&e, "ben", variant, (uint32_t)(k + 1) % OPTIONS);
		}
		post_at_once(&e, idx, 2 * BURST);
	}
	follow_board(&e);

	/* kill -9: the restart replays the entries after its last checkpoint
	 * in full; then eve and ana revote once more. */
	assert_int_equal(vyh_stop(&e.b, SIGKILL), 128 + SIGKILL);
	if (vyh_start(&e.b, NULL) != -1) {
		char *log = vyh_log(&e.b);

		fail_msg("the board did not restart: %s", log);
	}
	post_ok(&e, make_ballot(&e, "eve", "after the restart", 0));
	post_ok(&e, make_ballot(&e, "ana", "after the restart", 0));
	follow_board(&e);
	assert_int_equal(e.r.st.ballots, sent.n);
	assert_int_equal(e.r.st.cred_count, 5);

	/* Counted: the board's record is the library's, byte for byte. */
	vyh_election_close_and_count(&e);
	board = vyh_record(&e.b, &board_len);
	if (vyh_verify_record(board, board_len, &st, &why) != VY_R_OK)
		fail_msg("the board's record does not verify: %s", why.msg);
	vy_record_state_free(&st);
	free(board);

	expected_counts(&e, want);
	for (size_t k = 0; k < OPTIONS; k++)
		total += want[k];
	assert_int_equal(total, 5);
	assert_result(&e, want);

	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	vyh_election_free(&e);
	for (size_t i = 0; i < sent.n; i++)
		free(sent.payload[i]);
}

/* With the argument "postgresql", on the PostgreSQL store. */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revotes_counted),
	};
	int rc = vyh_store_select(argc, argv);

	if (rc != 0)
		return rc;
	return cmocka_run_group_tests_name(vyh_store_kind(), tests, NULL, NULL);
}
