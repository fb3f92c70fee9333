/*
 * The project's own crypto vectors (specs/crypto.md §8):
 *
 *  1. the committed specs/vectors/crypto-<group>.json are byte-identical to
 *     what tests/support/vectors_gen.c generates today, so the code and the
 *     vectors cannot drift apart (and generation is deterministic);
 *  2. every proof of the committed files verifies through the public
 *     verification functions, after decoding its inputs as a verifier would,
 *     and fails once altered (another scalar, ctx, bound or statement);
 *  3. the other values of the files (group hash, multiples of g, ElGamal
 *     decryptions, Feldman shares, Lagrange coefficients) agree with the
 *     library;
 *  4. specs/vectors/ed25519.json (§10.4) is what the generator writes, and
 *     every verdict it states is libsodium's: crypto_sign_verify_detached
 *     for "verify", crypto_core_ed25519_is_valid_point for "key_valid";
 *  5. specs/vectors/credential-file.json (specs/client.md §6.1) is what the
 *     generator writes, and the library's unsealing (cli/vy_keys.h) opens
 *     its file to its plaintext, a CredentialFile of its fields; a wrong
 *     passphrase, a changed byte, another magic or limits below the floor
 *     are refused; the library's own sealing opens the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/proof_impl.h"
#include "crypto/vy_elgamal.h"
#include "cli/vy_keys.h"
#include "crypto/vy_shamir.h"
#include "tests/support/json.h"
#include "tests/support/vectors_gen.h"
#include "tests/support/vytest.h"

#define MAX_N 8   /* most branches or ciphertexts in a vector */
#define MAX_T 8   /* most Feldman coefficients in a vector */
#define PATH_BYTES 256

/* ---- reading the committed files ---- */

static char *read_committed(const vy_group *g, size_t *len)
{
	char name[64], rel[PATH_BYTES];

	assert_int_equal(vyvec_file_name(g, name, sizeof name), VY_OK);
	snprintf(rel, sizeof rel, "specs/vectors/%s", name);
	return vytest_read_file(vytest_source_path(rel), len);
}

static vyjson *parse_committed(const vy_group *g)
{
	char err[256] = "";
	size_t len;
	char *text = read_committed(g, &len);
	vyjson *v = vyjson_parse(text, len, err, sizeof err);

	free(text);
	if (v == NULL)
		fail_msg("%s vectors do not parse: %s", vy_group_name(g), err);
	return v;
}

static const vyjson *member(const vyjson *o, const char *key)
{
	const vyjson *m = vyjson_get(o, key);

	if (m == NULL)
		fail_msg("vector member \"%s\" missing", key);
	return m;
}

/* A hex string of exactly len bytes. */
static void hex_exact(const vyjson *v, uint8_t *out, size_t len)
{
	const char *hex = vyjson_string(v);

	assert_non_null(hex);
	assert_int_equal(vytest_unhex(out, len, hex), (long)len);
}

/* Member key as an element, decoded with the §2 rules (and §2.5 if nonidentity). */
static void elem_of(const vy_group *g, const vyjson *v, vy_elem *e, int nonidentity)
{
	uint8_t b[VY_ELEM_MAX_BYTES];
	size_t n = vy_group_elem_bytes(g);

	hex_exact(v, b, n);
	if (nonidentity)
		assert_int_equal(vy_elem_decode_nonidentity(g, e, b, n), VY_OK);
	else
		assert_int_equal(vy_elem_decode(g, e, b, n), VY_OK);
}

static void elem_at(const vy_group *g, const vyjson *o, const char *key, vy_elem *e)
{
	elem_of(g, member(o, key), e, 0);
}

static void scalar_of(const vy_group *g, const vyjson *v, vy_scalar *s)
{
	uint8_t b[VY_SCALAR_BYTES];

	hex_exact(v, b, sizeof b);
	assert_int_equal(vy_scalar_decode(g, s, b, sizeof b), VY_OK);
}

static void scalar_at(const vy_group *g, const vyjson *o, const char *key, vy_scalar *s)
{
	scalar_of(g, member(o, key), s);
}

static uint64_t u64_at(const vyjson *o, const char *key)
{
	long long x;

	assert_true(vyjson_int(member(o, key), &x));
	assert_true(x >= 0);
	return (uint64_t)x;
}

