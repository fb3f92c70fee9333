/*
 * When a credential may be cast (specs/client.md §6.2). A ballot cast a few
 * seconds after its credential was registered can be linked to the
 * registration by its time alone, by anyone who sees both (the commission
 * watching its registrar's store, or anyone polling a live count). So
 * `vybar-vote register` draws an earliest cast time, uniformly at random
 * in a window after the registration (or after voting opens, if later),
 * keeps it in the sealed credential file, and `cast` waits for it unless
 * the voter takes the risk (--cast-now).
 */
#ifndef VYC_TIMING_H
#define VYC_TIMING_H

#include <stdint.h>

#include "protocol/vy_protocol.h"

/* The widest window: a day; and the least wait, when the window allows
 * it: a minute, since a cast within seconds of registering is exactly the
 * link to be cut. */
#define VYC_CAST_WINDOW_MAX_S 86400u
#define VYC_CAST_WAIT_MIN_S 60u

/* §6.2: the window of a credential registered at now, for the election of
 * manifest m: the earliest cast time is *base plus a uniform integer in
 * [VYC_CAST_WAIT_MIN_S, *window) (vyc_earliest_cast).
 *   base   = max(now, voting_start) (voting_start when stated and later);
 *   window = min(VYC_CAST_WINDOW_MAX_S, (voting_end - base) / 2) when
 *            voting_end is stated and later than base, otherwise
 *            VYC_CAST_WINDOW_MAX_S. */
void vyc_cast_window(const Vybar__Manifest *m, uint64_t now, uint64_t *base, uint32_t *window);

/* §6.2: the earliest cast time of a registration at now: base + m + u,
 * u = randombytes_uniform(window - m), where m = VYC_CAST_WAIT_MIN_S if
 * window >= 2 * VYC_CAST_WAIT_MIN_S and 0 otherwise (base itself when the
 * window is 0). */
uint64_t vyc_earliest_cast(const Vybar__Manifest *m, uint64_t now);
/* The same, u drawn by uniform(ctx, n), a uniform integer in [0, n), in
 * place of randombytes_uniform (a simulation's own generator). */
uint64_t vyc_earliest_cast_with(const Vybar__Manifest *m, uint64_t now, uint32_t (*uniform)(void *ctx, uint32_t n),
				void *ctx);

#endif
