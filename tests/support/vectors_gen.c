/*
 * The generator of specs/vectors/crypto-<group>.json (specs/crypto.md §8).
 *
 * Every value that would be random is D(label) = from_wide(SHA-512(
 * "vybar test vector " || label)) (§8.2), so the output depends on nothing
 * but the code. The JSON layout is exactly Python's json.dumps(v, indent=2)
 * followed by a newline (§8.3), which the independent checker
 * specs/tools/check_crypto_vectors.py also verifies.
 *
 * Besides writing values, the generator cross-checks what it can: every
 * proof verifies through the public verification functions, the group hash
 * recomputed from the written constants matches the library's, and so on.
 * A disagreement fails the generation rather than producing a file.
 */
#include "tests/support/vectors_gen.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/proof_impl.h"
#include "crypto/vy_elgamal.h"
#include "crypto/vy_hash.h"
#include "crypto/vy_shamir.h"
#include "protocol/vy_protocol.h"
#include "tests/support/json_writer.h"

const vy_group_id vyvec_groups[VYVEC_GROUP_COUNT] = { VY_GROUP_RISTRETTO255, VY_GROUP_MODP4096 };

#define SPECIFICATION "specs/crypto.md"

/* Sizes of the generator's fixed tables. */
#define MAX_LABELS 96
#define LABEL_BYTES 48
#define MAX_BRANCHES 8    /* largest range in the vectors: [2, 5] */
#define MAX_SUM_CTS 4     /* largest sum in the vectors: 3 ciphertexts */
#define FELDMAN_T 3       /* §8.3: the Feldman polynomial has t = 3 */
#define FELDMAN_N 5       /* shares for i = 1..5 */
#define U64_BYTES 8

/* ---- the constants written into "group" (§2.4), checked against the library ---- */

typedef struct {
	vy_group_id id;
	const char *p_hex; /* P of §2.4: big-endian, elem_bytes bytes */
	const char *q_hex; /* Q of §2.4: big-endian, 32 bytes */
} group_consts;

/* ristretto255: the field prime 2^255 - 19 and l (specs/crypto.md §2.1).
 * modp4096: the ElectionGuard 2.0 constants, design specification section
 * 3.1.1, as copied into specs/crypto.md §2.2. */
static const group_consts consts[] = {
	{ VY_GROUP_RISTRETTO255, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed",
	  "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed" },
	{ VY_GROUP_MODP4096,
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	  "b17217f7d1cf79abc9e3b39803f2f6af40f343267298b62d8a0d175b8baafa2b"
	  "e7b876206debac98559552fb4afa1b10ed2eae35c138214427573b291169b825"
	  "3e96ca16224ae8c51acbda11317c387eb9ea9bc3b136603b256fa0ec7657f74b"
	  "72ce87b19d6548caf5dfa6bd38303248655fa1872f20e3a2da2d97c50f3fd5c6"
	  "07f4ca11fb5bfb90610d30f88fe551a2ee569d6dfc1efa157d2e23de1400b396"
	  "17460775db8990e5c943e732b479cd33cccc4e659393514c4c1a1e0bd1d6095d"
	  "25669b333564a3376a9c7f8a5e148e82074db6015cfe7aa30c480a5417350d2c"
	  "955d5179b1e17b9dae313cdb6c606cb1078f735d1b2db31b5f50b5185064c18b"
	  "4d162db3b365853d7598a1951ae273ee5570b6c68f96983496d4e6d330af889b"
	  "44a02554731cdc8ea17293d1228a4ef98d6f5177fbcf0755268a5c1f9538b982"
	  "61affd446b1ca3cf5e9222b88c66d3c5422183edc99421090bbb16faf3d949f2"
	  "36e02b20cee886b905c128d53d0bd2f9621363196af503020060e49908391a0c"
	  "57339ba2beba7d052ac5b61cc4e9207cef2f0ce2d7373958d762265890445744"
	  "fb5f2da4b751005892d356890defe9cad9b9d4b713e06162a2d8fdd0df2fd608"
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff43" },
};

/* ---- generator state ---- */

typedef struct {
	const vy_group *g;
	const group_consts *k;
	size_t eb; /* element encoding length */
	vyjw w;
	vy_proof_ctx pc;
	vy_err err; /* the first failure, VY_OK while all is well */
	size_t n_labels;
	char labels[MAX_LABELS][LABEL_BYTES];
	vy_scalar derived[MAX_LABELS];
	vy_scalar sk; /* the ElGamal key of §8.3 "elgamal", reused by range and sum */
	vy_elem pk;
	vy_scalar coeffs[FELDMAN_T];
	vy_scalar shares[FELDMAN_N + 1]; /* shares[i] = f(i), i = 1..FELDMAN_N */
} gen;

/* Record the first failure; later ones keep the first code. */
static void fail(gen *s, vy_err err)
{
	if (s->err == VY_OK)
		s->err = err;
}

/* A cross-check: a false condition fails the generation. */
static void expect(gen *s, int cond)
{
	if (!cond)
		fail(s, VY_ERR_LIB);
}

/* A library call that must succeed. */
static void expect_ok(gen *s, vy_err err)
{
	if (err != VY_OK)
		fail(s, err);
}

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex) / 2;

	if (n > cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned int byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return 0;
		out[i] = (uint8_t)byte;
	}
	return n;
}

/* 1 if the group's scalar encoding is little-endian (ristretto255), 0 if big-endian. */
static int scalar_is_le(const vy_group *g)
{
	uint8_t enc[VY_SCALAR_BYTES];
	vy_scalar one;

	vy_scalar_from_u64(g, &one, 1);
	vy_scalar_encode(g, enc, &one);
	return enc[0] == 1;
}

/* The scalar whose 32-byte big-endian value is be (which must be < q). */
static void scalar_from_be(gen *s, vy_scalar *out, const uint8_t be[VY_SCALAR_BYTES])
{
	uint8_t enc[VY_SCALAR_BYTES];

	for (size_t i = 0; i < VY_SCALAR_BYTES; i++)
		enc[i] = scalar_is_le(s->g) ? be[VY_SCALAR_BYTES - 1 - i] : be[i];
	expect_ok(s, vy_scalar_decode(s->g, out, enc, sizeof enc));
}

/* §8.2: *out = D(label), and the label is recorded for "derived_scalars". */
__attribute__((format(printf, 3, 4))) static void derive(gen *s, vy_scalar *out, const char *fmt, ...)
{
	crypto_hash_sha512_state st;
	uint8_t digest[crypto_hash_sha512_BYTES];
	char label[LABEL_BYTES];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(label, sizeof label, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof label || s->n_labels == MAX_LABELS) {
		fail(s, VY_ERR_ARG);
		memset(out, 0, sizeof *out);
		return;
	}
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, (const uint8_t *)VYVEC_LABEL_PREFIX, strlen(VYVEC_LABEL_PREFIX));
	crypto_hash_sha512_update(&st, (const uint8_t *)label, (size_t)n);
	crypto_hash_sha512_final(&st, digest);
	vy_scalar_from_wide(s->g, out, digest);
	for (size_t i = 0; i < s->n_labels; i++)
		expect(s, strcmp(s->labels[i], label) != 0);
	memcpy(s->labels[s->n_labels], label, (size_t)n + 1);
	s->derived[s->n_labels++] = *out;
}