/* An array of n scalars (n returned, at most cap). */
static size_t scalars_at(const vy_group *g, const vyjson *o, const char *key, vy_scalar *out, size_t cap)
{
	const vyjson *a = member(o, key);
	size_t n = vyjson_len(a);

	assert_true(n >= 1 && n <= cap);
	for (size_t i = 0; i < n; i++)
		scalar_of(g, vyjson_at(a, i), &out[i]);
	return n;
}

/* The proof context of §8.2 as the file gives it. */
static void proof_ctx_of(const vy_group *g, const vyjson *v, vy_proof_ctx *pc, uint8_t *ctx, size_t cap)
{
	const char *hex = vyjson_get_string(v, "ctx");
	long n;

	assert_non_null(hex);
	n = vytest_unhex(ctx, cap, hex);
	assert_true(n > 0);
	pc->group = g;
	hex_exact(member(v, "base_hash"), pc->base_hash, VY_HASH_BYTES);
	pc->ctx = ctx;
	pc->ctx_len = (size_t)n;
}

/* s + 1: an altered scalar. */
static void bump(const vy_group *g, vy_scalar *s)
{
	vy_scalar one;

	vy_scalar_from_u64(g, &one, 1);
	vy_scalar_add(g, s, s, &one);
}

/* ---- 1. committed == generated ---- */

