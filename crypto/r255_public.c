/*
 * ristretto255 arithmetic for PUBLIC values only (r255_public.h): RFC 9496
 * decoding, encoding and equality, edwards25519 point arithmetic in
 * extended coordinates, and a variable-time multi-scalar multiplication
 * (Straus's interleaved method with width-w NAF scalars).
 *
 * Why: libsodium's public ristretto255 API decodes and re-encodes at every
 * addition and has no multi-scalar multiplication, and verification is
 * nothing but sums of public multiples. Everything that touches a secret
 * stays on libsodium's constant-time functions.
 *
 * Field elements mod p = 2^255 - 19 are five limbs of 51 bits, multiplied
 * with unsigned __int128. The field code has no branch and no table index
 * on its values (selections are masks), though its inputs are public. Limb
 * bounds, which every function below keeps:
 *   - "reduced": every limb < 2^51 + 2^18. fe_mul, fe_sq, fe_sub,
 *     fe_carry, fe_frombytes and the constants return reduced elements;
 *   - fe_add takes two elements with limbs < 2^53 (reduced, or the sum of
 *     two reduced ones) and returns limbs < 2^54, without carrying;
 *   - fe_mul and fe_sq take limbs < 2^54, and so does fe_sub's first
 *     argument; its second must be reduced;
 *   - fe_sub_loose, used in the point formulas where the difference only
 *     goes into products, takes a first argument < 2^53 and a reduced
 *     second one, and returns limbs < 2^54 (not carried).
 * With limbs < 2^54 a product's five 128-bit columns stay below 2^115 and
 * every carry below 2^64 (see fe_carry_wide).
 */
#include "crypto/r255_public.h"

#include <stdlib.h>
#include <string.h>

#if !defined(__SIZEOF_INT128__)
#error "r255_public.c needs unsigned __int128 (gcc or clang on a 64-bit target)"
#endif

typedef unsigned __int128 u128;
typedef vy_r255_fe fe;
typedef vy_r255_point ge_p3; /* extended (X : Y : Z : T) */

#define MASK51 ((UINT64_C(1) << 51) - 1)

/* ---- field constants (RFC 9496 §4.1), radix 2^51 ---- */

static const fe fe_zero = { { 0, 0, 0, 0, 0 } };
static const fe fe_one = { { 1, 0, 0, 0, 0 } };
/* d = -121665/121666 (RFC 7748 §4.1, RFC 9496 §4.1 D). */
static const fe fe_d = { { 0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb,
			   0x52036cee2b6ff } };
/* 2d, for the cached form of a point. */
static const fe fe_d2 = { { 0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977,
			    0x2406d9dc56dff } };
/* SQRT_M1: the non-negative square root of -1. */
static const fe fe_sqrt_m1 = { { 0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e,
				 0x2b8324804fc1d } };
/* INVSQRT_A_MINUS_D = 1/sqrt(a - d), a = -1. */
static const fe fe_invsqrt_a_minus_d = { { 0x0fdaa805d40ea, 0x2eb482e57d339, 0x007610274bc58,
					   0x6510b613dc8ff, 0x786c8905cfaff } };

/* 2p in radix 2^51, added before a subtraction so no limb goes negative. */
#define TWO_P0 UINT64_C(0xfffffffffffda)
#define TWO_PI UINT64_C(0xffffffffffffe)

/* ---- field arithmetic ---- */

static uint64_t load64_le(const uint8_t *b)
{
	uint64_t w = 0;

	for (int i = 7; i >= 0; i--)
		w = (w << 8) | b[i];
	return w;
}

static void store64_le(uint8_t *b, uint64_t w)
{
	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)w;
		w >>= 8;
	}
}

