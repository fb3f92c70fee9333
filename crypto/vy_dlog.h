/*
 * Bounded discrete logarithm base g by baby-step giant-step (specs/crypto.md
 * §4.3), for recovering tallies after decryption. Inputs are public, so the
 * search runs in variable time. A table for bound N costs about sqrt(N+1)
 * elements of memory; a lookup at most about sqrt(N+1) group operations.
 */
#ifndef VY_DLOG_H
#define VY_DLOG_H

#include "crypto/vy_group.h"

typedef struct vy_dlog_table vy_dlog_table;

/* A table that finds every m in [0, max]. max must be < q. */
vy_err vy_dlog_table_new(const vy_group *g, vy_dlog_table **out, uint64_t max) VY_WARN_UNUSED;
void vy_dlog_table_free(vy_dlog_table *t);
/* *out = m with g^m = h, or VY_ERR_DLOG_RANGE (and *out = 0) when m > max. */
vy_err vy_dlog_solve(const vy_dlog_table *t, uint64_t *out, const vy_elem *h) VY_WARN_UNUSED;

#endif
