/*
 * The generator of the project's own crypto test vectors
 * (specs/vectors/crypto-<group>.json, specs/crypto.md §8), shared by
 * tests/tools/gen_crypto_vectors.c (which writes the files) and
 * tests/test_vectors.c (which checks the committed files are exactly what
 * it generates today).
 */
#ifndef VYTEST_VECTORS_GEN_H
#define VYTEST_VECTORS_GEN_H

#include <stddef.h>

#include "crypto/vy_group.h"

/* The groups that have vector files, in the order they are written. */
#define VYVEC_GROUP_COUNT 2
extern const vy_group_id vyvec_groups[VYVEC_GROUP_COUNT];

/* Fixed inputs of §8.2. */
#define VYVEC_GENERATED "by tests/tools/gen_crypto_vectors.c; do not edit"
#define VYVEC_LABEL_PREFIX "vybar test vector "
#define VYVEC_BASE_HASH_INPUT "vybar test vector base hash"
#define VYVEC_CTX "vybar test vector context"

/* The file name of group g's vectors, "crypto-<name>.json", into out
 * (cap bytes). VY_ERR_ARG if it does not fit. */
vy_err vyvec_file_name(const vy_group *g, char *out, size_t cap) VY_WARN_UNUSED;

/* Generate the vectors of group g: *out is a malloc'd, NUL-terminated
 * JSON text of *out_len bytes (specs/crypto.md §8.3). Every proof is also
 * verified with the library's verification functions, and every derived
 * value cross-checked where the library offers a second way to compute it;
 * any disagreement fails the generation (VY_ERR_LIB). */
vy_err vyvec_generate(const vy_group *g, char **out, size_t *out_len) VY_WARN_UNUSED;

/* specs/vectors/ed25519.json (specs/crypto.md §10, §10.4): the Ed25519
 * verification rule on a valid signature and on its edge cases, each with
 * the verdict of libsodium's crypto_sign_verify_detached and of
 * crypto_core_ed25519_is_valid_point on its key (both checked here: a
 * verdict that differs fails the generation with VY_ERR_LIB). */
#define VYVEC_ED25519_FILE "ed25519.json"
vy_err vyvec_ed25519_generate(char **out, size_t *out_len) VY_WARN_UNUSED;

/* specs/vectors/credential-file.json (specs/client.md §6.1): a sealed
 * credential file, built field by field from the spec's table with
 * libsodium's Argon2id and XChaCha20-Poly1305 (not the library's sealing
 * code, which the tests then check against it), with every input. */
#define VYVEC_CREDENTIAL_FILE "credential-file.json"
#define VYVEC_CREDENTIAL_PASSPHRASE "correct horse battery staple"
vy_err vyvec_credential_generate(char **out, size_t *out_len) VY_WARN_UNUSED;

#endif
