/*
 * vybar-trustee end to end (specs/trustee.md): the real program, run
 * (vytest_spawn) for every trustee and round, exchanging files; the test plays
 * the board with the fixtures' board key (protocol_fixtures.h), appending
 * each message to the record after the library's validity rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/protocol_fixtures.h"

#ifndef VYBAR_TRUSTEE_PROGRAM
#error "VYBAR_TRUSTEE_PROGRAM is set by tests/CMakeLists.txt"
#endif

#define N 5
#define T 3
#define VOTERS 3
#define PATH 512
#define OUT_BYTES 65536

typedef struct {
	char dir[64];
	char tdir[N + 1][128]; /* trustee k's DIR, 1-based */
	char pass[PATH], record[PATH], msg[PATH];
	char out[OUT_BYTES], err[OUT_BYTES]; /* of the last run */
	vyf_record r;
} env;

static uint8_t *read_all(const char *path, size_t *len)
{
	return (uint8_t *)vytest_read_file(path, len);
}

/* Run vybar-trustee with args (NULL-terminated; the test build for a
 * cheat); its exit status. */
static int run(env *e, const char *const *args)
{
	return vytest_spawn(vytest_program_for(VYBAR_TRUSTEE_PROGRAM, VYBAR_TRUSTEE_CHEAT_PROGRAM, args), args,
			    e->out, sizeof e->out, e->err, sizeof e->err);
}

/* Run a trustee command on the current record, writing e->msg. */
static int trustee_cmd(env *e, uint32_t k, const char *cmd, const char *extra1, const char *extra2)
{
	const char *args[] = { cmd, "--dir", e->tdir[k], "--passphrase-file", e->pass, "--record", e->record,
			       "--out", e->msg, extra1, extra2, NULL };
	FILE *f = fopen(e->record, "wb");

	assert_non_null(f);
	vyf_record_write(&e->r, f);
	fclose(f);
	unlink(e->msg);
	return run(e, args);
}

/* A trustee round: run it, then append its message to the record (the board). */
static void round_ok(env *e, uint32_t k, const char *cmd, Vybar__EntryType want, const char *x1, const char *x2)
{
	uint32_t type;
	size_t len;
	uint8_t *p;

	if (trustee_cmd(e, k, cmd, x1, x2) != 0)
		fail_msg("trustee %u %s failed: %s", k, cmd, e->err);
	p = vytest_trustee_msg(e->msg, &type, &len);
	assert_int_equal(type, want);
	vyf_record_append(&e->r, want, p, len);
	free(p);
}

/* Five trustees make their keys; the record opens with a manifest naming them. */
static void setup_env(env *e)
{
	vyf_keys keys;
	char path[PATH + 16], hex[65];
	const char *args[] = { "keygen", "--dir", NULL, "--passphrase-file", e->pass, NULL };

	memset(e, 0, sizeof *e);
	vytest_init();
	snprintf(e->dir, sizeof e->dir, "/tmp/vytrustee.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->pass, sizeof e->pass, "%s/pass", e->dir);
	snprintf(e->record, sizeof e->record, "%s/record", e->dir);
	snprintf(e->msg, sizeof e->msg, "%s/msg", e->dir);
	vytest_write_file(e->pass, (const uint8_t *)"correct horse battery staple\n", 29);
	vyf_keys_init(&keys, N, T);
	for (uint32_t k = 1; k <= N; k++) {
		struct stat sb;
		char *pub;

		snprintf(e->tdir[k], sizeof e->tdir[k], "%s/t%u", e->dir, k);
		args[2] = e->tdir[k];
		if (run(e, args) != 0)
			fail_msg("keygen %u: %s", k, e->err);
		assert_int_equal(strlen(e->out), 65);
		assert_int_equal(sodium_hex2bin(keys.trustee_pk[k - 1], 32, e->out, 64, NULL, NULL, NULL), 0);
		snprintf(path, sizeof path, "%s/key", e->tdir[k]);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		snprintf(path, sizeof path, "%s/public", e->tdir[k]);
		pub = vytest_read_file(path, NULL);
		memcpy(hex, e->out, 64);
		hex[64] = 0;
		assert_non_null(strstr(pub, hex));
		free(pub);
	}
	/* vyf_record_init with the trustees' real keys */
	e->r.keys = keys;
	vy_record_state_init(&e->r.st);
	e->r.manifest_bytes = vyf_manifest_pack(&e->r.keys, &e->r.manifest_len);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, e->r.manifest_bytes, e->r.manifest_len);
}

