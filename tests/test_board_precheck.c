/*
 * vybar-board's ballot checkers (specs/board-api.md, "Checking ballots
 * outside the writer"): ballots' and audited ballots' state-free rules run
 * on a pool of threads, the writer appends with VY_CHECK_SKIP_BALLOT.
 *
 *  - under load (several clients at once, valid, invalid and duplicate
 *    ballots and audited ballots mixed), every valid one gets a receipt, the
 *    invalid ones get the precise reason of the full rules, a duplicate is
 *    appended once, and the record read back re-validates entry by entry
 *    with vy_validate_entry (no flags); after the close a ballot whose
 *    proofs fail is refused for the phase first, as before;
 *  - in the board's core: a job whose caller marks it "checked" is not
 *    trusted (an invalid ballot so marked is still refused with the proof's
 *    reason), with the checker pool and without it (the writer then checks
 *    everything itself).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bulletin/answers.h"
#include "tests/support/board_harness.h"

#define ADMIN_CLOSE VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE
#define CLIENTS 4
#define ITEMS_PER_CLIENT 8
#define CORE_QUEUE 8
#define CORE_CHECKERS 2

typedef enum {
	ITEM_BALLOT,      /* valid: 200 */
	ITEM_AUDITED,     /* valid audited ballot: 200 */
	ITEM_BAD_PROOF,   /* proofs of another election: 400 VY_R_PROOF */
	ITEM_BAD_REVEAL,  /* audited, a revealed value flipped: 400 VY_R_REVEAL */
	ITEM_SHARED       /* the same ballot from every client: one 200, the rest 409 */
} item_kind;

typedef struct {
	item_kind kind;
	uint8_t *body;
	size_t len;
	long status;
	int code_ok; /* the answer carries the expected reason code */
	Vybar__Receipt *receipt;
} item;

typedef struct {
	vyh_board *b;
	item items[ITEMS_PER_CLIENT];
} client;

/* A valid ballot of a fresh voter. */
static uint8_t *ballot_of(const vy_election *el, const char *label, size_t *len)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, label);
	return vyf_ballot_pack(el, &v, choices, "cast", NULL, len);
}

/* A valid audited ballot, or with bad_reveal one revealed value flipped
 * (the value no longer re-encrypts to the ciphertext, §6). */
static uint8_t *audited_of(const vy_election *el, const char *label, int bad_reveal, size_t *len)
{
	uint32_t choices[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;
	vyf_voter v;
	uint8_t *out;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, label);
	a = vyf_audited_new(el, &v, choices);
	if (bad_reveal)
		a->contests[0]->selections[0]->value ^= 1;
	out = vy_msg_pack(a, len);
	assert_non_null(out);
	vy_msg_free(a);
	return out;
}

/* A ballot whose proofs were made in another election, with a valid
 * credential and signature in this one: only the proofs fail. */
static uint8_t *ballot_bad_proof(const vy_election *el, const vyf_record *other, const char *label, size_t *len)
{
	uint32_t choices[VYF_SELECTIONS];
	Vybar__Ballot *b;
	vyf_voter v;
	uint8_t *out;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, label);
	b = vyf_ballot_new(&other->st.election, &v, choices);
	vyf_ballot_resign(el, &v, b);
	out = vy_msg_pack(b, len);
	assert_non_null(out);
	vy_msg_free(b);
	return out;
}

/* Client k's items: mostly valid ballots, one of each bad kind, one audited
 * ballot, and the shared ballot (a copy of shared). */
static void client_init(client *c, vyh_election *e, const vyf_record *other, int k, const uint8_t *shared,
			size_t shared_len)
{
	const vy_election *el = &e->r.st.election;
	char label[48];

	memset(c, 0, sizeof *c);
	c->b = &e->b;
	for (int i = 0; i < ITEMS_PER_CLIENT; i++) {
		item *it = &c->items[i];

		snprintf(label, sizeof label, "precheck voter %d.%d", k, i);
		it->kind = i == 1 ? ITEM_BAD_PROOF : i == 3 ? ITEM_AUDITED : i == 4 ? ITEM_SHARED :
			   i == 6 ? ITEM_BAD_REVEAL : ITEM_BALLOT;
		switch (it->kind) {
		case ITEM_BAD_PROOF:
			it->body = ballot_bad_proof(el, other, label, &it->len);
			break;
		case ITEM_AUDITED:
		case ITEM_BAD_REVEAL:
			it->body = audited_of(el, label, it->kind == ITEM_BAD_REVEAL, &it->len);
			break;
		case ITEM_SHARED:
			it->body = malloc(shared_len);
			assert_non_null(it->body);
			memcpy(it->body, shared, shared_len);
			it->len = shared_len;
			break;
		default:
			it->body = ballot_of(el, label, &it->len);
			break;
		}
	}
}

/* The answer's reason code is code. */
static int has_code(const vyh_resp *r, int code)
{
	char s[32];

	snprintf(s, sizeof s, "\"code\":%d,", code);
	return vyh_body_has(r, s);
}