/* One carry pass: limbs < 2^51, limb 0 < 2^51 + 2^17, for limbs < 2^63. */
static void fe_carry(fe *h)
{
	uint64_t *v = h->v;

	v[1] += v[0] >> 51;
	v[0] &= MASK51;
	v[2] += v[1] >> 51;
	v[1] &= MASK51;
	v[3] += v[2] >> 51;
	v[2] &= MASK51;
	v[4] += v[3] >> 51;
	v[3] &= MASK51;
	v[0] += 19 * (v[4] >> 51); /* 2^255 = 19 mod p */
	v[4] &= MASK51;
}

/* h = f + g, no carry (bounds above). */
static void fe_add(fe *h, const fe *f, const fe *g)
{
	for (int i = 0; i < 5; i++)
		h->v[i] = f->v[i] + g->v[i];
}

/* h = f - g as f + 2p - g, without carrying: g must be reduced (its limbs
 * are then below those of 2p), and h's limbs are below f's plus 2^52. */
static void fe_sub_loose(fe *h, const fe *f, const fe *g)
{
	h->v[0] = f->v[0] + TWO_P0 - g->v[0];
	for (int i = 1; i < 5; i++)
		h->v[i] = f->v[i] + TWO_PI - g->v[i];
}

/* h = f - g, reduced. */
static void fe_sub(fe *h, const fe *f, const fe *g)
{
	fe_sub_loose(h, f, g);
	fe_carry(h);
}

static void fe_neg(fe *h, const fe *f)
{
	fe_sub(h, &fe_zero, f);
}

/* The five 128-bit columns of a product, carried into a reduced element.
 * fe_carry_wide, fe_mul and fe_sq are forced inline: at -O2 gcc kept them
 * as calls, passing five 128-bit values through memory, which cost about
 * 15 % of a whole record's verification. */
static inline __attribute__((always_inline)) void fe_carry_wide(fe *h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	uint64_t h0, h1, c;

	r1 += (uint64_t)(r0 >> 51);
	r2 += (uint64_t)(r1 >> 51);
	r3 += (uint64_t)(r2 >> 51);
	r4 += (uint64_t)(r3 >> 51);
	c = (uint64_t)(r4 >> 51);
	h0 = ((uint64_t)r0 & MASK51) + 19 * c;
	h1 = ((uint64_t)r1 & MASK51) + (h0 >> 51);
	h->v[0] = h0 & MASK51;
	h->v[1] = h1;
	h->v[2] = (uint64_t)r2 & MASK51;
	h->v[3] = (uint64_t)r3 & MASK51;
	h->v[4] = (uint64_t)r4 & MASK51;
}

/* h = f * g: schoolbook on the limbs, with 2^255 = 19 folding the upper half. */
static inline __attribute__((always_inline)) void fe_mul(fe *h, const fe *f, const fe *g)
{
	const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
	const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
	const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
	u128 r0, r1, r2, r3, r4;

	r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
	r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
	r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
	r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
	r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
	fe_carry_wide(h, r0, r1, r2, r3, r4);
}

/* h = f^2: fe_mul with the symmetric products merged. */
static inline __attribute__((always_inline)) void fe_sq(fe *h, const fe *f)
{
	const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
	const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
	const uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
	const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
	u128 r0, r1, r2, r3, r4;

	r0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
	r1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
	r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
	r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
	r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
	fe_carry_wide(h, r0, r1, r2, r3, r4);
}

/* h = f^(2^n), n >= 1. */
static void fe_sq_n(fe *h, const fe *f, int n)
{
	fe_sq(h, f);
	for (int i = 1; i < n; i++)
		fe_sq(h, h);
}

/* The 32-byte little-endian string, bit 255 ignored (RFC 9496 §4.3.1
 * checks canonicity separately, by re-encoding). */
static void fe_frombytes(fe *h, const uint8_t s[32])
{
	h->v[0] = load64_le(s) & MASK51;
	h->v[1] = (load64_le(s + 6) >> 3) & MASK51;
	h->v[2] = (load64_le(s + 12) >> 6) & MASK51;
	h->v[3] = (load64_le(s + 19) >> 1) & MASK51;
	h->v[4] = (load64_le(s + 24) >> 12) & MASK51;
}