static void teardown_env(env *e)
{
	vyf_record_free(&e->r);
	vytest_remove_dir(e->dir);
}

/* ELECTION_OPEN from the record (vy_ceremony_open), as the board posts it. */
static void open_election(env *e)
{
	vy_reason why = { 0 };
	uint8_t *p;
	size_t len;

	if (vy_ceremony_open(&e->r.st, &p, &len, &why) != VY_R_OK)
		fail_msg("open: %s", why.msg);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len);
	free(p);
}

/* VOTERS ballots with the default choices, close, encrypted tally. */
static void vote_and_tally(env *e)
{
	uint32_t choices[VYF_SELECTIONS];

	vyf_default_choices(choices);
	for (int i = 0; i < VOTERS; i++) {
		vyf_voter v;
		char label[32];
		size_t len;
		uint8_t *b;

		snprintf(label, sizeof label, "voter %d", i);
		vyf_voter_init(&v, &e->r.st.election, label);
		b = vyf_ballot_pack(&e->r.st.election, &v, choices, "cast", NULL, &len);
		vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b, len);
		free(b);
	}
	vyf_record_close(&e->r);
	vyf_record_tally(&e->r);
}

/* The result from trustees used[0..n); checks the default choices' counts. */
static uint8_t *result_of(env *e, const uint32_t *used, size_t n, size_t *len)
{
	Vybar__Result *res = NULL;
	vy_reason why = { 0 };
	uint8_t *p;

	if (vy_tally_result(&e->r.st, used, n, &p, len, &why) != VY_R_OK)
		fail_msg("result: %s", why.msg);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
					   p, *len, NULL),
			 VY_R_OK);
	assert_int_equal(res->contests[0]->counts[0], 0);
	assert_int_equal(res->contests[0]->counts[1], VOTERS);
	assert_int_equal(res->contests[1]->counts[0], VOTERS);
	assert_int_equal(res->contests[1]->counts[2], VOTERS);
	vy_msg_free(res);
	return p;
}

/* The result's contests alone (trustees_used cleared), packed, to compare subsets. */
static uint8_t *contests_of(const uint8_t *p, size_t len, size_t *out_len)
{
	Vybar__Result *res = NULL;
	uint8_t *out;

	assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
					   p, len, NULL),
			 VY_R_OK);
	res->n_trustees_used = 0;
	out = vy_msg_pack(res, out_len);
	assert_non_null(out);
	vy_msg_free(res);
	return out;
}

/* The line of `status` about trustee k. */
static const char *status_line(const env *e, uint32_t k, char *line, size_t cap)
{
	char key[32];
	const char *p;
	size_t n;

	snprintf(key, sizeof key, "  trustee %u", k);
	p = strstr(e->out, key);
	assert_non_null(p);
	n = strcspn(p, "\n");
	snprintf(line, cap, "%.*s", (int)n, p);
	return line;
}

static int run_status(env *e, uint32_t k)
{
	FILE *f = fopen(e->record, "wb");
	const char *args[] = { "status", "--dir", e->tdir[k], "--passphrase-file", e->pass, "--record", e->record, NULL };

	assert_non_null(f);
	vyf_record_write(&e->r, f);
	fclose(f);
	return run(e, args);
}

/* 5 trustees, t = 3, through files: every subset of 3 decrypts the same tally; 2 cannot. */
static void test_ceremony_files(void **state)
{
	static env e;
	uint8_t *first = NULL;
	size_t first_len = 0, count = 0;
	vy_reason why = { 0 };
	uint8_t *p;
	size_t len;

	(void)state;
	setup_env(&e);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "announce", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, NULL, NULL);
	assert_int_equal(run_status(&e, 1), 0);
	assert_non_null(strstr(e.out, "next: run `vybar-trustee reveal`"));
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "reveal", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, NULL, NULL);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "verdict", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, NULL, NULL);
	open_election(&e);
	assert_int_equal(e.r.st.n_qualified, N);
	assert_true(e.r.st.election.have_joint_key);
	vote_and_tally(&e);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "decrypt", VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, NULL, NULL);
	/* every subset of 3 gives the same result */
	for (uint32_t a = 1; a <= N; a++)
		for (uint32_t b = a + 1; b <= N; b++)
			for (uint32_t c = b + 1; c <= N; c++) {
				uint32_t used[3] = { a, b, c };

				uint8_t *full = result_of(&e, used, 3, &len);

				p = contests_of(full, len, &len);
				free(full);
				if (first == NULL) {
					first = p;
					first_len = len;
				} else {
					assert_int_equal(len, first_len);
					assert_memory_equal(p, first, len);
					free(p);
				}
				count++;
			}
	assert_int_equal(count, 10);
	/* two trustees cannot */
	{
		uint32_t used[2] = { 1, 2 };

		assert_int_equal(vy_tally_result(&e.r.st, used, 2, &p, &len, &why), VY_R_TRUSTEES);
	}
	free(first);
	{
		uint32_t used[3] = { 2, 4, 5 };

		p = result_of(&e, used, 3, &len);
		vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len);
		free(p);
	}
	assert_int_equal(run_status(&e, 3), 0);
	assert_non_null(strstr(e.out, "result published"));
	teardown_env(&e);
}