/* POST every item in turn; keep status, receipt and reason check. */
static void *client_main(void *arg)
{
	client *c = arg;

	for (int i = 0; i < ITEMS_PER_CLIENT; i++) {
		item *it = &c->items[i];
		int audited = it->kind == ITEM_AUDITED || it->kind == ITEM_BAD_REVEAL;
		vyh_resp r;

		vyh_post(c->b, audited ? VY_PATH_AUDITED : VY_PATH_BALLOTS, it->body, it->len, &r);
		it->status = r.status;
		if (r.status == 200 && vy_decode_receipt(&it->receipt, r.body, r.len, NULL) != VY_R_OK)
			it->receipt = NULL;
		it->code_ok = (it->kind == ITEM_BAD_PROOF && has_code(&r, VY_R_PROOF)) ||
			      (it->kind == ITEM_BAD_REVEAL && has_code(&r, VY_R_REVEAL)) ||
			      (it->kind == ITEM_SHARED && r.status == 409 && has_code(&r, VY_R_DUPLICATE));
		vyh_resp_free(&r);
	}
	return NULL;
}

static void client_free(client *c)
{
	for (int i = 0; i < ITEMS_PER_CLIENT; i++) {
		free(c->items[i].body);
		vy_msg_free(c->items[i].receipt);
	}
}

/* Every answer is the one the full rules give; count the receipts. */
static void check_answers(const vyh_election *e, client *cl, uint64_t *ballots, uint64_t *audited)
{
	int shared_ok = 0;

	*ballots = *audited = 0;
	for (int k = 0; k < CLIENTS; k++)
		for (int i = 0; i < ITEMS_PER_CLIENT; i++) {
			const item *it = &cl[k].items[i];

			switch (it->kind) {
			case ITEM_BALLOT:
			case ITEM_AUDITED:
				if (it->status != 200 || it->receipt == NULL)
					fail_msg("client %d item %d: status %ld", k, i, it->status);
				break;
			case ITEM_BAD_PROOF:
			case ITEM_BAD_REVEAL:
				assert_int_equal(it->status, 400);
				assert_true(it->code_ok);
				break;
			case ITEM_SHARED:
				if (it->status == 200)
					shared_ok++;
				else
					assert_true(it->code_ok);
				break;
			}
			if (it->receipt != NULL) {
				assert_int_equal(vy_receipt_verify(e->r.keys.board_pk, it->receipt, NULL), VY_R_OK);
				if (it->kind == ITEM_AUDITED)
					(*audited)++;
				else
					(*ballots)++;
			}
		}
	assert_int_equal(shared_ok, 1);
}

/* The record re-validates with the full rules (vy_record_verify_file runs
 * vy_validate_entry with no flags on every entry) and holds exactly the
 * receipted ballots, each receipt naming its entry. */
static void check_record(const vyh_election *e, client *cl, uint64_t ballots, uint64_t audited)
{
	vy_record_state st;
	vy_reason why = { 0 };
	size_t len, n_hashes;
	uint8_t *rec = vyh_record(&e->b, &len);
	uint8_t (*hashes)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, &n_hashes);

	if (vyh_verify_record(rec, len, &st, &why) != VY_R_OK)
		fail_msg("the record does not re-validate with the full rules: %s", why.msg);
	assert_int_equal(st.ballots, ballots);
	assert_int_equal(st.audited, audited);
	for (int k = 0; k < CLIENTS; k++)
		for (int i = 0; i < ITEMS_PER_CLIENT; i++) {
			const Vybar__Receipt *r = cl[k].items[i].receipt;

			if (r == NULL)
				continue;
			assert_true(r->seq < n_hashes);
			assert_memory_equal(hashes[r->seq], r->head_hash.data, VY_HASH_BYTES);
		}
	vy_record_state_free(&st);
	free(hashes);
	free(rec);
}

/* After the close: the phase is refused first (403), whatever the
 * checkers found about the ballot's proofs. */
static void check_after_close(vyh_election *e, const vyf_record *other)
{
	size_t len, n_hashes, n;
	uint8_t *rec = vyh_record(&e->b, &len);
	uint8_t (*hashes)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, &n_hashes);
	uint8_t *close = vyh_admin_action(e, ADMIN_CLOSE, hashes[n_hashes - 1], e->commission_sk, &n);
	uint8_t *bad, *good;
	vyh_resp r;

	vyh_post(&e->b, VY_PATH_ADMIN, close, n, &r);
	assert_int_equal(r.status, 200);
	vyh_resp_free(&r);
	bad = ballot_bad_proof(&e->r.st.election, other, "late mallory", &n);
	vyh_post(&e->b, VY_PATH_BALLOTS, bad, n, &r);
	assert_int_equal(r.status, 403);
	assert_true(has_code(&r, VY_R_PHASE));
	vyh_resp_free(&r);
	good = ballot_of(&e->r.st.election, "late voter", &n);
	vyh_post(&e->b, VY_PATH_BALLOTS, good, n, &r);
	assert_int_equal(r.status, 403);
	assert_true(has_code(&r, VY_R_PHASE));
	vyh_resp_free(&r);
	free(good);
	free(bad);
	free(close);
	free(hashes);
	free(rec);
}

