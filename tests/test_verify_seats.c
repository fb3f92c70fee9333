/*
 * vybar-verify seats (specs/protocol.md §11, specs/verification.md): the
 * program's seat tables in both forms, plain parameters and --manifest FILE
 * --votes, compared with tables worked out by hand below; the plain form's
 * assumptions (tie seed all zero, every list has candidates for every
 * seat) and the options that change them (--tie-seed, --candidates); and
 * the usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/protocol_fixtures.h"

#define OUT_BYTES (64u << 10)
#define EXIT_USAGE 2
#define ZERO_SEED "0000000000000000000000000000000000000000000000000000000000000000"
#define ONES_SEED "1111111111111111111111111111111111111111111111111111111111111111"

static char dir[] = "/tmp/vybar-verify-seats-XXXXXX";
static char manifest_path[256];
static char out[OUT_BYTES];

/* Run vybar-verify with args (NULL-terminated); its stdout into out. */
static int run(const char *const *args)
{
	char cmd[4096];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof cmd, "%s", VYBAR_VERIFY_PROGRAM);
	for (size_t i = 0; args[i] != NULL; i++) {
		strncat(cmd, " '", sizeof cmd - strlen(cmd) - 1);
		strncat(cmd, args[i], sizeof cmd - strlen(cmd) - 1);
		strncat(cmd, "'", sizeof cmd - strlen(cmd) - 1);
	}
	strncat(cmd, " 2>/dev/null", sizeof cmd - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, OUT_BYTES - 1, p);
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The output holds line (a whole line, with its newline). */
static void expect_line(const char *line)
{
	const char *at = strstr(out, line);

	if (at == NULL || (at != out && at[-1] != '\n'))
		fail_msg("missing line \"%s\" in:\n%s", line, out);
}

/* The fixtures' manifest (its party-list contest: "List A", "List B",
 * "List C", 4 candidates each, 5 seats, 3 % threshold, Hare quota over all
 * valid votes) written to manifest_path. */
static int setup(void **state)
{
	vyf_record rec;
	FILE *f;

	(void)state;
	vytest_init();
	assert_non_null(mkdtemp(dir));
	snprintf(manifest_path, sizeof manifest_path, "%s/manifest", dir);
	vyf_record_init(&rec, 1, 1);
	f = fopen(manifest_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(rec.manifest_bytes, 1, rec.manifest_len, f), rec.manifest_len);
	assert_int_equal(fclose(f), 0);
	vyf_record_free(&rec);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(manifest_path);
	rmdir(dir);
	return 0;
}

/*
 * The 2024 Coordination Council (tests/test_seats.c works it out): 80 seats,
 * 3 % threshold, Hare quota over all V = 6723 votes; at least 202 votes
 * qualify, so Solidarity (104), Voice of Diasporas (184) and Strana Dlya
 * Zhizni (61) are out. Quota seats 73, the 7 left go to the 7 largest
 * remainders (Latushka's 396 is the smallest): Liberty 6, European Choice
 * 8, Our Cause 6, Independent Belarusians 8, Prakopjeu 13, Latushka 28,
 * Down with Fear 3, Youth Offensive 8.
 */
static void test_plain_council(void **state)
{
	(void)state;
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "80", "--threshold-bp", "300", "--method",
						    "hare-all", "Solidarity=104", "Liberty=432", "European Choice=605",
						    "Our Cause=489", "Voice of Diasporas=184",
						    "Independent Belarusians=616", "Prakopjeu-Jahorau Bloc=1050",
						    "Team Latushka and Movement for Freedom=2358", "Down with Fear!=226",
						    "Strana Dlya Zhizni=61", "Youth Offensive=598", NULL }),
			 0);
	expect_line("method:    Hare quota over all valid votes, largest remainders\n");
	expect_line("threshold: 3.00 % of 6723 votes: at least 202 votes; 8 of 11 lists qualify with 6374 votes\n");
	expect_line("quota:     6723 / 80 = 84.03 votes per seat; remainders in 1/6723 of a seat\n");
	/* the plain form's tie seed: all zero */
	expect_line("tie seed:  " ZERO_SEED "\n");
	expect_line("   0  Solidarity                                      104    1.54 %   no       -"
		    "                    -       0  -\n");
	expect_line("   1  Liberty                                         432    6.42 %  yes       5"
		    "                  945       6  0-5\n");
	expect_line("   3  Our Cause                                       489    7.27 %  yes       5"
		    "                 5505       6  0-5\n");
	expect_line("   6  Prakopjeu-Jahorau Bloc                         1050   15.61 %  yes      12"
		    "                 3324      13  0-12\n");
	expect_line("   7  Team Latushka and Movement for Freedom         2358   35.07 %  yes      28"
		    "                  396      28  0-27\n");
	expect_line("   8  Down with Fear!                                 226    3.36 %  yes       2"
		    "                 4634       3  0-2\n");
	expect_line("seats filled: 80 of 80\n");
	assert_null(strstr(out, "tie:"));
}

