/*
 * Exponential ElGamal (crypto/vy_elgamal.h, specs/crypto.md §4) in each of
 * the three groups: ristretto255, modp4096 and the toy group (p = 23, q = 11).
 */
#include "tests/support/vytest.h"

#include <string.h>

#include "crypto/vy_elgamal.h"

#define SMALL_M 20 /* plaintexts 0..SMALL_M-1 are tried */

static const vy_group_id group_ids[] = { VY_GROUP_RISTRETTO255, VY_GROUP_MODP4096, VY_GROUP_TOY };

/* The group a test runs in, from its prestate. */
static const vy_group *get_group(void **state)
{
	vy_group_id id = *(const vy_group_id *)*state;
	const vy_group *g;

	vytest_init();
	g = id == VY_GROUP_TOY ? vytest_toy_group() : vy_group_by_id(id);
	assert_non_null(g);
	return g;
}

/* g^m, the expected decryption of m. */
static void g_to(const vy_group *g, vy_elem *out, uint64_t m)
{
	vy_scalar s;

	vy_scalar_from_u64(g, &s, m);
	vy_elem_exp_base(g, out, &s);
}

/* Decrypt ct with sk and compare with g^m. */
static void assert_decrypts_to(const vy_group *g, const vy_ciphertext *ct, const vy_scalar *sk, uint64_t m)
{
	vy_elem gm, want;

	vy_elgamal_decrypt(g, &gm, ct, sk);
	g_to(g, &want, m);
	assert_true(vy_elem_eq(g, &gm, &want));
}

/* Encrypt then decrypt small plaintexts; also through decrypt_with. */
static void test_round_trip(void **state)
{
	const vy_group *g = get_group(state);
	vy_scalar sk, r;
	vy_elem pk, gsk, share, gm, want, other;
	vy_ciphertext ct;

	vy_elgamal_keygen(g, &sk, &pk);
	assert_false(vy_scalar_is_zero(g, &sk));
	vy_elem_exp_base(g, &gsk, &sk);
	assert_true(vy_elem_eq(g, &gsk, &pk));
	for (uint64_t m = 0; m < SMALL_M; m++) {
		vy_scalar_random(g, &r);
		vy_elgamal_encrypt(g, &ct, &pk, m, &r);
		/* alpha = g^r. */
		vy_elem_exp_base(g, &gm, &r);
		assert_true(vy_elem_eq(g, &gm, &ct.alpha));
		assert_decrypts_to(g, &ct, &sk, m);
		vy_elem_exp(g, &share, &ct.alpha, &sk);
		vy_elgamal_decrypt_with(g, &gm, &ct, &share);
		g_to(g, &want, m);
		assert_true(vy_elem_eq(g, &gm, &want));
		/* A different plaintext does not match (g^m differ while m < q). */
		g_to(g, &other, m + 1);
		if (m + 1 < VYTEST_TOY_Q || vy_group_get_id(g) != VY_GROUP_TOY)
			assert_false(vy_elem_eq(g, &gm, &other));
	}
}

/* The plaintext is reduced mod q: in the toy group m and m + 11 encrypt alike. */
static void test_reduced_mod_q(void **state)
{
	const vy_group *g = get_group(state);
	vy_scalar sk, r;
	vy_elem pk;
	vy_ciphertext a, b;

	assert_int_equal(vy_group_get_id(g), VY_GROUP_TOY);
	vy_elgamal_keygen(g, &sk, &pk);
	vy_scalar_random(g, &r);
	vy_elgamal_encrypt(g, &a, &pk, 3, &r);
	vy_elgamal_encrypt(g, &b, &pk, 3 + VYTEST_TOY_Q, &r);
	assert_true(vy_elem_eq(g, &a.alpha, &b.alpha));
	assert_true(vy_elem_eq(g, &a.beta, &b.beta));
}

