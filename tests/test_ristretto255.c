/*
 * ristretto255 (specs/crypto.md §2): known-answer tests from RFC 9496
 * Appendix A, read from specs/vectors/rfc9496-ristretto255.json (A.1
 * multiples of the generator, A.2 invalid encodings, A.3 element derivation,
 * A.4 SQRT_RATIO_M1, Section 4.1 constants; see specs/vectors/README.md),
 * plus scalar range and arithmetic checks against GMP, the handling of the
 * identity, and the tests' JSON reader itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <sodium.h>

#include "tests/support/json.h"
#include "tests/support/vytest.h"

#define VECTORS_PATH "specs/vectors/rfc9496-ristretto255.json"
#define R255_BYTES 32           /* element and field encodings */
#define WIDE_BYTES 64           /* vy_scalar_from_wide and A.3 inputs */
#define N_MULTIPLES 16          /* A.1: k = 0..15 */
#define N_INVALID 29            /* A.2 */
#define N_EXTRA_INVALID 1       /* libsodium's extra invalid encoding */
#define N_FROM_UNIFORM 7        /* A.3, with labels */
#define N_FROM_UNIFORM_SAME 4   /* A.3, four inputs with one output */
#define N_SQRT_RATIO 6          /* A.4 */
#define N_RANDOM_ROUNDS 64      /* random scalars per property */
#define JUNK 0xa5               /* fills outputs to see that failures zero them */

/* The group order l = 2^252 + 27742317777372353535851937790883648493
 * (RFC 9496 Section 4, the order of the Ed25519 base point, RFC 8032). */
#define L_LOW_DECIMAL "27742317777372353535851937790883648493"
#define L_HIGH_BIT 252
/* The field prime p = 2^255 - 19 (RFC 9496 Section 4). */
#define P_BIT 255
#define P_SUB 19

/* ---- helpers ---- */

/* The built-in ristretto255 group, after vy_init(). */
static const vy_group *r255(void)
{
	const vy_group *g;

	vytest_init();
	g = vy_group_by_id(VY_GROUP_RISTRETTO255);
	assert_non_null(g);
	assert_int_equal(vy_group_elem_bytes(g), R255_BYTES);
	return g;
}

/* The vectors file, parsed; the caller frees it with vyjson_free. */
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

/* The array member key of the vectors, checking it has n entries. */
static const vyjson *vector_list(const vyjson *root, const char *key, size_t n)
{
	const vyjson *list = vyjson_get(root, key);

	if (list == NULL || list->type != VYJSON_ARRAY)
		fail_msg("vectors: no array '%s'", key);
	assert_int_equal(vyjson_len(list), n);
	return list;
}

/* Hex string member key of obj, which must decode to exactly n bytes. */
static void get_hex(uint8_t *out, size_t n, const vyjson *obj, const char *key)
{
	const char *hex = vyjson_get_string(obj, key);

	if (hex == NULL)
		fail_msg("vectors: no string '%s'", key);
	if (vytest_unhex(out, n, hex) != (long)n)
		fail_msg("vectors: '%s' is not %zu bytes of hex: %s", key, n, hex);
}

/* Fail with both values in hex unless the n bytes at got and want agree. */
static void assert_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
	char hg[2 * WIDE_BYTES + 1], hw[2 * WIDE_BYTES + 1];

	assert_true(n <= WIDE_BYTES);
	if (memcmp(got, want, n) == 0)
		return;
	vytest_hex(hg, got, n);
	vytest_hex(hw, want, n);
	fail_msg("%s:\n  got  %s\n  want %s", what, hg, hw);
}

/* Fail, naming both errors, unless got == want. */
static void assert_err(vy_err got, vy_err want, const char *what)
{
	if (got != want)
		fail_msg("%s: got %d (%s), want %d (%s)", what, (int)got, vy_err_str(got), (int)want,
			 vy_err_str(want));
}

/* 1 if all n bytes at p are zero. */
static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* Fail unless element e encodes to want (32 bytes). */
static void assert_elem(const vy_group *g, const vy_elem *e, const uint8_t want[R255_BYTES],
			const char *what)
{
	uint8_t enc[R255_BYTES];

	vy_elem_encode(g, enc, e);
	assert_bytes(enc, want, R255_BYTES, what);
}

/* Fail unless scalar s encodes to want (32 bytes, little-endian). */
static void assert_scalar(const vy_group *g, const vy_scalar *s,
			  const uint8_t want[VY_SCALAR_BYTES], const char *what)
{
	uint8_t enc[VY_SCALAR_BYTES];

	vy_scalar_encode(g, enc, s);
	assert_bytes(enc, want, VY_SCALAR_BYTES, what);
}

