/*
 * Shamir secret sharing, Feldman commitments and Lagrange coefficients
 * (crypto/vy_shamir.h, specs/crypto.md §6), on ristretto255, the toy group
 * (p = 23, q = 11; exhaustively where it is small enough) and modp4096.
 */
#include "tests/support/vytest.h"

#include <string.h>

#include "crypto/vy_shamir.h"

#define T 3 /* threshold of the main case */
#define N 5 /* trustees of the main case */

static const vy_group *ristretto(void)
{
	const vy_group *g;

	vytest_init();
	g = vy_group_by_id(VY_GROUP_RISTRETTO255);
	assert_non_null(g);
	return g;
}

static const vy_group *modp4096(void)
{
	const vy_group *g;

	vytest_init();
	g = vy_group_by_id(VY_GROUP_MODP4096);
	assert_non_null(g);
	return g;
}

static void scalar_u64(const vy_group *g, vy_scalar *s, uint64_t v)
{
	vy_scalar_from_u64(g, s, v);
}

/* The value of a toy-group scalar (big-endian, < 11). */
static unsigned toy_value(const vy_scalar *s)
{
	for (size_t k = 0; k + 1 < VY_SCALAR_BYTES; k++)
		assert_int_equal(s->b[k], 0);
	assert_true(s->b[VY_SCALAR_BYTES - 1] < VYTEST_TOY_Q);
	return s->b[VY_SCALAR_BYTES - 1];
}

/* sum_k lambda_k(xs) * f(xs[k]), the secret recovered from the shares at xs. */
static void reconstruct(const vy_group *g, vy_scalar *out, const vy_scalar *coeffs, size_t t,
			const uint32_t *xs, size_t n)
{
	vy_scalar lambda, share, term;

	memset(out, 0, sizeof *out);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(vy_lagrange_at_zero(g, &lambda, xs, n, k), VY_OK);
		vy_poly_eval(g, &share, coeffs, t, xs[k]);
		vy_scalar_mul(g, &term, &lambda, &share);
		vy_scalar_add(g, out, out, &term);
	}
}

/* prod_k (g^{f(xs[k])})^{lambda_k}, with g^{f(x)} from the commitments. */
static void reconstruct_in_exponent(const vy_group *g, vy_elem *out, const vy_elem *commits, size_t t,
				    const uint32_t *xs, size_t n)
{
	vy_scalar lambda;
	vy_elem key, term;

	vy_elem_identity(g, out);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(vy_lagrange_at_zero(g, &lambda, xs, n, k), VY_OK);
		vy_feldman_eval(g, &key, commits, t, xs[k]);
		vy_elem_exp(g, &term, &key, &lambda);
		vy_elem_mul(g, out, out, &term);
	}
}

/* A polynomial of degree exactly t - 1 (the top coefficient non-zero). */
static void random_full_degree(const vy_group *g, vy_scalar *coeffs, size_t t)
{
	do
		vy_poly_random(g, coeffs, t);
	while (vy_scalar_is_zero(g, &coeffs[t - 1]));
}

/* Every 3 of the 5 shares give a_0, in scalars and in the exponent. */
static void check_subsets_of_three(const vy_group *g, const vy_scalar *coeffs, const vy_elem *commits)
{
	vy_scalar secret;
	vy_elem gsecret, gs0;
	int subsets = 0;

	vy_elem_exp_base(g, &gs0, &coeffs[0]);
	for (uint32_t a = 1; a <= N; a++)
		for (uint32_t b = a + 1; b <= N; b++)
			for (uint32_t c = b + 1; c <= N; c++) {
				uint32_t xs[T] = { a, b, c };
				reconstruct(g, &secret, coeffs, T, xs, T);
				assert_true(vy_scalar_eq(g, &secret, &coeffs[0]));
				reconstruct_in_exponent(g, &gsecret, commits, T, xs, T);
				assert_true(vy_elem_eq(g, &gsecret, &gs0));
				assert_true(vy_elem_eq(g, &gsecret, &commits[0]));
				subsets++;
			}
	assert_int_equal(subsets, 10);
}

/*
 * Two shares of a degree-2 f give the line L through them, and
 * f(x) - L(x) = a_2 (x - i)(x - j), so L(0) = a_0 - a_2 i j != a_0 when a_2 != 0.
 */
static void check_pairs_fail(const vy_group *g, const vy_scalar *coeffs)
{
	vy_scalar got, want, ij;

	for (uint32_t i = 1; i <= N; i++)
		for (uint32_t j = i + 1; j <= N; j++) {
			uint32_t xs[2] = { i, j };
			reconstruct(g, &got, coeffs, T, xs, 2);
			assert_false(vy_scalar_eq(g, &got, &coeffs[0]));
			scalar_u64(g, &ij, (uint64_t)i * j);
			vy_scalar_mul(g, &ij, &ij, &coeffs[2]);
			vy_scalar_sub(g, &want, &coeffs[0], &ij);
			assert_true(vy_scalar_eq(g, &got, &want));
		}
}

