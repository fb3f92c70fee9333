/*
 * Fuzz harness for the group decoders (specs/crypto.md §2): element and
 * scalar decoding in ristretto255 and modp4096. The first byte chooses the
 * group (bit 0) and the decoder (bits 1-2); the rest is the encoding.
 *
 * Besides "no crash, no sanitizer report", it checks what decoding
 * promises: an accepted encoding is canonical (re-encoding gives the same
 * bytes), a non-identity decode never yields the identity, and a rejected
 * encoding says why with a decoding error, never VY_OK's neighbours.
 * Build with -DVYBAR_FUZZ=ON (tests/fuzz/fuzz.cmake, tests/fuzz/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_group.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_GROUP_BIT 1
#define FUZZ_OP_SHIFT 1
#define FUZZ_OP_MASK 3

enum { OP_ELEM = 0, OP_ELEM_NONIDENTITY = 1, OP_SCALAR = 2, OP_COUNT = 3 };

/* A decoding failure must be one of the decoding errors (crypto §7). */
static int is_decode_error(vy_err err)
{
	return err == VY_ERR_LENGTH || err == VY_ERR_NONCANONICAL || err == VY_ERR_NOT_IN_GROUP ||
	       err == VY_ERR_IDENTITY || err == VY_ERR_SCALAR_RANGE;
}

/* An element: accepted encodings re-encode to themselves. */
static void fuzz_elem(const vy_group *g, const uint8_t *in, size_t len, int nonidentity)
{
	uint8_t out[VY_ELEM_MAX_BYTES];
	vy_elem e;
	vy_err err;

	err = nonidentity ? vy_elem_decode_nonidentity(g, &e, in, len) : vy_elem_decode(g, &e, in, len);
	if (err != VY_OK) {
		if (!is_decode_error(err))
			abort();
		return;
	}
	if (len != vy_group_elem_bytes(g))
		abort();
	vy_elem_encode(g, out, &e);
	if (memcmp(out, in, len) != 0)
		abort();
	if (nonidentity && vy_elem_is_identity(g, &e))
		abort();
}

/* A scalar: accepted encodings are exactly 32 bytes and re-encode to themselves. */
static void fuzz_scalar(const vy_group *g, const uint8_t *in, size_t len)
{
	uint8_t out[VY_SCALAR_BYTES];
	vy_scalar s;
	vy_err err;

	err = vy_scalar_decode(g, &s, in, len);
	if (err != VY_OK) {
		if (!is_decode_error(err))
			abort();
		return;
	}
	if (len != VY_SCALAR_BYTES)
		abort();
	vy_scalar_encode(g, out, &s);
	if (memcmp(out, in, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const vy_group *g;
	unsigned op;

	if (!ready) {
		if (vy_init() != VY_OK)
			abort();
		ready = 1;
	}
	if (size == 0)
		return 0;
	g = vy_group_by_id((data[0] & FUZZ_GROUP_BIT) ? VY_GROUP_MODP4096 : VY_GROUP_RISTRETTO255);
	if (g == NULL)
		abort();
	op = ((unsigned)data[0] >> FUZZ_OP_SHIFT & FUZZ_OP_MASK) % OP_COUNT;
	if (op == OP_SCALAR)
		fuzz_scalar(g, data + 1, size - 1);
	else
		fuzz_elem(g, data + 1, size - 1, op == OP_ELEM_NONIDENTITY);
	return 0;
}
