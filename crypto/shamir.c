/*
 * Shamir secret sharing with Feldman commitments, and Lagrange coefficients
 * at zero (specs/crypto.md §6), on the generic group interface, so the same
 * code runs on every group.
 *
 *   f(x) = a_0 + a_1 x + ... + a_{t-1} x^{t-1} mod q,  share_x = f(x)
 *   A_j = g^{a_j};  share_x is valid iff g^{share_x} = prod_j A_j^{x^j}
 *   lambda_i(S) = prod_{j in S, j != i} x_j / (x_j - x_i) mod q
 *
 * Coefficients and shares are secret; indices and commitments are public.
 */
#include <string.h>

#include "crypto/vy_shamir.h"

/* §6: the t coefficients of a random polynomial of degree t - 1. */
void vy_poly_random(const vy_group *g, vy_scalar *coeffs, size_t t)
{
	for (size_t j = 0; j < t; j++)
		vy_scalar_random(g, &coeffs[j]);
}

/*
 * §6: out = f(x) by Horner's rule, r = a_{t-1}; r = r*x + a_j for j = t-2..0.
 * Only constant-time scalar operations touch the coefficients; x is public.
 * An empty polynomial evaluates to zero.
 */
void vy_poly_eval(const vy_group *g, vy_scalar *out, const vy_scalar *coeffs, size_t t, uint32_t x)
{
	vy_scalar r, xs;

	memset(&r, 0, sizeof r);
	vy_scalar_from_u64(g, &xs, x);
	if (t > 0) {
		r = coeffs[t - 1];
		for (size_t j = t - 1; j-- > 0;) {
			vy_scalar_mul(g, &r, &r, &xs);
			vy_scalar_add(g, &r, &r, &coeffs[j]);
		}
	}
	*out = r;
	vy_wipe(&r, sizeof r);
}

/* §6: the Feldman commitments A_j = g^{a_j}. */
void vy_feldman_commit(const vy_group *g, vy_elem *commits, const vy_scalar *coeffs, size_t t)
{
	for (size_t j = 0; j < t; j++)
		vy_elem_exp_base(g, &commits[j], &coeffs[j]);
}

/*
 * §6: out = prod_j A_j^{x^j} = g^{f(x)}, by Horner's rule in the exponent:
 * r = A_{t-1}; r = r^x * A_j for j = t-2..0. Everything is public. With no
 * commitments the result is the identity.
 */
void vy_feldman_eval(const vy_group *g, vy_elem *out, const vy_elem *commits, size_t t, uint32_t x)
{
	vy_scalar xs;
	vy_elem r, rx;

	if (t == 0) {
		vy_elem_identity(g, out);
		return;
	}
	vy_scalar_from_u64(g, &xs, x);
	r = commits[t - 1];
	for (size_t j = t - 1; j-- > 0;) {
		vy_elem_exp(g, &rx, &r, &xs);
		vy_elem_mul(g, &r, &rx, &commits[j]);
	}
	*out = r;
}

/*
 * §6: checks g^{share} = prod_j A_j^{x^j}. The share is secret: g^{share} is
 * computed in constant time and only the verdict leaves the function.
 * Index 0 (mod q) is VY_ERR_INDEX, no commitments (t = 0) VY_ERR_ARG.
 */
vy_err vy_feldman_verify_share(const vy_group *g, const vy_elem *commits, size_t t, uint32_t x,
			       const vy_scalar *share)
{
	vy_elem lhs, rhs;
	vy_scalar xs;
	vy_err err;

	if (g == NULL || commits == NULL || share == NULL || t == 0)
		return VY_ERR_ARG;
	/* Indices are taken mod q: x = 0 mod q is index 0, whose key is A_0 = g^{secret}. */
	vy_scalar_from_u64(g, &xs, x);
	if (vy_scalar_is_zero(g, &xs))
		return VY_ERR_INDEX;
	vy_elem_exp_base(g, &lhs, share);
	vy_feldman_eval(g, &rhs, commits, t, x);
	err = vy_elem_eq(g, &lhs, &rhs) ? VY_OK : VY_ERR_SHARE;
	vy_wipe(&lhs, sizeof lhs);
	return err;
}

/*
 * VY_OK iff every index of xs[0..n) is non-zero modulo q and no two are
 * equal modulo q (so every x_j - x_i below is invertible). Indices are
 * public; the quadratic scan is fine for the handful of trustees.
 */
static vy_err check_indices(const vy_group *g, const uint32_t *xs, size_t n)
{
	vy_scalar a, b, d;

	for (size_t k = 0; k < n; k++) {
		vy_scalar_from_u64(g, &a, xs[k]);
		if (vy_scalar_is_zero(g, &a))
			return VY_ERR_INDEX;
		for (size_t l = k + 1; l < n; l++) {
			vy_scalar_from_u64(g, &b, xs[l]);
			vy_scalar_sub(g, &d, &a, &b);
			if (vy_scalar_is_zero(g, &d))
				return VY_ERR_INDEX;
		}
	}
	return VY_OK;
}

/*
 * §6: lambda_i = prod_{j != i} x_j / (x_j - x_i) mod q, as one numerator and
 * one denominator, and a single inversion. The output is zero on failure.
 */
vy_err vy_lagrange_at_zero(const vy_group *g, vy_scalar *out, const uint32_t *xs, size_t n, size_t i)
{
	vy_scalar num, den, xi, xj, d, inv;
	vy_err err;

	if (out == NULL)
		return VY_ERR_ARG;
	memset(out, 0, sizeof *out);
	if (g == NULL || xs == NULL)
		return VY_ERR_ARG;
	if (i >= n)
		return VY_ERR_INDEX;
	err = check_indices(g, xs, n);
	if (err != VY_OK)
		return err;

	vy_scalar_from_u64(g, &num, 1);
	vy_scalar_from_u64(g, &den, 1);
	vy_scalar_from_u64(g, &xi, xs[i]);
	for (size_t j = 0; j < n; j++) {
		if (j == i)
			continue;
		vy_scalar_from_u64(g, &xj, xs[j]);
		vy_scalar_sub(g, &d, &xj, &xi);
		vy_scalar_mul(g, &num, &num, &xj);
		vy_scalar_mul(g, &den, &den, &d);
	}
	err = vy_scalar_inv(g, &inv, &den);
	if (err != VY_OK) {
		/* Unreachable after check_indices: distinct indices mod a prime. */
		return VY_ERR_INDEX;
	}
	vy_scalar_mul(g, out, &num, &inv);
	return VY_OK;
}
