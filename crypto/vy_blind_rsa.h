/*
 * RSA blind signatures, RFC 9474 RSABSSA-SHA384-PSS-Randomized
 * (specs/crypto.md §9).
 *
 * The registrar signs a voter's credential message without seeing it:
 *
 *   client:    prepared = randomizer || msg              (§9.3 prepare)
 *              blinded, inv = blind(pk, prepared)        (§9.4 blind)
 *   registrar: blind_sig = blind_sign(sk, blinded)       (§9.5 blind_sign)
 *   client:    sig = finalize(pk, prepared, blind_sig, inv)  (§9.6)
 *   anyone:    verify(pk, prepared, sig)                 (§9.7, RSASSA-PSS)
 *
 * Hash and MGF: SHA-384 and MGF1-SHA-384; salt: 48 random bytes; modulus
 * of 3072..8192 bits. Every blinded message, blind signature, signature
 * and inverse is exactly k bytes, k the modulus length in bytes.
 *
 * The conventions of crypto/vy_common.h apply; the key (public or secret)
 * plays the part of the context and comes first.
 */
#ifndef VY_BLIND_RSA_H
#define VY_BLIND_RSA_H

#include "crypto/vy_common.h"

#define VY_RSA_MIN_BITS 3072
#define VY_RSA_MAX_BITS 8192
#define VY_RSA_MAX_BYTES (VY_RSA_MAX_BITS / 8)
#define VY_RSA_MAX_EXPONENT_BYTES 8
#define VY_RSA_EXPONENT 65537                /* the exponent keygen uses */
#define VY_BLIND_RSA_RANDOMIZER_BYTES 32     /* RFC 9474 §4.1 msg_prefix */
#define VY_BLIND_RSA_HASH_BYTES 48           /* SHA-384 */
#define VY_BLIND_RSA_SALT_BYTES 48           /* sLen = hLen */

/* A public key (n, e): big-endian, without leading zero bytes. */
typedef struct {
	size_t n_len; /* k, the modulus length in bytes */
	uint8_t n[VY_RSA_MAX_BYTES];
	size_t e_len;
	uint8_t e[VY_RSA_MAX_EXPONENT_BYTES];
} vy_rsa_pk;

/* A secret key: opaque, held in sodium_malloc'd guarded memory, read-only
 * once made. Free with vy_rsa_sk_free. */
typedef struct vy_rsa_sk vy_rsa_sk;

/* A fresh key of `bits` bits (3072..8192, a multiple of 16), e = 65537,
 * n = p * q with p, q safe primes of bits/2 bits each (§9.2). Takes
 * seconds: safe primes are rare. */
vy_err vy_rsa_keygen(vy_rsa_sk **sk, unsigned bits) VY_WARN_UNUSED;

/* A secret key from its primes and public exponent (big-endian; leading
 * zero bytes allowed). Checks that p and q are distinct probable primes,
 * n has 3072..8192 bits, e is odd, >= 3 and invertible modulo
 * lcm(p-1, q-1); derives d and the CRT parameters (§9.2). */
vy_err vy_rsa_sk_import(vy_rsa_sk **sk, const uint8_t *p, size_t p_len, const uint8_t *q, size_t q_len,
			const uint8_t *e, size_t e_len) VY_WARN_UNUSED;

/* The primes, big-endian, left-padded with zeros to p_len and q_len bytes
 * (VY_ERR_ARG if a prime does not fit). With e they make the whole key. */
vy_err vy_rsa_sk_export(const vy_rsa_sk *sk, uint8_t *p, size_t p_len, uint8_t *q, size_t q_len) VY_WARN_UNUSED;

/* The public half. */
void vy_rsa_sk_public(const vy_rsa_sk *sk, vy_rsa_pk *pk);

/* Wipe and free (NULL is allowed). */
void vy_rsa_sk_free(vy_rsa_sk *sk);

/* A public key from big-endian n and e (§9.1): n of 3072..8192 bits, odd,
 * no leading zero byte; e odd, >= 3, 1..8 bytes, no leading zero byte,
 * e < n. VY_ERR_LENGTH for sizes out of range, VY_ERR_NONCANONICAL for the
 * rest. pk is zeroed on failure. */
vy_err vy_rsa_pk_import(vy_rsa_pk *pk, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
	VY_WARN_UNUSED;

/* §9.3 (RFC 9474 §4.1, PrepareRandomize): out = 32 random bytes || msg.
 * out_len must be VY_BLIND_RSA_RANDOMIZER_BYTES + msg_len. */
vy_err vy_blind_rsa_prepare(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len) VY_WARN_UNUSED;

/* §9.4 (RFC 9474 §4.2): blinded = EMSA-PSS-ENCODE(msg) * r^e mod n with a
 * random salt and a random invertible r; inv = r^-1 mod n, which the
 * client keeps secret for finalize. Both are k bytes (len = k). */
vy_err vy_blind_rsa_blind(const vy_rsa_pk *pk, uint8_t *blinded, uint8_t *inv, size_t len, const uint8_t *msg,
			  size_t msg_len) VY_WARN_UNUSED;

/* §9.5 (RFC 9474 §4.3): blind_sig = blinded^d mod n (CRT, constant time),
 * released only after checking blind_sig^e = blinded mod n. blinded must be
 * k bytes (VY_ERR_LENGTH) and less than n (VY_ERR_NONCANONICAL). */
vy_err vy_blind_rsa_sign(const vy_rsa_sk *sk, uint8_t *blind_sig, size_t sig_len, const uint8_t *blinded,
			 size_t blinded_len) VY_WARN_UNUSED;

/* §9.6 (RFC 9474 §4.4): sig = blind_sig * inv mod n, released only if it
 * verifies (§9.7) over msg. On failure sig is zeroed. */
vy_err vy_blind_rsa_finalize(const vy_rsa_pk *pk, uint8_t *sig, size_t sig_len, const uint8_t *blind_sig,
			     size_t blind_sig_len, const uint8_t *inv, size_t inv_len, const uint8_t *msg,
			     size_t msg_len) VY_WARN_UNUSED;

/* §9.7: RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with SHA-384, MGF1-SHA-384 and
 * a 48-byte salt. VY_ERR_LENGTH if sig is not k bytes, VY_ERR_NONCANONICAL
 * if it is >= n, VY_ERR_SIGNATURE if it does not verify. */
vy_err vy_blind_rsa_verify(const vy_rsa_pk *pk, const uint8_t *sig, size_t sig_len, const uint8_t *msg,
			   size_t msg_len) VY_WARN_UNUSED;

#endif
