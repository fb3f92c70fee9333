/*
 * Seat allocation for closed party lists (specs/protocol.md §11). Pure
 * integer arithmetic on public counts: the commission's planning tool, the
 * RESULT validity rule and the verifier all call this one implementation.
 */
#ifndef VY_SEATS_H
#define VY_SEATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/vy_common.h"
#include "protocol/vy_protocol.h"

/* §11.4: the tag of the tie order's hash. */
#define VY_TAG_SEAT_TIE "vybar/v1/seat-tie"

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
 * on invalid input (unknown method, a vote total above 2^64 - 1, ...). No
 * vote for any list, or no list over the threshold, is not a failure: every
 * list gets 0 seats (§11.2; vy_seats_compute says which case). The elected
 * candidates of list i are its first seats_out[i] candidates, in list order. */
vy_rc vy_seats_allocate(const vy_seat_input *in, uint64_t *seats_out, vy_reason *why) VY_WARN_UNUSED;

/* One list's line of the seat table (§11). */
typedef struct {
	uint64_t seats;       /* seats won */
	int qualified;        /* 1 iff the list passed the threshold (§11.3) */
	uint64_t quota_seats; /* Hare: floor(v * S / D), before the candidate cap; otherwise 0 */
	uint64_t remainder;   /* Hare: v * S mod D, in units of 1/D seat; otherwise 0 */
	uint8_t tie_key[VY_HASH_BYTES]; /* §11.4 */
} vy_seat_list;

/* The whole table's figures (§11). */
typedef struct {
	uint64_t total_votes;      /* V: all lists' votes */
	uint64_t qualifying_votes; /* the qualifying lists' votes */
	uint64_t min_votes;        /* fewest votes that qualify: max(1, ceil(T * V / 10000)) */
	uint64_t quota_votes;      /* Hare: the denominator D (V or the qualifying votes); otherwise 0 */
	size_t n_qualified;
	uint64_t unfilled;         /* seats no list could take (§11.7) */
	int tie_decided;           /* 1 iff the tie order decided who won the last seat(s) */
	uint64_t last_num;         /* highest averages: the smallest winning average is */
	uint64_t last_den;         /* last_num / last_den; otherwise 0 / 0 */
	/* §11.2: NONE, or why no seat was allocated (no list vote, or no list
	 * qualifies; every list then has 0 seats and all S are unfilled) */
	Vybar__NoSeatsReason no_seats;
} vy_seat_table;

/* The full computation behind vy_seats_allocate: the table's figures and
 * one vy_seat_list per list (lists: in->n_lists entries). On failure both
 * outputs are zeroed. */
vy_rc vy_seats_compute(vy_seat_table *table, vy_seat_list *lists, const vy_seat_input *in,
		       vy_reason *why) VY_WARN_UNUSED;

/* Print the seat table of in (the core of `vybar-verify seats`): method,
 * threshold, quota or divisors, then per list its votes, percent, whether
 * it qualified, the quota seats and remainder or the averages, its seats
 * and the 0-based positions of its elected candidates. names may be NULL
 * (lists are then called "list <i>"), else n_lists names. Nothing is
 * printed when the input is invalid; VY_R_IO when writing fails. */
vy_rc vy_seats_print(FILE *out, const vy_seat_input *in, const char *const *names, vy_reason *why) VY_WARN_UNUSED;

/* A short English name of a seat method; "unknown" for any other value. */
const char *vy_seat_method_name(Vybar__SeatMethod m);
/* Why no seat was allocated, in English ("" for NONE or an unknown value). */
const char *vy_no_seats_reason_text(Vybar__NoSeatsReason r);

#endif
