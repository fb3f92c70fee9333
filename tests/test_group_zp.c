/*
 * The integer groups (crypto/group_zp.c): exhaustively on the toy group
 * (p = 23, q = 11, g = 2) against naive integer arithmetic, and the
 * modp4096 constants and decoders (specs/crypto.md §2).
 */
#include "tests/support/vytest.h"

#include <gmp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/group_impl.h"
#include "crypto/vy_group.h"

#define TOY_P VYTEST_TOY_P
#define TOY_Q VYTEST_TOY_Q
#define TOY_G VYTEST_TOY_G
#define MODP_BYTES 512
#define N_RANDOM_ELEMS 8

/* ---- toy group helpers ---- */

/* x^k mod 23 by repeated multiplication (the naive reference). */
static unsigned naive_pow(unsigned x, unsigned k)
{
	unsigned r = 1;

	for (unsigned i = 0; i < k; i++)
		r = (r * x) % TOY_P;
	return r;
}

/* 1 if x is a non-zero square mod 23 (the order-11 subgroup). */
static int is_qr(unsigned x)
{
	for (unsigned y = 1; y < TOY_P; y++)
		if ((y * y) % TOY_P == x)
			return 1;
	return 0;
}

/* The toy element with value x (must be a QR). */
static vy_elem toy_elem(unsigned x)
{
	const vy_group *g = vytest_toy_group();
	uint8_t b = (uint8_t)x;
	vy_elem e;

	assert_int_equal(vy_elem_decode(g, &e, &b, 1), VY_OK);
	return e;
}

/* The value of a toy element. */
static unsigned toy_val(const vy_elem *e)
{
	uint8_t b;

	vy_elem_encode(vytest_toy_group(), &b, e);
	return b;
}

/* The toy scalar with value k < 11. */
static vy_scalar toy_scalar(unsigned k)
{
	uint8_t b[VY_SCALAR_BYTES] = { 0 };
	vy_scalar s;

	b[VY_SCALAR_BYTES - 1] = (uint8_t)k;
	assert_int_equal(vy_scalar_decode(vytest_toy_group(), &s, b, sizeof b), VY_OK);
	return s;
}

/* The value of a toy scalar, checking that its encoding is canonical. */
static unsigned toy_sval(const vy_scalar *s)
{
	uint8_t b[VY_SCALAR_BYTES];

	vy_scalar_encode(vytest_toy_group(), b, s);
	for (size_t i = 0; i + 1 < VY_SCALAR_BYTES; i++)
		assert_int_equal(b[i], 0);
	assert_true(b[VY_SCALAR_BYTES - 1] < TOY_Q);
	return b[VY_SCALAR_BYTES - 1];
}

/* ---- toy group tests ---- */

/* Every one-byte value: exactly the 11 quadratic residues decode; 0 and
 * values >= 23 are non-canonical; the other values are outside the subgroup. */
static void test_toy_decode_all_bytes(void **state)
{
	const vy_group *g = vytest_toy_group();
	unsigned accepted = 0;
	vy_elem e;

	(void)state;
	assert_int_equal(vy_group_elem_bytes(g), 1);
	for (unsigned x = 0; x < 256; x++) {
		uint8_t b = (uint8_t)x;
		vy_err err = vy_elem_decode(g, &e, &b, 1);

		if (x == 0 || x >= TOY_P) {
			assert_int_equal(err, VY_ERR_NONCANONICAL);
		} else if (is_qr(x)) {
			assert_int_equal(err, VY_OK);
			assert_int_equal(toy_val(&e), x);
			accepted++;
		} else {
			assert_int_equal(err, VY_ERR_NOT_IN_GROUP);
		}
		if (err != VY_OK) {
			for (size_t i = 0; i < sizeof e.b; i++)
				assert_int_equal(e.b[i], 0);
		}
	}
	assert_int_equal(accepted, TOY_Q);
}

