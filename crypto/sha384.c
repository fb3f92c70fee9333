/*
 * SHA-384 (FIPS 180-4 §5.3.4, §6.5), for RSA blind signatures (crypto.md
 * §9: RSABSSA-SHA384-PSS). libsodium has SHA-512 but no SHA-384; SHA-384
 * is SHA-512's compression function from a different initial hash value,
 * its digest the first 48 bytes of the final state. So this file only
 * starts libsodium's SHA-512 from the SHA-384 initial value (the state
 * words of crypto_hash_sha512_state, public in sodium.h) and truncates:
 * every block is hashed by libsodium. It replaces libgcrypt in the library,
 * so the booth compiled to WebAssembly (client/wasm/) runs this same code;
 * tests/test_diff_gcrypt.c checks it against libgcrypt's SHA-384, and the
 * RFC 9474 vectors (tests/test_blind_rsa.c) check it through RSA-PSS.
 */
#include <string.h>

#include "crypto/internal.h"
#include "crypto/vy_common.h"

/* FIPS 180-4 §5.3.4: H(0) of SHA-384. */
static const uint64_t sha384_iv[8] = {
	0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL, 0x152fecd8f70e5939ULL,
	0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL, 0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL,
};

void vy_sha384_init(crypto_hash_sha512_state *st)
{
	crypto_hash_sha512_init(st);
	memcpy(st->state, sha384_iv, sizeof sha384_iv);
}

void vy_sha384_update(crypto_hash_sha512_state *st, const uint8_t *in, size_t len)
{
	if (len > 0)
		crypto_hash_sha512_update(st, in, len);
}

/* The digest: SHA-512's final state, truncated to 48 bytes (§6.5). */
void vy_sha384_final(crypto_hash_sha512_state *st, uint8_t out[VY_SHA384_BYTES])
{
	uint8_t full[crypto_hash_sha512_BYTES];

	crypto_hash_sha512_final(st, full);
	memcpy(out, full, VY_SHA384_BYTES);
	vy_wipe(full, sizeof full);
}
