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
