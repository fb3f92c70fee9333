/*
 * Timing links codes to ballots (specs/security.md, "Timing"): a
 * deterministic simulation of an election at the 2024 scale, measuring the
 * fraction of voters whose ballot an observer links to their registration
 * by the times alone, under the old behaviour and the new one.
 *
 *   A. before: a live count (GET /v1/issued at any time) and voters who
 *      cast 3-20 s after registering, registrations spread over the 8 days
 *      of voting; the observer polls the count and the board every 0.5 s.
 *   B. now, registration closed before voting opens: the client's earliest
 *      cast time (client/timing.h, the code vybar-vote runs, with this
 *      simulation's generator); the observer is the commission, which sees
 *      every registration's time in its own store (the public sees no
 *      count at all until registration closes, so it links nobody).
 *   C. now, registration left open during voting: the same client and
 *      observer, registrations spread over the voting days.
 *
 * Every voter casts as soon as allowed (3-20 s after the earliest time),
 * the worst case. The observer knows the client's rule and links a ballot
 * to a registration when exactly one registration not linked yet can have
 * produced it, again and again until nothing changes. Only correct links
 * are counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/timing.h"
#include "tests/support/vytest.h"

#define VOTERS 6723                  /* the 2024 election */
#define DAY_MS (86400LL * 1000)
#define VOTING_DAYS 8                /* 23 to 31 May 2024 */
#define POLL_MS 500                  /* the observer's polling period */
#define HUMAN_MIN_MS 3000            /* a voter casts 3 to 20 s after being allowed to */
#define HUMAN_MAX_MS 20000
#define EPOCH 1780000000ULL          /* any time: the rule only looks at differences */
#define OLD_LINKED_AT_LEAST 0.5
#define NEW_LINKED_AT_MOST 0.01

typedef struct {
	uint64_t s;
} prng;