/* Decode a vector that must be a valid element. */
static void decode_ok(const vy_group *g, vy_elem *out, const uint8_t in[R255_BYTES])
{
	assert_err(vy_elem_decode(g, out, in, R255_BYTES), VY_OK, "vy_elem_decode");
}

/* z as 32 bytes little-endian (z must be in [0, 2^256)). */
static void mpz_to_le32(uint8_t out[32], const mpz_t z)
{
	size_t count = 0;

	assert_true(mpz_sgn(z) >= 0 && mpz_sizeinbase(z, 2) <= 256);
	memset(out, 0, 32);
	mpz_export(out, &count, -1, 1, 0, 0, z);
	assert_true(count <= 32);
}

/* n bytes little-endian into z. */
static void mpz_from_le(mpz_t z, const uint8_t *in, size_t n)
{
	mpz_import(z, n, -1, 1, 0, 0, in);
}

/* z = l, the group order. */
static void set_order(mpz_t z)
{
	mpz_t low;

	mpz_init_set_str(low, L_LOW_DECIMAL, 10);
	mpz_ui_pow_ui(z, 2, L_HIGH_BIT);
	mpz_add(z, z, low);
	mpz_clear(low);
}

/* z = p = 2^255 - 19, the field prime. */
static void set_field_prime(mpz_t z)
{
	mpz_ui_pow_ui(z, 2, P_BIT);
	mpz_sub_ui(z, z, P_SUB);
}

/* The 32-byte little-endian encoding of l + delta (delta small, may be negative). */
static void order_plus(uint8_t out[32], long delta)
{
	mpz_t z;

	mpz_init(z);
	set_order(z);
	if (delta >= 0)
		mpz_add_ui(z, z, (unsigned long)delta);
	else
		mpz_sub_ui(z, z, (unsigned long)-delta);
	mpz_to_le32(out, z);
	mpz_clear(z);
}

/* ---- A.1: multiples of the generator ---- */

/* g^k by fixed-base and variable-base exponentiation encodes to
 * multiples[k]; each multiple decodes and re-encodes identically; the first
 * is the identity and the second the generator. */
static void test_a1_exp(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();
	const vyjson *list = vector_list(root, "multiples_of_generator", N_MULTIPLES);
	uint8_t want[R255_BYTES], enc[R255_BYTES];
	vy_elem gen, e, d;
	vy_scalar k;
	long long idx;
	char what[64];

	(void)state;
	vy_elem_generator(g, &gen);
	for (size_t i = 0; i < N_MULTIPLES; i++) {
		const vyjson *entry = vyjson_at(list, i);

		assert_true(vyjson_int(vyjson_get(entry, "k"), &idx));
		assert_int_equal(idx, (long long)i);
		get_hex(want, R255_BYTES, entry, "encoding");
		vy_scalar_from_u64(g, &k, i);

		snprintf(what, sizeof what, "A.1 exp_base(%zu)", i);
		vy_elem_exp_base(g, &e, &k);
		assert_elem(g, &e, want, what);

		snprintf(what, sizeof what, "A.1 exp(generator, %zu)", i);
		vy_elem_exp(g, &e, &gen, &k);
		assert_elem(g, &e, want, what);

		snprintf(what, sizeof what, "A.1 decode/encode multiples[%zu]", i);
		decode_ok(g, &d, want);
		vy_elem_encode(g, enc, &d);
		assert_bytes(enc, want, R255_BYTES, what);
		assert_true(vy_elem_eq(g, &d, &e));
		assert_int_equal(vy_elem_is_identity(g, &d), i == 0);
	}
	get_hex(want, R255_BYTES, vyjson_at(list, 0), "encoding");
	assert_true(all_zero(want, R255_BYTES));
	get_hex(want, R255_BYTES, vyjson_at(list, 1), "encoding");
	assert_elem(g, &gen, want, "A.1 generator == multiples[1]");
	vyjson_free(root);
}

/* multiples[k] * g == multiples[k+1], also with the output aliasing an input. */
static void test_a1_add(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();
	const vyjson *list = vector_list(root, "multiples_of_generator", N_MULTIPLES);
	uint8_t cur[R255_BYTES], next[R255_BYTES];
	vy_elem gen, a, r;
	char what[64];

	(void)state;
	vy_elem_generator(g, &gen);
	for (size_t i = 0; i + 1 < N_MULTIPLES; i++) {
		get_hex(cur, R255_BYTES, vyjson_at(list, i), "encoding");
		get_hex(next, R255_BYTES, vyjson_at(list, i + 1), "encoding");
		decode_ok(g, &a, cur);
		snprintf(what, sizeof what, "A.1 multiples[%zu] * g", i);
		vy_elem_mul(g, &r, &a, &gen);
		assert_elem(g, &r, next, what);
		vy_elem_mul(g, &r, &gen, &a);
		assert_elem(g, &r, next, what);
		vy_elem_mul(g, &a, &a, &gen); /* r aliases a */
		assert_elem(g, &a, next, what);
		decode_ok(g, &a, next);
		vy_elem_div(g, &a, &a, &gen); /* and back */
		assert_elem(g, &a, cur, "A.1 multiples[k+1] / g");
	}
	vyjson_free(root);
}