static void put_elem(gen *s, const char *key, const vy_elem *e)
{
	uint8_t b[VY_ELEM_MAX_BYTES];

	vy_elem_encode(s->g, b, e);
	vyjw_hex(&s->w, key, b, s->eb);
}

static void put_scalar(gen *s, const char *key, const vy_scalar *x)
{
	uint8_t b[VY_SCALAR_BYTES];

	vy_scalar_encode(s->g, b, x);
	vyjw_hex(&s->w, key, b, sizeof b);
}

static void put_ciphertext(gen *s, const vy_ciphertext *ct)
{
	put_elem(s, "alpha", &ct->alpha);
	put_elem(s, "beta", &ct->beta);
}

/* g^m for a small integer m. */
static void g_to(gen *s, vy_elem *out, uint64_t m)
{
	vy_scalar ms;

	vy_scalar_from_u64(s->g, &ms, m);
	vy_elem_exp_base(s->g, out, &ms);
}

/* ---- §8.3 sections, in file order ---- */

/* "group": name, P, Q, enc(g) and the group hash (§2.4), recomputed here
 * from the written constants and compared with the library's. */
static void section_group(gen *s)
{
	uint8_t p[VY_ELEM_MAX_BYTES], q[VY_SCALAR_BYTES], h[VY_HASH_BYTES], genb[VY_ELEM_MAX_BYTES];
	size_t p_len = unhex(p, sizeof p, s->k->p_hex);
	size_t q_len = unhex(q, sizeof q, s->k->q_hex);
	vy_elem gen_e;
	vy_hasher hs;

	expect(s, p_len == s->eb && q_len == VY_SCALAR_BYTES);
	vy_elem_generator(s->g, &gen_e);
	vy_elem_encode(s->g, genb, &gen_e);
	vy_hasher_init(&hs, VY_TAG_GROUP);
	vy_hasher_item(&hs, (const uint8_t *)vy_group_name(s->g), strlen(vy_group_name(s->g)));
	vy_hasher_item(&hs, p, p_len);
	vy_hasher_item(&hs, q, q_len);
	vy_hasher_item(&hs, genb, s->eb);
	vy_hasher_final(&hs, h);
	expect(s, memcmp(h, vy_group_hash(s->g), VY_HASH_BYTES) == 0);

	vyjw_open(&s->w, "group", "{");
	vyjw_string(&s->w, "name", vy_group_name(s->g));
	vyjw_hex(&s->w, "p", p, p_len);
	vyjw_hex(&s->w, "q", q, q_len);
	put_elem(s, "generator", &gen_e);
	vyjw_hex(&s->w, "group_hash", vy_group_hash(s->g), VY_HASH_BYTES);
	vyjw_close(&s->w, "}");
}

/* "base_hash" and "ctx" (§8.2), also installed in the proof context. */
static void section_context(gen *s)
{
	crypto_hash_sha256(s->pc.base_hash, (const uint8_t *)VYVEC_BASE_HASH_INPUT, strlen(VYVEC_BASE_HASH_INPUT));
	s->pc.group = s->g;
	s->pc.ctx = (const uint8_t *)VYVEC_CTX;
	s->pc.ctx_len = strlen(VYVEC_CTX);
	vyjw_hex(&s->w, "base_hash", s->pc.base_hash, VY_HASH_BYTES);
	vyjw_hex(&s->w, "ctx", s->pc.ctx, s->pc.ctx_len);
}

/* One multiple g^k, computed as exp_base and as exp of the generator. */
static void put_multiple(gen *s, const vy_scalar *k)
{
	vy_elem a, b, gen_e;

	vy_elem_exp_base(s->g, &a, k);
	vy_elem_generator(s->g, &gen_e);
	vy_elem_exp(s->g, &b, &gen_e, k);
	expect(s, vy_elem_eq(s->g, &a, &b));
	vyjw_open(&s->w, NULL, "{");
	put_scalar(s, "k", k);
	put_elem(s, "element", &a);
	vyjw_close(&s->w, "}");
}

/* "generator_multiples": small k (0..3, and 15 for ristretto255, as in
 * RFC 9496 A.1), q - 1, and a derived k. */
static void section_multiples(gen *s)
{
	static const uint64_t small[] = { 0, 1, 2, 3, 15 };
	size_t n_small = vy_group_get_id(s->g) == VY_GROUP_RISTRETTO255 ? 5 : 3;
	vy_scalar k, one;

	vyjw_open(&s->w, "generator_multiples", "[");
	for (size_t i = 0; i < n_small; i++) {
		vy_scalar_from_u64(s->g, &k, small[i]);
		put_multiple(s, &k);
	}
	vy_scalar_from_u64(s->g, &one, 1);
	vy_scalar_neg(s->g, &k, &one);
	put_multiple(s, &k);
	derive(s, &k, "multiple/k");
	put_multiple(s, &k);
	vyjw_close(&s->w, "]");
}

/* "from_wide": 64 bytes of ff, and the integer 1 on 64 bytes. */
static void section_from_wide(gen *s)
{
	uint8_t in[64];
	vy_scalar out, one;

	vyjw_open(&s->w, "from_wide", "[");
	memset(in, 0xff, sizeof in);
	vy_scalar_from_wide(s->g, &out, in);
	vyjw_open(&s->w, NULL, "{");
	vyjw_hex(&s->w, "input", in, sizeof in);
	put_scalar(s, "scalar", &out);
	vyjw_close(&s->w, "}");

	memset(in, 0, sizeof in);
	in[63] = 1;
	vy_scalar_from_wide(s->g, &out, in);
	vy_scalar_from_u64(s->g, &one, 1);
	expect(s, vy_scalar_eq(s->g, &out, &one));
	vyjw_open(&s->w, NULL, "{");
	vyjw_hex(&s->w, "input", in, sizeof in);
	put_scalar(s, "scalar", &out);
	vyjw_close(&s->w, "}");
	vyjw_close(&s->w, "]");
}

/* One "scalar_arithmetic" sample, with the identities (a + b) - b = a and
 * a * a^-1 = 1 checked. */
static void put_arith(gen *s, const vy_scalar *a, const vy_scalar *b)
{
	vy_scalar sum, diff, prod, neg, inv, t, one;

	vy_scalar_add(s->g, &sum, a, b);
	vy_scalar_sub(s->g, &diff, a, b);
	vy_scalar_mul(s->g, &prod, a, b);
	vy_scalar_neg(s->g, &neg, a);
	expect_ok(s, vy_scalar_inv(s->g, &inv, a));
	vy_scalar_sub(s->g, &t, &sum, b);
	expect(s, vy_scalar_eq(s->g, &t, a));
	vy_scalar_mul(s->g, &t, a, &inv);
	vy_scalar_from_u64(s->g, &one, 1);
	expect(s, vy_scalar_eq(s->g, &t, &one));

	vyjw_open(&s->w, NULL, "{");
	put_scalar(s, "a", a);
	put_scalar(s, "b", b);
	put_scalar(s, "sum", &sum);
	put_scalar(s, "difference", &diff);
	put_scalar(s, "product", &prod);
	put_scalar(s, "negation", &neg);
	put_scalar(s, "inverse", &inv);
	vyjw_close(&s->w, "}");
}

