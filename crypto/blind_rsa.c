/*
 * RSA blind signatures: RFC 9474 RSABSSA-SHA384-PSS-Randomized
 * (specs/crypto.md §9).
 *
 *   client     prepare    §9.3   prepared = randomizer || msg
 *   client     blind      §9.4   m = EMSA-PSS-ENCODE(prepared, salt)
 *                                blinded = m * r^e mod n, inv = r^-1 mod n
 *   registrar  blind_sign §9.5   s = blinded^d mod n (CRT), check s^e = blinded
 *   client     finalize   §9.6   sig = s * inv mod n, then verify
 *   anyone     verify     §9.7   RSASSA-PSS-VERIFY(n, e, prepared, sig)
 *
 * Secret arithmetic (everything that touches p, q, d, r or inv) runs on
 * GMP's mpn layer at fixed limb counts with the mpn_sec_* and mpn_cnd_*
 * functions, so neither time nor memory accesses depend on the values:
 * the CRT exponentiations (mpn_sec_powm, what mpz_powm_sec runs), the
 * reductions (mpn_sec_div_r) and products (mpn_sec_mul); the inverses at
 * blinding are masked (masked_invert). Verification, the check of blind_sign and key
 * generation (the primality search) use mpz. SHA-384 is libsodium's
 * SHA-512 from SHA-384's initial value (sha384.c). The secret key lives in sodium_malloc'd
 * guarded memory as big-endian bytes, read-only once made; every
 * temporary copy is wiped at the one exit of each function (GMP's
 * allocator wipes what mpz frees, crypto/gmp_alloc.c).
 */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <pthread.h>
#include <sodium.h>

#include "crypto/blind_rsa_impl.h"
#include "crypto/internal.h"

#if GMP_NAIL_BITS != 0
#error "blind_rsa.c assumes GMP limbs without nail bits"
#endif

#define LIMB_BYTES (GMP_NUMB_BITS / 8)
#define MAX_LIMBS (VY_RSA_MAX_BYTES / LIMB_BYTES)
#define MIN_BYTES (VY_RSA_MIN_BITS / 8)
#define HLEN VY_BLIND_RSA_HASH_BYTES
#define PSS_ZEROS 8            /* M' = 0x00 * 8 || mHash || salt (RFC 8017 §9.1.1) */
#define PSS_TRAILER 0xbc
#define PSS_SEPARATOR 0x01
#define PRIME_REPS 32          /* Miller-Rabin rounds of mpz_probab_prime_p */
#define SIEVE_LIMIT (1u << 20) /* small primes for the safe-prime sieve */
#define SIEVE_MAX_PRIMES 82025 /* the odd primes below 2^20 */
#define SIEVE_WINDOW (1u << 18) /* candidates c0 + 2j, j < SIEVE_WINDOW, sieved at once */
#define RANDOM_TRIES 64        /* draws of r before giving up (each fails with p < 2^-1000) */
#define PRIME_MIN_DISTANCE_BITS 100 /* |p - q| > 2^(bits/2 - 100) */

struct vy_rsa_sk {
	vy_rsa_pk pk;
	mp_size_t p_limbs, q_limbs; /* limb counts of p and q (top limb non-zero) */
	/* all k bytes, big-endian, zero-padded on the left */
	uint8_t p[VY_RSA_MAX_BYTES];
	uint8_t q[VY_RSA_MAX_BYTES];
	uint8_t d[VY_RSA_MAX_BYTES];
	uint8_t dp[VY_RSA_MAX_BYTES];   /* d mod (p - 1) */
	uint8_t dq[VY_RSA_MAX_BYTES];   /* d mod (q - 1) */
	uint8_t qinv[VY_RSA_MAX_BYTES]; /* q^-1 mod p */
};

/* ---- hashing: SHA-384 and MGF1 ---- */

/* out = SHA-384(a || b || c); parts may be empty. */
static vy_err sha384(uint8_t out[HLEN], const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		     const uint8_t *c, size_t c_len)
{
	crypto_hash_sha512_state st;

	vy_sha384_init(&st);
	vy_sha384_update(&st, a, a_len);
	vy_sha384_update(&st, b, b_len);
	vy_sha384_update(&st, c, c_len);
	vy_sha384_final(&st, out);
	vy_wipe(&st, sizeof st);
	return VY_OK;
}

/* db ^= MGF1-SHA-384(seed, db_len) (RFC 8017 §B.2.1). */
static vy_err mgf1_xor(uint8_t *db, size_t db_len, const uint8_t seed[HLEN])
{
	uint8_t block[HLEN], ctr[4];
	vy_err err = VY_OK;

	for (size_t off = 0, i = 0; off < db_len; off += HLEN, i++) {
		vy_put_u32be(ctr, (uint32_t)i);
		err = sha384(block, seed, HLEN, ctr, sizeof ctr, NULL, 0);
		if (err != VY_OK)
			break;
		for (size_t j = 0; j < HLEN && off + j < db_len; j++)
			db[off + j] ^= block[j];
	}
	vy_wipe(block, sizeof block);
	return err;
}

/* ---- integers ---- */

/* Limbs needed for len bytes. */
static mp_size_t limbs_for(size_t len)
{
	return (mp_size_t)((len + LIMB_BYTES - 1) / LIMB_BYTES);
}

/* out[0..nl) = the big-endian bytes be[0..len), whose bytes beyond nl
 * limbs must be zero. Runs in time independent of the value. */