/*
 * D'Hondt, 5 seats, A = B = 100 votes. Averages 100, 100, 50, 50, 33.33,
 * 33.33: four seats are clear (2 each); the fifth is a tie of A's and B's
 * 33.33, decided by the tie order (§11.4) of the seed. With the plain
 * form's assumptions every list has 5 candidates. With --candidates 1,9,
 * A has one candidate: A 1 ("all 1 candidates"), B takes 100, 50, 33.33,
 * 25: 4 seats, the smallest winning average 100 / 4 = 25.
 */
static void test_plain_tie_and_candidates(void **state)
{
	char first[OUT_BYTES];
	int a3, b3;

	(void)state;
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "--method", "dhondt", "A=100", "B=100",
						    NULL }),
			 0);
	expect_line("tie seed:  " ZERO_SEED "\n");
	expect_line("tie: equal averages for the last seat(s); decided by the tie order of §11.4\n");
	expect_line("seats filled: 5 of 5\n");
	/* exactly one of the two lists has the fifth seat */
	a3 = strstr(out, "   0  A             100   50.00 %  yes          33.33          25.00       3  0-2\n") != NULL;
	b3 = strstr(out, "   1  B             100   50.00 %  yes          33.33          25.00       3  0-2\n") != NULL;
	assert_int_equal(a3 + b3, 1);
	memcpy(first, out, sizeof first);
	/* the same seed given explicitly: the same table */
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "--method", "dhondt", "--tie-seed",
						    ZERO_SEED, "A=100", "B=100", NULL }),
			 0);
	assert_string_equal(out, first);
	/* another seed is printed and used */
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "--method", "dhondt", "--tie-seed",
						    ONES_SEED, "A=100", "B=100", NULL }),
			 0);
	expect_line("tie seed:  " ONES_SEED "\n");
	expect_line("seats filled: 5 of 5\n");

	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "--method", "dhondt", "--candidates",
						    "1,9", "A=100", "B=100", NULL }),
			 0);
	expect_line("   0  A             100   50.00 %  yes         100.00              -       1  0 "
		    "(all 1 candidates)\n");
	expect_line("   1  B             100   50.00 %  yes          25.00          20.00       4  0-3\n");
	expect_line("smallest winning average: 100 / 4 = 25.00\n");
	expect_line("seats filled: 5 of 5\n");
}

/*
 * --manifest: the fixtures' contest (5 seats, 3 %, Hare over all votes,
 * 4 candidates per list). Votes 52, 33, 15 (V = 100, all qualify): v * 5 =
 * 260 = 2 * 100 + 60, 165 = 1 * 100 + 65, 75 = 0 * 100 + 75; 3 quota
 * seats, the 2 left to C (75) and B (65): A 2, B 2, C 1. Votes 90, 6, 4:
 * 450 = 4 * 100 + 50, 30, 20; A's 4 quota seats take all its 4 candidates,
 * so the fifth seat goes to the next remainder, B's 30: A 4, B 1, C 0.
 */
static void test_manifest_form(void **state)
{
	(void)state;
	assert_int_equal(run((const char *const[]){ "seats", "--manifest", manifest_path, "--votes", "52,33,15", NULL }),
			 0);
	expect_line("method:    Hare quota over all valid votes, largest remainders\n");
	expect_line("tie seed:  " ZERO_SEED "\n");
	expect_line("   0  List A           52   52.00 %  yes       2                   60       2  0-1\n");
	expect_line("   1  List B           33   33.00 %  yes       1                   65       2  0-1\n");
	expect_line("   2  List C           15   15.00 %  yes       0                   75       1  0\n");
	expect_line("seats filled: 5 of 5\n");

	assert_int_equal(run((const char *const[]){ "seats", "--manifest", manifest_path, "--votes", "90,6,4", NULL }), 0);
	expect_line("   0  List A           90   90.00 %  yes       4                   50       4  0-3 "
		    "(all 4 candidates)\n");
	expect_line("   1  List B            6    6.00 %  yes       0                   30       1  0\n");
	expect_line("   2  List C            4    4.00 %  yes       0                   20       0  -\n");
	expect_line("seats filled: 5 of 5\n");
}

/* Usage errors: exit 2, no table. */
static void test_usage(void **state)
{
	(void)state;
	/* --votes needs one count per list of the manifest */
	assert_int_equal(run((const char *const[]){ "seats", "--manifest", manifest_path, "--votes", "1,2", NULL }),
			 EXIT_USAGE);
	/* the manifest says the candidates */
	assert_int_equal(run((const char *const[]){ "seats", "--manifest", manifest_path, "--votes", "1,2,3",
						    "--candidates", "1,1,1", NULL }),
			 EXIT_USAGE);
	/* a seed of the wrong length, a candidate count per list */
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "--method", "dhondt", "--tie-seed", "00",
						    "A=1", NULL }),
			 EXIT_USAGE);
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "--method", "dhondt", "--candidates",
						    "1", "A=1", "B=2", NULL }),
			 EXIT_USAGE);
	assert_int_equal(run((const char *const[]){ "seats", "--seats", "5", "A=1", NULL }), EXIT_USAGE);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_council),
		cmocka_unit_test(test_plain_tie_and_candidates),
		cmocka_unit_test(test_manifest_form),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
