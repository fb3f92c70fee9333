/*
 * Integer (Schnorr) groups: the order-q subgroup of Z_p^* (specs/crypto.md §2).
 * Used for modp4096 (group_modp4096.c) and the tests' toy group (p = 23).
 *
 * Encodings (§2.3):
 *  - an element is the big-endian integer in [1, p), exactly elem_bytes =
 *    byte length of p, zero-padded on the left;
 *  - a scalar is the big-endian integer in [0, q), 32 bytes, for every
 *    integer group (so q has at most 256 bits).
 *
 * Operations that can see secrets run on GMP's mpn layer at fixed limb
 * counts, with the mpn_sec_* and mpn_cnd_* functions, so that neither their
 * time nor their memory accesses depend on the values: all scalar arithmetic
 * (limb count of q), element multiplication and exponentiation with a secret
 * exponent (limb count of p; mpn_sec_powm is what mpz_powm_sec runs, minus
 * the normalisations of mpz that would branch on the exponent and result).
 * Decoding, division and the *_public operations work on public values and
 * use mpz.
 * No GMP type leaves this file: the state sits behind g->impl.
 */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <sodium.h>

#include "crypto/group_impl.h"
#include "crypto/internal.h"

#if GMP_NAIL_BITS != 0
#error "group_zp.c assumes GMP limbs without nail bits"
#endif

#define LIMB_BYTES (GMP_NUMB_BITS / 8)
#define SCALAR_LIMBS (VY_SCALAR_BYTES / LIMB_BYTES) /* a 32-byte scalar in limbs */
#define WIDE_BYTES 64                               /* input of scalar_from_wide */
#define WIDE_LIMBS (WIDE_BYTES / LIMB_BYTES)
#define SCALAR_MAX_BITS (8 * VY_SCALAR_BYTES)
#define ELEM_LIMBS (VY_ELEM_MAX_BYTES / LIMB_BYTES) /* largest p in limbs */
#define SCRATCH_LIMBS 128 /* scalar mpn_sec_* scratch; checked against the _itch functions at init */
#define RANDOM_BYTES WIDE_BYTES

/* The parameters of one integer group. Read-only after vy_zp_group_init. */
typedef struct {
	mpz_t p;
	mpz_t q;
	mpz_t g;
	mp_size_t qn;              /* limbs of q (its top limb is non-zero) */
	mp_limb_t q_limbs[SCALAR_LIMBS];
	mp_size_t pn;              /* limbs of p (its top limb is non-zero) */
	mp_limb_t p_limbs[ELEM_LIMBS];
	mp_limb_t g_limbs[ELEM_LIMBS];
	size_t powm_itch;          /* scratch limbs of mpn_sec_powm */
	size_t mulmod_itch;        /* scratch limbs of elem_mul */
	/* exp_offset = q * ceil(2^(qn * GMP_NUMB_BITS) / q): a multiple of q
	 * with exactly qn + 1 limbs, and so is exp_offset + k for every k < q. */
	mp_limb_t exp_offset[SCALAR_LIMBS + 1];
	size_t elem_bytes;
} zp_params;

static const zp_params *params(const vy_group *g)
{
	return (const zp_params *)g->impl;
}

/* ---- conversions ---- */

/* Big-endian bytes (in_len = n * LIMB_BYTES) to n little-endian limbs,
 * with no branch on the values. */
static void limbs_from_be(mp_limb_t *out, size_t n, const uint8_t *in)
{
	size_t in_len = n * LIMB_BYTES;

	for (size_t i = 0; i < n; i++) {
		mp_limb_t w = 0;
		const uint8_t *src = in + in_len - (i + 1) * LIMB_BYTES;

		for (size_t j = 0; j < LIMB_BYTES; j++)
			w = (w << 8) | src[j];
		out[i] = w;
	}
}

