/*
 * RFC 6962 / RFC 9162 Merkle trees over the record (vy_merkle.h,
 * specs/witness.md §2).
 *
 * The whole tree keeps, for every level l, the nodes of the perfect
 * subtrees of 2^l leaves that start at a multiple of 2^l: level 0 is the
 * leaf hashes. Any MTH(D[a:b]) that the proofs need is then either one
 * stored node or, on the tree's ragged right edge, a node of two such
 * ranges (O(log^2 n) hashes at most).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "protocol/vy_merkle.h"

#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01
#define LEVELS 64

struct vy_merkle_tree {
	uint64_t size;
	uint8_t (*level[LEVELS])[VY_MERKLE_HASH_BYTES]; /* level[l]: size >> l nodes */
	uint64_t cap[LEVELS];
};

void vy_merkle_leaf_hash(uint8_t out[VY_MERKLE_HASH_BYTES], const uint8_t *entry, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = LEAF_PREFIX;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, entry, len);
	crypto_hash_sha256_final(&st, out);
}

void vy_merkle_node_hash(uint8_t out[VY_MERKLE_HASH_BYTES], const uint8_t left[VY_MERKLE_HASH_BYTES],
			 const uint8_t right[VY_MERKLE_HASH_BYTES])
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = NODE_PREFIX;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, left, VY_MERKLE_HASH_BYTES);
	crypto_hash_sha256_update(&st, right, VY_MERKLE_HASH_BYTES);
	crypto_hash_sha256_final(&st, out);
}

/* MTH of the empty tree: SHA-256 of nothing. */
static void empty_root(uint8_t root[VY_MERKLE_HASH_BYTES])
{
	crypto_hash_sha256(root, NULL, 0);
}

/* The largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* ---- the accumulator: peaks of the perfect subtrees, largest first ---- */

void vy_merkle_acc_init(vy_merkle_acc *a)
{
	memset(a, 0, sizeof *a);
}

/* Adding a leaf merges equal-sized peaks, as binary addition carries. */
void vy_merkle_acc_add(vy_merkle_acc *a, const uint8_t leaf_hash[VY_MERKLE_HASH_BYTES])
{
	size_t peaks = (size_t)__builtin_popcountll(a->size);
	uint8_t carry[VY_MERKLE_HASH_BYTES];

	memcpy(carry, leaf_hash, sizeof carry);
	for (uint64_t bit = 1; a->size & bit; bit <<= 1) {
		peaks--;
		vy_merkle_node_hash(carry, a->peaks[peaks], carry);
	}
	memcpy(a->peaks[peaks], carry, sizeof carry);
	a->size++;
}

/* The root folds the peaks from the smallest (rightmost) to the largest:
 * exactly the RFC's split at the largest power of two, applied again and
 * again on the right. */
void vy_merkle_acc_root(const vy_merkle_acc *a, uint8_t root[VY_MERKLE_HASH_BYTES])
{
	size_t peaks = (size_t)__builtin_popcountll(a->size);

	if (peaks == 0) {
		empty_root(root);
		return;
	}
	memcpy(root, a->peaks[peaks - 1], VY_MERKLE_HASH_BYTES);
	for (size_t i = peaks - 1; i > 0; i--)
		vy_merkle_node_hash(root, a->peaks[i - 1], root);
}

/* ---- the whole tree ---- */

vy_merkle_tree *vy_merkle_tree_new(void)
{
	return calloc(1, sizeof(vy_merkle_tree));
}

void vy_merkle_tree_free(vy_merkle_tree *t)
{
	if (t == NULL)
		return;
	for (size_t l = 0; l < LEVELS; l++)
		free(t->level[l]);
	free(t);
}

uint64_t vy_merkle_tree_size(const vy_merkle_tree *t)
{
	return t->size;
}

/* Store node `index` of level l, growing the level by doubling. */
static vy_rc level_put(vy_merkle_tree *t, size_t l, uint64_t index, const uint8_t h[VY_MERKLE_HASH_BYTES])
{
	if (index >= t->cap[l]) {
		uint64_t cap = t->cap[l] ? 2 * t->cap[l] : 64;
		void *p;

		if (cap > SIZE_MAX / VY_MERKLE_HASH_BYTES)
			return VY_R_NOMEM;
		p = realloc(t->level[l], (size_t)cap * VY_MERKLE_HASH_BYTES);
		if (p == NULL)
			return VY_R_NOMEM;
		t->level[l] = p;
		t->cap[l] = cap;
	}
	memcpy(t->level[l][index], h, VY_MERKLE_HASH_BYTES);
	return VY_R_OK;
}

