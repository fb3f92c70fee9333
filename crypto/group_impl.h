/*
 * Internal: the table of operations behind vy_group, and the constructor of
 * integer (Schnorr) groups, used for modp4096 and by the tests' toy group.
 * Not part of the public API.
 */
#ifndef VY_GROUP_IMPL_H
#define VY_GROUP_IMPL_H

#include "crypto/vy_group.h"

typedef struct vy_group_ops {
	vy_err (*elem_decode)(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len);
	void (*elem_identity)(const vy_group *g, vy_elem *out);
	void (*elem_generator)(const vy_group *g, vy_elem *out);
	void (*elem_mul)(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
	void (*elem_div)(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
	void (*elem_exp)(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k);
	void (*elem_exp_base)(const vy_group *g, vy_elem *r, const vy_scalar *k);
	/* Public values only (vy_group.h); n >= 1 for the last two. */
	void (*elem_exp2_public)(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k1,
				 const vy_elem *b, const vy_scalar *k2);
	void (*elem_mul_public)(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
	void (*elem_div_public)(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
	void (*elem_prod_public)(const vy_group *g, vy_elem *r, size_t n, const vy_elem *e);
	void (*elem_multiexp_public)(const vy_group *g, vy_elem *r, size_t n, const vy_elem *bases,
				     const vy_scalar *k);
	vy_err (*scalar_decode)(const vy_group *g, vy_scalar *out, const uint8_t *in, size_t in_len);
	void (*scalar_random)(const vy_group *g, vy_scalar *out);
	void (*scalar_from_u64)(const vy_group *g, vy_scalar *out, uint64_t v);
	void (*scalar_from_wide)(const vy_group *g, vy_scalar *out, const uint8_t in[64]);
	void (*scalar_add)(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b);
	void (*scalar_sub)(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b);
	void (*scalar_mul)(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b);
	void (*scalar_neg)(const vy_group *g, vy_scalar *r, const vy_scalar *a);
	vy_err (*scalar_inv)(const vy_group *g, vy_scalar *r, const vy_scalar *a);
} vy_group_ops;

struct vy_group {
	vy_group_id id;
	const char *name;
	size_t elem_bytes;
	uint8_t hash[VY_HASH_BYTES]; /* set by vy_group_set_hash */
	const vy_group_ops *ops;
	void *impl; /* implementation state (integer groups: parameters) */
};

/* Integer groups (group_zp.c). Parameters are big-endian hex strings. On
 * success *out is fully initialised, including its hash. Checks the cheap
 * structure at every start (p odd, q odd of at most 256 bits dividing p - 1,
 * 1 < g < p, g^q = 1); the primality of the built-in parameters is tested
 * once, by tests/test_group_zp.c, not at every start. */
vy_err vy_zp_group_init(vy_group *out, vy_group_id id, const char *name, const char *p_hex,
			const char *q_hex, const char *g_hex);
void vy_zp_group_clear(vy_group *g);

/* Sets g->hash from the group description (specs/crypto.md §2.4):
 * SHA-256(item("vybar/v1/group") || item(name) || item(p) || item(q) || item(gen)),
 * p big-endian (field prime for ristretto255), q as 32 bytes big-endian, gen
 * the generator's encoding. g->name and g->elem_bytes must already be set. */
void vy_group_set_hash(vy_group *g, const uint8_t *p_be, size_t p_len, const uint8_t q_be[32],
		       const vy_elem *gen);

/* Internal constructors of the built-in groups, called by vy_init. */
vy_err vy_ristretto255_init(vy_group *out);
vy_err vy_modp4096_init(vy_group *out);

#endif