/* The canonical encoding: the value fully reduced to [0, p), 32 bytes
 * little-endian. */
static void fe_tobytes(uint8_t s[32], const fe *f)
{
	fe t = *f;
	uint64_t q;

	fe_carry(&t);
	fe_carry(&t); /* every limb < 2^51 now: t < 2^255 */
	/* q = 1 iff t >= p, i.e. iff t + 19 carries out of bit 255. */
	q = (t.v[0] + 19) >> 51;
	q = (t.v[1] + q) >> 51;
	q = (t.v[2] + q) >> 51;
	q = (t.v[3] + q) >> 51;
	q = (t.v[4] + q) >> 51;
	/* t - q*p = t + 19q - q*2^255: add 19q, carry, drop bit 255. */
	t.v[0] += 19 * q;
	t.v[1] += t.v[0] >> 51;
	t.v[0] &= MASK51;
	t.v[2] += t.v[1] >> 51;
	t.v[1] &= MASK51;
	t.v[3] += t.v[2] >> 51;
	t.v[2] &= MASK51;
	t.v[4] += t.v[3] >> 51;
	t.v[3] &= MASK51;
	t.v[4] &= MASK51;
	store64_le(s, t.v[0] | (t.v[1] << 51));
	store64_le(s + 8, (t.v[1] >> 13) | (t.v[2] << 38));
	store64_le(s + 16, (t.v[2] >> 26) | (t.v[3] << 25));
	store64_le(s + 24, (t.v[3] >> 39) | (t.v[4] << 12));
}

/* 1 if the n bytes at a and b are equal, without branching. */
static int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= (uint8_t)(a[i] ^ b[i]);
	return (int)((((unsigned)acc) - 1) >> 8) & 1;
}

/* CT_EQ of RFC 9496 §4: equality of the field elements. */
static int fe_eq(const fe *f, const fe *g)
{
	uint8_t a[32], b[32];

	fe_tobytes(a, f);
	fe_tobytes(b, g);
	return bytes_eq(a, b, 32);
}

/* IS_NEGATIVE of RFC 9496 §4: the low bit of the canonical encoding. */
static int fe_isnegative(const fe *f)
{
	uint8_t s[32];

	fe_tobytes(s, f);
	return s[0] & 1;
}

static int fe_iszero(const fe *f)
{
	return fe_eq(f, &fe_zero);
}

/* CT_SELECT: f = flag ? g : f, with a mask; flag is 0 or 1. */
static void fe_cmov(fe *f, const fe *g, int flag)
{
	uint64_t mask = 0 - (uint64_t)flag;

	for (int i = 0; i < 5; i++)
		f->v[i] ^= mask & (f->v[i] ^ g->v[i]);
}

/* CT_ABS of RFC 9496 §4: -f if f is negative, else f. */
static void fe_abs(fe *h, const fe *f)
{
	fe neg;
	int negative = fe_isnegative(f);

	fe_neg(&neg, f);
	*h = *f;
	fe_cmov(h, &neg, negative);
}

