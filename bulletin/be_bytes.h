/*
 * Big-endian integers of n <= 8 bytes, as the board writes them: in its
 * restart checkpoint (checkpoint.c) and in PostgreSQL's binary parameters
 * and results (store_pg.c).
 */
#ifndef VYB_BE_BYTES_H
#define VYB_BE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* p[0..n) = the low n bytes of v, most significant first. */
static inline void vyb_put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* The n bytes at p, most significant first. */
static inline uint64_t vyb_get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

#endif
