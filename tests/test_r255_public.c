/*
 * The variable-time ristretto255 arithmetic for public values
 * (crypto/r255_public.c) and the *_public group operations built on it
 * (crypto/vy_group.h):
 *
 *  - RFC 9496 known answers (specs/vectors/rfc9496-ristretto255.json): A.1
 *    multiples of the generator, A.2 invalid encodings, A.4 SQRT_RATIO_M1,
 *    the Section 4.1 constants;
 *  - differential tests against libsodium's constant-time code (vy_elem_exp,
 *    vy_elem_mul, vy_elem_decode), with seeded randomness and edge scalars
 *    and bases, thousands of cases;
 *  - decoding agreement on random and crafted near-boundary strings;
 *  - the integer groups' fallbacks against their own constant-time
 *    operations.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <sodium.h>

#include "crypto/r255_public.h"
#include "tests/support/json.h"
#include "tests/support/vytest.h"

#define VECTORS_PATH "specs/vectors/rfc9496-ristretto255.json"
#define R255_BYTES 32
#define N_MULTIPLES 16
#define MAX_TERMS 20          /* bases in one multiexp of these tests */
#define MULTIEXP_ROUNDS 600   /* per n = 1..5: 3,000 multiexps */
#define CHUNK_ROUNDS 20       /* per n beyond one pass of 8 bases */
#define ARITH_ROUNDS 1000     /* mul, div, prod */
#define DECODE_ROUNDS 20000   /* random strings per kind */
#define TOY_Q 11
#define THREADS 4
#define THREAD_CASES 24       /* shared cases, each a 3-term multiexp */
#define THREAD_ROUNDS 150     /* cases computed by each thread */

/* ---- helpers ---- */

static const vy_group *r255(void)
{
	const vy_group *g;

	vytest_init();
	g = vy_group_by_id(VY_GROUP_RISTRETTO255);
	assert_non_null(g);
	return g;
}

/* n bytes from the stream (tag, counter): randombytes_buf_deterministic
 * keyed by both, so every failure can be replayed. */
static void seeded(uint8_t *out, size_t n, uint32_t tag, uint64_t counter)
{
	uint8_t seed[randombytes_SEEDBYTES] = { 0 };

	for (int i = 0; i < 4; i++)
		seed[i] = (uint8_t)(tag >> (8 * i));
	for (int i = 0; i < 8; i++)
		seed[4 + i] = (uint8_t)(counter >> (8 * i));
	randombytes_buf_deterministic(out, n, seed);
}

static void hex(char *out, const uint8_t *in, size_t n)
{
	vytest_hex(out, in, n);
}

/* Fail with both encodings unless a and b are the same element. */
static void assert_same_elem(const vy_elem *got, const vy_elem *want, const char *what, uint64_t round)
{
	char hg[2 * R255_BYTES + 1], hw[2 * R255_BYTES + 1];

	if (memcmp(got->b, want->b, sizeof got->b) == 0)
		return;
	hex(hg, got->b, R255_BYTES);
	hex(hw, want->b, R255_BYTES);
	fail_msg("%s (round %llu):\n  got  %s\n  want %s", what, (unsigned long long)round, hg, hw);
}

static void assert_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
	char hg[2 * R255_BYTES + 1], hw[2 * R255_BYTES + 1];

	assert_true(n <= R255_BYTES);
	if (memcmp(got, want, n) == 0)
		return;
	hex(hg, got, n);
	hex(hw, want, n);
	fail_msg("%s:\n  got  %s\n  want %s", what, hg, hw);
}

/* A uniformly random element from the seeded stream (RFC 9496 §4.3.4). */
static void seeded_elem(const vy_group *g, vy_elem *e, uint32_t tag, uint64_t counter)
{
	uint8_t h[crypto_core_ristretto255_HASHBYTES], enc[R255_BYTES];

	seeded(h, sizeof h, tag, counter);
	crypto_core_ristretto255_from_hash(enc, h);
	assert_int_equal(vy_elem_decode(g, e, enc, sizeof enc), VY_OK);
}

/* A uniformly random scalar from the seeded stream. */
static void seeded_scalar(const vy_group *g, vy_scalar *k, uint32_t tag, uint64_t counter)
{
	uint8_t w[64];

	seeded(w, sizeof w, tag, counter);
	vy_scalar_from_wide(g, k, w);
}

/* The reference: prod b[i]^k[i] by the constant-time vy_elem_exp and
 * vy_elem_mul (libsodium for ristretto255). */