/* A dealer of a bad share is exposed and disqualified by everyone; a wrong
 * partial decryption is refused by its proof and the others still decrypt. */
static void test_cheaters(void **state)
{
	static env e;
	uint32_t type;
	uint8_t *p;
	size_t len;
	vy_reason why = { 0 };
	char line[1024];

	(void)state;
	setup_env(&e);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "announce", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, NULL, NULL);
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "reveal", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL,
			 k == 2 ? "--test-corrupt-share-for" : NULL, "4");
	/* trustee 4 sees the bad share before its verdict */
	assert_int_equal(run_status(&e, 4), 0);
	assert_non_null(strstr(status_line(&e, 2, line, sizeof line), "trustee 2"));
	assert_non_null(strstr(e.out, "its share to you is BAD"));
	for (uint32_t k = 1; k <= N; k++)
		round_ok(&e, k, "verdict", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, NULL, NULL);
	assert_int_equal(e.r.st.trustees[1].complained_by, 1u << 3);
	assert_int_equal(run_status(&e, 2), 0);
	assert_non_null(strstr(e.out, "trustee 4 complained against trustee 2: not yet answered"));
	assert_non_null(strstr(e.out, "next: run `vybar-trustee justify` NOW"));
	/* trustee 2 does not justify: the board opens without it */
	open_election(&e);
	assert_int_equal(e.r.st.n_qualified, N - 1);
	assert_false(e.r.st.trustees[1].qualified);
	for (uint32_t k = 1; k <= N; k++) {
		if (k == 2)
			continue;
		assert_int_equal(run_status(&e, k), 0);
		assert_non_null(strstr(status_line(&e, 2, line, sizeof line), "DISQUALIFIED"));
		assert_non_null(strstr(e.out, "trustee 4 complained against trustee 2: no justification"));
	}
	vote_and_tally(&e);
	/* the disqualified trustee cannot decrypt */
	assert_int_equal(trustee_cmd(&e, 2, "decrypt", NULL, NULL), 1);
	assert_non_null(strstr(e.err, "disqualified"));
	/* trustee 3 publishes a wrong partial decryption: refused by its proof */
	assert_int_equal(trustee_cmd(&e, 3, "decrypt", "--test-corrupt-decryption", NULL), 0);
	p = vytest_trustee_msg(e.msg, &type, &len);
	assert_int_equal(vyf_record_try(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, len, &why), VY_R_PROOF);
	assert_non_null(strstr(why.msg, "trustee 3 contest 0 option 0"));
	free(p);
	for (uint32_t k = 4; k <= N; k++)
		round_ok(&e, k, "decrypt", VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, NULL, NULL);
	round_ok(&e, 1, "decrypt", VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, NULL, NULL);
	{
		uint32_t used[3] = { 1, 4, 5 };

		p = result_of(&e, used, 3, &len);
		vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len);
		free(p);
	}
	teardown_env(&e);
}

/* The key file of trustee 1, for byte comparison. */
static uint8_t *key_bytes(env *e, size_t *len)
{
	char path[PATH + 16];

	snprintf(path, sizeof path, "%s/key", e->tdir[1]);
	return read_all(path, len);
}