/* Report the first line where two texts differ, then fail. */
static void fail_with_first_difference(const char *what, const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, line = 1, start = 0;

	while (i < alen && i < blen && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	print_error("%s differs from a fresh generation at line %zu:\n  committed: %.100s\n  generated: %.100s\n"
		    "Regenerate with `make vectors` if the change is intended (specs/crypto.md §8).\n",
		    what, line, start < alen ? a + start : "(end)", start < blen ? b + start : "(end)");
	fail();
}

static void check_committed_matches(vy_group_id id)
{
	const vy_group *g;
	char *generated = NULL, *again = NULL, *committed;
	size_t glen, alen, clen;

	vytest_init();
	g = vy_group_by_id(id);
	assert_non_null(g);
	assert_int_equal(vyvec_generate(g, &generated, &glen), VY_OK);
	assert_int_equal(vyvec_generate(g, &again, &alen), VY_OK);
	assert_int_equal(glen, alen);
	assert_memory_equal(generated, again, glen);
	committed = read_committed(g, &clen);
	if (clen != glen || memcmp(committed, generated, glen) != 0)
		fail_with_first_difference(vy_group_name(g), committed, clen, generated, glen);
	free(committed);
	free(generated);
	free(again);
}

static void test_committed_ristretto255(void **state)
{
	(void)state;
	check_committed_matches(VY_GROUP_RISTRETTO255);
}

static void test_committed_modp4096(void **state)
{
	(void)state;
	check_committed_matches(VY_GROUP_MODP4096);
}

/* ---- 2. proofs of the committed files ---- */

static void check_schnorr(const vy_group *g, const vy_proof_ctx *pc, const vyjson *s)
{
	vy_schnorr_proof p;
	vy_proof_ctx other = *pc;
	vy_elem X;

	elem_of(g, member(s, "X"), &X, 1);
	scalar_at(g, s, "c", &p.c);
	scalar_at(g, s, "v", &p.v);
	assert_int_equal(vy_schnorr_verify(pc, &p, &X), VY_OK);
	other.ctx_len = 0;
	assert_int_equal(vy_schnorr_verify(&other, &p, &X), VY_ERR_PROOF);
	other = *pc;
	other.base_hash[0] ^= 1;
	assert_int_equal(vy_schnorr_verify(&other, &p, &X), VY_ERR_PROOF);
	bump(g, &p.v);
	assert_int_equal(vy_schnorr_verify(pc, &p, &X), VY_ERR_PROOF);
}

static void check_cp(const vy_group *g, const vy_proof_ctx *pc, const vyjson *s)
{
	vy_cp_proof p;
	vy_elem g1, h1, g2, h2, gen;

	elem_of(g, member(s, "g1"), &g1, 1);
	elem_at(g, s, "h1", &h1);
	elem_of(g, member(s, "g2"), &g2, 1);
	elem_at(g, s, "h2", &h2);
	scalar_at(g, s, "c", &p.c);
	scalar_at(g, s, "v", &p.v);
	assert_int_equal(vy_cp_verify(pc, &p, &g1, &h1, &g2, &h2), VY_OK);
	/* Swapping the two pairs is another statement. */
	assert_int_equal(vy_cp_verify(pc, &p, &g2, &h2, &g1, &h1), VY_ERR_PROOF);
	vy_elem_generator(g, &gen);
	vy_elem_mul(g, &h2, &h2, &gen);
	assert_int_equal(vy_cp_verify(pc, &p, &g1, &h1, &g2, &h2), VY_ERR_PROOF);
}

static void check_range(const vy_group *g, const vy_proof_ctx *pc, const vyjson *r)
{
	vy_scalar c[MAX_N], v[MAX_N];
	vy_ciphertext ct;
	vy_elem pk;
	vy_proof_ctx other = *pc;
	uint64_t lo = u64_at(r, "lo"), hi = u64_at(r, "hi");
	size_t n;

	elem_of(g, member(r, "pk"), &pk, 1);
	elem_at(g, r, "alpha", &ct.alpha);
	elem_at(g, r, "beta", &ct.beta);
	n = scalars_at(g, r, "c", c, MAX_N);
	assert_int_equal(scalars_at(g, r, "v", v, MAX_N), n);
	assert_int_equal(n, hi - lo + 1);
	assert_int_equal(vy_range_verify(pc, c, v, n, &pk, &ct, lo, hi), VY_OK);
	assert_int_equal(vy_range_verify(pc, c, v, n, &pk, &ct, lo + 1, hi + 1), VY_ERR_PROOF);
	other.ctx_len--;
	assert_int_equal(vy_range_verify(&other, c, v, n, &pk, &ct, lo, hi), VY_ERR_PROOF);
	bump(g, &c[0]);
	assert_int_equal(vy_range_verify(pc, c, v, n, &pk, &ct, lo, hi), VY_ERR_PROOF);
}

static void check_sum(const vy_group *g, const vy_proof_ctx *pc, const vyjson *s)
{
	vy_scalar c[MAX_N], v[MAX_N];
	vy_ciphertext cts[MAX_N], prod, tmp;
	vy_elem pk, A, B;
	uint64_t lo = u64_at(s, "lo"), hi = u64_at(s, "hi");
	const vyjson *list = member(s, "ciphertexts");
	size_t count = vyjson_len(list), n;

	assert_true(count >= 2 && count <= MAX_N);
	elem_of(g, member(s, "pk"), &pk, 1);
	vy_elgamal_zero(g, &prod);
	for (size_t i = 0; i < count; i++) {
		elem_at(g, vyjson_at(list, i), "alpha", &cts[i].alpha);
		elem_at(g, vyjson_at(list, i), "beta", &cts[i].beta);
		vy_elgamal_add(g, &prod, &prod, &cts[i]);
	}
	elem_at(g, s, "A", &A);
	elem_at(g, s, "B", &B);
	assert_true(vy_elem_eq(g, &A, &prod.alpha) && vy_elem_eq(g, &B, &prod.beta));
	n = scalars_at(g, s, "c", c, MAX_N);
	assert_int_equal(scalars_at(g, s, "v", v, MAX_N), n);
	assert_int_equal(vy_sum_verify(pc, c, v, n, &pk, cts, count, lo, hi), VY_OK);
	/* Same product, other statement: the order of the ciphertexts is bound. */
	tmp = cts[0];
	cts[0] = cts[1];
	cts[1] = tmp;
	assert_int_equal(vy_sum_verify(pc, c, v, n, &pk, cts, count, lo, hi), VY_ERR_PROOF);
	/* Fewer ciphertexts. */
	assert_int_equal(vy_sum_verify(pc, c, v, n, &pk, cts + 1, count - 1, lo, hi), VY_ERR_PROOF);
	cts[1] = cts[0];
	cts[0] = tmp;
	/* The range proof on the product is not a sum proof (own tag). */
	assert_int_equal(vy_range_verify(pc, c, v, n, &pk, &prod, lo, hi), VY_ERR_PROOF);
	bump(g, &v[n - 1]);
	assert_int_equal(vy_sum_verify(pc, c, v, n, &pk, cts, count, lo, hi), VY_ERR_PROOF);
}

static void check_proofs(vy_group_id id)
{
	const vy_group *g;
	vyjson *v;
	vy_proof_ctx pc;
	uint8_t ctx[128];
	const vyjson *list;

	vytest_init();
	g = vy_group_by_id(id);
	assert_non_null(g);
	v = parse_committed(g);
	proof_ctx_of(g, v, &pc, ctx, sizeof ctx);
	check_schnorr(g, &pc, member(v, "schnorr"));
	check_cp(g, &pc, member(v, "chaum_pedersen"));
	list = member(v, "range");
	assert_int_equal(vyjson_len(list), 3);
	for (size_t i = 0; i < vyjson_len(list); i++)
		check_range(g, &pc, vyjson_at(list, i));
	list = member(v, "sum");
	assert_true(vyjson_len(list) >= 1);
	for (size_t i = 0; i < vyjson_len(list); i++)
		check_sum(g, &pc, vyjson_at(list, i));
	vyjson_free(v);
}

static void test_proofs_ristretto255(void **state)
{
	(void)state;
	check_proofs(VY_GROUP_RISTRETTO255);
}

static void test_proofs_modp4096(void **state)
{
	(void)state;
	check_proofs(VY_GROUP_MODP4096);
}

/* ---- 3. the other values of the committed files ---- */

static void check_group_and_multiples(const vy_group *g, const vyjson *v)
{
	uint8_t h[VY_HASH_BYTES];
	const vyjson *list = member(v, "generator_multiples");
	vy_elem e, want, gen;
	vy_scalar k;

	hex_exact(member(member(v, "group"), "group_hash"), h, sizeof h);
	assert_memory_equal(h, vy_group_hash(g), sizeof h);
	elem_at(g, member(v, "group"), "generator", &e);
	vy_elem_generator(g, &gen);
	assert_true(vy_elem_eq(g, &e, &gen));
	assert_true(vyjson_len(list) >= 4);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		scalar_at(g, vyjson_at(list, i), "k", &k);
		elem_at(g, vyjson_at(list, i), "element", &e);
		vy_elem_exp_base(g, &want, &k);
		assert_true(vy_elem_eq(g, &e, &want));
	}
}

