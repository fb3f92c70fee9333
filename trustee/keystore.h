/*
 * A trustee's secrets at rest (specs/trustee.md §2, §3): the key file
 * (Argon2id + XChaCha20-Poly1305 under the passphrase) and the polynomial
 * file (XChaCha20-Poly1305 under the storage key held in the key file),
 * written atomically (cli/vy_files.h). The passphrase comes from
 * cli/vy_keys.h.
 *
 * The functions that can fail return VYT_REFUSED when what they read is
 * refused (a wrong passphrase, a corrupted or another election's file, a
 * key that exists already) and VYT_IO_ERROR when a file or memory failed;
 * err then says why.
 */
#ifndef VYT_KEYSTORE_H
#define VYT_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "crypto/vy_group.h"

#define VYT_REFUSED (-1)
#define VYT_IO_ERROR (-2)
#define VYT_ERR_BYTES 8192 /* room for a path of PATH_MAX and a reason */
#define VYT_KEY_FILE "key"
#define VYT_PUBLIC_FILE "public"
#define VYT_POLY_FILE "polynomial"
#define VYT_MAX_T 64

/* The unlocked identity, in sodium_malloc'd guarded memory, kept
 * inaccessible (sodium_mprotect_noaccess) except between vyt_secrets_open
 * and vyt_secrets_close. */
typedef struct {
	uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sign_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t xpk[crypto_box_PUBLICKEYBYTES];
	uint8_t xsk[crypto_box_SECRETKEYBYTES];
	uint8_t store_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
} vyt_secrets;

/* The polynomial of round 1, in guarded memory. */
typedef struct {
	uint8_t base_hash[32];
	uint32_t index, t;
	vy_scalar coeffs[VYT_MAX_T];
} vyt_poly;

/* Create DIR/key and DIR/public from fresh keys. */
int vyt_keygen(const char *dir, const char *pass, vyt_secrets **out, char *err) __attribute__((warn_unused_result));
/* Open DIR/key with the passphrase. */
int vyt_key_load(const char *dir, const char *pass, vyt_secrets **out, char *err) __attribute__((warn_unused_result));
/* Access to the secrets around a use (readonly), and back to noaccess. */
void vyt_secrets_open(vyt_secrets *s);
void vyt_secrets_close(vyt_secrets *s);
void vyt_secrets_free(vyt_secrets *s);

/* DIR/polynomial: 1 loaded, 0 absent, or VYT_REFUSED / VYT_IO_ERROR (err set). */
int vyt_poly_load(const char *dir, const vyt_secrets *s, vyt_poly **out, char *err) __attribute__((warn_unused_result));
int vyt_poly_save(const char *dir, const vyt_secrets *s, const vyt_poly *p, char *err) __attribute__((warn_unused_result));
vyt_poly *vyt_poly_new(void);
void vyt_poly_free(vyt_poly *p);

#endif
