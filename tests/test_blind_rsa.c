/*
 * RSA blind signatures (specs/crypto.md §9): the RFC 9474 Appendix A
 * known-answer tests read from specs/vectors/rfc9474.json (all four
 * variants, every step: prepare, encode, blind, blind_sign, finalize,
 * verify; plus the alternate A.4 blinding of the file's `discrepancy`),
 * differential tests against libgcrypt (the RSA arithmetic, and its own
 * RSASSA-PSS verification of our signatures), and negative tests that
 * break one thing each: the signature, the message, the randomizer, the
 * key, the lengths and ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <gmp.h>
#include <sodium.h>

#include "crypto/blind_rsa_impl.h"
#include "tests/support/json.h"
#include "tests/support/vytest.h"

#define VECTORS_PATH "specs/vectors/rfc9474.json"
#define N_VECTORS 4
#define MSG_MAX 4096           /* largest hex message of the vectors, in bytes */
#define KEY_BITS 3072          /* the fresh key of the differential tests */
#define N_RANDOM 8             /* random inputs per differential test */
#define TEST_MSG_BYTES 32      /* a credential message is one SHA-256 digest */
#define JUNK 0xa5

/* The fresh key, made once for the whole program (keygen takes seconds). */
static vy_rsa_sk *fresh_sk;
static vy_rsa_pk fresh_pk;

/* ---- helpers ---- */

static vyjson *load_vectors(void)
{
	char err[160];
	size_t len;
	char *text = vytest_read_file(vytest_source_path(VECTORS_PATH), &len);
	vyjson *v = vyjson_parse(text, len, err, sizeof err);

	free(text);
	if (v == NULL)
		fail_msg("%s: %s", VECTORS_PATH, err);
	return v;
}

/* Hex member key of obj into out (cap bytes); returns the length. */
static size_t get_hex(uint8_t *out, size_t cap, const vyjson *obj, const char *key)
{
	const char *hex = vyjson_get_string(obj, key);
	long n;

	if (hex == NULL)
		fail_msg("vector: no string '%s'", key);
	n = vytest_unhex(out, cap, hex);
	if (n < 0)
		fail_msg("vector: '%s' is not hex of at most %zu bytes", key, cap);
	return (size_t)n;
}

/* Hex member key of obj, which must be exactly k bytes. */
static void get_hex_k(uint8_t *out, size_t k, const vyjson *obj, const char *key)
{
	assert_int_equal(get_hex(out, k, obj, key), k);
}

static void mpz_from(mpz_t x, const uint8_t *b, size_t len)
{
	mpz_import(x, len, 1, 1, 0, 0, b);
}

/* b[0..len) = x, big-endian, left-padded. */
static void mpz_to(uint8_t *b, size_t len, const mpz_t x)
{
	size_t need = (mpz_sizeinbase(x, 2) + 7) / 8;

	assert_true(need <= len);
	memset(b, 0, len);
	mpz_export(b + len - need, NULL, 1, 1, 0, 0, x);
}

/* A random integer in (0, n) as k bytes. */
static void random_below(uint8_t *out, const vy_rsa_pk *pk)
{
	mpz_t x, n;
	uint8_t buf[VY_RSA_MAX_BYTES + 16];

	mpz_inits(x, n, NULL);
	randombytes_buf(buf, pk->n_len + 16);
	mpz_from(x, buf, pk->n_len + 16);
	mpz_from(n, pk->n, pk->n_len);
	mpz_sub_ui(n, n, 1);
	mpz_mod(x, x, n);
	mpz_add_ui(x, x, 1);
	mpz_to(out, pk->n_len, x);
	mpz_clears(x, n, NULL);
}

/* The whole client/registrar round on the fresh key: prepared message and
 * final signature. */
static void sign_fresh(uint8_t *prepared, uint8_t *sig, const uint8_t msg[TEST_MSG_BYTES])
{
	size_t k = fresh_pk.n_len;
	uint8_t blinded[VY_RSA_MAX_BYTES], inv[VY_RSA_MAX_BYTES], bsig[VY_RSA_MAX_BYTES];

	assert_int_equal(vy_blind_rsa_prepare(prepared, VY_BLIND_RSA_RANDOMIZER_BYTES + TEST_MSG_BYTES, msg,
					      TEST_MSG_BYTES),
			 VY_OK);
	assert_memory_equal(prepared + VY_BLIND_RSA_RANDOMIZER_BYTES, msg, TEST_MSG_BYTES);
	assert_int_equal(vy_blind_rsa_blind(&fresh_pk, blinded, inv, k, prepared,
					    VY_BLIND_RSA_RANDOMIZER_BYTES + TEST_MSG_BYTES),
			 VY_OK);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, bsig, k, blinded, k), VY_OK);
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, bsig, k, inv, k, prepared,
					       VY_BLIND_RSA_RANDOMIZER_BYTES + TEST_MSG_BYTES),
			 VY_OK);
}