/* h = z^((p - 5)/8) = z^(2^252 - 3), by the usual addition chain. */
static void fe_pow22523(fe *h, const fe *z)
{
	fe t0, t1, t2;

	fe_sq(&t0, z);            /* 2 */
	fe_sq_n(&t1, &t0, 2);     /* 8 */
	fe_mul(&t1, z, &t1);      /* 9 */
	fe_mul(&t0, &t0, &t1);    /* 11 */
	fe_sq(&t0, &t0);          /* 22 */
	fe_mul(&t0, &t1, &t0);    /* 2^5 - 1 */
	fe_sq_n(&t1, &t0, 5);     /* 2^10 - 2^5 */
	fe_mul(&t0, &t1, &t0);    /* 2^10 - 1 */
	fe_sq_n(&t1, &t0, 10);    /* 2^20 - 2^10 */
	fe_mul(&t1, &t1, &t0);    /* 2^20 - 1 */
	fe_sq_n(&t2, &t1, 20);    /* 2^40 - 2^20 */
	fe_mul(&t1, &t2, &t1);    /* 2^40 - 1 */
	fe_sq_n(&t1, &t1, 10);    /* 2^50 - 2^10 */
	fe_mul(&t0, &t1, &t0);    /* 2^50 - 1 */
	fe_sq_n(&t1, &t0, 50);    /* 2^100 - 2^50 */
	fe_mul(&t1, &t1, &t0);    /* 2^100 - 1 */
	fe_sq_n(&t2, &t1, 100);   /* 2^200 - 2^100 */
	fe_mul(&t1, &t2, &t1);    /* 2^200 - 1 */
	fe_sq_n(&t1, &t1, 50);    /* 2^250 - 2^50 */
	fe_mul(&t0, &t1, &t0);    /* 2^250 - 1 */
	fe_sq_n(&t0, &t0, 2);     /* 2^252 - 4 */
	fe_mul(h, &t0, z);        /* 2^252 - 3 */
}

/* SQRT_RATIO_M1(u, v) of RFC 9496 §4.2: r = sqrt(u/v) when u/v is a square
 * (was_square = 1), else sqrt(SQRT_M1 * u/v); r is non-negative. */
static int fe_sqrt_ratio_m1(fe *r, const fe *u, const fe *v)
{
	fe v3, v7, t, check, neg_u, neg_u_i, r_prime;
	int correct_sign_sqrt, flipped_sign_sqrt, flipped_sign_sqrt_i;

	fe_sq(&v3, v);
	fe_mul(&v3, &v3, v);      /* v^3 */
	fe_sq(&v7, &v3);
	fe_mul(&v7, &v7, v);      /* v^7 */
	fe_mul(&t, u, &v7);
	fe_pow22523(&t, &t);      /* (u v^7)^((p-5)/8) */
	fe_mul(r, u, &v3);
	fe_mul(r, r, &t);         /* r = (u v^3) (u v^7)^((p-5)/8) */
	fe_sq(&check, r);
	fe_mul(&check, &check, v); /* check = v r^2 */

	fe_neg(&neg_u, u);
	fe_mul(&neg_u_i, &neg_u, &fe_sqrt_m1);
	correct_sign_sqrt = fe_eq(&check, u);
	flipped_sign_sqrt = fe_eq(&check, &neg_u);
	flipped_sign_sqrt_i = fe_eq(&check, &neg_u_i);

	fe_mul(&r_prime, r, &fe_sqrt_m1);
	fe_cmov(r, &r_prime, flipped_sign_sqrt | flipped_sign_sqrt_i);
	fe_abs(r, r);
	return correct_sign_sqrt | flipped_sign_sqrt;
}

/* ---- points (edwards25519, a = -1) ---- */

/* "Completed" coordinates: the four factors E, F, G, H of RFC 8032
 * §5.1.4's addition and doubling, before the final products. */
typedef struct {
	fe E, F, G, H;
} ge_completed;

/* (X : Y : Z) without T, enough to double. */
typedef struct {
	fe X, Y, Z;
} ge_p2;

/* A point ready to be added: (Y + X, Y - X, Z, 2d T). */
typedef struct {
	fe YplusX, YminusX, Z, T2d;
} ge_cached;

/* X3 = E*F, Y3 = G*H, T3 = E*H, Z3 = F*G (RFC 8032 §5.1.4). */
static void completed_to_p3(ge_p3 *r, const ge_completed *c)
{
	fe_mul(&r->X, &c->E, &c->F);
	fe_mul(&r->Y, &c->G, &c->H);
	fe_mul(&r->T, &c->E, &c->H);
	fe_mul(&r->Z, &c->F, &c->G);
}

/* As completed_to_p3, without T (the next step is a doubling). */
static void completed_to_p2(ge_p2 *r, const ge_completed *c)
{
	fe_mul(&r->X, &c->E, &c->F);
	fe_mul(&r->Y, &c->G, &c->H);
	fe_mul(&r->Z, &c->F, &c->G);
}

