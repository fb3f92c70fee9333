/*
 * Seat allocation (specs/protocol.md §11): hand-worked examples for every
 * method (the working is in the comment above each test), ties decided by
 * the seed, thresholds, lists too short for their seats, the 2024
 * Coordination Council table, the reasons for invalid input, the printed
 * table, and properties over random inputs checked against a naive
 * reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "protocol/vy_seats.h"
#include "tests/support/vytest.h"

#define HARE_ALL VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES
#define HARE_QUAL VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_QUALIFYING
#define DHONDT VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT
#define SAINTE_LAGUE VYBAR__SEAT_METHOD__SEAT_METHOD_SAINTE_LAGUE

#define MAX_LISTS 16
#define PLENTY 1000 /* candidates enough for any seat count of these examples */

/* One example: votes, candidates (0 = PLENTY), seats, threshold, method, seed byte. */
typedef struct {
	vy_seat_input in;
	uint64_t votes[MAX_LISTS];
	size_t cands[MAX_LISTS];
	vy_seat_table table;
	vy_seat_list lists[MAX_LISTS];
} example;

static int setup(void **state)
{
	(void)state;
	vytest_init();
	return 0;
}

/* Fill ex from n votes; every list gets PLENTY candidates, the seed is 32
 * bytes of seed_byte. */
static void example_init(example *ex, const uint64_t *votes, size_t n, uint64_t seats, uint32_t bp,
			 Vybar__SeatMethod m, uint8_t seed_byte)
{
	memset(ex, 0, sizeof *ex);
	assert_true(n <= MAX_LISTS);
	for (size_t i = 0; i < n; i++) {
		ex->votes[i] = votes[i];
		ex->cands[i] = PLENTY;
	}
	ex->in.n_lists = n;
	ex->in.votes = ex->votes;
	ex->in.n_candidates = ex->cands;
	ex->in.seats = seats;
	ex->in.threshold_bp = bp;
	ex->in.method = m;
	memset(ex->in.tie_seed, seed_byte, VY_HASH_BYTES);
}