static void check_elgamal(const vy_group *g, const vyjson *eg)
{
	const vyjson *list = member(eg, "ciphertexts");
	vy_scalar sk;
	vy_elem pk, gm, want;
	vy_ciphertext ct;

	scalar_at(g, eg, "sk", &sk);
	elem_of(g, member(eg, "pk"), &pk, 1);
	vy_elem_exp_base(g, &want, &sk);
	assert_true(vy_elem_eq(g, &pk, &want));
	assert_true(vyjson_len(list) >= 1);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *c = vyjson_at(list, i);
		vy_scalar r;

		elem_at(g, c, "alpha", &ct.alpha);
		elem_at(g, c, "beta", &ct.beta);
		vy_elgamal_decrypt(g, &gm, &ct, &sk);
		elem_at(g, c, "decryption", &want);
		assert_true(vy_elem_eq(g, &gm, &want));
		scalar_at(g, c, "r", &r);
		vy_elgamal_encrypt(g, &ct, &pk, u64_at(c, "m"), &r);
		elem_at(g, c, "beta", &want);
		assert_true(vy_elem_eq(g, &ct.beta, &want));
	}
}

static void check_feldman(const vy_group *g, const vyjson *f, const vyjson *lg)
{
	const vyjson *commits_j = member(f, "commitments"), *shares = member(f, "shares");
	const vyjson *set_j = member(lg, "set"), *coeffs = member(lg, "coefficients");
	vy_elem commits[MAX_T];
	vy_scalar share, lambda, want;
	uint32_t set[MAX_T];
	size_t t = vyjson_len(commits_j), n = vyjson_len(set_j);

	assert_true(t >= 1 && t <= MAX_T && n >= 1 && n <= MAX_T);
	for (size_t j = 0; j < t; j++)
		elem_of(g, vyjson_at(commits_j, j), &commits[j], 0);
	assert_int_equal(vyjson_len(shares), 5);
	for (size_t k = 0; k < vyjson_len(shares); k++) {
		const vyjson *s = vyjson_at(shares, k);
		uint32_t i = (uint32_t)u64_at(s, "i");

		scalar_at(g, s, "share", &share);
		assert_int_equal(vy_feldman_verify_share(g, commits, t, i, &share), VY_OK);
		assert_int_equal(vy_feldman_verify_share(g, commits, t, i + 1, &share), VY_ERR_SHARE);
		bump(g, &share);
		assert_int_equal(vy_feldman_verify_share(g, commits, t, i, &share), VY_ERR_SHARE);
	}
	for (size_t k = 0; k < n; k++) {
		long long x;

		assert_true(vyjson_int(vyjson_at(set_j, k), &x));
		set[k] = (uint32_t)x;
	}
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(vy_lagrange_at_zero(g, &lambda, set, n, k), VY_OK);
		scalar_at(g, vyjson_at(coeffs, k), "lambda", &want);
		assert_true(vy_scalar_eq(g, &lambda, &want));
	}
}