#define PREPARED_BYTES (VY_BLIND_RSA_RANDOMIZER_BYTES + TEST_MSG_BYTES)

/* ---- RFC 9474 Appendix A ---- */

/* Buffers of one vector. */
typedef struct {
	size_t k, msg_len, prefix_len, prepared_len, salt_len;
	uint8_t p[VY_RSA_MAX_BYTES], q[VY_RSA_MAX_BYTES], n[VY_RSA_MAX_BYTES], e[8], d[VY_RSA_MAX_BYTES];
	size_t p_len, q_len, e_len, d_len;
	uint8_t msg[MSG_MAX], prefix[VY_BLIND_RSA_RANDOMIZER_BYTES], prepared[MSG_MAX + VY_BLIND_RSA_RANDOMIZER_BYTES];
	uint8_t salt[VY_BLIND_RSA_SALT_BYTES], encoded[VY_RSA_MAX_BYTES], inv[VY_RSA_MAX_BYTES];
	uint8_t blinded[VY_RSA_MAX_BYTES], blind_sig[VY_RSA_MAX_BYTES], sig[VY_RSA_MAX_BYTES];
} rfc_vector;

static void read_vector(rfc_vector *v, const vyjson *j)
{
	long long salt_len, k;

	assert_true(vyjson_int(vyjson_get(j, "kLen"), &k));
	assert_true(k > 0 && k <= VY_RSA_MAX_BYTES);
	v->k = (size_t)k;
	v->p_len = get_hex(v->p, sizeof v->p, j, "p");
	v->q_len = get_hex(v->q, sizeof v->q, j, "q");
	get_hex_k(v->n, v->k, j, "n");
	v->e_len = get_hex(v->e, sizeof v->e, j, "e");
	v->d_len = get_hex(v->d, sizeof v->d, j, "d");
	v->msg_len = get_hex(v->msg, sizeof v->msg, j, "msg");
	v->prefix_len = get_hex(v->prefix, sizeof v->prefix, j, "msg_prefix");
	v->prepared_len = get_hex(v->prepared, sizeof v->prepared, j, "prepared_msg");
	v->salt_len = get_hex(v->salt, sizeof v->salt, j, "salt");
	assert_true(vyjson_int(vyjson_get(j, "salt_len"), &salt_len));
	assert_int_equal(v->salt_len, (size_t)salt_len);
	get_hex_k(v->encoded, v->k, j, "encoded_msg");
	get_hex_k(v->inv, v->k, j, "inv");
	get_hex_k(v->blinded, v->k, j, "blinded_msg");
	get_hex_k(v->blind_sig, v->k, j, "blind_sig");
	get_hex_k(v->sig, v->k, j, "sig");
}

/* r = inv^-1 mod n, k bytes. */
static void r_from_inv(uint8_t *r, const uint8_t *inv, const uint8_t *n, size_t k)
{
	mpz_t x, m;

	mpz_inits(x, m, NULL);
	mpz_from(x, inv, k);
	mpz_from(m, n, k);
	assert_true(mpz_invert(x, x, m));
	mpz_to(r, k, x);
	mpz_clears(x, m, NULL);
}

/* Blind with the vector's salt and r, sign, finalize: each output equals
 * the vector's. */
static void check_blinding(const rfc_vector *v, const vy_rsa_sk *sk, const vy_rsa_pk *pk, const uint8_t *inv_want,
			   const uint8_t *blinded_want, const uint8_t *blind_sig_want)
{
	uint8_t r[VY_RSA_MAX_BYTES], blinded[VY_RSA_MAX_BYTES], inv[VY_RSA_MAX_BYTES], bsig[VY_RSA_MAX_BYTES];
	uint8_t sig[VY_RSA_MAX_BYTES];
	size_t k = v->k;

	r_from_inv(r, inv_want, v->n, k);
	assert_int_equal(vy_blind_rsa_blind_det(pk, blinded, inv, k, v->prepared, v->prepared_len, v->salt,
						v->salt_len, r, k),
			 VY_OK);
	assert_memory_equal(inv, inv_want, k);
	assert_memory_equal(blinded, blinded_want, k);
	assert_int_equal(vy_blind_rsa_sign(sk, bsig, k, blinded, k), VY_OK);
	assert_memory_equal(bsig, blind_sig_want, k);
	assert_int_equal(vy_blind_rsa_finalize_salt(pk, sig, k, bsig, k, inv, k, v->prepared, v->prepared_len,
						    v->salt_len),
			 VY_OK);
	assert_memory_equal(sig, v->sig, k);
}

