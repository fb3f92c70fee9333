/*
 * Schnorr proof of knowledge of a discrete log (specs/crypto.md §5.1).
 *
 *   statement:  X = g^x
 *   prover:     u random, h = g^u, c = H(X, h), v = u - c*x mod q
 *   proof:      (c, v)
 *   verifier:   h' = g^v * X^c, accept iff c == H(X, h')
 *
 * H is the transcript of vy_hash.h with tag VY_TAG_SCHNORR.
 */
#include "crypto/proof_impl.h"

#include <string.h>

#include "crypto/vy_hash.h"

/* A usable proof context: a group, and ctx present whenever ctx_len is. */
static int ctx_ok(const vy_proof_ctx *pc)
{
	return pc != NULL && pc->group != NULL && (pc->ctx != NULL || pc->ctx_len == 0);
}

/* §5.1 challenge: c = H(X, h). */
static void schnorr_challenge(const vy_proof_ctx *pc, vy_scalar *c, const vy_elem *X, const vy_elem *h)
{
	vy_transcript t;

	vy_transcript_init(&t, pc->group, VY_TAG_SCHNORR, pc->base_hash, pc->ctx, pc->ctx_len);
	vy_transcript_elem(&t, X);
	vy_transcript_elem(&t, h);
	vy_transcript_challenge(&t, c);
}

/* §5.1 prover with the nonce u supplied by the caller. Constant time in x and u. */
vy_err vy_schnorr_prove_det(const vy_proof_ctx *pc, vy_schnorr_proof *out, const vy_elem *X,
			    const vy_scalar *x, const vy_scalar *u)
{
	const vy_group *g;
	vy_elem h;
	vy_scalar cx;
	vy_err err = VY_OK;

	if (!ctx_ok(pc) || out == NULL || X == NULL || x == NULL || u == NULL) {
		err = VY_ERR_ARG;
		goto out;
	}
	g = pc->group;
	/* §5.1 commitment h = g^u. */
	vy_elem_exp_base(g, &h, u);
	/* §5.1 challenge and response v = u - c*x. */
	schnorr_challenge(pc, &out->c, X, &h);
	vy_scalar_mul(g, &cx, &out->c, x);
	vy_scalar_sub(g, &out->v, u, &cx);
out:
	vy_wipe(&h, sizeof h);
	vy_wipe(&cx, sizeof cx);
	if (err != VY_OK && out != NULL)
		memset(out, 0, sizeof *out);
	return err;
}

/* §5.1 prover with a fresh random nonce. */
vy_err vy_schnorr_prove(const vy_proof_ctx *pc, vy_schnorr_proof *out, const vy_elem *X, const vy_scalar *x)
{
	vy_scalar u;
	vy_err err;

	if (!ctx_ok(pc)) {
		err = VY_ERR_ARG;
		goto out;
	}
	vy_scalar_random(pc->group, &u);
	err = vy_schnorr_prove_det(pc, out, X, x, &u);
out:
	vy_wipe(&u, sizeof u);
	if (err != VY_OK && out != NULL)
		memset(out, 0, sizeof *out);
	return err;
}

/* §5.1 verifier: recompute h' = g^v * X^c and compare the challenge. */
vy_err vy_schnorr_verify(const vy_proof_ctx *pc, const vy_schnorr_proof *p, const vy_elem *X)
{
	const vy_group *g;
	vy_elem gen, h;
	vy_scalar c;

	if (!ctx_ok(pc) || p == NULL || X == NULL)
		return VY_ERR_ARG;
	g = pc->group;
	vy_elem_generator(g, &gen);
	vy_elem_exp2_public(g, &h, &gen, &p->v, X, &p->c);
	schnorr_challenge(pc, &c, X, &h);
	if (!vy_scalar_eq(g, &c, &p->c))
		return VY_ERR_PROOF;
	return VY_OK;
}
