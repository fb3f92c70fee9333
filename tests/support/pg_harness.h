/*
 * A throwaway PostgreSQL for the tests that run the board on its
 * PostgreSQL store (bulletin/store_pg.c): one cluster per test process,
 * made by initdb in a temporary directory, listening on a Unix socket in
 * that directory only (no TCP), stopped and removed when the process
 * exits. As root, the server runs as the `postgres` user (initdb refuses
 * root), in a directory that user owns.
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
