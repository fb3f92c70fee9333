/*
 * Exponential ElGamal over any vy_group (specs/crypto.md §4).
 *
 *   keygen:   sk random in [1, q), pk = g^sk
 *   encrypt:  (alpha, beta) = (g^r, g^(m mod q) * pk^r)
 *   add:      componentwise product
 *   decrypt:  g^m = beta / alpha^sk
 */
#include "crypto/vy_elgamal.h"

#include <string.h>

/* §4 keygen: a uniform non-zero secret key and its public key. */
void vy_elgamal_keygen(const vy_group *g, vy_scalar *sk, vy_elem *pk)
{
	do {
		vy_scalar_random(g, sk);
	} while (vy_scalar_is_zero(g, sk));
	vy_elem_exp_base(g, pk, sk);
}

/* §4 encrypt: constant time in m and r (both exponents are secret). */
void vy_elgamal_encrypt(const vy_group *g, vy_ciphertext *out, const vy_elem *pk, uint64_t m,
			const vy_scalar *r)
{
	vy_scalar ms;
	vy_elem gm, kr;

	vy_scalar_from_u64(g, &ms, m);
	vy_elem_exp_base(g, &out->alpha, r);
	vy_elem_exp_base(g, &gm, &ms);
	vy_elem_exp(g, &kr, pk, r);
	vy_elem_mul(g, &out->beta, &gm, &kr);

	vy_wipe(&ms, sizeof ms);
	vy_wipe(&gm, sizeof gm);
	vy_wipe(&kr, sizeof kr);
}

/* §4: (identity, identity), the encryption of 0 with randomness 0. */
void vy_elgamal_zero(const vy_group *g, vy_ciphertext *out)
{
	vy_elem_identity(g, &out->alpha);
	vy_elem_identity(g, &out->beta);
}

/* §4 add: the componentwise product encrypts the sum of the plaintexts.
 * Ciphertexts are public (published on the board), so the product takes
 * the variable-time path. */
void vy_elgamal_add(const vy_group *g, vy_ciphertext *r, const vy_ciphertext *a, const vy_ciphertext *b)
{
	vy_elem_mul_public(g, &r->alpha, &a->alpha, &b->alpha);
	vy_elem_mul_public(g, &r->beta, &a->beta, &b->beta);
}

/* §4 decrypt: gm = beta / alpha^sk, computed as beta * alpha^(-sk) so that
 * no division (variable time in the integer groups) touches the secret. */
void vy_elgamal_decrypt(const vy_group *g, vy_elem *gm, const vy_ciphertext *c, const vy_scalar *sk)
{
	vy_scalar neg;
	vy_elem share_inv;

	vy_scalar_neg(g, &neg, sk);
	vy_elem_exp(g, &share_inv, &c->alpha, &neg);
	vy_elem_mul(g, gm, &c->beta, &share_inv);
	vy_wipe(&neg, sizeof neg);
	vy_wipe(&share_inv, sizeof share_inv);
}

/* §4: gm = beta / share, with share = alpha^s from (threshold) decryption:
 * a published decryption share, so public, as is the ciphertext. */
void vy_elgamal_decrypt_with(const vy_group *g, vy_elem *gm, const vy_ciphertext *c, const vy_elem *share)
{
	vy_elem_div_public(g, gm, &c->beta, share);
}

/* Decode both components with the vy_elem_decode rules (the identity is
 * accepted); on failure *out is zeroed. */
vy_err vy_ciphertext_decode(const vy_group *g, vy_ciphertext *out, const uint8_t *alpha, size_t alpha_len,
			    const uint8_t *beta, size_t beta_len)
{
	vy_err err;

	if (g == NULL || out == NULL || alpha == NULL || beta == NULL) {
		err = VY_ERR_ARG;
		goto out;
	}
	err = vy_elem_decode(g, &out->alpha, alpha, alpha_len);
	if (err != VY_OK)
		goto out;
	err = vy_elem_decode(g, &out->beta, beta, beta_len);
out:
	if (err != VY_OK && out != NULL)
		memset(out, 0, sizeof *out);
	return err;
}