/* n limbs (n <= SCALAR_LIMBS) to a 32-byte big-endian scalar, zero above. */
static void scalar_from_limbs(vy_scalar *out, const mp_limb_t *in, size_t n)
{
	memset(out->b, 0, sizeof out->b);
	for (size_t i = 0; i < n; i++) {
		mp_limb_t w = in[i];
		uint8_t *dst = out->b + VY_SCALAR_BYTES - (i + 1) * LIMB_BYTES;

		for (size_t j = LIMB_BYTES; j-- > 0;) {
			dst[j] = (uint8_t)w;
			w >>= 8;
		}
	}
}

/* A (canonical) scalar to SCALAR_LIMBS limbs; the limbs from qn up are zero. */
static void scalar_to_limbs(mp_limb_t out[SCALAR_LIMBS], const vy_scalar *s)
{
	limbs_from_be(out, SCALAR_LIMBS, s->b);
}

/* An element encoding to an mpz, for the operations on public elements
 * (decode, div, exp2_public): mpz branches on the value. */
static void elem_to_mpz(const zp_params *zp, mpz_t out, const vy_elem *e)
{
	mpz_import(out, zp->elem_bytes, 1, 1, 1, 0, e->b);
}

/* An mpz in [1, p) to its element encoding: big-endian, left-padded, the
 * rest of the buffer zero. */
static void elem_from_mpz(const zp_params *zp, vy_elem *out, const mpz_t v)
{
	size_t n = (mpz_sizeinbase(v, 2) + 7) / 8;

	memset(out->b, 0, sizeof out->b);
	mpz_export(out->b + zp->elem_bytes - n, NULL, 1, 1, 1, 0, v);
}

/* An element encoding to pn limbs (the rest of ELEM_LIMBS zero), with no
 * branch on the value. */
static void elem_to_limbs(const zp_params *zp, mp_limb_t out[ELEM_LIMBS], const vy_elem *e)
{
	memset(out, 0, ELEM_LIMBS * sizeof(mp_limb_t));
	for (size_t j = 0; j < zp->elem_bytes; j++) {
		mp_limb_t byte = e->b[zp->elem_bytes - 1 - j];

		out[j / LIMB_BYTES] |= byte << (8 * (j % LIMB_BYTES));
	}
}

/* pn limbs holding a value in [1, p) to its element encoding, with no
 * branch on the value. */
static void elem_from_limbs(const zp_params *zp, vy_elem *out, const mp_limb_t *in)
{
	memset(out->b, 0, sizeof out->b);
	for (size_t j = 0; j < zp->elem_bytes; j++)
		out->b[zp->elem_bytes - 1 - j] = (uint8_t)(in[j / LIMB_BYTES] >> (8 * (j % LIMB_BYTES)));
}

/* Scratch limbs for the element operations (too big for the stack at 4096
 * bits). GMP cannot fail, so neither can this: abort on exhaustion. */
static mp_limb_t *scratch_alloc(size_t limbs)
{
	mp_limb_t *p = calloc(limbs != 0 ? limbs : 1, sizeof(mp_limb_t));

	if (p == NULL)
		abort();
	return p;
}

/* Wipe and free scratch limbs. */
static void scratch_free(mp_limb_t *p, size_t limbs)
{
	sodium_memzero(p, limbs * sizeof(mp_limb_t));
	free(p);
}

/* ---- elements ---- */

/* Decode and validate (§2.3): exact length, 0 < x < p, x^q = 1 mod p. The
 * identity is accepted; group.c rejects it where required. */
