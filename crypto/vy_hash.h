/*
 * Hashing (specs/crypto.md §3).
 *
 * An "item" is a byte string written as a 4-byte big-endian length followed
 * by the bytes, so no two different lists of inputs hash the same.
 *
 * Every Fiat-Shamir challenge of the library is computed by a transcript:
 *
 *   c = SHA-512( item(tag) || item(group_hash) || item(base_hash) || item(ctx)
 *                || item(statement_1) || ... || item(commitment_k) )  mod q
 *
 * the 64-byte digest read as a big-endian integer. The tag names the proof,
 * group_hash is vy_group_hash(), base_hash is the election's base hash and
 * ctx is the caller's extra binding (e.g. the credential and position of a
 * ballot's ciphertext; empty when none).
 */
#ifndef VY_HASH_H
#define VY_HASH_H

#include <sodium.h>

#include "crypto/vy_group.h"

/* Domain-separation tags (specs/crypto.md §3.2). */
#define VY_TAG_GROUP "vybar/v1/group"
#define VY_TAG_SCHNORR "vybar/v1/schnorr"
#define VY_TAG_CHAUM_PEDERSEN "vybar/v1/chaum-pedersen"
#define VY_TAG_RANGE "vybar/v1/range"
#define VY_TAG_SUM_RANGE "vybar/v1/sum-range"

typedef struct {
	const vy_group *g;
	crypto_hash_sha512_state st;
} vy_transcript;

void vy_transcript_init(vy_transcript *t, const vy_group *g, const char *tag,
			const uint8_t base_hash[VY_HASH_BYTES], const uint8_t *ctx, size_t ctx_len);
void vy_transcript_bytes(vy_transcript *t, const uint8_t *data, size_t len);
void vy_transcript_elem(vy_transcript *t, const vy_elem *e);     /* item(encoding) */
void vy_transcript_scalar(vy_transcript *t, const vy_scalar *s); /* item(32-byte encoding) */
void vy_transcript_u64(vy_transcript *t, uint64_t v);            /* item(8-byte big-endian) */
/* Finish: out = SHA-512(...) mod q. The transcript is wiped. */
void vy_transcript_challenge(vy_transcript *t, vy_scalar *out);

/* SHA-256 over items, with a leading item(tag): the hash used for
 * identifiers (specs/crypto.md §3.3). An incremental form for the protocol layer. */
typedef struct {
	crypto_hash_sha256_state st;
} vy_hasher;
void vy_hasher_init(vy_hasher *h, const char *tag);
void vy_hasher_item(vy_hasher *h, const uint8_t *data, size_t len);
void vy_hasher_u64(vy_hasher *h, uint64_t v);
void vy_hasher_final(vy_hasher *h, uint8_t out[VY_HASH_BYTES]);

#endif