/* Limbs: both sums and differences < 2^53 from reduced coordinates; they
 * only enter products. */
static void p3_to_cached(ge_cached *r, const ge_p3 *p)
{
	fe_add(&r->YplusX, &p->Y, &p->X);
	fe_sub_loose(&r->YminusX, &p->Y, &p->X);
	r->Z = p->Z;
	fe_mul(&r->T2d, &p->T, &fe_d2);
}

/* The unified addition of Hisil, Wong, Carter and Dawson (2008) with
 * a = -1, as in RFC 8032 §5.1.4, complete on edwards25519:
 *   A = (Y1-X1)*(Y2-X2), B = (Y1+X1)*(Y2+X2), C = T1*2*d*T2, D = Z1*2*Z2,
 *   E = B-A, F = D-C, G = D+C, H = B+A.
 * With neg, q is replaced by -q = (-X2, Y2, Z2, -T2): Y2-X2 and Y2+X2 swap
 * places and C changes sign. Limbs: p reduced; a, b, c and Z1*Z2 reduced,
 * D < 2^53, so E, F, G, H < 2^54, and they only enter products. */
static void add_cached(ge_completed *r, const ge_p3 *p, const ge_cached *q, int neg)
{
	fe a, b, c, d, t;

	fe_sub_loose(&t, &p->Y, &p->X);
	fe_mul(&a, &t, neg ? &q->YplusX : &q->YminusX);
	fe_add(&t, &p->Y, &p->X);
	fe_mul(&b, &t, neg ? &q->YminusX : &q->YplusX);
	fe_mul(&c, &p->T, &q->T2d);
	fe_mul(&d, &p->Z, &q->Z);
	fe_add(&d, &d, &d);
	fe_sub_loose(&r->E, &b, &a);
	fe_add(&r->H, &b, &a);
	if (neg) {
		fe_add(&r->F, &d, &c);
		fe_sub_loose(&r->G, &d, &c);
	} else {
		fe_sub_loose(&r->F, &d, &c);
		fe_add(&r->G, &d, &c);
	}
}

/* Doubling, RFC 8032 §5.1.4 (Hisil et al., a = -1):
 *   A = X1^2, B = Y1^2, C = 2*Z1^2, H = A+B, E = H-(X1+Y1)^2, G = A-B,
 *   F = C+G.
 * Limbs: p reduced; A, B, (X1+Y1)^2 reduced; C, H, E, G < 2^53, F < 2^54;
 * E, F, G, H only enter products. */
static void dbl_p2(ge_completed *r, const ge_p2 *p)
{
	fe a, b, c, t;

	fe_sq(&a, &p->X);
	fe_sq(&b, &p->Y);
	fe_sq(&c, &p->Z);
	fe_add(&c, &c, &c);
	fe_add(&r->H, &a, &b);
	fe_add(&t, &p->X, &p->Y);
	fe_sq(&t, &t);
	fe_sub_loose(&r->E, &r->H, &t);
	fe_sub_loose(&r->G, &a, &b);
	fe_add(&r->F, &c, &r->G);
}

static void p3_to_p2(ge_p2 *r, const ge_p3 *p)
{
	r->X = p->X;
	r->Y = p->Y;
	r->Z = p->Z;
}

void vy_r255_identity(vy_r255_point *p)
{
	p->X = fe_zero;
	p->Y = fe_one;
	p->Z = fe_one;
	p->T = fe_zero;
}

void vy_r255_add(vy_r255_point *r, const vy_r255_point *a, const vy_r255_point *b)
{
	ge_cached q;
	ge_completed c;

	p3_to_cached(&q, b);
	add_cached(&c, a, &q, 0);
	completed_to_p3(r, &c);
}