/* "scalar_arithmetic": derived a, b; and q - 1, 2 (wrap-around). */
static void section_arith(gen *s)
{
	uint8_t qm1[VY_SCALAR_BYTES];
	vy_scalar a, b;

	vyjw_open(&s->w, "scalar_arithmetic", "[");
	derive(s, &a, "arith/a");
	derive(s, &b, "arith/b");
	put_arith(s, &a, &b);
	unhex(qm1, sizeof qm1, s->k->q_hex);
	qm1[VY_SCALAR_BYTES - 1]--; /* q is odd: no borrow */
	scalar_from_be(s, &a, qm1);
	vy_scalar_from_u64(s->g, &b, 2);
	put_arith(s, &a, &b);
	vyjw_close(&s->w, "]");
}

/* A "hash_to_scalar" sample. */
typedef struct {
	const char *tag;
	const uint8_t *base_hash;
	const uint8_t *ctx;
	size_t ctx_len;
	size_t n_items;
	const uint8_t *items[4];
	size_t lens[4];
} h2s_sample;

/* SHA-512 of the §3.1 transcript, computed here item by item. */
static void sha512_item(crypto_hash_sha512_state *st, const uint8_t *b, size_t n)
{
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	crypto_hash_sha512_update(st, len, sizeof len);
	if (n != 0)
		crypto_hash_sha512_update(st, b, n);
}

/* One sample: the digest computed here, the challenge by vy_transcript, and
 * from_wide(digest) == challenge checked. */
static void put_h2s(gen *s, const h2s_sample *x)
{
	crypto_hash_sha512_state st;
	uint8_t digest[crypto_hash_sha512_BYTES];
	vy_transcript t;
	vy_scalar c, c2;

	crypto_hash_sha512_init(&st);
	sha512_item(&st, (const uint8_t *)x->tag, strlen(x->tag));
	sha512_item(&st, vy_group_hash(s->g), VY_HASH_BYTES);
	sha512_item(&st, x->base_hash, VY_HASH_BYTES);
	sha512_item(&st, x->ctx, x->ctx_len);
	vy_transcript_init(&t, s->g, x->tag, x->base_hash, x->ctx, x->ctx_len);
	for (size_t i = 0; i < x->n_items; i++) {
		sha512_item(&st, x->items[i], x->lens[i]);
		vy_transcript_bytes(&t, x->items[i], x->lens[i]);
	}
	crypto_hash_sha512_final(&st, digest);
	vy_transcript_challenge(&t, &c);
	vy_scalar_from_wide(s->g, &c2, digest);
	expect(s, vy_scalar_eq(s->g, &c, &c2));

	vyjw_open(&s->w, NULL, "{");
	vyjw_string(&s->w, "tag", x->tag);
	vyjw_hex(&s->w, "base_hash", x->base_hash, VY_HASH_BYTES);
	vyjw_hex(&s->w, "ctx", x->ctx, x->ctx_len);
	vyjw_open(&s->w, "items", "[");
	for (size_t i = 0; i < x->n_items; i++)
		vyjw_hex(&s->w, NULL, x->items[i], x->lens[i]);
	vyjw_close(&s->w, "]");
	vyjw_hex(&s->w, "digest", digest, sizeof digest);
	put_scalar(s, "challenge", &c);
	vyjw_close(&s->w, "}");
}

/* "hash_to_scalar": no ctx and no items; the proofs' ctx with an empty
 * item, a zero byte, "abc" and u64be(5); a zero base hash with enc(g). */
static void section_hash(gen *s)
{
	static const uint8_t zero_hash[VY_HASH_BYTES];
	static const uint8_t one_zero[1] = { 0 };
	static const uint8_t abc[3] = { 'a', 'b', 'c' };
	static const uint8_t five[U64_BYTES] = { 0, 0, 0, 0, 0, 0, 0, 5 };
	static const uint8_t short_ctx[2] = { 0, 1 };
	uint8_t genb[VY_ELEM_MAX_BYTES];
	vy_elem gen_e;
	h2s_sample x;

	vyjw_open(&s->w, "hash_to_scalar", "[");
	x = (h2s_sample){ .tag = VY_TAG_SCHNORR, .base_hash = s->pc.base_hash, .ctx = NULL, .ctx_len = 0 };
	put_h2s(s, &x);
	x = (h2s_sample){ .tag = VY_TAG_RANGE, .base_hash = s->pc.base_hash, .ctx = s->pc.ctx,
			  .ctx_len = s->pc.ctx_len, .n_items = 4,
			  .items = { one_zero, one_zero, abc, five }, .lens = { 0, 1, 3, U64_BYTES } };
	put_h2s(s, &x);
	vy_elem_generator(s->g, &gen_e);
	vy_elem_encode(s->g, genb, &gen_e);
	x = (h2s_sample){ .tag = VY_TAG_CHAUM_PEDERSEN, .base_hash = zero_hash, .ctx = short_ctx,
			  .ctx_len = sizeof short_ctx, .n_items = 1, .items = { genb }, .lens = { s->eb } };
	put_h2s(s, &x);
	vyjw_close(&s->w, "]");
}

/* "elgamal": the key, ciphertexts of 3, 0 and 4, and their sum. */
static void section_elgamal(gen *s)
{
	static const uint64_t ms[] = { 3, 0, 4 };
	vy_ciphertext ct, sum;
	vy_elem gm, want;
	vy_scalar r;
	uint64_t total = 0;

	derive(s, &s->sk, "elgamal/sk");
	expect(s, !vy_scalar_is_zero(s->g, &s->sk));
	vy_elem_exp_base(s->g, &s->pk, &s->sk);
	vyjw_open(&s->w, "elgamal", "{");
	put_scalar(s, "sk", &s->sk);
	put_elem(s, "pk", &s->pk);
	vyjw_open(&s->w, "ciphertexts", "[");
	vy_elgamal_zero(s->g, &sum);
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		derive(s, &r, "elgamal/r/%zu", i);
		vy_elgamal_encrypt(s->g, &ct, &s->pk, ms[i], &r);
		vy_elgamal_decrypt(s->g, &gm, &ct, &s->sk);
		g_to(s, &want, ms[i]);
		expect(s, vy_elem_eq(s->g, &gm, &want));
		vy_elgamal_add(s->g, &sum, &sum, &ct);
		total += ms[i];
		vyjw_open(&s->w, NULL, "{");
		vyjw_u64(&s->w, "m", ms[i]);
		put_scalar(s, "r", &r);
		put_ciphertext(s, &ct);
		put_elem(s, "decryption", &gm);
		vyjw_close(&s->w, "}");
	}
	vyjw_close(&s->w, "]");
	vy_elgamal_decrypt(s->g, &gm, &sum, &s->sk);
	g_to(s, &want, total);
	expect(s, vy_elem_eq(s->g, &gm, &want));
	vyjw_open(&s->w, "sum", "{");
	put_ciphertext(s, &sum);
	put_elem(s, "decryption", &gm);
	vyjw_close(&s->w, "}");
	vyjw_close(&s->w, "}");
}

