/*
 * The SQLite store (store.h): one database file in WAL mode with
 * synchronous=FULL, so a COMMIT that returned is on stable storage. Each
 * append is one transaction holding a group of entries and their index rows
 * (one WAL fsync for the whole group).
 *
 * Two connections: the writer's (used by append, under wlock) and the
 * readers' (read, lookup, codes, counts, under rlock). WAL lets readers see the
 * last committed state while the writer works. rlock is recursive, since
 * read() holds it while it visits: a visitor may read again (the board
 * reads a revote's previous ballot back while it replays the record),
 * with a statement of its own on the same connection.
 *
 *   entries(seq INTEGER PRIMARY KEY, type INTEGER, entry BLOB)
 *   tracking(code TEXT PRIMARY KEY, seq INTEGER UNIQUE, type INTEGER, receipt BLOB)
 *   checkpoint(id INTEGER PRIMARY KEY CHECK (id = 0), blob BLOB)   one row at most
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bulletin/store.h"
#include "protocol/vy_election.h"

#define BUSY_TIMEOUT_MS 10000

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS entries(seq INTEGER PRIMARY KEY, type INTEGER NOT NULL, entry BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS tracking(code TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,"
	" type INTEGER NOT NULL, receipt BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS checkpoint(id INTEGER PRIMARY KEY CHECK (id = 0), blob BLOB NOT NULL);";

typedef struct {
	vyb_store base;
	sqlite3 *w, *r;
	pthread_mutex_t wlock, rlock;
	sqlite3_stmt *ins_entry, *ins_tracking;
} sqlite_store;

/* Fill why from the connection's last error. */
static vy_rc db_fail(sqlite3 *db, const char *what, vy_reason *why)
{
	return vy_reason_set(why, VY_R_IO, "store: %s: %s", what, sqlite3_errmsg(db));
}

/* Run SQL without results. */
static vy_rc exec(sqlite3 *db, const char *sql, vy_reason *why)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, sql, why);
	return VY_R_OK;
}

/* Open one connection with the board's pragmas. */
static vy_rc open_conn(sqlite3 **db, const char *path, vy_reason *why)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	vy_rc rc;

	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		rc = vy_reason_set(why, VY_R_IO, "store: cannot open %s: %s", path,
				   *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
	rc = exec(*db, "PRAGMA journal_mode=WAL", why);
	if (rc == VY_R_OK)
		rc = exec(*db, "PRAGMA synchronous=FULL", why);
	return rc;
}

/* Bind, step and reset one insert. */
static int step_insert(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE;
}

/* Insert one entry and, for a ballot, its index row (inside a transaction). */
static vy_rc insert_one(sqlite_store *s, const vyb_store_entry *e, vy_reason *why)
{
	sqlite3_bind_int64(s->ins_entry, 1, (sqlite3_int64)e->seq);
	sqlite3_bind_int64(s->ins_entry, 2, e->type);
	sqlite3_bind_blob(s->ins_entry, 3, e->entry, (int)e->entry_len, SQLITE_STATIC);
	if (!step_insert(s->ins_entry))
		return db_fail(s->w, "insert entry", why);
	if (e->tracking_code != NULL) {
		sqlite3_bind_text(s->ins_tracking, 1, e->tracking_code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->ins_tracking, 2, (sqlite3_int64)e->seq);
		sqlite3_bind_int64(s->ins_tracking, 3, e->type);
		sqlite3_bind_blob(s->ins_tracking, 4, e->receipt, (int)e->receipt_len, SQLITE_STATIC);
		if (!step_insert(s->ins_tracking))
			return db_fail(s->w, "insert tracking code", why);
	}
	return VY_R_OK;
}

/* After a failed COMMIT. The WAL may hold the whole group past the last
 * committed frame, commit frame included, with valid checksums: written,
 * then the fsync failed. This process no longer sees it, but SQLite's
 * recovery after a crash would bring it back, with entries whose submitters
 * were told they were not recorded. The next transaction is written at the
 * same place, which breaks the chain of checksums of what remains of the
 * group; so commit one at once, a change of user_version (one page, no
 * table touched). Best effort: if it fails too, the next append does the
 * same. */
static void fence(sqlite_store *s)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 v = 0;
	char sql[64];

	if (sqlite3_prepare_v2(s->w, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)((v + 1) & 0x7fffffff));
	(void)sqlite3_exec(s->w, sql, NULL, NULL, NULL);
}