static vy_err zp_elem_decode(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len)
{
	const zp_params *zp = params(g);
	vy_err err = VY_OK;
	mpz_t x, t;

	mpz_inits(x, t, NULL);
	if (in_len != zp->elem_bytes) {
		err = VY_ERR_LENGTH;
		goto out;
	}
	mpz_import(x, in_len, 1, 1, 1, 0, in);
	if (mpz_sgn(x) == 0 || mpz_cmp(x, zp->p) >= 0) {
		err = VY_ERR_NONCANONICAL;
		goto out;
	}
	mpz_powm(t, x, zp->q, zp->p);
	if (mpz_cmp_ui(t, 1) != 0) {
		err = VY_ERR_NOT_IN_GROUP;
		goto out;
	}
	elem_from_mpz(zp, out, x);
out:
	if (err != VY_OK)
		memset(out, 0, sizeof *out);
	mpz_clears(x, t, NULL);
	return err;
}

/* The identity: the integer 1. */
static void zp_elem_identity(const vy_group *g, vy_elem *out)
{
	const zp_params *zp = params(g);

	memset(out->b, 0, sizeof out->b);
	out->b[zp->elem_bytes - 1] = 1;
}

/* The generator g of the order-q subgroup. */
static void zp_elem_generator(const vy_group *g, vy_elem *out)
{
	const zp_params *zp = params(g);

	elem_from_mpz(zp, out, zp->g);
}

/* r = a * b mod p, constant time (products of secret-derived elements occur,
 * e.g. g^m * pk^r in encryption): a 2pn-limb product, then a remainder. */
static void zp_elem_mul(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	const zp_params *zp = params(g);
	mp_limb_t x[ELEM_LIMBS], y[ELEM_LIMBS], prod[2 * ELEM_LIMBS];
	mp_limb_t *scratch = scratch_alloc(zp->mulmod_itch);

	elem_to_limbs(zp, x, a);
	elem_to_limbs(zp, y, b);
	mpn_sec_mul(prod, x, zp->pn, y, zp->pn, scratch);
	mpn_sec_div_r(prod, 2 * zp->pn, zp->p_limbs, zp->pn, scratch);
	elem_from_limbs(zp, r, prod);
	sodium_memzero(x, sizeof x);
	sodium_memzero(y, sizeof y);
	sodium_memzero(prod, sizeof prod);
	scratch_free(scratch, zp->mulmod_itch);
}

/* r = a * b^-1 mod p, variable time (mpz_invert): for public elements only.
 * In our uses the divisors are public (ciphertext components, g^j in proof
 * verification, published decryption shares). To divide by a secret-derived
 * element alpha^k, multiply by alpha^(-k) instead (exp and mul are constant
 * time). */
static void zp_elem_div(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	const zp_params *zp = params(g);
	mpz_t x, y;

	mpz_inits(x, y, NULL);
	elem_to_mpz(zp, x, a);
	elem_to_mpz(zp, y, b);
	/* b is in [1, p) and p is prime, so the inverse exists. */
	if (mpz_invert(y, y, zp->p) == 0)
		abort();
	mpz_mul(x, x, y);
	mpz_mod(x, x, zp->p);
	elem_from_mpz(zp, r, x);
	mpz_clears(x, y, NULL);
}

/* r = base^k mod p for a secret k, with base given as pn limbs; constant
 * time in k and base. mpn_sec_powm runs in a time set by the exponent's
 * declared bit count, and wants E > 0. We use E = k + exp_offset: exp_offset
 * is a multiple of q, so the result is the same on the order-q subgroup,
 * E > 0, and E always has exactly qn + 1 limbs, whatever k is (zero, small
 * or large). (k + q, as mpz_powm_sec would be given it, has 4 or 5 limbs for
 * modp4096 depending on k.) */
static void exp_secret(const zp_params *zp, vy_elem *r, const mp_limb_t *base, const vy_scalar *k)
{
	mp_limb_t e[SCALAR_LIMBS + 1], res[ELEM_LIMBS];
	mp_limb_t *scratch = scratch_alloc(zp->powm_itch);
	mp_size_t n = zp->qn;

	scalar_to_limbs(e, k);
	e[n] = 0;
	/* k < q < 2^(n limbs), so only the first n limbs of k are non-zero. */
	mpn_add_n(e, e, zp->exp_offset, n + 1);
	mpn_sec_powm(res, base, zp->pn, e, (mp_bitcnt_t)(n + 1) * GMP_NUMB_BITS, zp->p_limbs, zp->pn,
		     scratch);
	elem_from_limbs(zp, r, res);
	sodium_memzero(e, sizeof e);
	sodium_memzero(res, sizeof res);
	scratch_free(scratch, zp->powm_itch);
}