/* Wrong lengths are rejected before anything else. */
static void test_toy_decode_lengths(void **state)
{
	const vy_group *g = vytest_toy_group();
	uint8_t b[2] = { 0, 1 };
	vy_elem e;

	(void)state;
	assert_int_equal(vy_elem_decode(g, &e, b, 0), VY_ERR_LENGTH);
	assert_int_equal(vy_elem_decode(g, &e, b, 2), VY_ERR_LENGTH);
	assert_int_equal(vy_elem_decode(g, &e, b + 1, 1), VY_OK);
	assert_int_equal(vy_elem_decode_nonidentity(g, &e, b + 1, 1), VY_ERR_IDENTITY);
}

/* Identity, generator, mul and div on all pairs, against naive arithmetic. */
static void test_toy_elem_mul_div(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_elem id, gen, r;

	(void)state;
	vy_elem_identity(g, &id);
	vy_elem_generator(g, &gen);
	assert_int_equal(toy_val(&id), 1);
	assert_int_equal(toy_val(&gen), TOY_G);
	assert_true(vy_elem_is_identity(g, &id));
	assert_false(vy_elem_is_identity(g, &gen));
	for (unsigned x = 1; x < TOY_P; x++) {
		if (!is_qr(x))
			continue;
		for (unsigned y = 1; y < TOY_P; y++) {
			if (!is_qr(y))
				continue;
			vy_elem a = toy_elem(x), b = toy_elem(y);

			vy_elem_mul(g, &r, &a, &b);
			assert_int_equal(toy_val(&r), (x * y) % TOY_P);
			vy_elem_div(g, &r, &a, &b);
			assert_int_equal((toy_val(&r) * y) % TOY_P, x);
		}
	}
}

/* exp, exp_base and exp2_public for all elements and exponents. */
static void test_toy_exp(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_elem r;

	(void)state;
	for (unsigned k = 0; k < TOY_Q; k++) {
		vy_scalar s = toy_scalar(k);

		vy_elem_exp_base(g, &r, &s);
		assert_int_equal(toy_val(&r), naive_pow(TOY_G, k));
	}
	for (unsigned x = 1; x < TOY_P; x++) {
		if (!is_qr(x))
			continue;
		vy_elem a = toy_elem(x);

		for (unsigned k = 0; k < TOY_Q; k++) {
			vy_scalar s = toy_scalar(k);

			vy_elem_exp(g, &r, &a, &s);
			assert_int_equal(toy_val(&r), naive_pow(x, k));
		}
	}
}

/* exp2_public: a^k1 * b^k2 for every a, b, k1, k2. */
static void test_toy_exp2(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_elem r;

	(void)state;
	for (unsigned x = 1; x < TOY_P; x++) {
		if (!is_qr(x))
			continue;
		for (unsigned y = 1; y < TOY_P; y++) {
			if (!is_qr(y))
				continue;
			vy_elem a = toy_elem(x), b = toy_elem(y);

			for (unsigned k1 = 0; k1 < TOY_Q; k1++) {
				vy_scalar s1 = toy_scalar(k1);

				for (unsigned k2 = 0; k2 < TOY_Q; k2++) {
					vy_scalar s2 = toy_scalar(k2);
					unsigned want = (naive_pow(x, k1) * naive_pow(y, k2)) % TOY_P;

					vy_elem_exp2_public(g, &r, &a, &s1, &b, &s2);
					assert_int_equal(toy_val(&r), want);
				}
			}
		}
	}
}

/* add, sub, mul on all pairs; neg and inv on all values. */
static void test_toy_scalar_arith(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_scalar r;

	(void)state;
	for (unsigned a = 0; a < TOY_Q; a++) {
		vy_scalar sa = toy_scalar(a);

		vy_scalar_neg(g, &r, &sa);
		assert_int_equal(toy_sval(&r), (TOY_Q - a) % TOY_Q);
		if (a == 0) {
			r = toy_scalar(5);
			assert_int_equal(vy_scalar_inv(g, &r, &sa), VY_ERR_SCALAR_ZERO);
			assert_int_equal(toy_sval(&r), 0);
		} else {
			assert_int_equal(vy_scalar_inv(g, &r, &sa), VY_OK);
			assert_int_equal((toy_sval(&r) * a) % TOY_Q, 1);
		}
		for (unsigned b = 0; b < TOY_Q; b++) {
			vy_scalar sb = toy_scalar(b);

			vy_scalar_add(g, &r, &sa, &sb);
			assert_int_equal(toy_sval(&r), (a + b) % TOY_Q);
			vy_scalar_sub(g, &r, &sa, &sb);
			assert_int_equal(toy_sval(&r), (a + TOY_Q - b) % TOY_Q);
			vy_scalar_mul(g, &r, &sa, &sb);
			assert_int_equal(toy_sval(&r), (a * b) % TOY_Q);
		}
	}
}