/* One vector, every step. */
static void check_vector(const rfc_vector *v, const vyjson *j)
{
	vy_rsa_sk *sk = NULL;
	vy_rsa_pk pk;
	uint8_t em[VY_RSA_MAX_BYTES], p[VY_RSA_MAX_BYTES], q[VY_RSA_MAX_BYTES];
	const char *prepare = vyjson_get_string(j, "prepare");
	size_t k = v->k;

	/* keys: the public key from (n, e) and the secret key from (p, q, e) agree */
	assert_int_equal(vy_rsa_pk_import(&pk, v->n, k, v->e, v->e_len), VY_OK);
	assert_int_equal(vy_rsa_pk_bits(&pk), 8 * k);
	assert_int_equal(vy_rsa_sk_import(&sk, v->p, v->p_len, v->q, v->q_len, v->e, v->e_len), VY_OK);
	{
		vy_rsa_pk from_sk;

		vy_rsa_sk_public(sk, &from_sk);
		assert_int_equal(from_sk.n_len, k);
		assert_memory_equal(from_sk.n, v->n, k);
		assert_int_equal(from_sk.e_len, v->e_len);
		assert_memory_equal(from_sk.e, v->e, v->e_len);
	}
	assert_int_equal(vy_rsa_sk_export(sk, p, v->p_len, q, v->q_len), VY_OK);
	assert_memory_equal(p, v->p, v->p_len);
	assert_memory_equal(q, v->q, v->q_len);
	/* prepare: Randomized = 32-byte prefix || msg, Identity = msg */
	assert_non_null(prepare);
	if (strcmp(prepare, "PrepareRandomize") == 0) {
		assert_int_equal(v->prefix_len, VY_BLIND_RSA_RANDOMIZER_BYTES);
		assert_int_equal(v->prepared_len, v->prefix_len + v->msg_len);
		assert_memory_equal(v->prepared, v->prefix, v->prefix_len);
	} else {
		assert_string_equal(prepare, "PrepareIdentity");
		assert_int_equal(v->prefix_len, 0);
		assert_int_equal(v->prepared_len, v->msg_len);
	}
	assert_memory_equal(v->prepared + v->prefix_len, v->msg, v->msg_len);
	/* encode */
	assert_int_equal(vy_emsa_pss_encode(em, k, 8 * k, v->prepared, v->prepared_len, v->salt, v->salt_len), VY_OK);
	assert_memory_equal(em, v->encoded, k);
	/* blind, blind_sign, finalize */
	check_blinding(v, sk, &pk, v->inv, v->blinded, v->blind_sig);
	/* verify, with the variant's salt length; only PSS (48) through the public API */
	assert_int_equal(vy_blind_rsa_verify_salt(&pk, v->sig, k, v->prepared, v->prepared_len, v->salt_len), VY_OK);
	if (v->salt_len == VY_BLIND_RSA_SALT_BYTES)
		assert_int_equal(vy_blind_rsa_verify(&pk, v->sig, k, v->prepared, v->prepared_len), VY_OK);
	else
		assert_int_equal(vy_blind_rsa_verify(&pk, v->sig, k, v->prepared, v->prepared_len), VY_ERR_SIGNATURE);
	vy_rsa_sk_free(sk);
}

/* A.1-A.4, every step of each. */
static void test_rfc9474_vectors(void **state)
{
	static const char *const appendix[N_VECTORS] = { "A.1", "A.2", "A.3", "A.4" };
	vyjson *root = load_vectors();
	const vyjson *list = vyjson_get(root, "vectors");
	rfc_vector *v = malloc(sizeof *v);

	(void)state;
	assert_non_null(v);
	assert_int_equal(vyjson_len(list), N_VECTORS);
	for (size_t i = 0; i < N_VECTORS; i++) {
		const vyjson *j = vyjson_at(list, i);

		assert_string_equal(vyjson_get_string(j, "appendix"), appendix[i]);
		read_vector(v, j);
		check_vector(v, j);
	}
	free(v);
	vyjson_free(root);
}

/* A.4 with the older blinding kept by the implementations' files (see the
 * file's `discrepancy`): another r, same encoded message and signature. */
static void test_rfc9474_alternate_a4_blinding(void **state)
{
	vyjson *root = load_vectors();
	const vyjson *alt = vyjson_get(vyjson_get(root, "discrepancy"), "alternate_A4_blinding");
	rfc_vector *v = malloc(sizeof *v);
	uint8_t inv[VY_RSA_MAX_BYTES], blinded[VY_RSA_MAX_BYTES], bsig[VY_RSA_MAX_BYTES];
	vy_rsa_sk *sk = NULL;
	vy_rsa_pk pk;

	(void)state;
	assert_non_null(v);
	assert_non_null(alt);
	read_vector(v, vyjson_at(vyjson_get(root, "vectors"), 3));
	get_hex_k(inv, v->k, alt, "inv");
	get_hex_k(blinded, v->k, alt, "blinded_msg");
	get_hex_k(bsig, v->k, alt, "blind_sig");
	assert_memory_not_equal(inv, v->inv, v->k);
	assert_int_equal(vy_rsa_pk_import(&pk, v->n, v->k, v->e, v->e_len), VY_OK);
	assert_int_equal(vy_rsa_sk_import(&sk, v->p, v->p_len, v->q, v->q_len, v->e, v->e_len), VY_OK);
	check_blinding(v, sk, &pk, inv, blinded, bsig);
	vy_rsa_sk_free(sk);
	free(v);
	vyjson_free(root);
}