/* A new leaf completes one perfect subtree per trailing 1 bit of the old
 * size: store each of their nodes. */
vy_rc vy_merkle_tree_add(vy_merkle_tree *t, const uint8_t leaf_hash[VY_MERKLE_HASH_BYTES])
{
	uint8_t h[VY_MERKLE_HASH_BYTES];
	uint64_t index = t->size;
	size_t l = 0;
	vy_rc rc;

	if (t->size == UINT64_MAX >> 1)
		return VY_R_NOMEM;
	memcpy(h, leaf_hash, sizeof h);
	for (;;) {
		rc = level_put(t, l, index, h);
		if (rc != VY_R_OK)
			return rc;
		if ((index & 1) == 0)
			break;
		vy_merkle_node_hash(h, t->level[l][index - 1], h);
		index >>= 1;
		l++;
	}
	t->size++;
	return VY_R_OK;
}

/* MTH(D[a:b]), 0 <= a < b <= size: a stored node when the range is a
 * perfect aligned subtree, else the RFC's split. */
static void range_root(const vy_merkle_tree *t, uint64_t a, uint64_t b, uint8_t out[VY_MERKLE_HASH_BYTES])
{
	uint64_t len = b - a;
	uint8_t left[VY_MERKLE_HASH_BYTES];
	uint64_t k;

	if ((len & (len - 1)) == 0 && a % len == 0) {
		size_t l = (size_t)__builtin_ctzll(len);

		memcpy(out, t->level[l][a >> l], VY_MERKLE_HASH_BYTES);
		return;
	}
	k = split_point(len);
	range_root(t, a, a + k, left);
	range_root(t, a + k, b, out);
	vy_merkle_node_hash(out, left, out);
}

vy_rc vy_merkle_tree_root(const vy_merkle_tree *t, uint64_t size, uint8_t root[VY_MERKLE_HASH_BYTES])
{
	if (size > t->size)
		return VY_R_ARG;
	if (size == 0)
		empty_root(root);
	else
		range_root(t, 0, size, root);
	return VY_R_OK;
}

/* Append one hash to a proof being built. */
static vy_rc proof_push(uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n,
			const uint8_t h[VY_MERKLE_HASH_BYTES])
{
	if (*n >= VY_MERKLE_MAX_PROOF)
		return VY_R_ARG;
	memcpy(path[(*n)++], h, VY_MERKLE_HASH_BYTES);
	return VY_R_OK;
}

/* RFC 6962 §2.1.1 PATH(m, D[a:b]), the deepest sibling first. */
static vy_rc inclusion_path(const vy_merkle_tree *t, uint64_t m, uint64_t a, uint64_t b,
			    uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n)
{
	uint8_t sibling[VY_MERKLE_HASH_BYTES];
	uint64_t k;
	vy_rc rc;

	if (b - a == 1)
		return VY_R_OK;
	k = split_point(b - a);
	if (m < k) {
		rc = inclusion_path(t, m, a, a + k, path, n);
		range_root(t, a + k, b, sibling);
	} else {
		rc = inclusion_path(t, m - k, a + k, b, path, n);
		range_root(t, a, a + k, sibling);
	}
	return rc != VY_R_OK ? rc : proof_push(path, n, sibling);
}

vy_rc vy_merkle_tree_inclusion(const vy_merkle_tree *t, uint64_t index, uint64_t size,
			       uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n)
{
	*n = 0;
	if (size > t->size || index >= size)
		return VY_R_ARG;
	return inclusion_path(t, index, 0, size, path, n);
}

/* RFC 6962 §2.1.2 SUBPROOF(m, D[a:b], whole): whole says D[a:a+m] is the
 * old tree itself, whose root the verifier already has. */
static vy_rc subproof(const vy_merkle_tree *t, uint64_t m, uint64_t a, uint64_t b, int whole,
		      uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n)
{
	uint8_t h[VY_MERKLE_HASH_BYTES];
	uint64_t k;
	vy_rc rc;

	if (m == b - a) {
		if (whole)
			return VY_R_OK;
		range_root(t, a, b, h);
		return proof_push(path, n, h);
	}
	k = split_point(b - a);
	if (m <= k) {
		rc = subproof(t, m, a, a + k, whole, path, n);
		range_root(t, a + k, b, h);
	} else {
		rc = subproof(t, m - k, a + k, b, 0, path, n);
		range_root(t, a, a + k, h);
	}
	return rc != VY_R_OK ? rc : proof_push(path, n, h);
}