/* Outputs may alias inputs. */
static void test_toy_scalar_alias(void **state)
{
	const vy_group *g = vytest_toy_group();
	vy_scalar a = toy_scalar(7), b = toy_scalar(9);

	(void)state;
	vy_scalar_add(g, &a, &a, &b); /* 16 mod 11 = 5 */
	assert_int_equal(toy_sval(&a), 5);
	vy_scalar_mul(g, &a, &a, &a); /* 25 mod 11 = 3 */
	assert_int_equal(toy_sval(&a), 3);
	vy_scalar_sub(g, &a, &a, &b); /* 3 - 9 = 5 */
	assert_int_equal(toy_sval(&a), 5);
	vy_scalar_neg(g, &a, &a);
	assert_int_equal(toy_sval(&a), 6);
	assert_int_equal(vy_scalar_inv(g, &a, &a), VY_OK); /* 6 * 2 = 12 = 1 */
	assert_int_equal(toy_sval(&a), 2);
}

/* The 64-byte big-endian value of in mod 11, by Horner's rule. */
static unsigned naive_wide_mod(const uint8_t in[64])
{
	unsigned r = 0;

	for (size_t i = 0; i < 64; i++)
		r = (r * 256 + in[i]) % TOY_Q;
	return r;
}

/* from_u64 and from_wide against naive reduction mod 11. */
static void test_toy_scalar_reduce(void **state)
{
	const vy_group *g = vytest_toy_group();
	static const uint64_t u64s[] = { 0, 1, 10, 11, 12, 21, 22, 255, 256, 0xffffffffu,
					 UINT64_MAX - 1, UINT64_MAX };
	uint8_t wide[64];
	vy_scalar r;

	(void)state;
	for (uint64_t v = 0; v < 1000; v++) {
		vy_scalar_from_u64(g, &r, v);
		assert_int_equal(toy_sval(&r), v % TOY_Q);
	}
	for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++) {
		vy_scalar_from_u64(g, &r, u64s[i]);
		assert_int_equal(toy_sval(&r), u64s[i] % TOY_Q);
	}
	memset(wide, 0, sizeof wide);
	vy_scalar_from_wide(g, &r, wide);
	assert_int_equal(toy_sval(&r), 0);
	memset(wide, 0xff, sizeof wide);
	vy_scalar_from_wide(g, &r, wide);
	assert_int_equal(toy_sval(&r), naive_wide_mod(wide));
	for (int n = 0; n < 200; n++) {
		randombytes_buf(wide, sizeof wide);
		vy_scalar_from_wide(g, &r, wide);
		assert_int_equal(toy_sval(&r), naive_wide_mod(wide));
	}
	for (int n = 0; n < 100; n++) {
		vy_scalar_random(g, &r);
		(void)toy_sval(&r); /* asserts the value is canonical */
	}
}

/* Scalar decoding: 0..10 accepted, 11..255 and any non-zero high byte
 * rejected as out of range, wrong lengths rejected. */