static void ref_multiexp(const vy_group *g, vy_elem *r, size_t n, const vy_elem *b, const vy_scalar *k)
{
	vy_elem t;

	vy_elem_identity(g, r);
	for (size_t i = 0; i < n; i++) {
		vy_elem_exp(g, &t, &b[i], &k[i]);
		vy_elem_mul(g, r, r, &t);
	}
}

/* ---- edge values ---- */

#define N_EDGE_SCALARS 24

/* Edge scalar i of N_EDGE_SCALARS: 0, 1, 2, l-1, l-2, 2^252, 2^252 - 1,
 * (l-1)/2 and its neighbours, small values around powers of two (the
 * window boundaries of the NAF), and values with long runs of ones. */
static void edge_scalar(const vy_group *g, vy_scalar *k, size_t i)
{
	static const uint64_t small[] = { 0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 127, 128, 129, 255, 256 };
	uint8_t b[VY_SCALAR_BYTES] = { 0 };
	vy_scalar one, two;

	vy_scalar_from_u64(g, &one, 1);
	vy_scalar_from_u64(g, &two, 2);
	if (i < sizeof small / sizeof small[0]) {
		vy_scalar_from_u64(g, k, small[i]);
		return;
	}
	i -= sizeof small / sizeof small[0];
	switch (i) {
	case 0: /* l - 1 */
		vy_scalar_neg(g, k, &one);
		return;
	case 1: /* l - 2 */
		vy_scalar_neg(g, k, &two);
		return;
	case 2: /* 2^252 */
		b[31] = 0x10;
		break;
	case 3: /* 2^252 - 1 */
		memset(b, 0xff, 31);
		b[31] = 0x0f;
		break;
	case 4: /* (l - 1) / 2 = -(1/2) */
	{
		vy_scalar half;

		assert_int_equal(vy_scalar_inv(g, &half, &two), VY_OK);
		vy_scalar_neg(g, k, &half);
		return;
	}
	case 5: /* 1/2 = (l + 1) / 2 */
		assert_int_equal(vy_scalar_inv(g, k, &two), VY_OK);
		return;
	case 6: /* alternating bits */
		memset(b, 0x55, 31);
		b[31] = 0x05;
		break;
	case 7: /* 2^128 - 1 */
		memset(b, 0xff, 16);
		break;
	default: /* 2^64 */
		b[8] = 1;
		break;
	}
	assert_int_equal(vy_scalar_decode(g, k, b, sizeof b), VY_OK);
}

/* Base kind 0..5 of a term: random, identity, generator, a repeat of an
 * earlier base, the inverse of an earlier base, random again (so random
 * bases dominate). */
static void pick_base(const vy_group *g, vy_elem *b, size_t i, unsigned kind, uint32_t tag, uint64_t ctr)
{
	switch (kind % 6) {
	case 1:
		vy_elem_identity(g, &b[i]);
		break;
	case 2:
		vy_elem_generator(g, &b[i]);
		break;
	case 3:
		if (i > 0) {
			b[i] = b[i - 1];
			break;
		}
		/* fall through */
	case 4:
		if (i > 0) {
			vy_elem id;

			vy_elem_identity(g, &id);
			vy_elem_div(g, &b[i], &id, &b[i - 1]);
			break;
		}
		/* fall through */
	default:
		seeded_elem(g, &b[i], tag, ctr);
		break;
	}
}

/* ---- RFC 9496 known answers ---- */

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

static void get_hex(uint8_t *out, size_t n, const vyjson *obj, const char *key)
{
	const char *h = vyjson_get_string(obj, key);

	if (h == NULL || vytest_unhex(out, n, h) != (long)n)
		fail_msg("vectors: '%s' is not %zu bytes of hex", key, n);
}

/* A.1: each multiple decodes and re-encodes to itself, is k*B by the
 * generator's table and by a variable base, and multiples[k] + B is
 * multiples[k+1] (and back with a subtraction). */
