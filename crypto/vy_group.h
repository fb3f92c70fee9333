/*
 * Prime-order groups: one interface, several implementations (specs/crypto.md §2).
 *
 *  - ristretto255 (libsodium): the default.
 *  - modp4096: the 256-bit prime-order subgroup of Z_p*, p of 4096 bits, with
 *    the ElectionGuard 2.0 constants (GMP).
 *  - a toy integer group (p = 23, q = 11), compiled only into the tests.
 *
 * Notation is multiplicative throughout: the group operation is "mul", the
 * generator is g, and g^k is "exp". Scalars are integers modulo the group
 * order q.
 *
 * A vy_elem always holds the canonical encoding of a valid element of the
 * prime-order group: the only ways to obtain one are vy_elem_decode (which
 * validates) and the group operations. Likewise a vy_scalar always holds a
 * canonical scalar (value < q).
 */
#ifndef VY_GROUP_H
#define VY_GROUP_H

#include "crypto/vy_common.h"

typedef enum {
	VY_GROUP_RISTRETTO255 = 1,
	VY_GROUP_MODP4096 = 2,
	VY_GROUP_TOY = 127 /* tests only */
} vy_group_id;

typedef struct vy_group vy_group;

/* Canonical encoding in the first vy_group_elem_bytes() bytes; the rest is zero. */
typedef struct {
	uint8_t b[VY_ELEM_MAX_BYTES];
} vy_elem;

/* Canonical encoding of an integer in [0, q): little-endian for ristretto255,
 * big-endian for the integer groups (specs/crypto.md §2.3). */
typedef struct {
	uint8_t b[VY_SCALAR_BYTES];
} vy_scalar;

/* Built-in groups. NULL when the id or name is unknown. */
const vy_group *vy_group_by_id(vy_group_id id);
const vy_group *vy_group_by_name(const char *name);

vy_group_id vy_group_get_id(const vy_group *g);
const char *vy_group_name(const vy_group *g);
size_t vy_group_elem_bytes(const vy_group *g);
/* SHA-256 of the group description (specs/crypto.md §2.4); bound into every challenge. */
const uint8_t *vy_group_hash(const vy_group *g);

/* ---- elements ---- */

/* Decode and validate: length, canonical encoding, membership of the
 * prime-order group. The identity is accepted. */
vy_err vy_elem_decode(const vy_group *g, vy_elem *out, const uint8_t *in, size_t in_len) VY_WARN_UNUSED;
/* As vy_elem_decode, and also rejects the identity (VY_ERR_IDENTITY): for
 * public keys and anything used as a base. */
vy_err vy_elem_decode_nonidentity(const vy_group *g, vy_elem *out, const uint8_t *in,
				  size_t in_len) VY_WARN_UNUSED;
/* Writes vy_group_elem_bytes(g) bytes. */
void vy_elem_encode(const vy_group *g, uint8_t *out, const vy_elem *e);

void vy_elem_identity(const vy_group *g, vy_elem *out);
void vy_elem_generator(const vy_group *g, vy_elem *out);
int vy_elem_eq(const vy_group *g, const vy_elem *a, const vy_elem *b);
int vy_elem_is_identity(const vy_group *g, const vy_elem *a);

/* r = a * b;  r = a / b. Outputs may alias inputs. */
void vy_elem_mul(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
void vy_elem_div(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
/* r = a^k and r = g^k, constant time in k (secret exponents). */
void vy_elem_exp(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k);
void vy_elem_exp_base(const vy_group *g, vy_elem *r, const vy_scalar *k);
/* r = flag ? a : r, constant time; flag must be 0 or 1. */
void vy_elem_cmov(const vy_group *g, vy_elem *r, const vy_elem *a, int flag);

/* ---- elements: PUBLIC values only (verification) ----
 *
 * Variable time: the running time and the memory accesses of these
 * functions depend on every input (ristretto255 uses its own arithmetic,
 * not libsodium's constant-time code). Use them only where every input is
 * public: published keys, ciphertexts, decryption shares, proofs and their
 * challenges. Never on anything derived from a secret in a prover, an
 * encryptor or a trustee: vy_elem_mul, vy_elem_exp and vy_elem_exp_base
 * are for those. The results are exactly those of the constant-time
 * operations. Outputs may alias inputs. */

/* r = a * b;  r = a / b. */
void vy_elem_mul_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
void vy_elem_div_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_elem *b);
/* r = e[0] * e[1] * ... * e[n-1] (the identity for n = 0). */
void vy_elem_prod_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *e);
/* r = a^k1 * b^k2. */
void vy_elem_exp2_public(const vy_group *g, vy_elem *r, const vy_elem *a, const vy_scalar *k1,
			 const vy_elem *b, const vy_scalar *k2);
/* r = bases[0]^k[0] * ... * bases[n-1]^k[n-1], n >= 1 (the identity for
 * n = 0); bases may repeat and may be the generator or the identity. */
void vy_elem_multiexp_public(const vy_group *g, vy_elem *r, size_t n, const vy_elem *bases,
			     const vy_scalar *k);

/* ---- scalars (arithmetic modulo q, constant time) ---- */

/* Decode: length 32 (VY_ERR_LENGTH), value < q (VY_ERR_SCALAR_RANGE). */
vy_err vy_scalar_decode(const vy_group *g, vy_scalar *out, const uint8_t *in, size_t in_len) VY_WARN_UNUSED;
void vy_scalar_encode(const vy_group *g, uint8_t out[VY_SCALAR_BYTES], const vy_scalar *s);

/* Uniform in [0, q), from the operating system's CSPRNG. */
void vy_scalar_random(const vy_group *g, vy_scalar *out);
void vy_scalar_from_u64(const vy_group *g, vy_scalar *out, uint64_t v); /* v mod q */
/* The 64-byte input read as a big-endian integer, reduced mod q. */
void vy_scalar_from_wide(const vy_group *g, vy_scalar *out, const uint8_t in[64]);

void vy_scalar_add(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b);
void vy_scalar_sub(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b);
void vy_scalar_mul(const vy_group *g, vy_scalar *r, const vy_scalar *a, const vy_scalar *b);
void vy_scalar_neg(const vy_group *g, vy_scalar *r, const vy_scalar *a);
/* r = 1/a; VY_ERR_SCALAR_ZERO if a = 0 (r is then zero). */
vy_err vy_scalar_inv(const vy_group *g, vy_scalar *r, const vy_scalar *a) VY_WARN_UNUSED;
int vy_scalar_eq(const vy_group *g, const vy_scalar *a, const vy_scalar *b); /* constant time */
int vy_scalar_is_zero(const vy_group *g, const vy_scalar *a);                /* constant time */
void vy_scalar_cmov(const vy_group *g, vy_scalar *r, const vy_scalar *a, int flag);

#endif
