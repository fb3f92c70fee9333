/*
 * What the voter is told when the board refuses a revote for its
 * credential's limits (specs/protocol.md §3.6, specs/client.md §4 step 4):
 * the client library against a real vybar-registrar and vybar-board on
 * 127.0.0.1, the manifest allowing 2 ballots per credential, 3600 seconds
 * apart.
 *
 *  - a ballot right after the first: refused at once (not retried for an
 *    hour), VY_R_BALLOT_LIMIT, "wait until HH:MM", nothing appended;
 *  - after a board restart (which forgets the times) the second is cast;
 *  - the third: refused for good, "has cast its 2 ballots, the limit";
 *  - `vybar-vote cast` says the same and exits 1.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/vote_world.h"

#define MAX_BALLOTS 2
#define WAIT_S 3600

static const char *const specs[] = { "1=1", "2=1", "3=blank" };

static int setup(void **state)
{
	vyrh_max_ballots = MAX_BALLOTS;
	vyrh_min_seconds = WAIT_S;
	return vyw_setup(state);
}

/* The number of entries on the board's record. */
static size_t entries(const vyw_world *w)
{
	size_t len, n;
	uint8_t *rec = vyh_record(&w->e.b, &len);
	uint8_t (*h)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, &n);

	free(h);
	free(rec);
	return n;
}

/* Cast a fresh ballot of credential c through the library: its code and reason. */
static vy_rc cast(vyw_world *w, const vyc_credential *c, vy_reason *why)
{
	vyc_board bd;
	vy_built_ballot b;
	char rcpt[VYH_PATH_BYTES];
	uint64_t seq = 0;
	vy_rc rc;

	vyw_fetch(w, &bd);
	vyw_tmp_path(w, rcpt, "revote-receipt.pb");
	vyw_build(&bd, c, specs, 3, &b);
	rc = vyc_cast(&bd, &b, NULL, rcpt, &seq, why);
	vy_built_ballot_free(&b);
	vyc_board_free(&bd);
	return rc;
}

/* Stop the board and start it again on the same store (a new port). */
static void restart(vyw_world *w)
{
	assert_int_equal(vyh_stop(&w->e.b, SIGTERM), 0);
	assert_int_equal(vyh_start(&w->e.b, NULL), -1);
	snprintf(w->url, sizeof w->url, "http://127.0.0.1:%u", w->e.b.port);
}

static void test_refusals_said(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	char cred[VYH_PATH_BYTES], cmd[6 * VYH_PATH_BYTES], *out;
	vy_reason why = { 0 };
	size_t before, olen = 0;
	int status;

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred);
	assert_int_equal(vyc_credential_open(&c, &bd.st.election, cred, VYW_PASSPHRASE, &why), VY_R_OK);
	vyc_board_free(&bd);

	assert_int_equal(cast(w, &c, &why), VY_R_OK);
	before = entries(w);
	assert_int_equal(cast(w, &c, &why), VY_R_BALLOT_LIMIT);
	if (strstr(why.msg, "the election takes one every 3600 seconds: wait until ") == NULL)
		fail_msg("too soon: %s", why.msg);
	assert_int_equal(entries(w), before);

	restart(w);
	assert_int_equal(cast(w, &c, &why), VY_R_OK);
	restart(w);
	before = entries(w);
	assert_int_equal(cast(w, &c, &why), VY_R_BALLOT_LIMIT);
	if (strstr(why.msg, "this credential has cast its 2 ballots, the limit of the election") == NULL)
		fail_msg("count: %s", why.msg);
	assert_int_equal(entries(w), before);

	/* the program says it too, and exits 1 */
	vyw_tmp_path(w, cmd, "revote-out.txt");
	{
		char line[16 * VYH_PATH_BYTES];

		snprintf(line, sizeof line,
			 "'%s' cast --board %s --credential %s --passphrase-file %s --choice 1=1 --choice 2=1 "
			 "--choice 3=blank --receipt %s.pb --cast-now >%s 2>&1",
			 VYBAR_VOTE_PROGRAM, w->url, cred, w->pass_file, cmd, cmd);
		status = system(line);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	out = vytest_read_file(cmd, &olen);
	if (strstr(out, "this credential has cast its 2 ballots, the limit") == NULL)
		fail_msg("vybar-vote cast said: %s", out);
	free(out);
	assert_int_equal(entries(w), before);
	vyc_credential_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals_said),
	};

	return cmocka_run_group_tests(tests, setup, vyw_teardown);
}