static void limbs_from_bytes(mp_limb_t *out, mp_size_t nl, const uint8_t *be, size_t len)
{
	memset(out, 0, (size_t)nl * sizeof *out);
	for (size_t i = 0; i < len && i < (size_t)nl * LIMB_BYTES; i++)
		out[i / LIMB_BYTES] |= (mp_limb_t)be[len - 1 - i] << (8 * (i % LIMB_BYTES));
}

/* be[0..len) = the low len bytes of in[0..nl), big-endian. */
static void limbs_to_bytes(uint8_t *be, size_t len, const mp_limb_t *in, mp_size_t nl)
{
	for (size_t i = 0; i < len; i++)
		be[len - 1 - i] = i / LIMB_BYTES < (size_t)nl ? (uint8_t)(in[i / LIMB_BYTES] >> (8 * (i % LIMB_BYTES))) : 0;
}

static void mpz_from_bytes(mpz_t x, const uint8_t *be, size_t len)
{
	mpz_import(x, len, 1, 1, 0, 0, be);
}

/* be[0..len) = x, left-padded; VY_ERR_ARG if x does not fit. */
static vy_err mpz_to_bytes(uint8_t *be, size_t len, const mpz_t x)
{
	size_t need = (mpz_sizeinbase(x, 2) + 7) / 8;

	if (mpz_sgn(x) < 0 || need > len)
		return VY_ERR_ARG;
	memset(be, 0, len);
	mpz_export(be + len - need, NULL, 1, 1, 0, 0, x);
	return VY_OK;
}

size_t vy_rsa_pk_bits(const vy_rsa_pk *pk)
{
	size_t bits = 8 * (pk->n_len - 1);

	for (unsigned top = pk->n[0]; top != 0; top >>= 1)
		bits++;
	return bits;
}

/* Scratch for the mpn_sec_* calls on numbers of at most nl limbs. */
typedef struct {
	mp_limb_t *tp;
	size_t n;
} scratch;

static vy_err scratch_init(scratch *s, mp_size_t nl, mp_bitcnt_t exp_bits)
{
	mp_size_t need = mpn_sec_invert_itch(nl);

	/* the calls use moduli of 1..nl limbs (n, p or q): take the largest need */
	for (mp_size_t j = 1; j <= nl; j++) {
		if (mpn_sec_powm_itch(nl, exp_bits, j) > need)
			need = mpn_sec_powm_itch(nl, exp_bits, j);
		if (mpn_sec_div_r_itch(2 * nl, j) > need)
			need = mpn_sec_div_r_itch(2 * nl, j);
		if (mpn_sec_mul_itch(nl, j) > need)
			need = mpn_sec_mul_itch(nl, j);
	}
	s->n = (size_t)need;
	s->tp = sodium_allocarray(s->n, sizeof *s->tp);
	return s->tp != NULL ? VY_OK : VY_ERR_NOMEM;
}

/* sodium_free wipes before it frees. */
static void scratch_free(scratch *s)
{
	sodium_free(s->tp);
	s->tp = NULL;
}

/* r[0..mn) = a[0..an) * b[0..bn) mod m[0..mn), constant time; an >= bn,
 * an + bn <= 2 * MAX_LIMBS. */
static void sec_mulmod(mp_limb_t *r, const mp_limb_t *a, mp_size_t an, const mp_limb_t *b, mp_size_t bn,
		       const mp_limb_t *m, mp_size_t mn, scratch *s)
{
	mp_limb_t w[2 * MAX_LIMBS];

	mpn_sec_mul(w, a, an, b, bn, s->tp);
	mpn_sec_div_r(w, an + bn, m, mn, s->tp);
	memcpy(r, w, (size_t)mn * sizeof *r);
	vy_wipe(w, sizeof w);
}

/*
 * out = x^-1 mod n, for a secret x, in time independent of x: with a fresh
 * uniform mask u in (0, n), y = x * u mod n is computed in constant time;
 * y is then uniform and independent of x, so GMP's variable-time mpz_invert
 * may invert it (about 30 times faster than mpn_sec_invert on 3072 bits);
 * and x^-1 = y^-1 * u. The classic blinded inversion of RSA
 * implementations. Returns 1, or 0 if x is not invertible (then neither is
 * y; an u that is not invertible would factor n: it never happens).
 */
static int in_range(const vy_rsa_pk *pk, const uint8_t *x);

static int masked_invert(mp_limb_t *out, const mp_limb_t *x, const mp_limb_t *n, const vy_rsa_pk *pk,
			 mp_size_t nl, scratch *s)
{
	uint8_t ub[VY_RSA_MAX_BYTES], yb[VY_RSA_MAX_BYTES];
	mp_limb_t u[MAX_LIMBS], y[MAX_LIMBS];
	size_t bits = vy_rsa_pk_bits(pk), len = pk->n_len, written, sz;
	mpz_t yz, nz;
	int ok;

	do { /* u uniform in (0, n): rejection sampling on bits(n) bits */
		randombytes_buf(ub, len);
		ub[0] &= (uint8_t)(0xff >> (8 * len - bits));
	} while (!in_range(pk, ub));
	limbs_from_bytes(u, nl, ub, len);
	sec_mulmod(y, x, nl, u, nl, n, nl, s);
	limbs_to_bytes(yb, len, y, nl);
	mpz_init(yz);
	mpz_init(nz);
	mpz_import(yz, len, 1, 1, 0, 0, yb);
	mpz_import(nz, len, 1, 1, 0, 0, pk->n);
	ok = mpz_invert(yz, yz, nz) != 0;
	if (ok) {
		sz = (mpz_sizeinbase(yz, 2) + 7) / 8; /* y^-1 < n: sz <= len */
		memset(yb, 0, len);
		mpz_export(yb + len - sz, &written, 1, 1, 0, 0, yz);
		limbs_from_bytes(y, nl, yb, len);
		sec_mulmod(out, y, nl, u, nl, n, nl, s);
	}
	mpz_clear(yz); /* the wiping allocator clears what mpz frees */
	mpz_clear(nz);
	vy_wipe(ub, sizeof ub);
	vy_wipe(yb, sizeof yb);
	vy_wipe(u, sizeof u);
	vy_wipe(y, sizeof y);
	return ok;
}