/* One transaction: every entry of the group and their index rows. */
static vy_rc sq_append(vyb_store *base, const vyb_store_entry *es, size_t n, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	vy_rc rc;

	pthread_mutex_lock(&s->wlock);
	rc = exec(s->w, "BEGIN IMMEDIATE", why);
	if (rc != VY_R_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		rc = insert_one(s, &es[i], why);
		if (rc != VY_R_OK)
			goto rollback;
	}
	/* Durable before acknowledged: COMMIT returns after the WAL fsync. */
	rc = exec(s->w, "COMMIT", why);
	if (rc == VY_R_OK)
		goto out;
	sqlite3_exec(s->w, "ROLLBACK", NULL, NULL, NULL);
	fence(s);
	goto out;
rollback:
	/* A failed ROLLBACK leaves nothing to undo: the transaction is gone either way. */
	sqlite3_exec(s->w, "ROLLBACK", NULL, NULL, NULL);
out:
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* Visit every entry from seq `from`, in order. */
static vy_rc sq_read(vyb_store *base, uint64_t from, vyb_store_visit_fn fn, void *arg, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = NULL;
	uint64_t expect = from;
	vy_rc rc = VY_R_OK;
	int step;

	pthread_mutex_lock(&s->rlock);
	if (sqlite3_prepare_v2(s->r, "SELECT seq, entry FROM entries WHERE seq >= ? ORDER BY seq", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = db_fail(s->r, "select entries", why);
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
		const uint8_t *blob = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if (seq != expect) {
			rc = vy_reason_set(why, VY_R_SEQ, "store: entry %llu is missing", (unsigned long long)expect);
			goto out;
		}
		expect++;
		if (!fn(arg, seq, blob, len))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = db_fail(s->r, "read entries", why);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

/* The index row of a tracking code. */
static vy_rc sq_lookup(vyb_store *base, const char *code, vyb_store_hit *hit, int *found, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = NULL;
	vy_rc rc = VY_R_OK;
	int step;

	*found = 0;
	memset(hit, 0, sizeof *hit);
	pthread_mutex_lock(&s->rlock);
	if (sqlite3_prepare_v2(s->r, "SELECT seq, type, receipt FROM tracking WHERE code = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = db_fail(s->r, "select tracking", why);
		goto out;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, 2);

		hit->seq = (uint64_t)sqlite3_column_int64(st, 0);
		hit->type = (uint32_t)sqlite3_column_int64(st, 1);
		hit->receipt = malloc(len ? len : 1);
		if (hit->receipt == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
			goto out;
		}
		if (len)
			memcpy(hit->receipt, sqlite3_column_blob(st, 2), len);
		hit->receipt_len = len;
		*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = db_fail(s->r, "lookup", why);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

/* The codes under a prefix: a range on the primary key's index,
 * prefix <= code < the prefix with its last byte raised by one (every code
 * in that range starts with the prefix, and every such code is in it). */
static vy_rc sq_codes(vyb_store *base, const char *prefix, vyb_store_code_fn fn, void *arg, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = NULL;
	char hi[VY_TRACKING_CODE_BYTES];
	size_t n = strlen(prefix);
	vy_rc rc = VY_R_OK;
	int step;

	if (n == 0 || n > VY_TRACKING_CODE_LEN || (unsigned char)prefix[n - 1] >= 0x7f)
		return vy_reason_set(why, VY_R_FIELD, "store: a prefix is 1 to %d ASCII characters",
				     VY_TRACKING_CODE_LEN);
	memcpy(hi, prefix, n + 1);
	hi[n - 1]++;
	pthread_mutex_lock(&s->rlock);
	if (sqlite3_prepare_v2(s->r, "SELECT code, seq, type FROM tracking WHERE code >= ? AND code < ? ORDER BY code",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(s->r, "select tracking range", why);
		goto out;
	}
	sqlite3_bind_text(st, 1, prefix, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, (int)n, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);

		if (code == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
			goto out;
		}
		if (!fn(arg, code, (uint64_t)sqlite3_column_int64(st, 1), (uint32_t)sqlite3_column_int64(st, 2)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = db_fail(s->r, "read tracking range", why);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

/* A single integer query. */
static vy_rc count_of(sqlite3 *db, const char *sql, uint64_t *out, vy_reason *why)
{
	sqlite3_stmt *st = NULL;
	vy_rc rc = VY_R_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = db_fail(db, sql, why);
	else
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static vy_rc sq_counts(vyb_store *base, vyb_counts *c, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	vy_rc rc;

	memset(c, 0, sizeof *c);
	pthread_mutex_lock(&s->rlock);
	rc = count_of(s->r, "SELECT COALESCE(MAX(seq) + 1, 0) FROM entries", &c->entries, why);
	if (rc == VY_R_OK)
		rc = count_of(s->r, "SELECT COUNT(*) FROM tracking", &c->indexed, why);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

/* The one checkpoint row, replaced in a transaction of its own (the writer's). */
static vy_rc sq_checkpoint_put(vyb_store *base, const uint8_t *blob, size_t len, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = NULL;
	vy_rc rc = VY_R_OK;

	pthread_mutex_lock(&s->wlock);
	if (sqlite3_prepare_v2(s->w, "INSERT OR REPLACE INTO checkpoint(id, blob) VALUES (0, ?)", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = db_fail(s->w, "prepare checkpoint", why);
	} else {
		sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(s->w, "write checkpoint", why);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

static vy_rc sq_checkpoint_get(vyb_store *base, uint8_t **blob, size_t *len, int *found, vy_reason *why)
{
	sqlite_store *s = (sqlite_store *)base;
	sqlite3_stmt *st = NULL;
	vy_rc rc = VY_R_OK;
	int step;

	*blob = NULL;
	*len = 0;
	*found = 0;
	pthread_mutex_lock(&s->rlock);
	if (sqlite3_prepare_v2(s->r, "SELECT blob FROM checkpoint WHERE id = 0", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(s->r, "select checkpoint", why);
		goto out;
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		*blob = malloc(n ? n : 1);
		if (*blob == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
			goto out;
		}
		if (n)
			memcpy(*blob, sqlite3_column_blob(st, 0), n);
		*len = n;
		*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = db_fail(s->r, "read checkpoint", why);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

static void sq_close(vyb_store *base)
{
	sqlite_store *s = (sqlite_store *)base;

	if (s == NULL)
		return;
	sqlite3_finalize(s->ins_entry);
	sqlite3_finalize(s->ins_tracking);
	sqlite3_close(s->r);
	sqlite3_close(s->w);
	pthread_mutex_destroy(&s->wlock);
	pthread_mutex_destroy(&s->rlock);
	free(s);
}

static const vyb_store_ops SQLITE_OPS = {
	.append = sq_append,
	.read = sq_read,
	.lookup = sq_lookup,
	.codes = sq_codes,
	.counts = sq_counts,
	.checkpoint_put = sq_checkpoint_put,
	.checkpoint_get = sq_checkpoint_get,
	.close = sq_close,
};

vy_rc vyb_store_sqlite_open(vyb_store **out, const char *path, vy_reason *why)
{
	sqlite_store *s;
	pthread_mutexattr_t attr;
	vy_rc rc;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
	s->base.ops = &SQLITE_OPS;
	pthread_mutex_init(&s->wlock, NULL);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->rlock, &attr);
	pthread_mutexattr_destroy(&attr);
	rc = open_conn(&s->w, path, why);
	if (rc == VY_R_OK)
		rc = exec(s->w, SCHEMA, why);
	if (rc == VY_R_OK)
		rc = open_conn(&s->r, path, why);
	if (rc == VY_R_OK &&
	    (sqlite3_prepare_v2(s->w, "INSERT INTO entries(seq, type, entry) VALUES (?, ?, ?)", -1, &s->ins_entry,
				NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(s->w, "INSERT INTO tracking(code, seq, type, receipt) VALUES (?, ?, ?, ?)", -1,
				&s->ins_tracking, NULL) != SQLITE_OK))
		rc = db_fail(s->w, "prepare", why);
	if (rc != VY_R_OK) {
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return VY_R_OK;
}

vy_rc vyb_store_append(vyb_store *s, const vyb_store_entry *e, vy_reason *why)
{
	return s->ops->append(s, e, 1, why);
}

vy_rc vyb_store_append_group(vyb_store *s, const vyb_store_entry *es, size_t n, vy_reason *why)
{
	return s->ops->append(s, es, n, why);
}

vy_rc vyb_store_read(vyb_store *s, uint64_t from, vyb_store_visit_fn fn, void *arg, vy_reason *why)
{
	return s->ops->read(s, from, fn, arg, why);
}

vy_rc vyb_store_lookup(vyb_store *s, const char *tracking_code, vyb_store_hit *hit, int *found, vy_reason *why)
{
	return s->ops->lookup(s, tracking_code, hit, found, why);
}

vy_rc vyb_store_codes(vyb_store *s, const char *prefix, vyb_store_code_fn fn, void *arg, vy_reason *why)
{
	return s->ops->codes(s, prefix, fn, arg, why);
}

vy_rc vyb_store_counts(vyb_store *s, vyb_counts *c, vy_reason *why)
{
	return s->ops->counts(s, c, why);
}

int vyb_store_shared(const vyb_store *s)
{
	return s->ops->lock != NULL;
}

vy_rc vyb_store_lock(vyb_store *s, vy_reason *why)
{
	return s->ops->lock != NULL ? s->ops->lock(s, why) : VY_R_OK;
}

void vyb_store_unlock(vyb_store *s)
{
	if (s->ops->unlock != NULL)
		s->ops->unlock(s);
}

vy_rc vyb_store_checkpoint_put(vyb_store *s, const uint8_t *blob, size_t len, vy_reason *why)
{
	return s->ops->checkpoint_put(s, blob, len, why);
}

vy_rc vyb_store_checkpoint_get(vyb_store *s, uint8_t **blob, size_t *len, int *found, vy_reason *why)
{
	return s->ops->checkpoint_get(s, blob, len, found, why);
}

void vyb_store_close(vyb_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}
