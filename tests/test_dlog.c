/*
 * Bounded discrete logarithm by baby-step giant-step (crypto/vy_dlog.h,
 * specs/crypto.md §4.3): the edges of the table on ristretto255 and
 * modp4096, the toy group exhaustively, and the ElGamal round trip.
 */
#include "tests/support/vytest.h"

#include <string.h>

#include <sodium.h>

#include "crypto/vy_dlog.h"
#include "crypto/vy_elgamal.h"

#define BOUND 10000000u /* the tally bound of the brief: 10^7 */
#define OUT_SENTINEL 0xdeadbeefu

/* Something for a table pointer to point at, to see it reset to NULL. */
static char not_a_table;
#define TABLE_SENTINEL ((vy_dlog_table *)(void *)&not_a_table)

static const vy_group *group(vy_group_id id)
{
	const vy_group *g;

	vytest_init();
	g = vy_group_by_id(id);
	assert_non_null(g);
	return g;
}

/* The baby-step count: the smallest m with m * m >= max + 1. */
static uint64_t baby_steps(uint64_t max)
{
	uint64_t m = 1;

	while (m * m < max + 1)
		m++;
	return m;
}

/* g^v. */
static void gpow(const vy_group *g, vy_elem *out, uint64_t v)
{
	vy_scalar s;

	vy_scalar_from_u64(g, &s, v);
	vy_elem_exp_base(g, out, &s);
}

static void expect_found(const vy_dlog_table *t, const vy_group *g, uint64_t v)
{
	vy_elem h;
	uint64_t out = OUT_SENTINEL;

	gpow(g, &h, v);
	assert_int_equal(vy_dlog_solve(t, &out, &h), VY_OK);
	assert_int_equal(out, v);
}

static void expect_range(const vy_dlog_table *t, const vy_elem *h)
{
	uint64_t out = OUT_SENTINEL;

	assert_int_equal(vy_dlog_solve(t, &out, h), VY_ERR_DLOG_RANGE);
	assert_int_equal(out, 0);
}

static void expect_not_found(const vy_dlog_table *t, const vy_group *g, uint64_t v)
{
	vy_elem h;

	gpow(g, &h, v);
	expect_range(t, &h);
}

/* ristretto255, bound 10^7: the edges of the baby and giant steps, random values, misses. */
static void test_ristretto_bound(void **state)
{
	const vy_group *g = group(VY_GROUP_RISTRETTO255);
	const uint64_t m = baby_steps(BOUND);
	const uint64_t edges[] = { 0, 1, 2, m - 1, m, m + 1, 2 * m - 1, 2 * m, (BOUND / m) * m,
				   (BOUND / m) * m - 1, BOUND - 1, BOUND };
	vy_dlog_table *t = NULL;
	vy_scalar s;
	vy_elem h;

	(void)state;
	assert_int_equal(m, 3163);
	assert_int_equal(vy_dlog_table_new(g, &t, BOUND), VY_OK);
	assert_non_null(t);
	for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++)
		expect_found(t, g, edges[k]);
	for (int k = 0; k < 4; k++)
		expect_found(t, g, randombytes_uniform(BOUND + 1));
	expect_not_found(t, g, BOUND + 1);
	expect_not_found(t, g, m * m);
	expect_not_found(t, g, UINT64_MAX);
	/* g^{-1} = g^{q-1}. */
	vy_scalar_from_u64(g, &s, 1);
	vy_scalar_neg(g, &s, &s);
	vy_elem_exp_base(g, &h, &s);
	expect_range(t, &h);
	/* A random element: its logarithm is below 10^7 with probability ~2^-229. */
	vy_scalar_random(g, &s);
	vy_elem_exp_base(g, &h, &s);
	expect_range(t, &h);
	vy_dlog_table_free(t);
}

/* Bad arguments and a bound whose table cannot exist. */
static void test_arguments(void **state)
{
	const vy_group *g = group(VY_GROUP_RISTRETTO255);
	vy_dlog_table *t = NULL;
	vy_elem h;
	uint64_t out = OUT_SENTINEL;

	(void)state;
	assert_int_equal(vy_dlog_table_new(NULL, &t, 10), VY_ERR_ARG);
	assert_null(t);
	assert_int_equal(vy_dlog_table_new(g, NULL, 10), VY_ERR_ARG);
	/* A legal bound, but sqrt(2^64) = 2^32 baby steps is more than the table holds. */
	t = TABLE_SENTINEL;
	assert_int_equal(vy_dlog_table_new(g, &t, UINT64_MAX), VY_ERR_NOMEM);
	assert_null(t);
	assert_int_equal(vy_dlog_table_new(g, &t, 0), VY_OK);
	gpow(g, &h, 0);
	assert_int_equal(vy_dlog_solve(t, NULL, &h), VY_ERR_ARG);
	assert_int_equal(vy_dlog_solve(t, &out, NULL), VY_ERR_ARG);
	assert_int_equal(out, 0);
	out = OUT_SENTINEL;
	assert_int_equal(vy_dlog_solve(NULL, &out, &h), VY_ERR_ARG);
	assert_int_equal(out, 0);
	expect_found(t, g, 0);
	expect_not_found(t, g, 1);
	vy_dlog_table_free(t);
	vy_dlog_table_free(NULL);
}