/* ---- EMSA-PSS (RFC 8017 §9.1) ---- */

/* §9.4 step 1: EMSA-PSS-ENCODE with emBits = mod_bits - 1, written right-
 * aligned into em[0..k). */
vy_err vy_emsa_pss_encode(uint8_t *em, size_t k, size_t mod_bits, const uint8_t *msg, size_t msg_len,
			  const uint8_t *salt, size_t salt_len)
{
	static const uint8_t zeros[PSS_ZEROS];
	size_t em_bits = mod_bits - 1, em_len = (em_bits + 7) / 8, db_len;
	uint8_t mhash[HLEN], h[HLEN], mprime[HLEN + VY_BLIND_RSA_SALT_BYTES];
	uint8_t *db;
	vy_err err;

	if (em == NULL || (msg == NULL && msg_len > 0) || (salt == NULL && salt_len > 0) ||
	    salt_len > VY_BLIND_RSA_SALT_BYTES || mod_bits < 2 || k != (mod_bits + 7) / 8 ||
	    em_len < HLEN + salt_len + 2)
		return VY_ERR_ARG;
	memset(em, 0, k);
	db = em + (k - em_len);
	db_len = em_len - HLEN - 1;
	err = sha384(mhash, msg, msg_len, NULL, 0, NULL, 0);
	if (err != VY_OK)
		goto out;
	memcpy(mprime, mhash, HLEN);
	if (salt_len > 0)
		memcpy(mprime + HLEN, salt, salt_len);
	err = sha384(h, zeros, sizeof zeros, mprime, HLEN + salt_len, NULL, 0);
	if (err != VY_OK)
		goto out;
	/* DB = PS || 0x01 || salt, then masked with MGF1(H). */
	db[db_len - salt_len - 1] = PSS_SEPARATOR;
	if (salt_len > 0)
		memcpy(db + db_len - salt_len, salt, salt_len);
	err = mgf1_xor(db, db_len, h);
	if (err != VY_OK)
		goto out;
	db[0] &= (uint8_t)(0xff >> (8 * em_len - em_bits));
	memcpy(db + db_len, h, HLEN);
	db[db_len + HLEN] = PSS_TRAILER;
out:
	if (err != VY_OK)
		vy_wipe(em, k);
	vy_wipe(mprime, sizeof mprime);
	return err;
}

/* EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of em[0..em_len), em_bits bits.
 * Public data only. */
static vy_err emsa_pss_verify(const uint8_t *msg, size_t msg_len, const uint8_t *em, size_t em_len, size_t em_bits,
			      size_t salt_len)
{
	static const uint8_t zeros[PSS_ZEROS];
	uint8_t mhash[HLEN], h[HLEN], mprime[HLEN + VY_BLIND_RSA_SALT_BYTES], db[VY_RSA_MAX_BYTES];
	size_t db_len, ps_len;
	uint8_t top_mask = (uint8_t)(0xff >> (8 * em_len - em_bits));
	vy_err err;

	if (em_len < HLEN + salt_len + 2 || em[em_len - 1] != PSS_TRAILER)
		return VY_ERR_SIGNATURE;
	db_len = em_len - HLEN - 1;
	if ((em[0] & (uint8_t)~top_mask) != 0)
		return VY_ERR_SIGNATURE;
	memcpy(db, em, db_len);
	err = mgf1_xor(db, db_len, em + db_len);
	if (err != VY_OK)
		return err;
	db[0] &= top_mask;
	ps_len = db_len - salt_len - 1;
	for (size_t i = 0; i < ps_len; i++)
		if (db[i] != 0)
			return VY_ERR_SIGNATURE;
	if (db[ps_len] != PSS_SEPARATOR)
		return VY_ERR_SIGNATURE;
	err = sha384(mhash, msg, msg_len, NULL, 0, NULL, 0);
	if (err != VY_OK)
		return err;
	memcpy(mprime, mhash, HLEN);
	memcpy(mprime + HLEN, db + db_len - salt_len, salt_len);
	err = sha384(h, zeros, sizeof zeros, mprime, HLEN + salt_len, NULL, 0);
	if (err != VY_OK)
		return err;
	return sodium_memcmp(h, em + db_len, HLEN) == 0 ? VY_OK : VY_ERR_SIGNATURE;
}

/* ---- public key (§9.1) ---- */

vy_err vy_rsa_pk_import(vy_rsa_pk *pk, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
	size_t bits;

	if (pk == NULL || n == NULL || e == NULL)
		return VY_ERR_ARG;
	memset(pk, 0, sizeof *pk);
	if (n_len < MIN_BYTES || n_len > VY_RSA_MAX_BYTES || e_len < 1 || e_len > VY_RSA_MAX_EXPONENT_BYTES)
		return VY_ERR_LENGTH;
	if (n[0] == 0 || (n[n_len - 1] & 1) == 0 || e[0] == 0 || (e[e_len - 1] & 1) == 0 ||
	    (e_len == 1 && e[0] < 3))
		return VY_ERR_NONCANONICAL;
	pk->n_len = n_len;
	memcpy(pk->n, n, n_len);
	bits = vy_rsa_pk_bits(pk);
	if (bits < VY_RSA_MIN_BITS) {
		memset(pk, 0, sizeof *pk);
		return VY_ERR_LENGTH;
	}
	pk->e_len = e_len;
	memcpy(pk->e, e, e_len);
	return VY_OK;
}