static void check_values(vy_group_id id)
{
	const vy_group *g;
	vyjson *v;

	vytest_init();
	g = vy_group_by_id(id);
	assert_non_null(g);
	v = parse_committed(g);
	check_group_and_multiples(g, v);
	check_elgamal(g, member(v, "elgamal"));
	check_feldman(g, member(v, "feldman"), member(v, "lagrange"));
	vyjson_free(v);
}

static void test_values_ristretto255(void **state)
{
	(void)state;
	check_values(VY_GROUP_RISTRETTO255);
}

static void test_values_modp4096(void **state)
{
	(void)state;
	check_values(VY_GROUP_MODP4096);
}

/* ---- 4. the Ed25519 vectors (§10.4) ---- */

static void test_committed_ed25519(void **state)
{
	char *generated = NULL, *again = NULL, *committed;
	size_t glen, alen, clen;

	(void)state;
	vytest_init();
	assert_int_equal(vyvec_ed25519_generate(&generated, &glen), VY_OK);
	assert_int_equal(vyvec_ed25519_generate(&again, &alen), VY_OK);
	assert_int_equal(glen, alen);
	assert_memory_equal(generated, again, glen);
	committed = vytest_read_file(vytest_source_path("specs/vectors/" VYVEC_ED25519_FILE), &clen);
	if (clen != glen || memcmp(committed, generated, glen) != 0)
		fail_with_first_difference(VYVEC_ED25519_FILE, committed, clen, generated, glen);
	free(committed);
	free(generated);
	free(again);
}

/* Every vector's "verify" and "key_valid" are what libsodium answers, and
 * every file has both verdicts at least once. */
static void test_ed25519_verdicts(void **state)
{
	char err[256] = "";
	size_t len, accepted = 0, refused = 0, invalid_keys = 0;
	char *text;
	vyjson *v;
	const vyjson *list;

	(void)state;
	vytest_init();
	text = vytest_read_file(vytest_source_path("specs/vectors/" VYVEC_ED25519_FILE), &len);
	v = vyjson_parse(text, len, err, sizeof err);
	free(text);
	if (v == NULL)
		fail_msg("ed25519 vectors do not parse: %s", err);
	list = member(v, "vectors");
	assert_true(vyjson_len(list) >= 1);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *e = vyjson_at(list, i);
		const char *msg = vyjson_string(member(e, "message")), *verdict = vyjson_string(member(e, "verify"));
		uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
		int ok, key_valid = member(e, "key_valid")->type == VYJSON_TRUE;

		assert_non_null(msg);
		assert_non_null(verdict);
		hex_exact(member(e, "public_key"), pk, sizeof pk);
		hex_exact(member(e, "signature"), sig, sizeof sig);
		ok = crypto_sign_verify_detached(sig, (const uint8_t *)msg, strlen(msg), pk) == 0;
		if (strcmp(verdict, ok ? "accept" : "refuse") != 0)
			fail_msg("ed25519 vector %s: libsodium says %s", vyjson_get_string(e, "name"),
				 ok ? "accept" : "refuse");
		assert_int_equal(crypto_core_ed25519_is_valid_point(pk), key_valid);
		accepted += ok;
		refused += !ok;
		invalid_keys += !key_valid;
	}
	assert_true(accepted >= 1 && refused >= 1 && invalid_keys >= 1);
	vyjson_free(v);
}