/* Every share verifies; g^{f(x)} from the commitments equals g^{share}. */
static void check_shares_verify(const vy_group *g, const vy_scalar *coeffs, const vy_elem *commits)
{
	vy_scalar share;
	vy_elem key, want;

	for (uint32_t x = 1; x <= N; x++) {
		vy_poly_eval(g, &share, coeffs, T, x);
		assert_int_equal(vy_feldman_verify_share(g, commits, T, x, &share), VY_OK);
		vy_feldman_eval(g, &key, commits, T, x);
		vy_elem_exp_base(g, &want, &share);
		assert_true(vy_elem_eq(g, &key, &want));
	}
}

/*
 * Tampering: share + 1, a share checked at another index (valid only if f
 * takes the same value there, impossible to arrange in ristretto255), a
 * replaced commitment, a dropped commitment.
 */
static void check_tampering(const vy_group *g, const vy_scalar *coeffs, const vy_elem *commits, int big)
{
	vy_scalar share, bumped, one, other;
	vy_elem bad[T], gen;

	scalar_u64(g, &one, 1);
	vy_elem_generator(g, &gen);
	for (uint32_t x = 1; x <= N; x++) {
		vy_poly_eval(g, &share, coeffs, T, x);
		vy_scalar_add(g, &bumped, &share, &one);
		assert_int_equal(vy_feldman_verify_share(g, commits, T, x, &bumped), VY_ERR_SHARE);
		for (uint32_t y = 1; y <= N + 1; y++) {
			vy_err want;
			if (y == x)
				continue;
			vy_poly_eval(g, &other, coeffs, T, y);
			want = vy_scalar_eq(g, &other, &share) ? VY_OK : VY_ERR_SHARE;
			if (big)
				assert_int_equal(want, VY_ERR_SHARE);
			assert_int_equal(vy_feldman_verify_share(g, commits, T, y, &share), want);
		}
		for (size_t j = 0; j < T; j++) {
			memcpy(bad, commits, sizeof bad);
			vy_elem_mul(g, &bad[j], &bad[j], &gen);
			assert_int_equal(vy_feldman_verify_share(g, bad, T, x, &share), VY_ERR_SHARE);
		}
		assert_int_equal(vy_feldman_verify_share(g, commits, T - 1, x, &share), VY_ERR_SHARE);
		assert_int_equal(vy_feldman_verify_share(g, commits, T, 0, &share), VY_ERR_INDEX);
		assert_int_equal(vy_feldman_verify_share(g, commits, 0, x, &share), VY_ERR_ARG);
	}
}

/* The whole t = 3, n = 5 case on one group. */
static void run_three_of_five(const vy_group *g, int big)
{
	vy_scalar coeffs[T];
	vy_elem commits[T];

	random_full_degree(g, coeffs, T);
	vy_feldman_commit(g, commits, coeffs, T);
	check_shares_verify(g, coeffs, commits);
	check_subsets_of_three(g, coeffs, commits);
	check_pairs_fail(g, coeffs);
	check_tampering(g, coeffs, commits, big);
}

static void test_three_of_five_ristretto(void **state)
{
	(void)state;
	run_three_of_five(ristretto(), 1);
}

static void test_three_of_five_toy(void **state)
{
	const vy_group *g = vytest_toy_group();

	(void)state;
	/* Several random polynomials: the toy group has few. */
	for (int rep = 0; rep < 50; rep++)
		run_three_of_five(g, 0);
}

/* Horner's rule against the sum of a_j x^j, including x = 0 and x = 2^32 - 1. */
static void test_poly_eval_naive(void **state)
{
	const vy_group *g = ristretto();
	static const uint32_t xs[] = { 0, 1, 2, 7, 1000003, UINT32_MAX };
	vy_scalar coeffs[6], got, want, xpow, xs_s, term;

	(void)state;
	vy_poly_random(g, coeffs, 6);
	for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
		for (size_t t = 0; t <= 6; t++) {
			memset(&want, 0, sizeof want);
			scalar_u64(g, &xpow, 1);
			scalar_u64(g, &xs_s, xs[k]);
			for (size_t j = 0; j < t; j++) {
				vy_scalar_mul(g, &term, &coeffs[j], &xpow);
				vy_scalar_add(g, &want, &want, &term);
				vy_scalar_mul(g, &xpow, &xpow, &xs_s);
			}
			vy_poly_eval(g, &got, coeffs, t, xs[k]);
			assert_true(vy_scalar_eq(g, &got, &want));
		}
	}
	/* t = 1: a constant polynomial; every share is the secret. */
	vy_poly_eval(g, &got, coeffs, 1, 12345);
	assert_true(vy_scalar_eq(g, &got, &coeffs[0]));
}