void vy_r255_sub(vy_r255_point *r, const vy_r255_point *a, const vy_r255_point *b)
{
	ge_cached q;
	ge_completed c;

	p3_to_cached(&q, b);
	add_cached(&c, a, &q, 1);
	completed_to_p3(r, &c);
}

/* ---- RFC 9496 §4.3 ---- */

/* §4.3.1 Decode. */
vy_err vy_r255_decode(vy_r255_point *p, const uint8_t in[VY_R255_BYTES])
{
	fe s, ss, u1, u2, u2_sqr, v, t, invsqrt, den_x, den_y, x, y;
	uint8_t again[VY_R255_BYTES];
	int canonical, was_square, ok;

	/* s must be the canonical encoding of a non-negative field element. */
	fe_frombytes(&s, in);
	fe_tobytes(again, &s);
	canonical = bytes_eq(again, in, VY_R255_BYTES) & (1 - (in[0] & 1));

	fe_sq(&ss, &s);
	fe_sub(&u1, &fe_one, &ss);       /* u1 = 1 - s^2 */
	fe_add(&u2, &fe_one, &ss);       /* u2 = 1 + s^2 */
	fe_sq(&u2_sqr, &u2);
	fe_sq(&t, &u1);
	fe_mul(&t, &fe_d, &t);
	fe_neg(&v, &t);
	fe_sub(&v, &v, &u2_sqr);         /* v = -(D * u1^2) - u2_sqr */
	fe_mul(&t, &v, &u2_sqr);
	was_square = fe_sqrt_ratio_m1(&invsqrt, &fe_one, &t);
	fe_mul(&den_x, &invsqrt, &u2);
	fe_mul(&den_y, &invsqrt, &den_x);
	fe_mul(&den_y, &den_y, &v);
	fe_add(&t, &s, &s);
	fe_mul(&x, &t, &den_x);
	fe_abs(&x, &x);                  /* x = CT_ABS(2 * s * den_x) */
	fe_mul(&y, &u1, &den_y);
	fe_mul(&t, &x, &y);
	ok = was_square & (1 - fe_isnegative(&t)) & (1 - fe_iszero(&y));

	if (!canonical || !ok) {
		vy_r255_identity(p);
		return canonical ? VY_ERR_NOT_IN_GROUP : VY_ERR_NONCANONICAL;
	}
	p->X = x;
	p->Y = y;
	p->Z = fe_one;
	p->T = t;
	return VY_OK;
}

/* §4.3.2 Encode. */
void vy_r255_encode(uint8_t out[VY_R255_BYTES], const vy_r255_point *p)
{
	fe u1, u2, t, invsqrt, den1, den2, z_inv, x, y, den_inv, r;
	int rotate;

	fe_add(&t, &p->Z, &p->Y);
	fe_sub(&u1, &p->Z, &p->Y);
	fe_mul(&u1, &t, &u1);            /* u1 = (z0 + y0) * (z0 - y0) */
	fe_mul(&u2, &p->X, &p->Y);       /* u2 = x0 * y0 */
	fe_sq(&t, &u2);
	fe_mul(&t, &u1, &t);
	(void)fe_sqrt_ratio_m1(&invsqrt, &fe_one, &t);
	fe_mul(&den1, &invsqrt, &u1);
	fe_mul(&den2, &invsqrt, &u2);
	fe_mul(&z_inv, &den1, &den2);
	fe_mul(&z_inv, &z_inv, &p->T);
	fe_mul(&t, &p->T, &z_inv);
	rotate = fe_isnegative(&t);

	x = p->X;
	y = p->Y;
	den_inv = den2;
	fe_mul(&t, &p->Y, &fe_sqrt_m1);
	fe_cmov(&x, &t, rotate);
	fe_mul(&t, &p->X, &fe_sqrt_m1);
	fe_cmov(&y, &t, rotate);
	fe_mul(&t, &den1, &fe_invsqrt_a_minus_d);
	fe_cmov(&den_inv, &t, rotate);

	fe_mul(&t, &x, &z_inv);
	fe_neg(&r, &y);
	fe_cmov(&y, &r, fe_isnegative(&t));
	fe_sub(&t, &p->Z, &y);
	fe_mul(&t, &den_inv, &t);
	fe_abs(&r, &t);                  /* s = CT_ABS(den_inv * (z - y)) */
	fe_tobytes(out, &r);
}

