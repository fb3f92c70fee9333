/* A trustee's secrets at rest (keystore.h, specs/trustee.md §2-§4). */
#include "trustee/keystore.h"

#include "cli/vy_files.h"
#include "cli/vy_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* §2: the key file, a sealed file of cli/vy_keys.h. */
#define KEY_MAGIC "VYBAR-TRUSTEE-KEY/1\n"
#define KEY_MAGIC_LEN 20
#define KEY_PLAIN_BYTES 96 /* Ed25519 seed, X25519 secret key, storage key */
#define AEAD_ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define KEY_FILE_BYTES VY_SEAL_FILE_BYTES(KEY_MAGIC_LEN, KEY_PLAIN_BYTES)

/* §3: the polynomial file. */
#define POLY_MAGIC "VYBAR-TRUSTEE-POLY/1\n"
#define POLY_MAGIC_LEN 21
#define POLY_HDR_BYTES (POLY_MAGIC_LEN + NONCE_BYTES + 4)
#define POLY_PLAIN_FIXED (32 + 4 + 4)
#define POLY_TAG "vybar/v1/trustee-poly"

#define PATH_BYTES 4096

/* Big-endian helpers. */
static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* dir/name into out; 0 when it fits. */
static int join(char *out, const char *dir, const char *name, char *err)
{
	int n = snprintf(out, PATH_BYTES, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_BYTES) {
		snprintf(err, VYT_ERR_BYTES, "path too long: %s/%s", dir, name);
		return VYT_IO_ERROR;
	}
	return 0;
}

/* The file helpers' reason in err; VYT_IO_ERROR, or VYT_REFUSED for a file
 * that is too large. */
static int file_failed(vy_rc rc, const vy_reason *why, char *err)
{
	snprintf(err, VYT_ERR_BYTES, "%s", why->msg);
	return rc == VY_R_TOO_LARGE ? VYT_REFUSED : VYT_IO_ERROR;
}

/* Write len bytes to path atomically with mode. */
static int write_atomic(const char *path, const uint8_t *buf, size_t len, unsigned mode, char *err)
{
	vy_reason why = { 0 };
	vy_rc rc = vy_file_replace(path, mode, buf, len, &why);

	return rc == VY_R_OK ? 0 : file_failed(rc, &why, err);
}

/* The whole file at path (at most max bytes) into *buf (malloc'd). */
static int read_whole(const char *path, size_t max, uint8_t **buf, size_t *len, char *err)
{
	vy_reason why = { 0 };
	vy_rc rc = vy_file_read(buf, len, path, max, 0, &why);

	return rc == VY_R_OK ? 0 : file_failed(rc, &why, err);
}

void vyt_secrets_open(vyt_secrets *s)
{
	sodium_mprotect_readonly(s);
}

void vyt_secrets_close(vyt_secrets *s)
{
	sodium_mprotect_noaccess(s);
}

void vyt_secrets_free(vyt_secrets *s)
{
	if (s != NULL)
		sodium_free(s); /* wipes */
}

/* Derive the public keys and the secret keys from the 96-byte plaintext. */
static void secrets_from_plain(vyt_secrets *s, const uint8_t *plain)
{
	crypto_sign_seed_keypair(s->sign_pk, s->sign_sk, plain);
	memcpy(s->xsk, plain + 32, 32);
	crypto_scalarmult_base(s->xpk, s->xsk);
	memcpy(s->store_key, plain + 64, 32);
}

/* §2: encrypt plain under pass into a key file image. */
static int key_seal(uint8_t *file, const uint8_t *plain, const char *pass, char *err)
{
	vy_sealer sealer;
	vy_reason why = { 0 };

	if (vy_sealer_init(&sealer, pass, &why) != VY_R_OK ||
	    vy_sealer_seal(&sealer, file, KEY_MAGIC, plain, KEY_PLAIN_BYTES, &why) != VY_R_OK) {
		vy_sealer_wipe(&sealer);
		snprintf(err, VYT_ERR_BYTES, "%s", why.msg);
		return VYT_IO_ERROR;
	}
	vy_sealer_wipe(&sealer);
	return 0;
}

