/*
 * Range proofs (specs/crypto.md §5.3) and sum proofs (§5.4): disjunctive
 * Chaum-Pedersen (CDS) proofs that an ElGamal ciphertext (alpha, beta) under
 * pk encrypts some m in [lo, hi].
 *
 *   branches:   n = hi - lo + 1, branch j in [lo, hi] at index j - lo
 *   simulated:  for j != m, (c_j, v_j) random,
 *               a_j = g^{v_j} alpha^{c_j}, b_j = pk^{v_j} (beta / g^j)^{c_j}
 *   true:       a_m = g^u, b_m = pk^u
 *   challenge:  c = H(statement, u64 lo, u64 hi, a_lo, b_lo, ..., a_hi, b_hi)
 *   response:   c_m = c - sum_{j != m} c_j, v_m = u - c_m * r
 *   proof:      c[0..n), v[0..n)
 *   verifier:   recompute every (a_j, b_j) from (c_j, v_j), accept iff
 *               sum_j c_j == H(...)
 *
 * §5.3 range: tag VY_TAG_RANGE, statement (pk, alpha, beta).
 * §5.4 sum:   tag VY_TAG_SUM_RANGE, statement (pk, u64 count, alpha_0,
 *             beta_0, ..., alpha_{count-1}, beta_{count-1}, A, B), where
 *             (A, B) is the product of the ciphertexts; the rest is the
 *             range construction on (A, B), with the same code.
 *
 * The prover is constant time in m and r: every branch, true or simulated,
 * is one and the same computation (branch_commit_prover), and values are
 * placed with cmov under a flag computed without branching. Even the check lo <= m <= hi is computed without
 * branching: an out-of-range m yields zeroed outputs and VY_ERR_VALUE_RANGE.
 */
#include "crypto/proof_impl.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/internal.h"
#include "crypto/vy_hash.h"

/* A usable proof context: a group, and ctx present whenever ctx_len is. */
static int ctx_ok(const vy_proof_ctx *pc)
{
	return pc != NULL && pc->group != NULL && (pc->ctx != NULL || pc->ctx_len == 0);
}

/* 1 if x > y, else 0, without branching (BearSSL's GT on 64 bits). */
static int ct_gt_u64(uint64_t x, uint64_t y)
{
	uint64_t z = y - x;

	return (int)((z ^ ((x ^ y) & (x ^ z))) >> 63);
}

/* 1 if x < q. The scalar encoding (§2.3) is little-endian for some groups
 * and big-endian for others: the encoding of 1 tells which, and x < q
 * exactly when its 32-byte encoding decodes as a canonical scalar. */
static int u64_below_q(const vy_group *g, uint64_t x)
{
	uint8_t one_enc[VY_SCALAR_BYTES], enc[VY_SCALAR_BYTES] = { 0 };
	vy_scalar s;
	int little;

	vy_scalar_from_u64(g, &s, 1);
	vy_scalar_encode(g, one_enc, &s);
	little = one_enc[0] == 1;
	for (size_t i = 0; i < 8; i++) {
		uint8_t byte = (uint8_t)(x >> (8 * i));

		if (little)
			enc[i] = byte;
		else
			enc[VY_SCALAR_BYTES - 1 - i] = byte;
	}
	return vy_scalar_decode(g, &s, enc, sizeof enc) == VY_OK;
}

/* §5.3 requirements on the bounds, checked before anything else. */
static vy_err check_bounds(const vy_group *g, size_t n, uint64_t lo, uint64_t hi)
{
	if (hi < lo)
		return VY_ERR_VALUE_RANGE;
	if (n == 0 || hi - lo != (uint64_t)(n - 1))
		return VY_ERR_ARG;
	if (n > VY_RANGE_MAX_BRANCHES)
		return VY_ERR_VALUE_RANGE;
	if (!u64_below_q(g, hi))
		return VY_ERR_VALUE_RANGE;
	return VY_OK;
}

/* Zero the n-scalar outputs of a failed prover (when they exist). */
static void zero_outputs(vy_scalar *c, vy_scalar *v, size_t n)
{
	if (c != NULL)
		memset(c, 0, n * sizeof *c);
	if (v != NULL)
		memset(v, 0, n * sizeof *v);
}

/* §5.3 branch j from (c, v), public values only (verification):
 *   a = g^v alpha^c,  b = pk^v (beta / g^j)^c = pk^v beta^c g^(-j c),
 * each one variable-time multi-exponentiation (no division). */