static void test_rfc_multiples(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();
	const vyjson *list = vyjson_get(root, "multiples_of_generator");
	uint8_t want[N_MULTIPLES][R255_BYTES], enc[R255_BYTES];
	vy_r255_point pt[N_MULTIPLES], b, r;
	vy_scalar k;
	char what[80];

	(void)state;
	assert_non_null(list);
	assert_int_equal(vyjson_len(list), N_MULTIPLES);
	for (size_t i = 0; i < N_MULTIPLES; i++) {
		get_hex(want[i], R255_BYTES, vyjson_at(list, i), "encoding");
		assert_int_equal(vy_r255_decode(&pt[i], want[i]), VY_OK);
		vy_r255_encode(enc, &pt[i]);
		snprintf(what, sizeof what, "A.1 decode/encode multiples[%zu]", i);
		assert_bytes(enc, want[i], R255_BYTES, what);
	}
	b = pt[1];
	for (size_t i = 0; i < N_MULTIPLES; i++) {
		vy_scalar_from_u64(g, &k, i);
		vy_r255_multiexp(&r, &k, 0, NULL, NULL);
		vy_r255_encode(enc, &r);
		snprintf(what, sizeof what, "A.1 %zu*B from the generator's table", i);
		assert_bytes(enc, want[i], R255_BYTES, what);
		assert_true(vy_r255_eq(&r, &pt[i]));
		vy_r255_multiexp(&r, NULL, 1, &b, &k);
		vy_r255_encode(enc, &r);
		snprintf(what, sizeof what, "A.1 %zu*B as a variable base", i);
		assert_bytes(enc, want[i], R255_BYTES, what);
		if (i + 1 < N_MULTIPLES) {
			vy_r255_add(&r, &pt[i], &b);
			vy_r255_encode(enc, &r);
			assert_bytes(enc, want[i + 1], R255_BYTES, "A.1 multiples[k] + B");
			vy_r255_sub(&r, &r, &b);
			vy_r255_encode(enc, &r);
			assert_bytes(enc, want[i], R255_BYTES, "A.1 multiples[k+1] - B");
		}
		if (i > 1)
			assert_false(vy_r255_eq(&pt[i], &pt[i - 1]));
	}
	vyjson_free(root);
}

/* A.2 and the extra invalid encoding: rejected with the error of
 * vy_elem_decode (specs/crypto.md §2.1), the output set to the identity. */
static void check_invalid(const vy_group *g, const vyjson *list)
{
	uint8_t enc[R255_BYTES], out[R255_BYTES], zero[R255_BYTES] = { 0 };
	vy_r255_point p;
	vy_elem e;

	for (size_t i = 0; i < vyjson_len(list); i++) {
		vy_err want, got;

		get_hex(enc, R255_BYTES, vyjson_at(list, i), "encoding");
		want = vy_elem_decode(g, &e, enc, sizeof enc);
		assert_true(want == VY_ERR_NONCANONICAL || want == VY_ERR_NOT_IN_GROUP);
		got = vy_r255_decode(&p, enc);
		if (got != want)
			fail_msg("A.2 encoding %zu: got %s, want %s", i, vy_err_str(got), vy_err_str(want));
		vy_r255_encode(out, &p);
		assert_bytes(out, zero, R255_BYTES, "A.2 failed decode leaves the identity");
	}
}

static void test_rfc_invalid(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();

	(void)state;
	check_invalid(g, vyjson_get(root, "invalid_encodings"));
	check_invalid(g, vyjson_get(root, "extra_invalid_encodings"));
	assert_int_equal(vyjson_len(vyjson_get(root, "invalid_encodings")), 29);
	vyjson_free(root);
}

/* A.4: SQRT_RATIO_M1 gives the RFC's r and was_square. */
static void test_rfc_sqrt_ratio(void **state)
{
	vyjson *root = load_vectors();
	const vyjson *list = vyjson_get(root, "sqrt_ratio_m1");
	uint8_t u[R255_BYTES], v[R255_BYTES], r[R255_BYTES], want[R255_BYTES];

	(void)state;
	r255();
	assert_non_null(list);
	assert_true(vyjson_len(list) >= 6);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *entry = vyjson_at(list, i);
		const vyjson *sq = vyjson_get(entry, "was_square");
		int was_square;

		get_hex(u, R255_BYTES, entry, "u");
		get_hex(v, R255_BYTES, entry, "v");
		get_hex(want, R255_BYTES, entry, "r");
		was_square = vy_r255_sqrt_ratio_m1(r, u, v);
		assert_non_null(sq);
		assert_int_equal(was_square, sq->type == VYJSON_TRUE);
		assert_bytes(r, want, R255_BYTES, "A.4 SQRT_RATIO_M1");
	}
	vyjson_free(root);
}

/* The Section 4.1 constants of the code are the RFC's. */
static void test_rfc_constants(void **state)
{
	static const struct {
		vy_r255_const which;
		const char *name;
	} names[] = {
		{ VY_R255_CONST_D, "D" },
		{ VY_R255_CONST_SQRT_M1, "SQRT_M1" },
		{ VY_R255_CONST_INVSQRT_A_MINUS_D, "INVSQRT_A_MINUS_D" },
	};
	vyjson *root = load_vectors();
	const vyjson *constants = vyjson_get(root, "constants");
	uint8_t got[R255_BYTES], want[R255_BYTES];

	(void)state;
	r255();
	assert_int_equal(sizeof names / sizeof names[0], VY_R255_CONST__COUNT);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		get_hex(want, R255_BYTES, vyjson_get(constants, names[i].name), "le_hex");
		vy_r255_constant(got, names[i].which);
		assert_bytes(got, want, R255_BYTES, names[i].name);
	}
	vyjson_free(root);
}

