/* A fixed-seed randomness source for ballots (seeded_rand.h). */
#include <sodium.h>

#include "crypto/vy_hash.h"
#include "tests/support/seeded_rand.h"

#define SEED_TAG "vybar test seed"

static void put_u64(crypto_hash_sha512_state *st, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	crypto_hash_sha512_update(st, b, sizeof b);
}

void vyt_seeded_rand(void *arg, const vy_group *g, vy_scalar *out, size_t contest, uint64_t option,
		     vy_bb_rand_kind kind, size_t branch)
{
	crypto_hash_sha512_state st;
	uint8_t wide[crypto_hash_sha512_BYTES];

	crypto_hash_sha512_init(&st);
	put_u64(&st, sizeof SEED_TAG - 1);
	crypto_hash_sha512_update(&st, (const uint8_t *)SEED_TAG, sizeof SEED_TAG - 1);
	put_u64(&st, VYT_SEED_BYTES);
	crypto_hash_sha512_update(&st, arg, VYT_SEED_BYTES);
	put_u64(&st, contest);
	put_u64(&st, option);
	put_u64(&st, (uint64_t)kind);
	put_u64(&st, branch);
	crypto_hash_sha512_final(&st, wide);
	vy_scalar_from_wide(g, out, wide);
	sodium_memzero(wide, sizeof wide);
}