/* ---- secret key (§9.2) ---- */

/* Fill a new key from p, q, e: n, d = e^-1 mod lcm(p-1, q-1), d mod (p-1),
 * d mod (q-1), q^-1 mod p. The inputs were checked by the caller. */
static vy_err sk_make(vy_rsa_sk **out, const mpz_t p, const mpz_t q, const mpz_t e)
{
	mpz_t n, p1, q1, lambda, d, t;
	vy_rsa_sk *sk;
	size_t k;
	vy_err err = VY_ERR_VALUE_RANGE;

	*out = NULL;
	mpz_inits(n, p1, q1, lambda, d, t, NULL);
	sk = sodium_malloc(sizeof *sk);
	if (sk == NULL) {
		err = VY_ERR_NOMEM;
		goto out;
	}
	memset(sk, 0, sizeof *sk);
	mpz_mul(n, p, q);
	mpz_sub_ui(p1, p, 1);
	mpz_sub_ui(q1, q, 1);
	mpz_lcm(lambda, p1, q1);
	if (!mpz_invert(d, e, lambda))
		goto out;
	k = (mpz_sizeinbase(n, 2) + 7) / 8;
	sk->pk.n_len = k;
	sk->pk.e_len = (mpz_sizeinbase(e, 2) + 7) / 8;
	sk->p_limbs = (mp_size_t)mpz_size(p);
	sk->q_limbs = (mp_size_t)mpz_size(q);
	if (mpz_to_bytes(sk->pk.n, k, n) != VY_OK || mpz_to_bytes(sk->pk.e, sk->pk.e_len, e) != VY_OK ||
	    mpz_to_bytes(sk->p, k, p) != VY_OK || mpz_to_bytes(sk->q, k, q) != VY_OK ||
	    mpz_to_bytes(sk->d, k, d) != VY_OK)
		goto out;
	mpz_mod(t, d, p1);
	if (mpz_to_bytes(sk->dp, k, t) != VY_OK)
		goto out;
	mpz_mod(t, d, q1);
	if (mpz_to_bytes(sk->dq, k, t) != VY_OK)
		goto out;
	if (!mpz_invert(t, q, p) || mpz_to_bytes(sk->qinv, k, t) != VY_OK)
		goto out;
	sodium_mprotect_readonly(sk);
	*out = sk;
	sk = NULL;
	err = VY_OK;
out:
	if (sk != NULL)
		sodium_free(sk);
	mpz_clears(n, p1, q1, lambda, d, t, NULL);
	return err;
}

/* The checks of vy_rsa_sk_import on p, q, e (all public to the key's
 * owner): distinct probable primes, 3072..8192-bit n, odd e >= 3 of at
 * most 8 bytes. */
static vy_err sk_check(const mpz_t p, const mpz_t q, const mpz_t e)
{
	mpz_t n;
	size_t bits;

	mpz_init(n);
	mpz_mul(n, p, q);
	bits = mpz_sizeinbase(n, 2);
	mpz_clear(n);
	if (bits < VY_RSA_MIN_BITS || bits > VY_RSA_MAX_BITS)
		return VY_ERR_LENGTH;
	if (mpz_cmp_ui(e, 3) < 0 || mpz_even_p(e) || mpz_sizeinbase(e, 2) > 8 * VY_RSA_MAX_EXPONENT_BYTES)
		return VY_ERR_VALUE_RANGE;
	if (mpz_cmp(p, q) == 0 || mpz_probab_prime_p(p, PRIME_REPS) == 0 || mpz_probab_prime_p(q, PRIME_REPS) == 0)
		return VY_ERR_VALUE_RANGE;
	return VY_OK;
}

vy_err vy_rsa_sk_import(vy_rsa_sk **sk, const uint8_t *p, size_t p_len, const uint8_t *q, size_t q_len,
			const uint8_t *e, size_t e_len)
{
	mpz_t mp, mq, me;
	vy_err err;

	if (sk == NULL || p == NULL || q == NULL || e == NULL)
		return VY_ERR_ARG;
	*sk = NULL;
	if (p_len > VY_RSA_MAX_BYTES || q_len > VY_RSA_MAX_BYTES || e_len > VY_RSA_MAX_EXPONENT_BYTES)
		return VY_ERR_LENGTH;
	mpz_inits(mp, mq, me, NULL);
	mpz_from_bytes(mp, p, p_len);
	mpz_from_bytes(mq, q, q_len);
	mpz_from_bytes(me, e, e_len);
	err = sk_check(mp, mq, me);
	if (err == VY_OK)
		err = sk_make(sk, mp, mq, me);
	mpz_clears(mp, mq, me, NULL);
	return err;
}

vy_err vy_rsa_sk_export(const vy_rsa_sk *sk, uint8_t *p, size_t p_len, uint8_t *q, size_t q_len)
{
	size_t k;

	if (sk == NULL || p == NULL || q == NULL)
		return VY_ERR_ARG;
	k = sk->pk.n_len;
	/* the primes are stored as k bytes; what lies beyond the caller's
	 * length must be zero padding */
	for (size_t i = 0; i + p_len < k; i++)
		if (sk->p[i] != 0)
			return VY_ERR_ARG;
	for (size_t i = 0; i + q_len < k; i++)
		if (sk->q[i] != 0)
			return VY_ERR_ARG;
	memset(p, 0, p_len);
	memset(q, 0, q_len);
	memcpy(p + (p_len > k ? p_len - k : 0), sk->p + (p_len < k ? k - p_len : 0), p_len < k ? p_len : k);
	memcpy(q + (q_len > k ? q_len - k : 0), sk->q + (q_len < k ? k - q_len : 0), q_len < k ? q_len : k);
	return VY_OK;
}