/* Each failure: a clear message, exit 1, the key file byte-identical, no message written. */
static void expect_fail(env *e, const char *cmd, const char *want)
{
	size_t n0, n1;
	uint8_t *k0 = key_bytes(e, &n0), *k1;

	assert_int_equal(trustee_cmd(e, 1, cmd, NULL, NULL), 1);
	if (strstr(e->err, want) == NULL)
		fail_msg("expected \"%s\" in: %s", want, e->err);
	assert_int_equal(access(e->msg, F_OK), -1);
	k1 = key_bytes(e, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(k0, k1, n0);
	free(k0);
	free(k1);
}

/* Wrong passphrase, corrupted key file, truncated record and message, an unknown trustee. */
static void test_errors(void **state)
{
	static env e;
	char path[PATH + 16], other[PATH];
	uint8_t *k, *rec, *p;
	size_t n, rn, len;
	uint32_t type;

	(void)state;
	setup_env(&e);
	/* wrong passphrase */
	vytest_write_file(e.pass, (const uint8_t *)"wrong\n", 6);
	expect_fail(&e, "announce", "wrong passphrase, or the key file was modified");
	vytest_write_file(e.pass, (const uint8_t *)"correct horse battery staple\n", 29);
	/* a flipped byte in the ciphertext, then in the magic */
	snprintf(path, sizeof path, "%s/key", e.tdir[1]);
	k = read_all(path, &n);
	k[n - 5] ^= 1;
	vytest_write_file(path, k, n);
	expect_fail(&e, "announce", "wrong passphrase, or the key file was modified");
	k[n - 5] ^= 1;
	k[0] ^= 1;
	vytest_write_file(path, k, n);
	expect_fail(&e, "announce", "corrupted key file");
	k[0] ^= 1;
	vytest_write_file(path, k, n - 1);
	expect_fail(&e, "announce", "corrupted key file");
	vytest_write_file(path, k, n);
	free(k);
	/* a truncated record: trustee_cmd rewrites the record, so truncate by hand */
	round_ok(&e, 1, "announce", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, NULL, NULL);
	p = vytest_trustee_msg(e.msg, &type, &len);
	{
		FILE *f = fopen(e.record, "wb");

		vyf_record_write(&e.r, f);
		fclose(f);
	}
	rec = read_all(e.record, &rn);
	vytest_write_file(e.record, rec, rn - 3);
	{
		const char *args[] = { "reveal", "--dir", e.tdir[1], "--passphrase-file", e.pass, "--record", e.record,
				       "--out", e.msg, NULL };

		unlink(e.msg);
		assert_int_equal(run(&e, args), 1);
		assert_non_null(strstr(e.err, "does not verify"));
		assert_non_null(strstr(e.err, "trunc"));
		assert_int_equal(access(e.msg, F_OK), -1);
	}
	free(rec);
	/* a message from an unknown trustee, signed into the record by the board */
	{
		Vybar__RecordEntry en;
		Vybar__TrusteeSigned *ts = NULL;
		uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], *bad, *frame;
		size_t blen, flen;
		FILE *f;

		assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
						   VY_MAX_MESSAGE_BYTES, p, len, NULL),
				 VY_R_OK);
		ts->trustee_index = 9;
		bad = vy_msg_pack(ts, &blen);
		vy_entry_make(&en, sig, &e.r.st, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, bad, blen, e.r.keys.board_sk);
		frame = vy_msg_pack(&en, &flen);
		f = fopen(e.record, "wb");
		vyf_record_write(&e.r, f);
		assert_int_equal(fputc((int)(flen >> 24), f), (int)(flen >> 24));
		fputc((int)(flen >> 16) & 0xff, f);
		fputc((int)(flen >> 8) & 0xff, f);
		fputc((int)flen & 0xff, f);
		assert_int_equal(fwrite(frame, 1, flen, f), flen);
		fclose(f);
		{
			const char *args[] = { "status", "--dir", e.tdir[2], "--passphrase-file", e.pass, "--record",
					       e.record, NULL };

			assert_int_equal(run(&e, args), 1);
			assert_non_null(strstr(e.err, "trustee index 9 is not 1..5"));
		}
		vy_msg_free(ts);
		free(bad);
		free(frame);
	}
	free(p);
	/* a key that is not in the manifest */
	snprintf(other, sizeof other, "%s/stranger", e.dir);
	{
		const char *kg[] = { "keygen", "--dir", other, "--passphrase-file", e.pass, NULL };
		const char *args[] = { "status", "--dir", other, "--passphrase-file", e.pass, "--record", e.record,
				       NULL };
		FILE *f;

		assert_int_equal(run(&e, kg), 0);
		f = fopen(e.record, "wb");
		vyf_record_write(&e.r, f);
		fclose(f);
		assert_int_equal(run(&e, args), 1);
		assert_non_null(strstr(e.err, "is not a trustee of election vybar-test-2026"));
		/* keygen refuses to replace a key */
		assert_int_equal(run(&e, kg), 1);
		assert_non_null(strstr(e.err, "refusing to replace"));
	}
	/* a second announce is refused before anything is written */
	expect_fail(&e, "announce", "you have already announced");
	teardown_env(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ceremony_files),
		cmocka_unit_test(test_cheaters),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