/* ---- differential: multiexp ---- */

/* One multiexp of n terms, checked against the reference; the terms'
 * bases and scalars are chosen by round. */
static void multiexp_round(const vy_group *g, size_t n, uint64_t round)
{
	vy_elem b[MAX_TERMS], got, want;
	vy_scalar k[MAX_TERMS];
	uint8_t pick[2 * MAX_TERMS];
	char what[64];

	seeded(pick, sizeof pick, 1, round);
	for (size_t i = 0; i < n; i++) {
		pick_base(g, b, i, pick[2 * i], 2, round * MAX_TERMS + i);
		/* about one scalar in four is an edge value */
		if (pick[2 * i + 1] % 4 == 0)
			edge_scalar(g, &k[i], pick[2 * i + 1] / 4 % N_EDGE_SCALARS);
		else
			seeded_scalar(g, &k[i], 3, round * MAX_TERMS + i);
	}
	ref_multiexp(g, &want, n, b, k);
	vy_elem_multiexp_public(g, &got, n, b, k);
	snprintf(what, sizeof what, "multiexp of %zu terms", n);
	assert_same_elem(&got, &want, what, round);
	if (n == 2) {
		vy_elem_exp2_public(g, &got, &b[0], &k[0], &b[1], &k[1]);
		assert_same_elem(&got, &want, "exp2_public", round);
	}
}

static void test_diff_multiexp(void **state)
{
	const vy_group *g = r255();
	uint64_t round = 0;

	(void)state;
	for (size_t n = 1; n <= 5; n++)
		for (size_t i = 0; i < MULTIEXP_ROUNDS; i++)
			multiexp_round(g, n, round++);
}

/* Every edge scalar against every kind of base, alone and beside a random
 * term (so the generator's and a variable base's NAFs interleave). */
static void test_diff_edge_scalars(void **state)
{
	const vy_group *g = r255();
	vy_elem b[2], got, want;
	vy_scalar k[2];
	uint64_t round = 0;

	(void)state;
	for (size_t s = 0; s < N_EDGE_SCALARS; s++)
		for (unsigned kind = 0; kind < 6; kind++, round++) {
			pick_base(g, b, 0, kind, 4, round);
			edge_scalar(g, &k[0], s);
			ref_multiexp(g, &want, 1, b, k);
			vy_elem_multiexp_public(g, &got, 1, b, k);
			assert_same_elem(&got, &want, "edge scalar, one term", round);
			seeded_elem(g, &b[1], 5, round);
			edge_scalar(g, &k[1], (s + kind) % N_EDGE_SCALARS);
			ref_multiexp(g, &want, 2, b, k);
			vy_elem_multiexp_public(g, &got, 2, b, k);
			assert_same_elem(&got, &want, "edge scalar, two terms", round);
		}
}

/* The generator given several times: its scalars add up mod l, through
 * the wrap-around (l-1 + 2 = 1). */
static void test_diff_generator_repeated(void **state)
{
	const vy_group *g = r255();
	vy_elem b[4], got, want;
	vy_scalar k[4];

	(void)state;
	for (size_t i = 0; i < 4; i++)
		vy_elem_generator(g, &b[i]);
	edge_scalar(g, &k[0], 15); /* l - 1 */
	vy_scalar_from_u64(g, &k[1], 2);
	vy_scalar_from_u64(g, &k[2], 0);
	edge_scalar(g, &k[3], 16); /* l - 2 */
	ref_multiexp(g, &want, 4, b, k);
	vy_elem_multiexp_public(g, &got, 4, b, k);
	assert_same_elem(&got, &want, "generator four times", 0);
	/* (l-1) + 2 = 1: exactly the generator with two terms */
	vy_elem_multiexp_public(g, &got, 2, b, k);
	vy_elem_generator(g, &want);
	assert_same_elem(&got, &want, "g^(l-1) * g^2", 0);
	/* g^(l-1) * g = identity */
	vy_scalar_from_u64(g, &k[1], 1);
	vy_elem_multiexp_public(g, &got, 2, b, k);
	assert_true(vy_elem_is_identity(g, &got));
}

