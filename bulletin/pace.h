/*
 * The pace of each credential's ballots (specs/protocol.md §3.6,
 * specs/board-api.md §3): the monotonic time at which the board accepted
 * each credential's last ballot since it started, so that the next one is
 * taken only min_seconds_between_ballots later. The record carries no
 * time, so this is the board's own promise (specs/security.md §3.8), kept
 * in memory only: a restart forgets it.
 *
 * An open-addressing table under a keyed hash (credentials cannot aim at a
 * slot), 40 bytes a slot. When it is half full, the entries whose wait has
 * run out are forgotten (their credentials may cast again anyway) and the
 * table is rebuilt at the same capacity if that leaves it at most a quarter
 * full, else at twice it. So it holds only the credentials that cast within
 * the last min_seconds_between_ballots, in fewer than eight slots each
 * (or VYB_PACE_INITIAL_CAP): its size follows the rate of ballots, not
 * their number. Used by the writer only (state_lock held): no lock of its
 * own.
 */
#ifndef VYB_PACE_H
#define VYB_PACE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_protocol.h"

#define VYB_PACE_INITIAL_CAP 1024 /* slots; a power of two */

typedef struct {
	uint8_t (*keys)[VY_ED25519_PK_BYTES];
	double *last; /* monotonic seconds; 0: an empty slot */
	size_t cap, count;
	uint8_t hash_key[16];
	unsigned min_seconds; /* the manifest's min_seconds_between_ballots; 0: no wait */
} vyb_pace;

/* An empty table for a wait of min_seconds (0: every check passes). */
void vyb_pace_init(vyb_pace *p, unsigned min_seconds);
void vyb_pace_free(vyb_pace *p);
/* 1 if pk may cast at `now` (monotonic seconds, vyb_rl_now()); else 0 and
 * *retry_after the whole seconds (>= 1) until it may, and *since the
 * seconds since its last ballot. */
int vyb_pace_ok(const vyb_pace *p, const uint8_t pk[VY_ED25519_PK_BYTES], double now, unsigned *retry_after,
		unsigned *since);
/* pk cast at `now`. VY_R_NOMEM when the table cannot grow (then the wait
 * is not kept for pk: the count of the record still bounds it). */
vy_rc vyb_pace_note(vyb_pace *p, const uint8_t pk[VY_ED25519_PK_BYTES], double now) VY_WARN_UNUSED;

#endif