/* §2.5: the identity (multiples[0]) is rejected where a non-identity
 * element is required, with the output zeroed; every other multiple is
 * accepted. */
static void test_a1_nonidentity(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();
	const vyjson *list = vector_list(root, "multiples_of_generator", N_MULTIPLES);
	uint8_t enc[R255_BYTES];
	vy_elem e;

	(void)state;
	get_hex(enc, R255_BYTES, vyjson_at(list, 0), "encoding");
	memset(&e, JUNK, sizeof e);
	assert_err(vy_elem_decode_nonidentity(g, &e, enc, sizeof enc), VY_ERR_IDENTITY,
		   "decode_nonidentity(identity)");
	assert_true(all_zero(&e, sizeof e));
	for (size_t i = 1; i < N_MULTIPLES; i++) {
		get_hex(enc, R255_BYTES, vyjson_at(list, i), "encoding");
		assert_err(vy_elem_decode_nonidentity(g, &e, enc, sizeof enc), VY_OK,
			   "decode_nonidentity(multiple)");
		assert_elem(g, &e, enc, "decode_nonidentity round trip");
	}
	vyjson_free(root);
}

/* A decoded element holds its encoding in the first 32 bytes and zeros
 * after them (crypto/vy_group.h), whatever the output held before. */
static void test_decode_tail_zero(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();
	const vyjson *list = vector_list(root, "multiples_of_generator", N_MULTIPLES);
	uint8_t enc[R255_BYTES];
	vy_elem e;

	(void)state;
	get_hex(enc, R255_BYTES, vyjson_at(list, 3), "encoding");
	memset(&e, JUNK, sizeof e);
	decode_ok(g, &e, enc);
	assert_bytes(e.b, enc, R255_BYTES, "decode into a dirty output");
	assert_true(all_zero(e.b + R255_BYTES, sizeof e.b - R255_BYTES));
	vyjson_free(root);
}

/* Lengths other than 32 are VY_ERR_LENGTH, with the output zeroed. */
static void test_decode_length(void **state)
{
	const vy_group *g = r255();
	uint8_t buf[R255_BYTES + 1] = { 0 };
	vy_elem e;

	(void)state;
	memset(&e, JUNK, sizeof e);
	assert_err(vy_elem_decode(g, &e, buf, R255_BYTES - 1), VY_ERR_LENGTH, "decode 31 bytes");
	assert_true(all_zero(&e, sizeof e));
	memset(&e, JUNK, sizeof e);
	assert_err(vy_elem_decode(g, &e, buf, R255_BYTES + 1), VY_ERR_LENGTH, "decode 33 bytes");
	assert_true(all_zero(&e, sizeof e));
	assert_err(vy_elem_decode(g, &e, buf, 0), VY_ERR_LENGTH, "decode 0 bytes");
	assert_err(vy_elem_decode(g, NULL, buf, R255_BYTES), VY_ERR_ARG, "decode into NULL");
}

/* ---- A.2: invalid encodings ---- */

/* The error a decoder must give for an A.2 category (specs/crypto.md §2.1,
 * §7): a field element that is not canonical (>= p) or negative (odd) is
 * VY_ERR_NONCANONICAL; the other RFC 9496 §4.3.1 failures are
 * VY_ERR_NOT_IN_GROUP. */
static vy_err expected_decode_error(const char *category)
{
	static const char noncanonical[] = "non-canonical field encoding";
	static const char negative[] = "negative field element";

	if (strncmp(category, noncanonical, sizeof noncanonical - 1) == 0 ||
	    strncmp(category, negative, sizeof negative - 1) == 0)
		return VY_ERR_NONCANONICAL;
	return VY_ERR_NOT_IN_GROUP;
}

/* Every encoding of the list is rejected, with the error its category
 * names and the output zeroed; returns how many are VY_ERR_NONCANONICAL. */
static size_t check_invalid_list(const vy_group *g, const vyjson *list)
{
	uint8_t enc[R255_BYTES];
	char what[200];
	size_t n_noncanonical = 0;
	vy_elem e;
	vy_err want;

	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *entry = vyjson_at(list, i);
		const char *category = vyjson_get_string(entry, "category");

		assert_non_null(category);
		get_hex(enc, R255_BYTES, entry, "encoding");
		want = expected_decode_error(category);
		n_noncanonical += want == VY_ERR_NONCANONICAL;
		snprintf(what, sizeof what, "invalid encoding %zu (%s)", i, category);
		memset(&e, JUNK, sizeof e);
		assert_err(vy_elem_decode(g, &e, enc, sizeof enc), want, what);
		if (!all_zero(&e, sizeof e))
			fail_msg("%s: output not zeroed", what);
		memset(&e, JUNK, sizeof e);
		assert_err(vy_elem_decode_nonidentity(g, &e, enc, sizeof enc), want, what);
		assert_true(all_zero(&e, sizeof e));
	}
	return n_noncanonical;
}