void vy_range_branch_commit(const vy_group *g, vy_elem *a, vy_elem *b, const vy_elem *pk,
			    const vy_ciphertext *ct, uint64_t j, const vy_scalar *c, const vy_scalar *v)
{
	vy_elem bases[3];
	vy_scalar k[3];

	vy_elem_generator(g, &bases[0]);
	bases[1] = ct->alpha;
	k[0] = *v;
	k[1] = *c;
	vy_elem_multiexp_public(g, a, 2, bases, k);

	bases[0] = *pk;
	bases[1] = ct->beta;
	vy_elem_generator(g, &bases[2]);
	vy_scalar_from_u64(g, &k[2], j);
	vy_scalar_mul(g, &k[2], &k[2], c);
	vy_scalar_neg(g, &k[2], &k[2]);
	vy_elem_multiexp_public(g, b, 3, bases, k);
}

/* The proof's values: (c_m, v_m) at the true branch, the simulated values
 * elsewhere, everything zero when m is out of range (in_range = 0). Placed
 * with cmov, constant time in m. */
static void place_responses(const vy_group *g, vy_scalar *c, vy_scalar *v, size_t n, uint64_t lo, uint64_t m,
			    const vy_scalar *cm, const vy_scalar *vm, const vy_scalar *sim_c,
			    const vy_scalar *sim_v, int in_range)
{
	vy_scalar zero;
	int flag;

	vy_scalar_from_u64(g, &zero, 0);
	for (size_t j = 0; j < n; j++) {
		flag = vy_ct_eq_u64(lo + j, m);
		c[j] = sim_c[j];
		v[j] = sim_v[j];
		vy_scalar_cmov(g, &c[j], cm, flag);
		vy_scalar_cmov(g, &v[j], vm, flag);
		vy_scalar_cmov(g, &c[j], &zero, 1 - in_range);
		vy_scalar_cmov(g, &v[j], &zero, 1 - in_range);
	}
	vy_wipe(&flag, sizeof flag);
}

/*
 * One branch's commitments as the prover computes them, from what it knows
 * (m, r) instead of from the ciphertext. With (c', v') = (c_j, v_j) for a
 * simulated branch and (0, u) for the true one, and w = v' + r c':
 *
 *   a_j = g^{v'} alpha^{c'}           = g^w
 *   b_j = pk^{v'} (beta / g^j)^{c'}   = pk^w g^{(m - j) c'}
 *
 * because alpha = g^r and beta = g^m pk^r. The values are those of §5.3
 * (a verifier recomputes the same elements from the ciphertext), but every
 * branch, true or simulated, is the same computation: nothing depends on
 * which branch is true, and it costs one variable-base exponentiation
 * instead of three. Constant time in every input.
 */
static void branch_commit_prover(const vy_group *g, vy_elem *a, vy_elem *b, const vy_elem *pk,
				 const vy_scalar *ms, const vy_scalar *r, uint64_t j, const vy_scalar *c1,
				 const vy_scalar *v1)
{
	vy_scalar w, d, js;
	vy_elem t1, t2;

	vy_scalar_mul(g, &w, r, c1);
	vy_scalar_add(g, &w, &w, v1);
	vy_scalar_from_u64(g, &js, j);
	vy_scalar_sub(g, &d, ms, &js);
	vy_scalar_mul(g, &d, &d, c1);
	vy_elem_exp_base(g, a, &w);
	vy_elem_exp(g, &t1, pk, &w);
	vy_elem_exp_base(g, &t2, &d);
	vy_elem_mul(g, b, &t1, &t2);
	vy_wipe(&w, sizeof w);
	vy_wipe(&d, sizeof d);
	vy_wipe(&t1, sizeof t1);
	vy_wipe(&t2, sizeof t2);
}

/*
 * The prover shared by §5.3 and §5.4, on a transcript already fed with the
 * statement prefix. Bounds are checked by the caller. ct must encrypt m with
 * randomness r (otherwise the proof simply does not verify). Constant time
 * in m, r and every nonce; returns VY_ERR_VALUE_RANGE (outputs zeroed) when
 * m is not in [lo, hi], decided without branching.
 */