/* Enc(m1) * Enc(m2) decrypts to m1 + m2, and its randomness is r1 + r2. */
static void test_homomorphic_add(void **state)
{
	const vy_group *g = get_group(state);
	vy_scalar sk, r1, r2, rs;
	vy_elem pk;
	vy_ciphertext c1, c2, sum, direct;

	vy_elgamal_keygen(g, &sk, &pk);
	for (uint64_t m1 = 0; m1 < 4; m1++) {
		for (uint64_t m2 = 0; m2 < 4; m2++) {
			vy_scalar_random(g, &r1);
			vy_scalar_random(g, &r2);
			vy_elgamal_encrypt(g, &c1, &pk, m1, &r1);
			vy_elgamal_encrypt(g, &c2, &pk, m2, &r2);
			vy_elgamal_add(g, &sum, &c1, &c2);
			assert_decrypts_to(g, &sum, &sk, m1 + m2);
			vy_scalar_add(g, &rs, &r1, &r2);
			vy_elgamal_encrypt(g, &direct, &pk, m1 + m2, &rs);
			assert_true(vy_elem_eq(g, &direct.alpha, &sum.alpha));
			assert_true(vy_elem_eq(g, &direct.beta, &sum.beta));
			/* Output aliasing an input. */
			vy_elgamal_add(g, &c1, &c1, &c2);
			assert_true(vy_elem_eq(g, &c1.alpha, &sum.alpha));
			assert_true(vy_elem_eq(g, &c1.beta, &sum.beta));
		}
	}
}

/* zero is (identity, identity), the encryption of 0 with r = 0, and neutral. */
static void test_zero_neutral(void **state)
{
	const vy_group *g = get_group(state);
	vy_scalar sk, r, r0;
	vy_elem pk;
	vy_ciphertext z, ct, sum, enc0;

	vy_elgamal_zero(g, &z);
	assert_true(vy_elem_is_identity(g, &z.alpha));
	assert_true(vy_elem_is_identity(g, &z.beta));
	vy_elgamal_keygen(g, &sk, &pk);
	vy_scalar_from_u64(g, &r0, 0);
	vy_elgamal_encrypt(g, &enc0, &pk, 0, &r0);
	assert_true(vy_elem_eq(g, &enc0.alpha, &z.alpha));
	assert_true(vy_elem_eq(g, &enc0.beta, &z.beta));
	vy_scalar_random(g, &r);
	vy_elgamal_encrypt(g, &ct, &pk, 5, &r);
	vy_elgamal_add(g, &sum, &ct, &z);
	assert_true(vy_elem_eq(g, &sum.alpha, &ct.alpha));
	assert_true(vy_elem_eq(g, &sum.beta, &ct.beta));
	vy_elgamal_add(g, &sum, &z, &ct);
	assert_true(vy_elem_eq(g, &sum.alpha, &ct.alpha));
	assert_true(vy_elem_eq(g, &sum.beta, &ct.beta));
	assert_decrypts_to(g, &z, &sk, 0);
}

/* m = 0 decrypts to the identity; a ciphertext with identity components
 * encodes and decodes. */
static void test_m_zero(void **state)
{
	const vy_group *g = get_group(state);
	size_t eb = vy_group_elem_bytes(g);
	uint8_t abuf[VY_ELEM_MAX_BYTES], bbuf[VY_ELEM_MAX_BYTES];
	vy_scalar sk, r;
	vy_elem pk, gm;
	vy_ciphertext ct, z, back;

	vy_elgamal_keygen(g, &sk, &pk);
	vy_scalar_random(g, &r);
	vy_elgamal_encrypt(g, &ct, &pk, 0, &r);
	vy_elgamal_decrypt(g, &gm, &ct, &sk);
	assert_true(vy_elem_is_identity(g, &gm));

	vy_elgamal_zero(g, &z);
	vy_elem_encode(g, abuf, &z.alpha);
	vy_elem_encode(g, bbuf, &z.beta);
	assert_int_equal(vy_ciphertext_decode(g, &back, abuf, eb, bbuf, eb), VY_OK);
	assert_true(vy_elem_is_identity(g, &back.alpha));
	assert_true(vy_elem_is_identity(g, &back.beta));
}

/* Encoded ciphertexts decode to themselves. */
static void test_decode_round_trip(void **state)
{
	const vy_group *g = get_group(state);
	size_t eb = vy_group_elem_bytes(g);
	uint8_t abuf[VY_ELEM_MAX_BYTES], bbuf[VY_ELEM_MAX_BYTES];
	vy_scalar sk, r;
	vy_elem pk;
	vy_ciphertext ct, back;

	vy_elgamal_keygen(g, &sk, &pk);
	vy_scalar_random(g, &r);
	vy_elgamal_encrypt(g, &ct, &pk, 7, &r);
	vy_elem_encode(g, abuf, &ct.alpha);
	vy_elem_encode(g, bbuf, &ct.beta);
	assert_int_equal(vy_ciphertext_decode(g, &back, abuf, eb, bbuf, eb), VY_OK);
	assert_true(vy_elem_eq(g, &back.alpha, &ct.alpha));
	assert_true(vy_elem_eq(g, &back.beta, &ct.beta));
	assert_decrypts_to(g, &back, &sk, 7);
}

