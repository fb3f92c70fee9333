/*
 * The voters' world of the end-to-end client tests (tests/test_vote_*.c):
 * a real vybar-registrar (registrar_harness.h) and a real vybar-board
 * (board_harness.h) on 127.0.0.1 for one election: the registrar's
 * manifest (the fixtures' manifest with its real key; 3 trustees,
 * threshold 2) as entry 0, the key ceremony over HTTP, open. Voters
 * register with the registrar through the client library.
 *
 * Uses the client library (client/): built as its own library,
 * vytest_vote_world, not in vytest_support (tests/CMakeLists.txt).
 */
#ifndef VYTEST_VOTE_WORLD_H
#define VYTEST_VOTE_WORLD_H

#include "client/registration.h"
#include "client/vote.h"
#include "tests/support/board_harness.h"
#include "tests/support/registrar_harness.h"

#define VYW_CODES 8 /* the registrar's roll */
/* The voters' passphrase: their credential files are sealed under it, and
 * w->pass_file holds it for vybar-vote's --passphrase-file. */
#define VYW_PASSPHRASE "a voter's passphrase"

typedef struct {
	vyrh_registrar reg;
	vyh_election e;
	char url[64];     /* the board's */
	size_t next_code; /* the next unused code of the roll */
	char pass_file[VYH_PATH_BYTES]; /* VYW_PASSPHRASE and a newline */
	uint8_t board_sk[crypto_sign_SECRETKEYBYTES]; /* to sign entries as the board would */
} vyw_world;

/* cmocka group setup and teardown: *state is a vyw_world. */
int vyw_setup(void **state);
/* The same with the booth (booth_dir NULL: none): the board on
 * board_port serves booth_dir (--booth, --booth-registrar, no rate
 * limit), the registrar lets the board's origin register (--booth-origin). */
int vyw_setup_booth(void **state, const char *booth_dir, unsigned board_port);
int vyw_teardown(void **state);

/* A file in the board's temporary directory. */
void vyw_tmp_path(const vyw_world *w, char out[VYH_PATH_BYTES], const char *name);
/* The board's election and record through the client library. */
void vyw_fetch(const vyw_world *w, vyc_board *bd);
/* Register the next code with the real registrar; the credential's path
 * (sealed under VYW_PASSPHRASE). */
void vyw_register(vyw_world *w, const vyc_board *bd, char path[VYH_PATH_BYTES]);
/* A ballot for command-line choices (specs[0..n_specs-1]) with fresh randomness. */
void vyw_build(const vyc_board *bd, const vyc_credential *c, const char *const *specs, size_t n_specs,
	       vy_built_ballot *b);
/* The same choices committed as a client does before the voter chooses:
 * under a fresh one-time key (vyc_commit), ready to audit. */
void vyw_commit(const vyc_board *bd, const char *const *specs, size_t n_specs, vy_built_ballot *b);

#endif