/* ---- round trips and negative tests on a fresh key ---- */

/* keygen: 3072 bits, e = 65537, p and q safe primes of 1536 bits. */
static void test_keygen_shape(void **state)
{
	uint8_t p[VY_RSA_MAX_BYTES / 2], q[VY_RSA_MAX_BYTES / 2];
	size_t half = KEY_BITS / 16;
	mpz_t mp, mq, t;

	(void)state;
	assert_int_equal(fresh_pk.n_len, KEY_BITS / 8);
	assert_int_equal(vy_rsa_pk_bits(&fresh_pk), KEY_BITS);
	assert_int_equal(fresh_pk.e_len, 3);
	assert_int_equal(fresh_pk.e[0] << 16 | fresh_pk.e[1] << 8 | fresh_pk.e[2], VY_RSA_EXPONENT);
	assert_int_equal(vy_rsa_sk_export(fresh_sk, p, half, q, half), VY_OK);
	assert_int_equal(vy_rsa_sk_export(fresh_sk, p, half - 1, q, half), VY_ERR_ARG);
	mpz_inits(mp, mq, t, NULL);
	mpz_from(mp, p, half);
	mpz_from(mq, q, half);
	assert_int_equal(mpz_sizeinbase(mp, 2), KEY_BITS / 2);
	assert_int_equal(mpz_sizeinbase(mq, 2), KEY_BITS / 2);
	assert_true(mpz_probab_prime_p(mp, 25) > 0);
	assert_true(mpz_probab_prime_p(mq, 25) > 0);
	mpz_sub_ui(t, mp, 1);
	mpz_divexact_ui(t, t, 2);
	assert_true(mpz_probab_prime_p(t, 25) > 0);
	mpz_sub_ui(t, mq, 1);
	mpz_divexact_ui(t, t, 2);
	assert_true(mpz_probab_prime_p(t, 25) > 0);
	mpz_mul(t, mp, mq);
	mpz_from(mp, fresh_pk.n, fresh_pk.n_len);
	assert_int_equal(mpz_cmp(t, mp), 0);
	mpz_clears(mp, mq, t, NULL);
	assert_int_equal(vy_rsa_keygen(&(vy_rsa_sk *){ NULL }, 2048), VY_ERR_ARG);
}

/* prepare, blind, blind_sign, finalize, verify; the key exported and
 * imported again signs the same. */
static void test_round_trip(void **state)
{
	uint8_t msg[TEST_MSG_BYTES], prepared[PREPARED_BYTES], sig[VY_RSA_MAX_BYTES], p[192], q[192];
	uint8_t blinded[VY_RSA_MAX_BYTES], a[VY_RSA_MAX_BYTES], b[VY_RSA_MAX_BYTES];
	uint8_t e[3] = { 1, 0, 1 };
	size_t k = fresh_pk.n_len;
	vy_rsa_sk *again = NULL;

	(void)state;
	randombytes_buf(msg, sizeof msg);
	sign_fresh(prepared, sig, msg);
	assert_int_equal(vy_blind_rsa_verify(&fresh_pk, sig, k, prepared, sizeof prepared), VY_OK);
	/* two prepares of one message differ (randomizer), so do two blindings */
	{
		uint8_t other[PREPARED_BYTES];

		assert_int_equal(vy_blind_rsa_prepare(other, sizeof other, msg, sizeof msg), VY_OK);
		assert_memory_not_equal(other, prepared, VY_BLIND_RSA_RANDOMIZER_BYTES);
		assert_int_equal(vy_blind_rsa_prepare(other, sizeof other - 1, msg, sizeof msg), VY_ERR_ARG);
	}
	assert_int_equal(vy_rsa_sk_export(fresh_sk, p, sizeof p, q, sizeof q), VY_OK);
	assert_int_equal(vy_rsa_sk_import(&again, p, sizeof p, q, sizeof q, e, sizeof e), VY_OK);
	random_below(blinded, &fresh_pk);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, a, k, blinded, k), VY_OK);
	assert_int_equal(vy_blind_rsa_sign(again, b, k, blinded, k), VY_OK);
	assert_memory_equal(a, b, k);
	vy_rsa_sk_free(again);
}

