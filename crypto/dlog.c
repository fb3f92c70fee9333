/*
 * Bounded discrete logarithm by baby-step giant-step (specs/crypto.md §4.3).
 *
 *   m = ceil(sqrt(max + 1))
 *   baby steps:  the table maps the encoding of g^j to j, for j in [0, m)
 *   giant steps: for i in [0, ceil((max + 1) / m)): if h * (g^{-m})^i = g^j
 *                is in the table, log_g h = m*i + j (accepted if <= max)
 *
 * Everything here is public (decrypted tallies), so it runs in variable time.
 * The table is an open-addressing hash table of baby-step indices; the keys
 * (element encodings, elem_bytes each) sit in one contiguous array indexed
 * by the baby step, so a ristretto255 table for max = 10^7 takes about 100 KB.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_dlog.h"

/* A slot holds the baby-step index plus one; zero marks an empty slot. */
#define DLOG_SLOT_EMPTY 0u
/* Slots per baby step, at least: keeps the load factor at or below 1/2. */
#define DLOG_LOAD_INVERSE 2u
/* Largest baby-step count: indices plus one must fit a uint32_t slot. */
#define DLOG_MAX_STEPS (UINT32_MAX - 1u)

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

struct vy_dlog_table {
	const vy_group *group;
	uint64_t max;     /* largest logarithm found */
	uint64_t m;       /* baby steps */
	uint64_t giants;  /* giant steps: ceil((max + 1) / m) */
	size_t eb;        /* element encoding length */
	uint8_t *keys;    /* m encodings: g^j at keys + j * eb */
	uint32_t *slots;  /* mask + 1 slots */
	size_t mask;
	vy_elem giant;    /* g^{-m} */
};

/*
 * FNV-1a over the whole encoding. Integer groups encode big-endian, so small
 * elements start with zero bytes: every byte must count.
 */
static uint64_t hash_encoding(const uint8_t *p, size_t n)
{
	uint64_t h = FNV64_OFFSET;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

/* floor(sqrt(v)), exactly, for any 64-bit v. */
static uint64_t isqrt_u64(uint64_t v)
{
	uint64_t r = 0;

	for (int bit = 31; bit >= 0; bit--) {
		uint64_t c = r | ((uint64_t)1 << bit);
		if (c <= v / c)
			r = c;
	}
	return r;
}

/*
 * 1 if max < q. q is read from the encoding of q - 1 = -1 (little-endian
 * for ristretto255, big-endian for the integer groups; the encoding of 1
 * tells which).
 */
static int below_order(const vy_group *g, uint64_t max)
{
	vy_scalar one, minus_one;
	uint8_t e1[VY_SCALAR_BYTES], eq[VY_SCALAR_BYTES];
	int little = 0;
	uint64_t low = 0;

	vy_scalar_from_u64(g, &one, 1);
	vy_scalar_neg(g, &minus_one, &one);
	vy_scalar_encode(g, e1, &one);
	vy_scalar_encode(g, eq, &minus_one);
	if (e1[0] == 1)
		little = 1;
	for (size_t k = 0; k < VY_SCALAR_BYTES; k++) {
		size_t weight = little ? k : VY_SCALAR_BYTES - 1 - k; /* byte significance */
		if (weight >= 8 && eq[k] != 0)
			return 1; /* q - 1 >= 2^64 > max */
		if (weight < 8)
			low |= (uint64_t)eq[k] << (8 * weight);
	}
	return max <= low;
}

/* The slot where the encoding p is, or the empty slot where it would go. */
static size_t find_slot(const vy_dlog_table *t, const uint8_t *p)
{
	size_t s = (size_t)hash_encoding(p, t->eb) & t->mask;

	while (t->slots[s] != DLOG_SLOT_EMPTY) {
		size_t j = t->slots[s] - 1u;
		if (memcmp(t->keys + j * t->eb, p, t->eb) == 0)
			break;
		s = (s + 1) & t->mask;
	}
	return s;
}

/* Allocates the key array and the slots for t->m baby steps. */
static vy_err alloc_table(vy_dlog_table *t)
{
	size_t cap = 1;

	if (t->m > DLOG_MAX_STEPS || t->m > SIZE_MAX / DLOG_LOAD_INVERSE / t->eb)
		return VY_ERR_NOMEM;
	while (cap < DLOG_LOAD_INVERSE * t->m)
		cap <<= 1;
	t->mask = cap - 1;
	t->keys = malloc((size_t)t->m * t->eb);
	t->slots = calloc(cap, sizeof *t->slots);
	if (t->keys == NULL || t->slots == NULL)
		return VY_ERR_NOMEM;
	return VY_OK;
}

/* §4.3 baby steps: g^j for j in [0, m), each under its index. */
static void fill_baby_steps(vy_dlog_table *t)
{
	vy_elem e, gen;

	vy_elem_identity(t->group, &e);
	vy_elem_generator(t->group, &gen);
	for (uint64_t j = 0; j < t->m; j++) {
		uint8_t *key = t->keys + (size_t)j * t->eb;
		memcpy(key, e.b, t->eb);
		t->slots[find_slot(t, key)] = (uint32_t)(j + 1);
		if (j + 1 < t->m)
			vy_elem_mul(t->group, &e, &e, &gen);
	}
}

vy_err vy_dlog_table_new(const vy_group *g, vy_dlog_table **out, uint64_t max)
{
	vy_dlog_table *t = NULL;
	vy_scalar ms;
	vy_err err;

	if (out == NULL)
		return VY_ERR_ARG;
	*out = NULL;
	if (g == NULL || !below_order(g, max))
		return VY_ERR_ARG;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return VY_ERR_NOMEM;
	t->group = g;
	t->max = max;
	t->eb = vy_group_elem_bytes(g);
	/* m = ceil(sqrt(max + 1)) = floor(sqrt(max)) + 1, without overflow. */
	t->m = isqrt_u64(max) + 1;
	t->giants = max / t->m + 1;
	err = alloc_table(t);
	if (err != VY_OK)
		goto out;
	fill_baby_steps(t);
	/* §4.3 giant step factor g^{-m}. */
	vy_scalar_from_u64(g, &ms, t->m);
	vy_scalar_neg(g, &ms, &ms);
	vy_elem_exp_base(g, &t->giant, &ms);
	*out = t;
	t = NULL;
out:
	vy_dlog_table_free(t);
	return err;
}

void vy_dlog_table_free(vy_dlog_table *t)
{
	if (t == NULL)
		return;
	free(t->keys);
	free(t->slots);
	free(t);
}

vy_err vy_dlog_solve(const vy_dlog_table *t, uint64_t *out, const vy_elem *h)
{
	vy_elem cur;

	if (out == NULL)
		return VY_ERR_ARG;
	*out = 0;
	if (t == NULL || h == NULL)
		return VY_ERR_ARG;
	/* §4.3 giant steps: cur = h * (g^{-m})^i. */
	cur = *h;
	for (uint64_t i = 0; i < t->giants; i++) {
		size_t s = find_slot(t, cur.b);
		if (t->slots[s] != DLOG_SLOT_EMPTY) {
			uint64_t cand = t->m * i + (t->slots[s] - 1u);
			if (cand <= t->max) {
				*out = cand;
				return VY_OK;
			}
		}
		if (i + 1 < t->giants)
			vy_elem_mul(t->group, &cur, &cur, &t->giant);
	}
	return VY_ERR_DLOG_RANGE;
}
