/*
 * Exponential ElGamal (specs/crypto.md §4).
 *
 *   keys:       s random in [0, q), K = g^s
 *   encrypt m:  (alpha, beta) = (g^r, g^m * K^r)
 *   decrypt:    g^m = beta / alpha^s; m by bounded discrete log (vy_dlog.h)
 *   add:        componentwise product encrypts the sum
 */
#ifndef VY_ELGAMAL_H
#define VY_ELGAMAL_H

#include "crypto/vy_group.h"

typedef struct {
	vy_elem alpha; /* g^r */
	vy_elem beta;  /* g^m * K^r */
} vy_ciphertext;

/* sk uniform in [1, q); pk = g^sk. */
void vy_elgamal_keygen(const vy_group *g, vy_scalar *sk, vy_elem *pk);
/* Constant time in m and r. m is reduced mod q. */
void vy_elgamal_encrypt(const vy_group *g, vy_ciphertext *out, const vy_elem *pk, uint64_t m,
			const vy_scalar *r);
/* The encryption of 0 with randomness 0, neutral for vy_elgamal_add. */
void vy_elgamal_zero(const vy_group *g, vy_ciphertext *out);
/* Public ciphertexts only: variable time (vy_elem_mul_public). */
void vy_elgamal_add(const vy_group *g, vy_ciphertext *r, const vy_ciphertext *a, const vy_ciphertext *b);
/* gm = beta / alpha^sk (constant time in sk). */
void vy_elgamal_decrypt(const vy_group *g, vy_elem *gm, const vy_ciphertext *c, const vy_scalar *sk);
/* gm = beta / share, where share = alpha^s was obtained by (threshold)
 * decryption. Public ciphertext and share only: variable time. */
void vy_elgamal_decrypt_with(const vy_group *g, vy_elem *gm, const vy_ciphertext *c, const vy_elem *share);
/* Decode both components (vy_elem_decode rules; each in_len = elem_bytes). */
vy_err vy_ciphertext_decode(const vy_group *g, vy_ciphertext *out, const uint8_t *alpha, size_t alpha_len,
			    const uint8_t *beta, size_t beta_len) VY_WARN_UNUSED;

#endif