/* More bases than one Straus pass holds (8): the passes are summed. */
static void test_diff_multiexp_chunks(void **state)
{
	static const size_t sizes[] = { 7, 8, 9, 15, 16, 17, MAX_TERMS };
	const vy_group *g = r255();
	uint64_t round = 100000;

	(void)state;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (size_t i = 0; i < CHUNK_ROUNDS; i++)
			multiexp_round(g, sizes[s], round++);
}

/* The output may alias a base; n = 0 gives the identity. */
static void test_multiexp_alias_and_empty(void **state)
{
	const vy_group *g = r255();
	vy_elem b[3], want;
	vy_scalar k[3];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		seeded_elem(g, &b[i], 6, i);
		seeded_scalar(g, &k[i], 7, i);
	}
	ref_multiexp(g, &want, 3, b, k);
	vy_elem_multiexp_public(g, &b[1], 3, b, k);
	assert_same_elem(&b[1], &want, "multiexp into its own base", 0);
	vy_elem_multiexp_public(g, &want, 0, b, k);
	assert_true(vy_elem_is_identity(g, &want));
	vy_elem_prod_public(g, &want, 0, b);
	assert_true(vy_elem_is_identity(g, &want));
}

/* A handful of crypto_core_ristretto255_random points (the operating
 * system's randomness, not replayable: the seeded rounds above are the
 * bulk). */
static void test_diff_os_random(void **state)
{
	const vy_group *g = r255();
	vy_elem b[3], got, want;
	vy_scalar k[3];
	uint8_t enc[R255_BYTES];

	(void)state;
	for (uint64_t round = 0; round < 50; round++) {
		for (size_t i = 0; i < 3; i++) {
			crypto_core_ristretto255_random(enc);
			assert_int_equal(vy_elem_decode(g, &b[i], enc, sizeof enc), VY_OK);
			vy_scalar_random(g, &k[i]);
		}
		ref_multiexp(g, &want, 3, b, k);
		vy_elem_multiexp_public(g, &got, 3, b, k);
		assert_same_elem(&got, &want, "multiexp, OS-random points", round);
	}
}

/* ---- differential: mul, div, prod ---- */

static void test_diff_mul_div_prod(void **state)
{
	const vy_group *g = r255();
	vy_elem e[12], got, want;
	uint8_t pick[12];

	(void)state;
	for (uint64_t round = 0; round < ARITH_ROUNDS; round++) {
		size_t n = (size_t)(round % 12) + 1;

		seeded(pick, sizeof pick, 8, round);
		for (size_t i = 0; i < n; i++)
			pick_base(g, e, i, pick[i], 9, round * 12 + i);
		vy_elem_mul(g, &want, &e[0], &e[n - 1]);
		vy_elem_mul_public(g, &got, &e[0], &e[n - 1]);
		assert_same_elem(&got, &want, "mul_public", round);
		vy_elem_div(g, &want, &e[0], &e[n - 1]);
		vy_elem_div_public(g, &got, &e[0], &e[n - 1]);
		assert_same_elem(&got, &want, "div_public", round);
		vy_elem_div(g, &want, &e[n - 1], &e[n - 1]);
		vy_elem_div_public(g, &got, &e[n - 1], &e[n - 1]);
		assert_same_elem(&got, &want, "div_public by itself", round);
		vy_elem_identity(g, &want);
		for (size_t i = 0; i < n; i++)
			vy_elem_mul(g, &want, &want, &e[i]);
		vy_elem_prod_public(g, &got, n, e);
		assert_same_elem(&got, &want, "prod_public", round);
		/* outputs aliasing inputs */
		got = e[0];
		vy_elem_mul_public(g, &got, &got, &got);
		vy_elem_mul(g, &want, &e[0], &e[0]);
		assert_same_elem(&got, &want, "mul_public aliased", round);
	}
}

/* ---- decoding agreement ---- */

/* Own decoding agrees with vy_elem_decode (libsodium, with the spec's
 * error classes) and with libsodium's own validity check; an accepted
 * string re-encodes to itself. Returns 1 if accepted. libsodium 1.0.18's
 * check ignores bit 255 (it accepts s + 2^255 for a valid s, which RFC 9496
 * rejects as s >= p, and so do vy_elem_decode and ours): it is consulted
 * only for strings with bit 255 clear. */