static vy_err range_core_prove(const vy_group *g, vy_transcript *t, vy_scalar *c, vy_scalar *v, size_t n,
			       const vy_elem *pk, uint64_t lo, uint64_t hi, uint64_t m, const vy_scalar *r,
			       const vy_scalar *u, const vy_scalar *sim_c, const vy_scalar *sim_v)
{
	vy_elem a, b;
	vy_scalar zero, sum, ms, c1, v1, ch, cm, vm, cr;
	int in_range, flag;
	vy_err err;

	/* lo <= m <= hi, without branching on m. */
	in_range = (1 - ct_gt_u64(lo, m)) & (1 - ct_gt_u64(m, hi));

	vy_scalar_from_u64(g, &zero, 0);
	vy_scalar_from_u64(g, &sum, 0);
	vy_scalar_from_u64(g, &ms, m);
	vy_transcript_u64(t, lo);
	vy_transcript_u64(t, hi);

	/* §5.3 every branch's (a_j, b_j), in order, into the challenge: the
	 * true branch with (c', v') = (0, u), the others simulated. */
	for (size_t j = 0; j < n; j++) {
		flag = vy_ct_eq_u64(lo + j, m);
		c1 = sim_c[j];
		v1 = sim_v[j];
		vy_scalar_cmov(g, &c1, &zero, flag);
		vy_scalar_cmov(g, &v1, u, flag);
		branch_commit_prover(g, &a, &b, pk, &ms, r, lo + j, &c1, &v1);
		vy_transcript_elem(t, &a);
		vy_transcript_elem(t, &b);
		/* sum_{j != m} c_j: the true branch's c' is zero. */
		vy_scalar_add(g, &sum, &sum, &c1);
	}
	vy_transcript_challenge(t, &ch); /* §5.3 challenge c */

	/* §5.3 response: c_m = c - sum_{j != m} c_j, v_m = u - c_m * r. */
	vy_scalar_sub(g, &cm, &ch, &sum);
	vy_scalar_mul(g, &cr, &cm, r);
	vy_scalar_sub(g, &vm, u, &cr);

	place_responses(g, c, v, n, lo, m, &cm, &vm, sim_c, sim_v, in_range);
	err = (vy_err)((unsigned)VY_ERR_VALUE_RANGE & (0u - (unsigned)(1 - in_range)));

	vy_wipe(&a, sizeof a);
	vy_wipe(&b, sizeof b);
	vy_wipe(&sum, sizeof sum);
	vy_wipe(&ms, sizeof ms);
	vy_wipe(&c1, sizeof c1);
	vy_wipe(&v1, sizeof v1);
	vy_wipe(&cm, sizeof cm);
	vy_wipe(&vm, sizeof vm);
	vy_wipe(&cr, sizeof cr);
	vy_wipe(&in_range, sizeof in_range);
	vy_wipe(&flag, sizeof flag);
	return err;
}

/* The verifier shared by §5.3 and §5.4, on a transcript already fed with
 * the statement prefix: recompute each (a_j, b_j), accept iff the branch
 * challenges sum to the transcript's challenge. */
static vy_err range_core_verify(const vy_group *g, vy_transcript *t, const vy_scalar *c, const vy_scalar *v,
				size_t n, const vy_elem *pk, const vy_ciphertext *ct, uint64_t lo, uint64_t hi)
{
	vy_elem a, b;
	vy_scalar sum, ch;

	vy_scalar_from_u64(g, &sum, 0);
	vy_transcript_u64(t, lo);
	vy_transcript_u64(t, hi);
	for (size_t j = 0; j < n; j++) {
		vy_range_branch_commit(g, &a, &b, pk, ct, lo + j, &c[j], &v[j]);
		vy_transcript_elem(t, &a);
		vy_transcript_elem(t, &b);
		vy_scalar_add(g, &sum, &sum, &c[j]);
	}
	vy_transcript_challenge(t, &ch);
	if (!vy_scalar_eq(g, &ch, &sum))
		return VY_ERR_PROOF;
	return VY_OK;
}

/* §5.3 statement prefix: tag VY_TAG_RANGE, then pk, alpha, beta. */
static void range_statement(const vy_proof_ctx *pc, vy_transcript *t, const vy_elem *pk,
			    const vy_ciphertext *ct)
{
	vy_transcript_init(t, pc->group, VY_TAG_RANGE, pc->base_hash, pc->ctx, pc->ctx_len);
	vy_transcript_elem(t, pk);
	vy_transcript_elem(t, &ct->alpha);
	vy_transcript_elem(t, &ct->beta);
}

#define PROD_CHUNK 16 /* ciphertext components multiplied per vy_elem_prod_public */

