/* The board's restart checkpoint (checkpoint.h). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bulletin/be_bytes.h"
#include "bulletin/checkpoint.h"
#include "crypto/vy_hash.h"

#define U64_BYTES 8
#define U32_BYTES 4

void vyb_bytes_hash_add(uint8_t acc[VY_HASH_BYTES], const uint8_t *entry, size_t len)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, VY_HASH_BYTES);
	crypto_generichash_update(&h, acc, VY_HASH_BYTES);
	crypto_generichash_update(&h, entry, len);
	crypto_generichash_final(&h, acc, VY_HASH_BYTES);
}

/* What the signature covers. */
static void signed_hash(uint8_t out[VY_HASH_BYTES], const vyb_checkpoint *c)
{
	vy_hasher h;

	vy_hasher_init(&h, VYB_CHECKPOINT_TAG);
	vy_hasher_u64(&h, c->size);
	vy_hasher_item(&h, c->head, VY_HASH_BYTES);
	vy_hasher_item(&h, c->bytes_hash, VY_HASH_BYTES);
	vy_hasher_item(&h, c->tally, c->tally_len);
	vy_hasher_final(&h, out);
}

uint8_t *vyb_checkpoint_make(const vyb_checkpoint *c, const uint8_t *sk, size_t *len)
{
	uint8_t h[VY_HASH_BYTES], *out, *p;

	*len = 0;
	if (c->tally_len > VYB_CHECKPOINT_MAX_TALLY_BYTES)
		return NULL;
	out = malloc(VYB_CHECKPOINT_FIXED_BYTES + c->tally_len);
	if (out == NULL)
		return NULL;
	p = out;
	memcpy(p, VYB_CHECKPOINT_MAGIC, VYB_CHECKPOINT_MAGIC_BYTES);
	p += VYB_CHECKPOINT_MAGIC_BYTES;
	vyb_put_be(p, c->size, U64_BYTES);
	p += U64_BYTES;
	memcpy(p, c->head, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	memcpy(p, c->bytes_hash, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	vyb_put_be(p, c->tally_len, U32_BYTES);
	p += U32_BYTES;
	if (c->tally_len > 0)
		memcpy(p, c->tally, c->tally_len);
	p += c->tally_len;
	signed_hash(h, c);
	crypto_sign_detached(p, NULL, h, sizeof h, sk);
	*len = VYB_CHECKPOINT_FIXED_BYTES + c->tally_len;
	return out;
}

vy_rc vyb_checkpoint_open(const uint8_t *blob, size_t len, const uint8_t *pk, vyb_checkpoint *c, vy_reason *why)
{
	const uint8_t *p = blob;
	uint8_t h[VY_HASH_BYTES];

	memset(c, 0, sizeof *c);
	if (len < VYB_CHECKPOINT_FIXED_BYTES || memcmp(p, VYB_CHECKPOINT_MAGIC, VYB_CHECKPOINT_MAGIC_BYTES) != 0)
		return vy_reason_set(why, VY_R_MALFORMED, "checkpoint: not a board checkpoint (%zu bytes)", len);
	p += VYB_CHECKPOINT_MAGIC_BYTES;
	c->size = vyb_get_be(p, U64_BYTES);
	p += U64_BYTES;
	memcpy(c->head, p, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	memcpy(c->bytes_hash, p, VY_HASH_BYTES);
	p += VY_HASH_BYTES;
	c->tally_len = (size_t)vyb_get_be(p, U32_BYTES);
	p += U32_BYTES;
	if (c->tally_len != len - VYB_CHECKPOINT_FIXED_BYTES)
		return vy_reason_set(why, VY_R_MALFORMED, "checkpoint: a tally of %zu bytes in %zu", c->tally_len, len);
	c->tally = p;
	p += c->tally_len;
	signed_hash(h, c);
	if (crypto_sign_verify_detached(p, h, sizeof h, pk) != 0)
		return vy_reason_set(why, VY_R_BOARD_SIGNATURE, "checkpoint: the board's signature does not verify");
	return VY_R_OK;
}
