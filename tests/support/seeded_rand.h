/*
 * A fixed-seed randomness source for ballots (protocol/vy_ballot_build.h),
 * for tests only: the same seed gives the same ballot, byte for byte, in
 * the native library and in the booth's WebAssembly (tests/browser/).
 */
#ifndef VYTEST_SEEDED_RAND_H
#define VYTEST_SEEDED_RAND_H

#include "protocol/vy_ballot_build.h"

#define VYT_SEED_BYTES 32

/* arg: the seed (VYT_SEED_BYTES). out = SHA-512(item("vybar test seed") ||
 * item(seed) || u64(contest) || u64(option) || u64(kind) || u64(branch))
 * reduced mod the group order. */
void vyt_seeded_rand(void *arg, const vy_group *g, vy_scalar *out, size_t contest, uint64_t option,
		     vy_bb_rand_kind kind, size_t branch);

#endif
