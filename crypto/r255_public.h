/*
 * Internal: ristretto255 arithmetic for PUBLIC values only (verification).
 * Not installed, not part of the public API.
 *
 * RFC 9496 decoding (§4.3.1), encoding (§4.3.2) and equality (§4.3.3) over
 * edwards25519 (a = -1) in extended coordinates, with the field arithmetic
 * mod 2^255 - 19 in radix 2^51. The field operations are branch-free, but
 * the multi-scalar multiplication branches on its scalars and the addition
 * of a point to itself costs the same as any other: this code must never
 * see a secret. The constant-time libsodium paths of group_ristretto255.c
 * are the ones for anything derived from a secret.
 *
 * A point is any representative of its ristretto255 element (RFC 9496 §4):
 * two points may differ as edwards25519 points and still encode alike.
 * The generator's table is built by vy_r255_public_init (from
 * vy_ristretto255_init, inside vy_init) and only read afterwards, so every
 * function here may be called from any number of threads at once.
 */
#ifndef VY_R255_PUBLIC_H
#define VY_R255_PUBLIC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/vy_group.h"

#define VY_R255_BYTES 32

/* A field element mod p = 2^255 - 19: five limbs of 51 bits (limbs may
 * exceed 51 bits between operations; see r255_public.c). */
typedef struct {
	uint64_t v[5];
} vy_r255_fe;

/* An edwards25519 point in extended coordinates (X : Y : Z : T):
 * x = X/Z, y = Y/Z, x*y = T/Z. */
typedef struct {
	vy_r255_fe X, Y, Z, T;
} vy_r255_point;

/* Builds the table of multiples of the generator. Called once by
 * vy_ristretto255_init, before any other function of this file. */
void vy_r255_public_init(void);

/* RFC 9496 §4.3.1. VY_OK; VY_ERR_NONCANONICAL if s >= p or s is negative
 * (odd); VY_ERR_NOT_IN_GROUP for every other failure (specs/crypto.md §2.1).
 * On failure *p is the identity. */
vy_err vy_r255_decode(vy_r255_point *p, const uint8_t s[VY_R255_BYTES]) VY_WARN_UNUSED;
/* RFC 9496 §4.3.2. */
void vy_r255_encode(uint8_t s[VY_R255_BYTES], const vy_r255_point *p);
/* RFC 9496 §4.3.3: 1 if a and b are the same element, else 0. */
int vy_r255_eq(const vy_r255_point *a, const vy_r255_point *b);

void vy_r255_identity(vy_r255_point *p);
/* r = a + b, r = a - b (written additively, as edwards25519 points). Outputs
 * may alias inputs. */
void vy_r255_add(vy_r255_point *r, const vy_r255_point *a, const vy_r255_point *b);
void vy_r255_sub(vy_r255_point *r, const vy_r255_point *a, const vy_r255_point *b);

/* r = kg*B + sum_{i < n} k[i]*p[i], B the generator; kg may be NULL (no
 * generator term); n may be 0. Scalars are 32 bytes little-endian below
 * 2^255 (every vy_scalar of ristretto255 is below l < 2^253). Variable
 * time: PUBLIC points and scalars only. r may alias an element of p. */
void vy_r255_multiexp(vy_r255_point *r, const vy_scalar *kg, size_t n, const vy_r255_point *p,
		      const vy_scalar *k);

/* Test hooks. SQRT_RATIO_M1 of RFC 9496 §4.2 on 32-byte little-endian field
 * encodings (u, v reduced mod p on input): writes r, returns was_square. */
int vy_r255_sqrt_ratio_m1(uint8_t r[VY_R255_BYTES], const uint8_t u[VY_R255_BYTES],
			  const uint8_t v[VY_R255_BYTES]);

/* The RFC 9496 §4.1 constants this file uses, as 32-byte little-endian
 * field encodings, for the tests to compare with the RFC's values. */
typedef enum {
	VY_R255_CONST_D,
	VY_R255_CONST_SQRT_M1,
	VY_R255_CONST_INVSQRT_A_MINUS_D,
	VY_R255_CONST__COUNT
} vy_r255_const;
void vy_r255_constant(uint8_t out[VY_R255_BYTES], vy_r255_const which);

#endif