/* Compute ex, which must succeed. */
static void example_run(example *ex)
{
	vy_reason why = { 0 };

	if (vy_seats_compute(&ex->table, ex->lists, &ex->in, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
}

/* The seats must be exactly want[0..n), and vy_seats_allocate must agree. */
static void expect_seats(const example *ex, const uint64_t *want)
{
	uint64_t got[MAX_LISTS];
	vy_reason why = { 0 };

	for (size_t i = 0; i < ex->in.n_lists; i++)
		if (ex->lists[i].seats != want[i])
			fail_msg("list %zu: %llu seats, expected %llu", i, (unsigned long long)ex->lists[i].seats,
				 (unsigned long long)want[i]);
	assert_int_equal(vy_seats_allocate(&ex->in, got, &why), VY_R_OK);
	for (size_t i = 0; i < ex->in.n_lists; i++)
		assert_int_equal(got[i], want[i]);
}

/*
 * Hare, the textbook largest-remainder example: 100 000 votes, 10 seats,
 * no threshold. Quota 10 000 votes; v * S / V and v * S mod V (in units of
 * 1/100 000 of a seat):
 *   Yellows 47 000 -> 470 000: 4, remainder 70 000
 *   Whites  16 000 -> 160 000: 1, remainder 60 000
 *   Reds    15 800 -> 158 000: 1, remainder 58 000
 *   Greens  12 000 -> 120 000: 1, remainder 20 000
 *   Blues    6 100 ->  61 000: 0, remainder 61 000
 *   Pinks    3 100 ->  31 000: 0, remainder 31 000
 * 7 quota seats; the 3 left go to the largest remainders: Yellows 70 000,
 * Blues 61 000, Whites 60 000. Result 5 2 1 1 1 0. All lists qualify, so
 * both Hare variants agree.
 */
static void test_hare_textbook(void **state)
{
	static const uint64_t votes[] = { 47000, 16000, 15800, 12000, 6100, 3100 };
	static const uint64_t quota[] = { 4, 1, 1, 1, 0, 0 };
	static const uint64_t rem[] = { 70000, 60000, 58000, 20000, 61000, 31000 };
	static const uint64_t want[] = { 5, 2, 1, 1, 1, 0 };
	static const Vybar__SeatMethod methods[] = { HARE_ALL, HARE_QUAL };
	example ex;

	(void)state;
	for (size_t m = 0; m < 2; m++) {
		example_init(&ex, votes, 6, 10, 0, methods[m], 0);
		example_run(&ex);
		expect_seats(&ex, want);
		for (size_t i = 0; i < 6; i++) {
			assert_int_equal(ex.lists[i].quota_seats, quota[i]);
			assert_int_equal(ex.lists[i].remainder, rem[i]);
		}
		assert_int_equal(ex.table.quota_votes, 100000);
		assert_int_equal(ex.table.unfilled, 0);
		assert_int_equal(ex.table.tie_decided, 0);
	}
}

/*
 * The 2024 Belarusian Coordination Council: 80 seats, 3 % threshold, Hare
 * quota over ALL valid votes V = 6723 (the sum of the eleven lists).
 * Threshold: v * 10000 >= 300 * 6723 = 2 016 900, i.e. v >= 202 votes.
 * Out: Solidarity 104, Voice of Diasporas 184, Strana Dlya Zhizni 61
 * (349 votes, still in V). In: the other 8, with 6374 votes.
 * Quota seats floor(v * 80 / 6723) and remainders v * 80 mod 6723:
 *   Liberty                   432 ->  34 560 =  5 * 6723 +  945
 *   European Choice           605 ->  48 400 =  7 * 6723 + 1339
 *   Our Cause                 489 ->  39 120 =  5 * 6723 + 5505
 *   Independent Belarusians   616 ->  49 280 =  7 * 6723 + 2219
 *   Prakopjeu-Jahorau Bloc   1050 ->  84 000 = 12 * 6723 + 3324
 *   Team Latushka & Movement 2358 -> 188 640 = 28 * 6723 +  396
 *   Down with Fear!           226 ->  18 080 =  2 * 6723 + 4634
 *   Youth Offensive           598 ->  47 840 =  7 * 6723 +  779
 * Quota seats 5+7+5+7+12+28+2+7 = 73; 7 left. Remainder order: Our Cause
 * 5505, Down with Fear 4634, Prakopjeu 3324, Independent Belarusians 2219,
 * European Choice 1339, Liberty 945, Youth Offensive 779, Latushka 396:
 * the first 7 get one seat each, Latushka none. Seats:
 *   Liberty 6, European Choice 8, Our Cause 6, Independent Belarusians 8,
 *   Prakopjeu 13, Latushka 28, Down with Fear 3, Youth Offensive 8 = 80.
 */
static const uint64_t council_votes[] = { 104, 432, 605, 489, 184, 616, 1050, 2358, 226, 61, 598 };
static const char *const council_names[] = {
	"Solidarity", "Liberty", "European Choice", "Our Cause", "Voice of Diasporas",
	"Independent Belarusians", "Prakopjeu-Jahorau Bloc", "Team Latushka and Movement for Freedom",
	"Down with Fear!", "Strana Dlya Zhizni", "Youth Offensive",
};

static void test_coordination_council(void **state)
{
	static const uint64_t quota[] = { 0, 5, 7, 5, 0, 7, 12, 28, 2, 0, 7 };
	static const uint64_t rem[] = { 0, 945, 1339, 5505, 0, 2219, 3324, 396, 4634, 0, 779 };
	static const uint64_t want[] = { 0, 6, 8, 6, 0, 8, 13, 28, 3, 0, 8 };
	static const int qualified[] = { 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1 };
	example ex;

	(void)state;
	example_init(&ex, council_votes, 11, 80, 300, HARE_ALL, 0);
	example_run(&ex);
	expect_seats(&ex, want);
	for (size_t i = 0; i < 11; i++) {
		assert_int_equal(ex.lists[i].qualified, qualified[i]);
		assert_int_equal(ex.lists[i].quota_seats, quota[i]);
		assert_int_equal(ex.lists[i].remainder, rem[i]);
	}
	assert_int_equal(ex.table.total_votes, 6723);
	assert_int_equal(ex.table.qualifying_votes, 6374);
	assert_int_equal(ex.table.quota_votes, 6723);
	assert_int_equal(ex.table.min_votes, 202);
	assert_int_equal(ex.table.n_qualified, 8);
	assert_int_equal(ex.table.unfilled, 0);
	assert_int_equal(ex.table.tie_decided, 0);
}

/*
 * Hare over all valid votes needing more than one round of remainders:
 * votes 36 34 10 10 10 (V = 100), 11 seats, threshold 30 %: only the first
 * two qualify (36 * 10000 >= 3000 * 100; 10 * 10000 < 300 000).
 *   36 * 11 = 396 = 3 * 100 + 96;  34 * 11 = 374 = 3 * 100 + 74.
 * 6 quota seats, 5 left, order A (96), B (74): round 1 A B, round 2 A B,
 * round 3 A. Result 6 5 0 0 0.
 * Over the qualifying votes (D = 70): 396 = 5 * 70 + 46, 374 = 5 * 70 + 24;
 * 10 quota seats, 1 left to A: again 6 5 0 0 0.
 */
static void test_hare_rounds(void **state)
{
	static const uint64_t votes[] = { 36, 34, 10, 10, 10 };
	static const uint64_t want[] = { 6, 5, 0, 0, 0 };
	example ex;

	(void)state;
	example_init(&ex, votes, 5, 11, 3000, HARE_ALL, 0);
	example_run(&ex);
	expect_seats(&ex, want);
	assert_int_equal(ex.lists[0].quota_seats, 3);
	assert_int_equal(ex.lists[0].remainder, 96);
	assert_int_equal(ex.lists[1].remainder, 74);
	assert_int_equal(ex.table.n_qualified, 2);

	example_init(&ex, votes, 5, 11, 3000, HARE_QUAL, 0);
	example_run(&ex);
	expect_seats(&ex, want);
	assert_int_equal(ex.table.quota_votes, 70);
	assert_int_equal(ex.lists[0].quota_seats, 5);
	assert_int_equal(ex.lists[0].remainder, 46);
	assert_int_equal(ex.lists[1].remainder, 24);
}

/*
 * Threshold 5 % of 10 000 votes = 500 votes, 20 seats.
 * Exactly at it: A 5000, B 4500, C 500: C qualifies (500 * 10000 =
 * 500 * 10000). Quotas v * 20 / 10000: 10, 9, 1, no remainders: 10 9 1.
 * Just below: A 5000, B 4501, C 499: C is out (4 990 000 < 5 000 000).
 *   Hare, all votes (D = 10 000): A 100 000 -> 10 rem 0; B 90 020 -> 9
 *   rem 20; 1 seat left -> B: 10 10 0.
 *   Hare, qualifying (D = 9501): A 100 000 = 10 * 9501 + 4990; B 90 020 =
 *   9 * 9501 + 4511; 1 left -> A: 11 9 0.
 *   D'Hondt: A 5000, 2500, ..., B 4501, 2250.5, ...: the 20th seat is A's
 *   11th average 454.5 against B's 10th 450.1: 11 9 0.
 */
static void test_threshold(void **state)
{
	static const uint64_t at[] = { 5000, 4500, 500 }, below[] = { 5000, 4501, 499 };
	static const uint64_t want_at[] = { 10, 9, 1 }, want_all[] = { 10, 10, 0 }, want_qual[] = { 11, 9, 0 };
	static const uint64_t one[] = { 7 }, want_one[] = { 3 };
	example ex;

	(void)state;
	example_init(&ex, at, 3, 20, 500, HARE_ALL, 0);
	example_run(&ex);
	expect_seats(&ex, want_at);
	assert_int_equal(ex.lists[2].qualified, 1);
	assert_int_equal(ex.table.min_votes, 500);

	example_init(&ex, below, 3, 20, 500, HARE_ALL, 0);
	example_run(&ex);
	expect_seats(&ex, want_all);
	assert_int_equal(ex.lists[2].qualified, 0);
	assert_int_equal(ex.lists[1].remainder, 20);

	example_init(&ex, below, 3, 20, 500, HARE_QUAL, 0);
	example_run(&ex);
	expect_seats(&ex, want_qual);
	assert_int_equal(ex.table.quota_votes, 9501);
	assert_int_equal(ex.lists[0].remainder, 4990);

	example_init(&ex, below, 3, 20, 500, DHONDT, 0);
	example_run(&ex);
	expect_seats(&ex, want_qual);

	/* a threshold of 100 %: the only list with votes holds them all */
	example_init(&ex, one, 1, 3, 10000, SAINTE_LAGUE, 0);
	example_run(&ex);
	expect_seats(&ex, want_one);
}

/*
 * The tie keys of §11.4 against an independent SHA-256 of the bytes, and
 * the known answer for the zero seed, list 0 (computed outside this code):
 * 1945231b7bba4498fc11601b2b44b5791d1fcf74d96d4a42a07738b670fada76.
 */
static void test_tie_keys(void **state)
{
	static const uint64_t votes[] = { 1, 1, 1, 1 };
	static const uint8_t prefix[] = { 0, 0, 0, 17, 'v', 'y', 'b', 'a', 'r', '/', 'v', '1', '/', 's',
					  'e', 'a', 't', '-', 't', 'i', 'e', 0, 0, 0, 32 };
	uint8_t msg[sizeof prefix + 32 + 12], want[32];
	char hex[65];
	example ex;

	(void)state;
	example_init(&ex, votes, 4, 1, 0, DHONDT, 0);
	example_run(&ex);
	vytest_hex(hex, ex.lists[0].tie_key, 32);
	assert_string_equal(hex, "1945231b7bba4498fc11601b2b44b5791d1fcf74d96d4a42a07738b670fada76");
	for (size_t i = 0; i < 4; i++) {
		memset(msg, 0, sizeof msg);
		memcpy(msg, prefix, sizeof prefix);
		memset(msg + sizeof prefix, 0, 32);
		msg[sizeof prefix + 32 + 3] = 8;
		msg[sizeof msg - 1] = (uint8_t)i;
		crypto_hash_sha256(want, msg, sizeof msg);
		assert_memory_equal(ex.lists[i].tie_key, want, 32);
	}
	/* the zero seed orders 3 (01838c..), 0 (1945..), 2 (903b..), 1 (b35c..):
	 * four equal lists, one seat: list 3 wins */
	assert_int_equal(ex.lists[3].seats, 1);
}

/*
 * A Hare tie for the last seat: votes 10 10 20, 2 seats, V = 40.
 * 10 * 2 = 20 = 0 * 40 + 20 (twice); 20 * 2 = 40 = 1 * 40 + 0.
 * 1 quota seat; the last seat is between lists 0 and 1, both remainder 20.
 * Zero seed: key_0 = 1945.. < key_1 = b35c..: list 0 wins (1 0 1).
 * Seed 01..01: key_0 = 523a.. > key_1 = 24c4..: list 1 wins (0 1 1).
 */
static void test_hare_tie(void **state)
{
	static const uint64_t votes[] = { 10, 10, 20 };
	static const uint64_t want0[] = { 1, 0, 1 }, want1[] = { 0, 1, 1 };
	int seen[2] = { 0, 0 };
	example ex;

	(void)state;
	example_init(&ex, votes, 3, 2, 0, HARE_ALL, 0x00);
	example_run(&ex);
	expect_seats(&ex, want0);
	assert_int_equal(ex.table.tie_decided, 1);
	example_init(&ex, votes, 3, 2, 0, HARE_ALL, 0x01);
	example_run(&ex);
	expect_seats(&ex, want1);
	assert_int_equal(ex.table.tie_decided, 1);
	/* over many seeds, the list with the smaller key wins, and both do win */
	for (int s = 0; s < 64; s++) {
		example_init(&ex, votes, 3, 2, 0, HARE_QUAL, (uint8_t)s);
		example_run(&ex);
		assert_int_equal(ex.lists[0].seats + ex.lists[1].seats, 1);
		assert_int_equal(ex.lists[0].seats, memcmp(ex.lists[0].tie_key, ex.lists[1].tie_key, 32) < 0);
		seen[ex.lists[0].seats]++;
	}
	assert_true(seen[0] > 0 && seen[1] > 0);
}

/*
 * D'Hondt, the textbook example: A 100 000, B 80 000, C 30 000, D 20 000,
 * 8 seats. Averages v / 1, v / 2, ...:
 *   A 100 000  50 000  33 333.3  25 000  20 000
 *   B  80 000  40 000  26 666.7  20 000
 *   C  30 000  15 000
 *   D  20 000  10 000
 * The 8 highest: 100 000 A, 80 000 B, 50 000 A, 40 000 B, 33 333 A,
 * 30 000 C, 26 667 B, 25 000 A: A 4, B 3, C 1, D 0. The smallest winning
 * average is 100 000 / 4; the best losing one 20 000: no tie.
 * With 9 seats, the 9th is a three-way tie at 20 000 (A's 5th, B's 4th,
 * D's 1st). Zero seed: keys A 1945.., B b35c.., D 0183..: D wins (4 3 1 1).
 * Seed 01..01: A 523a.., B 24c4.., D 5c13..: B wins (4 4 1 0).
 */
static const uint64_t textbook_votes[] = { 100000, 80000, 30000, 20000 };

static void test_dhondt(void **state)
{
	static const uint64_t want8[] = { 4, 3, 1, 0 }, want9_0[] = { 4, 3, 1, 1 }, want9_1[] = { 4, 4, 1, 0 };
	example ex;

	(void)state;
	example_init(&ex, textbook_votes, 4, 8, 0, DHONDT, 0);
	example_run(&ex);
	expect_seats(&ex, want8);
	assert_int_equal(ex.table.last_num, 100000);
	assert_int_equal(ex.table.last_den, 4);
	assert_int_equal(ex.table.tie_decided, 0);

	example_init(&ex, textbook_votes, 4, 9, 0, DHONDT, 0x00);
	example_run(&ex);
	expect_seats(&ex, want9_0);
	assert_int_equal(ex.table.tie_decided, 1);
	example_init(&ex, textbook_votes, 4, 9, 0, DHONDT, 0x01);
	example_run(&ex);
	expect_seats(&ex, want9_1);
	assert_int_equal(ex.table.tie_decided, 1);
}

/*
 * Sainte-Lague, the same votes, 8 seats. Averages v / 1, v / 3, v / 5, v / 7:
 *   A 100 000  33 333.3  20 000  14 285.7
 *   B  80 000  26 666.7  16 000  11 428.6
 *   C  30 000  10 000
 *   D  20 000   6 666.7
 * The 8 highest: 100 000 A, 80 000 B, 33 333 A, 30 000 C, 26 667 B,
 * 20 000 A, 20 000 D, 16 000 B: A 3, B 3, C 1, D 1 (the tie at 20 000 is
 * inside the 8, so no seed matters; next is 14 285.7).
 * With 6 seats, the 6th is A's 20 000 against D's 20 000. Zero seed:
 * key_D 0183.. < key_A 1945..: D (2 2 1 1). Seed 01..01: key_A 523a.. <
 * key_D 5c13..: A (3 2 1 0).
 */
static void test_sainte_lague(void **state)
{
	static const uint64_t want8[] = { 3, 3, 1, 1 }, want6_0[] = { 2, 2, 1, 1 }, want6_1[] = { 3, 2, 1, 0 };
	example ex;

	(void)state;
	example_init(&ex, textbook_votes, 4, 8, 0, SAINTE_LAGUE, 0);
	example_run(&ex);
	expect_seats(&ex, want8);
	assert_int_equal(ex.table.last_num, 80000);
	assert_int_equal(ex.table.last_den, 5);
	assert_int_equal(ex.table.tie_decided, 0);

	example_init(&ex, textbook_votes, 4, 6, 0, SAINTE_LAGUE, 0x00);
	example_run(&ex);
	expect_seats(&ex, want6_0);
	assert_int_equal(ex.table.tie_decided, 1);
	example_init(&ex, textbook_votes, 4, 6, 0, SAINTE_LAGUE, 0x01);
	example_run(&ex);
	expect_seats(&ex, want6_1);
}

/*
 * Lists too short for their seats (§11.7).
 * Hare over qualifying votes: A 620, B 280, C 100, 10 seats, D = 1000.
 *   A 6200 = 6 * 1000 + 200; B 2800 = 2 * 1000 + 800; C 1000 = 1 + 0.
 *   With plenty of candidates: 9 quota seats, 1 left to B: 6 3 1.
 *   A has 4 candidates: A keeps 4, so 4 + 2 + 1 = 7 and 3 are left. Order
 *   B (800), A (200, full: skipped), C (0): round 1 B, C; round 2 B.
 *   Result 4 4 2.
 * D'Hondt: A 100 000, B 80 000, C 30 000, D 19 000, 8 seats, A has 3
 *   candidates. 100 000 A, 80 000 B, 50 000 A, 40 000 B, 33 333 A (A is
 *   now full), 30 000 C, 26 667 B, then A's 25 000 is skipped: B 20 000
 *   beats D 19 000. Result 3 4 1 0 (with plenty: 4 3 1 0).
 */
static void test_short_lists(void **state)
{
	static const uint64_t hv[] = { 620, 280, 100 }, h_plenty[] = { 6, 3, 1 }, h_short[] = { 4, 4, 2 };
	static const uint64_t dv[] = { 100000, 80000, 30000, 19000 };
	static const uint64_t d_plenty[] = { 4, 3, 1, 0 }, d_short[] = { 3, 4, 1, 0 };
	example ex;

	(void)state;
	example_init(&ex, hv, 3, 10, 0, HARE_QUAL, 0);
	example_run(&ex);
	expect_seats(&ex, h_plenty);
	ex.cands[0] = 4;
	example_run(&ex);
	expect_seats(&ex, h_short);
	assert_int_equal(ex.lists[0].quota_seats, 6);
	assert_int_equal(ex.table.unfilled, 0);

	example_init(&ex, dv, 4, 8, 0, DHONDT, 0);
	example_run(&ex);
	expect_seats(&ex, d_plenty);
	ex.cands[0] = 3;
	example_run(&ex);
	expect_seats(&ex, d_short);
}

/*
 * Seats no list can take: A 60 (2 candidates), B 30 (1 candidate), C 10
 * (below the 20 % threshold, 50 candidates), 5 seats. Every method gives
 * A 2, B 1, C 0 and leaves 2 seats unfilled; C never gets one. A list with
 * no candidates at all qualifies but takes nothing.
 */
static void test_unfilled(void **state)
{
	static const uint64_t votes[] = { 60, 30, 10 }, want[] = { 2, 1, 0 };
	static const Vybar__SeatMethod methods[] = { HARE_ALL, HARE_QUAL, DHONDT, SAINTE_LAGUE };
	static const uint64_t zv[] = { 50, 50 }, zwant[] = { 0, 3 };
	example ex;

	(void)state;
	for (size_t m = 0; m < 4; m++) {
		example_init(&ex, votes, 3, 5, 2000, methods[m], 0);
		ex.cands[0] = 2;
		ex.cands[1] = 1;
		ex.cands[2] = 50;
		example_run(&ex);
		expect_seats(&ex, want);
		assert_int_equal(ex.table.unfilled, 2);
		assert_int_equal(ex.lists[2].qualified, 0);

		example_init(&ex, zv, 2, 3, 0, methods[m], 0);
		ex.cands[0] = 0;
		example_run(&ex);
		expect_seats(&ex, zwant);
		assert_int_equal(ex.lists[0].qualified, 1);
	}
}

/* Invalid input fails with code, a message containing what, and zeroed outputs. */
static void expect_fail(const vy_seat_input *in, vy_rc code, const char *what)
{
	size_t n = in->n_lists == 0 ? 1 : in->n_lists;
	uint64_t *seats = malloc(n * sizeof *seats);
	vy_seat_list *lists = malloc(n * sizeof *lists);
	vy_seat_table t;
	vy_reason why = { 0 };
	vy_rc rc;

	assert_non_null(seats);
	assert_non_null(lists);
	memset(seats, 0x77, n * sizeof *seats);
	memset(lists, 0x77, n * sizeof *lists);
	memset(&t, 0x77, sizeof t);
	rc = vy_seats_allocate(in, seats, &why);
	if (rc != code || strstr(why.msg, what) == NULL)
		fail_msg("expected %s (%s), got %s: %s", vy_rc_str(code), what, vy_rc_str(rc), why.msg);
	rc = vy_seats_compute(&t, lists, in, &why);
	assert_int_equal(rc, code);
	for (size_t i = 0; i < in->n_lists; i++) {
		assert_int_equal(seats[i], 0);
		assert_int_equal(lists[i].seats, 0);
		assert_int_equal(lists[i].qualified, 0);
	}
	assert_int_equal(t.n_qualified, 0);
	assert_int_equal(t.total_votes, 0);
	free(seats);
	free(lists);
}

static void test_errors(void **state)
{
	static const uint64_t votes[] = { 100, 50 };
	static const uint64_t huge[] = { UINT64_MAX - 5, 6 };
	static uint64_t many_votes[1001];
	static size_t many_cands[1001];
	uint64_t seats[2];
	example ex;

	(void)state;
	for (size_t i = 0; i < 1001; i++) {
		many_votes[i] = 1;
		many_cands[i] = 1;
	}
	example_init(&ex, votes, 2, 0, 0, DHONDT, 0);
	expect_fail(&ex.in, VY_R_FIELD, "seats: 0");
	ex.in.seats = 100001;
	expect_fail(&ex.in, VY_R_FIELD, "seats: 100001");
	ex.in.seats = 5;
	ex.in.n_lists = 0;
	expect_fail(&ex.in, VY_R_FIELD, "lists: 0");
	ex.in.n_lists = 1001;
	ex.in.votes = many_votes;
	ex.in.n_candidates = many_cands;
	expect_fail(&ex.in, VY_R_FIELD, "lists: 1001");
	example_init(&ex, votes, 2, 5, 0, DHONDT, 0);
	ex.in.threshold_bp = 10001;
	expect_fail(&ex.in, VY_R_FIELD, "threshold: 10001");
	ex.in.threshold_bp = 0;
	ex.in.method = VYBAR__SEAT_METHOD__SEAT_METHOD_UNSPECIFIED;
	expect_fail(&ex.in, VY_R_FIELD, "seat method: unknown value 0");
	ex.in.method = 5;
	expect_fail(&ex.in, VY_R_FIELD, "seat method: unknown value 5");

	example_init(&ex, huge, 2, 5, 0, HARE_ALL, 0);
	expect_fail(&ex.in, VY_R_FIELD, "exceeds 2^64 - 1 at list 1");

	/* programmer errors */
	example_init(&ex, votes, 2, 5, 0, DHONDT, 0);
	assert_int_equal(vy_seats_allocate(NULL, seats, NULL), VY_R_ARG);
	assert_int_equal(vy_seats_allocate(&ex.in, NULL, NULL), VY_R_ARG);
	ex.in.votes = NULL;
	expect_fail(&ex.in, VY_R_ARG, "NULL");
	ex.in.votes = ex.votes;
	ex.in.n_candidates = NULL;
	expect_fail(&ex.in, VY_R_ARG, "NULL");
}

/* §11.2: an allocation with no seat is a result, not an error: every list
 * 0 seats, all S unfilled, and the reason. Expect it of ex (computed). */
static void expect_no_seats(example *ex, Vybar__NoSeatsReason reason)
{
	uint64_t seats[MAX_LISTS];
	vy_reason why = { 0 };

	if (vy_seats_compute(&ex->table, ex->lists, &ex->in, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(ex->table.no_seats, reason);
	assert_int_equal(ex->table.n_qualified, 0);
	assert_int_equal(ex->table.unfilled, ex->in.seats);
	memset(seats, 0x77, sizeof seats);
	assert_int_equal(vy_seats_allocate(&ex->in, seats, &why), VY_R_OK);
	for (size_t i = 0; i < ex->in.n_lists; i++) {
		assert_int_equal(ex->lists[i].seats, 0);
		assert_int_equal(ex->lists[i].qualified, 0);
		assert_int_equal(seats[i], 0);
	}
}

/* §11.2: no vote for any list (every ballot blank), or no list over the
 * threshold: no seat, with the reason, under every method. */
static void test_no_seats(void **state)
{
	static const uint64_t zero[] = { 0, 0, 0 }, thirds[] = { 34, 33, 33 }, votes[] = { 100, 50 };
	static const Vybar__SeatMethod methods[] = { HARE_ALL, HARE_QUAL, DHONDT, SAINTE_LAGUE };
	example ex;

	(void)state;
	for (size_t m = 0; m < 4; m++) {
		example_init(&ex, zero, 3, 5, 0, methods[m], 0);
		expect_no_seats(&ex, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES);
		example_init(&ex, zero, 3, 5, 300, methods[m], 0);
		expect_no_seats(&ex, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES);
		/* 3400 basis points of 100 votes: 34 needed, so only the first; 3401: none */
		example_init(&ex, thirds, 3, 5, 3401, methods[m], 0);
		expect_no_seats(&ex, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_QUALIFIES);
		example_init(&ex, thirds, 3, 5, 3400, methods[m], 0);
		example_run(&ex);
		assert_int_equal(ex.table.no_seats, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE);
		assert_int_equal(ex.lists[0].seats, 5);
	}
	/* the threshold at 100 %: no list has all the votes */
	example_init(&ex, votes, 2, 5, 10000, DHONDT, 0);
	expect_no_seats(&ex, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_QUALIFIES);
	assert_string_equal(vy_no_seats_reason_text(VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE), "");
}

/* A list with no votes never qualifies, even at threshold 0. */
static void test_zero_votes(void **state)
{
	static const uint64_t votes[] = { 0, 7, 0 }, want[] = { 0, 3, 0 };
	example ex;

	(void)state;
	example_init(&ex, votes, 3, 3, 0, HARE_ALL, 0);
	ex.cands[1] = 3;
	example_run(&ex);
	expect_seats(&ex, want);
	assert_int_equal(ex.lists[0].qualified, 0);
	assert_int_equal(ex.table.min_votes, 1);
	ex.cands[1] = 2;
	example_run(&ex);
	assert_int_equal(ex.lists[0].seats + ex.lists[2].seats, 0);
	assert_int_equal(ex.table.unfilled, 1);
}

/* ---- properties over random inputs ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: a fixed, reproducible sequence. */
static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dull) % n;
}

/* A claim of the naive reference: list's seat number j at average v / d. */
typedef struct {
	uint64_t v, d;
	size_t list;
	const uint8_t *key;
} claim;

static int claim_cmp(const void *pa, const void *pb)
{
	const claim *a = pa, *b = pb;
	unsigned __int128 l = (unsigned __int128)a->v * b->d, r = (unsigned __int128)b->v * a->d;

	if (l != r)
		return l > r ? -1 : 1;
	return memcmp(a->key, b->key, 32);
}

/* Naive highest averages: every list's averages for all its candidates,
 * sorted, the first S taken. */
static void reference_averages(const example *ex, uint64_t *seats)
{
	claim *c = calloc(ex->in.n_lists * PLENTY, sizeof *c);
	size_t n = 0;

	assert_non_null(c);
	for (size_t i = 0; i < ex->in.n_lists; i++) {
		seats[i] = 0;
		for (size_t j = 0; ex->lists[i].qualified && j < ex->cands[i] && j < ex->in.seats; j++) {
			c[n].v = ex->votes[i];
			c[n].d = ex->in.method == DHONDT ? j + 1 : 2 * j + 1;
			c[n].list = i;
			c[n++].key = ex->lists[i].tie_key;
		}
	}
	qsort(c, n, sizeof *c, claim_cmp);
	for (size_t k = 0; k < n && k < ex->in.seats; k++)
		seats[c[k].list]++;
	free(c);
}

/* Naive Hare: quota seats capped, then seat by seat around the remainder
 * order, skipping full lists, until a whole pass gives nothing. */
static void reference_hare(const example *ex, uint64_t *seats)
{
	size_t order[MAX_LISTS], k = 0;
	uint64_t d = ex->in.method == HARE_ALL ? ex->table.total_votes : ex->table.qualifying_votes, left;

	left = ex->in.seats;
	for (size_t i = 0; i < ex->in.n_lists; i++) {
		unsigned __int128 p = (unsigned __int128)ex->votes[i] * ex->in.seats;

		seats[i] = 0;
		if (!ex->lists[i].qualified)
			continue;
		seats[i] = (uint64_t)(p / d) < ex->cands[i] ? (uint64_t)(p / d) : ex->cands[i];
		left -= seats[i];
		order[k++] = i;
	}
	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++) {
			const vy_seat_list *x = &ex->lists[order[a]], *y = &ex->lists[order[b]];

			if (y->remainder > x->remainder ||
			    (y->remainder == x->remainder && memcmp(y->tie_key, x->tie_key, 32) < 0)) {
				size_t t = order[a];

				order[a] = order[b];
				order[b] = t;
			}
		}
	for (int gave = 1; left > 0 && gave;) {
		gave = 0;
		for (size_t j = 0; j < k && left > 0; j++)
			if (seats[order[j]] < ex->cands[order[j]]) {
				seats[order[j]]++;
				left--;
				gave = 1;
			}
	}
}

/* A random input: 1..8 lists, small or huge votes, some zero. */
static void random_example(example *ex)
{
	uint64_t votes[MAX_LISTS];
	size_t n = 1 + rnd(8);
	uint64_t scale = rnd(10) == 0 ? (1ull << 40) : 1;

	for (size_t i = 0; i < n; i++)
		votes[i] = rnd(6) == 0 ? 0 : rnd(1000) * scale + rnd(3);
	example_init(ex, votes, n, 1 + rnd(60), rnd(4) == 0 ? 0 : (uint32_t)rnd(3000),
		     (Vybar__SeatMethod)(1 + rnd(4)), 0);
	for (size_t i = 0; i < n; i++)
		ex->cands[i] = rnd(3) == 0 ? rnd(8) : 1 + rnd(70);
	for (size_t i = 0; i < VY_HASH_BYTES; i++)
		ex->in.tie_seed[i] = (uint8_t)rnd(256);
}

/* §11.6: no list that can take a seat has a next average above the
 * smallest winning average. */
static void check_highest_averages(const example *ex)
{
	const vy_seat_table *t = &ex->table;

	for (size_t i = 0; i < ex->in.n_lists; i++) {
		const vy_seat_list *l = &ex->lists[i];
		uint64_t d = ex->in.method == DHONDT ? l->seats + 1 : 2 * l->seats + 1;
		uint64_t dl = ex->in.method == DHONDT ? l->seats : 2 * l->seats - 1;

		if (l->seats > 0) /* every winning average is at least the smallest */
			assert_true((unsigned __int128)ex->votes[i] * t->last_den >=
				    (unsigned __int128)t->last_num * dl);
		if (!l->qualified || l->seats >= ex->cands[i])
			continue;
		assert_true((unsigned __int128)ex->votes[i] * t->last_den <= (unsigned __int128)t->last_num * d);
	}
}

/* Hare with candidates for every seat: quota seats plus the same number of
 * remainder rounds for every list, give or take one; over the qualifying
 * votes one round at most. */
static void check_hare(const example *ex)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < ex->in.n_lists; i++) {
		const vy_seat_list *l = &ex->lists[i];

		if (!l->qualified)
			continue;
		if (ex->cands[i] < ex->in.seats)
			return;
		assert_true(l->seats >= l->quota_seats);
		lo = l->seats - l->quota_seats < lo ? l->seats - l->quota_seats : lo;
		hi = l->seats - l->quota_seats > hi ? l->seats - l->quota_seats : hi;
	}
	assert_true(hi - lo <= 1);
	if (ex->in.method == HARE_QUAL)
		assert_true(hi <= 1);
}

