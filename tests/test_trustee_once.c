/*
 * A trustee decrypts one tally, once, and never accepts a record that
 * rewrites what it saw (specs/trustee.md §7, specs/security.md §3.1).
 *
 * Two trustees (keys made by the real program) run the key ceremony through
 * record files; the manifest names the fixtures' three witnesses, any two of
 * whom co-sign the tally. From that ceremony the test builds, as the board
 * and the witnesses would if they all lied:
 *   real    BALLOTS ballots, close, tally, WITNESSED;
 *   fork    the same ceremony, one other ballot, its own close, tally and
 *           WITNESSED co-signed by the same witnesses;
 *   notally the real record without its WITNESSED entry;
 *   weak    notally and a WITNESSED with k - 1 cosignatures, forced in;
 *   votes   the real record up to its ballots; rewritten: the same with an
 *           earlier ballot replaced by another voter's, every later entry
 *           re-chained and re-signed by the board.
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
#define BALLOTS 3
#define PATH 512
#define OUT_BYTES 65536

typedef struct {
	char dir[64];
	char tdir[N + 1][128]; /* trustee k's DIR, 1-based */
	char pass[PATH], msg[PATH], file[PATH];
	char real[PATH], fork[PATH], notally[PATH], weak[PATH], votes[PATH], rewritten[PATH];
	char out[OUT_BYTES], err[OUT_BYTES]; /* of the last run */
	vyf_record r;       /* the real record */
	size_t opened;      /* entries up to and with ELECTION_OPEN */
	size_t votes_n;     /* entries of the votes record */
	uint64_t tally_seq; /* the real tally's entry */
} env;

static env E;

static int run(env *e, const char *const *args)
{
	return vytest_spawn(VYBAR_TRUSTEE_PROGRAM, args, e->out, sizeof e->out, e->err, sizeof e->err);
}

/* `cmd` of trustee k on the record file, writing e->msg. */
static int trustee_cmd(env *e, uint32_t k, const char *cmd, const char *record)
{
	const char *args[] = { cmd, "--dir", e->tdir[k], "--passphrase-file", e->pass, "--record", record,
			       "--out", e->msg, "--jobs", "2", NULL };

	unlink(e->msg);
	return run(e, args);
}

/* The first n entries of r as a record file; then extra (if not NULL), an
 * entry of type made and signed by the board after them. */
static void write_prefix(const vyf_record *r, size_t n, const char *path, Vybar__EntryType type,
			 const uint8_t *extra, size_t extra_len, const vy_record_state *st)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < n; i++)
		vytest_put_frame(f, r->entries[i], r->entry_lens[i]);
	if (extra != NULL) {
		Vybar__RecordEntry e;
		uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], *packed;
		size_t len;

		vy_entry_make(&e, sig, st, type, extra, extra_len, r->keys.board_sk);
		packed = vy_msg_pack(&e, &len);
		assert_non_null(packed);
		vytest_put_frame(f, packed, len);
		free(packed);
	}
	assert_int_equal(fclose(f), 0);
}

/* A ceremony round of trustee k, its message appended to the record. */
static void round_ok(env *e, uint32_t k, const char *cmd, Vybar__EntryType want)
{
	uint32_t type;
	uint8_t *p;
	size_t len;

	write_prefix(&e->r, e->r.n_entries, e->file, 0, NULL, 0, NULL);
	if (trustee_cmd(e, k, cmd, e->file) != 0)
		fail_msg("trustee %u %s failed: %s", k, cmd, e->err);
	p = vytest_trustee_msg(e->msg, &type, &len);
	assert_int_equal(type, want);
	vyf_record_append_owned(&e->r, want, p, len);
}

/* dst: a record of src's first n entries, made again by the board. */
static void clone_prefix(vyf_record *dst, const vyf_record *src, size_t n)
{
	memset(dst, 0, sizeof *dst);
	dst->keys = src->keys;
	vy_record_state_init(&dst->st);
	dst->manifest_bytes = malloc(src->manifest_len);
	assert_non_null(dst->manifest_bytes);
	memcpy(dst->manifest_bytes, src->manifest_bytes, src->manifest_len);
	dst->manifest_len = src->manifest_len;
	for (size_t i = 0; i < n; i++) {
		Vybar__RecordEntry *old = NULL;

		assert_int_equal(vy_decode_entry(&old, src->entries[i], src->entry_lens[i], NULL), VY_R_OK);
		vyf_record_append(dst, old->type, old->payload.data, old->payload.len);
		vy_msg_free(old);
	}
}

/* The ballot of the voter labelled `label`, packed. */
static uint8_t *ballot(const vyf_record *r, const char *label, size_t *len)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;

	vyf_default_choices(choices);
	vyf_voter_init(&v, &r->st.election, label);
	return vyf_ballot_pack(&r->st.election, &v, choices, "cast", NULL, len);
}

