/* When a credential may be cast (timing.h, specs/client.md §6.2). */
#include "client/timing.h"

#include <sodium.h>

void vyc_cast_window(const Vybar__Manifest *m, uint64_t now, uint64_t *base, uint32_t *window)
{
	uint64_t b = now, w = VYC_CAST_WINDOW_MAX_S;

	if (m->voting_start > b)
		b = m->voting_start;
	if (m->voting_end > b && (m->voting_end - b) / 2 < w)
		w = (m->voting_end - b) / 2;
	*base = b;
	*window = (uint32_t)w;
}

uint64_t vyc_earliest_cast_with(const Vybar__Manifest *m, uint64_t now, uint32_t (*uniform)(void *ctx, uint32_t n),
				void *ctx)
{
	uint64_t base;
	uint32_t window, least;

	vyc_cast_window(m, now, &base, &window);
	if (window == 0)
		return base;
	least = window >= 2 * VYC_CAST_WAIT_MIN_S ? VYC_CAST_WAIT_MIN_S : 0;
	return base + least + uniform(ctx, window - least);
}

static uint32_t sodium_uniform(void *ctx, uint32_t n)
{
	(void)ctx;
	return randombytes_uniform(n);
}

uint64_t vyc_earliest_cast(const Vybar__Manifest *m, uint64_t now)
{
	return vyc_earliest_cast_with(m, now, sodium_uniform, NULL);
}
