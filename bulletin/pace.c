/* The pace of each credential's ballots (pace.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bulletin/pace.h"

#define PACE_INITIAL_CAP 1024 /* a power of two */

void vyb_pace_init(vyb_pace *p, unsigned min_seconds)
{
	memset(p, 0, sizeof *p);
	p->min_seconds = min_seconds;
	randombytes_buf(p->hash_key, sizeof p->hash_key);
}

void vyb_pace_free(vyb_pace *p)
{
	free(p->keys);
	free(p->last);
	memset(p, 0, sizeof *p);
}

/* The slot of pk: its own, or the first empty one (cap > count). */
static size_t slot_of(const vyb_pace *p, const uint8_t *pk)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	crypto_shorthash(h, pk, VY_ED25519_PK_BYTES, p->hash_key);
	for (size_t k = 0; k < sizeof h; k++)
		v = v << 8 | h[k];
	i = (size_t)(v & (p->cap - 1));
	while (p->last[i] != 0 && memcmp(p->keys[i], pk, VY_ED25519_PK_BYTES) != 0)
		i = (i + 1) & (p->cap - 1);
	return i;
}

int vyb_pace_ok(const vyb_pace *p, const uint8_t pk[VY_ED25519_PK_BYTES], double now, unsigned *retry_after,
		unsigned *since)
{
	double wait;
	size_t i;

	*retry_after = 0;
	*since = 0;
	if (p->min_seconds == 0 || p->cap == 0)
		return 1;
	i = slot_of(p, pk);
	if (p->last[i] == 0)
		return 1;
	wait = p->last[i] + (double)p->min_seconds - now;
	if (wait <= 0)
		return 1;
	*retry_after = (unsigned)ceil(wait);
	if (*retry_after == 0)
		*retry_after = 1;
	*since = now > p->last[i] ? (unsigned)(now - p->last[i]) : 0;
	return 0;
}

/* Double the table (or create it), every entry moved to its new slot. */
static vy_rc grow(vyb_pace *p)
{
	vyb_pace old = *p;
	size_t cap = p->cap ? 2 * p->cap : PACE_INITIAL_CAP;

	p->keys = calloc(cap, sizeof *p->keys);
	p->last = calloc(cap, sizeof *p->last);
	if (p->keys == NULL || p->last == NULL) {
		free(p->keys);
		free(p->last);
		p->keys = old.keys;
		p->last = old.last;
		return VY_R_NOMEM;
	}
	p->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.last[i] == 0)
			continue;
		size_t j = slot_of(p, old.keys[i]);

		memcpy(p->keys[j], old.keys[i], VY_ED25519_PK_BYTES);
		p->last[j] = old.last[i];
	}
	free(old.keys);
	free(old.last);
	return VY_R_OK;
}

vy_rc vyb_pace_note(vyb_pace *p, const uint8_t pk[VY_ED25519_PK_BYTES], double now)
{
	size_t i;

	if (p->min_seconds == 0)
		return VY_R_OK;
	if (2 * (p->count + 1) > p->cap && grow(p) != VY_R_OK)
		return VY_R_NOMEM;
	i = slot_of(p, pk);
	if (p->last[i] == 0) {
		memcpy(p->keys[i], pk, VY_ED25519_PK_BYTES);
		p->count++;
	}
	p->last[i] = now > 0 ? now : 1e-9; /* 0 marks an empty slot */
	return VY_R_OK;
}