/* Verify and expect want. */
static void expect_verify(const vy_rsa_pk *pk, const uint8_t *sig, size_t sig_len, const uint8_t *msg, size_t msg_len,
			  vy_err want)
{
	assert_int_equal(vy_blind_rsa_verify(pk, sig, sig_len, msg, msg_len), want);
}

/* A flipped bit in the signature, the message, the randomizer or the key
 * fails; so does a signature >= n or of the wrong length. */
static void test_verify_rejects(void **state)
{
	uint8_t msg[TEST_MSG_BYTES], prepared[PREPARED_BYTES], sig[VY_RSA_MAX_BYTES + 1], bad[VY_RSA_MAX_BYTES + 1];
	size_t k = fresh_pk.n_len;
	vy_rsa_pk pk2;

	(void)state;
	randombytes_buf(msg, sizeof msg);
	sign_fresh(prepared, sig, msg);
	expect_verify(&fresh_pk, sig, k, prepared, sizeof prepared, VY_OK);
	for (size_t i = 0; i < k; i += 37) { /* signature bits, spread over its length */
		memcpy(bad, sig, k);
		bad[i] ^= (uint8_t)(1u << (i % 8));
		assert_int_not_equal(vy_blind_rsa_verify(&fresh_pk, bad, k, prepared, sizeof prepared), VY_OK);
	}
	memcpy(bad, sig, k); /* the last bit too */
	bad[k - 1] ^= 1;
	expect_verify(&fresh_pk, bad, k, prepared, sizeof prepared, VY_ERR_SIGNATURE);
	prepared[PREPARED_BYTES - 1] ^= 0x80; /* message */
	expect_verify(&fresh_pk, sig, k, prepared, sizeof prepared, VY_ERR_SIGNATURE);
	prepared[PREPARED_BYTES - 1] ^= 0x80;
	prepared[3] ^= 0x01; /* randomizer */
	expect_verify(&fresh_pk, sig, k, prepared, sizeof prepared, VY_ERR_SIGNATURE);
	prepared[3] ^= 0x01;
	expect_verify(&fresh_pk, sig, k, prepared, sizeof prepared - 1, VY_ERR_SIGNATURE); /* truncated message */
	pk2 = fresh_pk; /* key: a bit of the modulus */
	pk2.n[k / 2] ^= 0x10;
	expect_verify(&pk2, sig, k, prepared, sizeof prepared, VY_ERR_SIGNATURE);
	pk2 = fresh_pk; /* key: the exponent */
	pk2.e[pk2.e_len - 1] ^= 0x02;
	expect_verify(&pk2, sig, k, prepared, sizeof prepared, VY_ERR_SIGNATURE);
	/* signature = n, and = n + small: out of range */
	memcpy(bad, fresh_pk.n, k);
	expect_verify(&fresh_pk, bad, k, prepared, sizeof prepared, VY_ERR_NONCANONICAL);
	memset(bad, 0xff, k);
	expect_verify(&fresh_pk, bad, k, prepared, sizeof prepared, VY_ERR_NONCANONICAL);
	/* wrong lengths */
	expect_verify(&fresh_pk, sig, k - 1, prepared, sizeof prepared, VY_ERR_LENGTH);
	memmove(bad + 1, sig, k);
	bad[0] = 0;
	expect_verify(&fresh_pk, bad, k + 1, prepared, sizeof prepared, VY_ERR_LENGTH);
	/* all zeros: in range, does not verify */
	memset(bad, 0, k);
	expect_verify(&fresh_pk, bad, k, prepared, sizeof prepared, VY_ERR_SIGNATURE);
}

/* blind_sign refuses an input >= n or of the wrong length, and leaves
 * its output zeroed. */
static void test_sign_rejects(void **state)
{
	uint8_t in[VY_RSA_MAX_BYTES + 1], out[VY_RSA_MAX_BYTES];
	size_t k = fresh_pk.n_len;
	mpz_t x;

	(void)state;
	memcpy(in, fresh_pk.n, k);
	memset(out, JUNK, sizeof out);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, out, k, in, k), VY_ERR_NONCANONICAL);
	for (size_t i = 0; i < k; i++)
		assert_int_equal(out[i], 0);
	memset(in, 0xff, k);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, out, k, in, k), VY_ERR_NONCANONICAL);
	/* n - 1 is accepted: (n-1)^d = n-1 since e, d are odd */
	mpz_init(x);
	mpz_from(x, fresh_pk.n, k);
	mpz_sub_ui(x, x, 1);
	mpz_to(in, k, x);
	mpz_clear(x);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, out, k, in, k), VY_OK);
	assert_memory_equal(out, in, k);
	random_below(in, &fresh_pk);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, out, k, in, k - 1), VY_ERR_LENGTH);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, out, k, in, k + 1), VY_ERR_LENGTH);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, out, k - 1, in, k), VY_ERR_ARG);
}

/* finalize refuses a wrong inverse or blind signature (and zeroes sig),
 * wrong lengths, and a blind signature >= n. */
