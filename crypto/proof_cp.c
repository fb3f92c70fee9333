/*
 * Chaum-Pedersen proof of equality of discrete logs (specs/crypto.md §5.2).
 *
 *   statement:  h1 = g1^x, h2 = g2^x
 *   prover:     u random, a = g1^u, b = g2^u, c = H(g1, h1, g2, h2, a, b),
 *               v = u - c*x mod q
 *   proof:      (c, v)
 *   verifier:   a' = g1^v h1^c, b' = g2^v h2^c, accept iff c == H(g1, h1, g2, h2, a', b')
 *
 * H is the transcript of vy_hash.h with tag VY_TAG_CHAUM_PEDERSEN.
 */
#include "crypto/proof_impl.h"

#include <string.h>

#include "crypto/vy_hash.h"

/* A usable proof context: a group, and ctx present whenever ctx_len is. */
static int ctx_ok(const vy_proof_ctx *pc)
{
	return pc != NULL && pc->group != NULL && (pc->ctx != NULL || pc->ctx_len == 0);
}

/* §5.2 challenge: c = H(g1, h1, g2, h2, a, b). */
static void cp_challenge(const vy_proof_ctx *pc, vy_scalar *c, const vy_elem *g1, const vy_elem *h1,
			 const vy_elem *g2, const vy_elem *h2, const vy_elem *a, const vy_elem *b)
{
	vy_transcript t;

	vy_transcript_init(&t, pc->group, VY_TAG_CHAUM_PEDERSEN, pc->base_hash, pc->ctx, pc->ctx_len);
	vy_transcript_elem(&t, g1);
	vy_transcript_elem(&t, h1);
	vy_transcript_elem(&t, g2);
	vy_transcript_elem(&t, h2);
	vy_transcript_elem(&t, a);
	vy_transcript_elem(&t, b);
	vy_transcript_challenge(&t, c);
}

/* §5.2 prover with the nonce u supplied by the caller. Constant time in x and u. */
vy_err vy_cp_prove_det(const vy_proof_ctx *pc, vy_cp_proof *out, const vy_elem *g1, const vy_elem *h1,
		       const vy_elem *g2, const vy_elem *h2, const vy_scalar *x, const vy_scalar *u)
{
	const vy_group *g;
	vy_elem a, b;
	vy_scalar cx;
	vy_err err = VY_OK;

	if (!ctx_ok(pc) || out == NULL || g1 == NULL || h1 == NULL || g2 == NULL || h2 == NULL ||
	    x == NULL || u == NULL) {
		err = VY_ERR_ARG;
		goto out;
	}
	g = pc->group;
	/* §5.2 commitments a = g1^u, b = g2^u. */
	vy_elem_exp(g, &a, g1, u);
	vy_elem_exp(g, &b, g2, u);
	/* §5.2 challenge and response v = u - c*x. */
	cp_challenge(pc, &out->c, g1, h1, g2, h2, &a, &b);
	vy_scalar_mul(g, &cx, &out->c, x);
	vy_scalar_sub(g, &out->v, u, &cx);
out:
	vy_wipe(&a, sizeof a);
	vy_wipe(&b, sizeof b);
	vy_wipe(&cx, sizeof cx);
	if (err != VY_OK && out != NULL)
		memset(out, 0, sizeof *out);
	return err;
}

/* §5.2 prover with a fresh random nonce. */
vy_err vy_cp_prove(const vy_proof_ctx *pc, vy_cp_proof *out, const vy_elem *g1, const vy_elem *h1,
		   const vy_elem *g2, const vy_elem *h2, const vy_scalar *x)
{
	vy_scalar u;
	vy_err err;

	if (!ctx_ok(pc)) {
		err = VY_ERR_ARG;
		goto out;
	}
	vy_scalar_random(pc->group, &u);
	err = vy_cp_prove_det(pc, out, g1, h1, g2, h2, x, &u);
out:
	vy_wipe(&u, sizeof u);
	if (err != VY_OK && out != NULL)
		memset(out, 0, sizeof *out);
	return err;
}

/* §5.2 verifier: recompute a' = g1^v h1^c, b' = g2^v h2^c and compare the challenge. */
vy_err vy_cp_verify(const vy_proof_ctx *pc, const vy_cp_proof *p, const vy_elem *g1, const vy_elem *h1,
		    const vy_elem *g2, const vy_elem *h2)
{
	const vy_group *g;
	vy_elem a, b;
	vy_scalar c;

	if (!ctx_ok(pc) || p == NULL || g1 == NULL || h1 == NULL || g2 == NULL || h2 == NULL)
		return VY_ERR_ARG;
	g = pc->group;
	vy_elem_exp2_public(g, &a, g1, &p->v, h1, &p->c);
	vy_elem_exp2_public(g, &b, g2, &p->v, h2, &p->c);
	cp_challenge(pc, &c, g1, h1, g2, h2, &a, &b);
	if (!vy_scalar_eq(g, &c, &p->c))
		return VY_ERR_PROOF;
	return VY_OK;
}
