/*
 * Hashing (specs/crypto.md §3): items, Fiat-Shamir transcripts (SHA-512,
 * reduced mod q) and identifier hashes (SHA-256).
 */
#include <string.h>

#include "crypto/group_impl.h"
#include "crypto/internal.h"
#include "crypto/vy_hash.h"

/* §1: item(x) = u32be(len(x)) || x. Items longer than 2^32 - 1 bytes do not
 * occur: every input of the library is far smaller. */
static void sha512_item(crypto_hash_sha512_state *st, const uint8_t *data, size_t len)
{
	uint8_t prefix[4];

	vy_put_u32be(prefix, (uint32_t)len);
	crypto_hash_sha512_update(st, prefix, sizeof prefix);
	if (len != 0)
		crypto_hash_sha512_update(st, data, len);
}

/* §3.1: item(tag) || item(group_hash) || item(base_hash) || item(ctx). */
void vy_transcript_init(vy_transcript *t, const vy_group *g, const char *tag,
			const uint8_t base_hash[VY_HASH_BYTES], const uint8_t *ctx, size_t ctx_len)
{
	t->g = g;
	crypto_hash_sha512_init(&t->st);
	sha512_item(&t->st, (const uint8_t *)tag, strlen(tag));
	sha512_item(&t->st, vy_group_hash(g), VY_HASH_BYTES);
	sha512_item(&t->st, base_hash, VY_HASH_BYTES);
	sha512_item(&t->st, ctx, ctx_len);
}

void vy_transcript_bytes(vy_transcript *t, const uint8_t *data, size_t len)
{
	sha512_item(&t->st, data, len);
}

void vy_transcript_elem(vy_transcript *t, const vy_elem *e)
{
	sha512_item(&t->st, e->b, vy_group_elem_bytes(t->g));
}

void vy_transcript_scalar(vy_transcript *t, const vy_scalar *s)
{
	sha512_item(&t->st, s->b, VY_SCALAR_BYTES);
}

void vy_transcript_u64(vy_transcript *t, uint64_t v)
{
	uint8_t be[8];

	vy_put_u64be(be, v);
	sha512_item(&t->st, be, sizeof be);
}

/* §3.1: the 64-byte digest, read big-endian, reduced mod q. */
void vy_transcript_challenge(vy_transcript *t, vy_scalar *out)
{
	uint8_t digest[crypto_hash_sha512_BYTES];

	crypto_hash_sha512_final(&t->st, digest);
	vy_scalar_from_wide(t->g, out, digest);
	vy_wipe(digest, sizeof digest);
	vy_wipe(t, sizeof *t);
}

/* §3.3: SHA-256(item(tag) || item(x_1) || ...). */
void vy_hasher_init(vy_hasher *h, const char *tag)
{
	crypto_hash_sha256_init(&h->st);
	vy_hasher_item(h, (const uint8_t *)tag, strlen(tag));
}

void vy_hasher_item(vy_hasher *h, const uint8_t *data, size_t len)
{
	uint8_t prefix[4];

	vy_put_u32be(prefix, (uint32_t)len);
	crypto_hash_sha256_update(&h->st, prefix, sizeof prefix);
	if (len != 0)
		crypto_hash_sha256_update(&h->st, data, len);
}

void vy_hasher_u64(vy_hasher *h, uint64_t v)
{
	uint8_t be[8];

	vy_put_u64be(be, v);
	vy_hasher_item(h, be, sizeof be);
}

void vy_hasher_final(vy_hasher *h, uint8_t out[VY_HASH_BYTES])
{
	crypto_hash_sha256_final(&h->st, out);
	vy_wipe(h, sizeof *h);
}