static void test_finalize_rejects(void **state)
{
	uint8_t msg[TEST_MSG_BYTES], prepared[PREPARED_BYTES];
	uint8_t blinded[VY_RSA_MAX_BYTES], inv[VY_RSA_MAX_BYTES], bsig[VY_RSA_MAX_BYTES], sig[VY_RSA_MAX_BYTES];
	size_t k = fresh_pk.n_len;

	(void)state;
	randombytes_buf(msg, sizeof msg);
	assert_int_equal(vy_blind_rsa_prepare(prepared, sizeof prepared, msg, sizeof msg), VY_OK);
	assert_int_equal(vy_blind_rsa_blind(&fresh_pk, blinded, inv, k, prepared, sizeof prepared), VY_OK);
	assert_int_equal(vy_blind_rsa_sign(fresh_sk, bsig, k, blinded, k), VY_OK);
	inv[k - 1] ^= 1;
	memset(sig, JUNK, sizeof sig);
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, bsig, k, inv, k, prepared, sizeof prepared),
			 VY_ERR_SIGNATURE);
	for (size_t i = 0; i < k; i++)
		assert_int_equal(sig[i], 0);
	inv[k - 1] ^= 1;
	bsig[7] ^= 4;
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, bsig, k, inv, k, prepared, sizeof prepared),
			 VY_ERR_SIGNATURE);
	bsig[7] ^= 4;
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, bsig, k - 1, inv, k, prepared, sizeof prepared),
			 VY_ERR_LENGTH);
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, bsig, k, inv, k - 1, prepared, sizeof prepared),
			 VY_ERR_LENGTH);
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, fresh_pk.n, k, inv, k, prepared, sizeof prepared),
			 VY_ERR_NONCANONICAL);
	assert_int_equal(vy_blind_rsa_finalize(&fresh_pk, sig, k, bsig, k, inv, k, prepared, sizeof prepared), VY_OK);
	assert_int_equal(vy_blind_rsa_verify(&fresh_pk, sig, k, prepared, sizeof prepared), VY_OK);
}

/* Key import: sizes, parity, leading zeros, small exponent; secret keys
 * with a composite prime, p = q, or too short a modulus. */
static void test_key_import_rejects(void **state)
{
	uint8_t n[VY_RSA_MAX_BYTES + 1], e3[1] = { 3 }, e1[1] = { 1 }, e_even[3] = { 1, 0, 0 }, e0[2] = { 0, 3 };
	uint8_t e[3] = { 1, 0, 1 }, p[192], q[192];
	size_t k = fresh_pk.n_len;
	vy_rsa_pk pk;
	vy_rsa_sk *sk = (vy_rsa_sk *)&pk; /* must be set to NULL on failure */

	(void)state;
	memcpy(n, fresh_pk.n, k);
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, e3, 1), VY_OK);
	assert_int_equal(vy_rsa_pk_import(&pk, n, k - 1, e, 3), VY_ERR_LENGTH);    /* 3064 bits */
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, e, 0), VY_ERR_LENGTH);
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, n, 9), VY_ERR_LENGTH);
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, e1, 1), VY_ERR_NONCANONICAL); /* e = 1 */
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, e_even, 3), VY_ERR_NONCANONICAL);
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, e0, 2), VY_ERR_NONCANONICAL); /* leading zero */
	n[k - 1] ^= 1; /* even modulus */
	assert_int_equal(vy_rsa_pk_import(&pk, n, k, e, 3), VY_ERR_NONCANONICAL);
	assert_int_equal(pk.n_len, 0);
	n[k - 1] ^= 1;
	memmove(n + 1, n, k); /* leading zero byte */
	n[0] = 0;
	assert_int_equal(vy_rsa_pk_import(&pk, n, k + 1, e, 3), VY_ERR_NONCANONICAL);
	n[1] = 0x7f; /* 3071 bits */
	assert_int_equal(vy_rsa_pk_import(&pk, n + 1, k, e, 3), VY_ERR_LENGTH);
	/* secret keys */
	assert_int_equal(vy_rsa_sk_export(fresh_sk, p, sizeof p, q, sizeof q), VY_OK);
	assert_int_equal(vy_rsa_sk_import(&sk, p, sizeof p, p, sizeof p, e, sizeof e), VY_ERR_VALUE_RANGE);
	assert_null(sk);
	q[sizeof q - 1] ^= 2; /* q + 2 or q - 2: odd, composite with overwhelming probability */
	assert_int_equal(vy_rsa_sk_import(&sk, p, sizeof p, q, sizeof q, e, sizeof e), VY_ERR_VALUE_RANGE);
	q[sizeof q - 1] ^= 2;
	assert_int_equal(vy_rsa_sk_import(&sk, p, sizeof p, q, sizeof q, e_even, sizeof e_even), VY_ERR_VALUE_RANGE);
	assert_int_equal(vy_rsa_sk_import(&sk, p + 1, sizeof p - 1, q, sizeof q, e, sizeof e), VY_ERR_LENGTH);
	assert_null(sk);
}