/* The properties of one successful allocation. */
static void check_properties(example *ex)
{
	uint64_t sum = 0, ref[MAX_LISTS], again[MAX_LISTS];
	int all_full = 1;
	vy_reason why = { 0 };

	for (size_t i = 0; i < ex->in.n_lists; i++) {
		const vy_seat_list *l = &ex->lists[i];

		sum += l->seats;
		assert_true(l->seats <= ex->cands[i]);
		if (!l->qualified)
			assert_int_equal(l->seats, 0);
		else if (l->seats < ex->cands[i])
			all_full = 0;
	}
	/* seats sum to S unless every qualifying list is out of candidates */
	assert_int_equal(sum + ex->table.unfilled, ex->in.seats);
	if (ex->table.unfilled != 0)
		assert_true(all_full);
	if (ex->in.method == DHONDT || ex->in.method == SAINTE_LAGUE) {
		reference_averages(ex, ref);
		if (ex->table.last_den != 0)
			check_highest_averages(ex);
	} else {
		reference_hare(ex, ref);
		check_hare(ex);
	}
	for (size_t i = 0; i < ex->in.n_lists; i++)
		assert_int_equal(ex->lists[i].seats, ref[i]);
	/* determinism: the same input gives the same output */
	assert_int_equal(vy_seats_allocate(&ex->in, again, &why), VY_R_OK);
	for (size_t i = 0; i < ex->in.n_lists; i++)
		assert_int_equal(again[i], ex->lists[i].seats);
}

