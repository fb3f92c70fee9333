/*
 * A trustee that cheats, for the tests only.
 *
 * The tests build a variant of the program from the same sources,
 * vybar-trustee-cheat (tests/CMakeLists.txt), with VYBAR_TEST_CHEATS
 * defined: it takes two more options, and cheats.c does what they say:
 *
 *   reveal --test-corrupt-share-for K   seal a wrong share for trustee K (a
 *                                       cheating dealer, protocol.md §5.3)
 *   decrypt --test-corrupt-decryption   multiply the first decryption share
 *                                       by g, keeping its proof, and skip the
 *                                       program's own check of the message
 *
 * In the program that is shipped, VYBAR_TEST_CHEATS is not defined: the
 * options do not exist, and the functions below do nothing.
 */
#ifndef VYT_CHEATS_H
#define VYT_CHEATS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/vy_cli.h"
#include "crypto/vy_group.h"

#ifdef VYBAR_TEST_CHEATS

#define VYT_CHEAT_REVEAL_OPTS                                                                                        \
	{ "test-corrupt-share-for", "K", VY_CLI_OPTIONAL, "TEST BUILD ONLY: seal a wrong share for trustee K" },
#define VYT_CHEAT_DECRYPT_OPTS                                                                                       \
	{ "test-corrupt-decryption", NULL, VY_CLI_OPTIONAL, "TEST BUILD ONLY: publish a wrong decryption share" },

/* Take the options above from the command line; 0, or VY_EXIT_USAGE. */
int vyt_cheat_options(const vy_cli_args *a);
/* The share f(k) for trustee k, spoiled if asked. */
void vyt_cheat_share(const vy_group *g, uint32_t k, vy_scalar *share);
/* The packed PartialDecryption body (freed here), spoiled if asked; NULL
 * when it cannot be. */
uint8_t *vyt_cheat_decryption(const vy_group *g, uint8_t *body, size_t *len);
/* 1 when the program must not check its own message. */
int vyt_cheat_unchecked(void);

#else

#define VYT_CHEAT_REVEAL_OPTS
#define VYT_CHEAT_DECRYPT_OPTS

static inline int vyt_cheat_options(const vy_cli_args *a)
{
	(void)a;
	return 0;
}

static inline void vyt_cheat_share(const vy_group *g, uint32_t k, vy_scalar *share)
{
	(void)g;
	(void)k;
	(void)share;
}

static inline uint8_t *vyt_cheat_decryption(const vy_group *g, uint8_t *body, size_t *len)
{
	(void)g;
	(void)len;
	return body;
}

static inline int vyt_cheat_unchecked(void)
{
	return 0;
}

#endif

#endif