/* ---- differential tests against libgcrypt ---- */

static gcry_mpi_t gmpi(const uint8_t *b, size_t len)
{
	gcry_mpi_t x = NULL;

	assert_int_equal(gcry_mpi_scan(&x, GCRYMPI_FMT_USG, b, len, NULL), 0);
	return x;
}

/* x as k big-endian bytes. */
static void gbytes(uint8_t *out, size_t k, gcry_mpi_t x)
{
	size_t n = 0;

	memset(out, 0, k);
	assert_int_equal(gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &n, x), 0);
	assert_true(n <= k);
	assert_int_equal(gcry_mpi_print(GCRYMPI_FMT_USG, out + k - n, n, NULL, x), 0);
}

/* The secret exponent of the fresh key, d = e^-1 mod lcm(p-1, q-1), by libgcrypt. */
static gcry_mpi_t fresh_d(void)
{
	uint8_t p[192], q[192];
	gcry_mpi_t gp, gq, e = gmpi(fresh_pk.e, fresh_pk.e_len), l = gcry_mpi_new(0), g = gcry_mpi_new(0),
		   d = gcry_mpi_new(0);

	assert_int_equal(vy_rsa_sk_export(fresh_sk, p, sizeof p, q, sizeof q), VY_OK);
	gp = gmpi(p, sizeof p);
	gq = gmpi(q, sizeof q);
	gcry_mpi_sub_ui(gp, gp, 1);
	gcry_mpi_sub_ui(gq, gq, 1);
	gcry_mpi_mul(l, gp, gq);
	gcry_mpi_gcd(g, gp, gq);
	gcry_mpi_div(l, NULL, l, g, 0);
	assert_true(gcry_mpi_invm(d, e, l));
	gcry_mpi_release(gp);
	gcry_mpi_release(gq);
	gcry_mpi_release(e);
	gcry_mpi_release(l);
	gcry_mpi_release(g);
	return d;
}

/* blind_sign (CRT, constant time) = c^d mod n by libgcrypt (no CRT), and
 * libgcrypt's s^e mod n gives c back. */
static void test_gcrypt_sign_arithmetic(void **state)
{
	size_t k = fresh_pk.n_len;
	gcry_mpi_t n = gmpi(fresh_pk.n, k), e = gmpi(fresh_pk.e, fresh_pk.e_len), d = fresh_d(), t = gcry_mpi_new(0);
	uint8_t c[VY_RSA_MAX_BYTES], s[VY_RSA_MAX_BYTES], want[VY_RSA_MAX_BYTES];

	(void)state;
	for (int i = 0; i < N_RANDOM; i++) {
		gcry_mpi_t gc;

		random_below(c, &fresh_pk);
		if (i == 0)
			memset(c, 0, k); /* 0 and 1 are fixed points */
		if (i == 1) {
			memset(c, 0, k);
			c[k - 1] = 1;
		}
		gc = gmpi(c, k);
		assert_int_equal(vy_blind_rsa_sign(fresh_sk, s, k, c, k), VY_OK);
		gcry_mpi_powm(t, gc, d, n);
		gbytes(want, k, t);
		assert_memory_equal(s, want, k);
		gcry_mpi_release(gc);
		gc = gmpi(s, k);
		gcry_mpi_powm(t, gc, e, n);
		gbytes(want, k, t);
		assert_memory_equal(c, want, k);
		gcry_mpi_release(gc);
	}
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	gcry_mpi_release(d);
	gcry_mpi_release(t);
}