/* out = the product of the alpha (or beta) components of cts, through
 * vy_elem_prod_public a chunk at a time (part[0] carries the running
 * product), so nothing is allocated. */
static void product_component(const vy_group *g, vy_elem *out, const vy_ciphertext *cts, size_t count,
			      int beta)
{
	vy_elem part[PROD_CHUNK + 1];
	size_t m = 1;

	vy_elem_identity(g, &part[0]);
	for (size_t i = 0; i < count; i++) {
		part[m++] = beta ? cts[i].beta : cts[i].alpha;
		if (m == PROD_CHUNK + 1 || i + 1 == count) {
			vy_elem_prod_public(g, &part[0], m, part);
			m = 1;
		}
	}
	*out = part[0];
}

/* §5.4 statement prefix: tag VY_TAG_SUM_RANGE, then pk, u64 count, every
 * ciphertext, and their product (A, B), which is also returned in prod.
 * The ciphertexts are public (the prover publishes them with its proof),
 * so their product takes the variable-time path, for the prover too. */
static void sum_statement(const vy_proof_ctx *pc, vy_transcript *t, vy_ciphertext *prod, const vy_elem *pk,
			  const vy_ciphertext *cts, size_t count)
{
	const vy_group *g = pc->group;

	vy_transcript_init(t, g, VY_TAG_SUM_RANGE, pc->base_hash, pc->ctx, pc->ctx_len);
	vy_transcript_elem(t, pk);
	vy_transcript_u64(t, (uint64_t)count);
	for (size_t i = 0; i < count; i++) {
		vy_transcript_elem(t, &cts[i].alpha);
		vy_transcript_elem(t, &cts[i].beta);
	}
	product_component(g, &prod->alpha, cts, count, 0);
	product_component(g, &prod->beta, cts, count, 1);
	vy_transcript_elem(t, &prod->alpha);
	vy_transcript_elem(t, &prod->beta);
}

/* Arguments common to the four range and sum entry points. */
static vy_err check_args(const vy_proof_ctx *pc, const vy_scalar *c, const vy_scalar *v, size_t n,
			 const vy_elem *pk, uint64_t lo, uint64_t hi)
{
	if (!ctx_ok(pc) || c == NULL || v == NULL || pk == NULL)
		return VY_ERR_ARG;
	return check_bounds(pc->group, n, lo, hi);
}

/* Fresh random nonces for a prover: u, and sim_c, sim_v for every branch
 * (heap arrays of n, which the caller wipes and frees). */
static vy_err draw_nonces(const vy_group *g, vy_scalar *u, vy_scalar **sim_c, vy_scalar **sim_v, size_t n)
{
	*sim_c = calloc(n, sizeof **sim_c);
	*sim_v = calloc(n, sizeof **sim_v);
	if (*sim_c == NULL || *sim_v == NULL)
		return VY_ERR_NOMEM;
	vy_scalar_random(g, u);
	for (size_t j = 0; j < n; j++) {
		vy_scalar_random(g, &(*sim_c)[j]);
		vy_scalar_random(g, &(*sim_v)[j]);
	}
	return VY_OK;
}

/* Wipe and free the nonce arrays of draw_nonces (NULL is fine). */
static void free_nonces(vy_scalar *sim_c, vy_scalar *sim_v, size_t n)
{
	if (sim_c != NULL) {
		vy_wipe(sim_c, n * sizeof *sim_c);
		free(sim_c);
	}
	if (sim_v != NULL) {
		vy_wipe(sim_v, n * sizeof *sim_v);
		free(sim_v);
	}
}

/* §5.3 prover with every random value supplied. The secrets live only in
 * range_core_prove, which wipes them; this function holds none. */
vy_err vy_range_prove_det(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
			  const vy_ciphertext *ct, uint64_t lo, uint64_t hi, uint64_t m, const vy_scalar *r,
			  const vy_scalar *u, const vy_scalar *sim_c, const vy_scalar *sim_v)
{
	vy_transcript t;
	vy_err err;

	err = check_args(pc, c, v, n, pk, lo, hi);
	if (err == VY_OK && (ct == NULL || r == NULL || u == NULL || sim_c == NULL || sim_v == NULL))
		err = VY_ERR_ARG;
	if (err != VY_OK) {
		zero_outputs(c, v, n);
		return err;
	}
	range_statement(pc, &t, pk, ct);
	return range_core_prove(pc->group, &t, c, v, n, pk, lo, hi, m, r, u, sim_c, sim_v);
}