void vy_rsa_sk_public(const vy_rsa_sk *sk, vy_rsa_pk *pk)
{
	*pk = sk->pk;
}

void vy_rsa_sk_free(vy_rsa_sk *sk)
{
	if (sk != NULL)
		sodium_free(sk); /* wipes */
}

/* ---- key generation (§9.2) ---- */

/* The odd primes below SIEVE_LIMIT, in a malloc'd array; NULL if out of memory. */
static uint32_t *small_primes(size_t *count)
{
	uint8_t *composite = calloc(SIEVE_LIMIT, 1);
	uint32_t *out = malloc(SIEVE_MAX_PRIMES * sizeof *out);
	size_t n = 0;

	if (composite == NULL || out == NULL) {
		free(composite);
		free(out);
		return NULL;
	}
	for (uint32_t i = 3; i < SIEVE_LIMIT; i += 2) {
		if (composite[i])
			continue;
		out[n++] = i;
		for (uint64_t j = (uint64_t)i * i; j < SIEVE_LIMIT; j += 2 * i)
			composite[j] = 1;
	}
	free(composite);
	*count = n;
	return out;
}

/* A random odd integer of exactly `bits` bits whose two top bits are set. */
static void random_odd(mpz_t x, unsigned bits)
{
	uint8_t buf[VY_RSA_MAX_BYTES];
	size_t len = (bits + 7) / 8;

	randombytes_buf(buf, len);
	mpz_from_bytes(x, buf, len);
	vy_wipe(buf, sizeof buf);
	mpz_fdiv_r_2exp(x, x, bits);
	mpz_setbit(x, bits - 1);
	mpz_setbit(x, bits - 2);
	mpz_setbit(x, 0);
}

/* 1 if c and 2c + 1 pass a base-2 Fermat test and then GMP's probable-
 * prime test (Baillie-PSW plus Miller-Rabin rounds). */
static int is_safe_pair(const mpz_t c, mpz_t p, mpz_t t)
{
	mpz_t two;
	int ok;

	mpz_init_set_ui(two, 2);
	mpz_sub_ui(t, c, 1);
	mpz_powm(t, two, t, c);
	ok = mpz_cmp_ui(t, 1) == 0;
	if (ok) {
		mpz_mul_2exp(p, c, 1);
		mpz_add_ui(p, p, 1);
		mpz_sub_ui(t, p, 1);
		mpz_powm(t, two, t, p);
		ok = mpz_cmp_ui(t, 1) == 0;
	}
	ok = ok && mpz_probab_prime_p(c, PRIME_REPS) > 0 && mpz_probab_prime_p(p, PRIME_REPS) > 0;
	mpz_clear(two);
	return ok;
}

/* Mark in sieve[0..SIEVE_WINDOW) every j for which c = c0 + 2j or
 * 2c + 1 has the small prime s as a factor (c0 odd). */
static void sieve_one(uint8_t *sieve, const mpz_t c0, uint32_t s)
{
	uint64_t r = mpz_fdiv_ui(c0, s), inv2 = (s + 1) / 2, inv4 = inv2 * inv2 % s;
	/* c0 + 2j = 0 (mod s)  <=>  j = -r / 2;  2(c0 + 2j) + 1 = 0  <=>  j = -(2r + 1) / 4 */
	uint64_t j1 = (s - r) % s * inv2 % s, j2 = (s - (2 * r + 1) % s) % s * inv4 % s;

	for (uint64_t j = j1; j < SIEVE_WINDOW; j += s)
		sieve[j] = 1;
	for (uint64_t j = j2; j < SIEVE_WINDOW; j += s)
		sieve[j] = 1;
}

/* A safe prime p = 2c + 1 of exactly `bits` bits (top two bits set), c
 * prime: from a random odd c0, sieve the window c = c0 + 2j for
 * j < SIEVE_WINDOW against small factors of c and 2c + 1, test the
 * survivors in order; a fresh c0 if the window holds none. */
static vy_err safe_prime(mpz_t p, unsigned bits)
{
	size_t np;
	uint32_t *primes = small_primes(&np);
	uint8_t *sieve = malloc(SIEVE_WINDOW);
	mpz_t c0, c, t;
	int found = 0;

	if (primes == NULL || sieve == NULL) {
		free(primes);
		free(sieve);
		return VY_ERR_NOMEM;
	}
	mpz_inits(c0, c, t, NULL);
	while (!found) {
		random_odd(c0, bits - 1);
		memset(sieve, 0, SIEVE_WINDOW);
		for (size_t i = 0; i < np; i++)
			sieve_one(sieve, c0, primes[i]);
		for (uint32_t j = 0; j < SIEVE_WINDOW && !found; j++) {
			if (sieve[j])
				continue;
			mpz_add_ui(c, c0, 2 * (unsigned long)j);
			found = is_safe_pair(c, p, t) && mpz_sizeinbase(p, 2) == bits;
		}
	}
	mpz_clears(c0, c, t, NULL);
	free(primes);
	free(sieve);
	return VY_OK;
}

/* q's search, on a second thread while the caller's searches p: the two
 * are independent, and each takes seconds with a wide spread. */
typedef struct {
	mpz_ptr q;
	unsigned bits;
	vy_err err;
} prime_job;

static void *safe_prime_thread(void *arg)
{
	prime_job *job = arg;

	job->err = safe_prime(job->q, job->bits);
	return NULL;
}