static void test_random_properties(void **state)
{
	size_t ok = 0, no_seats = 0;
	example ex;
	vy_reason why = { 0 };

	(void)state;
	for (int round = 0; round < 20000; round++) {
		vy_rc rc;

		random_example(&ex);
		rc = vy_seats_compute(&ex.table, ex.lists, &ex.in, &why);
		assert_int_equal(rc, VY_R_OK);
		if (ex.table.no_seats != VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE) {
			/* no vote, or nobody qualifies: no seat at all (§11.2) */
			assert_int_equal(ex.table.n_qualified, 0);
			assert_int_equal(ex.table.unfilled, ex.in.seats);
			for (size_t i = 0; i < ex.in.n_lists; i++)
				assert_int_equal(ex.lists[i].seats, 0);
			no_seats++;
			continue;
		}
		assert_true(ex.table.n_qualified > 0);
		check_properties(&ex);
		ok++;
	}
	assert_true(ok > 15000);
	assert_true(no_seats > 0);
}

/* Votes near 2^64: every product must be taken in 128 bits. */
static void test_large_votes(void **state)
{
	static const uint64_t votes[] = { UINT64_MAX / 2, UINT64_MAX / 4, UINT64_MAX / 4 - 2 };
	static const uint64_t want_hare[] = { 50000, 25000, 25000 };
	example ex;

	(void)state;
	/* V = 2^64 - 5: quota seats 49 999, 24 999, 24 999, one remainder each */
	example_init(&ex, votes, 3, 100000, 2000, HARE_ALL, 0);
	for (size_t i = 0; i < 3; i++)
		ex.cands[i] = 100000;
	example_run(&ex);
	expect_seats(&ex, want_hare);
	check_properties(&ex);
	example_init(&ex, votes, 3, 1000, 2000, DHONDT, 0);
	example_run(&ex);
	check_properties(&ex);
	example_init(&ex, votes, 3, 999, 2000, SAINTE_LAGUE, 0);
	example_run(&ex);
	check_properties(&ex);
}

