/* Per-client token buckets (ratelimit.h). */
#include <math.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bulletin/ratelimit.h"

void vyb_rl_init(vyb_ratelimit *rl, double rate, double burst)
{
	memset(rl, 0, sizeof *rl);
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	randombytes_buf(rl->key, sizeof rl->key);
}

void vyb_rl_free(vyb_ratelimit *rl)
{
	pthread_mutex_destroy(&rl->lock);
}

double vyb_rl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The slot of an address: a keyed hash, so clients cannot aim at a slot. */
static size_t slot_of(const vyb_ratelimit *rl, const uint8_t *addr, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;

	crypto_shorthash(h, addr, len, rl->key);
	for (size_t i = 0; i < sizeof h; i++)
		v = v << 8 | h[i];
	return (size_t)(v % VYB_RL_SLOTS);
}

int vyb_rl_take(vyb_ratelimit *rl, const uint8_t *addr, size_t addr_len, double now, unsigned *retry_after)
{
	vyb_rl_bucket *b;
	int ok;

	*retry_after = 0;
	if (rl->rate <= 0)
		return 1;
	if (addr_len > VYB_RL_ADDR_BYTES)
		addr_len = VYB_RL_ADDR_BYTES;
	pthread_mutex_lock(&rl->lock);
	b = &rl->slots[slot_of(rl, addr, addr_len)];
	if (b->addr_len != addr_len || memcmp(b->addr, addr, addr_len) != 0) {
		memcpy(b->addr, addr, addr_len);
		b->addr_len = addr_len;
		b->tokens = rl->burst;
		b->last = now;
	}
	b->tokens = fmin(rl->burst, b->tokens + (now - b->last) * rl->rate);
	b->last = now;
	ok = b->tokens >= 1;
	if (ok)
		b->tokens -= 1;
	else
		*retry_after = (unsigned)ceil((1 - b->tokens) / rl->rate);
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