/* "schnorr" (§5.1). */
static void section_schnorr(gen *s)
{
	vy_scalar x, u;
	vy_elem X, h;
	vy_schnorr_proof p;

	derive(s, &x, "schnorr/x");
	derive(s, &u, "schnorr/u");
	vy_elem_exp_base(s->g, &X, &x);
	vy_elem_exp_base(s->g, &h, &u);
	expect_ok(s, vy_schnorr_prove_det(&s->pc, &p, &X, &x, &u));
	expect_ok(s, vy_schnorr_verify(&s->pc, &p, &X));
	vyjw_open(&s->w, "schnorr", "{");
	put_scalar(s, "x", &x);
	put_elem(s, "X", &X);
	put_scalar(s, "u", &u);
	put_elem(s, "h", &h);
	put_scalar(s, "c", &p.c);
	put_scalar(s, "v", &p.v);
	vyjw_close(&s->w, "}");
}

/* "chaum_pedersen" (§5.2): g1 = g, g2 = g^w. */
static void section_cp(gen *s)
{
	vy_scalar x, w, u;
	vy_elem g1, h1, g2, h2, a, b;
	vy_cp_proof p;

	derive(s, &x, "cp/x");
	derive(s, &w, "cp/w");
	derive(s, &u, "cp/u");
	vy_elem_generator(s->g, &g1);
	vy_elem_exp_base(s->g, &g2, &w);
	vy_elem_exp(s->g, &h1, &g1, &x);
	vy_elem_exp(s->g, &h2, &g2, &x);
	vy_elem_exp(s->g, &a, &g1, &u);
	vy_elem_exp(s->g, &b, &g2, &u);
	expect_ok(s, vy_cp_prove_det(&s->pc, &p, &g1, &h1, &g2, &h2, &x, &u));
	expect_ok(s, vy_cp_verify(&s->pc, &p, &g1, &h1, &g2, &h2));
	vyjw_open(&s->w, "chaum_pedersen", "{");
	put_scalar(s, "x", &x);
	put_scalar(s, "w", &w);
	put_elem(s, "g1", &g1);
	put_elem(s, "h1", &h1);
	put_elem(s, "g2", &g2);
	put_elem(s, "h2", &h2);
	put_scalar(s, "u", &u);
	put_elem(s, "a", &a);
	put_elem(s, "b", &b);
	put_scalar(s, "c", &p.c);
	put_scalar(s, "v", &p.v);
	vyjw_close(&s->w, "}");
}

/* The inputs and outputs of one disjunctive proof (§5.3, §5.4). */
typedef struct {
	const char *name;
	uint64_t lo, hi, m;
	size_t n;
	vy_ciphertext ct; /* the ciphertext (range) or the product (sum) */
	vy_scalar r, u;
	vy_scalar sim_c[MAX_BRANCHES], sim_v[MAX_BRANCHES];
	vy_scalar c[MAX_BRANCHES], v[MAX_BRANCHES];
} disj;

/* u and the simulated values of §8.2 (zero, and unused, at the true branch). */
static void derive_nonces(gen *s, disj *d)
{
	derive(s, &d->u, "%s/u", d->name);
	for (size_t i = 0; i < d->n; i++) {
		uint64_t j = d->lo + i;

		memset(&d->sim_c[i], 0, sizeof d->sim_c[i]);
		memset(&d->sim_v[i], 0, sizeof d->sim_v[i]);
		if (j == d->m)
			continue;
		derive(s, &d->sim_c[i], "%s/c/%" PRIu64, d->name, j);
		derive(s, &d->sim_v[i], "%s/v/%" PRIu64, d->name, j);
	}
}

/* "u" through "v" of a range or sum vector. The commitments are recomputed
 * from the proof by vy_range_branch_commit; at the true branch they must be
 * (g^u, pk^u), and the challenge is the sum of the branch challenges. */
static void put_disjunction(gen *s, const disj *d)
{
	vy_elem a, b, gu, pku;
	vy_scalar sum;

	put_scalar(s, "u", &d->u);
	vyjw_open(&s->w, "simulated_c", "[");
	for (size_t i = 0; i < d->n; i++) {
		if (d->lo + i == d->m)
			vyjw_literal(&s->w, NULL, "null");
		else
			put_scalar(s, NULL, &d->sim_c[i]);
	}
	vyjw_close(&s->w, "]");
	vyjw_open(&s->w, "simulated_v", "[");
	for (size_t i = 0; i < d->n; i++) {
		if (d->lo + i == d->m)
			vyjw_literal(&s->w, NULL, "null");
		else
			put_scalar(s, NULL, &d->sim_v[i]);
	}
	vyjw_close(&s->w, "]");
	vy_elem_exp_base(s->g, &gu, &d->u);
	vy_elem_exp(s->g, &pku, &s->pk, &d->u);
	vy_scalar_from_u64(s->g, &sum, 0);
	vyjw_open(&s->w, "commitments", "[");
	for (size_t i = 0; i < d->n; i++) {
		vy_range_branch_commit(s->g, &a, &b, &s->pk, &d->ct, d->lo + i, &d->c[i], &d->v[i]);
		if (d->lo + i == d->m)
			expect(s, vy_elem_eq(s->g, &a, &gu) && vy_elem_eq(s->g, &b, &pku));
		else
			expect(s, vy_scalar_eq(s->g, &d->c[i], &d->sim_c[i]) &&
					  vy_scalar_eq(s->g, &d->v[i], &d->sim_v[i]));
		vy_scalar_add(s->g, &sum, &sum, &d->c[i]);
		vyjw_open(&s->w, NULL, "{");
		put_elem(s, "a", &a);
		put_elem(s, "b", &b);
		vyjw_close(&s->w, "}");
	}
	vyjw_close(&s->w, "]");
	put_scalar(s, "challenge", &sum);
	vyjw_open(&s->w, "c", "[");
	for (size_t i = 0; i < d->n; i++)
		put_scalar(s, NULL, &d->c[i]);
	vyjw_close(&s->w, "]");
	vyjw_open(&s->w, "v", "[");
	for (size_t i = 0; i < d->n; i++)
		put_scalar(s, NULL, &d->v[i]);
	vyjw_close(&s->w, "]");
}

