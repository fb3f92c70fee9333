/* Internal helpers shared by the crypto sources. Not part of the public API. */
#ifndef VY_INTERNAL_H
#define VY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

/* Constant-time helpers (BearSSL style). flag is 0 or 1. */

/* r[i] = flag ? a[i] : r[i] for i < n, without branching on flag. */
static inline void vy_ct_cmov_bytes(uint8_t *r, const uint8_t *a, size_t n, int flag)
{
	uint8_t mask = (uint8_t)(0u - (unsigned)flag);
	for (size_t i = 0; i < n; i++)
		r[i] ^= (uint8_t)(mask & (r[i] ^ a[i]));
}

/* 1 if a == b (uint64), else 0, without branching. */
static inline int vy_ct_eq_u64(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;
	return (int)(1 ^ ((x | (0 - x)) >> 63));
}

/* Installs a GMP allocator that wipes every block it frees or moves
 * (gmp_alloc.c), so secret limbs never linger in freed memory. Called by vy_init. */
void vy_gmp_use_wiping_allocator(void);

/* SHA-384 (sha384.c): libsodium's SHA-512 from SHA-384's initial value,
 * truncated to 48 bytes. */
#define VY_SHA384_BYTES 48
void vy_sha384_init(crypto_hash_sha512_state *st);
void vy_sha384_update(crypto_hash_sha512_state *st, const uint8_t *in, size_t len);
void vy_sha384_final(crypto_hash_sha512_state *st, uint8_t out[VY_SHA384_BYTES]);

/* Write a 4-byte big-endian length. */
static inline void vy_put_u32be(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static inline void vy_put_u64be(uint8_t out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

#endif
