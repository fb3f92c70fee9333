/*
 * Witnesses end to end (specs/witness.md, specs/trustee.md §6), every
 * party a real program on 127.0.0.1: vybar-board, three vybar-witness
 * processes (the manifest names them, k = 2), three vybar-trustee
 * directories (t = 2) that run the key ceremony and the decryption through
 * the board, vybar-verify.
 *
 *  - a witness killed with SIGKILL and restarted remembers what it
 *    cosigned, refuses a board-signed checkpoint of the same size with
 *    another root (409), and goes on cosigning the board's extensions;
 *  - one witness silent (killed) from the close on: the board still gets
 *    k cosignatures of the tally, appends WITNESSED, two trustees decrypt,
 *    the result is published and the record verifies, from the board and
 *    from a witness's mirror;
 *  - a lying board B (the same key and manifest, started on a copy of the
 *    board's database before the close, then fed another ballot, closed
 *    and tallied) pushing to an honest witness and to a process that holds
 *    witness 3's key and follows B (k - 1 = 1 lying witness): the honest
 *    witness refuses B's checkpoints, B never gets a WITNESSED entry, and
 *    a trustee asked to decrypt B's tally refuses, naming why; the one who
 *    decrypted the real tally refuses too; B's record with a WITNESSED
 *    entry forced in (the lying cosignature alone, signed by the board's
 *    key) is rejected by vybar-verify and by the trustee with V10.3.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocol/vy_checkpoint.h"
#include "tests/support/witness_harness.h"

#define N 3
#define T 2
#define VOTERS 3
#define PATH 512
#define OUT_BYTES 65536
#define WAIT_S 20
#define PASSPHRASE "correct horse battery staple"
#define ACT_OPEN VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN
#define ACT_CLOSE VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE
#define ACT_TALLY VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY
#define ACT_RESULT VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT

typedef struct {
	vyh_election e; /* board A; e.r holds the manifest (base hash, keys) */
	vyh_board b;    /* board B, the liar */
	vyh_witness w[VYF_WITNESSES], liar;
	char dir[64], a_url[64], b_url[64];
	char tdir[N + 1][128];
	char pass[PATH], msg[PATH], forged[PATH];
	char out[OUT_BYTES], err[OUT_BYTES];
} env;

static env E;

static int trustee(env *e, const char *const *args)
{
	return vytest_spawn(VYBAR_TRUSTEE_PROGRAM, args, e->out, sizeof e->out, e->err, sizeof e->err);
}

/* `cmd` of trustee k through board url; its exit status. */
static int trustee_board(env *e, uint32_t k, const char *cmd, const char *url)
{
	const char *args[] = { cmd, "--dir", e->tdir[k], "--passphrase-file", e->pass, "--board", url, NULL };

	return trustee(e, args);
}

static void round_all(env *e, const char *cmd)
{
	for (uint32_t k = 1; k <= N; k++)
		if (trustee_board(e, k, cmd, e->a_url) != 0)
			fail_msg("trustee %u %s: %s", k, cmd, e->err);
}

/* The record of board b, verified: its state in st (free it). */
static void board_state(const vyh_board *b, vy_record_state *st, uint8_t **rec, size_t *len)
{
	vy_reason why = { 0 };
	size_t l;
	uint8_t *r = vyh_record(b, &l);

	if (vyh_verify_record(r, l, st, &why) != VY_R_OK)
		fail_msg("board record does not verify: %s", why.msg);
	if (rec != NULL) {
		*rec = r;
		*len = l;
	} else {
		free(r);
	}
}

static void post_ok(const vyh_board *b, const char *path, const uint8_t *p, size_t n)
{
	vyh_resp r;

	vyh_post(b, path, p, n, &r);
	if (r.status != 200)
		fail_msg("POST %s: %ld %s", path, r.status, (const char *)r.body);
	vyh_resp_free(&r);
}

