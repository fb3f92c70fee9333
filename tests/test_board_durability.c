/*
 * vybar-board under concurrency, crashes and tampering (specs/board-api.md):
 *
 *  - several clients submitting at once produce one valid chain: the record
 *    read back verifies entry by entry with the protocol library, and every
 *    receipt names its entry;
 *  - kill -9 while clients submit: after a restart every ballot that got a
 *    receipt is in the record, and the chain verifies;
 *  - a restart continues the same record; a database whose stored entry has
 *    a broken signature or a broken chain is refused, naming the entry.
 *
 * Run on the SQLite store, and with the argument "postgresql" on the
 * PostgreSQL one (tests/support/pg_harness.h; skipped where it cannot run).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/support/board_harness.h"

#define CLIENTS 4
#define BALLOTS_PER_CLIENT 12
#define CRASH_AFTER_RECEIPTS 12
#define WAIT_STEP_NS 2000000L

typedef struct {
	vyh_board *b;
	uint8_t *ballots[BALLOTS_PER_CLIENT];
	size_t lens[BALLOTS_PER_CLIENT];
	Vybar__Receipt *receipts[BALLOTS_PER_CLIENT];
	size_t n_receipts;
	atomic_int *total;
	int stop_on_error;
} client;

/* Precompute a client's ballots (distinct voters). */
static void client_init(client *c, vyh_election *e, int id, atomic_int *total)
{
	uint32_t choices[VYF_SELECTIONS];
	char label[32];
	vyf_voter v;

	memset(c, 0, sizeof *c);
	c->b = &e->b;
	c->total = total;
	vyf_default_choices(choices);
	for (int i = 0; i < BALLOTS_PER_CLIENT; i++) {
		snprintf(label, sizeof label, "voter %d.%d", id, i);
		vyf_voter_init(&v, &e->r.st.election, label);
		c->ballots[i] = vyf_ballot_pack(&e->r.st.election, &v, choices, "cast", NULL, &c->lens[i]);
	}
}

static void client_free(client *c)
{
	for (int i = 0; i < BALLOTS_PER_CLIENT; i++) {
		free(c->ballots[i]);
		vy_msg_free(c->receipts[i]);
	}
}

/* Submit every ballot in turn; keep the receipts. Stops at the first
 * transport error when stop_on_error (the server was killed). */
static void *client_main(void *arg)
{
	client *c = arg;

	for (int i = 0; i < BALLOTS_PER_CLIENT; i++) {
		vyh_resp r;

		vyh_post(c->b, VY_PATH_BALLOTS, c->ballots[i], c->lens[i], &r);
		if (r.transport_error && c->stop_on_error) {
			vyh_resp_free(&r);
			break;
		}
		if (r.status == 200 &&
		    vy_decode_receipt(&c->receipts[c->n_receipts], r.body, r.len, NULL) == VY_R_OK) {
			c->n_receipts++;
			atomic_fetch_add(c->total, 1);
		}
		vyh_resp_free(&r);
	}
	return NULL;
}

/* Every receipt verifies and names its entry in the record (§7.5), and the
 * whole record verifies. Returns the number of ballots on the record. */
static uint64_t check_record_and_receipts(vyh_election *e, client *cl, size_t n_clients)
{
	vy_record_state st;
	vy_reason why = { 0 };
	size_t len, n_hashes;
	uint8_t *rec = vyh_record(&e->b, &len);
	uint8_t (*hashes)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, &n_hashes);
	uint64_t ballots;

	if (vyh_verify_record(rec, len, &st, &why) != VY_R_OK)
		fail_msg("the record does not verify: %s", why.msg);
	for (size_t k = 0; k < n_clients; k++)
		for (size_t i = 0; i < cl[k].n_receipts; i++) {
			const Vybar__Receipt *r = cl[k].receipts[i];

			assert_int_equal(vy_receipt_verify(e->r.keys.board_pk, r, NULL), VY_R_OK);
			assert_true(r->seq < n_hashes);
			assert_memory_equal(hashes[r->seq], r->head_hash.data, VY_HASH_BYTES);
		}
	ballots = st.ballots;
	vy_record_state_free(&st);
	free(hashes);
	free(rec);
	return ballots;
}

/* Several clients at once: one valid chain holding every ballot. */
static void test_board_concurrent_clients(void **state)
{
	client cl[CLIENTS];
	pthread_t t[CLIENTS];
	atomic_int total = 0;
	vyh_election e;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	for (int k = 0; k < CLIENTS; k++)
		client_init(&cl[k], &e, k, &total);
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(pthread_create(&t[k], NULL, client_main, &cl[k]), 0);
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	assert_int_equal(atomic_load(&total), CLIENTS * BALLOTS_PER_CLIENT);
	assert_int_equal(check_record_and_receipts(&e, cl, CLIENTS), CLIENTS * BALLOTS_PER_CLIENT);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	for (int k = 0; k < CLIENTS; k++)
		client_free(&cl[k]);
	vyh_election_free(&e);
}

