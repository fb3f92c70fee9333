/*
 * Key files and passphrases, the same in every program.
 *
 * The plain key file holds one secret of n bytes: one line, the secret in
 * lowercase hex (2n characters) and a newline, mode 0600; a file that its
 * group or others may read is refused. An Ed25519 key file holds the 32-byte
 * seed (the board's and the commission's keys, specs/board-api.md; the
 * registrar's statement key, specs/registrar.md §3, whose HMAC key is a
 * plain key file of 32 bytes too).
 *
 * A passphrase (an encrypted key file: the trustee's, specs/trustee.md §2)
 * comes from one of three sources: the first line of --passphrase-file FILE,
 * of --passphrase-fd N, or else a prompt on the terminal with echo off. It
 * is kept in guarded memory (sodium_malloc) and freed with sodium_free.
 *
 * A sealed file holds a secret encrypted under a passphrase (the trustee's
 * key file, specs/trustee.md §2; the voter's credential file,
 * specs/client.md §6.1). Byte for byte, integers big-endian:
 *
 *   magic (the file kind's, ending in "\n") || u64 opslimit || u64 memlimit
 *   || u8 algorithm (1 = Argon2id v1.3) || salt (16) || nonce (24)
 *   || u32 ciphertext length || ciphertext
 *
 *   key        = crypto_pwhash(32, passphrase, salt, opslimit, memlimit, Argon2id13)
 *   ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext,
 *                    AD = every byte before the ciphertext, nonce, key)
 *
 * written with OPSLIMIT_MODERATE and MEMLIMIT_MODERATE, read with opslimit
 * in [MODERATE, 16 * SENSITIVE] and memlimit in [MODERATE, 4 GiB].
 */
#ifndef VY_KEYS_H
#define VY_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "cli/vy_cli.h"
#include "protocol/vy_protocol.h"

#define VY_KEY_SEED_BYTES crypto_sign_SEEDBYTES
#define VY_KEY_SECRET_MAX_BYTES 64

/* ---- plain key files ---- */

/* Write the n-byte secret to a new key file at path (never over one). */
vy_rc vy_key_file_write(const char *path, const uint8_t *secret, size_t n, vy_reason *why) VY_WARN_UNUSED;
/* Read the n-byte secret of the key file at path into secret (the caller's
 * guarded memory); wiped on failure. */
vy_rc vy_key_file_read(uint8_t *secret, const char *path, size_t n, vy_reason *why) VY_WARN_UNUSED;

/* A fresh Ed25519 key file at path; pk receives its public key. */
vy_rc vy_key_generate(uint8_t pk[crypto_sign_PUBLICKEYBYTES], const char *path, vy_reason *why) VY_WARN_UNUSED;
/* The Ed25519 key of the file at path: sk (crypto_sign_SECRETKEYBYTES, the
 * caller's guarded memory) and pk. */
vy_rc vy_key_load(uint8_t *sk, uint8_t pk[crypto_sign_PUBLICKEYBYTES], const char *path, vy_reason *why)
	VY_WARN_UNUSED;

/* The keygen command of a program with a plain key (vybar-board,
 * vybar-commission): a fresh key file at --out, its public key in hex on
 * standard output (it goes into the manifest). The exit status. */
int vy_key_command(const vy_cli_args *a);

/* ---- files sealed under a passphrase ---- */

#define VY_SEAL_ALG_ARGON2ID13 1
#define VY_SEAL_SALT_BYTES crypto_pwhash_SALTBYTES
#define VY_SEAL_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VY_SEAL_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define VY_SEAL_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
/* The header after the magic: limits, algorithm, salt, nonce, length. */
#define VY_SEAL_FIELDS_BYTES (8 + 8 + 1 + VY_SEAL_SALT_BYTES + VY_SEAL_NONCE_BYTES + 4)
#define VY_SEAL_HDR_BYTES(magic_len) ((magic_len) + VY_SEAL_FIELDS_BYTES)
#define VY_SEAL_FILE_BYTES(magic_len, plain_len) (VY_SEAL_HDR_BYTES(magic_len) + (plain_len) + VY_SEAL_TAG_BYTES)
#define VY_SEAL_OPS_WRITE crypto_pwhash_OPSLIMIT_MODERATE
#define VY_SEAL_MEM_WRITE crypto_pwhash_MEMLIMIT_MODERATE
#define VY_SEAL_OPS_MIN crypto_pwhash_OPSLIMIT_MODERATE
#define VY_SEAL_OPS_MAX (16ULL * crypto_pwhash_OPSLIMIT_SENSITIVE)
#define VY_SEAL_MEM_MIN crypto_pwhash_MEMLIMIT_MODERATE
#define VY_SEAL_MEM_MAX (4ULL << 30)

/* A passphrase's key with its fresh salt, derived before anything is
 * sealed with it: so a sealing that follows something irreversible (a
 * registration) cannot fail for want of memory. key is guarded memory. */
typedef struct {
	uint8_t *key;
	uint8_t salt[VY_SEAL_SALT_BYTES];
	uint64_t ops, mem;
} vy_sealer;

/* Derive s's key from pass under a fresh salt and the writing limits. */
vy_rc vy_sealer_init(vy_sealer *s, const char *pass, vy_reason *why) VY_WARN_UNUSED;
/* Seal plain (n bytes) into file, VY_SEAL_FILE_BYTES(strlen(magic), n)
 * bytes, under s's key and a fresh nonce. */
vy_rc vy_sealer_seal(const vy_sealer *s, uint8_t *file, const char *magic, const uint8_t *plain, size_t n,
		     vy_reason *why) VY_WARN_UNUSED;
/* Wipe and free s's key (s may be all zero). */
void vy_sealer_wipe(vy_sealer *s);

/* Open the sealed file image (len bytes) of the kind magic with pass:
 * plain (cap bytes, the caller's guarded memory) receives the plaintext,
 * *n its length. VY_R_FIELD ("corrupted": a bad magic, limits out of
 * range, an unknown algorithm, a length that is not the file's or above
 * cap), VY_R_KEY (the ciphertext does not open: a wrong passphrase or a
 * modified file), VY_R_NOMEM (Argon2id's memory); plain is wiped on
 * failure. Nothing is written. */
vy_rc vy_unseal(uint8_t *plain, size_t *n, size_t cap, const char *magic, const uint8_t *file, size_t len,
		const char *pass, vy_reason *why) VY_WARN_UNUSED;

/* ---- passphrases ---- */

#define VY_MAX_PASSPHRASE 1024

/* Where the passphrase comes from: a file, a descriptor, or the terminal. */
typedef struct {
	const char *file; /* NULL: none */
	int fd;           /* -1: none */
} vy_pass_src;

/* The two options of a command that asks for a passphrase, for its table. */
#define VY_PASS_OPTS                                                                                                 \
	{ "passphrase-file", "FILE", VY_CLI_OPTIONAL, "read the passphrase from the first line of FILE" },             \
	{                                                                                                            \
		"passphrase-fd", "N", VY_CLI_OPTIONAL, "read the passphrase from the first line of file descriptor N" \
	}

/* The source the command line names (no option: the terminal). 0, or
 * VY_EXIT_USAGE after the message. */
int vy_pass_src_of(vy_pass_src *src, const vy_cli_args *a);

/* Read the passphrase into *out (guarded, NUL-terminated; sodium_free it):
 * the first line of the file or descriptor, or typed on the terminal, twice
 * when confirm. An empty passphrase is refused. */
vy_rc vy_passphrase(char **out, const vy_pass_src *src, int confirm, vy_reason *why) VY_WARN_UNUSED;

#endif
