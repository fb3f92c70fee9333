/*
 * End-to-end tests of vybar-registrar (specs/registrar.md): a real
 * registrar process in a temporary directory, with a fresh key (`init`), a
 * roll of codes (`roll`), and the fixtures' manifest with the registrar's
 * real public key, serving on 127.0.0.1 with a free port.
 */
#ifndef VYTEST_REGISTRAR_HARNESS_H
#define VYTEST_REGISTRAR_HARNESS_H

#include <sys/types.h>

#include "tests/support/protocol_fixtures.h"

#define VYRH_PATH_BYTES 512
#define VYRH_MAX_CODES 16
#define VYRH_CODE_BYTES 32

typedef struct {
	char dir[VYRH_PATH_BYTES], state[VYRH_PATH_BYTES], db[VYRH_PATH_BYTES];
	char manifest[VYRH_PATH_BYTES], port_file[VYRH_PATH_BYTES], log[VYRH_PATH_BYTES];
	char url[VYRH_PATH_BYTES];
	pid_t pid;
	/* the public keys from `init` */
	uint8_t statement_key[32];
	/* the election: the fixtures' manifest with this registrar's key */
	uint8_t *manifest_bytes;
	size_t manifest_len;
	Vybar__Manifest *m;
	vy_election e;
	/* the roll's codes, as written by `roll` */
	char codes[VYRH_MAX_CODES][VYRH_CODE_BYTES];
	size_t n_codes;
} vyrh_registrar;

/* The revoting limits of the manifest the next vyrh_start writes
 * (protocol.md §3.6): max_ballots_per_credential (0: the protocol's most,
 * VY_MAX_BALLOTS_PER_CREDENTIAL) and min_seconds_between_ballots (0). */
extern uint32_t vyrh_max_ballots, vyrh_min_seconds;
/* Non-zero: that manifest's texts carry translations (vyf_keys.translated). */
extern int vyrh_translated;

/* init (a fresh RSA key), roll n_codes codes, write the manifest, serve. */
void vyrh_start(vyrh_registrar *r, size_t n_codes);
/* The same, serve given the options extra (NULL-terminated; may be NULL). */
void vyrh_start_args(vyrh_registrar *r, size_t n_codes, const char *const *extra);
/* Stop the server (SIGTERM) and remove the directory. */
void vyrh_stop(vyrh_registrar *r);
/* Run the registrar program with argv[1..] (NULL-terminated): exit status. */
int vyrh_run(const vyrh_registrar *r, const char *const *args);
/* `close` (registrar.md §4.3): registration ends; asserts exit status 0. */
void vyrh_close(const vyrh_registrar *r);
/* Every row of every table of the registrar's database, as text (malloc'd). */
char *vyrh_db_dump(const vyrh_registrar *r);
/* base_url + path into out. */
void vyrh_url(const vyrh_registrar *r, char out[VYRH_PATH_BYTES], const char *path);

#endif