/* r = a^k, k secret. */
static void zp_elem_exp(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k)
{
	const zp_params *zp = params(g);
	mp_limb_t base[ELEM_LIMBS];

	elem_to_limbs(zp, base, a);
	exp_secret(zp, r, base, k);
	sodium_memzero(base, sizeof base);
}

/* r = g^k, k secret. */
static void zp_elem_exp_base(const vy_group *g, vy_elem *r, const vy_scalar *k)
{
	const zp_params *zp = params(g);

	exp_secret(zp, r, zp->g_limbs, k);
}

/* ---- elements: public values only (variable time, mpz) ---- */

/* r = a * b mod p. */
static void zp_elem_mul_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	const zp_params *zp = params(g);
	mpz_t x, y;

	mpz_inits(x, y, NULL);
	elem_to_mpz(zp, x, a);
	elem_to_mpz(zp, y, b);
	mpz_mul(x, x, y);
	mpz_mod(x, x, zp->p);
	elem_from_mpz(zp, r, x);
	mpz_clears(x, y, NULL);
}

/* r = e[0] * ... * e[n-1] mod p. */
static void zp_elem_prod_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *e)
{
	const zp_params *zp = params(g);
	mpz_t acc, x;

	mpz_inits(acc, x, NULL);
	mpz_set_ui(acc, 1);
	for (size_t i = 0; i < n; i++) {
		elem_to_mpz(zp, x, &e[i]);
		mpz_mul(acc, acc, x);
		mpz_mod(acc, acc, zp->p);
	}
	elem_from_mpz(zp, r, acc);
	mpz_clears(acc, x, NULL);
}

/* r = prod bases[i]^k[i] mod p for PUBLIC exponents: one variable-time
 * mpz_powm per term. */
static void zp_elem_multiexp_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *bases,
				    const vy_scalar *k)
{
	const zp_params *zp = params(g);
	mpz_t acc, x, e;

	mpz_inits(acc, x, e, NULL);
	mpz_set_ui(acc, 1);
	for (size_t i = 0; i < n; i++) {
		elem_to_mpz(zp, x, &bases[i]);
		mpz_import(e, VY_SCALAR_BYTES, 1, 1, 1, 0, k[i].b);
		mpz_powm(x, x, e, zp->p);
		mpz_mul(acc, acc, x);
		mpz_mod(acc, acc, zp->p);
	}
	elem_from_mpz(zp, r, acc);
	mpz_clears(acc, x, e, NULL);
}

/* r = a^k1 * b^k2 for PUBLIC exponents. */
static void zp_elem_exp2_public(const vy_group *g, vy_elem *r, const vy_elem *a,
				const vy_scalar *k1, const vy_elem *b, const vy_scalar *k2)
{
	const zp_params *zp = params(g);
	mpz_t x, y, e;

	mpz_inits(x, y, e, NULL);
	elem_to_mpz(zp, x, a);
	mpz_import(e, VY_SCALAR_BYTES, 1, 1, 1, 0, k1->b);
	mpz_powm(x, x, e, zp->p);
	elem_to_mpz(zp, y, b);
	mpz_import(e, VY_SCALAR_BYTES, 1, 1, 1, 0, k2->b);
	mpz_powm(y, y, e, zp->p);
	mpz_mul(x, x, y);
	mpz_mod(x, x, zp->p);
	elem_from_mpz(zp, r, x);
	mpz_clears(x, y, e, NULL);
}

