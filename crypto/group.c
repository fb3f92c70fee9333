/*
 * The group interface (crypto/vy_group.h): dispatch to the implementation,
 * and the parts common to every group (specs/crypto.md §2).
 */
#include <string.h>

#include <sodium.h>

#include "crypto/group_impl.h"
#include "crypto/internal.h"
#include "crypto/vy_hash.h"

extern vy_group vy_builtin_ristretto255;
extern vy_group vy_builtin_modp4096;

const vy_group *vy_group_by_id(vy_group_id id)
{
	switch (id) {
	case VY_GROUP_RISTRETTO255:
		return vy_builtin_ristretto255.ops ? &vy_builtin_ristretto255 : NULL;
	case VY_GROUP_MODP4096:
		return vy_builtin_modp4096.ops ? &vy_builtin_modp4096 : NULL;
	default:
		return NULL;
	}
}

const vy_group *vy_group_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "ristretto255") == 0)
		return vy_group_by_id(VY_GROUP_RISTRETTO255);
	if (strcmp(name, "modp4096") == 0)
		return vy_group_by_id(VY_GROUP_MODP4096);
	return NULL;
}

vy_group_id vy_group_get_id(const vy_group *g)
{
	return g->id;
}

const char *vy_group_name(const vy_group *g)
{
	return g->name;
}

size_t vy_group_elem_bytes(const vy_group *g)
{
	return g->elem_bytes;
}

const uint8_t *vy_group_hash(const vy_group *g)
{
	return g->hash;
}

/* §2.4: SHA-256(item(tag) || item(name) || item(p) || item(q) || item(gen)). */
void vy_group_set_hash(vy_group *g, const uint8_t *p_be, size_t p_len, const uint8_t q_be[32],
		       const vy_elem *gen)
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_GROUP);
	vy_hasher_item(&h, (const uint8_t *)g->name, strlen(g->name));
	vy_hasher_item(&h, p_be, p_len);
	vy_hasher_item(&h, q_be, 32);
	vy_hasher_item(&h, gen->b, g->elem_bytes);
	vy_hasher_final(&h, g->hash);
}

/* ---- elements ---- */

vy_err vy_elem_decode(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len)
{
	vy_err err;

	if (g == NULL || out == NULL || (in == NULL && in_len != 0))
		return VY_ERR_ARG;
	err = g->ops->elem_decode(g, out, in, in_len);
	if (err != VY_OK)
		memset(out, 0, sizeof *out);
	return err;
}

vy_err vy_elem_decode_nonidentity(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len)
{
	vy_err err = vy_elem_decode(g, out, in, in_len);

	if (err != VY_OK)
		return err;
	if (vy_elem_is_identity(g, out)) {
		memset(out, 0, sizeof *out);
		return VY_ERR_IDENTITY;
	}
	return VY_OK;
}

void vy_elem_encode(const vy_group *g, uint8_t *out, const vy_elem *e)
{
	memcpy(out, e->b, g->elem_bytes);
}

void vy_elem_identity(const vy_group *g, vy_elem *out)
{
	memset(out, 0, sizeof *out);
	g->ops->elem_identity(g, out);
}

void vy_elem_generator(const vy_group *g, vy_elem *out)
{
	memset(out, 0, sizeof *out);
	g->ops->elem_generator(g, out);
}

/* Encodings are canonical, so equality of elements is equality of bytes. */
int vy_elem_eq(const vy_group *g, const vy_elem *a, const vy_elem *b)
{
	return sodium_memcmp(a->b, b->b, g->elem_bytes) == 0;
}

int vy_elem_is_identity(const vy_group *g, const vy_elem *a)
{
	vy_elem id;

	vy_elem_identity(g, &id);
	return vy_elem_eq(g, a, &id);
}

/* Keeps the vy_elem invariant: the bytes after the encoding are zero, so
 * whole structs compare and hash alike. The operations write only the
 * encoding. */
static void clear_tail(const vy_group *g, vy_elem *r)
{
	memset(r->b + g->elem_bytes, 0, VY_ELEM_MAX_BYTES - g->elem_bytes);
}

void vy_elem_mul(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	g->ops->elem_mul(g, r, a, b);
	clear_tail(g, r);
}

