/*
 * Internal: deterministic cores of the provers, with every random value
 * supplied by the caller. The public provers draw fresh randomness and call
 * these. Used directly only by the test-vector generator and the exhaustive
 * tests. Also the verification equations with an explicit challenge, for the
 * exhaustive soundness tests over the toy group.
 */
#ifndef VY_PROOF_IMPL_H
#define VY_PROOF_IMPL_H

#include "crypto/vy_proof.h"

vy_err vy_schnorr_prove_det(const vy_proof_ctx *pc, vy_schnorr_proof *out, const vy_elem *X,
			    const vy_scalar *x, const vy_scalar *u);
vy_err vy_cp_prove_det(const vy_proof_ctx *pc, vy_cp_proof *out, const vy_elem *g1, const vy_elem *h1,
		       const vy_elem *g2, const vy_elem *h2, const vy_scalar *x, const vy_scalar *u);
/* sim_c and sim_v hold n scalars each: the simulated challenges and responses
 * for every branch (the entry at the true branch is ignored); u is the true
 * branch's nonce. */
vy_err vy_range_prove_det(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
			  const vy_ciphertext *ct, uint64_t lo, uint64_t hi, uint64_t m, const vy_scalar *r,
			  const vy_scalar *u, const vy_scalar *sim_c, const vy_scalar *sim_v);
vy_err vy_sum_prove_det(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
			const vy_ciphertext *cts, size_t count, uint64_t lo, uint64_t hi, uint64_t m_sum,
			const vy_scalar *r_sum, const vy_scalar *u, const vy_scalar *sim_c,
			const vy_scalar *sim_v);

/* Commitments of one range-proof branch recomputed from (c_j, v_j):
 * a = g^v * alpha^c, b = pk^v * (beta / g^j)^c. Public values only
 * (variable time, vy_elem_multiexp_public). */
void vy_range_branch_commit(const vy_group *g, vy_elem *a, vy_elem *b, const vy_elem *pk,
			    const vy_ciphertext *ct, uint64_t j, const vy_scalar *c, const vy_scalar *v);

#endif