/* ---- scalars ---- */

/* Decode: 32 bytes, value < q. The input is public, so the comparison may be
 * variable time. */
static vy_err zp_scalar_decode(const vy_group *g, vy_scalar *out, const uint8_t *in, size_t in_len)
{
	const zp_params *zp = params(g);
	mp_limb_t v[SCALAR_LIMBS];
	vy_err err = VY_OK;

	if (in_len != VY_SCALAR_BYTES) {
		err = VY_ERR_LENGTH;
		goto out;
	}
	limbs_from_be(v, SCALAR_LIMBS, in);
	if (zp->qn < SCALAR_LIMBS && !mpn_zero_p(v + zp->qn, SCALAR_LIMBS - zp->qn)) {
		err = VY_ERR_SCALAR_RANGE;
		goto out;
	}
	if (mpn_cmp(v, zp->q_limbs, zp->qn) >= 0) {
		err = VY_ERR_SCALAR_RANGE;
		goto out;
	}
	memcpy(out->b, in, VY_SCALAR_BYTES);
out:
	if (err != VY_OK)
		memset(out, 0, sizeof *out);
	sodium_memzero(v, sizeof v);
	return err;
}

/* Reduce the n-limb number at v (n >= qn, clobbered) mod q into a scalar,
 * in time that depends only on n and q. */
static void scalar_reduce(const zp_params *zp, vy_scalar *out, mp_limb_t *v, mp_size_t n)
{
	mp_limb_t scratch[SCRATCH_LIMBS];

	mpn_sec_div_r(v, n, zp->q_limbs, zp->qn, scratch);
	scalar_from_limbs(out, v, (size_t)zp->qn);
	sodium_memzero(scratch, sizeof scratch);
}

/* The 64-byte big-endian input mod q. */
static void zp_scalar_from_wide(const vy_group *g, vy_scalar *out, const uint8_t in[64])
{
	mp_limb_t w[WIDE_LIMBS];

	limbs_from_be(w, WIDE_LIMBS, in);
	scalar_reduce(params(g), out, w, WIDE_LIMBS);
	sodium_memzero(w, sizeof w);
}

/* v mod q (v may be secret, e.g. a vote). */
static void zp_scalar_from_u64(const vy_group *g, vy_scalar *out, uint64_t v)
{
	uint8_t be[WIDE_BYTES] = { 0 };

	vy_put_u64be(be + WIDE_BYTES - 8, v);
	zp_scalar_from_wide(g, out, be);
	sodium_memzero(be, sizeof be);
}

/* Uniform in [0, q): 64 random bytes reduced mod q (bias < 2^-256). */
static void zp_scalar_random(const vy_group *g, vy_scalar *out)
{
	uint8_t buf[RANDOM_BYTES];

	randombytes_buf(buf, sizeof buf);
	zp_scalar_from_wide(g, out, buf);
	sodium_memzero(buf, sizeof buf);
}

/* r = a + b mod q. With a, b < q: compute a + b - q, and add q back when
 * that went negative (borrow without a carry out of a + b). */
static void zp_scalar_add(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	const zp_params *zp = params(g);
	mp_limb_t x[SCALAR_LIMBS], y[SCALAR_LIMBS];
	mp_limb_t carry, borrow;

	scalar_to_limbs(x, a);
	scalar_to_limbs(y, b);
	carry = mpn_add_n(x, x, y, zp->qn);
	borrow = mpn_sub_n(x, x, zp->q_limbs, zp->qn);
	mpn_cnd_add_n(borrow & (carry ^ 1), x, x, zp->q_limbs, zp->qn);
	scalar_from_limbs(r, x, (size_t)zp->qn);
	sodium_memzero(x, sizeof x);
	sodium_memzero(y, sizeof y);
}

