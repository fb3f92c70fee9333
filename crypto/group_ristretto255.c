/*
 * ristretto255 via libsodium (specs/crypto.md §2.1; RFC 9496).
 *
 * Elements are their 32-byte RFC 9496 encodings; scalars are 32 bytes
 * little-endian, < l. libsodium's scalar multiplications return -1 when the
 * result is the identity (having written its all-zero encoding); we never
 * branch on that: the identity is selected in constant time instead.
 *
 * The operations on public values (the *_public ones, for verification) use
 * the variable-time arithmetic of r255_public.c instead: libsodium's
 * public API decodes and re-encodes at every addition and has no
 * multi-scalar multiplication.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/group_impl.h"
#include "crypto/internal.h"
#include "crypto/r255_public.h"

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

static void r255_elem_identity(const vy_group *g, vy_elem *out)
{
	(void)g;
	memset(out->b, 0, R255_BYTES);
}

/* The generator's encoding, computed once by vy_ristretto255_init. */
static uint8_t r255_generator[R255_BYTES];

static void r255_elem_generator(const vy_group *g, vy_elem *out)
{
	(void)g;
	memcpy(out->b, r255_generator, R255_BYTES);
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

/* ---- public values only: own arithmetic (r255_public.c) ---- */

/* Bases decoded per pass of vy_r255_multiexp (bounded stack use). */
#define R255_MULTIEXP_CHUNK 8

/*
 * A per-thread memo of recent decodings. Verification decodes the same
 * public elements again and again (the election key in every proof, a
 * ciphertext in each branch of its proof and in the sum proof's product),
 * and a decoding costs as much as 40 point additions. Keyed by the whole
 * encoding, so a hit gives exactly what decoding gives; thread-local, so
 * nothing is shared between threads and nothing needs a lock. Two ways per
 * set, most recent first. Crafted colliding encodings only make it miss.
 */
#define R255_CACHE_SETS 32
#define R255_CACHE_WAYS 2

typedef struct {
	int used;
	uint8_t enc[R255_BYTES];
	vy_r255_point p;
} r255_cache_entry;

static _Thread_local r255_cache_entry r255_cache[R255_CACHE_SETS][R255_CACHE_WAYS];

/* The point of the encoding enc, from the memo or decoded (RFC 9496
 * §4.3.1) and then remembered; VY_ERR_NONCANONICAL or VY_ERR_NOT_IN_GROUP
 * if enc is no element (nothing is remembered then). */
static vy_err r255_lookup(vy_r255_point *p, const uint8_t enc[R255_BYTES])
{
	/* byte 0 loses its low bit to the sign: index by byte 1 */
	r255_cache_entry *set = r255_cache[enc[1] % R255_CACHE_SETS];
	vy_err err;

	for (size_t w = 0; w < R255_CACHE_WAYS; w++) {
		if (set[w].used && memcmp(set[w].enc, enc, R255_BYTES) == 0) {
			*p = set[w].p;
			return VY_OK;
		}
	}
	err = vy_r255_decode(p, enc);
	if (err != VY_OK)
		return err;
	memmove(&set[1], &set[0], (R255_CACHE_WAYS - 1) * sizeof set[0]);
	set[0].used = 1;
	memcpy(set[0].enc, enc, R255_BYTES);
	set[0].p = *p;
	return VY_OK;
}

/* The point of element e. A vy_elem holds a valid encoding by construction
 * (vy_group.h), so decoding cannot fail; if it does, memory was corrupted or
 * a vy_elem was forged, and no result would mean anything. */
static void r255_point(vy_r255_point *p, const vy_elem *e)
{
	if (r255_lookup(p, e->b) != VY_OK)
		abort();
}

/* §2.1: canonical (s < p, s non-negative) first, then RFC 9496 §4.3.1
 * decoding, which accepts the identity. The decoding is r255_public.c's,
 * tested against libsodium's crypto_core_ristretto255_is_valid_point on
 * the RFC's vectors, random and boundary strings and by a fuzz harness
 * (tests/test_r255_public.c, tests/fuzz/fuzz_r255_public.c); it is about
 * three times faster, and the point it yields is remembered for the
 * verification that follows (a ballot's ciphertexts enter its proofs). */
static vy_err r255_elem_decode(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len)
{
	vy_r255_point p;

	(void)g;
	if (in_len != R255_BYTES)
		return VY_ERR_LENGTH;
	if (!le_less(in, p_le, R255_BYTES) || (in[0] & 1) != 0)
		return VY_ERR_NONCANONICAL;
	if (r255_lookup(&p, in) != VY_OK)
		return VY_ERR_NOT_IN_GROUP;
	memset(out, 0, sizeof *out);
	memcpy(out->b, in, R255_BYTES);
	return VY_OK;
}

static int r255_is_identity(const vy_elem *e)
{
	for (size_t i = 0; i < R255_BYTES; i++)
		if (e->b[i] != 0)
			return 0;
	return 1;
}

static int r255_scalar_is_zero(const vy_scalar *k)
{
	for (size_t i = 0; i < VY_SCALAR_BYTES; i++)
		if (k->b[i] != 0)
			return 0;
	return 1;
}

static void r255_elem_mul_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	vy_r255_point x, y;

	(void)g;
	r255_point(&x, a);
	r255_point(&y, b);
	vy_r255_add(&x, &x, &y);
	vy_r255_encode(r->b, &x);
}

