/*
 * Per-client rate limit: a token bucket per client address (specs/board-api.md).
 * Each bucket holds up to `burst` tokens and refills at `rate` tokens per
 * second; a request takes one token or is refused (HTTP 429). Buckets live
 * in a fixed table of VYB_RL_SLOTS slots indexed by a keyed hash of the
 * address: memory stays bounded whatever the number of clients (a collision
 * replaces the older bucket, which can only make the limit more lenient).
 */
#ifndef VYB_RATELIMIT_H
#define VYB_RATELIMIT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define VYB_RL_SLOTS 4096
#define VYB_RL_ADDR_BYTES 16

typedef struct {
	uint8_t addr[VYB_RL_ADDR_BYTES];
	size_t addr_len;
	double tokens;
	double last; /* seconds, monotonic clock */
} vyb_rl_bucket;

typedef struct {
	pthread_mutex_t lock;
	double rate, burst; /* rate <= 0: no limit */
	uint8_t key[16];
	vyb_rl_bucket slots[VYB_RL_SLOTS];
} vyb_ratelimit;

void vyb_rl_init(vyb_ratelimit *rl, double rate, double burst);
void vyb_rl_free(vyb_ratelimit *rl);
/* 1 if the client may go on (a token was taken), 0 if it must wait; then
 * *retry_after receives the whole seconds until a token is back. now is
 * monotonic seconds (vyb_rl_now()). */
int vyb_rl_take(vyb_ratelimit *rl, const uint8_t *addr, size_t addr_len, double now, unsigned *retry_after);
double vyb_rl_now(void);

#endif