/* r = a - b mod q: add q back on borrow. */
static void zp_scalar_sub(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	const zp_params *zp = params(g);
	mp_limb_t x[SCALAR_LIMBS], y[SCALAR_LIMBS];
	mp_limb_t borrow;

	scalar_to_limbs(x, a);
	scalar_to_limbs(y, b);
	borrow = mpn_sub_n(x, x, y, zp->qn);
	mpn_cnd_add_n(borrow, x, x, zp->q_limbs, zp->qn);
	scalar_from_limbs(r, x, (size_t)zp->qn);
	sodium_memzero(x, sizeof x);
	sodium_memzero(y, sizeof y);
}

/* r = -a mod q = 0 - a, plus q on borrow (so -0 = 0, not q). */
static void zp_scalar_neg(const vy_group *g, vy_scalar *r, const vy_scalar *a)
{
	const zp_params *zp = params(g);
	mp_limb_t x[SCALAR_LIMBS], zero[SCALAR_LIMBS] = { 0 };
	mp_limb_t borrow;

	scalar_to_limbs(x, a);
	borrow = mpn_sub_n(x, zero, x, zp->qn);
	mpn_cnd_add_n(borrow, x, x, zp->q_limbs, zp->qn);
	scalar_from_limbs(r, x, (size_t)zp->qn);
	sodium_memzero(x, sizeof x);
}

/* r = a * b mod q: a 2qn-limb product, then a constant-time remainder. */
static void zp_scalar_mul(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	const zp_params *zp = params(g);
	mp_limb_t x[SCALAR_LIMBS], y[SCALAR_LIMBS], prod[2 * SCALAR_LIMBS];
	mp_limb_t scratch[SCRATCH_LIMBS];

	scalar_to_limbs(x, a);
	scalar_to_limbs(y, b);
	mpn_sec_mul(prod, x, zp->qn, y, zp->qn, scratch);
	scalar_reduce(zp, r, prod, 2 * zp->qn);
	sodium_memzero(x, sizeof x);
	sodium_memzero(y, sizeof y);
	sodium_memzero(prod, sizeof prod);
	sodium_memzero(scratch, sizeof scratch);
}

/* r = a^-1 mod q (q is an odd prime). VY_ERR_SCALAR_ZERO when a = 0, with r
 * zeroed. The result is selected without a branch; only the return code
 * tells whether a was zero, which the caller has to learn anyway. */
static vy_err zp_scalar_inv(const vy_group *g, vy_scalar *r, const vy_scalar *a)
{
	const zp_params *zp = params(g);
	mp_limb_t x[SCALAR_LIMBS], inv[SCALAR_LIMBS] = { 0 };
	mp_limb_t scratch[SCRATCH_LIMBS];
	vy_scalar res, zero = { { 0 } };
	int ok;

	scalar_to_limbs(x, a);
	/* Safe bit count for the (constant) running time: bits(a) + bits(q). */
	ok = mpn_sec_invert(inv, x, zp->q_limbs, zp->qn, 2 * (mp_bitcnt_t)zp->qn * GMP_NUMB_BITS,
			    scratch);
	scalar_from_limbs(&res, inv, (size_t)zp->qn);
	vy_ct_cmov_bytes(res.b, zero.b, VY_SCALAR_BYTES, ok ^ 1);
	memcpy(r->b, res.b, VY_SCALAR_BYTES);
	sodium_memzero(x, sizeof x);
	sodium_memzero(inv, sizeof inv);
	sodium_memzero(scratch, sizeof scratch);
	sodium_memzero(&res, sizeof res);
	return ok ? VY_OK : VY_ERR_SCALAR_ZERO;
}