static void test_toy_scalar_decode(void **state)
{
	const vy_group *g = vytest_toy_group();
	uint8_t b[VY_SCALAR_BYTES + 1];
	vy_scalar s;

	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		memset(b, 0, sizeof b);
		b[VY_SCALAR_BYTES - 1] = (uint8_t)v;
		assert_int_equal(vy_scalar_decode(g, &s, b, VY_SCALAR_BYTES),
				 v < TOY_Q ? VY_OK : VY_ERR_SCALAR_RANGE);
		if (v < TOY_Q)
			assert_int_equal(toy_sval(&s), v);
	}
	for (size_t i = 0; i + 1 < VY_SCALAR_BYTES; i++) {
		for (unsigned v = 1; v < 256; v++) {
			memset(b, 0, sizeof b);
			b[i] = (uint8_t)v;
			assert_int_equal(vy_scalar_decode(g, &s, b, VY_SCALAR_BYTES),
					 VY_ERR_SCALAR_RANGE);
			assert_true(sodium_is_zero(s.b, sizeof s.b));
		}
	}
	memset(b, 0, sizeof b);
	assert_int_equal(vy_scalar_decode(g, &s, b, VY_SCALAR_BYTES - 1), VY_ERR_LENGTH);
	assert_int_equal(vy_scalar_decode(g, &s, b, VY_SCALAR_BYTES + 1), VY_ERR_LENGTH);
	assert_int_equal(vy_scalar_decode(g, &s, b, 0), VY_ERR_LENGTH);
}

/* The implementation itself (not only group.c's wrapper) neutralises the
 * outputs of failed decodes and of inverting zero. */
static void test_toy_ops_zero_on_failure(void **state)
{
	const vy_group *g = vytest_toy_group();
	const uint8_t bad_elems[] = { 0, 5, 23, 255 }; /* 5 is not a QR mod 23 */
	uint8_t big[VY_SCALAR_BYTES] = { 0 };
	vy_elem e;
	vy_scalar s, zero = { { 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof bad_elems; i++) {
		memset(&e, 0xaa, sizeof e);
		assert_int_not_equal(g->ops->elem_decode(g, &e, &bad_elems[i], 1), VY_OK);
		assert_true(sodium_is_zero(e.b, sizeof e.b));
	}
	memset(&e, 0xaa, sizeof e);
	assert_int_equal(g->ops->elem_decode(g, &e, bad_elems, 2), VY_ERR_LENGTH);
	assert_true(sodium_is_zero(e.b, sizeof e.b));
	big[VY_SCALAR_BYTES - 1] = TOY_Q;
	memset(&s, 0xaa, sizeof s);
	assert_int_equal(g->ops->scalar_decode(g, &s, big, sizeof big), VY_ERR_SCALAR_RANGE);
	assert_true(sodium_is_zero(s.b, sizeof s.b));
	memset(&s, 0xaa, sizeof s);
	assert_int_equal(g->ops->scalar_inv(g, &s, &zero), VY_ERR_SCALAR_ZERO);
	assert_true(sodium_is_zero(s.b, sizeof s.b));
}

/* vy_init installs GMP memory functions other than the defaults, and their
 * realloc keeps the contents (it copies before wiping the old block). */
static void test_gmp_wiping_allocator(void **state)
{
	void *(*alloc_fn)(size_t), *(*realloc_fn)(void *, size_t, size_t);
	void (*free_fn)(void *, size_t);
	uint8_t *p;

	(void)state;
	vytest_init();
	mp_get_memory_functions(&alloc_fn, &realloc_fn, &free_fn);
	assert_true(alloc_fn != malloc);
	p = alloc_fn(64);
	assert_non_null(p);
	for (int i = 0; i < 64; i++)
		p[i] = (uint8_t)i;
	p = realloc_fn(p, 64, 4096);
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], i);
	p = realloc_fn(p, 4096, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(p[i], i);
	free_fn(p, 16);
}

/* ---- modp4096 ---- */

/*
 * Our own copy of the published constants, to check the library's against.
 * Source: ElectionGuard 2.0 design specification, section 3.1.1, published
 * constants.
 */
static const char eg_q_hex[] = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF43";