void vy_elem_div(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	g->ops->elem_div(g, r, a, b);
	clear_tail(g, r);
}

void vy_elem_exp(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k)
{
	g->ops->elem_exp(g, r, a, k);
	clear_tail(g, r);
}

void vy_elem_exp_base(const vy_group *g, vy_elem *r, const vy_scalar *k)
{
	g->ops->elem_exp_base(g, r, k);
	clear_tail(g, r);
}

void vy_elem_cmov(const vy_group *g, vy_elem *r, const vy_elem *a, int flag)
{
	vy_ct_cmov_bytes(r->b, a->b, g->elem_bytes, flag);
}

/* ---- elements: public values only ---- */

void vy_elem_mul_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	g->ops->elem_mul_public(g, r, a, b);
	clear_tail(g, r);
}

void vy_elem_div_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b)
{
	g->ops->elem_div_public(g, r, a, b);
	clear_tail(g, r);
}

void vy_elem_prod_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *e)
{
	if (n == 0) {
		vy_elem_identity(g, r);
		return;
	}
	g->ops->elem_prod_public(g, r, n, e);
	clear_tail(g, r);
}

void vy_elem_exp2_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k1,
			 const vy_elem *b, const vy_scalar *k2)
{
	g->ops->elem_exp2_public(g, r, a, k1, b, k2);
	clear_tail(g, r);
}

void vy_elem_multiexp_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *bases,
			     const vy_scalar *k)
{
	if (n == 0) {
		vy_elem_identity(g, r);
		return;
	}
	g->ops->elem_multiexp_public(g, r, n, bases, k);
	clear_tail(g, r);
}

/* ---- scalars ---- */

vy_err vy_scalar_decode(const vy_group *g, vy_scalar *out, const uint8_t *in, size_t in_len)
{
	vy_err err;

	if (g == NULL || out == NULL || (in == NULL && in_len != 0))
		return VY_ERR_ARG;
	err = g->ops->scalar_decode(g, out, in, in_len);
	if (err != VY_OK)
		memset(out, 0, sizeof *out);
	return err;
}

void vy_scalar_encode(const vy_group *g, uint8_t out[VY_SCALAR_BYTES], const vy_scalar *s)
{
	(void)g;
	memcpy(out, s->b, VY_SCALAR_BYTES);
}

void vy_scalar_random(const vy_group *g, vy_scalar *out)
{
	g->ops->scalar_random(g, out);
}

void vy_scalar_from_u64(const vy_group *g, vy_scalar *out, uint64_t v)
{
	g->ops->scalar_from_u64(g, out, v);
}

void vy_scalar_from_wide(const vy_group *g, vy_scalar *out, const uint8_t in[64])
{
	g->ops->scalar_from_wide(g, out, in);
}

void vy_scalar_add(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	g->ops->scalar_add(g, r, a, b);
}

void vy_scalar_sub(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	g->ops->scalar_sub(g, r, a, b);
}

void vy_scalar_mul(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b)
{
	g->ops->scalar_mul(g, r, a, b);
}

void vy_scalar_neg(const vy_group *g, vy_scalar *r, const vy_scalar *a)
{
	g->ops->scalar_neg(g, r, a);
}

vy_err vy_scalar_inv(const vy_group *g, vy_scalar *r, const vy_scalar *a)
{
	vy_err err = g->ops->scalar_inv(g, r, a);

	if (err != VY_OK)
		memset(r, 0, sizeof *r);
	return err;
}

int vy_scalar_eq(const vy_group *g, const vy_scalar *a, const vy_scalar *b)
{
	(void)g;
	return sodium_memcmp(a->b, b->b, VY_SCALAR_BYTES) == 0;
}

int vy_scalar_is_zero(const vy_group *g, const vy_scalar *a)
{
	(void)g;
	return sodium_is_zero(a->b, VY_SCALAR_BYTES);
}

void vy_scalar_cmov(const vy_group *g, vy_scalar *r, const vy_scalar *a, int flag)
{
	(void)g;
	vy_ct_cmov_bytes(r->b, a->b, VY_SCALAR_BYTES, flag);
}
