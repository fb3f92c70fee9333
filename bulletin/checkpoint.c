/* The board's restart checkpoint (checkpoint.h). */
#include <string.h>

#include <sodium.h>

#include "bulletin/checkpoint.h"
#include "crypto/vy_hash.h"

#define U64_BYTES 8

void vyb_bytes_hash_add(uint8_t acc[VY_HASH_BYTES], const uint8_t *entry, size_t len)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, VY_HASH_BYTES);
	crypto_generichash_update(&h, acc, VY_HASH_BYTES);
	crypto_generichash_update(&h, entry, len);
	crypto_generichash_final(&h, acc, VY_HASH_BYTES);
}

/* What the signature covers. */
static void signed_hash(uint8_t out[VY_HASH_BYTES], uint64_t size, const uint8_t head[VY_HASH_BYTES],
			const uint8_t bytes_hash[VY_HASH_BYTES])
{
	vy_hasher h;

	vy_hasher_init(&h, VYB_CHECKPOINT_TAG);
	vy_hasher_u64(&h, size);
	vy_hasher_item(&h, head, VY_HASH_BYTES);
	vy_hasher_item(&h, bytes_hash, VY_HASH_BYTES);
	vy_hasher_final(&h, out);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < U64_BYTES; i++)
		p[i] = (uint8_t)(v >> (8 * (U64_BYTES - 1 - i)));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < U64_BYTES; i++)
		v = (v << 8) | p[i];
	return v;
}

void vyb_checkpoint_make(uint8_t out[VYB_CHECKPOINT_BYTES], uint64_t size, const uint8_t head[VY_HASH_BYTES],
			 const uint8_t bytes_hash[VY_HASH_BYTES], const uint8_t *sk)
{
	uint8_t h[VY_HASH_BYTES], *p = out;

	memcpy(p, VYB_CHECKPOINT_MAGIC, VYB_CHECKPOINT_MAGIC_BYTES);
	p += VYB_CHECKPOINT_MAGIC_BYTES;
	put_u64(p, size);
	p += U64_BYTES;
	memcpy(p, head, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	memcpy(p, bytes_hash, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	signed_hash(h, size, head, bytes_hash);
	crypto_sign_detached(p, NULL, h, sizeof h, sk);
}

vy_rc vyb_checkpoint_open(const uint8_t *blob, size_t len, const uint8_t *pk, uint64_t *size,
			  uint8_t head[VY_HASH_BYTES], uint8_t bytes_hash[VY_HASH_BYTES], vy_reason *why)
{
	const uint8_t *p = blob;
	uint8_t h[VY_HASH_BYTES];

	if (len != VYB_CHECKPOINT_BYTES || memcmp(p, VYB_CHECKPOINT_MAGIC, VYB_CHECKPOINT_MAGIC_BYTES) != 0)
		return vy_reason_set(why, VY_R_MALFORMED, "checkpoint: not a board checkpoint (%zu bytes)", len);
	p += VYB_CHECKPOINT_MAGIC_BYTES;
	*size = get_u64(p);
	p += U64_BYTES;
	memcpy(head, p, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	memcpy(bytes_hash, p, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	signed_hash(h, *size, head, bytes_hash);
	if (crypto_sign_verify_detached(p, h, sizeof h, pk) != 0)
		return vy_reason_set(why, VY_R_BOARD_SIGNATURE, "checkpoint: the board's signature does not verify");
	return VY_R_OK;
}
