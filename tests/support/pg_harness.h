/*
 * A throwaway PostgreSQL for the tests that run the board on its
 * PostgreSQL store (bulletin/store_pg.c): one cluster per test process,
 * made by initdb in a temporary directory, listening on a Unix socket in
 * that directory only (no TCP), stopped and removed when the process
 * exits. As root, the server runs as the `postgres` user (initdb refuses
 * root), in a directory that user owns.
 *
 * A test of failover adds a streaming standby of that cluster (the
 * operator's setup of specs/board-api.md §2): a copy made by pg_basebackup
 * -R into a directory of its own, serving hot standby on its own socket
 * (the same socket directory, another port), to which the primary
 * replicates synchronously. From then on every connection string the
 * harness gives names both servers, libpq's multi-host form with
 * target_session_attrs=read-write, so that it reaches whichever is the
 * primary. The test may then kill the primary's postmaster (SIGKILL) and
 * promote the standby.
 */
#ifndef VYTEST_PG_HARNESS_H
#define VYTEST_PG_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#define VYPG_CONNINFO_BYTES 512
/* The exit status that makes ctest count a test as skipped
 * (SKIP_RETURN_CODE in tests/CMakeLists.txt). */
#define VYPG_SKIP 77

/* Start the cluster (once; later calls return at once). 1 once it runs;
 * 0 when PostgreSQL is not installed or cannot run here, after printing
 * why on stderr. */
int vypg_start(void);
/* A streaming standby of the running cluster (once vypg_start succeeded),
 * the primary then waiting for it at every COMMIT (synchronous_standby_names
 * names it, synchronous_commit on). 1 once it streams as the synchronous
 * standby; 0 when it cannot be made or started here, after printing why. */
int vypg_standby_start(void);
/* Kill the primary's postmaster with SIGKILL (no shutdown, no checkpoint);
 * returns once its socket refuses connections. */
void vypg_primary_kill(void);
/* Stop (SIGSTOP) or continue (SIGCONT) the standby's WAL receiver: while
 * it is stopped, the primary's COMMITs wait for it. */
void vypg_standby_receiver_pause(int pause);
/* Wait until sql's one value, on the primary's database "postgres", is
 * want; fails the test after about 60 s. */
void vypg_primary_await(const char *sql, const char *want);
/* Promote the standby (pg_ctl promote); returns once it is out of
 * recovery (pg_is_in_recovery() false); fails the test otherwise. */
void vypg_standby_promote(void);
/* Run SQL on the standby alone, in the database conninfo names (its
 * dbname); as vypg_query. */
void vypg_standby_query(const char *conninfo, const char *sql, char *out, size_t cap);
/* A fresh empty database of the cluster: its libpq connection string. */
void vypg_new_database(char out[VYPG_CONNINFO_BYTES]);
/* Run SQL in the database conninfo names; fails the test on error. */
void vypg_exec(const char *conninfo, const char *sql);
/* Run SQL (several statements allowed) in the database conninfo names;
 * the first column of every row of the last statement's answer into out,
 * one line each (NUL-terminated, cut at cap - 1 bytes); fails the test on
 * error. */
void vypg_query(const char *conninfo, const char *sql, char *out, size_t cap);
/* The bytea of the one row sql answers (malloc'd; NULL with *len 0 if no
 * row), and a statement storing p as its $1. */
uint8_t *vypg_blob_get(const char *conninfo, const char *sql, size_t *len);
void vypg_blob_put(const char *conninfo, const char *sql, const uint8_t *p, size_t len);
/* The stored bytes of entry seq (malloc'd), and their replacement. */
uint8_t *vypg_entry_get(const char *conninfo, uint64_t seq, size_t *len);
void vypg_entry_put(const char *conninfo, uint64_t seq, const uint8_t *p, size_t len);

#endif