/* One "range" vector (§5.3) under the ElGamal key. */
static void put_range(gen *s, const char *name, uint64_t lo, uint64_t hi, uint64_t m)
{
	disj d;

	memset(&d, 0, sizeof d);
	d.name = name;
	d.lo = lo;
	d.hi = hi;
	d.m = m;
	d.n = (size_t)(hi - lo + 1);
	expect(s, d.n <= MAX_BRANCHES);
	if (s->err != VY_OK)
		return;
	derive(s, &d.r, "%s/r", name);
	vy_elgamal_encrypt(s->g, &d.ct, &s->pk, m, &d.r);
	derive_nonces(s, &d);
	expect_ok(s, vy_range_prove_det(&s->pc, d.c, d.v, d.n, &s->pk, &d.ct, lo, hi, m, &d.r, &d.u, d.sim_c,
					d.sim_v));
	expect_ok(s, vy_range_verify(&s->pc, d.c, d.v, d.n, &s->pk, &d.ct, lo, hi));

	vyjw_open(&s->w, NULL, "{");
	vyjw_string(&s->w, "name", name);
	vyjw_u64(&s->w, "lo", lo);
	vyjw_u64(&s->w, "hi", hi);
	vyjw_u64(&s->w, "m", m);
	put_elem(s, "pk", &s->pk);
	put_scalar(s, "r", &d.r);
	put_ciphertext(s, &d.ct);
	put_disjunction(s, &d);
	vyjw_close(&s->w, "}");
}

/* "range": the 0/1 proof with m = 0 and m = 1, and [2, 5] with m = 4. */
static void section_ranges(gen *s)
{
	vyjw_open(&s->w, "range", "[");
	put_range(s, "range-0-1-m0", 0, 1, 0);
	put_range(s, "range-0-1-m1", 0, 1, 1);
	put_range(s, "range-2-5-m4", 2, 5, 4);
	vyjw_close(&s->w, "]");
}

/* One "sum" vector (§5.4): count ciphertexts of ms[] under the ElGamal key. */
static void put_sum(gen *s, const char *name, uint64_t lo, uint64_t hi, const uint64_t *ms, size_t count)
{
	vy_ciphertext cts[MAX_SUM_CTS];
	vy_scalar rs[MAX_SUM_CTS];
	disj d;

	memset(&d, 0, sizeof d);
	d.name = name;
	d.lo = lo;
	d.hi = hi;
	d.n = (size_t)(hi - lo + 1);
	expect(s, d.n <= MAX_BRANCHES && count <= MAX_SUM_CTS);
	if (s->err != VY_OK)
		return;
	vy_elgamal_zero(s->g, &d.ct);
	vy_scalar_from_u64(s->g, &d.r, 0);
	for (size_t i = 0; i < count; i++) {
		derive(s, &rs[i], "%s/r/%zu", name, i);
		vy_elgamal_encrypt(s->g, &cts[i], &s->pk, ms[i], &rs[i]);
		vy_elgamal_add(s->g, &d.ct, &d.ct, &cts[i]);
		vy_scalar_add(s->g, &d.r, &d.r, &rs[i]);
		d.m += ms[i];
	}
	derive_nonces(s, &d);
	expect_ok(s, vy_sum_prove_det(&s->pc, d.c, d.v, d.n, &s->pk, cts, count, lo, hi, d.m, &d.r, &d.u,
				      d.sim_c, d.sim_v));
	expect_ok(s, vy_sum_verify(&s->pc, d.c, d.v, d.n, &s->pk, cts, count, lo, hi));

	vyjw_open(&s->w, NULL, "{");
	vyjw_string(&s->w, "name", name);
	vyjw_u64(&s->w, "lo", lo);
	vyjw_u64(&s->w, "hi", hi);
	put_elem(s, "pk", &s->pk);
	vyjw_open(&s->w, "ciphertexts", "[");
	for (size_t i = 0; i < count; i++) {
		vyjw_open(&s->w, NULL, "{");
		vyjw_u64(&s->w, "m", ms[i]);
		put_scalar(s, "r", &rs[i]);
		put_ciphertext(s, &cts[i]);
		vyjw_close(&s->w, "}");
	}
	vyjw_close(&s->w, "]");
	vyjw_u64(&s->w, "m_sum", d.m);
	put_scalar(s, "r_sum", &d.r);
	put_elem(s, "A", &d.ct.alpha);
	put_elem(s, "B", &d.ct.beta);
	put_disjunction(s, &d);
	vyjw_close(&s->w, "}");
}

/* "sum": exactly one of three selected ([1, 1]); for ristretto255 also at
 * most one of three ([0, 1]), which has a simulated branch. */
static void section_sums(gen *s)
{
	static const uint64_t one_of_three[] = { 0, 1, 0 };
	static const uint64_t at_most_one[] = { 0, 0, 1 };

	vyjw_open(&s->w, "sum", "[");
	put_sum(s, "sum-1-of-3", 1, 1, one_of_three, 3);
	if (vy_group_get_id(s->g) == VY_GROUP_RISTRETTO255)
		put_sum(s, "sum-0-1-of-3", 0, 1, at_most_one, 3);
	vyjw_close(&s->w, "]");
}

/* "feldman" (§6): t = 3, shares for i = 1..5, each checked with
 * vy_feldman_verify_share and against g^share. */
static void section_feldman(gen *s)
{
	vy_elem commits[FELDMAN_T], key, gs;

	for (size_t j = 0; j < FELDMAN_T; j++)
		derive(s, &s->coeffs[j], "feldman/a/%zu", j);
	vy_feldman_commit(s->g, commits, s->coeffs, FELDMAN_T);
	vyjw_open(&s->w, "feldman", "{");
	vyjw_u64(&s->w, "t", FELDMAN_T);
	vyjw_open(&s->w, "coefficients", "[");
	for (size_t j = 0; j < FELDMAN_T; j++)
		put_scalar(s, NULL, &s->coeffs[j]);
	vyjw_close(&s->w, "]");
	vyjw_open(&s->w, "commitments", "[");
	for (size_t j = 0; j < FELDMAN_T; j++)
		put_elem(s, NULL, &commits[j]);
	vyjw_close(&s->w, "]");
	vyjw_open(&s->w, "shares", "[");
	for (uint32_t i = 1; i <= FELDMAN_N; i++) {
		vy_poly_eval(s->g, &s->shares[i], s->coeffs, FELDMAN_T, i);
		vy_feldman_eval(s->g, &key, commits, FELDMAN_T, i);
		vy_elem_exp_base(s->g, &gs, &s->shares[i]);
		expect(s, vy_elem_eq(s->g, &key, &gs));
		expect_ok(s, vy_feldman_verify_share(s->g, commits, FELDMAN_T, i, &s->shares[i]));
		vyjw_open(&s->w, NULL, "{");
		vyjw_u64(&s->w, "i", i);
		put_scalar(s, "share", &s->shares[i]);
		put_elem(s, "verification_key", &key);
		vyjw_close(&s->w, "}");
	}
	vyjw_close(&s->w, "]");
	vyjw_close(&s->w, "}");
}