/* The commission's action on board b's current head. */
static void admin(env *e, const vyh_board *b, int action)
{
	vy_record_state st;
	uint8_t *m;
	size_t n;

	board_state(b, &st, NULL, NULL);
	m = vyh_admin_action(&e->e, action, st.head_hash, e->e.commission_sk, &n);
	post_ok(b, VY_PATH_ADMIN, m, n);
	free(m);
	vy_record_state_free(&st);
}

static void ballot(env *e, const vyh_board *b, const char *label)
{
	uint32_t choices[VYF_SELECTIONS];
	vy_record_state st;
	vyf_voter v;
	uint8_t *p;
	size_t n;

	board_state(b, &st, NULL, NULL);
	vyf_default_choices(choices);
	vyf_voter_init(&v, &st.election, label);
	p = vyf_ballot_pack(&st.election, &v, choices, NULL, NULL, &n);
	post_ok(b, VY_PATH_BALLOTS, p, n);
	free(p);
	(void)e;
	vy_record_state_free(&st);
}

/* Close, the registrar's statement, the tally, on board b. */
static void close_and_tally(env *e, const vyh_board *b)
{
	vy_record_state st;
	uint8_t *p;
	size_t n;

	admin(e, b, ACT_CLOSE);
	board_state(b, &st, NULL, NULL);
	p = vyf_issued_statement(st.election.base_hash, st.cred_count, VYF_ISSUED_TIME, e->e.r.keys.statement_sk, &n);
	post_ok(b, VY_PATH_CREDENTIALS_ISSUED, p, n);
	free(p);
	vy_record_state_free(&st);
	admin(e, b, ACT_TALLY);
}

static uint64_t entries(const vyh_board *b)
{
	vy_record_state st;
	uint64_t n;

	board_state(b, &st, NULL, NULL);
	n = st.next_seq;
	vy_record_state_free(&st);
	return n;
}

/* The last entry of board b: its type, and payload (malloc'd) if asked. */
static Vybar__EntryType last_type(const vyh_board *b, uint8_t **payload, size_t *len)
{
	size_t rl;
	uint8_t *rec = vyh_record(b, &rl);
	FILE *f = fmemopen(rec, rl, "rb");
	vy_record_reader rd;
	Vybar__RecordEntry *en = NULL, *last = NULL;
	Vybar__EntryType t;

	assert_non_null(f);
	assert_int_equal(vy_record_reader_open(&rd, f, NULL), VY_R_OK);
	while (vy_record_reader_next(&rd, &en, NULL) == VY_R_OK && en != NULL) {
		vy_msg_free(last);
		last = en;
		en = NULL;
	}
	vy_record_reader_close(&rd);
	fclose(f);
	assert_non_null(last);
	t = last->type;
	if (payload != NULL) {
		*payload = malloc(last->payload.len + 1);
		memcpy(*payload, last->payload.data, last->payload.len);
		*len = last->payload.len;
	}
	vy_msg_free(last);
	free(rec);
	return t;
}

static void wait_all_cosigned(env *e, uint64_t size, const uint32_t *which, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vyh_witness *w = &e->w[which[i] - 1];

		if (vyh_witness_wait_cosigned(w, size, WAIT_S) < size)
			fail_msg("witness %u did not cosign %llu entries: %s", which[i], (unsigned long long)size,
				 vytest_read_file(w->log, NULL));
	}
}

/* A checkpoint of `size` entries with another root, signed with the
 * board's key, posted to witness w as the extension of old: its status. */
static long post_forged_checkpoint(env *e, const vyh_witness *w, uint64_t old, uint64_t size)
{
	char body[VY_CHECKPOINT_NOTE_MAX + 64], text[VY_CHECKPOINT_BODY_MAX + 1];
	uint8_t sig[64];
	vy_checkpoint c;
	size_t len, n;
	vyh_resp r;
	long st;

	memcpy(c.base_hash, e->e.r.st.election.base_hash, VY_HASH_BYTES);
	c.size = size;
	memset(c.root, 0x5a, sizeof c.root);
	vy_checkpoint_body(text, &len, &c);
	vy_checkpoint_sign(sig, &c, e->e.r.keys.board_sk);
	n = (size_t)snprintf(body, sizeof body, "old %llu\n\n%s\n", (unsigned long long)old, text);
	n += vy_note_line_board(body + n, sizeof body - n, &c, e->e.r.keys.board_pk, sig);
	vyh_post(&w->http, "/add-checkpoint", (const uint8_t *)body, n, &r);
	st = r.status;
	vyh_resp_free(&r);
	return st;
}

