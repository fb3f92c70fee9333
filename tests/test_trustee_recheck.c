/*
 * vybar-trustee re-checks the whole record before it decrypts
 * (specs/trustee.md §1), with the verifier's engine on --jobs threads.
 *
 * Two trustees run the ceremony with the real program through files; the
 * test plays the board with the fixtures' board key. Then BALLOTS ballots,
 * close and the encrypted tally. In the tampered copy of that record
 * exactly one ballot carries a broken 0/1 proof: the ballot is re-signed by
 * its voter and every entry re-chained and re-signed by the board, so only
 * V4.5 fails. `decrypt` must refuse it, naming the entry and the check,
 * exit 1 and write no partial decryption, with --jobs 1 and --jobs 4 alike;
 * and accept the untampered record with --jobs 1 and --jobs 4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/protocol_fixtures.h"

#ifndef VYBAR_TRUSTEE_PROGRAM
#error "VYBAR_TRUSTEE_PROGRAM is set by tests/CMakeLists.txt"
#endif

#define N 2
#define T 2
#define BALLOTS 24
#define TAMPERED 13 /* which ballot gets the broken proof */
#define PATH 512
#define OUT_BYTES 65536

typedef struct {
	char dir[64];
	char tdir[N + 1][128]; /* trustee k's DIR, 1-based */
	char pass[PATH], record[PATH], bad[PATH], msg[PATH];
	char out[OUT_BYTES], err[OUT_BYTES]; /* of the last run */
	vyf_record r;
	size_t at; /* the tampered ballot's entry */
} env;

static env E;

static int run(env *e, const char *const *args)
{
	return vytest_spawn(VYBAR_TRUSTEE_PROGRAM, args, e->out, sizeof e->out, e->err, sizeof e->err);
}

static void write_record(const vyf_record *r, const char *path)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	vyf_record_write(r, f);
	assert_int_equal(fclose(f), 0);
}

/* `cmd` of trustee k on record (jobs: NULL for the default), writing e->msg. */
static int trustee_cmd(env *e, uint32_t k, const char *cmd, const char *record, const char *jobs)
{
	const char *args[] = { cmd, "--dir", e->tdir[k], "--passphrase-file", e->pass, "--record", record,
			       "--out", e->msg, jobs ? "--jobs" : NULL, jobs, NULL };

	unlink(e->msg);
	return run(e, args);
}

/* The message file's payload (malloc'd), which must be of type want. */
static uint8_t *read_msg(env *e, Vybar__EntryType want, size_t *len)
{
	uint32_t type;
	uint8_t *p = vytest_trustee_msg(e->msg, &type, len);

	assert_int_equal(type, want);
	return p;
}

/* A ceremony round of trustee k, its message appended to the record. */
static void round_ok(env *e, uint32_t k, const char *cmd, Vybar__EntryType want)
{
	uint8_t *p;
	size_t len;

	write_record(&e->r, e->record);
	if (trustee_cmd(e, k, cmd, e->record, "1") != 0)
		fail_msg("trustee %u %s failed: %s", k, cmd, e->err);
	p = read_msg(e, want, &len);
	vyf_record_append(&e->r, want, p, len);
	free(p);
}

/* The record file at path with entry `at`'s payload replaced by payload;
 * every entry re-chained and re-signed by the board. */
static void write_tampered(const vyf_record *r, size_t at, const uint8_t *payload, size_t plen, const char *path)
{
	FILE *f = fopen(path, "wb");
	vy_record_state st;

	assert_non_null(f);
	memset(&st, 0, sizeof st);
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < r->n_entries; i++) {
		Vybar__RecordEntry *old = NULL, e;
		uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], *packed;
		size_t len;

		assert_int_equal(vy_decode_entry(&old, r->entries[i], r->entry_lens[i], NULL), VY_R_OK);
		if (i == at)
			vy_entry_make(&e, sig, &st, old->type, payload, plen, r->keys.board_sk);
		else
			vy_entry_make(&e, sig, &st, old->type, old->payload.data, old->payload.len, r->keys.board_sk);
		packed = vy_msg_pack(&e, &len);
		assert_non_null(packed);
		vytest_put_frame(f, packed, len);
		vy_entry_hash_of(st.head_hash, &e);
		st.next_seq++;
		free(packed);
		vy_msg_free(old);
	}
	assert_int_equal(fclose(f), 0);
}

/* Keys, the ceremony through the program, the ballots (one of them also
 * tampered), close and tally; both record files written. */