/* RFC 9496 A.2 (29 encodings: 4 with s >= p, 8 with s odd, 8 non-square,
 * 8 with negative x*y, and s = -1) and libsodium's extra one (bit 255 set). */
static void test_a2_invalid(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();

	(void)state;
	assert_int_equal(check_invalid_list(g, vector_list(root, "invalid_encodings", N_INVALID)),
			 12);
	assert_int_equal(check_invalid_list(g, vector_list(root, "extra_invalid_encodings",
							   N_EXTRA_INVALID)),
			 1);
	vyjson_free(root);
}

/* ---- A.3: element derivation from 64 uniform bytes ---- */

/*
 * Hash-to-group for ristretto255 is RFC 9496 Section 4.3.4 (element
 * derivation from 64 uniform bytes), which libsodium implements as
 * crypto_core_ristretto255_from_hash. This test pins that function to the
 * RFC, documenting which function would be used. The protocol does not
 * currently derive any group element by hashing: specs/crypto.md defines no
 * hash-to-group, only hashing to scalars (§3.1).
 */
static void check_from_hash(const vy_group *g, const uint8_t in[WIDE_BYTES],
			    const uint8_t want[R255_BYTES], const char *what)
{
	uint8_t out[R255_BYTES];
	vy_elem e;

	assert_int_equal(crypto_core_ristretto255_from_hash(out, in), 0);
	assert_bytes(out, want, R255_BYTES, what);
	decode_ok(g, &e, out); /* a valid element */
}

/* A.3: the seven labelled inputs (input = SHA-512(label)) and the four
 * inputs that all map to one element. */
static void test_a3_from_hash(void **state)
{
	const vy_group *g = r255();
	vyjson *root = load_vectors();
	const vyjson *list = vector_list(root, "from_uniform_bytes", N_FROM_UNIFORM);
	const vyjson *same = vyjson_get(root, "from_uniform_bytes_same_output");
	uint8_t in[WIDE_BYTES], digest[crypto_hash_sha512_BYTES], want[R255_BYTES];

	(void)state;
	for (size_t i = 0; i < N_FROM_UNIFORM; i++) {
		const vyjson *entry = vyjson_at(list, i);
		const char *label = vyjson_get_string(entry, "label");

		assert_non_null(label);
		get_hex(in, WIDE_BYTES, entry, "input");
		get_hex(want, R255_BYTES, entry, "output");
		crypto_hash_sha512(digest, (const uint8_t *)label, strlen(label));
		assert_bytes(digest, in, WIDE_BYTES, "A.3 input == SHA-512(label)");
		check_from_hash(g, in, want, label);
	}
	assert_non_null(same);
	get_hex(want, R255_BYTES, same, "output");
	assert_int_equal(vyjson_len(vyjson_get(same, "inputs")), N_FROM_UNIFORM_SAME);
	for (size_t i = 0; i < N_FROM_UNIFORM_SAME; i++) {
		const char *hex = vyjson_string(vyjson_at(vyjson_get(same, "inputs"), i));

		assert_non_null(hex);
		assert_int_equal(vytest_unhex(in, sizeof in, hex), WIDE_BYTES);
		check_from_hash(g, in, want, "A.3 same output");
	}
	vyjson_free(root);
}

/* ---- A.4 and Section 4.1: the data, checked with GMP ---- */

/* r^2 * v == u (mod p) if was_square, else r^2 * v == SQRT_M1 * u; r is
 * "non-negative" (even): the definition of SQRT_RATIO_M1 (Section 4.2). */
static void check_sqrt_ratio(const vyjson *entry, const mpz_t p, const mpz_t sqrt_m1)
{
	const vyjson *sq = vyjson_get(entry, "was_square");
	uint8_t buf[R255_BYTES];
	mpz_t u, v, r, lhs;

	assert_non_null(sq);
	assert_true(sq->type == VYJSON_TRUE || sq->type == VYJSON_FALSE);
	mpz_inits(u, v, r, lhs, NULL);
	get_hex(buf, R255_BYTES, entry, "u");
	mpz_from_le(u, buf, R255_BYTES);
	get_hex(buf, R255_BYTES, entry, "v");
	mpz_from_le(v, buf, R255_BYTES);
	get_hex(buf, R255_BYTES, entry, "r");
	mpz_from_le(r, buf, R255_BYTES);
	assert_true(mpz_cmp(r, p) < 0 && mpz_even_p(r));
	mpz_mul(lhs, r, r);
	mpz_mul(lhs, lhs, v);
	if (sq->type == VYJSON_FALSE)
		mpz_mul(u, u, sqrt_m1);
	mpz_sub(lhs, lhs, u);
	mpz_mod(lhs, lhs, p);
	/* when no square root exists the RFC returns r = 0 if u = 0 or v = 0 */
	assert_true(mpz_sgn(lhs) == 0 || (sq->type == VYJSON_FALSE && mpz_sgn(r) == 0));
	mpz_clears(u, v, r, lhs, NULL);
}