/* Board B's record with a WITNESSED entry appended that carries the
 * lying witness's cosignature alone, signed with the board's key, into
 * the file e->forged. */
static void forge_witnessed(env *e)
{
	vy_checkpoint c;
	vy_cosignature cs[VYF_WITNESSES];
	int have[VYF_WITNESSES];
	const char *names[VYF_WITNESSES];
	vy_record_state st;
	vyh_resp r;
	vy_reason why = { 0 };
	Vybar__Witnessed wd = VYBAR__WITNESSED__INIT;
	Vybar__Cosignature one = VYBAR__COSIGNATURE__INIT, *onep = &one;
	Vybar__RecordEntry en;
	uint8_t sigbuf[VY_ENTRY_SIG_BUF_BYTES], *rec, *payload, *packed, be[4];
	size_t rl, pl, el;
	FILE *f;

	for (uint32_t i = 0; i < VYF_WITNESSES; i++)
		names[i] = vyf_witness_name(i + 1);
	board_state(&e->b, &st, &rec, &rl);
	vyh_get(&e->liar.http, VY_PATH_CHECKPOINT, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(vy_checkpoint_note_parse(&c, cs, have, (const char *)r.body, r.len, st.election.base_hash,
						  e->e.r.keys.board_pk, names,
						  (const uint8_t (*)[32])e->e.r.keys.witness_pk, VYF_WITNESSES, &why),
			 VY_R_OK);
	vyh_resp_free(&r);
	assert_true(have[2]); /* witness 3's key, on B's tally */
	assert_int_equal(c.size, st.next_seq);
	wd.size = c.size;
	wd.root.data = c.root;
	wd.root.len = sizeof c.root;
	one.witness = 3;
	one.timestamp = cs[2].timestamp;
	one.signature.data = cs[2].signature;
	one.signature.len = sizeof cs[2].signature;
	wd.n_cosignatures = 1;
	wd.cosignatures = &onep;
	payload = vy_msg_pack(&wd, &pl);
	assert_non_null(payload);
	vy_entry_make(&en, sigbuf, &st, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, payload, pl, e->e.r.keys.board_sk);
	packed = vy_msg_pack(&en, &el);
	assert_non_null(packed);
	be[0] = (uint8_t)(el >> 24), be[1] = (uint8_t)(el >> 16), be[2] = (uint8_t)(el >> 8), be[3] = (uint8_t)el;
	f = fopen(e->forged, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(rec, 1, rl, f), rl);
	assert_int_equal(fwrite(be, 1, 4, f), 4);
	assert_int_equal(fwrite(packed, 1, el, f), el);
	assert_int_equal(fclose(f), 0);
	free(packed);
	free(payload);
	free(rec);
	vy_record_state_free(&st);
}

static void copy_file(const char *from, const char *to)
{
	size_t n = 0;
	char *b;

	if (access(from, F_OK) != 0)
		return;
	b = vytest_read_file(from, &n);
	vytest_write_file(to, (const uint8_t *)b, n);
	free(b);
}

/* Board B: A's database as it stands (A stopped and started again). */
static void fork_board(env *e, const char *const *a_args, const char *const *b_args)
{
	char from[VYH_PATH_BYTES + 8], to[VYH_PATH_BYTES + 8];
	uint8_t seed[32];

	assert_int_equal(vyh_stop(&e->e.b, SIGTERM), 0);
	vyh_init(&e->b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&e->b, seed);
	vyh_write_manifest(&e->b, e->e.r.manifest_bytes, e->e.r.manifest_len);
	copy_file(e->e.b.db, e->b.db);
	snprintf(from, sizeof from, "%s-wal", e->e.b.db);
	snprintf(to, sizeof to, "%s-wal", e->b.db);
	copy_file(from, to);
	assert_int_equal(vyh_start(&e->e.b, a_args), -1);
	assert_int_equal(vyh_start(&e->b, b_args), -1);
	vyh_board_url(e->a_url, &e->e.b);
	vyh_board_url(e->b_url, &e->b);
}

/* Trustee keys, the manifest (their keys, the 3 witnesses, k = 2), the
 * witnesses' directories and ports. */
static void setup_keys(env *e)
{
	const char *args[] = { "keygen", "--dir", NULL, "--passphrase-file", NULL, NULL };
	vyf_record *r = &e->e.r;
	uint8_t seed[32];

	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vytest-wite2e.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->pass, sizeof e->pass, "%s/pass", e->dir);
	snprintf(e->msg, sizeof e->msg, "%s/msg", e->dir);
	snprintf(e->forged, sizeof e->forged, "%s/forged.vybar", e->dir);
	vytest_write_file(e->pass, (const uint8_t *)PASSPHRASE "\n", strlen(PASSPHRASE) + 1);
	args[4] = e->pass;
	vyf_keys_init(&r->keys, N, T);
	r->keys.n_witnesses = VYF_WITNESSES;
	r->keys.witness_k = VYF_WITNESS_K;
	for (uint32_t k = 1; k <= N; k++) {
		snprintf(e->tdir[k], sizeof e->tdir[k], "%s/t%u", e->dir, k);
		args[2] = e->tdir[k];
		if (trustee(e, args) != 0)
			fail_msg("keygen %u: %s", k, e->err);
		assert_int_equal(sodium_hex2bin(r->keys.trustee_pk[k - 1], 32, e->out, 64, NULL, NULL, NULL), 0);
	}
	vy_record_state_init(&r->st);
	r->manifest_bytes = vyf_manifest_pack(&r->keys, &r->manifest_len);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r->manifest_bytes, r->manifest_len);
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(e->e.commission_pk, e->e.commission_sk, seed);
	for (uint32_t i = 0; i < VYF_WITNESSES; i++)
		vyh_witness_init(&e->w[i], i + 1);
	vyh_witness_init(&e->liar, 3); /* witness 3's key, in another process */
}