/* modp4096, bound 10^7: both ends and random values (each step is a 4096-bit mulmod). */
static void test_modp4096_bound(void **state)
{
	const vy_group *g = group(VY_GROUP_MODP4096);
	vy_dlog_table *t = NULL;

	(void)state;
	assert_int_equal(vy_dlog_table_new(g, &t, BOUND), VY_OK);
	expect_found(t, g, 0);
	expect_found(t, g, 1);
	expect_found(t, g, BOUND);
	expect_found(t, g, randombytes_uniform(BOUND + 1));
	expect_found(t, g, randombytes_uniform(BOUND + 1));
	expect_not_found(t, g, BOUND + 1);
	vy_dlog_table_free(t);
}

/* Toy group (q = 11): every bound in [0, 10] against every element g^k, k in [0, 10]. */
static void test_toy_exhaustive(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_dlog_table *t = NULL;
	vy_elem h, seen[VYTEST_TOY_Q];

	(void)state;
	/* The 11 powers are the 11 distinct elements of the group. */
	for (uint64_t k = 0; k < VYTEST_TOY_Q; k++) {
		gpow(g, &seen[k], k);
		for (uint64_t l = 0; l < k; l++)
			assert_false(vy_elem_eq(g, &seen[k], &seen[l]));
	}
	for (uint64_t max = 0; max < VYTEST_TOY_Q; max++) {
		assert_int_equal(vy_dlog_table_new(g, &t, max), VY_OK);
		for (uint64_t k = 0; k < VYTEST_TOY_Q; k++) {
			if (k <= max) {
				expect_found(t, g, k);
			} else {
				h = seen[k];
				expect_range(t, &h);
			}
		}
		vy_dlog_table_free(t);
	}
	/* max must be < q. */
	for (uint64_t max = VYTEST_TOY_Q; max < VYTEST_TOY_Q + 3; max++) {
		t = TABLE_SENTINEL;
		assert_int_equal(vy_dlog_table_new(g, &t, max), VY_ERR_ARG);
		assert_null(t);
	}
	assert_int_equal(vy_dlog_table_new(g, &t, UINT64_MAX), VY_ERR_ARG);
	assert_null(t);
}

/* Encrypt m, decrypt to g^m, and recover m with the table. */
static void test_elgamal_round_trip(void **state)
{
	const vy_group *g = group(VY_GROUP_RISTRETTO255);
	const uint64_t ms[] = { 0, 1, 42, 3163, BOUND - 1, BOUND };
	vy_dlog_table *t = NULL;
	vy_scalar sk, r;
	vy_elem pk, gm;
	vy_ciphertext ct, sum;
	uint64_t out, total = 0;

	(void)state;
	assert_int_equal(vy_dlog_table_new(g, &t, BOUND), VY_OK);
	vy_elgamal_keygen(g, &sk, &pk);
	vy_elgamal_zero(g, &sum);
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
		vy_scalar_random(g, &r);
		vy_elgamal_encrypt(g, &ct, &pk, ms[k], &r);
		vy_elgamal_decrypt(g, &gm, &ct, &sk);
		out = OUT_SENTINEL;
		assert_int_equal(vy_dlog_solve(t, &out, &gm), VY_OK);
		assert_int_equal(out, ms[k]);
		if (ms[k] < 1000) {
			vy_elgamal_add(g, &sum, &sum, &ct);
			total += ms[k];
		}
	}
	/* The homomorphic sum decrypts to the sum of the plaintexts. */
	vy_elgamal_decrypt(g, &gm, &sum, &sk);
	assert_int_equal(vy_dlog_solve(t, &out, &gm), VY_OK);
	assert_int_equal(out, total);
	vy_dlog_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ristretto_bound),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_modp4096_bound),
		cmocka_unit_test(test_toy_exhaustive),
		cmocka_unit_test(test_elgamal_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