/* The value of constant name, checking that its decimal and little-endian
 * forms agree. */
static void get_constant(mpz_t out, const vyjson *constants, const char *name)
{
	const vyjson *c = vyjson_get(constants, name);
	const char *dec = vyjson_get_string(c, "decimal");
	uint8_t le[R255_BYTES];
	mpz_t z;

	assert_non_null(dec);
	assert_int_equal(mpz_set_str(out, dec, 10), 0);
	get_hex(le, R255_BYTES, c, "le_hex");
	mpz_init(z);
	mpz_from_le(z, le, R255_BYTES);
	assert_int_equal(mpz_cmp(z, out), 0);
	mpz_clear(z);
}

/* A.4 cases and two Section 4.1 constants against their definitions:
 * SQRT_M1^2 = -1 and D = -121665/121666 (mod p). Guards the data file. */
static void test_a4_constants(void **state)
{
	vyjson *root = load_vectors();
	const vyjson *list = vector_list(root, "sqrt_ratio_m1", N_SQRT_RATIO);
	const vyjson *constants = vyjson_get(root, "constants");
	mpz_t p, sqrt_m1, d, t;

	(void)state;
	vytest_init();
	mpz_inits(p, sqrt_m1, d, t, NULL);
	set_field_prime(p);
	get_constant(sqrt_m1, constants, "SQRT_M1");
	get_constant(d, constants, "D");
	mpz_mul(t, sqrt_m1, sqrt_m1);
	mpz_add_ui(t, t, 1);
	assert_true(mpz_divisible_p(t, p));
	mpz_mul_ui(t, d, 121666);
	mpz_add_ui(t, t, 121665);
	assert_true(mpz_divisible_p(t, p));
	get_constant(t, constants, "SQRT_AD_MINUS_ONE");
	get_constant(t, constants, "INVSQRT_A_MINUS_D");
	get_constant(t, constants, "ONE_MINUS_D_SQ");
	get_constant(t, constants, "D_MINUS_ONE_SQ");
	for (size_t i = 0; i < N_SQRT_RATIO; i++)
		check_sqrt_ratio(vyjson_at(list, i), p, sqrt_m1);
	mpz_clears(p, sqrt_m1, d, t, NULL);
	vyjson_free(root);
}

/* ---- scalars ---- */

/* Decoding rejects l, l + 1 and 2^256 - 1 (zeroing the output) and wrong
 * lengths, and accepts l - 1 and 0. */
static void test_scalar_decode(void **state)
{
	const vy_group *g = r255();
	uint8_t buf[VY_SCALAR_BYTES + 1] = { 0 };
	vy_scalar s;

	(void)state;
	order_plus(buf, 0);
	memset(&s, JUNK, sizeof s);
	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES), VY_ERR_SCALAR_RANGE, "decode l");
	assert_true(all_zero(&s, sizeof s));
	order_plus(buf, 1);
	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES), VY_ERR_SCALAR_RANGE,
		   "decode l + 1");
	memset(buf, 0xff, VY_SCALAR_BYTES);
	memset(&s, JUNK, sizeof s);
	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES), VY_ERR_SCALAR_RANGE,
		   "decode 2^256 - 1");
	assert_true(all_zero(&s, sizeof s));

	memset(buf, 0, sizeof buf);
	memset(&s, JUNK, sizeof s);
	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES - 1), VY_ERR_LENGTH,
		   "decode 31 bytes");
	assert_true(all_zero(&s, sizeof s));
	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES + 1), VY_ERR_LENGTH,
		   "decode 33 bytes");

	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES), VY_OK, "decode 0");
	assert_true(vy_scalar_is_zero(g, &s));
	order_plus(buf, -1);
	assert_err(vy_scalar_decode(g, &s, buf, VY_SCALAR_BYTES), VY_OK, "decode l - 1");
	assert_false(vy_scalar_is_zero(g, &s));
	assert_scalar(g, &s, buf, "encode(decode(l - 1))");
}

