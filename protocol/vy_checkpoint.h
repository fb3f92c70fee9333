/*
 * Checkpoints of the record and the witnesses' cosignatures
 * (specs/witness.md §3-§4), in the transparency-log formats of C2SP:
 * tlog-checkpoint (the note text), signed-note (signature lines) and
 * tlog-cosignature (timestamped Ed25519, "cosignature/v1").
 *
 *   origin   "vybar/v1/" || hex(base_hash)
 *   body     origin "\n" decimal(size) "\n" base64(root) "\n"
 *   board    Ed25519(board_sk, body), key ID SHA-256(origin "\n" 0x01 board_pk)[:4]
 *   witness  Ed25519(witness_sk, "cosignature/v1\ntime " decimal(t) "\n" body),
 *            key ID SHA-256(name "\n" 0x04 witness_pk)[:4]
 *   line     "\xe2\x80\x94 " name " " base64(key ID || signature) "\n"
 *            (a cosignature's signature is u64be(t) || Ed25519 signature)
 */
#ifndef VY_CHECKPOINT_H
#define VY_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_merkle.h"
#include "protocol/vy_protocol.h"

#define VY_CHECKPOINT_ORIGIN_PREFIX "vybar/v1/"
#define VY_CHECKPOINT_ORIGIN_BYTES (sizeof VY_CHECKPOINT_ORIGIN_PREFIX - 1 + 2 * VY_HASH_BYTES)
#define VY_COSIGNATURE_HEADER "cosignature/v1\n"
#define VY_NOTE_SIG_ED25519 0x01
#define VY_NOTE_SIG_COSIGNATURE 0x04
#define VY_NOTE_KEY_ID_BYTES 4
/* A witness's key name: 1..VY_WITNESS_NAME_MAX bytes of printable ASCII
 * other than space and '+' (signed-note key names). */
#define VY_WITNESS_NAME_MAX 128
/* A checkpoint note with its signature lines, at most (witness.md §3). */
#define VY_CHECKPOINT_NOTE_MAX 8192
/* The longest body: origin, a u64 in decimal, base64 of 32 bytes, newlines. */
#define VY_CHECKPOINT_BODY_MAX (VY_CHECKPOINT_ORIGIN_BYTES + 20 + 44 + 3)

typedef struct {
	uint8_t base_hash[VY_HASH_BYTES];
	uint64_t size;
	uint8_t root[VY_MERKLE_HASH_BYTES];
} vy_checkpoint;

/* One witness's cosignature of a checkpoint. */
typedef struct {
	uint64_t timestamp; /* POSIX seconds, < 2^63 */
	uint8_t signature[64];
} vy_cosignature;

/* 1 if name is a valid witness key name, else 0. */
int vy_witness_name_ok(const char *name, size_t len) VY_WARN_UNUSED;

/* The checkpoint's note body (the text that is signed), NUL-terminated;
 * *len its length without the NUL. */
void vy_checkpoint_body(char out[VY_CHECKPOINT_BODY_MAX + 1], size_t *len, const vy_checkpoint *c);

/* The signed-note key ID of (name, type, pk), as a big-endian u32. */
uint32_t vy_note_key_id(const char *name, uint8_t type, const uint8_t pk[32]);

/* The board's signature on the checkpoint (signed-note Ed25519, 0x01). */
void vy_checkpoint_sign(uint8_t sig[64], const vy_checkpoint *c, const uint8_t board_sk[64]);
int vy_checkpoint_verify(const uint8_t sig[64], const vy_checkpoint *c, const uint8_t board_pk[32]) VY_WARN_UNUSED;

/* A witness's cosignature at time t (tlog-cosignature, Ed25519). */
void vy_cosign(vy_cosignature *out, uint64_t t, const vy_checkpoint *c, const uint8_t witness_sk[64]);
int vy_cosignature_verify(const vy_cosignature *s, const vy_checkpoint *c, const uint8_t witness_pk[32]) VY_WARN_UNUSED;

/* Signature lines: "— name base64(key ID || sig)\n" into out (NUL-terminated);
 * the number of bytes written without the NUL, or 0 if cap is too small. */
size_t vy_note_line_board(char *out, size_t cap, const vy_checkpoint *c, const uint8_t board_pk[32],
			  const uint8_t sig[64]);
size_t vy_note_line_cosignature(char *out, size_t cap, const char *name, const uint8_t witness_pk[32],
				const vy_cosignature *s);

/* Parse a checkpoint note (body, blank line, signature lines) for the
 * election base_hash: the body into *c, and the board's signature, which
 * must be there and verify under board_pk. Other signature lines are
 * ignored unless they are a witness's of `names`/`pks` (n of them): those
 * must verify, and land in cosigs[i] with have[i] = 1. VY_R_OK, or the
 * reason (`malformed`, `invalid field`, `board signature`, `witness`). */
vy_rc vy_checkpoint_note_parse(vy_checkpoint *c, vy_cosignature *cosigs, int *have, const char *note, size_t len,
			       const uint8_t base_hash[VY_HASH_BYTES], const uint8_t board_pk[32],
			       const char *const *names, const uint8_t (*pks)[32], size_t n,
			       vy_reason *why) VY_WARN_UNUSED;

#endif