static const char eg_p_hex[] =
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	"B17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2B"
	"E7B876206DEBAC98559552FB4AFA1B10ED2EAE35C138214427573B291169B825"
	"3E96CA16224AE8C51ACBDA11317C387EB9EA9BC3B136603B256FA0EC7657F74B"
	"72CE87B19D6548CAF5DFA6BD38303248655FA1872F20E3A2DA2D97C50F3FD5C6"
	"07F4CA11FB5BFB90610D30F88FE551A2EE569D6DFC1EFA157D2E23DE1400B396"
	"17460775DB8990E5C943E732B479CD33CCCC4E659393514C4C1A1E0BD1D6095D"
	"25669B333564A3376A9C7F8A5E148E82074DB6015CFE7AA30C480A5417350D2C"
	"955D5179B1E17B9DAE313CDB6C606CB1078F735D1B2DB31B5F50B5185064C18B"
	"4D162DB3B365853D7598A1951AE273EE5570B6C68F96983496D4E6D330AF889B"
	"44A02554731CDC8EA17293D1228A4EF98D6F5177FBCF0755268A5C1F9538B982"
	"61AFFD446B1CA3CF5E9222B88C66D3C5422183EDC99421090BBB16FAF3D949F2"
	"36E02B20CEE886B905C128D53D0BD2F9621363196AF503020060E49908391A0C"
	"57339BA2BEBA7D052AC5B61CC4E9207CEF2F0CE2D7373958D762265890445744"
	"FB5F2DA4B751005892D356890DEFE9CAD9B9D4B713E06162A2D8FDD0DF2FD608"
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

static const char eg_r_hex[] =
	"100000000000000000000000000000000000000000000000000000000000000B"
	"CB17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAB857"
	"AE8F428165418806C62B0EA36355A3A73E0C741985BF6A0E3130179BF2F0B43E"
	"33AD862923861B8C9F768C4169519600BAD06093F964B27E02D86831231A9160"
	"DE48F4DA53D8AB5E69E386B694BEC1AE722D47579249D5424767C5C33B9151E0"
	"7C5C11D106AC446D330B47DB59D352E47A53157DE04461900F6FE360DB897DF5"
	"316D87C94AE71DAD0BE84B647C4BCF818C23A2D4EBB53C702A5C8062D19F5E9B"
	"5033A94F7FF732F54129712869D97B8C96C412921A9D8679770F499A041C297C"
	"FF79D4C9149EB6CAF67B9EA3DC563D965F3AAD1377FF22DE9C3E62068DD0ED61"
	"51C37B4F74634C2BD09DA912FD599F4333A8D2CC005627DCA37BAD43E64A3963"
	"119C0BFE34810A21EE7CFC421D53398CBC7A95B3BF585E5A04B790E2FE1FE9BC"
	"264FDA8109F6454A082F5EFB2F37EA237AA29DF320D6EA860C41A9054CCD2487"
	"6C6253F667BFB0139B5531FF30189961202FD2B0D55A75272C7FD73343F7899B"
	"CA0B36A4C470A64A009244C84E77CEBC92417D5BB13BF18167D8033EB6C4DD78"
	"79FD4A7F529FD4A7F529FD4A7F529FD4A7F529FD4A7F529FD4A7F529FD4A7F52"
	"A";

static const char eg_g_hex[] =
	"36036FED214F3B50DC566D3A312FE4131FEE1C2BCE6D02EA39B477AC05F7F885"
	"F38CFE77A7E45ACF4029114C4D7A9BFE058BF2F995D2479D3DDA618FFD910D3C"
	"4236AB2CFDD783A5016F7465CF59BBF45D24A22F130F2D04FE93B2D58BB9C1D1"
	"D27FC9A17D2AF49A779F3FFBDCA22900C14202EE6C99616034BE35CBCDD3E7BB"
	"7996ADFE534B63CCA41E21FF5DC778EBB1B86C53BFBE99987D7AEA0756237FB4"
	"0922139F90A62F2AA8D9AD34DFF799E33C857A6468D001ACF3B681DB87DC4242"
	"755E2AC5A5027DB81984F033C4D178371F273DBB4FCEA1E628C23E52759BC776"
	"5728035CEA26B44C49A65666889820A45C33DD37EA4A1D00CB62305CD541BE1E"
	"8A92685A07012B1A20A746C3591A2DB3815000D2AACCFE43DC49E828C1ED7387"
	"466AFD8E4BF1935593B2A442EEC271C50AD39F733797A1EA11802A2557916534"
	"662A6B7E9A9E449A24C8CFF809E79A4D806EB681119330E6C57985E39B200B48"
	"93639FDFDEA49F76AD1ACD997EBA13657541E79EC57437E504EDA9DD01106151"
	"6C643FB30D6D58AFCCD28B73FEDA29EC12B01A5EB86399A593A9D5F450DE39CB"
	"92962C5EC6925348DB54D128FD99C14B457F883EC20112A75A6A0581D3D80A3B"
	"4EF09EC86F9552FFDA1653F133AA2534983A6F31B0EE4697935A6B1EA2F75B85"
	"E7EBA151BA486094D68722B054633FEC51CA3F29B31E77E317B178B6B9D8AE0F";