/* -1 is l - 1, (l - 1) + 1 = 0, and from_u64 agrees with the encoding. */
static void test_scalar_edges(void **state)
{
	const vy_group *g = r255();
	uint8_t want[VY_SCALAR_BYTES];
	vy_scalar one, s, r;

	(void)state;
	vy_scalar_from_u64(g, &one, 1);
	memset(want, 0, sizeof want);
	want[0] = 1;
	assert_scalar(g, &one, want, "from_u64(1), little-endian");
	vy_scalar_neg(g, &s, &one);
	order_plus(want, -1);
	assert_scalar(g, &s, want, "-1 == l - 1");
	vy_scalar_add(g, &r, &s, &one);
	assert_true(vy_scalar_is_zero(g, &r));
	vy_scalar_from_u64(g, &s, UINT64_MAX);
	memset(want, 0, sizeof want);
	memset(want, 0xff, 8);
	assert_scalar(g, &s, want, "from_u64(2^64 - 1)");
}

/* a + (-a) = 0, a - a = 0, a * a^-1 = 1, (a * b) / b = a, for random a, b;
 * the inverse of 0 is VY_ERR_SCALAR_ZERO with a zero result. */
static void test_scalar_arith(void **state)
{
	const vy_group *g = r255();
	vy_scalar a, b, r, t, one, zero;

	(void)state;
	vy_scalar_from_u64(g, &one, 1);
	vy_scalar_from_u64(g, &zero, 0);
	for (int i = 0; i < N_RANDOM_ROUNDS; i++) {
		vy_scalar_random(g, &a);
		vy_scalar_random(g, &b);
		if (vy_scalar_is_zero(g, &a) || vy_scalar_is_zero(g, &b))
			continue; /* probability 2^-251 */
		vy_scalar_neg(g, &r, &a);
		vy_scalar_add(g, &r, &a, &r);
		assert_true(vy_scalar_is_zero(g, &r));
		vy_scalar_sub(g, &r, &a, &a);
		assert_true(vy_scalar_eq(g, &r, &zero));
		assert_err(vy_scalar_inv(g, &r, &a), VY_OK, "inv(a)");
		vy_scalar_mul(g, &r, &a, &r);
		assert_true(vy_scalar_eq(g, &r, &one));
		vy_scalar_mul(g, &t, &a, &b);
		assert_err(vy_scalar_inv(g, &r, &b), VY_OK, "inv(b)");
		vy_scalar_mul(g, &t, &t, &r);
		assert_true(vy_scalar_eq(g, &t, &a));
		assert_false(vy_scalar_eq(g, &a, &zero));
	}
	memset(&r, JUNK, sizeof r);
	assert_err(vy_scalar_inv(g, &r, &zero), VY_ERR_SCALAR_ZERO, "inv(0)");
	assert_true(all_zero(&r, sizeof r));
}

/* from_wide(in) == int_be(in) mod l, computed with GMP (specs/crypto.md §2,
 * "Wide reduction"). */
static void check_from_wide(const vy_group *g, const uint8_t in[WIDE_BYTES], const char *what)
{
	uint8_t want[VY_SCALAR_BYTES];
	vy_scalar s;
	mpz_t x, l;

	mpz_inits(x, l, NULL);
	set_order(l);
	mpz_import(x, WIDE_BYTES, 1, 1, 0, 0, in); /* big-endian */
	mpz_mod(x, x, l);
	mpz_to_le32(want, x);
	vy_scalar_from_wide(g, &s, in);
	assert_scalar(g, &s, want, what);
	mpz_clears(x, l, NULL);
}

/* All-0xff ((2^512 - 1) mod l), a small big-endian value (5, which a
 * little-endian reading would get wrong), and random inputs. */
static void test_scalar_from_wide(void **state)
{
	const vy_group *g = r255();
	uint8_t in[WIDE_BYTES];
	vy_scalar s, five;

	(void)state;
	memset(in, 0xff, sizeof in);
	check_from_wide(g, in, "from_wide(2^512 - 1)");
	memset(in, 0, sizeof in);
	in[WIDE_BYTES - 1] = 5;
	check_from_wide(g, in, "from_wide(5)");
	vy_scalar_from_wide(g, &s, in);
	vy_scalar_from_u64(g, &five, 5);
	assert_true(vy_scalar_eq(g, &s, &five));
	for (int i = 0; i < N_RANDOM_ROUNDS; i++) {
		randombytes_buf(in, sizeof in);
		check_from_wide(g, in, "from_wide(random)");
	}
}

/* ---- the identity ---- */

/* g^0 and a^0 are the identity (libsodium's scalar multiplication returns
 * -1 there; the group layer must still give the identity), and the
 * identity to any power is the identity. */