/* §5.3 prover with fresh nonces. */
vy_err vy_range_prove(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
		      const vy_ciphertext *ct, uint64_t lo, uint64_t hi, uint64_t m, const vy_scalar *r)
{
	vy_scalar u, *sim_c = NULL, *sim_v = NULL;
	vy_err err;

	err = check_args(pc, c, v, n, pk, lo, hi);
	if (err != VY_OK)
		goto out;
	err = draw_nonces(pc->group, &u, &sim_c, &sim_v, n);
	if (err != VY_OK)
		goto out;
	err = vy_range_prove_det(pc, c, v, n, pk, ct, lo, hi, m, r, &u, sim_c, sim_v);
out:
	vy_wipe(&u, sizeof u);
	free_nonces(sim_c, sim_v, n);
	if (err != VY_OK)
		zero_outputs(c, v, n);
	return err;
}

/* §5.3 verifier. */
vy_err vy_range_verify(const vy_proof_ctx *pc, const vy_scalar *c, const vy_scalar *v, size_t n,
		       const vy_elem *pk, const vy_ciphertext *ct, uint64_t lo, uint64_t hi)
{
	vy_transcript t;
	vy_err err;

	err = check_args(pc, c, v, n, pk, lo, hi);
	if (err != VY_OK)
		return err;
	if (ct == NULL)
		return VY_ERR_ARG;
	range_statement(pc, &t, pk, ct);
	return range_core_verify(pc->group, &t, c, v, n, pk, ct, lo, hi);
}

/* §5.4 prover with every random value supplied: the range construction on
 * the product of the ciphertexts. Holds no secrets itself. */
vy_err vy_sum_prove_det(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
			const vy_ciphertext *cts, size_t count, uint64_t lo, uint64_t hi, uint64_t m_sum,
			const vy_scalar *r_sum, const vy_scalar *u, const vy_scalar *sim_c,
			const vy_scalar *sim_v)
{
	vy_transcript t;
	vy_ciphertext prod;
	vy_err err;

	err = check_args(pc, c, v, n, pk, lo, hi);
	if (err == VY_OK && (cts == NULL || count == 0 || r_sum == NULL || u == NULL || sim_c == NULL ||
			     sim_v == NULL))
		err = VY_ERR_ARG;
	if (err != VY_OK) {
		zero_outputs(c, v, n);
		return err;
	}
	sum_statement(pc, &t, &prod, pk, cts, count);
	return range_core_prove(pc->group, &t, c, v, n, pk, lo, hi, m_sum, r_sum, u, sim_c, sim_v);
}

/* §5.4 prover with fresh nonces. */
vy_err vy_sum_prove(const vy_proof_ctx *pc, vy_scalar *c, vy_scalar *v, size_t n, const vy_elem *pk,
		    const vy_ciphertext *cts, size_t count, uint64_t lo, uint64_t hi, uint64_t m_sum,
		    const vy_scalar *r_sum)
{
	vy_scalar u, *sim_c = NULL, *sim_v = NULL;
	vy_err err;

	err = check_args(pc, c, v, n, pk, lo, hi);
	if (err != VY_OK)
		goto out;
	err = draw_nonces(pc->group, &u, &sim_c, &sim_v, n);
	if (err != VY_OK)
		goto out;
	err = vy_sum_prove_det(pc, c, v, n, pk, cts, count, lo, hi, m_sum, r_sum, &u, sim_c, sim_v);
out:
	vy_wipe(&u, sizeof u);
	free_nonces(sim_c, sim_v, n);
	if (err != VY_OK)
		zero_outputs(c, v, n);
	return err;
}

/* §5.4 verifier. */
vy_err vy_sum_verify(const vy_proof_ctx *pc, const vy_scalar *c, const vy_scalar *v, size_t n,
		     const vy_elem *pk, const vy_ciphertext *cts, size_t count, uint64_t lo, uint64_t hi)
{
	vy_transcript t;
	vy_ciphertext prod;
	vy_err err;

	err = check_args(pc, c, v, n, pk, lo, hi);
	if (err != VY_OK)
		return err;
	if (cts == NULL || count == 0)
		return VY_ERR_ARG;
	sum_statement(pc, &t, &prod, pk, cts, count);
	return range_core_verify(pc->group, &t, c, v, n, pk, &prod, lo, hi);
}