int vyt_keygen(const char *dir, const char *pass, vyt_secrets **out, char *err)
{
	char path[PATH_BYTES], pub[PATH_BYTES];
	uint8_t file[KEY_FILE_BYTES], *plain = sodium_malloc(KEY_PLAIN_BYTES);
	char text[256], hex1[65], hex2[65];
	vyt_secrets *s = sodium_malloc(sizeof *s);
	struct stat sb;
	int rc = VYT_IO_ERROR;

	*out = NULL;
	if (plain == NULL || s == NULL) {
		snprintf(err, VYT_ERR_BYTES, "out of guarded memory");
		goto out;
	}
	if ((rc = join(path, dir, VYT_KEY_FILE, err)) != 0 || (rc = join(pub, dir, VYT_PUBLIC_FILE, err)) != 0)
		goto out;
	rc = VYT_IO_ERROR;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, VYT_ERR_BYTES, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if (stat(path, &sb) == 0) {
		snprintf(err, VYT_ERR_BYTES, "%s already exists: refusing to replace a key", path);
		rc = VYT_REFUSED;
		goto out;
	}
	randombytes_buf(plain, KEY_PLAIN_BYTES);
	secrets_from_plain(s, plain);
	if ((rc = key_seal(file, plain, pass, err)) != 0)
		goto out;
	sodium_bin2hex(hex1, sizeof hex1, s->sign_pk, sizeof s->sign_pk);
	sodium_bin2hex(hex2, sizeof hex2, s->xpk, sizeof s->xpk);
	snprintf(text, sizeof text, "signing-key %s\nencryption-key %s\n", hex1, hex2);
	if ((rc = write_atomic(path, file, sizeof file, VY_FILE_MODE_SECRET, err)) != 0 ||
	    (rc = write_atomic(pub, (const uint8_t *)text, strlen(text), VY_FILE_MODE_PUBLIC, err)) != 0)
		goto out;
	rc = 0;
out:
	if (plain != NULL)
		sodium_free(plain);
	if (rc == 0) {
		vyt_secrets_close(s);
		*out = s;
	} else if (s != NULL) {
		sodium_free(s);
	}
	return rc;
}

int vyt_key_load(const char *dir, const char *pass, vyt_secrets **out, char *err)
{
	char path[PATH_BYTES];
	uint8_t *file = NULL, *plain = NULL;
	vyt_secrets *s = NULL;
	vy_reason why = { 0 };
	size_t len, n;
	vy_rc vrc;
	int rc;

	*out = NULL;
	if ((rc = join(path, dir, VYT_KEY_FILE, err)) != 0 ||
	    (rc = read_whole(path, KEY_FILE_BYTES + 1, &file, &len, err)) != 0)
		goto out;
	if (len != KEY_FILE_BYTES && len >= KEY_MAGIC_LEN && memcmp(file, KEY_MAGIC, KEY_MAGIC_LEN) == 0) {
		snprintf(err, VYT_ERR_BYTES, "corrupted key file %s: %zu bytes, must be %d", path, len,
			 (int)KEY_FILE_BYTES);
		rc = VYT_REFUSED;
		goto out;
	}
	rc = VYT_IO_ERROR;
	plain = sodium_malloc(KEY_PLAIN_BYTES);
	s = sodium_malloc(sizeof *s);
	if (plain == NULL || s == NULL) {
		snprintf(err, VYT_ERR_BYTES, "out of guarded memory");
		goto out;
	}
	vrc = vy_unseal(plain, &n, KEY_PLAIN_BYTES, KEY_MAGIC, file, len, pass, &why);
	if (vrc == VY_R_FIELD || (vrc == VY_R_OK && n != KEY_PLAIN_BYTES)) {
		snprintf(err, VYT_ERR_BYTES, "corrupted key file %s: %s", path,
			 vrc == VY_R_OK ? "unknown length" : why.msg);
		rc = VYT_REFUSED;
		goto out;
	}
	if (vrc == VY_R_KEY) {
		snprintf(err, VYT_ERR_BYTES, "%s: wrong passphrase, or the key file was modified", path);
		rc = VYT_REFUSED;
		goto out;
	}
	if (vrc != VY_R_OK) {
		snprintf(err, VYT_ERR_BYTES, "%s: %s", path, why.msg);
		goto out;
	}
	secrets_from_plain(s, plain);
	rc = 0;
out:
	free(file);
	if (plain != NULL)
		sodium_free(plain);
	if (rc == 0) {
		vyt_secrets_close(s);
		*out = s;
	} else if (s != NULL) {
		sodium_free(s);
	}
	return rc;
}

vyt_poly *vyt_poly_new(void)
{
	vyt_poly *p = sodium_malloc(sizeof *p);

	if (p != NULL)
		sodium_memzero(p, sizeof *p);
	return p;
}

void vyt_poly_free(vyt_poly *p)
{
	if (p != NULL)
		sodium_free(p);
}

/* §3: the polynomial file's key: BLAKE2b-256 keyed with the storage key over the tag. */
static void poly_key(uint8_t out[32], const vyt_secrets *s)
{
	crypto_generichash(out, 32, (const uint8_t *)POLY_TAG, strlen(POLY_TAG), s->store_key, sizeof s->store_key);
}