static const vy_group_ops zp_ops = {
	.elem_decode = zp_elem_decode,
	.elem_identity = zp_elem_identity,
	.elem_generator = zp_elem_generator,
	.elem_mul = zp_elem_mul,
	.elem_div = zp_elem_div,
	.elem_exp = zp_elem_exp,
	.elem_exp_base = zp_elem_exp_base,
	.elem_exp2_public = zp_elem_exp2_public,
	.elem_mul_public = zp_elem_mul_public,
	.elem_div_public = zp_elem_div, /* already variable time, for public values */
	.elem_prod_public = zp_elem_prod_public,
	.elem_multiexp_public = zp_elem_multiexp_public,
	.scalar_decode = zp_scalar_decode,
	.scalar_random = zp_scalar_random,
	.scalar_from_u64 = zp_scalar_from_u64,
	.scalar_from_wide = zp_scalar_from_wide,
	.scalar_add = zp_scalar_add,
	.scalar_sub = zp_scalar_sub,
	.scalar_mul = zp_scalar_mul,
	.scalar_neg = zp_scalar_neg,
	.scalar_inv = zp_scalar_inv,
};

/* ---- construction ---- */

/* The largest scratch any scalar operation asks for, in limbs. */
static mp_size_t scratch_needed(mp_size_t qn)
{
	mp_size_t need = mpn_sec_mul_itch(qn, qn);
	mp_size_t t;

	t = mpn_sec_div_r_itch(2 * qn, qn);
	need = t > need ? t : need;
	t = mpn_sec_div_r_itch(WIDE_LIMBS, qn);
	need = t > need ? t : need;
	t = mpn_sec_invert_itch(qn);
	need = t > need ? t : need;
	return need;
}

/* The cheap checks made at every start (no primality test): p odd, q odd
 * with 1 < q <= 2^256, q | p - 1, 1 < g < p, g^q = 1 mod p, and sizes that
 * fit our fixed buffers. */
static vy_err check_params(const zp_params *zp)
{
	vy_err err = VY_ERR_ARG;
	mpz_t t;

	mpz_init(t);
	if (mpz_cmp_ui(zp->p, 3) < 0 || mpz_even_p(zp->p))
		goto out;
	if (mpz_cmp_ui(zp->q, 3) < 0 || mpz_even_p(zp->q) ||
	    mpz_sizeinbase(zp->q, 2) > SCALAR_MAX_BITS)
		goto out;
	if (mpz_sizeinbase(zp->p, 256) > VY_ELEM_MAX_BYTES)
		goto out;
	mpz_sub_ui(t, zp->p, 1);
	if (!mpz_divisible_p(t, zp->q))
		goto out;
	if (mpz_cmp_ui(zp->g, 1) <= 0 || mpz_cmp(zp->g, zp->p) >= 0)
		goto out;
	mpz_powm(t, zp->g, zp->q, zp->p);
	if (mpz_cmp_ui(t, 1) != 0)
		goto out;
	if (scratch_needed((mp_size_t)mpz_size(zp->q)) > SCRATCH_LIMBS)
		goto out;
	if (mpz_size(zp->p) > ELEM_LIMBS)
		goto out;
	err = VY_OK;
out:
	mpz_clear(t);
	return err;
}

/* Parse the three hex parameters into zp. */
static vy_err parse_params(zp_params *zp, const char *p_hex, const char *q_hex, const char *g_hex)
{
	if (mpz_set_str(zp->p, p_hex, 16) != 0 || mpz_set_str(zp->q, q_hex, 16) != 0 ||
	    mpz_set_str(zp->g, g_hex, 16) != 0)
		return VY_ERR_ARG;
	if (mpz_sgn(zp->p) < 0 || mpz_sgn(zp->q) < 0 || mpz_sgn(zp->g) < 0)
		return VY_ERR_ARG;
	return VY_OK;
}

