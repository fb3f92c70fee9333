/*
 * The board's restart checkpoint (specs/board-api.md §2, "Restart"): its
 * signed word that it validated the first `size` entries of the record,
 * the last of which has entry hash `head`, that the stored bytes of those
 * entries hash, chained, to `bytes_hash`, and that after them the running
 * tally (§10.1) was `tally`. On a restart the entries it covers are
 * replayed with the rules that depend on the record state only
 * (vy_validate_entry_flags without the board signatures and the ballots'
 * proofs), and without the tally's arithmetic (tally_deferred); the chain
 * of stored bytes must arrive at both hashes, the tally is then the
 * checkpoint's, and only the entries after it get every rule; if anything
 * does not hold, the board says so and checks every entry.
 *
 *   blob = "VYBCKPT1" || u64be(size) || head || bytes_hash
 *          || u32be(len(tally)) || tally || signature
 *   tally = for each selection j of the manifest: alpha_j || beta_j (encoded elements)
 *   signature = Ed25519(board key, H(VYB_CHECKPOINT_TAG, u64(size), head, bytes_hash, tally))
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
/* Everything but the tally. */
#define VYB_CHECKPOINT_FIXED_BYTES (VYB_CHECKPOINT_MAGIC_BYTES + 8 + 2 * VY_HASH_BYTES + 4 + VY_ED25519_SIG_BYTES)
#define VYB_CHECKPOINT_MAX_TALLY_BYTES (16u << 20)

typedef struct {
	uint64_t size;
	uint8_t head[VY_HASH_BYTES], bytes_hash[VY_HASH_BYTES];
	const uint8_t *tally; /* the running tally's encoding (in the blob, once opened) */
	size_t tally_len;
} vyb_checkpoint;

/* acc = BLAKE2b-256(acc || entry): one more stored entry in the chain. */
void vyb_bytes_hash_add(uint8_t acc[VY_HASH_BYTES], const uint8_t *entry, size_t len);
/* The blob of c, signed with the board's secret key (malloc'd, *len);
 * NULL if out of memory or the tally is too large. */
uint8_t *vyb_checkpoint_make(const vyb_checkpoint *c, const uint8_t *sk, size_t *len);
/* Parse a blob and check its signature with the board's public key: c
 * (its tally points into blob); VY_R_MALFORMED or VY_R_BOARD_SIGNATURE
 * (why says which) otherwise. */
vy_rc vyb_checkpoint_open(const uint8_t *blob, size_t len, const uint8_t *pk, vyb_checkpoint *c,
			  vy_reason *why) VY_WARN_UNUSED;

#endif