/* blind_det: inv = r^-1 mod n and blinded = m * r^e mod n, by libgcrypt. */
static void test_gcrypt_blind_arithmetic(void **state)
{
	size_t k = fresh_pk.n_len;
	gcry_mpi_t n = gmpi(fresh_pk.n, k), e = gmpi(fresh_pk.e, fresh_pk.e_len), t = gcry_mpi_new(0);
	uint8_t msg[TEST_MSG_BYTES], salt[VY_BLIND_RSA_SALT_BYTES], r[VY_RSA_MAX_BYTES], em[VY_RSA_MAX_BYTES];
	uint8_t blinded[VY_RSA_MAX_BYTES], inv[VY_RSA_MAX_BYTES], want[VY_RSA_MAX_BYTES];

	(void)state;
	for (int i = 0; i < N_RANDOM; i++) {
		gcry_mpi_t gr, gm;

		randombytes_buf(msg, sizeof msg);
		randombytes_buf(salt, sizeof salt);
		random_below(r, &fresh_pk);
		assert_int_equal(vy_blind_rsa_blind_det(&fresh_pk, blinded, inv, k, msg, sizeof msg, salt, sizeof salt, r, k),
				 VY_OK);
		gr = gmpi(r, k);
		assert_true(gcry_mpi_invm(t, gr, n));
		gbytes(want, k, t);
		assert_memory_equal(inv, want, k);
		assert_int_equal(vy_emsa_pss_encode(em, k, vy_rsa_pk_bits(&fresh_pk), msg, sizeof msg, salt, sizeof salt),
				 VY_OK);
		gm = gmpi(em, k);
		gcry_mpi_powm(t, gr, e, n);
		gcry_mpi_mulm(t, t, gm, n);
		gbytes(want, k, t);
		assert_memory_equal(blinded, want, k);
		gcry_mpi_release(gr);
		gcry_mpi_release(gm);
	}
	/* r = 0 and r = n are refused */
	memset(r, 0, k);
	assert_int_equal(vy_blind_rsa_blind_det(&fresh_pk, blinded, inv, k, msg, sizeof msg, salt, sizeof salt, r, k),
			 VY_ERR_VALUE_RANGE);
	assert_int_equal(vy_blind_rsa_blind_det(&fresh_pk, blinded, inv, k, msg, sizeof msg, salt, sizeof salt,
						fresh_pk.n, k),
			 VY_ERR_VALUE_RANGE);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	gcry_mpi_release(t);
}

/* libgcrypt's RSASSA-PSS verification (flags pss, sha384, salt-length 48). */
static gcry_error_t gcrypt_pss_verify(const uint8_t *sig, size_t k, const uint8_t *msg, size_t msg_len)
{
	uint8_t h[VY_BLIND_RSA_HASH_BYTES];
	gcry_sexp_t key = NULL, data = NULL, s = NULL;
	gcry_mpi_t n = gmpi(fresh_pk.n, fresh_pk.n_len), e = gmpi(fresh_pk.e, fresh_pk.e_len), gs = gmpi(sig, k);
	gcry_error_t err;

	gcry_md_hash_buffer(GCRY_MD_SHA384, h, msg, msg_len);
	assert_int_equal(gcry_sexp_build(&key, NULL, "(public-key (rsa (n %m) (e %m)))", n, e), 0);
	assert_int_equal(gcry_sexp_build(&data, NULL, "(data (flags pss) (hash sha384 %b) (salt-length %d))",
					 (int)sizeof h, h, VY_BLIND_RSA_SALT_BYTES),
			 0);
	assert_int_equal(gcry_sexp_build(&s, NULL, "(sig-val (rsa (s %m)))", gs), 0);
	err = gcry_pk_verify(s, data, key);
	gcry_sexp_release(key);
	gcry_sexp_release(data);
	gcry_sexp_release(s);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	gcry_mpi_release(gs);
	return err;
}

/* Every finalized signature passes libgcrypt's RSA-PSS verification; a
 * modified one does not. */
static void test_gcrypt_pss_verify(void **state)
{
	uint8_t msg[TEST_MSG_BYTES], prepared[PREPARED_BYTES], sig[VY_RSA_MAX_BYTES];
	size_t k = fresh_pk.n_len;

	(void)state;
	for (int i = 0; i < N_RANDOM; i++) {
		randombytes_buf(msg, sizeof msg);
		sign_fresh(prepared, sig, msg);
		assert_int_equal(gcrypt_pss_verify(sig, k, prepared, sizeof prepared), 0);
		sig[i * 13 % k] ^= 0x40;
		assert_int_not_equal(gcrypt_pss_verify(sig, k, prepared, sizeof prepared), 0);
		sig[i * 13 % k] ^= 0x40;
		prepared[i] ^= 1;
		assert_int_not_equal(gcrypt_pss_verify(sig, k, prepared, sizeof prepared), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	vytest_init();
	if (vy_rsa_keygen(&fresh_sk, KEY_BITS) != VY_OK)
		return -1;
	vy_rsa_sk_public(fresh_sk, &fresh_pk);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vy_rsa_sk_free(fresh_sk);
	fresh_sk = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9474_vectors),
		cmocka_unit_test(test_rfc9474_alternate_a4_blinding),
		cmocka_unit_test(test_keygen_shape),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_verify_rejects),
		cmocka_unit_test(test_sign_rejects),
		cmocka_unit_test(test_finalize_rejects),
		cmocka_unit_test(test_key_import_rejects),
		cmocka_unit_test(test_gcrypt_sign_arithmetic),
		cmocka_unit_test(test_gcrypt_blind_arithmetic),
		cmocka_unit_test(test_gcrypt_pss_verify),
	};

	if (!gcry_check_version(GCRYPT_VERSION)) {
		fprintf(stderr, "libgcrypt version mismatch\n");
		return 1;
	}
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return cmocka_run_group_tests(tests, setup, teardown);
}
