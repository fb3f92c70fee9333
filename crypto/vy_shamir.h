/*
 * Shamir secret sharing with Feldman commitments, and Lagrange coefficients
 * (specs/crypto.md §6). Share indices are the integers 1..n (never 0).
 *
 *   f(x) = a_0 + a_1 x + ... + a_{t-1} x^{t-1} mod q,  share_i = f(i)
 *   commitments A_j = g^{a_j};  share_i is valid iff g^{share_i} = prod_j A_j^{i^j}
 *   lambda_i(S) = prod_{j in S, j != i} j / (j - i) mod q,  f(0) = sum_{i in S} lambda_i f(i)
 */
#ifndef VY_SHAMIR_H
#define VY_SHAMIR_H

#include "crypto/vy_group.h"

/* coeffs[0..t) uniform in [0, q). t >= 1. */
void vy_poly_random(const vy_group *g, vy_scalar *coeffs, size_t t);
/* out = f(x), constant time in the coefficients. */
void vy_poly_eval(const vy_group *g, vy_scalar *out, const vy_scalar *coeffs, size_t t, uint32_t x);
/* commits[j] = g^{coeffs[j]} for j < t. */
void vy_feldman_commit(const vy_group *g, vy_elem *commits, const vy_scalar *coeffs, size_t t);
/* out = prod_j commits[j]^{x^j} = g^{f(x)}: the public verification key of index x. */
void vy_feldman_eval(const vy_group *g, vy_elem *out, const vy_elem *commits, size_t t, uint32_t x);
/* VY_OK iff g^share = vy_feldman_eval(commits, x); VY_ERR_SHARE otherwise,
 * VY_ERR_INDEX if x = 0. */
vy_err vy_feldman_verify_share(const vy_group *g, const vy_elem *commits, size_t t, uint32_t x,
			       const vy_scalar *share) VY_WARN_UNUSED;
/* out = lambda_{xs[i]} over the set xs[0..n). VY_ERR_INDEX if an index is 0
 * or repeated, or i >= n. */
vy_err vy_lagrange_at_zero(const vy_group *g, vy_scalar *out, const uint32_t *xs, size_t n, size_t i)
	VY_WARN_UNUSED;

#endif