/* ---- 4b. the claims of §10.2 on every small-order point, against libsodium ---- */

#define ED_BYTES 32
#define ED_SMALL 8      /* points of order dividing 8: [j]T, j = 0..7 */
#define ED_GRIND 1024   /* messages tried to reach a residue of k mod 8 */

/* The vector file's key pair (public key, secret scalar mod L), R = [r]B
 * and r, and the torsion point T. */
typedef struct {
	uint8_t pk[ED_BYTES], a[ED_BYTES], R[ED_BYTES], r[ED_BYTES], T[ED_BYTES];
	uint8_t small[ED_SMALL][ED_BYTES]; /* enc([j]T) */
} ed_keys;

static void ed_keys_load(ed_keys *k)
{
	char err[256] = "";
	size_t len;
	char *text = vytest_read_file(vytest_source_path("specs/vectors/" VYVEC_ED25519_FILE), &len);
	vyjson *v = vyjson_parse(text, len, err, sizeof err);

	free(text);
	assert_non_null(v);
	hex_exact(member(v, "public_key"), k->pk, ED_BYTES);
	hex_exact(member(v, "secret_scalar"), k->a, ED_BYTES);
	hex_exact(member(v, "R"), k->R, ED_BYTES);
	hex_exact(member(v, "r"), k->r, ED_BYTES);
	hex_exact(member(v, "torsion_point"), k->T, ED_BYTES);
	vyjson_free(v);
	memset(k->small[0], 0, ED_BYTES);
	k->small[0][0] = 1;
	for (size_t j = 1; j < ED_SMALL; j++)
		assert_int_equal(crypto_core_ed25519_add(k->small[j], k->small[j - 1], k->T), 0);
	assert_int_equal(memcmp(k->small[1], k->T, ED_BYTES), 0);
}

/* The first message "vybar small order <n>" whose k = SHA-512(R || A || M)
 * mod L is congruent to want mod 8; k is returned little-endian. */
static void ed_grind(char msg[64], uint8_t k[ED_BYTES], const uint8_t R[ED_BYTES], const uint8_t A[ED_BYTES],
		     unsigned want)
{
	for (unsigned n = 0; n < ED_GRIND; n++) {
		crypto_hash_sha512_state st;
		uint8_t h[crypto_hash_sha512_BYTES];

		snprintf(msg, 64, "vybar small order %u", n);
		crypto_hash_sha512_init(&st);
		crypto_hash_sha512_update(&st, R, ED_BYTES);
		crypto_hash_sha512_update(&st, A, ED_BYTES);
		crypto_hash_sha512_update(&st, (const uint8_t *)msg, strlen(msg));
		crypto_hash_sha512_final(&st, h);
		crypto_core_ed25519_scalar_reduce(k, h);
		if ((k[0] & 7) == want)
			return;
	}
	fail_msg("no message with k = %u mod 8", want);
}

/* §10.2 step 2: for each of the 8 small-order points P_j = [j]T, a signature
 * with R = enc(P_j) whose equation [S]B = R + [k]A' holds (A' = A + T,
 * S = k * a, k = -j mod 8, so [S]B - [k]A' = -[k]T = P_j) is refused. */
static void test_ed25519_small_order_r(void **state)
{
	ed_keys k;
	uint8_t pk[ED_BYTES], sig[crypto_sign_BYTES], kk[ED_BYTES], sb[ED_BYTES], ka[ED_BYTES], rp[ED_BYTES];
	char msg[64];

	(void)state;
	vytest_init();
	ed_keys_load(&k);
	assert_int_equal(crypto_core_ed25519_add(pk, k.pk, k.T), 0);
	for (unsigned j = 0; j < ED_SMALL; j++) {
		memcpy(sig, k.small[j], ED_BYTES);
		ed_grind(msg, kk, sig, pk, (8 - j) % 8);
		crypto_core_ed25519_scalar_mul(sig + ED_BYTES, kk, k.a);
		/* the equation holds: [S]B - ([k]A + [k mod 8]T) = enc(P_j) */
		assert_int_equal(crypto_scalarmult_ed25519_base_noclamp(sb, sig + ED_BYTES), 0);
		assert_int_equal(crypto_scalarmult_ed25519_noclamp(ka, kk, k.pk), 0);
		for (unsigned i = 0; i < (kk[0] & 7u); i++)
			assert_int_equal(crypto_core_ed25519_add(ka, ka, k.T), 0);
		assert_int_equal(crypto_core_ed25519_sub(rp, sb, ka), 0);
		assert_memory_equal(rp, sig, ED_BYTES);
		assert_int_not_equal(crypto_sign_verify_detached(sig, (const uint8_t *)msg, strlen(msg), pk), 0);
	}
}

