/*
 * What the intake benchmarks share (bench_board.c, bench_scale.c): the
 * 1-of-11 ristretto255 election on the fixtures' keys, ballots prepared
 * ahead (not timed) by worker threads, and workers that POST their share
 * of the ballots to a board on 127.0.0.1 over one keep-alive connection
 * each, timing every ballot.
 */
#ifndef VYBENCH_INTAKE_H
#define VYBENCH_INTAKE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/support/board_harness.h"

#define VYBENCH_OPTIONS 11
#define VYBENCH_MAX_THREADS 64

/* One thread's share: ballots[first .. first + count - 1]. */
typedef struct {
	const vyh_board *b;        /* where submit() posts */
	const vy_election *el;     /* the election the ballots are built for */
	uint8_t **ballots;         /* shared arrays, indexed by ballot */
	size_t *lens;
	double *lat_ms;            /* submit(): each ballot's time to its answer */
	size_t first, count;
	atomic_size_t *done;       /* submit(): counted up per ballot; may be NULL */
	const char *label;         /* the voters' label prefix (distinct voters per label) */
	size_t ok;                 /* submit(): ballots answered 200 */
} vybench_worker;

/* Monotonic seconds. */
double vybench_now_s(void);

/* The fixtures' record (n trustees, threshold t) with the 1-of-11 manifest
 * as its entry 0 and the trustees' coefficients drawn. */
void vybench_record_init(vyf_record *r, uint32_t n, uint32_t t);

/* The fixtures' manifest (vyf_manifest_pack) cut to its first contest,
 * made 1-of-11 without blank ("Candidate 1" .. "Candidate 11"): the
 * election of bench_verify and bench_booth. Packed, malloc'd. */
uint8_t *vybench_fixture_manifest_1_of_11(const vyf_keys *k, size_t *len);

/* The 1-of-11 election (3 trustees, threshold 2) on a fresh vybar-board
 * on 127.0.0.1 (rate and per-address limits off), ceremony done, voting
 * open; who names the program in a failure (which exits). */
void vybench_election_start(vyh_election *e, const char *who);
/* The same with the board's options extra (NULL-terminated) instead. */
void vybench_election_start_with(vyh_election *e, const char *who, const char *const *extra);

/* Thread bodies for vybench_run_all: build the worker's ballots (each a
 * distinct voter choosing option i mod 11), and POST them. */
void *vybench_prepare(void *arg);
void *vybench_submit(void *arg);

/* Run fn on each of the n workers (n <= VYBENCH_MAX_THREADS), each in its
 * own thread, and wait for all. */
void vybench_run_all(vybench_worker *w, size_t n, void *(*fn)(void *));

/* Ascending order of doubles, for qsort. */
int vybench_cmp_double(const void *a, const void *b);

#endif
