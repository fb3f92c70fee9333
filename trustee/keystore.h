/*
 * A trustee's secrets at rest (specs/trustee.md §2, §3): the key file
 * (Argon2id + XChaCha20-Poly1305 under the passphrase), the polynomial
 * file (XChaCha20-Poly1305 under the storage key held in the key file), the
 * passphrase sources, and atomic writes.
 */
#ifndef VYT_KEYSTORE_H
#define VYT_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "crypto/vy_group.h"

#define VYT_MAX_PASSPHRASE 1024
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

/* Where the passphrase comes from: a file, a descriptor, or the terminal. */
typedef struct {
	const char *file;
	int fd; /* -1: none */
} vyt_pass_src;

/* Read the passphrase into a guarded buffer (*out, free with sodium_free);
 * confirm = 1 asks twice on the terminal. 0 on success, else err is set. */
int vyt_passphrase(const vyt_pass_src *src, int confirm, char **out, char *err) __attribute__((warn_unused_result));

/* Create DIR/key and DIR/public from fresh keys. */
int vyt_keygen(const char *dir, const char *pass, vyt_secrets **out, char *err) __attribute__((warn_unused_result));
/* Open DIR/key with the passphrase. */
int vyt_key_load(const char *dir, const char *pass, vyt_secrets **out, char *err) __attribute__((warn_unused_result));
/* Access to the secrets around a use (readonly), and back to noaccess. */
void vyt_secrets_open(vyt_secrets *s);
void vyt_secrets_close(vyt_secrets *s);
void vyt_secrets_free(vyt_secrets *s);

/* DIR/polynomial: 1 loaded, 0 absent, -1 error (err set). */
int vyt_poly_load(const char *dir, const vyt_secrets *s, vyt_poly **out, char *err) __attribute__((warn_unused_result));
int vyt_poly_save(const char *dir, const vyt_secrets *s, const vyt_poly *p, char *err) __attribute__((warn_unused_result));
vyt_poly *vyt_poly_new(void);
void vyt_poly_free(vyt_poly *p);

/* Write len bytes to path atomically (temporary file, fsync, rename) with mode. */
int vyt_write_atomic(const char *path, const uint8_t *buf, size_t len, unsigned mode, char *err)
	__attribute__((warn_unused_result));
/* Read a whole file (at most max bytes) into a malloc'd buffer. */
int vyt_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err) __attribute__((warn_unused_result));

#endif