static void r255_elem_div_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	vy_r255_point x, y;

	(void)g;
	r255_point(&x, a);
	r255_point(&y, b);
	vy_r255_sub(&x, &x, &y);
	vy_r255_encode(r->b, &x);
}

/* Each element decoded once, the product encoded once. */
static void r255_elem_prod_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *e)
{
	vy_r255_point acc, x;

	(void)g;
	vy_r255_identity(&acc);
	for (size_t i = 0; i < n; i++) {
		if (r255_is_identity(&e[i]))
			continue;
		r255_point(&x, &e[i]);
		vy_r255_add(&acc, &acc, &x);
	}
	vy_r255_encode(r->b, &acc);
}

/* acc += kg*B + sum_{i < m} ks[i] pts[i]; *started says whether acc holds
 * anything yet (saves an addition to the identity). */
static void r255_multiexp_pass(vy_r255_point *acc, int *started, const vy_scalar *kg, size_t m,
			       const vy_r255_point *pts, const vy_scalar *ks)
{
	vy_r255_point part;

	vy_r255_multiexp(&part, kg, m, pts, ks);
	if (*started)
		vy_r255_add(acc, acc, &part);
	else
		*acc = part;
	*started = 1;
}

/* The generator's exponents are summed and use the precomputed table;
 * identity bases and zero exponents are skipped; the other bases go to
 * vy_r255_multiexp, R255_MULTIEXP_CHUNK at a time. */
static void r255_elem_multiexp_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *bases,
				      const vy_scalar *k)
{
	vy_r255_point pts[R255_MULTIEXP_CHUNK], acc;
	vy_scalar ks[R255_MULTIEXP_CHUNK], kg;
	size_t m = 0;
	int have_g = 0, started = 0;

	(void)g;
	memset(&kg, 0, sizeof kg);
	for (size_t i = 0; i < n; i++) {
		if (r255_scalar_is_zero(&k[i]) || r255_is_identity(&bases[i]))
			continue;
		if (memcmp(bases[i].b, r255_generator, R255_BYTES) == 0) {
			crypto_core_ristretto255_scalar_add(kg.b, kg.b, k[i].b);
			have_g = 1;
			continue;
		}
		r255_point(&pts[m], &bases[i]);
		ks[m++] = k[i];
		if (m == R255_MULTIEXP_CHUNK) {
			r255_multiexp_pass(&acc, &started, NULL, m, pts, ks);
			m = 0;
		}
	}
	if (m > 0 || have_g || !started)
		r255_multiexp_pass(&acc, &started, have_g ? &kg : NULL, m, pts, ks);
	vy_r255_encode(r->b, &acc);
}

static void r255_elem_exp2_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k1,
				  const vy_elem *b, const vy_scalar *k2)
{
	vy_elem bases[2];
	vy_scalar k[2];

	bases[0] = *a;
	bases[1] = *b;
	k[0] = *k1;
	k[1] = *k2;
	r255_elem_multiexp_public(g, r, 2, bases, k);
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
	.elem_mul_public = r255_elem_mul_public,
	.elem_div_public = r255_elem_div_public,
	.elem_prod_public = r255_elem_prod_public,
	.elem_multiexp_public = r255_elem_multiexp_public,
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
	static const uint8_t one[32] = { 1 };
	uint8_t p_be[32], q_be[32];
	vy_elem gen;

	memset(out, 0, sizeof *out);
	out->id = VY_GROUP_RISTRETTO255;
	out->name = "ristretto255";
	out->elem_bytes = R255_BYTES;
	out->ops = &r255_ops;
	/* 1 * B by libsodium: the RFC 9496 §4.4 generator, never the identity */
	if (crypto_scalarmult_ristretto255_base(r255_generator, one) != 0)
		return VY_ERR_LIB;
	vy_r255_public_init();
	vy_elem_generator(out, &gen);
	reverse(p_be, p_le, 32);
	reverse(q_be, l_le, 32);
	vy_group_set_hash(out, p_be, sizeof p_be, q_be, &gen);
	return VY_OK;
}