typedef struct {
	mpz_t p, q, r, g;
} eg_consts;

static void eg_load(eg_consts *c)
{
	assert_int_equal(mpz_init_set_str(c->p, eg_p_hex, 16), 0);
	assert_int_equal(mpz_init_set_str(c->q, eg_q_hex, 16), 0);
	assert_int_equal(mpz_init_set_str(c->r, eg_r_hex, 16), 0);
	assert_int_equal(mpz_init_set_str(c->g, eg_g_hex, 16), 0);
}

static void eg_free(eg_consts *c)
{
	mpz_clears(c->p, c->q, c->r, c->g, NULL);
}

/* v as a big-endian buffer of exactly len bytes (v < 256^len). */
static void mpz_to_be(uint8_t *out, size_t len, const mpz_t v)
{
	size_t n = mpz_sgn(v) == 0 ? 0 : mpz_sizeinbase(v, 256);

	assert_true(n <= len);
	memset(out, 0, len);
	if (n > 0)
		mpz_export(out + len - n, NULL, 1, 1, 1, 0, v);
}

static const vy_group *modp(void)
{
	const vy_group *g;

	vytest_init();
	g = vy_group_by_id(VY_GROUP_MODP4096);
	assert_non_null(g);
	return g;
}

/* The published relations, and primality (checked once here, not at init). */
static void test_modp_constants(void **state)
{
	eg_consts c;
	mpz_t t;

	(void)state;
	eg_load(&c);
	mpz_init(t);
	assert_int_equal(mpz_sizeinbase(c.p, 2), 4096);
	mpz_setbit(t, 256);
	mpz_sub_ui(t, t, 189);
	assert_int_equal(mpz_cmp(c.q, t), 0);
	mpz_mul(t, c.q, c.r);
	mpz_add_ui(t, t, 1);
	assert_int_equal(mpz_cmp(c.p, t), 0);
	mpz_set_ui(t, 2);
	mpz_powm(t, t, c.r, c.p);
	assert_int_equal(mpz_cmp(c.g, t), 0);
	mpz_powm(t, c.g, c.q, c.p);
	assert_int_equal(mpz_cmp_ui(t, 1), 0);
	assert_int_not_equal(mpz_probab_prime_p(c.q, 30), 0);
	assert_int_not_equal(mpz_probab_prime_p(c.p, 30), 0);
	mpz_clear(t);
	eg_free(&c);
}

/* The library's group is the published one: name, sizes, generator. */
static void test_modp_library_params(void **state)
{
	const vy_group *g = modp();
	uint8_t want[MODP_BYTES], got[MODP_BYTES];
	eg_consts c;
	vy_elem gen, id;

	(void)state;
	eg_load(&c);
	assert_string_equal(vy_group_name(g), "modp4096");
	assert_int_equal(vy_group_get_id(g), VY_GROUP_MODP4096);
	assert_int_equal(vy_group_elem_bytes(g), MODP_BYTES);
	assert_ptr_equal(vy_group_by_name("modp4096"), g);
	vy_elem_generator(g, &gen);
	vy_elem_encode(g, got, &gen);
	mpz_to_be(want, sizeof want, c.g);
	assert_memory_equal(got, want, MODP_BYTES);
	vy_elem_identity(g, &id);
	vy_elem_encode(g, got, &id);
	mpz_set_ui(c.r, 1);
	mpz_to_be(want, sizeof want, c.r);
	assert_memory_equal(got, want, MODP_BYTES);
	eg_free(&c);
}

