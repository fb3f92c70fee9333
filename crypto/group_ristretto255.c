/*
 * ristretto255 via libsodium (specs/crypto.md §2.1; RFC 9496).
 *
 * Elements are their 32-byte RFC 9496 encodings; scalars are 32 bytes
 * little-endian, < l. libsodium's scalar multiplications return -1 when the
 * result is the identity (having written its all-zero encoding); we never
 * branch on that: the identity is selected in constant time instead.
 */
#include <string.h>

#include <sodium.h>

#include "crypto/group_impl.h"
#include "crypto/internal.h"

#define R255_BYTES 32

/* l = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t l_le[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* The field prime 2^255 - 19, little-endian. */
static const uint8_t p_le[32] = {
	0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
};

/* 1 if the little-endian a < b (public inputs: variable time). */
static int le_less(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		if (a[i] != b[i])
			return a[i] < b[i];
	}
	return 0;
}

static void reverse(uint8_t *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[n - 1 - i];
}

/* §2.1: canonical (s < p, s non-negative) first, then RFC 9496 decoding. */
static vy_err r255_elem_decode(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len)
{
	(void)g;
	if (in_len != R255_BYTES)
		return VY_ERR_LENGTH;
	if (!le_less(in, p_le, R255_BYTES) || (in[0] & 1) != 0)
		return VY_ERR_NONCANONICAL;
	if (crypto_core_ristretto255_is_valid_point(in) != 1) /* accepts the identity */
		return VY_ERR_NOT_IN_GROUP;
	memset(out, 0, sizeof *out);
	memcpy(out->b, in, R255_BYTES);
	return VY_OK;
}

static void r255_elem_identity(const vy_group *g, vy_elem *out)
{
	(void)g;
	memset(out->b, 0, R255_BYTES);
}

static void r255_elem_generator(const vy_group *g, vy_elem *out)
{
	static const uint8_t one[32] = { 1 };

	(void)g;
	(void)crypto_scalarmult_ristretto255_base(out->b, one);
}

/* Our elements are always valid, so add/sub cannot fail. */
static void r255_elem_mul(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	(void)g;
	(void)crypto_core_ristretto255_add(r->b, a->b, b->b);
}

static void r255_elem_div(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	(void)g;
	(void)crypto_core_ristretto255_sub(r->b, a->b, b->b);
}

/* The result of a scalar multiplication, with the identity written in
 * constant time when libsodium reports it (rc != 0). */
static void r255_fix_identity(uint8_t out[R255_BYTES], int rc)
{
	static const uint8_t zero[R255_BYTES];

	vy_ct_cmov_bytes(out, zero, R255_BYTES, rc != 0);
}

static void r255_elem_exp(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k)
{
	uint8_t out[R255_BYTES];
	int rc;

	(void)g;
	rc = crypto_scalarmult_ristretto255(out, k->b, a->b);
	r255_fix_identity(out, rc);
	memcpy(r->b, out, R255_BYTES);
	vy_wipe(out, sizeof out);
}

static void r255_elem_exp_base(const vy_group *g, vy_elem *r, const vy_scalar *k)
{
	uint8_t out[R255_BYTES];
	int rc;

	(void)g;
	rc = crypto_scalarmult_ristretto255_base(out, k->b);
	r255_fix_identity(out, rc);
	memcpy(r->b, out, R255_BYTES);
	vy_wipe(out, sizeof out);
}

/* The generator's encoding, set by vy_ristretto255_init. */
static uint8_t r255_generator[R255_BYTES];

/* a^k for a public k: the precomputed fixed-base multiplication when a is
 * the generator (about 3.5 times faster in libsodium), else variable base. */
static void r255_exp_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k)
{
	if (memcmp(a->b, r255_generator, R255_BYTES) == 0)
		r255_elem_exp_base(g, r, k);
	else
		r255_elem_exp(g, r, a, k);
}