/* Mixed load through the checker pool: right answers, a record that
 * re-validates with the full rules. */
static void test_board_precheck_under_load(void **state)
{
	client cl[CLIENTS];
	pthread_t t[CLIENTS];
	vyf_record other;
	vyh_election e;
	uint64_t ballots, audited;
	uint8_t *shared;
	size_t shared_len;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	vyf_record_init(&other, 2, 1);
	vyf_record_ceremony(&other);
	shared = ballot_of(&e.r.st.election, "precheck shared voter", &shared_len);
	for (int k = 0; k < CLIENTS; k++)
		client_init(&cl[k], &e, &other, k, shared, shared_len);
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(pthread_create(&t[k], NULL, client_main, &cl[k]), 0);
	for (int k = 0; k < CLIENTS; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	check_answers(&e, cl, &ballots, &audited);
	check_record(&e, cl, ballots, audited);
	check_after_close(&e, &other);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	for (int k = 0; k < CLIENTS; k++)
		client_free(&cl[k]);
	free(shared);
	vyf_record_free(&other);
	vyh_election_free(&e);
}

/* ---- the board's core, in this process ---- */

typedef struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
} waiter;

static void job_done(vyb_job *job, void *arg)
{
	waiter *w = arg;

	(void)job;
	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Submit one ballot job (precheck preset by the caller) and wait for it. */
static void run_job(vyb_board *b, vyb_job *job, const uint8_t *p, size_t n, int preset)
{
	waiter w = { .done = 0 };

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	memset(job, 0, sizeof *job);
	job->kind = VYB_JOB_ENTRY;
	job->type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT;
	job->payload = p;
	job->payload_len = n;
	job->done = job_done;
	job->done_arg = &w;
	job->precheck = preset;
	assert_true(vyb_board_reserve(b));
	vyb_board_submit(b, job);
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	vyb_board_drain(b);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
}

/* With `checkers` threads (0: none, the writer checks everything): a
 * ballot whose proofs fail is refused even when its submitter marks it
 * checked; a valid one is appended. */
static void core_round(vyh_election *e, const vyf_record *other, size_t checkers, const char *tag)
{
	vyb_board_config cfg = { .db_path = e->b.db, .key_path = e->b.key, .queue_max = CORE_QUEUE,
				 .checkers = checkers };
	const vy_election *el = &e->r.st.election;
	vy_reason why = { 0 };
	vyb_board *b = NULL;
	vyb_job job;
	uint8_t *bad, *good;
	char label[48];
	size_t bad_len, good_len;

	if (vyb_board_open(&b, &cfg, &why) != VY_R_OK)
		fail_msg("vyb_board_open: %s", why.msg);
	snprintf(label, sizeof label, "forger %s", tag);
	bad = ballot_bad_proof(el, other, label, &bad_len);
	run_job(b, &job, bad, bad_len, VYB_PRECHECK_PASSED);
	assert_int_equal(vyb_answer_status(&job), 400);
	assert_int_equal(job.why.code, VY_R_PROOF);
	free(job.receipt);
	snprintf(label, sizeof label, "core voter %s", tag);
	good = ballot_of(el, label, &good_len);
	run_job(b, &job, good, good_len, VYB_PRECHECK_NONE);
	if (vyb_answer_status(&job) != 200)
		fail_msg("%s: a valid ballot: %u %s", tag, vyb_answer_status(&job), job.why.msg);
	assert_non_null(job.receipt);
	free(job.receipt);
	vyb_board_close(b);
	free(bad);
	free(good);
}

/* A caller's "checked" mark is never trusted, with or without checkers;
 * the record written in this process re-validates with the full rules. */
static void test_board_precheck_mark_not_trusted(void **state)
{
	vy_record_state st;
	vy_reason why = { 0 };
	vyf_record other;
	vyh_election e;
	uint8_t *rec;
	size_t len;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	vyf_record_init(&other, 2, 1);
	vyf_record_ceremony(&other);
	core_round(&e, &other, CORE_CHECKERS, "pool");
	core_round(&e, &other, 0, "writer");
	/* The program replays (full rules) what the core appended. */
	assert_int_equal(vyh_start(&e.b, NULL), -1);
	rec = vyh_record(&e.b, &len);
	if (vyh_verify_record(rec, len, &st, &why) != VY_R_OK)
		fail_msg("the record does not re-validate: %s", why.msg);
	assert_int_equal(st.ballots, 2);
	vy_record_state_free(&st);
	free(rec);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	vyf_record_free(&other);
	vyh_election_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_precheck_under_load),
		cmocka_unit_test(test_board_precheck_mark_not_trusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
