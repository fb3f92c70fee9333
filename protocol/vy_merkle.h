/*
 * The record as a Merkle tree (specs/witness.md §2): the RFC 6962 / RFC 9162
 * Merkle Tree Hash over the record's entries, its inclusion and consistency
 * proofs, so that a checkpoint (vy_checkpoint.h) of n entries commits to
 * exactly entries 0..n-1, and a voter can check one entry against a
 * co-signed checkpoint without the whole record.
 *
 *   leaf hash   MTH({d}) = SHA-256(0x00 || d)      d: an entry hash (§7.2), 32 bytes
 *   node hash   SHA-256(0x01 || left || right)
 *   MTH({})     = SHA-256("")
 *   MTH(D[n])   = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of 2 < n
 *
 * Everything here is public data: nothing is constant-time.
 */
#ifndef VY_MERKLE_H
#define VY_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_protocol.h"

#define VY_MERKLE_HASH_BYTES 32
/* The longest inclusion or consistency proof of a tree of < 2^63 leaves. */
#define VY_MERKLE_MAX_PROOF 64

/* SHA-256(0x00 || entry) and SHA-256(0x01 || left || right). */
void vy_merkle_leaf_hash(uint8_t out[VY_MERKLE_HASH_BYTES], const uint8_t *entry, size_t len);
void vy_merkle_node_hash(uint8_t out[VY_MERKLE_HASH_BYTES], const uint8_t left[VY_MERKLE_HASH_BYTES],
			 const uint8_t right[VY_MERKLE_HASH_BYTES]);

/* The root of a growing tree in O(log n) memory: one hash per set bit of
 * the size (the roots of its perfect subtrees, largest first). What the
 * verifier and a witness keep while they read the record. */
typedef struct {
	uint64_t size;
	uint8_t peaks[64][VY_MERKLE_HASH_BYTES];
} vy_merkle_acc;

void vy_merkle_acc_init(vy_merkle_acc *a);
/* Append one leaf (its leaf hash). */
void vy_merkle_acc_add(vy_merkle_acc *a, const uint8_t leaf_hash[VY_MERKLE_HASH_BYTES]);
/* MTH of every leaf added so far. */
void vy_merkle_acc_root(const vy_merkle_acc *a, uint8_t root[VY_MERKLE_HASH_BYTES]);

/* A tree held whole, for proofs (the board and a witness): every leaf hash
 * and the node of every perfect, aligned subtree; 2n hashes for n leaves. */
typedef struct vy_merkle_tree vy_merkle_tree;

vy_merkle_tree *vy_merkle_tree_new(void);
void vy_merkle_tree_free(vy_merkle_tree *t);
uint64_t vy_merkle_tree_size(const vy_merkle_tree *t);
/* Append one leaf; VY_R_NOMEM if it cannot grow. */
vy_rc vy_merkle_tree_add(vy_merkle_tree *t, const uint8_t leaf_hash[VY_MERKLE_HASH_BYTES]) VY_WARN_UNUSED;
/* MTH of the first `size` leaves (size <= the tree's size). */
vy_rc vy_merkle_tree_root(const vy_merkle_tree *t, uint64_t size, uint8_t root[VY_MERKLE_HASH_BYTES]) VY_WARN_UNUSED;
/* RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of
 * its first `size` leaves; *n hashes into path. */
vy_rc vy_merkle_tree_inclusion(const vy_merkle_tree *t, uint64_t index, uint64_t size,
			       uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n) VY_WARN_UNUSED;
/* RFC 9162 §2.1.4.1: the consistency proof from the tree of `first` leaves
 * to the tree of `second` leaves (0 < first <= second <= size). */
vy_rc vy_merkle_tree_consistency(const vy_merkle_tree *t, uint64_t first, uint64_t second,
				 uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n) VY_WARN_UNUSED;

/* RFC 9162 §2.1.3.2: 1 if path proves that leaf_hash is leaf `index` of the
 * tree of `size` leaves whose root is root, else 0. */
int vy_merkle_verify_inclusion(const uint8_t leaf_hash[VY_MERKLE_HASH_BYTES], uint64_t index, uint64_t size,
			       const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n,
			       const uint8_t root[VY_MERKLE_HASH_BYTES]) VY_WARN_UNUSED;
/* RFC 9162 §2.1.4.2: 1 if path proves that the tree of `first` leaves with
 * root1 is a prefix of the tree of `second` leaves with root2, else 0. */
int vy_merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t root1[VY_MERKLE_HASH_BYTES],
				 const uint8_t root2[VY_MERKLE_HASH_BYTES],
				 const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n) VY_WARN_UNUSED;

/* A proof as text (specs/board-api.md, the proof endpoints): one standard
 * base64 hash (44 characters) and a newline per hash, nothing else. */
#define VY_MERKLE_PROOF_LINE_BYTES 45
#define VY_MERKLE_PROOF_TEXT_MAX (VY_MERKLE_MAX_PROOF * VY_MERKLE_PROOF_LINE_BYTES)

/* path[0..n) as text into out[cap] (NUL-terminated); its length without
 * the NUL, or 0 with out[0] = '\0' when n = 0 or cap is too small (cap must
 * be at least n * VY_MERKLE_PROOF_LINE_BYTES + 1). */
size_t vy_merkle_proof_format(char *out, size_t cap, const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n);
/* The text[0..len) of such lines into path, *n hashes: VY_R_OK, or
 * VY_R_MALFORMED for anything else (more than VY_MERKLE_MAX_PROOF hashes,
 * a line that is not 44 base64 characters of 32 bytes, no final newline). */
vy_rc vy_merkle_proof_parse(uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n, const char *text,
			    size_t len) VY_WARN_UNUSED;

#endif