static int setup(void **state)
{
	env *e = &E;
	const char *kg[] = { "keygen", "--dir", NULL, "--passphrase-file", e->pass, NULL };
	uint32_t choices[VYF_SELECTIONS];
	vyf_keys keys;
	vy_reason why = { 0 };
	uint8_t *p, *bad = NULL;
	size_t len, bad_len = 0;

	(void)state;
	memset(e, 0, sizeof *e);
	vytest_init();
	snprintf(e->dir, sizeof e->dir, "vyrecheck.XXXXXX"); /* in the working directory */
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->pass, sizeof e->pass, "%.63s/pass", e->dir);
	snprintf(e->record, sizeof e->record, "%.63s/record", e->dir);
	snprintf(e->bad, sizeof e->bad, "%.63s/tampered", e->dir);
	snprintf(e->msg, sizeof e->msg, "%.63s/msg", e->dir);
	vytest_write_file(e->pass, (const uint8_t *)"correct horse battery staple\n", 29);
	vyf_keys_init(&keys, N, T);
	for (uint32_t k = 1; k <= N; k++) {
		snprintf(e->tdir[k], sizeof e->tdir[k], "%.63s/t%u", e->dir, k);
		kg[2] = e->tdir[k];
		if (run(e, kg) != 0)
			fail_msg("keygen %u: %s", k, e->err);
		assert_int_equal(sodium_hex2bin(keys.trustee_pk[k - 1], 32, e->out, 64, NULL, NULL, NULL), 0);
	}
	/* the manifest names the trustees' real keys */
	e->r.keys = keys;
	vy_record_state_init(&e->r.st);
	e->r.manifest_bytes = vyf_manifest_pack(&e->r.keys, &e->r.manifest_len);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, e->r.manifest_bytes, e->r.manifest_len);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(e, k, "announce", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(e, k, "reveal", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(e, k, "verdict", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT);
	if (vy_ceremony_open(&e->r.st, &p, &len, &why) != VY_R_OK)
		fail_msg("open: %s", why.msg);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len);
	free(p);
	vyf_default_choices(choices);
	for (int i = 0; i < BALLOTS; i++) {
		vyf_voter v;
		char label[32];

		snprintf(label, sizeof label, "voter %d", i);
		vyf_voter_init(&v, &e->r.st.election, label);
		p = vyf_ballot_pack(&e->r.st.election, &v, choices, "cast", NULL, &len);
		if (i == TAMPERED) {
			/* the same ciphertexts: the tally still matches */
			Vybar__Ballot *b = NULL;

			assert_int_equal(vy_decode_ballot(&b, p, len, NULL), VY_R_OK);
			b->contests[0]->selections[1]->proof->v[0].data[0] ^= 1;
			vyf_ballot_resign(&e->r.st.election, &v, b);
			bad = vy_msg_pack(b, &bad_len);
			assert_non_null(bad);
			vy_msg_free(b);
			e->at = e->r.n_entries;
		}
		vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
		free(p);
	}
	vyf_record_close(&e->r);
	vyf_record_tally(&e->r);
	write_record(&e->r, e->record);
	write_tampered(&e->r, e->at, bad, bad_len, e->bad);
	free(bad);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vyf_record_free(&E.r);
	vytest_remove_dir(E.dir);
	return 0;
}

/* The tampered record is refused, at its entry, by V4.5, with no message. */
static void test_tampered_refused(void **state)
{
	static const char *const jobs[] = { "1", "4" };
	char want[64];

	(void)state;
	snprintf(want, sizeof want, "does not verify at entry %zu (V4.5,", E.at);
	for (size_t j = 0; j < sizeof jobs / sizeof jobs[0]; j++) {
		assert_int_equal(trustee_cmd(&E, 1, "decrypt", E.bad, jobs[j]), 1);
		if (strstr(E.err, want) == NULL)
			fail_msg("--jobs %s: expected \"%s\" in: %s", jobs[j], want, E.err);
		assert_non_null(strstr(E.err, E.bad));
		assert_int_equal(access(E.msg, F_OK), -1);
		assert_null(strstr(E.out, "written to"));
	}
}

/* The same record untampered: each trustee's partial decryption is written
 * and valid as the next entry, with --jobs 1 and --jobs 4. */
static void test_untampered_accepted(void **state)
{
	static const char *const jobs[] = { "1", "4" };

	(void)state;
	for (uint32_t k = 1; k <= N; k++)
		for (size_t j = 0; j < sizeof jobs / sizeof jobs[0]; j++) {
			int rc = trustee_cmd(&E, k, "decrypt", E.record, jobs[j]);
			vy_reason why = { 0 };
			uint8_t *p;
			size_t len;

			if (rc != 0)
				fail_msg("trustee %u decrypt --jobs %s: exit %d: %s", k, jobs[j], rc, E.err);
			assert_non_null(strstr(E.out, "partial-decryption message written to"));
			p = read_msg(&E, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, &len);
			if (vy_validate_partial_decryption(&E.r.st, p, len, &why) != VY_R_OK)
				fail_msg("trustee %u --jobs %s: %s", k, jobs[j], why.msg);
			free(p);
		}
}

/* --jobs takes 1..1024; anything else is a usage error before any work. */
static void test_jobs_option(void **state)
{
	static const char *const bad[] = { "0", "-1", "1025", "two", "" };

	(void)state;
	for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
		assert_int_equal(trustee_cmd(&E, 1, "status", E.record, bad[j]), 2);
		assert_non_null(strstr(E.err, "--jobs needs a number from 1 to 1024"));
	}
	assert_int_equal(trustee_cmd(&E, 1, "status", E.record, "3"), 0);
	assert_non_null(strstr(E.out, "next: run `vybar-trustee decrypt`"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_untampered_accepted),
		cmocka_unit_test(test_jobs_option),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