/* §10.2 step 4: a small-order key is refused even when the equation holds
 * (R = [r]B, S = r, 8 | k, so [k]A is the identity): each P_j, and the two
 * points with x = 0 written with the top bit set. */
static void test_ed25519_small_order_key(void **state)
{
	ed_keys k;
	uint8_t keys[ED_SMALL + 2][ED_BYTES], sig[crypto_sign_BYTES], kk[ED_BYTES];
	char msg[64];

	(void)state;
	vytest_init();
	ed_keys_load(&k);
	memcpy(keys, k.small, sizeof k.small);
	memcpy(keys[ED_SMALL], k.small[0], ED_BYTES);      /* the identity, top bit set */
	keys[ED_SMALL][ED_BYTES - 1] |= 0x80;
	memcpy(keys[ED_SMALL + 1], k.small[4], ED_BYTES);  /* (0, -1), top bit set */
	assert_int_equal(keys[ED_SMALL + 1][ED_BYTES - 1] & 0x80, 0);
	keys[ED_SMALL + 1][ED_BYTES - 1] |= 0x80;
	memcpy(sig, k.R, ED_BYTES);
	memcpy(sig + ED_BYTES, k.r, ED_BYTES);
	for (size_t j = 0; j < ED_SMALL + 2; j++) {
		ed_grind(msg, kk, sig, keys[j], 0);
		assert_int_not_equal(crypto_sign_verify_detached(sig, (const uint8_t *)msg, strlen(msg), keys[j]), 0);
		assert_int_equal(crypto_core_ed25519_is_valid_point(keys[j]), 0);
	}
}

/* ---- 5. the sealed credential file (specs/client.md §6.1) ---- */

#define CRED_MAGIC "VYBAR-CREDENTIAL/1\n"
#define CRED_FILE_MAX 4096

static void test_committed_credential(void **state)
{
	char *generated = NULL, *committed;
	size_t glen, clen;

	(void)state;
	vytest_init();
	assert_int_equal(vyvec_credential_generate(&generated, &glen), VY_OK);
	committed = vytest_read_file(vytest_source_path("specs/vectors/" VYVEC_CREDENTIAL_FILE), &clen);
	if (clen != glen || memcmp(committed, generated, glen) != 0)
		fail_with_first_difference(VYVEC_CREDENTIAL_FILE, committed, clen, generated, glen);
	free(committed);
	free(generated);
}

/* The member key (hex) into a malloc'd buffer; its length in *n. */
static uint8_t *hex_alloc(const vyjson *o, const char *key, size_t *n)
{
	const char *hex = vyjson_string(member(o, key));
	uint8_t *b;

	assert_non_null(hex);
	*n = strlen(hex) / 2;
	b = malloc(*n + 1);
	assert_non_null(b);
	assert_int_equal(vytest_unhex(b, *n, hex), (long)*n);
	return b;
}

/* vy_unseal of file (len bytes) with pass: its code; the plaintext into plain. */
static vy_rc unseal(uint8_t *plain, size_t *n, const uint8_t *file, size_t len, const char *pass)
{
	vy_reason why;

	return vy_unseal(plain, n, CRED_FILE_MAX, CRED_MAGIC, file, len, pass, &why);
}

