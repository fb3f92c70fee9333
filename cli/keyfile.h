/*
 * The board's Ed25519 key file: one line, the 32-byte seed in lowercase hex
 * (64 characters) and a newline, file mode 0600 (specs/board-api.md).
 */
#ifndef VYB_KEYFILE_H
#define VYB_KEYFILE_H

#include <stdint.h>

#include <sodium.h>

#include "protocol/vy_protocol.h"

#define VYB_KEY_SEED_BYTES crypto_sign_SEEDBYTES

/* Write a fresh key to path (created with mode 0600, never overwritten);
 * pk receives the public key. */
vy_rc vyb_key_generate(const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES], vy_reason *why) VY_WARN_UNUSED;

/* Read the key at path into sk (crypto_sign_SECRETKEYBYTES, caller's guarded
 * memory) and pk. Refuses a file readable by group or others. */
vy_rc vyb_key_load(const char *path, uint8_t *sk, uint8_t pk[crypto_sign_PUBLICKEYBYTES], vy_reason *why) VY_WARN_UNUSED;

/* keygen: a fresh key file at path; its public key in hex on standard
 * output (it goes into the manifest). 0, or 1 with the reason on stderr. */
int vyb_key_command(const char *prog, const char *path);

#endif
