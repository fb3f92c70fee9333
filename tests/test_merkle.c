/*
 * The record's Merkle tree (protocol/vy_merkle.h, specs/witness.md §2):
 *  - the Certificate Transparency reference vectors of RFC 6962 (roots of
 *    sizes 0..8 and two inclusion proofs);
 *  - the accumulator and the whole tree against a deliberately naive
 *    reference (the RFC's recursive definition, nothing stored), for every
 *    size up to 70;
 *  - every inclusion and consistency proof of every size up to 40 verifies,
 *    and every proof altered in one way (a hash, the leaf, the index, the
 *    roots, one hash more or less) does not.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "protocol/vy_merkle.h"
#include "tests/support/vytest.h"

#define H VY_MERKLE_HASH_BYTES
#define MANY 70
#define PROOF_SIZES 40

/* RFC 6962's reference leaves (Certificate Transparency's test data). */
static const char *const CT_LEAVES[] = { "",	     "00",	 "10",		      "2021",
					 "3031",     "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" };
/* MTH of the first n of them, n = 0..8. */
static const char *const CT_ROOTS[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
/* Inclusion proofs in the tree of all 8: leaf 0, and leaf 5. */
static const char *const CT_PATH_0[] = { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
					 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
					 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" };
static const char *const CT_PATH_5[] = { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
					 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
					 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" };

static void unhex_exact(uint8_t *out, size_t len, const char *hex)
{
	assert_int_equal(vytest_unhex(out, len, hex), (long)len);
}

/* The naive reference: RFC 6962 §2.1's definition, recomputed each time. */
static void naive_root(const uint8_t (*leaves)[H], uint64_t n, uint8_t out[H])
{
	uint8_t l[H];
	uint64_t k = 1;

	if (n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], H);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_root(leaves, k, l);
	naive_root(leaves + k, n - k, out);
	vy_merkle_node_hash(out, l, out);
}

/* Leaf hashes of MANY distinct entries. */
static uint8_t (*many_leaves(void))[H]
{
	uint8_t (*leaves)[H] = malloc(MANY * H);
	uint8_t entry[2];

	assert_non_null(leaves);
	for (int i = 0; i < MANY; i++) {
		entry[0] = (uint8_t)i;
		entry[1] = (uint8_t)(i * 7);
		vy_merkle_leaf_hash(leaves[i], entry, sizeof entry);
	}
	return leaves;
}

static void test_ct_vectors(void **state)
{
	vy_merkle_tree *t = vy_merkle_tree_new();
	uint8_t entry[16], leaf[H], want[H], got[H], path[VY_MERKLE_MAX_PROOF][H], ct[3][H];
	vy_merkle_acc acc;
	size_t n;

	(void)state;
	assert_non_null(t);
	vy_merkle_acc_init(&acc);
	unhex_exact(want, H, CT_ROOTS[0]);
	vy_merkle_acc_root(&acc, got);
	assert_memory_equal(got, want, H);
	for (size_t i = 0; i < 8; i++) {
		long len = vytest_unhex(entry, sizeof entry, CT_LEAVES[i]);

		assert_true(len >= 0);
		vy_merkle_leaf_hash(leaf, entry, (size_t)len);
		vy_merkle_acc_add(&acc, leaf);
		assert_int_equal(vy_merkle_tree_add(t, leaf), VY_R_OK);
		unhex_exact(want, H, CT_ROOTS[i + 1]);
		vy_merkle_acc_root(&acc, got);
		assert_memory_equal(got, want, H);
		assert_int_equal(vy_merkle_tree_root(t, i + 1, got), VY_R_OK);
		assert_memory_equal(got, want, H);
	}
	assert_int_equal(vy_merkle_tree_inclusion(t, 0, 8, path, &n), VY_R_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++)
		unhex_exact(ct[i], H, CT_PATH_0[i]);
	assert_memory_equal(path, ct, sizeof ct);
	assert_int_equal(vy_merkle_tree_inclusion(t, 5, 8, path, &n), VY_R_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++)
		unhex_exact(ct[i], H, CT_PATH_5[i]);
	assert_memory_equal(path, ct, sizeof ct);
	vy_merkle_tree_free(t);
}

/* Accumulator, whole tree and naive reference agree at every size. */
static void test_roots_against_naive(void **state)
{
	uint8_t (*leaves)[H] = many_leaves();
	vy_merkle_tree *t = vy_merkle_tree_new();
	uint8_t want[H], got[H];
	vy_merkle_acc acc;

	(void)state;
	vy_merkle_acc_init(&acc);
	for (uint64_t n = 1; n <= MANY; n++) {
		vy_merkle_acc_add(&acc, leaves[n - 1]);
		assert_int_equal(vy_merkle_tree_add(t, leaves[n - 1]), VY_R_OK);
		naive_root(leaves, n, want);
		vy_merkle_acc_root(&acc, got);
		assert_memory_equal(got, want, H);
		for (uint64_t m = 0; m <= n; m++) { /* every earlier size, from the whole tree */
			naive_root(leaves, m, want);
			assert_int_equal(vy_merkle_tree_root(t, m, got), VY_R_OK);
			assert_memory_equal(got, want, H);
		}
	}
	assert_int_equal(vy_merkle_tree_root(t, MANY + 1, got), VY_R_ARG);
	vy_merkle_tree_free(t);
	free(leaves);
}

/* Every inclusion proof verifies; each alteration fails. */
static void test_inclusion_all(void **state)
{
	uint8_t (*leaves)[H] = many_leaves();
	vy_merkle_tree *t = vy_merkle_tree_new();
	uint8_t root[H], path[VY_MERKLE_MAX_PROOF][H];
	size_t n;

	(void)state;
	for (int i = 0; i < PROOF_SIZES; i++)
		assert_int_equal(vy_merkle_tree_add(t, leaves[i]), VY_R_OK);
	for (uint64_t size = 1; size <= PROOF_SIZES; size++) {
		assert_int_equal(vy_merkle_tree_root(t, size, root), VY_R_OK);
		for (uint64_t i = 0; i < size; i++) {
			assert_int_equal(vy_merkle_tree_inclusion(t, i, size, path, &n), VY_R_OK);
			assert_true(vy_merkle_verify_inclusion(leaves[i], i, size, (const uint8_t (*)[H])path, n, root));
			/* another leaf or index, or an index past the size (a proof does
			 * not pin the size by itself: the checkpoint that gives the root
			 * does) */
			assert_false(vy_merkle_verify_inclusion(leaves[i + 1], i, size, (const uint8_t (*)[H])path,
								n, root));
			if (size > 1)
				assert_false(vy_merkle_verify_inclusion(leaves[i], (i + 1) % size, size,
									(const uint8_t (*)[H])path, n, root));
			assert_false(vy_merkle_verify_inclusion(leaves[i], size, size, (const uint8_t (*)[H])path, n,
								root));
			/* one hash fewer, one more, or one changed */
			if (n > 0) {
				assert_false(vy_merkle_verify_inclusion(leaves[i], i, size,
									(const uint8_t (*)[H])path, n - 1, root));
				path[n - 1][0] ^= 1;
				assert_false(vy_merkle_verify_inclusion(leaves[i], i, size,
									(const uint8_t (*)[H])path, n, root));
				path[n - 1][0] ^= 1;
			}
			memcpy(path[n], root, H);
			assert_false(vy_merkle_verify_inclusion(leaves[i], i, size, (const uint8_t (*)[H])path, n + 1,
								root));
		}
	}
	assert_int_equal(vy_merkle_tree_inclusion(t, 3, 3, path, &n), VY_R_ARG);
	vy_merkle_tree_free(t);
	free(leaves);
}

/* Every consistency proof verifies; each alteration fails. */
static void test_consistency_all(void **state)
{
	uint8_t (*leaves)[H] = many_leaves();
	vy_merkle_tree *t = vy_merkle_tree_new();
	uint8_t r1[H], r2[H], path[VY_MERKLE_MAX_PROOF][H];
	size_t n;

	(void)state;
	for (int i = 0; i < PROOF_SIZES; i++)
		assert_int_equal(vy_merkle_tree_add(t, leaves[i]), VY_R_OK);
	for (uint64_t second = 1; second <= PROOF_SIZES; second++) {
		assert_int_equal(vy_merkle_tree_root(t, second, r2), VY_R_OK);
		for (uint64_t first = 1; first <= second; first++) {
			assert_int_equal(vy_merkle_tree_root(t, first, r1), VY_R_OK);
			assert_int_equal(vy_merkle_tree_consistency(t, first, second, path, &n), VY_R_OK);
			assert_true(vy_merkle_verify_consistency(first, second, r1, r2, (const uint8_t (*)[H])path, n));
			/* swapped roots, a changed or missing hash */
			if (first < second) {
				assert_false(vy_merkle_verify_consistency(first, second, r2, r1,
									  (const uint8_t (*)[H])path, n));
				assert_false(vy_merkle_verify_consistency(first, second, r1, r2,
									  (const uint8_t (*)[H])path, n - 1));
				for (size_t j = 0; j < n; j++) {
					path[j][7] ^= 0x80;
					assert_false(vy_merkle_verify_consistency(first, second, r1, r2,
										  (const uint8_t (*)[H])path, n));
					path[j][7] ^= 0x80;
				}
			} else {
				assert_int_equal(n, 0);
			}
			r1[0] ^= 1;
			assert_false(vy_merkle_verify_consistency(first, second, r1, r2, (const uint8_t (*)[H])path, n));
		}
	}
	assert_false(vy_merkle_verify_consistency(0, 5, r1, r2, (const uint8_t (*)[H])path, 0));
	assert_int_equal(vy_merkle_tree_consistency(t, 0, 5, path, &n), VY_R_ARG);
	assert_int_equal(vy_merkle_tree_consistency(t, 6, 5, path, &n), VY_R_ARG);
	vy_merkle_tree_free(t);
	free(leaves);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ct_vectors),
		cmocka_unit_test(test_roots_against_naive),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_consistency_all),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