static void test_identity_exp(void **state)
{
	const vy_group *g = r255();
	vy_elem gen, id, a, r;
	vy_scalar zero, k;

	(void)state;
	vy_elem_generator(g, &gen);
	vy_elem_identity(g, &id);
	assert_true(all_zero(id.b, sizeof id.b));
	assert_true(vy_elem_is_identity(g, &id));
	vy_scalar_from_u64(g, &zero, 0);

	memset(&r, JUNK, sizeof r);
	vy_elem_exp_base(g, &r, &zero);
	assert_true(vy_elem_is_identity(g, &r));
	memset(&r, JUNK, sizeof r);
	vy_elem_exp(g, &r, &gen, &zero);
	assert_true(vy_elem_is_identity(g, &r));
	vy_scalar_from_u64(g, &k, 12345);
	vy_elem_exp_base(g, &a, &k);
	memset(&r, JUNK, sizeof r);
	vy_elem_exp(g, &r, &a, &zero);
	assert_true(vy_elem_is_identity(g, &r));
	memset(&r, JUNK, sizeof r);
	vy_elem_exp(g, &r, &id, &k);
	assert_true(vy_elem_is_identity(g, &r));
	memset(&r, JUNK, sizeof r);
	vy_elem_exp2_public(g, &r, &gen, &zero, &a, &zero);
	assert_true(vy_elem_is_identity(g, &r));
}

/* g^(l-1) * g = 1, and exp2_public reaches the identity too. */
static void test_identity_order(void **state)
{
	const vy_group *g = r255();
	uint8_t buf[VY_SCALAR_BYTES];
	vy_elem gen, r, inv_gen, id;
	vy_scalar lm1, one, k;

	(void)state;
	vy_elem_generator(g, &gen);
	vy_elem_identity(g, &id);
	order_plus(buf, -1);
	assert_err(vy_scalar_decode(g, &lm1, buf, sizeof buf), VY_OK, "decode l - 1");
	vy_scalar_from_u64(g, &one, 1);
	vy_elem_exp_base(g, &r, &lm1);
	vy_elem_div(g, &inv_gen, &id, &gen);
	assert_true(vy_elem_eq(g, &r, &inv_gen));
	vy_elem_mul(g, &r, &r, &gen);
	assert_true(vy_elem_is_identity(g, &r));
	vy_elem_exp(g, &r, &gen, &lm1);
	assert_true(vy_elem_eq(g, &r, &inv_gen));
	vy_elem_exp2_public(g, &r, &gen, &lm1, &gen, &one);
	assert_true(vy_elem_is_identity(g, &r));
	vy_scalar_from_u64(g, &k, 3);
	vy_scalar_from_u64(g, &one, 4);
	vy_elem_exp2_public(g, &r, &gen, &k, &gen, &one);
	vy_scalar_from_u64(g, &k, 7);
	vy_elem_exp_base(g, &inv_gen, &k);
	assert_true(vy_elem_eq(g, &r, &inv_gen));
}

/* Multiplying by the identity is neutral; a / a is the identity; is_identity
 * and eq tell elements apart. */
static void test_identity_neutral(void **state)
{
	const vy_group *g = r255();
	vy_elem gen, id, a, b, r;
	vy_scalar k;

	(void)state;
	vy_elem_generator(g, &gen);
	vy_elem_identity(g, &id);
	for (uint64_t i = 1; i <= 3; i++) {
		vy_scalar_from_u64(g, &k, 1000 * i + 7);
		vy_elem_exp_base(g, &a, &k);
		vy_elem_mul(g, &r, &a, &id);
		assert_true(vy_elem_eq(g, &r, &a));
		vy_elem_mul(g, &r, &id, &a);
		assert_true(vy_elem_eq(g, &r, &a));
		vy_elem_div(g, &r, &a, &id);
		assert_true(vy_elem_eq(g, &r, &a));
		vy_elem_div(g, &r, &a, &a);
		assert_true(vy_elem_is_identity(g, &r));
		assert_false(vy_elem_is_identity(g, &a));
		assert_false(vy_elem_eq(g, &a, &id));
		assert_false(vy_elem_eq(g, &a, &gen));
	}
	vy_elem_mul(g, &r, &id, &id);
	assert_true(vy_elem_is_identity(g, &r));
	assert_true(vy_elem_eq(g, &id, &r));
	assert_false(vy_elem_is_identity(g, &gen));
	b = gen;
	assert_true(vy_elem_eq(g, &b, &gen));
}

/* ---- the JSON reader ---- */

