/*
 * Non-interactive zero-knowledge proofs (specs/crypto.md §5), all with strong
 * Fiat-Shamir (vy_hash.h): each challenge hashes the tag, the group hash, the
 * election's base hash, the caller's context, the full statement and the
 * commitments. Proofs are in compact form: challenges and responses only;
 * the verifier recomputes the commitments and compares the challenge.
 *
 * Responses follow v = u - c*x mod q, so a verifier recomputes a commitment
 * as g^v * X^c.
 */
#ifndef VY_PROOF_H
#define VY_PROOF_H

#include "crypto/vy_elgamal.h"
#include "crypto/vy_group.h"

/* The context every proof is bound to. */
typedef struct {
	const vy_group *group;
	uint8_t base_hash[VY_HASH_BYTES]; /* the election's base hash */
	const uint8_t *ctx;                /* extra binding chosen by the protocol; may be NULL */
	size_t ctx_len;
} vy_proof_ctx;

/* Largest number of branches (hi - lo + 1) of a range proof. */
#define VY_RANGE_MAX_BRANCHES 1024

/* ---- Schnorr proof of knowledge of x with X = g^x (§5.1) ---- */
typedef struct {
	vy_scalar c, v;
} vy_schnorr_proof;

vy_err vy_schnorr_prove(const vy_proof_ctx *pc, vy_schnorr_proof *out, const vy_elem *X, const vy_scalar *x)
	VY_WARN_UNUSED;
vy_err vy_schnorr_verify(const vy_proof_ctx *pc, const vy_schnorr_proof *p, const vy_elem *X) VY_WARN_UNUSED;

/* ---- Chaum-Pedersen: log_g1(h1) = log_g2(h2) = x (§5.2) ----
 * Used for decryption shares: g1 = g, h1 = the trustee's verification key,
 * g2 = alpha, h2 = alpha^x. */
typedef struct {
	vy_scalar c, v;
} vy_cp_proof;

vy_err vy_cp_prove(const vy_proof_ctx *pc, vy_cp_proof *out, const vy_elem *g1, const vy_elem *h1,
		   const vy_elem *g2, const vy_elem *h2, const vy_scalar *x) VY_WARN_UNUSED;
vy_err vy_cp_verify(const vy_proof_ctx *pc, const vy_cp_proof *p, const vy_elem *g1, const vy_elem *h1,
		    const vy_elem *g2, const vy_elem *h2) VY_WARN_UNUSED;

/* ---- Range proof: ciphertext ct under pk encrypts m in [lo, hi] (§5.3) ----
 * A disjunctive (CDS) proof with one branch per value. c and v each hold
 * n = hi - lo + 1 scalars, branch j at index j - lo. The 0/1 proof of a
 * selection is the case lo = 0, hi = 1. Constant time in m and r; m outside
 * [lo, hi] is a caller error (VY_ERR_VALUE_RANGE). */
vy_err vy_range_prove(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
		      const vy_ciphertext *ct, uint64_t lo, uint64_t hi, uint64_t m, const vy_scalar *r)
	VY_WARN_UNUSED;
vy_err vy_range_verify(const vy_proof_ctx *pc, const vy_scalar *c, const vy_scalar *v, size_t n,
		       const vy_elem *pk, const vy_ciphertext *ct, uint64_t lo, uint64_t hi) VY_WARN_UNUSED;

/* ---- Sum proof: the product of cts[0..count) encrypts a value in [lo, hi] (§5.4) ----
 * As the range proof on the product, with its own tag, and the statement
 * lists every ciphertext. m_sum and r_sum are the sums of the plaintexts and
 * of the randomness. */
vy_err vy_sum_prove(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
		    const vy_ciphertext *cts, size_t count, uint64_t lo, uint64_t hi, uint64_t m_sum,
		    const vy_scalar *r_sum) VY_WARN_UNUSED;
vy_err vy_sum_verify(const vy_proof_ctx *pc, const vy_scalar *c, const vy_scalar *v, size_t n,
		     const vy_elem *pk, const vy_ciphertext *cts, size_t count, uint64_t lo, uint64_t hi)
	VY_WARN_UNUSED;

#endif
