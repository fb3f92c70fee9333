/*
 * Fuzz harness for the variable-time ristretto255 arithmetic on public
 * values (crypto/r255_public.c, the *_public operations of vy_group.h),
 * against libsodium's constant-time code.
 *
 * Input: byte 0 gives the number of terms n = 1 + (byte & 3), and in bits
 * 4..7 which of the first four terms use the generator as their base; then
 * n records of 64 bytes (missing bytes read as zero): a 32-byte candidate
 * encoding and a 32-byte scalar.
 *
 * Checks, aborting on any difference:
 *  - own RFC 9496 decoding of each candidate gives the error vy_elem_decode
 *    gives (libsodium, with the classes of specs/crypto.md §2.1), and an
 *    accepted candidate re-encodes to itself;
 *  - a rejected candidate is replaced by the element derived from it
 *    (crypto_core_ristretto255_from_hash), so every input gets as far as
 *    the arithmetic; a scalar >= l is reduced mod l;
 *  - vy_elem_multiexp_public equals the product of vy_elem_exp, and
 *    vy_elem_prod_public, vy_elem_mul_public and vy_elem_div_public equal
 *    vy_elem_mul and vy_elem_div.
 * Build with -DVYBAR_FUZZ=ON (tests/fuzz/fuzz.cmake, tests/fuzz/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/r255_public.h"
#include "crypto/vy_group.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TERMS 4
#define RECORD_BYTES 64
#define ENC_BYTES 32
#define TERMS_MASK 3
#define GEN_SHIFT 4

/* The candidate as an element: itself when valid, else derived from it. */
static void to_elem(const vy_group *g, vy_elem *out, const uint8_t cand[ENC_BYTES])
{
	uint8_t wide[crypto_core_ristretto255_HASHBYTES], enc[ENC_BYTES];
	vy_r255_point p;
	vy_err want, got;

	want = vy_elem_decode(g, out, cand, ENC_BYTES);
	got = vy_r255_decode(&p, cand);
	if (got != want)
		abort();
	if (got == VY_OK) {
		vy_r255_encode(enc, &p);
		if (memcmp(enc, cand, ENC_BYTES) != 0)
			abort();
		return;
	}
	memcpy(wide, cand, ENC_BYTES);
	memcpy(wide + ENC_BYTES, cand, ENC_BYTES);
	crypto_core_ristretto255_from_hash(enc, wide);
	if (vy_elem_decode(g, out, enc, ENC_BYTES) != VY_OK)
		abort();
}

/* The 32 bytes as a scalar, reduced mod l when >= l. */
static void to_scalar(const vy_group *g, vy_scalar *out, const uint8_t in[VY_SCALAR_BYTES])
{
	uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES] = { 0 };

	if (vy_scalar_decode(g, out, in, VY_SCALAR_BYTES) == VY_OK)
		return;
	memcpy(wide, in, VY_SCALAR_BYTES);
	crypto_core_ristretto255_scalar_reduce(out->b, wide);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const vy_group *g;
	uint8_t rec[MAX_TERMS][RECORD_BYTES];
	vy_elem b[MAX_TERMS], got, want, t;
	vy_scalar k[MAX_TERMS];
	size_t n, avail;

	if (!ready) {
		if (vy_init() != VY_OK)
			abort();
		ready = 1;
	}
	if (size == 0)
		return 0;
	g = vy_group_by_id(VY_GROUP_RISTRETTO255);
	if (g == NULL)
		abort();
	n = 1 + (size_t)(data[0] & TERMS_MASK);
	memset(rec, 0, sizeof rec);
	avail = size - 1 < sizeof rec ? size - 1 : sizeof rec;
	memcpy(rec, data + 1, avail);
	for (size_t i = 0; i < n; i++) {
		to_elem(g, &b[i], rec[i]);
		if ((data[0] >> (GEN_SHIFT + i)) & 1)
			vy_elem_generator(g, &b[i]);
		to_scalar(g, &k[i], rec[i] + ENC_BYTES);
	}

	vy_elem_identity(g, &want);
	for (size_t i = 0; i < n; i++) {
		vy_elem_exp(g, &t, &b[i], &k[i]);
		vy_elem_mul(g, &want, &want, &t);
	}
	vy_elem_multiexp_public(g, &got, n, b, k);
	if (!vy_elem_eq(g, &got, &want))
		abort();

	vy_elem_identity(g, &want);
	for (size_t i = 0; i < n; i++)
		vy_elem_mul(g, &want, &want, &b[i]);
	vy_elem_prod_public(g, &got, n, b);
	if (!vy_elem_eq(g, &got, &want))
		abort();

	vy_elem_mul(g, &want, &b[0], &b[n - 1]);
	vy_elem_mul_public(g, &got, &b[0], &b[n - 1]);
	if (!vy_elem_eq(g, &got, &want))
		abort();
	vy_elem_div(g, &want, &b[0], &b[n - 1]);
	vy_elem_div_public(g, &got, &b[0], &b[n - 1]);
	if (!vy_elem_eq(g, &got, &want))
		abort();
	return 0;
}
