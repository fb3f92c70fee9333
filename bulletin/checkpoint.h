/*
 * The board's restart checkpoint (specs/board-api.md §2, "Restart"): its
 * signed word that it validated the first `size` entries of the record,
 * the last of which has entry hash `head`, and that the stored bytes of
 * those entries hash, chained, to `bytes_hash`. On a restart the entries
 * it covers are replayed with the rules that depend on the record state
 * only (vy_validate_entry_flags without the board signatures and the
 * ballots' proofs), the chain of stored bytes must arrive at both hashes,
 * and only the entries after it get every rule; if anything does not
 * hold, the board says so and checks every entry.
 *
 *   blob = "VYBCKPT1" || u64be(size) || head || bytes_hash || signature
 *   signature = Ed25519(board key, H(VYB_CHECKPOINT_TAG, u64(size), head, bytes_hash))
 *   bytes_hash(0) = 32 zero bytes;
 *   bytes_hash(k+1) = BLAKE2b-256(bytes_hash(k) || stored bytes of entry k)
 */
#ifndef VYB_CHECKPOINT_H
#define VYB_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_protocol.h"

#define VYB_CHECKPOINT_TAG "vybar/v1/board-restart-checkpoint"
#define VYB_CHECKPOINT_MAGIC "VYBCKPT1"
#define VYB_CHECKPOINT_MAGIC_BYTES 8
#define VYB_CHECKPOINT_BYTES (VYB_CHECKPOINT_MAGIC_BYTES + 8 + 2 * VY_HASH_BYTES + VY_ED25519_SIG_BYTES)

/* acc = BLAKE2b-256(acc || entry): one more stored entry in the chain. */
void vyb_bytes_hash_add(uint8_t acc[VY_HASH_BYTES], const uint8_t *entry, size_t len);
/* The blob of a checkpoint, signed with the board's secret key. */
void vyb_checkpoint_make(uint8_t out[VYB_CHECKPOINT_BYTES], uint64_t size, const uint8_t head[VY_HASH_BYTES],
			 const uint8_t bytes_hash[VY_HASH_BYTES], const uint8_t *sk);
/* Parse a blob and check its signature with the board's public key: its
 * size and hashes; VY_R_MALFORMED or VY_R_BOARD_SIGNATURE (why says which)
 * otherwise. */
vy_rc vyb_checkpoint_open(const uint8_t *blob, size_t len, const uint8_t *pk, uint64_t *size,
			  uint8_t head[VY_HASH_BYTES], uint8_t bytes_hash[VY_HASH_BYTES], vy_reason *why) VY_WARN_UNUSED;

#endif