/* Each of these is rejected with a message. */
static void test_json_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
		"{\"a\":1 \"b\":2}", "{\"a\":1,\"a\":2}", "[1] x", "[1][2]", "01", "-01", "1.", ".5",
		"-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul", "True", "'a'",
		"\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"\\ud800\\u0041\"", "\"a\x01\"", "\"tab\there\"", "\"\xff\"", "\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"", "\"\xe2\x82\"", "/* c */ 1", "[1] // c", "\"\\",
	};
	char err[128], deep[2 * (VYJSON_MAX_DEPTH + 2) + 1];
	vyjson *v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = vyjson_parse(bad[i], strlen(bad[i]), err, sizeof err);
		if (v != NULL)
			fail_msg("json accepted malformed input #%zu: %s", i, bad[i]);
		assert_true(strncmp(err, "json: offset ", 13) == 0);
	}
	/* a NUL byte inside the given length is not whitespace */
	assert_null(vyjson_parse("1\0", 2, err, sizeof err));
	/* nesting beyond the limit; one level less is fine */
	memset(deep, '[', VYJSON_MAX_DEPTH + 1);
	memset(deep + VYJSON_MAX_DEPTH + 1, ']', VYJSON_MAX_DEPTH + 1);
	assert_null(vyjson_parse(deep, 2 * (VYJSON_MAX_DEPTH + 1), err, sizeof err));
	v = vyjson_parse(deep + 1, 2 * VYJSON_MAX_DEPTH, err, sizeof err);
	assert_non_null(v);
	vyjson_free(v);
}

/* A document using every construct parses to the expected tree. */
static void test_json_accepts(void **state)
{
	static const char doc[] =
		" {\"s\": \"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000z\",\n"
		"  \"n\": [0, -12, 1.5e3, 2E-1, -0.0, 9223372036854775808],\t"
		"  \"t\": true, \"f\": false, \"z\": null, \"e\": [], \"o\": {},"
		"  \"u\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"\": {\"k\": [[1]]}} \r\n";
	static const char want_s[] = "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\0z";
	char err[128];
	vyjson *v = vyjson_parse(doc, sizeof doc - 1, err, sizeof err);
	const vyjson *s, *n;
	long long x;

	(void)state;
	if (v == NULL)
		fail_msg("%s", err);
	assert_int_equal(v->type, VYJSON_OBJECT);
	assert_int_equal(vyjson_len(v), 9);
	s = vyjson_get(v, "s");
	assert_non_null(s);
	assert_int_equal(s->str_len, sizeof want_s - 1);
	assert_memory_equal(s->str, want_s, sizeof want_s);
	n = vyjson_get(v, "n");
	assert_int_equal(vyjson_len(n), 6);
	assert_true(vyjson_int(vyjson_at(n, 0), &x) && x == 0);
	assert_true(vyjson_int(vyjson_at(n, 1), &x) && x == -12);
	assert_false(vyjson_int(vyjson_at(n, 2), &x)); /* not written as an integer */
	assert_true(vyjson_at(n, 2)->num == 1500.0);
	assert_false(vyjson_int(vyjson_at(n, 3), &x));
	assert_true(vyjson_at(n, 3)->num > 0.19 && vyjson_at(n, 3)->num < 0.21);
	assert_false(vyjson_int(vyjson_at(n, 5), &x)); /* 2^63: beyond long long */
	assert_string_equal(vyjson_at(n, 5)->str, "9223372036854775808");
	assert_null(vyjson_at(n, 6));
	assert_int_equal(vyjson_get(v, "t")->type, VYJSON_TRUE);
	assert_int_equal(vyjson_get(v, "f")->type, VYJSON_FALSE);
	assert_int_equal(vyjson_get(v, "z")->type, VYJSON_NULL);
	assert_int_equal(vyjson_get(v, "e")->type, VYJSON_ARRAY);
	assert_int_equal(vyjson_len(vyjson_get(v, "e")), 0);
	assert_int_equal(vyjson_get(v, "o")->type, VYJSON_OBJECT);
	assert_string_equal(vyjson_get_string(v, "u"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_true(vyjson_int(vyjson_at(vyjson_at(vyjson_get(vyjson_get(v, ""), "k"), 0), 0), &x));
	assert_int_equal(x, 1);
	assert_null(vyjson_get(v, "missing"));
	assert_null(vyjson_get(n, "s"));   /* not an object */
	assert_null(vyjson_get_string(v, "t")); /* not a string */
	assert_string_equal(vyjson_at(v, 1)->key, "n");
	vyjson_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a1_exp),
		cmocka_unit_test(test_a1_add),
		cmocka_unit_test(test_a1_nonidentity),
		cmocka_unit_test(test_decode_tail_zero),
		cmocka_unit_test(test_decode_length),
		cmocka_unit_test(test_a2_invalid),
		cmocka_unit_test(test_a3_from_hash),
		cmocka_unit_test(test_a4_constants),
		cmocka_unit_test(test_scalar_decode),
		cmocka_unit_test(test_scalar_edges),
		cmocka_unit_test(test_scalar_arith),
		cmocka_unit_test(test_scalar_from_wide),
		cmocka_unit_test(test_identity_exp),
		cmocka_unit_test(test_identity_order),
		cmocka_unit_test(test_identity_neutral),
		cmocka_unit_test(test_json_rejects),
		cmocka_unit_test(test_json_accepts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