/* kill -9 while clients submit; after a restart every receipted ballot is there. */
static void test_board_crash_keeps_receipted_ballots(void **state)
{
	struct timespec step = { 0, WAIT_STEP_NS };
	client cl[CLIENTS];
	pthread_t t[CLIENTS];
	atomic_int total = 0;
	vyh_election e;
	uint64_t on_record;
	int got;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	for (int k = 0; k < CLIENTS; k++) {
		client_init(&cl[k], &e, k, &total);
		cl[k].stop_on_error = 1;
	}
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(pthread_create(&t[k], NULL, client_main, &cl[k]), 0);
	while (atomic_load(&total) < CRASH_AFTER_RECEIPTS)
		nanosleep(&step, NULL);
	assert_int_equal(vyh_stop(&e.b, SIGKILL), 128 + SIGKILL);
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	got = atomic_load(&total);
	assert_true(got >= CRASH_AFTER_RECEIPTS);
	assert_int_equal(vyh_start(&e.b, NULL), -1);
	on_record = check_record_and_receipts(&e, cl, CLIENTS);
	/* Every receipt is there; ballots in flight at the kill may be too. */
	assert_true(on_record >= (uint64_t)got);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	for (int k = 0; k < CLIENTS; k++)
		client_free(&cl[k]);
	vyh_election_free(&e);
}

/* Start must be refused (exit status 1) with a log naming the entry and the reason. */
static void expect_refusal(vyh_election *e, const char *entry, const char *reason)
{
	char *log;

	assert_int_equal(vyh_start(&e->b, NULL), 1);
	log = vyh_log(&e->b);
	if (strstr(log, entry) == NULL || strstr(log, reason) == NULL)
		fail_msg("expected \"%s\" and \"%s\" in the board's log: %s", entry, reason, log);
	free(log);
}

/* Restart continues the record; tampered signatures and chains are refused. */
static void test_board_restart_and_tampering(void **state)
{
	const uint64_t victim = 11; /* the first ballot: 0 manifest, 1-3, 4-6, 7-9 ceremony, 10 open */
	Vybar__RecordEntry *entry = NULL;
	ProtobufCBinaryData own_prev, own_sig;
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], zero[VY_HASH_BYTES] = { 0 }, hash[VY_HASH_BYTES];
	uint8_t *orig, *bad;
	size_t orig_len, bad_len, n1, n2;
	uint8_t *before, *after;
	vyh_election e;
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	for (int i = 0; i < 3; i++) {
		uint32_t choices[VYF_SELECTIONS];
		char label[16];
		vyf_voter v;
		uint8_t *p;
		size_t n;

		snprintf(label, sizeof label, "v%d", i);
		vyf_default_choices(choices);
		vyf_voter_init(&v, &e.r.st.election, label);
		p = vyf_ballot_pack(&e.r.st.election, &v, choices, "cast", NULL, &n);
		vyh_post(&e.b, VY_PATH_BALLOTS, p, n, &r);
		assert_int_equal(r.status, 200);
		vyh_resp_free(&r);
		free(p);
	}
	before = vyh_record(&e.b, &n1);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* A clean restart serves the same record and goes on. */
	assert_int_equal(vyh_start(&e.b, NULL), -1);
	after = vyh_record(&e.b, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	free(after);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);

	/* 1. One byte of the stored entry's board signature (its last field). */
	orig = vyh_entry_get(&e.b, victim, &orig_len);
	bad = malloc(orig_len);
	assert_non_null(bad);
	memcpy(bad, orig, orig_len);
	bad[orig_len - 1] ^= 1;
	vyh_entry_put(&e.b, victim, bad, orig_len);
	free(bad);
	expect_refusal(&e, "stored entry 11", "board signature does not verify");

	/* 2. A broken chain, even correctly signed by the board's key. */
	assert_int_equal(vy_decode_entry(&entry, orig, orig_len, NULL), VY_R_OK);
	own_prev = entry->prev_hash;
	own_sig = entry->signature;
	memcpy(sig, zero, sizeof zero);
	entry->prev_hash.data = sig;
	entry->prev_hash.len = VY_HASH_BYTES;
	vy_entry_hash_of(hash, entry);
	crypto_sign_detached(sig + VY_HASH_BYTES, NULL, hash, sizeof hash, e.r.keys.board_sk);
	entry->signature.data = sig + VY_HASH_BYTES;
	entry->signature.len = VY_ED25519_SIG_BYTES;
	bad = vy_msg_pack(entry, &bad_len);
	assert_non_null(bad);
	entry->prev_hash = own_prev;
	entry->signature = own_sig;
	vy_msg_free(entry);
	vyh_entry_put(&e.b, victim, bad, bad_len);
	free(bad);
	expect_refusal(&e, "stored entry 11", "prev_hash");

	/* Restored, the board starts again on the same record. */
	vyh_entry_put(&e.b, victim, orig, orig_len);
	free(orig);
	assert_int_equal(vyh_start(&e.b, NULL), -1);
	after = vyh_record(&e.b, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	free(after);
	free(before);
	vyh_election_free(&e);
}

/* With the argument "postgresql", the same tests on the PostgreSQL store. */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_concurrent_clients),
		cmocka_unit_test(test_board_crash_keeps_receipted_ballots),
		cmocka_unit_test(test_board_restart_and_tampering),
	};
	int rc = vyh_store_select(argc, argv);

	if (rc != 0)
		return rc;
	return cmocka_run_group_tests_name(vyh_store_kind(), tests, NULL, NULL);
}