/* ---- the printed table ---- */

/* Print in into a temporary file and return its text (malloc'd). */
static char *print_to_string(const vy_seat_input *in, const char *const *names, vy_rc *rc)
{
	FILE *f = tmpfile();
	vy_reason why = { 0 };
	char *text;
	long n;

	assert_non_null(f);
	*rc = vy_seats_print(f, in, names, &why);
	n = ftell(f);
	assert_true(n >= 0);
	text = calloc((size_t)n + 1, 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static void expect_line(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("missing line:\n%s\nin:\n%s", line, text);
}

static void test_print_council(void **state)
{
	example ex;
	vy_rc rc;
	char *text;

	(void)state;
	example_init(&ex, council_votes, 11, 80, 300, HARE_ALL, 0);
	text = print_to_string(&ex.in, council_names, &rc);
	assert_int_equal(rc, VY_R_OK);
	expect_line(text, "method:    Hare quota over all valid votes, largest remainders\n");
	expect_line(text, "threshold: 3.00 % of 6723 votes: at least 202 votes; 8 of 11 lists qualify with "
			  "6374 votes\n");
	expect_line(text, "quota:     6723 / 80 = 84.03 votes per seat; remainders in 1/6723 of a seat\n");
	expect_line(text, "   0  Solidarity                                      104    1.54 %   no       -"
			  "                    -       0  -\n");
	expect_line(text, "   7  Team Latushka and Movement for Freedom         2358   35.07 %  yes      28"
			  "                  396      28  0-27\n");
	expect_line(text, "   8  Down with Fear!                                 226    3.36 %  yes       2"
			  "                 4634       3  0-2\n");
	expect_line(text, "seats filled: 80 of 80\n");
	assert_null(strstr(text, "tie:"));
	free(text);
}

static void test_print_averages(void **state)
{
	example ex;
	vy_rc rc;
	char *text;

	(void)state;
	example_init(&ex, textbook_votes, 4, 9, 0, DHONDT, 0);
	ex.cands[3] = 1;
	text = print_to_string(&ex.in, NULL, &rc);
	assert_int_equal(rc, VY_R_OK);
	expect_line(text, "divisors:  1, 2, 3, ...\n");
	expect_line(text, "   0  list 0       100000   43.47 %  yes       25000.00       20000.00       4  0-3\n");
	expect_line(text, "   1  list 1        80000   34.78 %  yes       26666.66       20000.00       3  0-2\n");
	expect_line(text, "   3  list 3        20000    8.69 %  yes       20000.00              -       1  0 "
			  "(all 1 candidates)\n");
	expect_line(text, "smallest winning average: 20000 / 1 = 20000.00\n");
	expect_line(text, "tie: equal averages for the last seat(s); decided by the tie order of §11.4\n");
	free(text);

	/* no seat (§11.2): the table says why */
	{
		static const uint64_t zero[] = { 0, 0 };

		example_init(&ex, zero, 2, 9, 300, HARE_ALL, 0);
		text = print_to_string(&ex.in, NULL, &rc);
		assert_int_equal(rc, VY_R_OK);
		expect_line(text, "no seats:  no list has any vote (every counted ballot is blank, or none was "
				  "counted) (§11.2)\n");
		expect_line(text, "   0  list 0            0    0.00 %   no       -                    -       0  -\n");
		expect_line(text, "seats filled: 0 of 9; no seat is allocated: no list has any vote");
		free(text);
		example_init(&ex, textbook_votes, 4, 9, 5000, DHONDT, 0);
		text = print_to_string(&ex.in, NULL, &rc);
		assert_int_equal(rc, VY_R_OK);
		expect_line(text, "no seats:  no list reaches the threshold (§11.2)\n");
		expect_line(text, "seats filled: 0 of 9; no seat is allocated: no list reaches the threshold (§11.2)\n");
		free(text);
	}

	/* invalid input: a reason, nothing printed */
	ex.in.seats = 0;
	text = print_to_string(&ex.in, NULL, &rc);
	assert_int_equal(rc, VY_R_FIELD);
	assert_string_equal(text, "");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hare_textbook),
		cmocka_unit_test(test_coordination_council),
		cmocka_unit_test(test_hare_rounds),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_tie_keys),
		cmocka_unit_test(test_hare_tie),
		cmocka_unit_test(test_dhondt),
		cmocka_unit_test(test_sainte_lague),
		cmocka_unit_test(test_short_lists),
		cmocka_unit_test(test_unfilled),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_no_seats),
		cmocka_unit_test(test_zero_votes),
		cmocka_unit_test(test_large_votes),
		cmocka_unit_test(test_random_properties),
		cmocka_unit_test(test_print_council),
		cmocka_unit_test(test_print_averages),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