/* p and q at once; on a machine without threads to spare, one after the
 * other. */
static vy_err safe_prime_pair(mpz_t p, mpz_t q, unsigned bits)
{
	prime_job job = { q, bits, VY_OK };
	pthread_t th;
	vy_err err;

	if (pthread_create(&th, NULL, safe_prime_thread, &job) != 0) {
		err = safe_prime(p, bits);
		return err != VY_OK ? err : safe_prime(q, bits);
	}
	err = safe_prime(p, bits);
	pthread_join(th, NULL);
	return err != VY_OK ? err : job.err;
}

vy_err vy_rsa_keygen(vy_rsa_sk **sk, unsigned bits)
{
	mpz_t p, q, e, t;
	vy_err err = VY_OK;

	if (sk == NULL)
		return VY_ERR_ARG;
	*sk = NULL;
	if (bits < VY_RSA_MIN_BITS || bits > VY_RSA_MAX_BITS || bits % 16 != 0)
		return VY_ERR_ARG;
	mpz_inits(p, q, e, t, NULL);
	mpz_set_ui(e, VY_RSA_EXPONENT);
	do {
		err = safe_prime_pair(p, q, bits / 2);
		if (err != VY_OK)
			goto out;
		mpz_sub(t, p, q);
		mpz_abs(t, t);
	} while (mpz_sizeinbase(t, 2) <= bits / 2 - PRIME_MIN_DISTANCE_BITS);
	/* p - 1 = 2c with c prime > e: e is invertible modulo lcm(p-1, q-1) */
	err = sk_make(sk, p, q, e);
out:
	mpz_clears(p, q, e, t, NULL);
	return err;
}

/* ---- prepare (§9.3) ---- */

vy_err vy_blind_rsa_prepare(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len)
{
	if (out == NULL || (msg == NULL && msg_len > 0) || out_len != VY_BLIND_RSA_RANDOMIZER_BYTES + msg_len)
		return VY_ERR_ARG;
	randombytes_buf(out, VY_BLIND_RSA_RANDOMIZER_BYTES);
	if (msg_len > 0)
		memmove(out + VY_BLIND_RSA_RANDOMIZER_BYTES, msg, msg_len);
	return VY_OK;
}

/* ---- blind (§9.4) ---- */

/* 1 if the k-byte big-endian x satisfies 0 < x < n (x public or a
 * discarded random draw). */
static int in_range(const vy_rsa_pk *pk, const uint8_t *x)
{
	int nonzero = 0;

	for (size_t i = 0; i < pk->n_len; i++)
		nonzero |= x[i];
	return nonzero && memcmp(x, pk->n, pk->n_len) < 0;
}

vy_err vy_blind_rsa_blind_det(const vy_rsa_pk *pk, uint8_t *blinded, uint8_t *inv, size_t len, const uint8_t *msg,
			      size_t msg_len, const uint8_t *salt, size_t salt_len, const uint8_t *r, size_t r_len)
{
	mp_limb_t n[MAX_LIMBS], m[MAX_LIMBS], rl[MAX_LIMBS], ri[MAX_LIMBS], x[MAX_LIMBS], e[MAX_LIMBS];
	uint8_t em[VY_RSA_MAX_BYTES];
	mp_size_t nl;
	scratch s = { NULL, 0 };
	vy_err err;

	if (pk == NULL || blinded == NULL || inv == NULL || r == NULL || pk->n_len == 0 || len != pk->n_len ||
	    r_len != pk->n_len)
		return VY_ERR_ARG;
	nl = limbs_for(pk->n_len);
	err = vy_emsa_pss_encode(em, pk->n_len, vy_rsa_pk_bits(pk), msg, msg_len, salt, salt_len);
	if (err != VY_OK)
		goto out;
	err = scratch_init(&s, nl, 8 * VY_RSA_MAX_EXPONENT_BYTES);
	if (err != VY_OK)
		goto out;
	limbs_from_bytes(n, nl, pk->n, pk->n_len);
	limbs_from_bytes(e, limbs_for(pk->e_len), pk->e, pk->e_len);
	/* m must be invertible mod n (RFC 9474 §4.2 step 3); the masked
	 * inversion answers without a gcd whose time depends on m. */
	limbs_from_bytes(m, nl, em, pk->n_len);
	if (!masked_invert(ri, m, n, pk, nl, &s)) {
		err = VY_ERR_VALUE_RANGE;
		goto out;
	}
	/* r in (0, n), invertible; inv = r^-1 mod n */
	if (!in_range(pk, r)) {
		err = VY_ERR_VALUE_RANGE;
		goto out;
	}
	limbs_from_bytes(rl, nl, r, r_len);
	if (!masked_invert(ri, rl, n, pk, nl, &s)) {
		err = VY_ERR_VALUE_RANGE;
		goto out;
	}
	/* blinded = m * r^e mod n */
	mpn_sec_powm(x, rl, nl, e, 8 * pk->e_len, n, nl, s.tp);
	sec_mulmod(x, m, nl, x, nl, n, nl, &s);
	limbs_to_bytes(blinded, len, x, nl);
	limbs_to_bytes(inv, len, ri, nl);
out:
	if (err != VY_OK) {
		vy_wipe(blinded, len);
		vy_wipe(inv, len);
	}
	vy_wipe(rl, sizeof rl);
	vy_wipe(ri, sizeof ri);
	vy_wipe(x, sizeof x);
	vy_wipe(m, sizeof m);
	vy_wipe(em, sizeof em);
	scratch_free(&s);
	return err;
}