static void r255_elem_exp2_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k1,
				  const vy_elem *b, const vy_scalar *k2)
{
	vy_elem t1, t2;

	r255_exp_public(g, &t1, a, k1);
	r255_exp_public(g, &t2, b, k2);
	r255_elem_mul(g, r, &t1, &t2);
}

static vy_err r255_scalar_decode(const vy_group *g, vy_scalar *out, const uint8_t *in, size_t in_len)
{
	(void)g;
	if (in_len != VY_SCALAR_BYTES)
		return VY_ERR_LENGTH;
	if (!le_less(in, l_le, VY_SCALAR_BYTES))
		return VY_ERR_SCALAR_RANGE;
	memcpy(out->b, in, VY_SCALAR_BYTES);
	return VY_OK;
}

static void r255_scalar_random(const vy_group *g, vy_scalar *out)
{
	(void)g;
	crypto_core_ristretto255_scalar_random(out->b);
}

static void r255_scalar_from_u64(const vy_group *g, vy_scalar *out, uint64_t v)
{
	(void)g;
	memset(out->b, 0, VY_SCALAR_BYTES);
	for (int i = 0; i < 8; i++)
		out->b[i] = (uint8_t)(v >> (8 * i));
}

/* The 64-byte big-endian input, reversed for libsodium's little-endian reduce. */
static void r255_scalar_from_wide(const vy_group *g, vy_scalar *out, const uint8_t in[64])
{
	uint8_t le[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];

	(void)g;
	reverse(le, in, sizeof le);
	crypto_core_ristretto255_scalar_reduce(out->b, le);
	vy_wipe(le, sizeof le);
}

static void r255_scalar_add(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	(void)g;
	crypto_core_ristretto255_scalar_add(r->b, a->b, b->b);
}

static void r255_scalar_sub(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	(void)g;
	crypto_core_ristretto255_scalar_sub(r->b, a->b, b->b);
}

static void r255_scalar_mul(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	(void)g;
	crypto_core_ristretto255_scalar_mul(r->b, a->b, b->b);
}

static void r255_scalar_neg(const vy_group *g, vy_scalar *r, const vy_scalar *a)
{
	(void)g;
	crypto_core_ristretto255_scalar_negate(r->b, a->b);
}

static vy_err r255_scalar_inv(const vy_group *g, vy_scalar *r, const vy_scalar *a)
{
	(void)g;
	if (crypto_core_ristretto255_scalar_invert(r->b, a->b) != 0)
		return VY_ERR_SCALAR_ZERO;
	return VY_OK;
}

static const vy_group_ops r255_ops = {
	.elem_decode = r255_elem_decode,
	.elem_identity = r255_elem_identity,
	.elem_generator = r255_elem_generator,
	.elem_mul = r255_elem_mul,
	.elem_div = r255_elem_div,
	.elem_exp = r255_elem_exp,
	.elem_exp_base = r255_elem_exp_base,
	.elem_exp2_public = r255_elem_exp2_public,
	.scalar_decode = r255_scalar_decode,
	.scalar_random = r255_scalar_random,
	.scalar_from_u64 = r255_scalar_from_u64,
	.scalar_from_wide = r255_scalar_from_wide,
	.scalar_add = r255_scalar_add,
	.scalar_sub = r255_scalar_sub,
	.scalar_mul = r255_scalar_mul,
	.scalar_neg = r255_scalar_neg,
	.scalar_inv = r255_scalar_inv,
};

vy_err vy_ristretto255_init(vy_group *out)
{
	uint8_t p_be[32], q_be[32];
	vy_elem gen;

	memset(out, 0, sizeof *out);
	out->id = VY_GROUP_RISTRETTO255;
	out->name = "ristretto255";
	out->elem_bytes = R255_BYTES;
	out->ops = &r255_ops;
	vy_elem_generator(out, &gen);
	memcpy(r255_generator, gen.b, R255_BYTES);
	reverse(p_be, p_le, 32);
	reverse(q_be, l_le, 32);
	vy_group_set_hash(out, p_be, sizeof p_be, q_be, &gen);
	return VY_OK;
}
