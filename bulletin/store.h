/*
 * The board's storage (specs/board-api.md "Storage"): an append-only list of
 * packed RecordEntry messages, numbered by seq, with an index from tracking
 * code to the ballot's seq and signed receipt.
 *
 * A small interface with two backends: SQLite (store_sqlite.c, the
 * default) and PostgreSQL (store_pg.c, through libpq). Contract of every
 * backend:
 *  - append() takes a group of consecutive entries and is atomic and
 *    durable: when it returns VY_R_OK every entry of the group and its
 *    index row are committed to stable storage together (one transaction);
 *    on failure none is stored.
 *  - append() is called by one writer at a time; read(), lookup(), codes()
 *    and counts() may be called from any thread, concurrently with append().
 *    A visitor of read() may call read() again (the board reads a revote's
 *    previous ballot back while it replays the record).
 *  - codes() is a range read on the index (never a scan of it): the codes
 *    under a prefix, in ascending byte order.
 *  - lock() (optional: NULL in a store only one board may use) opens the
 *    transaction of the next append and takes the store's append lock in
 *    it, so that several boards append to one store in turn: the lock is
 *    held until that append's COMMIT or ROLLBACK, or unlock().
 *  - checkpoint_put() replaces the board's one restart checkpoint (an
 *    opaque blob, bulletin/checkpoint.h) in a transaction of its own;
 *    checkpoint_get() reads it back (found 0 if there is none).
 *  - Every function returns a vy_rc and fills why (which may be NULL).
 */
#ifndef VYB_STORE_H
#define VYB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_protocol.h"

/* One entry to append: its packed RecordEntry and, for a ballot or an
 * audited ballot, the tracking code and the packed signed Receipt. */
typedef struct {
	uint64_t seq;
	uint32_t type;
	const uint8_t *entry;
	size_t entry_len;
	const char *tracking_code; /* NULL unless a ballot or audited ballot */
	const uint8_t *receipt;
	size_t receipt_len;
} vyb_store_entry;

typedef struct {
	uint64_t entries; /* number of entries: the next seq */
	uint64_t indexed; /* tracking codes in the index */
} vyb_counts;

/* A found tracking code: the seq and type of its entry and its receipt. */
typedef struct {
	uint64_t seq;
	uint32_t type;
	uint8_t *receipt; /* malloc'd packed Receipt */
	size_t receipt_len;
} vyb_store_hit;

/* Called by read() for each entry in order; return 1 to go on, 0 to stop. */
typedef int (*vyb_store_visit_fn)(void *arg, uint64_t seq, const uint8_t *entry, size_t len);

/* Called by codes() for each tracking code under the prefix, in ascending
 * byte order, with the seq and type of its entry; return 1 to go on, 0 to
 * stop. */
typedef int (*vyb_store_code_fn)(void *arg, const char *code, uint64_t seq, uint32_t type);

typedef struct vyb_store vyb_store;

typedef struct {
	vy_rc (*append)(vyb_store *s, const vyb_store_entry *es, size_t n, vy_reason *why);
	vy_rc (*read)(vyb_store *s, uint64_t from, vyb_store_visit_fn fn, void *arg, vy_reason *why);
	vy_rc (*lookup)(vyb_store *s, const char *tracking_code, vyb_store_hit *hit, int *found, vy_reason *why);
	vy_rc (*codes)(vyb_store *s, const char *prefix, vyb_store_code_fn fn, void *arg, vy_reason *why);
	vy_rc (*counts)(vyb_store *s, vyb_counts *c, vy_reason *why);
	vy_rc (*lock)(vyb_store *s, vy_reason *why);
	void (*unlock)(vyb_store *s);
	vy_rc (*checkpoint_put)(vyb_store *s, const uint8_t *blob, size_t len, vy_reason *why);
	vy_rc (*checkpoint_get)(vyb_store *s, uint8_t **blob, size_t *len, int *found, vy_reason *why);
	void (*close)(vyb_store *s);
} vyb_store_ops;

struct vyb_store {
	const vyb_store_ops *ops;
};

/* Open (or create) the SQLite store at path: one file, WAL journal,
 * synchronous=FULL, one transaction per append (per group of entries). */
vy_rc vyb_store_sqlite_open(vyb_store **out, const char *path, vy_reason *why) VY_WARN_UNUSED;

/* Open (or create the tables of) the PostgreSQL store in the database
 * conninfo names (libpq's connection string): one transaction per append,
 * synchronous_commit on. */
vy_rc vyb_store_pg_open(vyb_store **out, const char *conninfo, vy_reason *why) VY_WARN_UNUSED;

/* A store named by the board's --store option: "sqlite:FILE" or
 * "postgresql:CONNINFO" (else VY_R_FIELD). */
#define VYB_STORE_SQLITE_PREFIX "sqlite:"
#define VYB_STORE_POSTGRESQL_PREFIX "postgresql:"
vy_rc vyb_store_open(vyb_store **out, const char *spec, vy_reason *why) VY_WARN_UNUSED;

/* Dispatch to the backend. */
vy_rc vyb_store_append(vyb_store *s, const vyb_store_entry *e, vy_reason *why) VY_WARN_UNUSED;
/* n >= 1 consecutive entries in one transaction: all committed, or none. */
vy_rc vyb_store_append_group(vyb_store *s, const vyb_store_entry *es, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vyb_store_read(vyb_store *s, uint64_t from, vyb_store_visit_fn fn, void *arg, vy_reason *why) VY_WARN_UNUSED;
vy_rc vyb_store_lookup(vyb_store *s, const char *tracking_code, vyb_store_hit *hit, int *found,
		       vy_reason *why) VY_WARN_UNUSED;
/* Every indexed tracking code that starts with prefix (1 to 16 bytes of the
 * code as stored, dashes included, each below 0x7f; else VY_R_FIELD). */
vy_rc vyb_store_codes(vyb_store *s, const char *prefix, vyb_store_code_fn fn, void *arg,
		      vy_reason *why) VY_WARN_UNUSED;
vy_rc vyb_store_counts(vyb_store *s, vyb_counts *c, vy_reason *why) VY_WARN_UNUSED;
/* Whether several boards may append to the store (it has lock()); take
 * the append lock (VY_R_OK at once without one); give it up unless an
 * append already did (no-op without one). */
int vyb_store_shared(const vyb_store *s);
vy_rc vyb_store_lock(vyb_store *s, vy_reason *why) VY_WARN_UNUSED;
void vyb_store_unlock(vyb_store *s);
/* The restart checkpoint: replace it; read it (*blob malloc'd, or NULL
 * with *found 0). */
vy_rc vyb_store_checkpoint_put(vyb_store *s, const uint8_t *blob, size_t len, vy_reason *why) VY_WARN_UNUSED;
vy_rc vyb_store_checkpoint_get(vyb_store *s, uint8_t **blob, size_t *len, int *found, vy_reason *why) VY_WARN_UNUSED;
void vyb_store_close(vyb_store *s);

#endif