/* Decode v (as 512 bytes) and expect err. */
static void expect_decode(const vy_group *g, const mpz_t v, vy_err err)
{
	uint8_t buf[MODP_BYTES];
	vy_elem e;

	mpz_to_be(buf, sizeof buf, v);
	assert_int_equal(vy_elem_decode(g, &e, buf, sizeof buf), err);
	if (err == VY_OK) {
		uint8_t back[MODP_BYTES];

		vy_elem_encode(g, back, &e);
		assert_memory_equal(back, buf, MODP_BYTES);
	} else {
		assert_true(sodium_is_zero(e.b, sizeof e.b));
	}
}

/* Element decoding: each kind of defect gets its own error. */
static void test_modp_decode(void **state)
{
	const vy_group *g = modp();
	uint8_t buf[MODP_BYTES + 1];
	eg_consts c;
	vy_elem e;
	mpz_t v, t;

	(void)state;
	eg_load(&c);
	mpz_inits(v, t, NULL);
	memset(buf, 0, sizeof buf);
	buf[MODP_BYTES - 2] = 1;
	assert_int_equal(vy_elem_decode(g, &e, buf, MODP_BYTES - 1), VY_ERR_LENGTH);
	assert_int_equal(vy_elem_decode(g, &e, buf, MODP_BYTES + 1), VY_ERR_LENGTH);
	assert_int_equal(vy_elem_decode(g, &e, buf, 0), VY_ERR_LENGTH);
	memset(buf, 0xff, sizeof buf);
	assert_int_equal(vy_elem_decode(g, &e, buf, MODP_BYTES), VY_ERR_NONCANONICAL);

	mpz_set_ui(v, 0);
	expect_decode(g, v, VY_ERR_NONCANONICAL);
	expect_decode(g, c.p, VY_ERR_NONCANONICAL);
	mpz_add_ui(v, c.p, 1);
	expect_decode(g, v, VY_ERR_NONCANONICAL);

	/* 2, 2g and p - 1 are in Z_p^* but (as we verify) not in the subgroup. */
	mpz_set_ui(v, 2);
	mpz_powm(t, v, c.q, c.p);
	assert_int_not_equal(mpz_cmp_ui(t, 1), 0);
	expect_decode(g, v, VY_ERR_NOT_IN_GROUP);
	mpz_mul_ui(v, c.g, 2);
	mpz_mod(v, v, c.p);
	mpz_powm(t, v, c.q, c.p);
	assert_int_not_equal(mpz_cmp_ui(t, 1), 0);
	expect_decode(g, v, VY_ERR_NOT_IN_GROUP);
	mpz_sub_ui(v, c.p, 1);
	expect_decode(g, v, VY_ERR_NOT_IN_GROUP);

	mpz_set_ui(v, 1);
	expect_decode(g, v, VY_OK);
	expect_decode(g, c.g, VY_OK);
	mpz_clears(v, t, NULL);
	eg_free(&c);
}

/* Random subgroup elements g^k decode, and equal vy_elem_exp_base. */
static void test_modp_decode_random_members(void **state)
{
	const vy_group *g = modp();
	uint8_t kb[VY_SCALAR_BYTES], want[MODP_BYTES], got[MODP_BYTES];
	eg_consts c;
	vy_scalar k;
	vy_elem e;
	mpz_t v, kz;

	(void)state;
	eg_load(&c);
	mpz_inits(v, kz, NULL);
	for (int i = 0; i < N_RANDOM_ELEMS; i++) {
		vy_scalar_random(g, &k);
		vy_scalar_encode(g, kb, &k);
		mpz_import(kz, sizeof kb, 1, 1, 1, 0, kb);
		assert_true(mpz_cmp(kz, c.q) < 0);
		mpz_powm(v, c.g, kz, c.p);
		expect_decode(g, v, VY_OK);
		mpz_to_be(want, sizeof want, v);
		vy_elem_exp_base(g, &e, &k);
		vy_elem_encode(g, got, &e);
		assert_memory_equal(got, want, MODP_BYTES);
	}
	mpz_clears(v, kz, NULL);
	eg_free(&c);
}

