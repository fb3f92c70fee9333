/* The pace of each credential's ballots (pace.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bulletin/pace.h"

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

/* 1 if the entry of slot i still constrains a ballot at `now`: its wait
 * has not run out. An entry that does not may be forgotten, since
 * vyb_pace_ok lets its credential cast anyway. */
static int still_waits(const vyb_pace *p, size_t i, double now)
{
	return p->last[i] != 0 && p->last[i] + (double)p->min_seconds > now;
}

/* Rebuild the table at capacity cap (a power of two, > 2 * the entries
 * kept), keeping only the entries that still wait at `now`. */
static vy_rc rebuild(vyb_pace *p, size_t cap, double now)
{
	vyb_pace old = *p;

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
	p->count = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (!still_waits(&old, i, now))
			continue;
		size_t j = slot_of(p, old.keys[i]);

		memcpy(p->keys[j], old.keys[i], VY_ED25519_PK_BYTES);
		p->last[j] = old.last[i];
		p->count++;
	}
	free(old.keys);
	free(old.last);
	return VY_R_OK;
}

/* Make room for one more entry at `now`: forget the entries that no longer
 * wait and rebuild at the same capacity when that leaves the table at most
 * a quarter full, else double it (or create it). It is doubled only when
 * more than a quarter of its slots still wait, so its capacity stays below
 * eight slots per credential that cast within the last min_seconds (or
 * VYB_PACE_INITIAL_CAP). */
static vy_rc make_room(vyb_pace *p, double now)
{
	size_t waiting = 0;

	if (p->cap == 0)
		return rebuild(p, VYB_PACE_INITIAL_CAP, now);
	for (size_t i = 0; i < p->cap; i++)
		waiting += (size_t)still_waits(p, i, now);
	if (4 * (waiting + 1) <= p->cap)
		return rebuild(p, p->cap, now);
	return rebuild(p, 2 * p->cap, now);
}

vy_rc vyb_pace_note(vyb_pace *p, const uint8_t pk[VY_ED25519_PK_BYTES], double now)
{
	size_t i;

	if (p->min_seconds == 0)
		return VY_R_OK;
	if (2 * (p->count + 1) > p->cap && make_room(p, now) != VY_R_OK)
		return VY_R_NOMEM;
	i = slot_of(p, pk);
	if (p->last[i] == 0) {
		memcpy(p->keys[i], pk, VY_ED25519_PK_BYTES);
		p->count++;
	}
	p->last[i] = now > 0 ? now : 1e-9; /* 0 marks an empty slot */
	return VY_R_OK;
}