/* vy_feldman_eval is g^{f(x)}, also for large x and t = 1. */
static void test_feldman_eval_large_index(void **state)
{
	const vy_group *g = ristretto();
	static const uint32_t xs[] = { 1, 2, 65537, UINT32_MAX };
	vy_scalar coeffs[4], share;
	vy_elem commits[4], key, want;

	(void)state;
	vy_poly_random(g, coeffs, 4);
	vy_feldman_commit(g, commits, coeffs, 4);
	for (size_t t = 1; t <= 4; t++)
		for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
			vy_poly_eval(g, &share, coeffs, t, xs[k]);
			vy_feldman_eval(g, &key, commits, t, xs[k]);
			vy_elem_exp_base(g, &want, &share);
			assert_true(vy_elem_eq(g, &key, &want));
			assert_int_equal(vy_feldman_verify_share(g, commits, t, xs[k], &share), VY_OK);
		}
}

/* 1 if all 32 bytes are zero. */
static int all_zero(const vy_scalar *s)
{
	for (size_t k = 0; k < VY_SCALAR_BYTES; k++)
		if (s->b[k] != 0)
			return 0;
	return 1;
}

/* A bad index set gives VY_ERR_INDEX and a zeroed output. */
static void expect_bad_set(const vy_group *g, const uint32_t *xs, size_t n, size_t i)
{
	vy_scalar out;

	memset(&out, 0x5a, sizeof out);
	assert_int_equal(vy_lagrange_at_zero(g, &out, xs, n, i), VY_ERR_INDEX);
	assert_true(all_zero(&out));
}

static void check_lagrange_errors(const vy_group *g)
{
	static const uint32_t zero_in[] = { 1, 0, 3 };
	static const uint32_t repeated[] = { 1, 2, 1 };
	static const uint32_t fine[] = { 1, 2, 3 };
	vy_scalar out;

	for (size_t i = 0; i < 3; i++) {
		expect_bad_set(g, zero_in, 3, i);
		expect_bad_set(g, repeated, 3, i); /* also i = 1, not itself repeated */
	}
	expect_bad_set(g, fine, 3, 3);
	expect_bad_set(g, fine, 0, 0);
	assert_int_equal(vy_lagrange_at_zero(g, &out, fine, 3, 2), VY_OK);
	assert_int_equal(vy_lagrange_at_zero(g, NULL, fine, 3, 0), VY_ERR_ARG);
	memset(&out, 0x5a, sizeof out);
	assert_int_equal(vy_lagrange_at_zero(g, &out, NULL, 3, 0), VY_ERR_ARG);
	assert_true(all_zero(&out));
}

static void test_lagrange_errors(void **state)
{
	const vy_group *toy = vytest_toy_group();
	/* In the toy group 12 = 1 and 11 = 0 modulo q. */
	static const uint32_t same_mod_q[] = { 1, 12 };
	static const uint32_t zero_mod_q[] = { 11, 2 };

	(void)state;
	check_lagrange_errors(ristretto());
	check_lagrange_errors(toy);
	expect_bad_set(toy, same_mod_q, 2, 0);
	expect_bad_set(toy, zero_mod_q, 2, 1);
}

/* A share checked at index q (= 0 in the toy group) is VY_ERR_INDEX, as index 0. */
static void test_toy_index_zero_mod_q(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_scalar coeffs[2], share;
	vy_elem commits[2];

	(void)state;
	vy_poly_random(g, coeffs, 2);
	vy_feldman_commit(g, commits, coeffs, 2);
	vy_poly_eval(g, &share, coeffs, 2, VYTEST_TOY_Q);
	assert_true(vy_scalar_eq(g, &share, &coeffs[0]));
	assert_int_equal(vy_feldman_verify_share(g, commits, 2, VYTEST_TOY_Q, &share), VY_ERR_INDEX);
	assert_int_equal(vy_feldman_verify_share(g, commits, 2, 2 * VYTEST_TOY_Q, &share), VY_ERR_INDEX);
	/* Index 12 is index 1. */
	vy_poly_eval(g, &share, coeffs, 2, 1);
	assert_int_equal(vy_feldman_verify_share(g, commits, 2, VYTEST_TOY_Q + 1, &share), VY_OK);
}