/* Expect vy_scalar_decode of v (32 bytes) to give err. */
static void expect_scalar_decode(const vy_group *g, const mpz_t v, vy_err err)
{
	uint8_t buf[VY_SCALAR_BYTES], back[VY_SCALAR_BYTES];
	vy_scalar s;

	mpz_to_be(buf, sizeof buf, v);
	assert_int_equal(vy_scalar_decode(g, &s, buf, sizeof buf), err);
	vy_scalar_encode(g, back, &s);
	if (err == VY_OK)
		assert_memory_equal(back, buf, sizeof buf);
	else
		assert_true(sodium_is_zero(back, sizeof back));
}

/* Scalar decoding at the edges of [0, q). */
static void test_modp_scalar_decode(void **state)
{
	const vy_group *g = modp();
	eg_consts c;
	mpz_t v;

	(void)state;
	eg_load(&c);
	mpz_init(v);
	expect_scalar_decode(g, c.q, VY_ERR_SCALAR_RANGE);
	mpz_add_ui(v, c.q, 1);
	expect_scalar_decode(g, v, VY_ERR_SCALAR_RANGE);
	mpz_set_ui(v, 0);
	mpz_setbit(v, 256);
	mpz_sub_ui(v, v, 1);
	expect_scalar_decode(g, v, VY_ERR_SCALAR_RANGE);
	mpz_sub_ui(v, c.q, 1);
	expect_scalar_decode(g, v, VY_OK);
	mpz_set_ui(v, 0);
	expect_scalar_decode(g, v, VY_OK);
	mpz_clear(v);
	eg_free(&c);
}

/* Small exponents, whose exponent limb count differs most from random ones,
 * give the right powers: g^0 = 1, g^1 = g, g^(q-1) = g^-1. */
static void test_modp_exp_edges(void **state)
{
	const vy_group *g = modp();
	vy_scalar k0, k1, kq1;
	vy_elem gen, id, r, t;

	(void)state;
	vy_elem_generator(g, &gen);
	vy_elem_identity(g, &id);
	vy_scalar_from_u64(g, &k0, 0);
	vy_scalar_from_u64(g, &k1, 1);
	vy_scalar_neg(g, &kq1, &k1);
	vy_elem_exp_base(g, &r, &k0);
	assert_true(vy_elem_eq(g, &r, &id));
	vy_elem_exp(g, &r, &gen, &k0);
	assert_true(vy_elem_eq(g, &r, &id));
	vy_elem_exp_base(g, &r, &k1);
	assert_true(vy_elem_eq(g, &r, &gen));
	vy_elem_exp_base(g, &r, &kq1);
	vy_elem_mul(g, &t, &r, &gen);
	assert_true(vy_elem_eq(g, &t, &id));
	vy_elem_div(g, &t, &id, &gen);
	assert_true(vy_elem_eq(g, &t, &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toy_decode_all_bytes),
		cmocka_unit_test(test_toy_decode_lengths),
		cmocka_unit_test(test_toy_elem_mul_div),
		cmocka_unit_test(test_toy_exp),
		cmocka_unit_test(test_toy_exp2),
		cmocka_unit_test(test_toy_scalar_arith),
		cmocka_unit_test(test_toy_scalar_alias),
		cmocka_unit_test(test_toy_scalar_reduce),
		cmocka_unit_test(test_toy_scalar_decode),
		cmocka_unit_test(test_toy_ops_zero_on_failure),
		cmocka_unit_test(test_gmp_wiping_allocator),
		cmocka_unit_test(test_modp_constants),
		cmocka_unit_test(test_modp_library_params),
		cmocka_unit_test(test_modp_decode),
		cmocka_unit_test(test_modp_decode_random_members),
		cmocka_unit_test(test_modp_scalar_decode),
		cmocka_unit_test(test_modp_exp_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