static void add_ballots(vyf_record *r, const char *prefix, int n)
{
	char label[32];
	uint8_t *p;
	size_t len;

	for (int i = 0; i < n; i++) {
		snprintf(label, sizeof label, "%s %d", prefix, i);
		p = ballot(r, label, &len);
		vyf_record_append_owned(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	}
}

static void write_all(const vyf_record *r, const char *path)
{
	write_prefix(r, r->n_entries, path, 0, NULL, 0, NULL);
}

/* votes with its entry `at` replaced by another voter's ballot, every entry
 * re-chained and re-signed by the board. */
static void write_rewritten(env *e, size_t at)
{
	vyf_record w;
	size_t len;
	uint8_t *other = ballot(&e->r, "another voter", &len);

	clone_prefix(&w, &e->r, at);
	vyf_record_append_owned(&w, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, other, len);
	for (size_t i = at + 1; i < e->votes_n; i++) {
		Vybar__RecordEntry *old = NULL;

		assert_int_equal(vy_decode_entry(&old, e->r.entries[i], e->r.entry_lens[i], NULL), VY_R_OK);
		vyf_record_append(&w, old->type, old->payload.data, old->payload.len);
		vy_msg_free(old);
	}
	assert_int_equal(w.n_entries, e->votes_n);
	write_all(&w, e->rewritten);
	vyf_record_free(&w);
}

/* The fork: the ceremony, one other ballot, close, tally, WITNESSED. */
static void write_fork(env *e)
{
	vyf_record f;

	clone_prefix(&f, &e->r, e->opened);
	add_ballots(&f, "the one voter", 1);
	vyf_record_close(&f);
	vyf_record_tally(&f);
	assert_true(f.st.have_witnessed);
	assert_memory_not_equal(f.st.tally_hash, e->r.st.tally_hash, VY_HASH_BYTES);
	write_all(&f, e->fork);
	vyf_record_free(&f);
}

/* k - 1 cosignatures: vy_record_accept refuses the WITNESSED entry (V10.3);
 * the weak record holds it all the same. */
static void write_weak(env *e)
{
	vyf_record nt;
	Vybar__RecordEntry w;
	vy_reason why = { 0 };
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], *p;
	size_t len;

	clone_prefix(&nt, &e->r, e->r.n_entries - 1);
	assert_true(nt.st.have_tally && !nt.st.have_witnessed);
	p = vyf_witnessed(&nt, (1u << (VYF_WITNESS_K - 1)) - 1, 1778090000, &len);
	vy_entry_make(&w, sig, &nt.st, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, p, len, nt.keys.board_sk);
	assert_int_not_equal(vy_record_accept(&nt.st, &w, &why), VY_R_OK);
	assert_string_equal(why.check, "V10.3");
	write_prefix(&nt, nt.n_entries, e->weak, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, p, len, &nt.st);
	free(p);
	vyf_record_free(&nt);
}

static void paths(env *e)
{
	snprintf(e->dir, sizeof e->dir, "vyonce.XXXXXX"); /* in the working directory */
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->pass, sizeof e->pass, "%.63s/pass", e->dir);
	snprintf(e->msg, sizeof e->msg, "%.63s/msg", e->dir);
	snprintf(e->file, sizeof e->file, "%.63s/ceremony", e->dir);
	snprintf(e->real, sizeof e->real, "%.63s/real", e->dir);
	snprintf(e->fork, sizeof e->fork, "%.63s/fork", e->dir);
	snprintf(e->notally, sizeof e->notally, "%.63s/notally", e->dir);
	snprintf(e->weak, sizeof e->weak, "%.63s/weak", e->dir);
	snprintf(e->votes, sizeof e->votes, "%.63s/votes", e->dir);
	snprintf(e->rewritten, sizeof e->rewritten, "%.63s/rewritten", e->dir);
	vytest_write_file(e->pass, (const uint8_t *)"correct horse battery staple\n", 29);
}

/* Keys, the ceremony through the program, then every record file. */
static int setup(void **state)
{
	env *e = &E;
	const char *kg[] = { "keygen", "--dir", NULL, "--passphrase-file", e->pass, NULL };
	vy_reason why = { 0 };
	uint8_t *p;
	size_t len;

	(void)state;
	memset(e, 0, sizeof *e);
	vytest_init();
	paths(e);
	vyf_keys_init(&e->r.keys, N, T);
	e->r.keys.n_witnesses = VYF_WITNESSES;
	e->r.keys.witness_k = VYF_WITNESS_K;
	for (uint32_t k = 1; k <= N; k++) {
		snprintf(e->tdir[k], sizeof e->tdir[k], "%.63s/t%u", e->dir, k);
		kg[2] = e->tdir[k];
		if (run(e, kg) != 0)
			fail_msg("keygen %u: %s", k, e->err);
		assert_int_equal(sodium_hex2bin(e->r.keys.trustee_pk[k - 1], 32, e->out, 64, NULL, NULL, NULL), 0);
	}
	/* the manifest names the trustees' real keys, and the witnesses */
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
	vyf_record_append_owned(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len);
	e->opened = e->r.n_entries;
	add_ballots(&e->r, "voter", BALLOTS);
	e->votes_n = e->r.n_entries;
	vyf_record_close(&e->r);
	vyf_record_tally(&e->r);
	assert_true(e->r.st.have_witnessed);
	e->tally_seq = e->r.n_entries - 2;
	write_all(&e->r, e->real);
	write_prefix(&e->r, e->r.n_entries - 1, e->notally, 0, NULL, 0, NULL);
	write_prefix(&e->r, e->votes_n, e->votes, 0, NULL, 0, NULL);
	write_rewritten(e, e->votes_n - 2);
	write_fork(e);
	write_weak(e);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vyf_record_free(&E.r);
	vytest_remove_dir(E.dir);
	return 0;
}

