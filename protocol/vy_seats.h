/*
 * Seat allocation for closed party lists (specs/protocol.md §11). Pure
 * integer arithmetic on public counts: the commission's planning tool, the
 * RESULT validity rule and the verifier all call this one implementation.
 */
#ifndef VY_SEATS_H
#define VY_SEATS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/vy_common.h"
#include "protocol/vy_protocol.h"

typedef struct {
	size_t n_lists;
	const uint64_t *votes;        /* per list */
	const size_t *n_candidates;   /* per list: candidates available to take seats */
	uint64_t seats;               /* seats to fill */
	uint32_t threshold_bp;        /* threshold in basis points of all valid votes (300 = 3 %) */
	Vybar__SeatMethod method;
	uint8_t tie_seed[VY_HASH_BYTES]; /* breaks ties deterministically (§11) */
} vy_seat_input;

/* seats_out[i] = seats won by list i (n_lists entries). Fails with a reason
 * on invalid input (unknown method, no votes, ...). The elected candidates of
 * list i are its first seats_out[i] candidates, in list order. */
vy_rc vy_seats_allocate(const vy_seat_input *in, uint64_t *seats_out, vy_reason *why) VY_WARN_UNUSED;

#endif