/* §4.3.3 Equality: x1*y2 == y1*x2 or y1*y2 == x1*x2. */
int vy_r255_eq(const vy_r255_point *a, const vy_r255_point *b)
{
	fe l, r;
	int eq1, eq2;

	fe_mul(&l, &a->X, &b->Y);
	fe_mul(&r, &a->Y, &b->X);
	eq1 = fe_eq(&l, &r);
	fe_mul(&l, &a->Y, &b->Y);
	fe_mul(&r, &a->X, &b->X);
	eq2 = fe_eq(&l, &r);
	return eq1 | eq2;
}

/* ---- multi-scalar multiplication (variable time) ---- */

#define VAR_WINDOW 5                          /* width of the NAF of a variable base */
#define VAR_TABLE (1 << (VAR_WINDOW - 2))     /* P, 3P, ..., 15P */
#define GEN_WINDOW 8                          /* width of the NAF for the generator */
#define GEN_TABLE (1 << (GEN_WINDOW - 2))     /* B, 3B, ..., 127B */
#define CHUNK 8                               /* variable bases per Straus pass */
#define NAF_DIGITS 256

/* B, 3B, 5B, ..., 127B; written once by vy_r255_public_init. */
static ge_cached gen_table[GEN_TABLE];
static int gen_table_ready;

/* The generator's encoding (RFC 9496 §4.4, specs/crypto.md §2.1). */
static const uint8_t gen_encoding[VY_R255_BYTES] = {
	0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
	0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76,
};

/* tab[i] = (2i + 1) p for i < count. */
static void odd_multiples(ge_cached *tab, size_t count, const ge_p3 *p)
{
	ge_completed c;
	ge_cached two;
	ge_p3 p2, cur;
	ge_p2 pp;

	p3_to_p2(&pp, p);
	dbl_p2(&c, &pp);
	completed_to_p3(&p2, &c);
	p3_to_cached(&two, &p2);
	p3_to_cached(&tab[0], p);
	cur = *p;
	for (size_t i = 1; i < count; i++) {
		add_cached(&c, &cur, &two, 0);
		completed_to_p3(&cur, &c);
		p3_to_cached(&tab[i], &cur);
	}
}

/*
 * The width-w non-adjacent form of a scalar below 2^255: naf[i] odd or
 * zero, |naf[i]| < 2^(w-1), at most one non-zero digit in any w
 * consecutive ones, and k = sum naf[i] 2^i. Returns one more than the
 * index of the highest non-zero digit (0 for k = 0).
 */
static size_t wnaf(int8_t naf[NAF_DIGITS], const uint8_t k[32], unsigned w)
{
	const uint64_t width = UINT64_C(1) << w, mask = width - 1;
	uint64_t x[5], carry = 0;
	size_t pos = 0, top = 0;

	for (int i = 0; i < 4; i++)
		x[i] = load64_le(k + 8 * i);
	x[4] = 0;
	memset(naf, 0, NAF_DIGITS);
	while (pos < NAF_DIGITS) {
		size_t word = pos / 64, bit = pos % 64;
		uint64_t buf, window;

		buf = x[word] >> bit;
		if (bit + w > 64)
			buf |= x[word + 1] << (64 - bit);
		window = carry + (buf & mask);
		if ((window & 1) == 0) {
			pos++;
			continue;
		}
		if (window < width / 2) {
			carry = 0;
			naf[pos] = (int8_t)window;
		} else {
			carry = 1;
			naf[pos] = (int8_t)((int64_t)window - (int64_t)width);
		}
		top = pos + 1;
		pos += w;
	}
	return top;
}