vy_rc vy_merkle_tree_consistency(const vy_merkle_tree *t, uint64_t first, uint64_t second,
				 uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n)
{
	*n = 0;
	if (first == 0 || first > second || second > t->size)
		return VY_R_ARG;
	return subproof(t, first, 0, second, 1, path, n);
}

/* ---- verification (RFC 9162 §2.1.3.2 and §2.1.4.2, step by step) ---- */

int vy_merkle_verify_inclusion(const uint8_t leaf_hash[VY_MERKLE_HASH_BYTES], uint64_t index, uint64_t size,
			       const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n,
			       const uint8_t root[VY_MERKLE_HASH_BYTES])
{
	uint8_t r[VY_MERKLE_HASH_BYTES];
	uint64_t fn, sn;

	if (index >= size) /* step 1 */
		return 0;
	fn = index; /* step 2 */
	sn = size - 1;
	memcpy(r, leaf_hash, sizeof r); /* step 3 */
	for (size_t i = 0; i < n; i++) { /* step 4 */
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			vy_merkle_node_hash(r, path[i], r);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			vy_merkle_node_hash(r, r, path[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, sizeof r) == 0; /* step 5 */
}

int vy_merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t root1[VY_MERKLE_HASH_BYTES],
				 const uint8_t root2[VY_MERKLE_HASH_BYTES],
				 const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n)
{
	uint8_t fr[VY_MERKLE_HASH_BYTES], sr[VY_MERKLE_HASH_BYTES];
	uint64_t fn, sn;
	size_t i = 0;

	if (first == 0 || first > second)
		return 0;
	if (first == second) /* the same tree: nothing to prove */
		return n == 0 && sodium_memcmp(root1, root2, VY_MERKLE_HASH_BYTES) == 0;
	if (n == 0) /* step 1 */
		return 0;
	fn = first - 1; /* step 3 */
	sn = second - 1;
	while (fn & 1) { /* step 4 */
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 2 and 5: a first tree of 2^j leaves is itself a node of the
	 * second, so its root starts the walk (it is "prepended" to the path). */
	if ((first & (first - 1)) == 0) {
		memcpy(fr, root1, sizeof fr);
	} else {
		memcpy(fr, path[0], sizeof fr);
		i = 1;
	}
	memcpy(sr, fr, sizeof sr);
	for (; i < n; i++) { /* step 6 */
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			vy_merkle_node_hash(fr, path[i], fr);
			vy_merkle_node_hash(sr, path[i], sr);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			vy_merkle_node_hash(sr, sr, path[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* step 7 */
	return sn == 0 && sodium_memcmp(fr, root1, sizeof fr) == 0 && sodium_memcmp(sr, root2, sizeof sr) == 0;
}

/* ---- proofs as text ---- */

size_t vy_merkle_proof_format(char *out, size_t cap, const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n)
{
	size_t len = 0;

	if (cap > 0)
		out[0] = '\0';
	if (n > VY_MERKLE_MAX_PROOF || cap < n * VY_MERKLE_PROOF_LINE_BYTES + 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		sodium_bin2base64(out + len, VY_MERKLE_PROOF_LINE_BYTES, path[i], VY_MERKLE_HASH_BYTES,
				  sodium_base64_VARIANT_ORIGINAL);
		len += VY_MERKLE_PROOF_LINE_BYTES - 1;
		out[len++] = '\n';
	}
	out[len] = '\0';
	return len;
}

vy_rc vy_merkle_proof_parse(uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], size_t *n, const char *text,
			    size_t len)
{
	const size_t line = VY_MERKLE_PROOF_LINE_BYTES; /* 44 characters and the newline */
	size_t got;

	*n = 0;
	if (len % line != 0 || len / line > VY_MERKLE_MAX_PROOF)
		return VY_R_MALFORMED;
	for (size_t i = 0; i < len / line; i++) {
		const char *l = text + i * line;

		if (l[line - 1] != '\n' ||
		    sodium_base642bin(path[i], VY_MERKLE_HASH_BYTES, l, line - 1, NULL, &got, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    got != VY_MERKLE_HASH_BYTES) {
			*n = 0;
			return VY_R_MALFORMED;
		}
	}
	*n = len / line;
	return VY_R_OK;
}