static int check_decode(const vy_group *g, const uint8_t s[R255_BYTES], const char *what, uint64_t round)
{
	uint8_t enc[R255_BYTES];
	char h[2 * R255_BYTES + 1];
	vy_r255_point p;
	vy_elem e;
	vy_err want = vy_elem_decode(g, &e, s, R255_BYTES);
	vy_err got = vy_r255_decode(&p, s);
	int sodium_ok = crypto_core_ristretto255_is_valid_point(s) == 1;

	if (got != want || ((s[31] & 0x80) == 0 && (got == VY_OK) != sodium_ok)) {
		hex(h, s, R255_BYTES);
		fail_msg("%s (round %llu): decode %s: own %s, vy_elem_decode %s, libsodium %s", what,
			 (unsigned long long)round, h, vy_err_str(got), vy_err_str(want),
			 sodium_ok ? "valid" : "invalid");
	}
	if (got != VY_OK)
		return 0;
	vy_r255_encode(enc, &p);
	assert_bytes(enc, s, R255_BYTES, "decode then encode");
	return 1;
}

/* Random strings: raw (mostly non-canonical), with bits 0 and 255 cleared
 * (canonical-looking, so the curve checks decide), and valid encodings
 * with one bit flipped. Each kind must produce both outcomes. */
static void test_decode_random(void **state)
{
	const vy_group *g = r255();
	uint8_t s[R255_BYTES];
	size_t accepted[3] = { 0 };

	(void)state;
	for (uint64_t round = 0; round < DECODE_ROUNDS; round++) {
		seeded(s, sizeof s, 10, round);
		accepted[0] += (size_t)check_decode(g, s, "random string", round);
		s[0] &= 0xfe;
		s[31] &= 0x7f;
		accepted[1] += (size_t)check_decode(g, s, "random even string below 2^255", round);
		if (round % 4 == 0) {
			uint8_t h[crypto_core_ristretto255_HASHBYTES];
			uint8_t bit;

			seeded(h, sizeof h, 11, round);
			crypto_core_ristretto255_from_hash(s, h);
			assert_int_equal(check_decode(g, s, "valid encoding", round), 1);
			bit = h[0]; /* any of the 256 bits */
			s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			accepted[2] += (size_t)check_decode(g, s, "valid encoding, one bit flipped", round);
		}
	}
	/* about l / 2^254 = 1/4 of the even strings below 2^255 are valid:
	 * each element has one encoding, and about 2^254 such strings exist */
	assert_true(accepted[1] > DECODE_ROUNDS / 8 && accepted[1] < 3 * DECODE_ROUNDS / 8);
	assert_true(accepted[0] < accepted[1]);
}

/* z as 32 bytes little-endian (0 <= z < 2^256). */
static void le32(uint8_t out[R255_BYTES], const mpz_t z)
{
	size_t count = 0;

	memset(out, 0, R255_BYTES);
	mpz_export(out, &count, -1, 1, 0, 0, z);
	assert_true(count <= R255_BYTES);
}

/* Crafted strings around the canonical boundary: s in [p - 40, p + 40],
 * [2^255 - 40, 2^256), the smallest values, and for valid encodings s:
 * s + p (non-canonical twin), p - s (the negative twin), s with bit 255
 * set. */
static void test_decode_boundary(void **state)
{
	const vy_group *g = r255();
	uint8_t s[R255_BYTES], valid[R255_BYTES];
	mpz_t p, z, v;
	uint64_t round = 0;

	(void)state;
	mpz_inits(p, z, v, NULL);
	mpz_ui_pow_ui(p, 2, 255);
	mpz_sub_ui(p, p, 19);
	for (long d = -40; d <= 40; d++, round++) {
		if (d < 0)
			mpz_sub_ui(z, p, (unsigned long)-d);
		else
			mpz_add_ui(z, p, (unsigned long)d);
		le32(s, z);
		(void)check_decode(g, s, "near p", round);
	}
	for (unsigned long d = 1; d <= 40; d++, round++) {
		mpz_ui_pow_ui(z, 2, 255);
		mpz_sub_ui(z, z, d);
		le32(s, z);
		(void)check_decode(g, s, "below 2^255", round);
		mpz_ui_pow_ui(z, 2, 256);
		mpz_sub_ui(z, z, d);
		le32(s, z);
		(void)check_decode(g, s, "below 2^256", round);
	}
	for (unsigned long d = 0; d < 64; d++, round++) {
		mpz_set_ui(z, d);
		le32(s, z);
		(void)check_decode(g, s, "small", round);
	}
	for (uint64_t i = 0; i < 500; i++, round++) {
		uint8_t h[crypto_core_ristretto255_HASHBYTES];

		seeded(h, sizeof h, 12, i);
		crypto_core_ristretto255_from_hash(valid, h);
		assert_int_equal(check_decode(g, valid, "valid", round), 1);
		mpz_import(v, R255_BYTES, -1, 1, 0, 0, valid);
		mpz_add(z, v, p);
		if (mpz_sizeinbase(z, 2) <= 256) {
			le32(s, z);
			assert_int_equal(check_decode(g, s, "s + p", round), 0);
		}
		mpz_sub(z, p, v);
		mpz_mod(z, z, p);
		le32(s, z);
		(void)check_decode(g, s, "p - s", round);
		memcpy(s, valid, R255_BYTES);
		s[31] |= 0x80;
		assert_int_equal(check_decode(g, s, "bit 255 set", round), 0);
	}
	mpz_clears(p, z, v, NULL);
}