vy_err vy_blind_rsa_blind(const vy_rsa_pk *pk, uint8_t *blinded, uint8_t *inv, size_t len, const uint8_t *msg,
			  size_t msg_len)
{
	uint8_t salt[VY_BLIND_RSA_SALT_BYTES], r[VY_RSA_MAX_BYTES];
	size_t bits;
	vy_err err = VY_ERR_LIB;

	if (pk == NULL || pk->n_len == 0 || len != pk->n_len)
		return VY_ERR_ARG;
	bits = vy_rsa_pk_bits(pk);
	randombytes_buf(salt, sizeof salt);
	for (int tries = 0; tries < RANDOM_TRIES; tries++) {
		/* r uniform in (0, n): draw bits(n) bits, reject r = 0 or r >= n */
		randombytes_buf(r, pk->n_len);
		r[0] &= (uint8_t)(0xff >> (8 * pk->n_len - bits));
		if (!in_range(pk, r))
			continue;
		err = vy_blind_rsa_blind_det(pk, blinded, inv, len, msg, msg_len, salt, sizeof salt, r, pk->n_len);
		break;
	}
	vy_wipe(salt, sizeof salt);
	vy_wipe(r, sizeof r);
	return err;
}

/* ---- blind_sign (§9.5) ---- */

/* s = c^d mod n by the CRT: s_p = c^dp mod p, s_q = c^dq mod q,
 * h = qinv * (s_p - s_q) mod p, s = s_q + q * h. Constant time. */
static void sign_crt(const vy_rsa_sk *sk, mp_limb_t *s_out, mp_size_t nl, const mp_limb_t *c, scratch *s)
{
	mp_size_t np = sk->p_limbs, nq = sk->q_limbs, k = (mp_size_t)sk->pk.n_len;
	mp_limb_t p[MAX_LIMBS], q[MAX_LIMBS], dp[MAX_LIMBS], dq[MAX_LIMBS], qinv[MAX_LIMBS];
	mp_limb_t sp[MAX_LIMBS], sq[2 * MAX_LIMBS], h[MAX_LIMBS], w[2 * MAX_LIMBS];

	limbs_from_bytes(p, np, sk->p, (size_t)k);
	limbs_from_bytes(q, nq, sk->q, (size_t)k);
	limbs_from_bytes(dp, np, sk->dp, (size_t)k);
	limbs_from_bytes(dq, nq, sk->dq, (size_t)k);
	limbs_from_bytes(qinv, np, sk->qinv, (size_t)k);
	mpn_sec_powm(sp, c, nl, dp, (mp_bitcnt_t)np * GMP_NUMB_BITS, p, np, s->tp);
	mpn_sec_powm(sq, c, nl, dq, (mp_bitcnt_t)nq * GMP_NUMB_BITS, q, nq, s->tp);
	/* h = s_q mod p (q may exceed p), then (s_p - h) mod p */
	memset(w, 0, sizeof w);
	memcpy(w, sq, (size_t)nq * sizeof *w);
	if (nq >= np)
		mpn_sec_div_r(w, nq, p, np, s->tp);
	mp_limb_t borrow = mpn_sub_n(h, sp, w, np);
	mpn_cnd_add_n(borrow, h, h, p, np);
	/* h = qinv * h mod p */
	sec_mulmod(h, qinv, np, h, np, p, np, s);
	/* s = s_q + q * h, which is < n */
	memset(w, 0, sizeof w);
	if (nq >= np)
		mpn_sec_mul(w, q, nq, h, np, s->tp);
	else
		mpn_sec_mul(w, h, np, q, nq, s->tp);
	memset(sq + nq, 0, (size_t)np * sizeof *sq);
	mpn_add_n(w, w, sq, np + nq);
	memset(s_out, 0, (size_t)nl * sizeof *s_out);
	memcpy(s_out, w, (size_t)(np + nq < nl ? np + nq : nl) * sizeof *s_out);
	vy_wipe(p, sizeof p);
	vy_wipe(q, sizeof q);
	vy_wipe(dp, sizeof dp);
	vy_wipe(dq, sizeof dq);
	vy_wipe(qinv, sizeof qinv);
	vy_wipe(sp, sizeof sp);
	vy_wipe(sq, sizeof sq);
	vy_wipe(h, sizeof h);
	vy_wipe(w, sizeof w);
}

/* 1 if s^e = c (mod n): the check of RFC 9474 §4.3 step 3 (s is about to
 * be released; a faulty s, which could reveal p, is not). */
static int check_signature(const vy_rsa_pk *pk, const uint8_t *s_bytes, const uint8_t *c_bytes)
{
	mpz_t s, c, e, n;
	int ok;

	mpz_inits(s, c, e, n, NULL);
	mpz_from_bytes(s, s_bytes, pk->n_len);
	mpz_from_bytes(c, c_bytes, pk->n_len);
	mpz_from_bytes(e, pk->e, pk->e_len);
	mpz_from_bytes(n, pk->n, pk->n_len);
	mpz_powm(s, s, e, n);
	ok = mpz_cmp(s, c) == 0;
	mpz_clears(s, c, e, n, NULL);
	return ok;
}