/* "lagrange" (§6): the set {1, 3, 5}; the reconstruction must give a_0. */
static void section_lagrange(gen *s)
{
	static const uint32_t set[] = { 1, 3, 5 };
	const size_t n = sizeof set / sizeof set[0];
	vy_scalar lambda[3], secret, t;

	vy_scalar_from_u64(s->g, &secret, 0);
	for (size_t k = 0; k < n; k++) {
		expect_ok(s, vy_lagrange_at_zero(s->g, &lambda[k], set, n, k));
		vy_scalar_mul(s->g, &t, &lambda[k], &s->shares[set[k]]);
		vy_scalar_add(s->g, &secret, &secret, &t);
	}
	expect(s, vy_scalar_eq(s->g, &secret, &s->coeffs[0]));
	vyjw_open(&s->w, "lagrange", "{");
	vyjw_open(&s->w, "set", "[");
	for (size_t k = 0; k < n; k++)
		vyjw_u64(&s->w, NULL, set[k]);
	vyjw_close(&s->w, "]");
	vyjw_open(&s->w, "coefficients", "[");
	for (size_t k = 0; k < n; k++) {
		vyjw_open(&s->w, NULL, "{");
		vyjw_u64(&s->w, "i", set[k]);
		put_scalar(s, "lambda", &lambda[k]);
		vyjw_close(&s->w, "}");
	}
	vyjw_close(&s->w, "]");
	put_scalar(s, "secret", &secret);
	vyjw_close(&s->w, "}");
}

/* "derived_scalars": every D(label) used above, in the order derived. */
static void section_derived(gen *s)
{
	vyjw_open(&s->w, "derived_scalars", "[");
	for (size_t i = 0; i < s->n_labels; i++) {
		vyjw_open(&s->w, NULL, "{");
		vyjw_string(&s->w, "label", s->labels[i]);
		put_scalar(s, "scalar", &s->derived[i]);
		vyjw_close(&s->w, "}");
	}
	vyjw_close(&s->w, "]");
}

/* ---- entry points ---- */

vy_err vyvec_file_name(const vy_group *g, char *out, size_t cap)
{
	int n;

	if (g == NULL || out == NULL)
		return VY_ERR_ARG;
	n = snprintf(out, cap, "crypto-%s.json", vy_group_name(g));
	if (n < 0 || (size_t)n >= cap)
		return VY_ERR_ARG;
	return VY_OK;
}

static const group_consts *consts_for(const vy_group *g)
{
	for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++) {
		if (consts[i].id == vy_group_get_id(g))
			return &consts[i];
	}
	return NULL;
}

vy_err vyvec_generate(const vy_group *g, char **out, size_t *out_len)
{
	gen *s;
	vy_err err;

	if (g == NULL || out == NULL || out_len == NULL)
		return VY_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return VY_ERR_NOMEM;
	s->g = g;
	s->k = consts_for(g);
	s->eb = vy_group_elem_bytes(g);
	if (s->k == NULL) {
		err = VY_ERR_ARG;
		goto out;
	}
	vyjw_open(&s->w, NULL, "{");
	vyjw_string(&s->w, "generated", VYVEC_GENERATED);
	vyjw_string(&s->w, "specification", SPECIFICATION);
	section_group(s);
	section_context(s);
	section_multiples(s);
	section_from_wide(s);
	section_arith(s);
	section_hash(s);
	section_elgamal(s);
	section_schnorr(s);
	section_cp(s);
	section_ranges(s);
	section_sums(s);
	section_feldman(s);
	section_lagrange(s);
	section_derived(s);
	vyjw_close(&s->w, "}");
	vyjw_puts(&s->w, "\n");
	err = s->err;
	if (err == VY_OK && (s->w.failed || s->w.depth != 0))
		err = VY_ERR_NOMEM;
	if (err == VY_OK) {
		*out = s->w.buf;
		*out_len = s->w.len;
		s->w.buf = NULL;
	}
out:
	free(s->w.buf);
	free(s);
	return err;
}

/* ---- specs/vectors/ed25519.json: the Ed25519 verification rule (§10) ---- */

#define ED_BYTES 32             /* a point encoding, a scalar */
#define ED_SIG_BYTES 64
#define ED_MSG_BYTES 64
#define ED_MAX_GRIND 256        /* messages tried for a torsion vector (8 expected) */
#define ED_TORSION_MESSAGE "vybar ed25519 torsion %u"
#define ED_MESSAGE "vybar ed25519 vector"

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t ed_order[ED_BYTES] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* A point of order 8 (§10.1: its y is y8). */
static const uint8_t ed_torsion[ED_BYTES] = {
	0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
	0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
};

typedef struct {
	vyjw w;
	vy_err err;
	uint8_t seed[ED_BYTES], pk[ED_BYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t a[ED_BYTES]; /* the secret scalar of pk, reduced mod L */
	uint8_t r[ED_BYTES], R[ED_BYTES]; /* a nonce and [r]B */
	uint8_t identity[ED_BYTES], identity_neg[ED_BYTES]; /* 01 00..00, and with the sign bit */
} edgen;

static void ed_expect(edgen *s, int cond)
{
	if (!cond && s->err == VY_OK)
		s->err = VY_ERR_LIB;
}

/* SHA-512("vybar test vector " || label). */
static void ed_label_hash(uint8_t out[crypto_hash_sha512_BYTES], const char *label)
{
	crypto_hash_sha512_state st;

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, (const uint8_t *)VYVEC_LABEL_PREFIX, strlen(VYVEC_LABEL_PREFIX));
	crypto_hash_sha512_update(&st, (const uint8_t *)label, strlen(label));
	crypto_hash_sha512_final(&st, out);
}

/* k = int_le(SHA-512(R || A || M)) mod L (§10.1 step 6), little-endian. */
static void ed_challenge(uint8_t k[ED_BYTES], const uint8_t R[ED_BYTES], const uint8_t A[ED_BYTES],
			 const uint8_t *msg, size_t len)
{
	crypto_hash_sha512_state st;
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, R, ED_BYTES);
	crypto_hash_sha512_update(&st, A, ED_BYTES);
	crypto_hash_sha512_update(&st, msg, len);
	crypto_hash_sha512_final(&st, h);
	crypto_core_ed25519_scalar_reduce(k, h);
}

/* S = r + k * a mod L: the response of a signature with nonce r. */
static void ed_response(const edgen *s, uint8_t S[ED_BYTES], const uint8_t r[ED_BYTES], const uint8_t k[ED_BYTES])
{
	uint8_t ka[ED_BYTES];

	crypto_core_ed25519_scalar_mul(ka, k, s->a);
	crypto_core_ed25519_scalar_add(S, r, ka);
}

/* The key pair of §10.4: seed, public key, secret scalar; the nonce r and
 * R = [r]B; the identity encodings. */