/* Derived values: q in limbs, the exponent offset and the element size. */
static void derive_params(zp_params *zp)
{
	mpz_t t;

	zp->qn = (mp_size_t)mpz_size(zp->q);
	memset(zp->q_limbs, 0, sizeof zp->q_limbs);
	mpz_export(zp->q_limbs, NULL, -1, sizeof(mp_limb_t), 0, 0, zp->q);

	/* exp_offset = q * ceil(2^(qn * GMP_NUMB_BITS) / q). */
	mpz_init(t);
	mpz_setbit(t, (mp_bitcnt_t)zp->qn * GMP_NUMB_BITS);
	mpz_cdiv_q(t, t, zp->q);
	mpz_mul(t, t, zp->q);
	memset(zp->exp_offset, 0, sizeof zp->exp_offset);
	mpz_export(zp->exp_offset, NULL, -1, sizeof(mp_limb_t), 0, 0, t);
	mpz_clear(t);

	zp->elem_bytes = mpz_sizeinbase(zp->p, 256);
	zp->pn = (mp_size_t)mpz_size(zp->p);
	memset(zp->p_limbs, 0, sizeof zp->p_limbs);
	mpz_export(zp->p_limbs, NULL, -1, sizeof(mp_limb_t), 0, 0, zp->p);
	memset(zp->g_limbs, 0, sizeof zp->g_limbs);
	mpz_export(zp->g_limbs, NULL, -1, sizeof(mp_limb_t), 0, 0, zp->g);

	zp->powm_itch = (size_t)mpn_sec_powm_itch(zp->pn, (mp_bitcnt_t)(zp->qn + 1) * GMP_NUMB_BITS,
						  zp->pn);
	zp->mulmod_itch = (size_t)mpn_sec_mul_itch(zp->pn, zp->pn);
	if ((size_t)mpn_sec_div_r_itch(2 * zp->pn, zp->pn) > zp->mulmod_itch)
		zp->mulmod_itch = (size_t)mpn_sec_div_r_itch(2 * zp->pn, zp->pn);
}

/* The group hash (§2.4) over p, q and the generator. */
static void set_hash(vy_group *out, const zp_params *zp)
{
	uint8_t p_be[VY_ELEM_MAX_BYTES];
	uint8_t q_be[VY_SCALAR_BYTES] = { 0 };
	size_t q_len = mpz_sizeinbase(zp->q, 256);
	vy_elem gen;

	mpz_export(p_be, NULL, 1, 1, 1, 0, zp->p);
	mpz_export(q_be + VY_SCALAR_BYTES - q_len, NULL, 1, 1, 1, 0, zp->q);
	zp_elem_generator(out, &gen);
	vy_group_set_hash(out, p_be, zp->elem_bytes, q_be, &gen);
}

vy_err vy_zp_group_init(vy_group *out, vy_group_id id, const char *name, const char *p_hex,
			const char *q_hex, const char *g_hex)
{
	zp_params *zp;
	vy_err err;

	if (out == NULL || name == NULL || p_hex == NULL || q_hex == NULL || g_hex == NULL)
		return VY_ERR_ARG;
	memset(out, 0, sizeof *out);
	zp = calloc(1, sizeof *zp);
	if (zp == NULL)
		return VY_ERR_NOMEM;
	mpz_inits(zp->p, zp->q, zp->g, NULL);
	err = parse_params(zp, p_hex, q_hex, g_hex);
	if (err != VY_OK)
		goto out;
	err = check_params(zp);
	if (err != VY_OK)
		goto out;
	derive_params(zp);

	out->id = id;
	out->name = name;
	out->elem_bytes = zp->elem_bytes;
	out->ops = &zp_ops;
	out->impl = zp;
	set_hash(out, zp);
out:
	if (err != VY_OK) {
		mpz_clears(zp->p, zp->q, zp->g, NULL);
		free(zp);
		memset(out, 0, sizeof *out);
	}
	return err;
}

void vy_zp_group_clear(vy_group *g)
{
	zp_params *zp;

	if (g == NULL || g->impl == NULL)
		return;
	zp = g->impl;
	mpz_clears(zp->p, zp->q, zp->g, NULL);
	free(zp);
	memset(g, 0, sizeof *g);
}
