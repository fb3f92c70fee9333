/*
 * vybar-verify against a running board (specs/verification.md, SOURCE a
 * board URL): a real vybar-board on 127.0.0.1 runs a whole election (the
 * fixtures' ceremony, three ballots of which one is a revote, close, the
 * registrar's statement, tally, partial decryptions, result); then
 * `vybar-verify record http://127.0.0.1:PORT` must hold with the same
 * report as the record file kept locally, and `vybar-verify receipt` of
 * the voters' receipts must say counted (0) and superseded (4).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/board_harness.h"

#define OUT_BYTES (64u << 10)
#define EXIT_SUPERSEDED 5

/* Run vybar-verify with args (NULL-terminated); its exit status, its output into out. */
static int run(char *out, const char *const *args)
{
	return vytest_run(out, OUT_BYTES, 0, VYBAR_VERIFY_PROGRAM, args);
}

/* POST body to path; expect 200; the response body (malloc'd) and length. */
static uint8_t *post_ok(vyh_election *e, const char *path, const uint8_t *body, size_t len, size_t *out_len)
{
	vyh_resp r;
	uint8_t *out;

	vyh_post(&e->b, path, body, len, &r);
	if (r.status != 200)
		fail_msg("POST %s: %ld %s", path, r.status, r.body ? (const char *)r.body : "");
	out = malloc(r.len ? r.len : 1);
	assert_non_null(out);
	memcpy(out, r.body, r.len);
	*out_len = r.len;
	vyh_resp_free(&r);
	return out;
}

/* Cast voter label's ballot (variant: a revote differs), appended locally;
 * its receipt (the board's response) written to path. */
static void cast(vyh_election *e, const char *label, const char *variant, const char *path)
{
	uint32_t choices[VYF_SELECTIONS];
	uint8_t *p, *receipt;
	size_t n, rlen;
	vyf_voter v;

	vyf_default_choices(choices);
	vyf_voter_init(&v, &e->r.st.election, label);
	p = vyf_ballot_pack(&e->r.st.election, &v, choices, variant, NULL, &n);
	receipt = post_ok(e, VY_PATH_BALLOTS, p, n, &rlen);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, n);
	vytest_write_file(path, receipt, rlen);
	free(receipt);
	free(p);
}

/* Close (the board derives the ElectionClose, §12.3), the registrar's
 * statement, tally, every trustee's partial decryption, result; each entry
 * also built locally. */
static void close_and_count(vyh_election *e)
{
	vyh_election_close(e);
	vyh_election_count(e);
}

/* The report without its "jobs: N" (the same otherwise). */
static void strip_jobs(char *s)
{
	char *j = strstr(s, ", jobs: ");

	if (j != NULL)
		memmove(j, strchr(j, '\n'), strlen(strchr(j, '\n')) + 1);
}

static void test_verify_from_board(void **state)
{
	static char from_url[OUT_BYTES], from_file[OUT_BYTES];
	char url[64], rec_path[VYH_PATH_BYTES + 16], r_first[VYH_PATH_BYTES + 16], r_revote[VYH_PATH_BYTES + 16];
	char r_other[VYH_PATH_BYTES + 16];
	vyh_election e;
	uint8_t *local, *remote;
	size_t llen, rlen;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", e.b.port);
	snprintf(rec_path, sizeof rec_path, "%s/local.record", e.b.dir);
	snprintf(r_first, sizeof r_first, "%s/first.receipt", e.b.dir);
	snprintf(r_revote, sizeof r_revote, "%s/revote.receipt", e.b.dir);
	snprintf(r_other, sizeof r_other, "%s/other.receipt", e.b.dir);
	cast(&e, "alice", "1", r_first);
	cast(&e, "bob", "x", r_other);
	cast(&e, "alice", "2", r_revote);

	/* Voting is open: from the URL, every check so far holds; incomplete (4). */
	assert_int_equal(run(from_url, (const char *const[]){ "record", url, NULL }), 4);
	assert_non_null(strstr(from_url, "INCOMPLETE: no ELECTION_CLOSE entry yet"));

	close_and_count(&e);
	local = vyh_local_record(&e, &llen);
	remote = vyh_record(&e.b, &rlen);
	assert_int_equal(rlen, llen);
	assert_memory_equal(remote, local, llen);
	vytest_write_file(rec_path, local, llen);

	/* The whole record: the same report from the board and from the file. */
	assert_int_equal(run(from_url, (const char *const[]){ "record", url, "--jobs", "2", NULL }), 0);
	assert_int_equal(run(from_file, (const char *const[]){ "record", rec_path, NULL }), 0);
	assert_non_null(strstr(from_url, "OK: every check holds"));
	assert_non_null(strstr(from_url, "entries: "));
	assert_non_null(strstr(from_url, "ballots: 3, audited: 0, counted: 2,"));
	strip_jobs(from_url);
	strip_jobs(from_file);
	assert_string_equal(from_url, from_file);
	/* JSON too */
	assert_int_equal(run(from_url, (const char *const[]){ "record", url, "--json", NULL }), 0);
	assert_non_null(strstr(from_url, "\"ballots\":3"));

	/* Receipts against the URL: the revote counts, the first is superseded. */
	assert_int_equal(run(from_url, (const char *const[]){ "receipt", "--receipt", r_revote, url, NULL }), 0);
	assert_non_null(strstr(from_url, "V8.1 held"));
	assert_int_equal(run(from_url, (const char *const[]){ "receipt", "--receipt", r_other, url, NULL }), 0);
	assert_int_equal(run(from_url, (const char *const[]){ "receipt", "--receipt", r_first, url, NULL }),
			 EXIT_SUPERSEDED);

	free(local);
	free(remote);
	unlink(rec_path);
	unlink(r_first);
	unlink(r_revote);
	unlink(r_other);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	/* The board is gone: the URL cannot be fetched (3). */
	assert_int_equal(run(from_url, (const char *const[]){ "record", url, NULL }), 3);
	vyh_election_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_from_board),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