/* 1 if every byte of p[0..n) is zero. */
static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* Try one bad encoding in each position: the error is vy_elem_decode's on
 * the same bytes, and the output is zeroed. */
static void check_bad_encoding(const vy_group *g, const uint8_t *bad, size_t bad_len, const uint8_t *good)
{
	size_t eb = vy_group_elem_bytes(g);
	vy_ciphertext out;
	vy_elem e;
	vy_err want = vy_elem_decode(g, &e, bad, bad_len);

	assert_int_not_equal(want, VY_OK);
	memset(&out, 0xaa, sizeof out);
	assert_int_equal(vy_ciphertext_decode(g, &out, bad, bad_len, good, eb), want);
	assert_true(all_zero(&out, sizeof out));
	memset(&out, 0xaa, sizeof out);
	assert_int_equal(vy_ciphertext_decode(g, &out, good, eb, bad, bad_len), want);
	assert_true(all_zero(&out, sizeof out));
}

/* Find a byte string of the right length that is not a group element
 * (first found by changing the last bytes of a valid encoding); fails the
 * test if none. */
static void find_not_in_group(const vy_group *g, uint8_t *bad, const uint8_t *good)
{
	size_t eb = vy_group_elem_bytes(g);
	vy_elem e;

	for (unsigned k = 1; k < 256; k++) {
		memcpy(bad, good, eb);
		bad[eb - 1] ^= (uint8_t)k;
		if (vy_elem_decode(g, &e, bad, eb) != VY_OK)
			return;
	}
	fail_msg("no invalid encoding found");
}

/* The decoder rejects a bad element in either component, with the code of
 * vy_elem_decode: wrong length, out of range, and not in the group. */
static void test_decode_rejects(void **state)
{
	const vy_group *g = get_group(state);
	size_t eb = vy_group_elem_bytes(g);
	uint8_t good[VY_ELEM_MAX_BYTES], bad[VY_ELEM_MAX_BYTES];
	vy_scalar r;
	vy_elem e;
	vy_ciphertext out;

	vy_scalar_random(g, &r);
	vy_elem_exp_base(g, &e, &r);
	vy_elem_encode(g, good, &e);

	/* Wrong lengths. */
	check_bad_encoding(g, good, eb - 1, good);
	assert_int_equal(vy_elem_decode(g, &e, good, eb - 1), VY_ERR_LENGTH);
	/* All ones: never canonical (>= p, or a non-canonical ristretto255 encoding). */
	memset(bad, 0xff, eb);
	check_bad_encoding(g, bad, eb, good);
	/* Bytes of the right length that are no element. */
	find_not_in_group(g, bad, good);
	check_bad_encoding(g, bad, eb, good);
	/* The toy group: 5 < 23 is canonical but not a square mod 23. */
	if (vy_group_get_id(g) == VY_GROUP_TOY) {
		uint8_t five = 5;

		assert_int_equal(vy_elem_decode(g, &e, &five, 1), VY_ERR_NOT_IN_GROUP);
		check_bad_encoding(g, &five, 1, good);
	}
	/* Programmer errors. */
	assert_int_equal(vy_ciphertext_decode(g, &out, NULL, eb, good, eb), VY_ERR_ARG);
	assert_int_equal(vy_ciphertext_decode(g, NULL, good, eb, good, eb), VY_ERR_ARG);
}

#define GROUP_TESTS(id)                                                                  \
	cmocka_unit_test_prestate(test_round_trip, (void *)&group_ids[id]),              \
	cmocka_unit_test_prestate(test_homomorphic_add, (void *)&group_ids[id]),         \
	cmocka_unit_test_prestate(test_zero_neutral, (void *)&group_ids[id]),            \
	cmocka_unit_test_prestate(test_m_zero, (void *)&group_ids[id]),                  \
	cmocka_unit_test_prestate(test_decode_round_trip, (void *)&group_ids[id]),       \
	cmocka_unit_test_prestate(test_decode_rejects, (void *)&group_ids[id])

int main(void)
{
	const struct CMUnitTest tests[] = {
		GROUP_TESTS(0),
		GROUP_TESTS(1),
		GROUP_TESTS(2),
		cmocka_unit_test_prestate(test_reduced_mod_q, (void *)&group_ids[2]),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