int vyt_poly_save(const char *dir, const vyt_secrets *s, const vyt_poly *p, char *err)
{
	char path[PATH_BYTES];
	size_t plen = POLY_PLAIN_FIXED + (size_t)p->t * VY_SCALAR_BYTES;
	size_t flen = POLY_HDR_BYTES + plen + AEAD_ABYTES;
	uint8_t *plain = sodium_malloc(plen), *file = malloc(flen), *key = sodium_malloc(32);
	unsigned long long clen;
	int rc = VYT_IO_ERROR;

	if (plain == NULL || file == NULL || key == NULL) {
		snprintf(err, VYT_ERR_BYTES, "out of memory");
		goto out;
	}
	if ((rc = join(path, dir, VYT_POLY_FILE, err)) != 0)
		goto out;
	memcpy(plain, p->base_hash, 32);
	put_u32(plain + 32, p->index);
	put_u32(plain + 36, p->t);
	for (uint32_t j = 0; j < p->t; j++)
		memcpy(plain + POLY_PLAIN_FIXED + j * VY_SCALAR_BYTES, p->coeffs[j].b, VY_SCALAR_BYTES);
	memcpy(file, POLY_MAGIC, POLY_MAGIC_LEN);
	randombytes_buf(file + POLY_MAGIC_LEN, NONCE_BYTES);
	put_u32(file + POLY_MAGIC_LEN + NONCE_BYTES, (uint32_t)(plen + AEAD_ABYTES));
	poly_key(key, s);
	crypto_aead_xchacha20poly1305_ietf_encrypt(file + POLY_HDR_BYTES, &clen, plain, plen, file, POLY_HDR_BYTES,
						   NULL, file + POLY_MAGIC_LEN, key);
	rc = write_atomic(path, file, flen, VY_FILE_MODE_SECRET, err);
out:
	if (plain != NULL)
		sodium_free(plain);
	if (key != NULL)
		sodium_free(key);
	free(file);
	return rc;
}

int vyt_poly_load(const char *dir, const vyt_secrets *s, vyt_poly **out, char *err)
{
	char path[PATH_BYTES];
	uint8_t *file = NULL, *plain = NULL, *key = NULL;
	unsigned long long plen;
	vyt_poly *p = NULL;
	size_t len, clen;
	int rc;

	*out = NULL;
	if ((rc = join(path, dir, VYT_POLY_FILE, err)) != 0)
		return rc;
	if (access(path, F_OK) != 0)
		return 0;
	if ((rc = read_whole(path, POLY_HDR_BYTES + POLY_PLAIN_FIXED + VYT_MAX_T * VY_SCALAR_BYTES + AEAD_ABYTES,
			     &file, &len, err)) != 0)
		return rc;
	rc = VYT_REFUSED;
	if (len < POLY_HDR_BYTES || memcmp(file, POLY_MAGIC, POLY_MAGIC_LEN) != 0 ||
	    (clen = get_u32(file + POLY_MAGIC_LEN + NONCE_BYTES)) != len - POLY_HDR_BYTES ||
	    clen < POLY_PLAIN_FIXED + AEAD_ABYTES || (clen - POLY_PLAIN_FIXED - AEAD_ABYTES) % VY_SCALAR_BYTES != 0) {
		snprintf(err, VYT_ERR_BYTES, "corrupted polynomial file %s: bad magic or length", path);
		goto out;
	}
	plain = sodium_malloc(clen);
	key = sodium_malloc(32);
	p = vyt_poly_new();
	if (plain == NULL || key == NULL || p == NULL) {
		snprintf(err, VYT_ERR_BYTES, "out of guarded memory");
		rc = VYT_IO_ERROR;
		goto out;
	}
	poly_key(key, s);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, file + POLY_HDR_BYTES, clen, file,
						       POLY_HDR_BYTES, file + POLY_MAGIC_LEN, key) != 0) {
		snprintf(err, VYT_ERR_BYTES, "corrupted polynomial file %s: it does not decrypt with this key", path);
		goto out;
	}
	memcpy(p->base_hash, plain, 32);
	p->index = get_u32(plain + 32);
	p->t = get_u32(plain + 36);
	if (p->t < 1 || p->t > VYT_MAX_T || plen != POLY_PLAIN_FIXED + (size_t)p->t * VY_SCALAR_BYTES) {
		snprintf(err, VYT_ERR_BYTES, "corrupted polynomial file %s: bad threshold", path);
		goto out;
	}
	for (uint32_t j = 0; j < p->t; j++)
		memcpy(p->coeffs[j].b, plain + POLY_PLAIN_FIXED + j * VY_SCALAR_BYTES, VY_SCALAR_BYTES);
	rc = 1;
out:
	free(file);
	if (plain != NULL)
		sodium_free(plain);
	if (key != NULL)
		sodium_free(key);
	if (rc == 1)
		*out = p;
	else
		vyt_poly_free(p);
	return rc;
}