/* splitmix64: deterministic, so every run measures the same election. */
static uint64_t next(prng *p)
{
	uint64_t z = (p->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t uniform(void *ctx, uint32_t n)
{
	return (uint32_t)(next(ctx) % n);
}

static double unit(prng *p)
{
	return ((double)(next(p) >> 11) + 0.5) / 9007199254740992.0;
}

/* t rounded up to the observer's next poll. */
static int64_t polled(int64_t t)
{
	return (t + POLL_MS - 1) / POLL_MS * POLL_MS;
}

typedef struct {
	int64_t reg[VOTERS];  /* registration times (ms), ascending */
	int64_t cast[VOTERS]; /* the cast time of voter i */
	int64_t seen_reg[VOTERS], seen_cast[VOTERS];
	/* what the observer knows of the client: a registration at r casts in
	 * [lo(r), hi(r)] */
	int64_t lo[VOTERS], hi[VOTERS];
} election;

static int cmp_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Registrations at uniform random times from start over days, sorted (a
 * Poisson process given its number of events). */
static void registrations(election *e, prng *p, int64_t start, int days)
{
	for (size_t i = 0; i < VOTERS; i++)
		e->reg[i] = start + (int64_t)(unit(p) * (double)days * DAY_MS);
	qsort(e->reg, VOTERS, sizeof e->reg[0], cmp_time);
}

static int64_t human(prng *p)
{
	return HUMAN_MIN_MS + (int64_t)(next(p) % (HUMAN_MAX_MS - HUMAN_MIN_MS + 1));
}

/* The fraction of voters the observer links correctly: a ballot seen at T
 * is linked to registration i when i is the only registration, not linked
 * to another ballot yet, whose window [lo, hi] (widened by the polling)
 * holds T. */
static double linked(const election *e)
{
	int *owner = malloc(VOTERS * sizeof *owner), *link = malloc(VOTERS * sizeof *link);
	size_t right = 0;
	int changed = 1;

	assert_non_null(owner);
	assert_non_null(link);
	for (size_t i = 0; i < VOTERS; i++)
		owner[i] = link[i] = -1;
	while (changed) {
		changed = 0;
		for (size_t b = 0; b < VOTERS; b++) {
			int64_t t = e->seen_cast[b];
			int only = -1, n = 0;

			if (link[b] >= 0)
				continue;
			for (size_t i = 0; i < VOTERS && n < 2; i++) {
				if (owner[i] >= 0 || t < e->lo[i] || t > e->hi[i] + 2 * POLL_MS)
					continue;
				only = (int)i;
				n++;
			}
			if (n == 1) {
				owner[only] = (int)b;
				link[b] = only;
				changed = 1;
			}
		}
	}
	for (size_t b = 0; b < VOTERS; b++)
		right += link[b] == (int)b;
	free(owner);
	free(link);
	return (double)right / VOTERS;
}

/* A: the live count and the old client. */
static double old_behaviour(election *e)
{
	prng p = { 1 };

	registrations(e, &p, 0, VOTING_DAYS);
	for (size_t i = 0; i < VOTERS; i++) {
		e->cast[i] = e->reg[i] + human(&p);
		/* the live count moves at the next poll after each registration */
		e->seen_reg[i] = polled(e->reg[i]);
		e->seen_cast[i] = polled(e->cast[i]);
		e->lo[i] = e->seen_reg[i] + HUMAN_MIN_MS - POLL_MS;
		e->hi[i] = e->seen_reg[i] + HUMAN_MAX_MS;
	}
	return linked(e);
}

/* B and C: the client of client/timing.h; the commission sees every
 * registration's time (to the poll). Registration from reg_start over
 * reg_days; voting from voting_start_ms for VOTING_DAYS. */
static double new_behaviour(election *e, uint64_t seed, int64_t reg_start, int reg_days, int64_t voting_start_ms)
{
	Vybar__Manifest m = VYBAR__MANIFEST__INIT;
	prng p = { seed };

	m.voting_start = EPOCH + (uint64_t)(voting_start_ms / 1000);
	m.voting_end = m.voting_start + VOTING_DAYS * 86400ULL;
	registrations(e, &p, reg_start, reg_days);
	for (size_t i = 0; i < VOTERS; i++) {
		uint64_t now = EPOCH + (uint64_t)(e->reg[i] / 1000), base;
		uint32_t window;
		int64_t earliest = ((int64_t)vyc_earliest_cast_with(&m, now, uniform, &p) - (int64_t)EPOCH) * 1000;

		e->cast[i] = earliest + human(&p);
		e->seen_reg[i] = polled(e->reg[i]);
		e->seen_cast[i] = polled(e->cast[i]);
		vyc_cast_window(&m, now, &base, &window);
		e->lo[i] = ((int64_t)(base - EPOCH)) * 1000 + HUMAN_MIN_MS - POLL_MS;
		e->hi[i] = ((int64_t)(base - EPOCH) + window) * 1000 + HUMAN_MAX_MS + 1000;
		assert_true(e->cast[i] >= e->lo[i] && e->cast[i] <= e->hi[i]);
	}
	return linked(e);
}

static void test_linkage(void **state)
{
	election *e = calloc(1, sizeof *e);
	double a, b, c;

	(void)state;
	assert_non_null(e);
	a = old_behaviour(e);
	/* B: 8 days of registration, closed, voting opens an hour later */
	b = new_behaviour(e, 2, 0, VOTING_DAYS, VOTING_DAYS * DAY_MS + DAY_MS / 24);
	/* C: registration during the 8 days of voting */
	c = new_behaviour(e, 3, 0, VOTING_DAYS, 0);
	print_message("voters linked by timing, %d voters over %d days: before %.1f%%; now, registration closed "
		      "before voting %.2f%%; now, registration open during voting %.2f%%\n",
		      VOTERS, VOTING_DAYS, 100 * a, 100 * b, 100 * c);
	assert_true(a >= OLD_LINKED_AT_LEAST);
	assert_true(b <= NEW_LINKED_AT_MOST);
	assert_true(c <= NEW_LINKED_AT_MOST);
	free(e);
}

/* The window of client.md §6.2 at its edges. */
static void test_window(void **state)
{
	Vybar__Manifest m = VYBAR__MANIFEST__INIT;
	uint64_t base, t;
	uint32_t w;
	prng p = { 4 };

	(void)state;
	/* no times stated: a day from now, at least a minute */
	vyc_cast_window(&m, EPOCH, &base, &w);
	assert_true(base == EPOCH && w == VYC_CAST_WINDOW_MAX_S);
	for (int i = 0; i < 1000; i++) {
		t = vyc_earliest_cast_with(&m, EPOCH, uniform, &p);
		assert_true(t >= EPOCH + VYC_CAST_WAIT_MIN_S && t < EPOCH + VYC_CAST_WINDOW_MAX_S);
	}
	/* registered before voting opens: from the opening */
	m.voting_start = EPOCH + 1000;
	m.voting_end = EPOCH + 1000 + 8 * 86400ULL;
	vyc_cast_window(&m, EPOCH, &base, &w);
	assert_true(base == EPOCH + 1000 && w == VYC_CAST_WINDOW_MAX_S);
	/* an hour before voting ends: half of what is left */
	vyc_cast_window(&m, m.voting_end - 3600, &base, &w);
	assert_true(base == m.voting_end - 3600 && w == 1800);
	/* a minute before the end: 30 s, no least wait */
	t = vyc_earliest_cast_with(&m, m.voting_end - 60, uniform, &p);
	assert_true(t >= m.voting_end - 60 && t < m.voting_end - 30);
	/* after the stated end (the times are informative): a day */
	vyc_cast_window(&m, m.voting_end + 5, &base, &w);
	assert_true(base == m.voting_end + 5 && w == VYC_CAST_WINDOW_MAX_S);
	/* at the end itself: no window, no wait */
	assert_int_equal(vyc_earliest_cast_with(&m, m.voting_end - 1, uniform, &p), m.voting_end - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_linkage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