static void ed_setup(edgen *s)
{
	uint8_t h[crypto_hash_sha512_BYTES], wide[crypto_hash_sha512_BYTES] = { 0 }, check[ED_BYTES];

	ed_label_hash(h, "ed25519/seed");
	memcpy(s->seed, h, ED_BYTES);
	ed_expect(s, crypto_sign_seed_keypair(s->pk, s->sk, s->seed) == 0);
	/* RFC 8032 §5.1.5: the clamped first half of SHA-512(seed), then mod L. */
	crypto_hash_sha512(h, s->seed, ED_BYTES);
	memcpy(wide, h, ED_BYTES);
	wide[0] &= 248;
	wide[31] &= 127;
	wide[31] |= 64;
	crypto_core_ed25519_scalar_reduce(s->a, wide);
	ed_expect(s, crypto_scalarmult_ed25519_base_noclamp(check, s->a) == 0 && memcmp(check, s->pk, ED_BYTES) == 0);
	ed_label_hash(h, "ed25519/r");
	crypto_core_ed25519_scalar_reduce(s->r, h);
	ed_expect(s, crypto_scalarmult_ed25519_base_noclamp(s->R, s->r) == 0);
	memset(s->identity, 0, ED_BYTES);
	s->identity[0] = 1;
	memcpy(s->identity_neg, s->identity, ED_BYTES);
	s->identity_neg[ED_BYTES - 1] = 0x80;
	sodium_memzero(h, sizeof h);
	sodium_memzero(wide, sizeof wide);
}

/* One vector: its inputs, k, and the three verdicts. verify and key_valid
 * are checked here against libsodium; rfc8032 (what RFC 8032 §5.1.7's
 * cofactored check answers) is checked by specs/tools/check_crypto_vectors.py. */
static void ed_vector(edgen *s, const char *name, const uint8_t pk[ED_BYTES], const char *msg,
		      const uint8_t sig[ED_SIG_BYTES], int accept, int key_valid, int rfc8032)
{
	uint8_t k[ED_BYTES];
	size_t len = strlen(msg);

	ed_challenge(k, sig, pk, (const uint8_t *)msg, len);
	ed_expect(s, (crypto_sign_verify_detached(sig, (const uint8_t *)msg, len, pk) == 0) == accept);
	ed_expect(s, crypto_core_ed25519_is_valid_point(pk) == key_valid);
	vyjw_open(&s->w, NULL, "{");
	vyjw_string(&s->w, "name", name);
	vyjw_hex(&s->w, "public_key", pk, ED_BYTES);
	vyjw_string(&s->w, "message", msg);
	vyjw_hex(&s->w, "signature", sig, ED_SIG_BYTES);
	vyjw_hex(&s->w, "k", k, ED_BYTES);
	vyjw_string(&s->w, "verify", accept ? "accept" : "refuse");
	vyjw_literal(&s->w, "key_valid", key_valid ? "true" : "false");
	vyjw_string(&s->w, "rfc8032", rfc8032 ? "accept" : "refuse");
	vyjw_close(&s->w, "}");
}

/* A valid signature, and the same with S + L in place of S. */
static void ed_vectors_valid(edgen *s)
{
	uint8_t sig[ED_SIG_BYTES];
	unsigned carry = 0;

	crypto_sign_detached(sig, NULL, (const uint8_t *)ED_MESSAGE, strlen(ED_MESSAGE), s->sk);
	ed_vector(s, "valid", s->pk, ED_MESSAGE, sig, 1, 1, 1);
	for (size_t i = 0; i < ED_BYTES; i++) { /* S < L, so S + L < 2^253 fits */
		carry += (unsigned)sig[ED_BYTES + i] + ed_order[i];
		sig[ED_BYTES + i] = (uint8_t)carry;
		carry >>= 8;
	}
	ed_vector(s, "s-plus-l", s->pk, ED_MESSAGE, sig, 0, 1, 0);
}

/* Small-order R and keys whose equation [S]B = R + [k]A holds. */
static void ed_vectors_small_order(edgen *s)
{
	uint8_t sig[ED_SIG_BYTES], k[ED_BYTES];

	/* R = identity, S = k * a: [S]B = [k]A = R + [k]A. */
	memcpy(sig, s->identity, ED_BYTES);
	ed_challenge(k, sig, s->pk, (const uint8_t *)ED_MESSAGE, strlen(ED_MESSAGE));
	crypto_core_ed25519_scalar_mul(sig + ED_BYTES, k, s->a);
	ed_vector(s, "small-order-r", s->pk, ED_MESSAGE, sig, 0, 1, 1);
	/* A = R = identity, S = 0. */
	memset(sig + ED_BYTES, 0, ED_BYTES);
	ed_vector(s, "identity-key-and-r", s->identity, ED_MESSAGE, sig, 0, 0, 1);
	/* A = identity, R = [r]B, S = r: [S]B = R = R + [k]A. */
	memcpy(sig, s->R, ED_BYTES);
	memcpy(sig + ED_BYTES, s->r, ED_BYTES);
	ed_vector(s, "identity-key", s->identity, ED_MESSAGE, sig, 0, 0, 1);
	/* The same with the sign bit of A set (x = 0 "negative"). */
	ed_vector(s, "identity-key-sign-bit", s->identity_neg, ED_MESSAGE, sig, 0, 0, 0);
}

/* A torsioned key A + T (T of order 8), the first message (ED_TORSION_MESSAGE,
 * n = 0, 1, ...) whose k is (multiple8) or is not (!multiple8) a multiple of
 * 8, R = [r]B, S = r + k * a: [S]B - [k](A + T) = R - [k]T. */
static void ed_vector_torsion(edgen *s, int multiple8)
{
	uint8_t pk[ED_BYTES], sig[ED_SIG_BYTES], k[ED_BYTES];
	char msg[ED_MSG_BYTES];
	unsigned n;

	ed_expect(s, crypto_core_ed25519_add(pk, s->pk, ed_torsion) == 0);
	memcpy(sig, s->R, ED_BYTES);
	for (n = 0; n < ED_MAX_GRIND; n++) {
		snprintf(msg, sizeof msg, ED_TORSION_MESSAGE, n);
		ed_challenge(k, sig, pk, (const uint8_t *)msg, strlen(msg));
		if (((k[0] & 7) == 0) == multiple8)
			break;
	}
	ed_expect(s, n < ED_MAX_GRIND);
	ed_response(s, sig + ED_BYTES, s->r, k);
	ed_vector(s, multiple8 ? "torsion-key-k-multiple-of-8" : "torsion-key-k-not-multiple-of-8", pk, msg, sig,
		  multiple8, 0, 1);
}