static void expect(const char *what, const char *in)
{
	if (strstr(in, what) == NULL)
		fail_msg("expected \"%s\" in: %s", what, in);
}

/* DIR/name of trustee k exists. */
static int remembers(env *e, uint32_t k, const char *name)
{
	char path[PATH];

	snprintf(path, sizeof path, "%s/%s", e->tdir[k], name);
	return access(path, F_OK) == 0;
}

/* The real tally is decrypted (again after a lost answer); the fork's is
 * refused, naming the real one, in every later process. */
static void test_decrypt_once(void **state)
{
	char want[256], hex[2 * VY_HASH_BYTES + 1];

	(void)state;
	if (trustee_cmd(&E, 1, "decrypt", E.real) != 0)
		fail_msg("decrypt: %s", E.err);
	expect("partial-decryption message written to", E.out);
	assert_true(remembers(&E, 1, "decrypted"));
	assert_null(strstr(E.err, "warning")); /* the manifest names witnesses */
	sodium_bin2hex(hex, sizeof hex, E.r.st.tally_hash, VY_HASH_BYTES);
	snprintf(want, sizeof want, "you already decrypted the tally at entry %llu (hash %.16s...); a board that "
		 "shows you another tally of the same election is showing you a fork: refusing",
		 (unsigned long long)E.tally_seq, hex);
	for (int restart = 0; restart < 2; restart++) {
		assert_int_equal(trustee_cmd(&E, 1, "decrypt", E.fork), 1);
		expect(want, E.err);
		assert_int_equal(access(E.msg, F_OK), -1);
	}
	/* the same tally again: a retry after a lost answer */
	if (trustee_cmd(&E, 1, "decrypt", E.real) != 0)
		fail_msg("decrypt again: %s", E.err);
}

/* No WITNESSED entry: refused before any work; k - 1 cosignatures: the
 * record does not verify (V10.3). Nothing is remembered as decrypted. */
static void test_cosigned_only(void **state)
{
	char want[256];

	(void)state;
	snprintf(want, sizeof want, "the tally at entry %llu is not yet co-signed by %u witnesses (the WITNESSED "
		 "entry is missing): wait, and try again", (unsigned long long)E.tally_seq, VYF_WITNESS_K);
	assert_int_equal(trustee_cmd(&E, 2, "decrypt", E.notally), 1);
	expect(want, E.err);
	snprintf(want, sizeof want, "does not verify at entry %llu (V10.3,", (unsigned long long)E.tally_seq + 1);
	assert_int_equal(trustee_cmd(&E, 2, "decrypt", E.weak), 1);
	expect(want, E.err);
	assert_int_equal(access(E.msg, F_OK), -1);
	assert_false(remembers(&E, 2, "decrypted"));
}

/* status on a record, then on one that rewrites an earlier entry (refused),
 * then on a longer extension of the first (accepted). */
static void test_never_back(void **state)
{
	char dir_seen[PATH], want[256];

	(void)state;
	snprintf(dir_seen, sizeof dir_seen, "%s/seen", E.tdir[2]);
	unlink(dir_seen); /* this test's own memory */
	if (trustee_cmd(&E, 2, "status", E.votes) != 0)
		fail_msg("status: %s", E.err);
	assert_true(remembers(&E, 2, "seen"));
	snprintf(want, sizeof want, "the board's record does not extend the record you saw before (entry %zu had "
		 "hash ", E.votes_n - 1);
	assert_int_equal(trustee_cmd(&E, 2, "status", E.rewritten), 1);
	expect(want, E.err);
	expect("): the board is showing you a different record; refusing", E.err);
	/* a shorter record is no extension either */
	assert_int_equal(trustee_cmd(&E, 2, "status", E.file), 1);
	expect("does not extend the record you saw before", E.err);
	if (trustee_cmd(&E, 2, "status", E.real) != 0)
		fail_msg("status on the extension: %s", E.err);
	/* and now the record before that extension is refused */
	assert_int_equal(trustee_cmd(&E, 2, "status", E.votes), 1);
	expect("does not extend the record you saw before", E.err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decrypt_once),
		cmocka_unit_test(test_cosigned_only),
		cmocka_unit_test(test_never_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