/* ---- equality (RFC 9496 §4.3.3) ---- */

/* A sum computed in extended coordinates is usually another edwards25519
 * representative of its element than the decoding of its encoding; both
 * are equal as elements, and differ from a neighbour. */
static void test_eq(void **state)
{
	const vy_group *g = r255();
	vy_elem a, b;
	vy_r255_point pa, pb, sum, back, other;
	uint8_t enc[R255_BYTES];

	(void)state;
	for (uint64_t round = 0; round < 200; round++) {
		seeded_elem(g, &a, 13, round);
		seeded_elem(g, &b, 14, round);
		assert_int_equal(vy_r255_decode(&pa, a.b), VY_OK);
		assert_int_equal(vy_r255_decode(&pb, b.b), VY_OK);
		vy_r255_add(&sum, &pa, &pb);
		vy_r255_encode(enc, &sum);
		assert_int_equal(vy_r255_decode(&back, enc), VY_OK);
		assert_true(vy_r255_eq(&sum, &back));
		assert_true(vy_r255_eq(&back, &sum));
		vy_r255_add(&other, &sum, &pa);
		assert_false(vy_r255_eq(&other, &sum));
		assert_false(vy_r255_eq(&pa, &pb));
	}
}

/* ---- threads ---- */

/* The cases every thread computes, and the answers found beforehand. */
typedef struct {
	const vy_group *g;
	vy_elem b[THREAD_CASES][3], want[THREAD_CASES], want_prod[THREAD_CASES];
	vy_scalar k[THREAD_CASES][3];
} thread_cases;

typedef struct {
	const thread_cases *cases;
	unsigned id;
	size_t wrong;
} thread_job;

/* No cmocka calls here (not thread-safe): count the wrong answers. */
static void *thread_main(void *arg)
{
	thread_job *job = arg;
	const thread_cases *tc = job->cases;
	vy_elem got;

	for (size_t r = 0; r < THREAD_ROUNDS; r++) {
		size_t i = (r * 7 + job->id * 5) % THREAD_CASES;

		vy_elem_multiexp_public(tc->g, &got, 3, tc->b[i], tc->k[i]);
		job->wrong += !vy_elem_eq(tc->g, &got, &tc->want[i]);
		vy_elem_prod_public(tc->g, &got, 3, tc->b[i]);
		job->wrong += !vy_elem_eq(tc->g, &got, &tc->want_prod[i]);
	}
	return NULL;
}

/* Several threads at once on cases that share bases: the generator's
 * table is shared and read-only, the decoding memo is per thread. */
