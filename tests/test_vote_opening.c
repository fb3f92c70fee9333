/*
 * Voters' commands read only what they need (specs/client.md §2): the
 * client library against a real vybar-registrar and vybar-board on
 * 127.0.0.1. show, cast and register read the record up to ELECTION_OPEN,
 * VYC_OPENING_WINDOW entries at a time, so the bytes they download do not
 * grow with the ballots; counted in bytes (the bodies of the board's
 * answers), never in time.
 *
 *  - before any ballot: the opening read keeps the same record as the
 *    whole read, and downloads no more;
 *  - after a window and more of ballots: it keeps the same entries as
 *    before (up to ELECTION_OPEN), downloads at most one window of ballots
 *    more, and after as many ballots again exactly as many bytes; the
 *    whole read grows with every ballot;
 *  - `vybar-vote show` works on it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/vote_world.h"

#define BATCH (VYC_OPENING_WINDOW + 4) /* ballots cast between two reads */

static const char *const specs[] = { "1=1", "2=1", "3=blank" };

/* Cast n ballots of credential c (revotes), through the library. */
static void cast_n(vyw_world *w, const vyc_credential *c, size_t n)
{
	vyc_board bd;
	char rcpt[VYH_PATH_BYTES];
	vy_reason why;

	vyw_fetch(w, &bd);
	vyw_tmp_path(w, rcpt, "opening-receipt.pb");
	for (size_t i = 0; i < n; i++) {
		vy_built_ballot b;
		uint64_t seq = 0;

		vyw_build(&bd, c, specs, 3, &b);
		if (vyc_cast(&bd, &b, NULL, rcpt, &seq, &why) != VY_R_OK)
			fail_msg("cast %zu: %s", i, why.msg);
		vy_built_ballot_free(&b);
	}
	vyc_board_free(&bd);
}

/* The opening read: its bytes downloaded; the record kept must be `want`
 * (want_len bytes) when want is not NULL. */
static uint64_t opening(const vyw_world *w, const uint8_t *want, size_t want_len)
{
	vyc_board bd;
	vy_reason why;
	uint64_t n;

	if (vyc_board_fetch_opening(&bd, NULL, w->url, NULL, 1, &why) != VY_R_OK)
		fail_msg("opening: %s", why.msg);
	assert_true(bd.st.phase == VY_PHASE_OPEN && bd.st.election.have_joint_key);
	assert_int_equal(bd.st.ballots, 0);
	if (want != NULL) {
		assert_int_equal(bd.record_len, want_len);
		assert_memory_equal(bd.record, want, want_len);
	}
	n = bd.bytes_read;
	vyc_board_free(&bd);
	return n;
}

/* The whole read: its bytes downloaded (the record's size, in effect). */
static size_t whole(const vyw_world *w)
{
	vyc_board bd;
	size_t n;

	vyw_fetch(w, &bd);
	n = bd.record_len;
	vyc_board_free(&bd);
	return n;
}

static void test_opening_bounded(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	char cred[VYH_PATH_BYTES], out[VYH_PATH_BYTES], cmd[16 * VYH_PATH_BYTES], *text;
	uint8_t *open_rec;
	size_t open_len, whole0, whole1, whole2, max_frame = 0, tl;
	uint64_t b0, b1, b2;
	vy_reason why;
	int st;

	/* no ballot yet: the same record either way */
	vyw_fetch(w, &bd);
	open_len = bd.record_len;
	open_rec = malloc(open_len);
	assert_non_null(open_rec);
	memcpy(open_rec, bd.record, open_len);
	whole0 = open_len;
	b0 = opening(w, open_rec, open_len);
	assert_true(b0 <= 2 * whole0); /* the record, and one magic line per window */
	vyw_register(w, &bd, cred);
	assert_int_equal(vyc_credential_open(&c, &bd.st.election, cred, VYW_PASSPHRASE, &why), VY_R_OK);
	vyc_board_free(&bd);

	cast_n(w, &c, BATCH);
	whole1 = whole(w);
	max_frame = (whole1 - whole0) / BATCH + 64; /* a ballot's frame, about */
	b1 = opening(w, open_rec, open_len);
	assert_true(b1 >= b0);
	assert_true(b1 <= b0 + VYC_OPENING_WINDOW * max_frame);

	cast_n(w, &c, BATCH);
	whole2 = whole(w);
	b2 = opening(w, open_rec, open_len);
	assert_true(whole2 > whole1 && whole1 > whole0);
	assert_int_equal(b2, b1); /* the ballots added are not read */
	print_message("opening read: %llu bytes at %zu ballots, %llu at %zu; the whole record: %zu, %zu bytes\n",
		      (unsigned long long)b1, (size_t)BATCH, (unsigned long long)b2, (size_t)(2 * BATCH), whole1,
		      whole2);

	/* the program reads the same way */
	vyw_tmp_path(w, out, "show.out");
	snprintf(cmd, sizeof cmd, "'%s' show --board %s >'%s' 2>&1", VYBAR_VOTE_PROGRAM, w->url, out);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	text = vytest_read_file(out, &tl);
	assert_non_null(strstr(text, "Election fingerprint"));
	free(text);
	vyc_credential_close(&c);
	free(open_rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opening_bounded),
	};

	return cmocka_run_group_tests(tests, vyw_setup, vyw_teardown);
}