static void test_witnesses_end_to_end(void **state)
{
	env *e = &E;
	const char *a_args[8], *b_args[6];
	static const uint32_t all[] = { 1, 2, 3 }, live[] = { 1, 3 };
	uint8_t seed[32], *payload;
	uint64_t n, before;
	size_t len;
	char want[256];
	int rc;

	(void)state;
	setup_keys(e);
	a_args[0] = "--witness", a_args[1] = e->w[0].url, a_args[2] = "--witness", a_args[3] = e->w[1].url;
	a_args[4] = "--witness", a_args[5] = e->w[2].url, a_args[6] = NULL;
	b_args[0] = "--witness", b_args[1] = e->w[0].url, b_args[2] = "--witness", b_args[3] = e->liar.url;
	b_args[4] = NULL;

	/* board A and the ceremony through it */
	vyh_init(&e->e.b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&e->e.b, seed);
	vyh_write_manifest(&e->e.b, e->e.r.manifest_bytes, e->e.r.manifest_len);
	if (vyh_start(&e->e.b, a_args) != -1)
		fail_msg("vybar-board refused to start: %s", vyh_log(&e->e.b));
	vyh_board_url(e->a_url, &e->e.b);
	round_all(e, "announce");
	round_all(e, "reveal");
	round_all(e, "verdict");
	admin(e, &e->e.b, ACT_OPEN);
	for (int i = 0; i < VOTERS; i++) {
		char label[16];

		snprintf(label, sizeof label, "voter %d", i);
		ballot(e, &e->e.b, label);
	}

	/* B: a copy of A so far; the witnesses follow A, the liar B */
	fork_board(e, a_args, b_args);
	for (uint32_t i = 0; i < VYF_WITNESSES; i++)
		vyh_witness_start(&e->w[i], e->a_url);
	vyh_witness_start(&e->liar, e->b_url);
	ballot(e, &e->b, "mallory");
	ballot(e, &e->e.b, "voter 3");
	n = entries(&e->e.b);
	wait_all_cosigned(e, n, all, 3);

	/* witness 3 killed with SIGKILL, restarted: it remembers, refuses a
	 * head of the same size that is not its own, and goes on */
	vyh_witness_stop(&e->w[2], SIGKILL);
	vyh_witness_start(&e->w[2], e->a_url);
	before = vyh_witness_wait_cosigned(&e->w[2], 0, 1);
	assert_int_equal(before, n);
	assert_int_equal(post_forged_checkpoint(e, &e->w[2], n, n), 409);
	assert_int_equal(vyh_witness_wait_cosigned(&e->w[2], 0, 1), n);
	ballot(e, &e->e.b, "voter 4");
	n = entries(&e->e.b);
	wait_all_cosigned(e, n, all, 3);

	/* witness 2 goes silent; the election completes with witnesses 1, 3 */
	vyh_witness_stop(&e->w[1], SIGKILL);
	close_and_tally(e, &e->e.b);
	n = entries(&e->e.b);
	for (int i = 0; i < WAIT_S * 10 && last_type(&e->e.b, NULL, NULL) != VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED;
	     i++) {
		struct timespec t = { 0, 100000000L };

		nanosleep(&t, NULL);
	}
	assert_int_equal(last_type(&e->e.b, &payload, &len), VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED);
	{
		Vybar__Witnessed *wd = NULL;

		assert_int_equal(vy_decode_message((ProtobufCMessage **)&wd, &vybar__witnessed__descriptor,
						   VY_MAX_MESSAGE_BYTES, payload, len, NULL),
				 VY_R_OK);
		assert_int_equal(wd->size, n);
		assert_int_equal(wd->n_cosignatures, 2);
		assert_int_equal(wd->cosignatures[0]->witness, 1);
		assert_int_equal(wd->cosignatures[1]->witness, 3);
		vy_msg_free(wd);
		free(payload);
	}
	for (uint32_t k = 1; k <= T; k++)
		if (trustee_board(e, k, "decrypt", e->a_url) != 0)
			fail_msg("trustee %u decrypt: %s", k, e->err);
	admin(e, &e->e.b, ACT_RESULT);
	{
		const char *args[] = { "record", e->a_url, NULL };

		rc = vytest_run(e->out, sizeof e->out, 1, VYBAR_VERIFY_PROGRAM, args);
		if (rc != 0 || strstr(e->out, "V10.3") == NULL)
			fail_msg("vybar-verify record %s: %d\n%s", e->a_url, rc, e->out);
	}
	/* the same record from witness 1's mirror */
	wait_all_cosigned(e, n, live, 2);
	{
		const char *args[] = { "record", e->w[0].url, NULL };
		uint64_t total = entries(&e->e.b);

		for (int i = 0; i < WAIT_S * 10; i++) {
			vyh_resp r;
			char has[48];
			int done;

			snprintf(has, sizeof has, "\"size\":%llu,", (unsigned long long)total);
			vyh_get(&e->w[0].http, VY_PATH_STATUS, &r);
			done = vyh_body_has(&r, has);
			vyh_resp_free(&r);
			if (done)
				break;
			nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
		}
		rc = vytest_run(e->out, sizeof e->out, 1, VYBAR_VERIFY_PROGRAM, args);
		if (rc != 0)
			fail_msg("vybar-verify record %s (witness 1): %d\n%s", e->w[0].url, rc, e->out);
	}

	/* the lying board's tally: one lying cosignature, no WITNESSED */
	close_and_tally(e, &e->b);
	n = entries(&e->b);
	if (vyh_witness_wait_cosigned(&e->liar, n, WAIT_S) < n)
		fail_msg("the lying witness did not cosign B's tally: %s", vytest_read_file(e->liar.log, NULL));
	sleep(3); /* B pushes every second while its tally lacks k cosignatures */
	assert_int_equal(entries(&e->b), n);
	assert_int_equal(last_type(&e->b, NULL, NULL), VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY);
	/* B's checkpoint carries the lying cosignature, not the honest witness's */
	{
		vy_checkpoint c;
		vy_cosignature cs[VYF_WITNESSES];
		int have[VYF_WITNESSES];
		const char *names[VYF_WITNESSES];
		vyh_resp r;
		vy_reason why = { 0 };

		for (uint32_t i = 0; i < VYF_WITNESSES; i++)
			names[i] = vyf_witness_name(i + 1);
		vyh_get(&e->b, VY_PATH_CHECKPOINT, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(vy_checkpoint_note_parse(&c, cs, have, (const char *)r.body, r.len,
							  e->e.r.st.election.base_hash, e->e.r.keys.board_pk, names,
							  (const uint8_t (*)[32])e->e.r.keys.witness_pk, VYF_WITNESSES,
							  &why),
				 VY_R_OK);
		vyh_resp_free(&r);
		assert_int_equal(c.size, n);
		assert_false(have[0]);
		assert_false(have[1]);
		assert_true(have[2]);
	}
	/* trustee 3 (who decrypted nothing) on B: not co-signed */
	snprintf(want, sizeof want, "the tally at entry %llu is not yet co-signed by %u witnesses",
		 (unsigned long long)n - 1, VYF_WITNESS_K);
	assert_int_equal(trustee_board(e, 3, "decrypt", e->b_url), 1);
	if (strstr(e->err, want) == NULL)
		fail_msg("trustee 3 on B: %s", e->err);
	/* trustee 1 (who decrypted A's tally) on B: refused */
	assert_int_equal(trustee_board(e, 1, "decrypt", e->b_url), 1);
	if (strstr(e->err, "you already decrypted the tally at entry") == NULL ||
	    strstr(e->err, "showing you a fork: refusing") == NULL)
		fail_msg("trustee 1 on B: %s", e->err);
	assert_int_equal(entries(&e->b), n); /* nothing was posted */

	/* a WITNESSED forced in with the lying cosignature alone: V10.3 */
	forge_witnessed(e);
	{
		const char *args[] = { "record", e->forged, NULL };

		const char *line;

		rc = vytest_run(e->out, sizeof e->out, 1, VYBAR_VERIFY_PROGRAM, args);
		line = strstr(e->out, "\nV10.3 ");
		if (rc != 1 || line == NULL || strstr(line, "FAILED") == NULL ||
		    strstr(line, "FAILED") > strchr(line + 1, '\n'))
			fail_msg("vybar-verify record (forged WITNESSED): %d\n%s", rc, e->out);
	}
	{
		const char *args[] = { "decrypt", "--dir", e->tdir[3], "--passphrase-file", e->pass, "--record",
				       e->forged, "--out", e->msg, NULL };

		snprintf(want, sizeof want, "does not verify at entry %llu (V10.3,", (unsigned long long)n);
		assert_int_equal(trustee(e, args), 1);
		if (strstr(e->err, want) == NULL)
			fail_msg("trustee 3 on the forged record: %s", e->err);
		assert_int_equal(access(e->msg, F_OK), -1);
	}

	for (uint32_t i = 0; i < VYF_WITNESSES; i++)
		vyh_witness_cleanup(&e->w[i]);
	vyh_witness_cleanup(&e->liar);
	vyh_stop(&e->b, SIGTERM);
	vyh_cleanup(&e->b);
	vyh_stop(&e->e.b, SIGTERM);
	vyh_election_free(&e->e);
	vytest_remove_dir(e->dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_witnesses_end_to_end),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