static void test_threads(void **state)
{
	static thread_cases tc;
	thread_job jobs[THREADS];
	pthread_t t[THREADS];

	(void)state;
	tc.g = r255();
	for (size_t i = 0; i < THREAD_CASES; i++) {
		for (size_t j = 0; j < 3; j++) {
			/* eight distinct bases (one the generator), so cases share them */
			if ((i + j) % 8 == 0)
				vy_elem_generator(tc.g, &tc.b[i][j]);
			else
				seeded_elem(tc.g, &tc.b[i][j], 17, (i + j) % 8);
			seeded_scalar(tc.g, &tc.k[i][j], 18, i * 3 + j);
		}
		ref_multiexp(tc.g, &tc.want[i], 3, tc.b[i], tc.k[i]);
		vy_elem_mul(tc.g, &tc.want_prod[i], &tc.b[i][0], &tc.b[i][1]);
		vy_elem_mul(tc.g, &tc.want_prod[i], &tc.want_prod[i], &tc.b[i][2]);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		jobs[i].cases = &tc;
		jobs[i].id = i;
		jobs[i].wrong = 0;
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &jobs[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (jobs[i].wrong != 0)
			fail_msg("thread %u: %zu wrong answers", i, jobs[i].wrong);
	}
}

/* ---- the integer groups' fallbacks ---- */

/* Toy group: every element as a base with every scalar, in 1-3 term
 * combinations, against exp and mul; mul, div and prod likewise. */
static void test_zp_toy(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_elem all[TOY_Q], b[3], got, want;
	vy_scalar k[3];

	(void)state;
	vy_elem_generator(g, &all[1]);
	vy_elem_identity(g, &all[0]);
	for (size_t i = 2; i < TOY_Q; i++)
		vy_elem_mul(g, &all[i], &all[i - 1], &all[1]);
	for (size_t x = 0; x < TOY_Q; x++)
		for (size_t y = 0; y < TOY_Q; y++)
			for (uint64_t s = 0; s < TOY_Q; s++) {
				b[0] = all[x];
				b[1] = all[y];
				b[2] = all[(x + y) % TOY_Q];
				vy_scalar_from_u64(g, &k[0], s);
				vy_scalar_from_u64(g, &k[1], (s * 7 + 3) % TOY_Q);
				vy_scalar_from_u64(g, &k[2], (s + x) % TOY_Q);
				for (size_t n = 1; n <= 3; n++) {
					ref_multiexp(g, &want, n, b, k);
					vy_elem_multiexp_public(g, &got, n, b, k);
					assert_same_elem(&got, &want, "toy multiexp", x * 1000 + y * 10 + s);
				}
				vy_elem_exp2_public(g, &got, &b[0], &k[0], &b[1], &k[1]);
				ref_multiexp(g, &want, 2, b, k);
				assert_same_elem(&got, &want, "toy exp2_public", s);
				vy_elem_mul(g, &want, &b[0], &b[1]);
				vy_elem_mul_public(g, &got, &b[0], &b[1]);
				assert_same_elem(&got, &want, "toy mul_public", s);
				vy_elem_div(g, &want, &b[0], &b[1]);
				vy_elem_div_public(g, &got, &b[0], &b[1]);
				assert_same_elem(&got, &want, "toy div_public", s);
				vy_elem_mul(g, &want, &want, &b[1]);
				assert_same_elem(&want, &b[0], "toy (a / b) * b", s);
				vy_elem_prod_public(g, &got, 3, b);
				vy_elem_mul(g, &want, &b[0], &b[1]);
				vy_elem_mul(g, &want, &want, &b[2]);
				assert_same_elem(&got, &want, "toy prod_public", s);
			}
}

/* modp4096: a few random cases (each exponentiation is costly). */
static void test_zp_modp4096(void **state)
{
	const vy_group *g;
	vy_elem b[3], got, want;
	vy_scalar k[3];

	(void)state;
	vytest_init();
	g = vy_group_by_id(VY_GROUP_MODP4096);
	assert_non_null(g);
	for (uint64_t round = 0; round < 3; round++) {
		for (size_t i = 0; i < 3; i++) {
			vy_scalar e;

			seeded_scalar(g, &e, 15, round * 3 + i);
			vy_elem_exp_base(g, &b[i], &e);
			seeded_scalar(g, &k[i], 16, round * 3 + i);
		}
		if (round == 1)
			vy_elem_generator(g, &b[2]);
		ref_multiexp(g, &want, 3, b, k);
		vy_elem_multiexp_public(g, &got, 3, b, k);
		assert_true(vy_elem_eq(g, &got, &want));
		vy_elem_mul(g, &want, &b[0], &b[1]);
		vy_elem_mul_public(g, &got, &b[0], &b[1]);
		assert_true(vy_elem_eq(g, &got, &want));
		vy_elem_mul(g, &want, &want, &b[2]);
		vy_elem_prod_public(g, &got, 3, b);
		assert_true(vy_elem_eq(g, &got, &want));
		vy_elem_div_public(g, &got, &got, &b[2]);
		vy_elem_mul(g, &want, &b[0], &b[1]);
		assert_true(vy_elem_eq(g, &got, &want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_multiples),
		cmocka_unit_test(test_rfc_invalid),
		cmocka_unit_test(test_rfc_sqrt_ratio),
		cmocka_unit_test(test_rfc_constants),
		cmocka_unit_test(test_diff_multiexp),
		cmocka_unit_test(test_diff_edge_scalars),
		cmocka_unit_test(test_diff_generator_repeated),
		cmocka_unit_test(test_diff_multiexp_chunks),
		cmocka_unit_test(test_multiexp_alias_and_empty),
		cmocka_unit_test(test_diff_os_random),
		cmocka_unit_test(test_diff_mul_div_prod),
		cmocka_unit_test(test_decode_random),
		cmocka_unit_test(test_decode_boundary),
		cmocka_unit_test(test_eq),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_zp_toy),
		cmocka_unit_test(test_zp_modp4096),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