/* (a * b) mod 11 and the inverse mod 11, by brute force. */
static unsigned toy_inv(unsigned a)
{
	for (unsigned b = 1; b < VYTEST_TOY_Q; b++)
		if (a * b % VYTEST_TOY_Q == 1)
			return b;
	fail_msg("no inverse of %u", a);
	return 0;
}

/* The naive lambda_i over xs[0..n) in Z_11. */
static unsigned toy_lambda(const uint32_t *xs, size_t n, size_t i)
{
	unsigned want = 1;

	for (size_t j = 0; j < n; j++) {
		unsigned d;
		if (j == i)
			continue;
		d = (xs[j] + VYTEST_TOY_Q - xs[i]) % VYTEST_TOY_Q;
		want = want * xs[j] % VYTEST_TOY_Q * toy_inv(d) % VYTEST_TOY_Q;
	}
	return want;
}

/* Toy group: lambda of every index of every non-empty subset of [1, 10], computed naively. */
static void test_lagrange_toy_naive(void **state)
{
	const vy_group *g = vytest_toy_group();
	uint32_t xs[VYTEST_TOY_Q - 1];
	vy_scalar lambda;

	(void)state;
	for (unsigned set = 1; set < 1u << (VYTEST_TOY_Q - 1); set++) {
		size_t n = 0;
		for (uint32_t x = 1; x < VYTEST_TOY_Q; x++)
			if (set & 1u << (x - 1))
				xs[n++] = x;
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(vy_lagrange_at_zero(g, &lambda, xs, n, i), VY_OK);
			assert_int_equal(toy_value(&lambda), toy_lambda(xs, n, i));
		}
	}
}

/*
 * Toy group, exhaustively: all 121 polynomials of degree <= 1 over Z_11;
 * every share is a_0 + a_1 x and verifies, and every pair of distinct
 * indices in [1, 5] reconstructs a_0.
 */
static void test_toy_all_lines(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_scalar coeffs[2], share, secret;
	vy_elem commits[2];
	int pairs = 0;

	(void)state;
	for (unsigned a0 = 0; a0 < VYTEST_TOY_Q; a0++)
		for (unsigned a1 = 0; a1 < VYTEST_TOY_Q; a1++) {
			scalar_u64(g, &coeffs[0], a0);
			scalar_u64(g, &coeffs[1], a1);
			vy_feldman_commit(g, commits, coeffs, 2);
			for (uint32_t x = 1; x <= N; x++) {
				vy_poly_eval(g, &share, coeffs, 2, x);
				assert_int_equal(toy_value(&share), (a0 + a1 * x) % VYTEST_TOY_Q);
				assert_int_equal(vy_feldman_verify_share(g, commits, 2, x, &share), VY_OK);
			}
			for (uint32_t i = 1; i <= N; i++)
				for (uint32_t j = 1; j <= N; j++) {
					uint32_t xs[2] = { i, j };
					if (i == j)
						continue;
					reconstruct(g, &secret, coeffs, 2, xs, 2);
					assert_int_equal(toy_value(&secret), a0);
					pairs++;
				}
		}
	assert_int_equal(pairs, 121 * 20);
}

/* modp4096, one small case: t = 2, n = 3. */
static void test_modp4096_small(void **state)
{
	const vy_group *g = modp4096();
	static const uint32_t xs[2] = { 1, 3 };
	vy_scalar coeffs[2], share, secret, one;
	vy_elem commits[2], gsecret;

	(void)state;
	random_full_degree(g, coeffs, 2);
	vy_feldman_commit(g, commits, coeffs, 2);
	scalar_u64(g, &one, 1);
	for (uint32_t x = 1; x <= 3; x++) {
		vy_poly_eval(g, &share, coeffs, 2, x);
		assert_int_equal(vy_feldman_verify_share(g, commits, 2, x, &share), VY_OK);
	}
	vy_scalar_add(g, &share, &share, &one);
	assert_int_equal(vy_feldman_verify_share(g, commits, 2, 3, &share), VY_ERR_SHARE);
	reconstruct(g, &secret, coeffs, 2, xs, 2);
	assert_true(vy_scalar_eq(g, &secret, &coeffs[0]));
	reconstruct_in_exponent(g, &gsecret, commits, 2, xs, 2);
	assert_true(vy_elem_eq(g, &gsecret, &commits[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_of_five_ristretto),
		cmocka_unit_test(test_three_of_five_toy),
		cmocka_unit_test(test_poly_eval_naive),
		cmocka_unit_test(test_feldman_eval_large_index),
		cmocka_unit_test(test_lagrange_errors),
		cmocka_unit_test(test_toy_index_zero_mod_q),
		cmocka_unit_test(test_lagrange_toy_naive),
		cmocka_unit_test(test_toy_all_lines),
		cmocka_unit_test(test_modp4096_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