static void test_credential_opens(void **state)
{
	char err[256] = "";
	uint8_t plain[CRED_FILE_MAX], key[32], want_key[32], salt[16], *file, *want, *bad;
	size_t len, n, wn;
	char *text;
	vyjson *v;
	Vybar__CredentialFile *f;
	vy_sealer s;
	vy_reason why;

	(void)state;
	vytest_init();
	text = vytest_read_file(vytest_source_path("specs/vectors/" VYVEC_CREDENTIAL_FILE), &len);
	v = vyjson_parse(text, len, err, sizeof err);
	free(text);
	if (v == NULL)
		fail_msg("credential vector does not parse: %s", err);
	file = hex_alloc(v, "file", &len);
	want = hex_alloc(v, "plaintext", &wn);
	/* the key the spec derives */
	hex_exact(member(v, "salt"), salt, sizeof salt);
	hex_exact(member(v, "key"), want_key, sizeof want_key);
	assert_int_equal(crypto_pwhash(key, sizeof key, VYVEC_CREDENTIAL_PASSPHRASE,
				       strlen(VYVEC_CREDENTIAL_PASSPHRASE), salt, crypto_pwhash_OPSLIMIT_MODERATE,
				       crypto_pwhash_MEMLIMIT_MODERATE, crypto_pwhash_ALG_ARGON2ID13), 0);
	assert_memory_equal(key, want_key, sizeof key);
	/* the library opens it to the plaintext, a CredentialFile of the fields */
	assert_int_equal(unseal(plain, &n, file, len, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_OK);
	assert_int_equal(n, wn);
	assert_memory_equal(plain, want, wn);
	f = vybar__credential_file__unpack(NULL, n, plain);
	assert_non_null(f);
	{
		uint8_t seed[32];

		hex_exact(member(v, "secret_seed"), seed, sizeof seed);
		assert_int_equal(f->secret_seed.len, sizeof seed);
		assert_memory_equal(f->secret_seed.data, seed, sizeof seed);
	}
	vybar__credential_file__free_unpacked(f, NULL);
	/* refusals: a wrong passphrase; any byte of the header or ciphertext changed */
	assert_int_equal(unseal(plain, &n, file, len, "correct horse battery stapler"), VY_R_KEY);
	bad = malloc(len);
	assert_non_null(bad);
	{
		/* a salt byte, a nonce byte, the last ciphertext byte: AEAD or key fail */
		const size_t at[] = { 19 + 17, 19 + 17 + 16, len - 1 };

		for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
			memcpy(bad, file, len);
			bad[at[i]] ^= 1;
			assert_int_equal(unseal(plain, &n, bad, len, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_KEY);
		}
	}
	memcpy(bad, file, len);
	bad[0] ^= 1; /* another magic */
	assert_int_equal(unseal(plain, &n, bad, len, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_FIELD);
	memcpy(bad, file, len);
	bad[19 + 7] = 1; /* opslimit 1, below MODERATE */
	assert_int_equal(unseal(plain, &n, bad, len, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_FIELD);
	memcpy(bad, file, len);
	bad[19 + 16] = 2; /* an unknown algorithm */
	assert_int_equal(unseal(plain, &n, bad, len, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_FIELD);
	assert_int_equal(unseal(plain, &n, file, len - 1, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_FIELD); /* truncated */
	/* the library's own sealing of the same plaintext opens the same way */
	assert_int_equal(vy_sealer_init(&s, VYVEC_CREDENTIAL_PASSPHRASE, &why), VY_R_OK);
	assert_int_equal(vy_sealer_seal(&s, bad, CRED_MAGIC, want, wn, &why), VY_R_OK);
	vy_sealer_wipe(&s);
	assert_null(s.key);
	assert_memory_not_equal(bad + 19 + 17, file + 19 + 17, 16); /* a fresh salt */
	assert_int_equal(unseal(plain, &n, bad, len, VYVEC_CREDENTIAL_PASSPHRASE), VY_R_OK);
	assert_int_equal(n, wn);
	assert_memory_equal(plain, want, wn);
	free(bad);
	free(file);
	free(want);
	vyjson_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_committed_ristretto255),
		cmocka_unit_test(test_committed_modp4096),
		cmocka_unit_test(test_proofs_ristretto255),
		cmocka_unit_test(test_proofs_modp4096),
		cmocka_unit_test(test_values_ristretto255),
		cmocka_unit_test(test_values_modp4096),
		cmocka_unit_test(test_committed_ed25519),
		cmocka_unit_test(test_ed25519_verdicts),
		cmocka_unit_test(test_committed_credential),
		cmocka_unit_test(test_credential_opens),
		cmocka_unit_test(test_ed25519_small_order_r),
		cmocka_unit_test(test_ed25519_small_order_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