vy_err vyvec_ed25519_generate(char **out, size_t *out_len)
{
	edgen *s;
	vy_err err;

	if (out == NULL || out_len == NULL)
		return VY_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return VY_ERR_NOMEM;
	ed_setup(s);
	vyjw_open(&s->w, NULL, "{");
	vyjw_string(&s->w, "generated", VYVEC_GENERATED);
	vyjw_string(&s->w, "specification", SPECIFICATION);
	vyjw_string(&s->w, "seed_label", "ed25519/seed");
	vyjw_hex(&s->w, "seed", s->seed, ED_BYTES);
	vyjw_hex(&s->w, "public_key", s->pk, ED_BYTES);
	vyjw_hex(&s->w, "secret_scalar", s->a, ED_BYTES);
	vyjw_string(&s->w, "r_label", "ed25519/r");
	vyjw_hex(&s->w, "r", s->r, ED_BYTES);
	vyjw_hex(&s->w, "R", s->R, ED_BYTES);
	vyjw_hex(&s->w, "torsion_point", ed_torsion, ED_BYTES);
	vyjw_open(&s->w, "vectors", "[");
	ed_vectors_valid(s);
	ed_vectors_small_order(s);
	ed_vector_torsion(s, 1);
	ed_vector_torsion(s, 0);
	vyjw_close(&s->w, "]");
	vyjw_close(&s->w, "}");
	vyjw_puts(&s->w, "\n");
	err = s->err;
	if (err == VY_OK && (s->w.failed || s->w.depth != 0))
		err = VY_ERR_NOMEM;
	if (err == VY_OK) {
		*out = s->w.buf;
		*out_len = s->w.len;
		s->w.buf = NULL;
	}
	free(s->w.buf);
	sodium_memzero(s, sizeof *s);
	free(s);
	return err;
}

/* ---- the sealed credential file (specs/client.md §6.1) ---- */

#define CRED_MAGIC "VYBAR-CREDENTIAL/1\n" /* the spec's, written out here */
#define CRED_PASSPHRASE VYVEC_CREDENTIAL_PASSPHRASE
#define CRED_SIG_BYTES 256 /* a 2048-bit registrar key's signature length */
#define CRED_HDR_BYTES (sizeof CRED_MAGIC - 1 + 8 + 8 + 1 + crypto_pwhash_SALTBYTES + \
			crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + 4)

/* n bytes of SHA-512("vybar test vector " || label || " " || i) for i = 0, 1, ... */
static void cred_bytes(uint8_t *out, size_t n, const char *label)
{
	uint8_t h[crypto_hash_sha512_BYTES];
	char l[LABEL_BYTES * 2];

	for (size_t i = 0; i * sizeof h < n; i++) {
		size_t k = n - i * sizeof h < sizeof h ? n - i * sizeof h : sizeof h;

		snprintf(l, sizeof l, "%s %zu", label, i);
		ed_label_hash(h, l);
		memcpy(out + i * sizeof h, h, k);
	}
}

static void cred_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

vy_err vyvec_credential_generate(char **out, size_t *out_len)
{
	Vybar__Credential cr = VYBAR__CREDENTIAL__INIT;
	Vybar__CredentialFile f = VYBAR__CREDENTIAL_FILE__INIT;
	uint8_t base_hash[32], seed[32], pk[32], sk[64], randomizer[32], sig[CRED_SIG_BYTES];
	uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], key[32];
	uint8_t *plain = NULL, *file = NULL, *p;
	size_t plen, flen, ml = sizeof CRED_MAGIC - 1;
	unsigned long long clen;
	vyjw w = { 0 };
	vy_err err = VY_ERR_NOMEM;

	*out = NULL;
	*out_len = 0;
	cred_bytes(base_hash, sizeof base_hash, "credential file/base hash");
	cred_bytes(seed, sizeof seed, "credential file/seed");
	crypto_sign_seed_keypair(pk, sk, seed);
	cred_bytes(randomizer, sizeof randomizer, "credential file/randomizer");
	cred_bytes(sig, sizeof sig, "credential file/signature");
	cred_bytes(salt, sizeof salt, "credential file/salt");
	cred_bytes(nonce, sizeof nonce, "credential file/nonce");
	cr.public_key = (ProtobufCBinaryData){ sizeof pk, pk };
	cr.randomizer = (ProtobufCBinaryData){ sizeof randomizer, randomizer };
	cr.signature = (ProtobufCBinaryData){ sizeof sig, sig };
	f.base_hash = (ProtobufCBinaryData){ sizeof base_hash, base_hash };
	f.secret_seed = (ProtobufCBinaryData){ sizeof seed, seed };
	f.credential = &cr;
	plen = vybar__credential_file__get_packed_size(&f);
	flen = CRED_HDR_BYTES + plen + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	plain = malloc(plen);
	file = malloc(flen);
	if (plain == NULL || file == NULL)
		goto out;
	vybar__credential_file__pack(&f, plain);
	/* the header, field by field as the spec's table gives it */
	p = file;
	memcpy(p, CRED_MAGIC, ml);
	cred_be(p + ml, crypto_pwhash_OPSLIMIT_MODERATE, 8);
	cred_be(p + ml + 8, crypto_pwhash_MEMLIMIT_MODERATE, 8);
	p[ml + 16] = 1; /* Argon2id v1.3 */
	memcpy(p + ml + 17, salt, sizeof salt);
	memcpy(p + ml + 17 + sizeof salt, nonce, sizeof nonce);
	cred_be(p + CRED_HDR_BYTES - 4, plen + crypto_aead_xchacha20poly1305_ietf_ABYTES, 4);
	err = VY_ERR_LIB;
	if (crypto_pwhash(key, sizeof key, CRED_PASSPHRASE, strlen(CRED_PASSPHRASE), salt,
			  crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		goto out;
	crypto_aead_xchacha20poly1305_ietf_encrypt(file + CRED_HDR_BYTES, &clen, plain, plen, file, CRED_HDR_BYTES,
						   NULL, nonce, key);
	vyjw_open(&w, NULL, "{");
	vyjw_string(&w, "generated", "by tests/tools/gen_crypto_vectors.c; do not edit");
	vyjw_string(&w, "specification", "specs/client.md section 6.1");
	vyjw_string(&w, "note", "the credential's fields are labelled bytes, not a real registration: the "
		    "signature is not a registrar's");
	vyjw_string(&w, "passphrase", CRED_PASSPHRASE);
	vyjw_u64(&w, "opslimit", crypto_pwhash_OPSLIMIT_MODERATE);
	vyjw_u64(&w, "memlimit", crypto_pwhash_MEMLIMIT_MODERATE);
	vyjw_hex(&w, "salt", salt, sizeof salt);
	vyjw_hex(&w, "nonce", nonce, sizeof nonce);
	vyjw_hex(&w, "key", key, sizeof key);
	vyjw_hex(&w, "base_hash", base_hash, sizeof base_hash);
	vyjw_hex(&w, "secret_seed", seed, sizeof seed);
	vyjw_hex(&w, "public_key", pk, sizeof pk);
	vyjw_hex(&w, "randomizer", randomizer, sizeof randomizer);
	vyjw_hex(&w, "signature", sig, sizeof sig);
	vyjw_hex(&w, "plaintext", plain, plen);
	vyjw_hex(&w, "header", file, CRED_HDR_BYTES);
	vyjw_hex(&w, "file", file, flen);
	vyjw_close(&w, "}");
	vyjw_puts(&w, "\n");
	err = w.failed || w.depth != 0 ? VY_ERR_NOMEM : VY_OK;
	if (err == VY_OK) {
		*out = w.buf;
		*out_len = w.len;
		w.buf = NULL;
	}
out:
	sodium_memzero(key, sizeof key);
	sodium_memzero(sk, sizeof sk);
	free(w.buf);
	free(plain);
	free(file);
	return err;
}
