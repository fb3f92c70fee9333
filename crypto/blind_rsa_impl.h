/*
 * Internal parts of the RSA blind signatures (crypto/blind_rsa.c), exposed
 * for the known-answer tests of RFC 9474 Appendix A: the PSS encoding with
 * an explicit salt, blinding with an explicit salt and r, and finalize and
 * verify with any salt length (the PSSZERO variants of A.2 and A.4 use
 * none). Not part of the public API: the protocol uses only vy_blind_rsa.h.
 */
#ifndef VY_BLIND_RSA_IMPL_H
#define VY_BLIND_RSA_IMPL_H

#include "crypto/vy_blind_rsa.h"

/* §9.4 step 1: EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of msg with this salt
 * (salt_len 0..48) for a modulus of mod_bits bits; em is k bytes, the
 * encoded message left-padded with a zero byte when emLen = k - 1. */
vy_err vy_emsa_pss_encode(uint8_t *em, size_t k, size_t mod_bits, const uint8_t *msg, size_t msg_len,
			  const uint8_t *salt, size_t salt_len) VY_WARN_UNUSED;

/* vy_blind_rsa_blind with the salt and r (big-endian, 0 < r < n,
 * invertible) given instead of drawn. */
vy_err vy_blind_rsa_blind_det(const vy_rsa_pk *pk, uint8_t *blinded, uint8_t *inv, size_t len, const uint8_t *msg,
			      size_t msg_len, const uint8_t *salt, size_t salt_len, const uint8_t *r, size_t r_len)
	VY_WARN_UNUSED;

/* vy_blind_rsa_finalize and vy_blind_rsa_verify for a salt of salt_len bytes. */
vy_err vy_blind_rsa_finalize_salt(const vy_rsa_pk *pk, uint8_t *sig, size_t sig_len, const uint8_t *blind_sig,
				  size_t blind_sig_len, const uint8_t *inv, size_t inv_len, const uint8_t *msg,
				  size_t msg_len, size_t salt_len) VY_WARN_UNUSED;
vy_err vy_blind_rsa_verify_salt(const vy_rsa_pk *pk, const uint8_t *sig, size_t sig_len, const uint8_t *msg,
				size_t msg_len, size_t salt_len) VY_WARN_UNUSED;

/* The modulus length in bits. */
size_t vy_rsa_pk_bits(const vy_rsa_pk *pk);

#endif