vy_err vy_blind_rsa_sign(const vy_rsa_sk *sk, uint8_t *blind_sig, size_t sig_len, const uint8_t *blinded,
			 size_t blinded_len)
{
	const vy_rsa_pk *pk;
	mp_limb_t c[MAX_LIMBS], sl[MAX_LIMBS];
	uint8_t out[VY_RSA_MAX_BYTES];
	mp_size_t nl;
	scratch s = { NULL, 0 };
	vy_err err;

	if (sk == NULL || blind_sig == NULL || blinded == NULL || sig_len != sk->pk.n_len)
		return VY_ERR_ARG;
	pk = &sk->pk;
	memset(blind_sig, 0, sig_len);
	if (blinded_len != pk->n_len)
		return VY_ERR_LENGTH;
	if (memcmp(blinded, pk->n, pk->n_len) >= 0)
		return VY_ERR_NONCANONICAL; /* RSASP1: representative out of range */
	nl = limbs_for(pk->n_len);
	err = scratch_init(&s, nl, (mp_bitcnt_t)nl * GMP_NUMB_BITS);
	if (err != VY_OK)
		return err;
	limbs_from_bytes(c, nl, blinded, blinded_len);
	sign_crt(sk, sl, nl, c, &s);
	limbs_to_bytes(out, pk->n_len, sl, nl);
	if (!check_signature(pk, out, blinded)) {
		err = VY_ERR_LIB;
		goto out;
	}
	memcpy(blind_sig, out, sig_len);
out:
	vy_wipe(sl, sizeof sl);
	vy_wipe(out, sizeof out);
	scratch_free(&s);
	return err;
}

/* ---- finalize (§9.6) and verify (§9.7) ---- */

vy_err vy_blind_rsa_verify_salt(const vy_rsa_pk *pk, const uint8_t *sig, size_t sig_len, const uint8_t *msg,
				size_t msg_len, size_t salt_len)
{
	mpz_t s, e, n;
	uint8_t em[VY_RSA_MAX_BYTES];
	size_t mod_bits, em_bits, em_len;
	vy_err err;

	if (pk == NULL || sig == NULL || (msg == NULL && msg_len > 0) || pk->n_len < MIN_BYTES ||
	    pk->n_len > VY_RSA_MAX_BYTES || salt_len > VY_BLIND_RSA_SALT_BYTES)
		return VY_ERR_ARG;
	if (sig_len != pk->n_len)
		return VY_ERR_LENGTH;
	if (memcmp(sig, pk->n, pk->n_len) >= 0)
		return VY_ERR_NONCANONICAL; /* RSAVP1: representative out of range */
	mod_bits = vy_rsa_pk_bits(pk);
	em_bits = mod_bits - 1;
	em_len = (em_bits + 7) / 8;
	mpz_inits(s, e, n, NULL);
	mpz_from_bytes(s, sig, sig_len);
	mpz_from_bytes(e, pk->e, pk->e_len);
	mpz_from_bytes(n, pk->n, pk->n_len);
	mpz_powm(s, s, e, n);
	/* I2OSP(m, emLen) fails if m needs more than emLen bytes */
	if (mpz_sizeinbase(s, 2) > 8 * em_len || mpz_to_bytes(em, em_len, s) != VY_OK)
		err = VY_ERR_SIGNATURE;
	else
		err = emsa_pss_verify(msg, msg_len, em, em_len, em_bits, salt_len);
	mpz_clears(s, e, n, NULL);
	return err;
}

vy_err vy_blind_rsa_verify(const vy_rsa_pk *pk, const uint8_t *sig, size_t sig_len, const uint8_t *msg,
			   size_t msg_len)
{
	return vy_blind_rsa_verify_salt(pk, sig, sig_len, msg, msg_len, VY_BLIND_RSA_SALT_BYTES);
}

vy_err vy_blind_rsa_finalize_salt(const vy_rsa_pk *pk, uint8_t *sig, size_t sig_len, const uint8_t *blind_sig,
				  size_t blind_sig_len, const uint8_t *inv, size_t inv_len, const uint8_t *msg,
				  size_t msg_len, size_t salt_len)
{
	mp_limb_t n[MAX_LIMBS], z[MAX_LIMBS], il[MAX_LIMBS];
	mp_size_t nl;
	scratch s = { NULL, 0 };
	vy_err err;

	if (pk == NULL || sig == NULL || blind_sig == NULL || inv == NULL || pk->n_len == 0 || sig_len != pk->n_len)
		return VY_ERR_ARG;
	memset(sig, 0, sig_len);
	if (blind_sig_len != pk->n_len || inv_len != pk->n_len)
		return VY_ERR_LENGTH;
	if (memcmp(blind_sig, pk->n, pk->n_len) >= 0)
		return VY_ERR_NONCANONICAL;
	nl = limbs_for(pk->n_len);
	err = scratch_init(&s, nl, 8 * VY_RSA_MAX_EXPONENT_BYTES);
	if (err != VY_OK)
		return err;
	limbs_from_bytes(n, nl, pk->n, pk->n_len);
	limbs_from_bytes(z, nl, blind_sig, blind_sig_len);
	limbs_from_bytes(il, nl, inv, inv_len);
	/* sig = blind_sig * inv mod n (inv is the client's secret) */
	sec_mulmod(z, z, nl, il, nl, n, nl, &s);
	limbs_to_bytes(sig, sig_len, z, nl);
	err = vy_blind_rsa_verify_salt(pk, sig, sig_len, msg, msg_len, salt_len);
	if (err != VY_OK)
		vy_wipe(sig, sig_len);
	vy_wipe(il, sizeof il);
	vy_wipe(z, sizeof z);
	scratch_free(&s);
	return err;
}

vy_err vy_blind_rsa_finalize(const vy_rsa_pk *pk, uint8_t *sig, size_t sig_len, const uint8_t *blind_sig,
			     size_t blind_sig_len, const uint8_t *inv, size_t inv_len, const uint8_t *msg,
			     size_t msg_len)
{
	return vy_blind_rsa_finalize_salt(pk, sig, sig_len, blind_sig, blind_sig_len, inv, inv_len, msg, msg_len,
					  VY_BLIND_RSA_SALT_BYTES);
}