/* Adds the digit d's multiple from an odd-multiples table to t. */
static void add_digit(ge_completed *t, const ge_cached *tab, int d)
{
	ge_p3 u;

	completed_to_p3(&u, t);
	if (d > 0)
		add_cached(t, &u, &tab[d / 2], 0);
	else
		add_cached(t, &u, &tab[-d / 2], 1);
}

/* One Straus pass: r = kg*B + sum_{i < m} k[i] p[i], m <= CHUNK; the
 * doublings are shared by every term. */
static void straus(ge_p3 *r, const vy_scalar *kg, size_t m, const ge_p3 *p, const vy_scalar *k)
{
	ge_cached tab[CHUNK][VAR_TABLE];
	int8_t naf[CHUNK][NAF_DIGITS], gnaf[NAF_DIGITS];
	size_t top = 0, len;
	ge_completed t;
	ge_p2 acc;

	for (size_t i = 0; i < m; i++) {
		len = wnaf(naf[i], k[i].b, VAR_WINDOW);
		if (len == 0)
			continue; /* a zero scalar: no table needed */
		odd_multiples(tab[i], VAR_TABLE, &p[i]);
		top = len > top ? len : top;
	}
	if (kg != NULL) {
		len = wnaf(gnaf, kg->b, GEN_WINDOW);
		top = len > top ? len : top;
	}
	vy_r255_identity(r);
	if (top == 0)
		return;
	p3_to_p2(&acc, r);
	for (size_t pos = top; pos-- > 0;) {
		dbl_p2(&t, &acc);
		for (size_t i = 0; i < m; i++)
			if (naf[i][pos] != 0)
				add_digit(&t, tab[i], naf[i][pos]);
		if (kg != NULL && gnaf[pos] != 0)
			add_digit(&t, gen_table, gnaf[pos]);
		if (pos > 0)
			completed_to_p2(&acc, &t);
		else
			completed_to_p3(r, &t);
	}
}

void vy_r255_multiexp(vy_r255_point *r, const vy_scalar *kg, size_t n, const vy_r255_point *p,
		      const vy_scalar *k)
{
	ge_p3 acc, part;
	size_t done = 0;

	if (kg != NULL && !gen_table_ready)
		abort(); /* vy_init was not called: a programming error */
	do {
		size_t m = n - done < CHUNK ? n - done : CHUNK;

		straus(&part, kg, m, p + done, k + done);
		if (done == 0)
			acc = part;
		else
			vy_r255_add(&acc, &acc, &part);
		kg = NULL;
		done += m;
	} while (done < n);
	*r = acc;
}

void vy_r255_public_init(void)
{
	ge_p3 b;

	if (gen_table_ready)
		return;
	if (vy_r255_decode(&b, gen_encoding) != VY_OK)
		abort(); /* cannot happen: the RFC's generator */
	odd_multiples(gen_table, GEN_TABLE, &b);
	gen_table_ready = 1;
}

/* ---- test hooks ---- */

int vy_r255_sqrt_ratio_m1(uint8_t r[VY_R255_BYTES], const uint8_t u[VY_R255_BYTES],
			  const uint8_t v[VY_R255_BYTES])
{
	fe fu, fv, fr;
	int was_square;

	fe_frombytes(&fu, u);
	fe_frombytes(&fv, v);
	was_square = fe_sqrt_ratio_m1(&fr, &fu, &fv);
	fe_tobytes(r, &fr);
	return was_square;
}

void vy_r255_constant(uint8_t out[VY_R255_BYTES], vy_r255_const which)
{
	switch (which) {
	case VY_R255_CONST_D:
		fe_tobytes(out, &fe_d);
		break;
	case VY_R255_CONST_SQRT_M1:
		fe_tobytes(out, &fe_sqrt_m1);
		break;
	case VY_R255_CONST_INVSQRT_A_MINUS_D:
		fe_tobytes(out, &fe_invsqrt_a_minus_d);
		break;
	default:
		memset(out, 0, VY_R255_BYTES);
		break;
	}
}
