/*
 * libvybar: conventions shared by every public function (stated once, here).
 *
 *  1. Return values. A function that can fail returns a vy_err: VY_OK (0) on
 *     success, otherwise the code that names what failed. Predicates (names
 *     containing _is_ or _eq) return 1 for true and 0 for false. Functions
 *     that cannot fail on valid inputs return void.
 *  2. Argument order. The context first (a group, or a proof context), then
 *     outputs, then inputs. A length always follows its buffer.
 *  3. Checks must be looked at. Every decode, verify or check function is
 *     VY_WARN_UNUSED. On failure its outputs are neutralised (zeroed), so a
 *     failed check never leaves a usable value behind.
 *  4. Misuse and hostility are different. A programmer's mistake (NULL, a
 *     size out of contract) returns VY_ERR_ARG; hostile or malformed input
 *     returns the specific error that names the defect.
 *  5. Secrets. Functions that take secret inputs run in time independent of
 *     them, never branch on them, and wipe every temporary copy before they
 *     return, on every path.
 *  6. vy_init() must succeed once before any other call.
 */
#ifndef VY_COMMON_H
#define VY_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define VY_WARN_UNUSED __attribute__((warn_unused_result))

/* Sizes of fixed encodings, in bytes. */
#define VY_ELEM_MAX_BYTES 512 /* largest group element encoding (modp4096) */
#define VY_SCALAR_BYTES 32    /* every group's scalar encoding */
#define VY_HASH_BYTES 32      /* SHA-256 digests: base hash, group hash */

typedef enum {
	VY_OK = 0,
	VY_ERR_ARG,          /* programmer error: NULL or size out of contract */
	VY_ERR_NOMEM,        /* allocation failed */
	VY_ERR_LIB,          /* an underlying library failed unexpectedly */
	VY_ERR_LENGTH,       /* encoding has the wrong length */
	VY_ERR_NONCANONICAL, /* encoding is not the canonical one (value out of range, negative, ...) */
	VY_ERR_NOT_IN_GROUP, /* encoding decodes to no element of the prime-order group */
	VY_ERR_IDENTITY,     /* the identity where a non-identity element is required */
	VY_ERR_SCALAR_RANGE, /* scalar encoding is >= q */
	VY_ERR_SCALAR_ZERO,  /* zero scalar where a non-zero one is required */
	VY_ERR_PROOF,        /* a zero-knowledge proof does not verify */
	VY_ERR_SHARE,        /* a secret share does not match its Feldman commitments */
	VY_ERR_DLOG_RANGE,   /* discrete log not found within the table's bound */
	VY_ERR_VALUE_RANGE,  /* a plaintext or bound is outside what the construction allows */
	VY_ERR_INDEX,        /* a share index is zero, repeated or out of range */
	VY_ERR_SIGNATURE,    /* an RSA signature does not verify (crypto §9.7) */
	VY_ERR__COUNT
} vy_err;

/* A short, stable English description of an error code. Never NULL. */
const char *vy_err_str(vy_err e);

/* Initialise libsodium, the GMP allocator (which wipes freed limbs) and the
 * built-in groups. Idempotent; call once before anything else. */
vy_err vy_init(void) VY_WARN_UNUSED;

/* Wipe n bytes at p, in a way the compiler may not elide. */
void vy_wipe(void *p, size_t n);

#endif
