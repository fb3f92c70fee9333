/*
 * A GMP allocator that wipes memory before giving it back, so limbs of
 * secrets (exponents, intermediate powers) never linger in freed blocks.
 * GMP passes the size of every block it frees or resizes, which is what
 * makes this possible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <sodium.h>

#include "crypto/internal.h"

/* GMP has no way to recover from a failed allocation: its allocation
 * functions must not return. */
static void *wiping_alloc_or_die(size_t n)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p == NULL) {
		fputs("vybar: out of memory in GMP allocation\n", stderr);
		abort();
	}
	return p;
}

/* New block of n bytes. */
static void *wiping_alloc(size_t n)
{
	return wiping_alloc_or_die(n);
}

/* Resize: allocate the new block, copy, wipe and free the old one (never
 * realloc, which could free the old block without wiping it). */
static void *wiping_realloc(void *old, size_t old_size, size_t new_size)
{
	void *p = wiping_alloc_or_die(new_size);

	if (old != NULL) {
		memcpy(p, old, old_size < new_size ? old_size : new_size);
		sodium_memzero(old, old_size);
		free(old);
	}
	return p;
}

/* Wipe, then free. */
static void wiping_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	sodium_memzero(p, size);
	free(p);
}

void vy_gmp_use_wiping_allocator(void)
{
	mp_set_memory_functions(wiping_alloc, wiping_realloc, wiping_free);
}
