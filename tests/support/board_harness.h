/*
 * End-to-end tests of vybar-board: start and stop a real board process on
 * 127.0.0.1 with a free port (--port 0 --port-file), talk to it over HTTP
 * with libcurl, and drive the fixtures' election (protocol_fixtures.h)
 * through it while keeping the same record locally, entry for entry.
 */
#ifndef VYTEST_BOARD_HARNESS_H
#define VYTEST_BOARD_HARNESS_H

#include <sys/types.h>

#include "protocol/vy_api.h"
#include "tests/support/pg_harness.h"
#include "tests/support/protocol_fixtures.h"

#define VYH_PATH_BYTES 512
#define VYH_DIR_BYTES 256

typedef struct {
	char dir[VYH_DIR_BYTES];
	char db[VYH_PATH_BYTES], key[VYH_PATH_BYTES], manifest[VYH_PATH_BYTES];
	char port_file[VYH_PATH_BYTES], log[VYH_PATH_BYTES];
	char store[VYPG_CONNINFO_BYTES + 16]; /* "": the SQLite file db; else --store's value */
	pid_t pid;
	unsigned port;
} vyh_board;

typedef struct {
	long status;
	uint8_t *body;
	size_t len;
	char retry_after[16];
	char seq[24];
	int transport_error; /* the request did not complete (server gone) */
} vyh_resp;

/* The store of the boards this test program starts, from its arguments:
 * none for SQLite (--db), "postgresql" for a fresh database of a
 * throwaway cluster per board (pg_harness.h, --store postgresql:...).
 * 0 to run the tests; VYPG_SKIP, after saying why, when PostgreSQL cannot
 * run here; 2 on an unknown argument. */
int vyh_store_select(int argc, char **argv);
/* Back to SQLite for the boards started next, after vyh_store_select chose
 * PostgreSQL (a program that runs on both, as bench_scale does); and to
 * PostgreSQL again. */
void vyh_store_use_postgresql(int on);
/* "sqlite" or "postgresql", for messages. */
const char *vyh_store_kind(void);
/* The stored bytes of entry seq (malloc'd), and their replacement, in the
 * board's store (a test's tampering). */
uint8_t *vyh_entry_get(const vyh_board *b, uint64_t seq, size_t *len);
void vyh_entry_put(const vyh_board *b, uint64_t seq, const uint8_t *p, size_t len);

/* The stored restart checkpoint (bulletin/checkpoint.h; malloc'd, NULL if
 * none), and its replacement. */
uint8_t *vyh_checkpoint_get(const vyh_board *b, size_t *len);
void vyh_checkpoint_put(const vyh_board *b, const uint8_t *p, size_t len);

/* A fresh temporary directory with the paths of the board's files (and a
 * fresh database when the store is PostgreSQL). */
void vyh_init(vyh_board *b);
/* Remove the directory and everything in it. */
void vyh_cleanup(vyh_board *b);
/* The key file (mode 0600) from a 32-byte seed; the manifest file. */
void vyh_write_key(const vyh_board *b, const uint8_t seed[32]);
void vyh_write_manifest(const vyh_board *b, const uint8_t *m, size_t len);
/* Start `vybar-board serve --db (or --store) --key --manifest --port 0 --port-file
 * --listen 127.0.0.1 [extra...]` (extra: NULL-terminated, may be NULL; a
 * --port among them replaces --port 0).
 * Returns -1 once the board listens, else the exit status of a board that
 * refused to start (its stderr is in b->log). */
int vyh_start(vyh_board *b, const char *const *extra);
/* How long vyh_start waits for the board to listen (default 30 s; a
 * benchmark's large record takes longer to open). */
void vyh_set_start_timeout(unsigned seconds);
/* Send sig and wait: the exit status (or 128 + signal). */
int vyh_stop(vyh_board *b, int sig);
/* The board's stderr so far (malloc'd, NUL-terminated). */
char *vyh_log(const vyh_board *b);

/* HTTP against the board; failures to connect are reported in transport_error. */
void vyh_get(const vyh_board *b, const char *path, vyh_resp *r);
void vyh_post(const vyh_board *b, const char *path, const uint8_t *body, size_t len, vyh_resp *r);
void vyh_resp_free(vyh_resp *r);
/* The body as a NUL-terminated string contains s. */
int vyh_body_has(const vyh_resp *r, const char *s);
/* The whole record (GET /v1/record?from=0), failing the test on error. */
uint8_t *vyh_record(const vyh_board *b, size_t *len);

/* ---- an election through the board ---- */

typedef struct {
	vyf_record r; /* the same record, kept locally */
	vyh_board b;
	uint8_t commission_pk[crypto_sign_PUBLICKEYBYTES], commission_sk[crypto_sign_SECRETKEYBYTES];
} vyh_election;

/* The fixtures' record (n trustees, threshold t) and a board started on its
 * manifest with the fixtures' board key. The manifest names no witness. */
void vyh_election_start(vyh_election *e, uint32_t n, uint32_t t, const char *const *extra);
/* The same on another manifest (vyf_manifest_pack of the fixtures' keys for
 * n, t, e.g. naming the witnesses: keys.n_witnesses, keys.witness_k). */
void vyh_election_start_manifest(vyh_election *e, uint32_t n, uint32_t t, const uint8_t *manifest, size_t len,
				 const char *const *extra);
void vyh_election_free(vyh_election *e);
/* The whole key ceremony over HTTP, then the admin "open", each entry also
 * appended locally; fails the test unless every step is accepted. */
void vyh_election_ceremony(vyh_election *e);
/* An AdminAction (protocol.md §12) signed with sk over head. */
uint8_t *vyh_admin_action(const vyh_election *e, int action, const uint8_t head[VY_HASH_BYTES], const uint8_t *sk,
			  size_t *len);
/* An admin action on the current head, posted; fails the test unless 200. */
void vyh_admin(vyh_election *e, int action);
/* After the close: the registrar's statement, the admin tally, every
 * trustee's partial decryption, the admin result, each posted (200 or the
 * test fails) and each entry also built locally by the library. */
void vyh_election_count(vyh_election *e);
/* The admin "close" (the board derives the ElectionClose, §12.3), and the
 * same ELECTION_CLOSE appended locally. */
void vyh_election_close(vyh_election *e);
/* vyh_election_close, then vyh_election_count; fails the test unless the
 * board's record is then the library's, byte for byte. */
void vyh_election_close_and_count(vyh_election *e);
/* Fails the test unless the board's record is the local one, byte for byte. */
void vyh_expect_same_record(const vyh_election *e);
/* The local record file bytes (magic + frames). */
uint8_t *vyh_local_record(const vyh_election *e, size_t *len);
/* Verify a record file's bytes with the protocol library;
 * returns the reason code, fills st (initialised here; free it). */
vy_rc vyh_verify_record(const uint8_t *rec, size_t len, vy_record_state *st, vy_reason *why);
/* The entry hash of every entry of a record file's bytes (malloc'd array). */
uint8_t (*vyh_entry_hashes(const uint8_t *rec, size_t len, size_t *n))[VY_HASH_BYTES];

#endif
