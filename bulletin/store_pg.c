/*
 * The PostgreSQL store (store.h), through libpq: the same two tables as
 * the SQLite store, in the database a connection string names
 * (specs/board-api.md §2).
 *
 *   entries(seq bigint PRIMARY KEY, type integer, entry bytea)
 *   tracking(code text COLLATE "C" PRIMARY KEY, seq bigint UNIQUE,
 *            type integer, receipt bytea)
 *   checkpoint(id integer PRIMARY KEY CHECK (id = 0), blob bytea)   one row at most
 *
 * Durable: each append is one transaction with synchronous_commit on, so
 * a COMMIT that returned is in the server's flushed WAL. Two connections,
 * as in store_sqlite.c: the writer's (append, under wlock) and the
 * readers' (read, lookup, codes, counts, under rlock); READ COMMITTED lets
 * readers see the last committed state while the writer works. The codes'
 * "C" collation orders them by byte, so a prefix is a range of the primary
 * key's index. Reads go by pages, so neither a whole record nor a whole
 * range is ever held in memory, and the readers' lock is never held while
 * the caller's visitor runs.
 *
 * Several boards may append to one database: lock() opens the next
 * append's transaction and takes a transaction-level advisory lock
 * (PG_APPEND_LOCK) in it, which its COMMIT or ROLLBACK gives up; the board
 * reads and applies what the others appended before it builds its own
 * entries (board.c, catch_up).
 *
 * A connection that broke is reset before its next use, and a statement
 * that finds its connection broken is run once more on a fresh one when
 * that is safe (it is outside a transaction, or opens one: the broken
 * connection took its transaction with it). A reset runs the whole
 * connection string again: given several hosts and
 * target_session_attrs=read-write, libpq tries them in turn and keeps the
 * one that accepts writes, so after a failover the store lands on the
 * promoted standby. The session settings travel with every connection
 * attempt (libpq's options), so a reset connection has them too (a SET
 * would not survive a reset). A COMMIT whose answer was lost with the
 * connection may have committed: after the reset the store looks for the
 * group's first entry, byte for byte, and reports the group committed if
 * it is there; while no server that accepts writes answers, it asks again
 * for a while (group_outcome), long enough for a standby's promotion.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "bulletin/be_bytes.h"
#include "bulletin/store.h"
#include "protocol/vy_election.h"

#define PG_PAGE_ROWS 1024 /* rows per page of read() and codes() */
/* rows of read()'s first page: a read that stops after its first entry
 * (the board reading a revote's previous ballot back) fetches that one */
#define PG_FIRST_PAGE_ROWS 1
#define PG_SCHEMA_LOCK 0x7679626172 /* advisory lock key of schema creation */
#define PG_APPEND_LOCK 0x7679626173 /* advisory lock key of the appends */
#define PG_NUM_TEXT_BYTES 24
#define PG_FORMAT_TEXT 0
#define PG_FORMAT_BINARY 1
#define PG_INT8_BYTES 8
#define PG_INT4_BYTES 4
#define PG_OUTCOME_POLL_NS 500000000L /* a lost COMMIT's outcome: asked every 0.5 s */
#define PG_OUTCOME_POLLS 120 /* for up to 60 s, a failover's time */
#define PG_MULTI_STATEMENT (-1) /* pg_run's n: PQexec, several statements, text results */
/* The session settings of every connection (specs/board-api.md §2): a
 * COMMIT returns once the WAL is flushed (on the synchronous standby too,
 * where the server names one), and no notices on stderr. */
#define PG_SESSION_OPTIONS "-c synchronous_commit=on -c client_min_messages=warning"

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS entries(seq bigint PRIMARY KEY, type integer NOT NULL, entry bytea NOT NULL);"
	"CREATE TABLE IF NOT EXISTS tracking(code text COLLATE \"C\" PRIMARY KEY, seq bigint NOT NULL UNIQUE,"
	" type integer NOT NULL, receipt bytea NOT NULL);"
	"CREATE TABLE IF NOT EXISTS checkpoint(id integer PRIMARY KEY CHECK (id = 0), blob bytea NOT NULL);";

typedef struct {
	vyb_store base;
	PGconn *w, *r;
	pthread_mutex_t wlock, rlock;
	int in_tx; /* lock() opened the writer's transaction (under wlock) */
} pg_store;

/* Fill why from a connection's (or a result's) last error, on one line. */
static vy_rc pg_fail(PGconn *c, const PGresult *res, const char *what, vy_reason *why)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res) : "";
	char line[VY_REASON_MSG_BYTES];
	size_t n;

	if (msg == NULL || msg[0] == '\0')
		msg = PQerrorMessage(c);
	snprintf(line, sizeof line, "%s", msg);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	return vy_reason_set(why, VY_R_IO, "store: postgresql: %s: %s", what, line);
}

/* A statement's answer is a failure (NULL-safe). */
static int pg_failed(const PGresult *res)
{
	return PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK;
}

/* One statement: n parameters, binary results; or n = PG_MULTI_STATEMENT,
 * several statements without parameters, text results. */
static PGresult *pg_send(PGconn *c, const char *sql, int n, const char *const *vals, const int *lens, const int *fmts)
{
	if (n == PG_MULTI_STATEMENT)
		return PQexec(c, sql);
	return PQexecParams(c, sql, n, NULL, vals, lens, fmts, PG_FORMAT_BINARY);
}

/* A statement outside a transaction, or one that opens it, on a connection
 * that works: one that broke before is reset first (best effort: if no
 * server accepts it yet, the statement fails and says so); one that turns
 * out broken under the statement (the server went away since its last
 * use) is reset and the statement run once more, which does what the
 * first run would have done, the broken connection having taken any
 * transaction of its with it. NULL-safe to PQclear. */
static PGresult *pg_run(PGconn *c, const char *sql, int n, const char *const *vals, const int *lens, const int *fmts)
{
	PGresult *res;

	if (PQstatus(c) != CONNECTION_BAD) {
		res = pg_send(c, sql, n, vals, lens, fmts);
		if (!pg_failed(res) || PQstatus(c) != CONNECTION_BAD)
			return res;
		PQclear(res);
	}
	PQreset(c);
	return pg_send(c, sql, n, vals, lens, fmts);
}

/* The answer of a statement without results, cleared. */
static vy_rc pg_done(PGconn *c, PGresult *res, const char *what, vy_reason *why)
{
	vy_rc rc = VY_R_OK;

	if (pg_failed(res))
		rc = pg_fail(c, res, what, why);
	PQclear(res);
	return rc;
}

/* Run SQL without results (several statements allowed), as it comes. */
static vy_rc pg_exec(PGconn *c, const char *sql, vy_reason *why)
{
	return pg_done(c, PQexec(c, sql), sql, why);
}

/* A binary int8 or int4 column of row i (0 if the column is not one). */
static uint64_t col_int(const PGresult *res, int i, int col)
{
	int len = PQgetlength(res, i, col);

	if (len != PG_INT8_BYTES && len != PG_INT4_BYTES)
		return 0;
	return vyb_get_be((const uint8_t *)PQgetvalue(res, i, col), (size_t)len);
}

/* A statement with parameters, binary results. NULL-safe to PQclear. */
static PGresult *pg_query(PGconn *c, const char *sql, int n, const char *const *vals, const int *lens,
			  const int *fmts)
{
	return PQexecParams(c, sql, n, NULL, vals, lens, fmts, PG_FORMAT_BINARY);
}

/* Insert one entry and, for a ballot, its index row (inside a transaction). */
static vy_rc insert_one(pg_store *s, const vyb_store_entry *e, vy_reason *why)
{
	uint8_t seq[PG_INT8_BYTES], type[PG_INT4_BYTES];
	const char *vals[4];
	int lens[4], fmts[4] = { PG_FORMAT_BINARY, PG_FORMAT_BINARY, PG_FORMAT_BINARY, PG_FORMAT_BINARY };
	PGresult *res;
	vy_rc rc = VY_R_OK;

	vyb_put_be(seq, e->seq, sizeof seq);
	vyb_put_be(type, e->type, sizeof type);
	vals[0] = (const char *)seq, lens[0] = sizeof seq;
	vals[1] = (const char *)type, lens[1] = sizeof type;
	vals[2] = (const char *)e->entry, lens[2] = (int)e->entry_len;
	res = pg_query(s->w, "INSERT INTO entries(seq, type, entry) VALUES ($1::int8, $2::int4, $3::bytea)", 3, vals,
		       lens, fmts);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(s->w, res, "insert entry", why);
	PQclear(res);
	if (rc != VY_R_OK || e->tracking_code == NULL)
		return rc;
	vals[0] = e->tracking_code, lens[0] = 0, fmts[0] = PG_FORMAT_TEXT;
	vals[1] = (const char *)seq, lens[1] = sizeof seq;
	vals[2] = (const char *)type, lens[2] = sizeof type;
	vals[3] = (const char *)e->receipt, lens[3] = (int)e->receipt_len;
	res = pg_query(s->w,
		       "INSERT INTO tracking(code, seq, type, receipt) VALUES ($1::text, $2::int8, $3::int4, $4::bytea)",
		       4, vals, lens, fmts);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(s->w, res, "insert tracking code", why);
	PQclear(res);
	return rc;
}

/* After a COMMIT whose answer was lost with the connection: is the group's
 * first entry stored, exactly? 1 yes, 0 no, -1 cannot tell. */
static int group_landed(pg_store *s, const vyb_store_entry *first)
{
	uint8_t seq[PG_INT8_BYTES];
	const char *vals[2] = { (const char *)seq, (const char *)first->entry };
	int lens[2] = { sizeof seq, (int)first->entry_len }, fmts[2] = { PG_FORMAT_BINARY, PG_FORMAT_BINARY };
	PGresult *res;
	int landed = -1;

	vyb_put_be(seq, first->seq, sizeof seq);
	res = pg_run(s->w, "SELECT 1 FROM entries WHERE seq = $1::int8 AND entry = $2::bytea", 2, vals, lens, fmts);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		landed = PQntuples(res) == 1;
	PQclear(res);
	return landed;
}

/* The outcome of a COMMIT lost with its connection, once a server that
 * accepts writes answers: while none does (the primary died and its
 * standby is not promoted yet), asked again for up to PG_OUTCOME_POLLS
 * times. The promoted standby has every COMMIT the primary may have
 * reported, and perhaps this one. 1 landed, 0 not, -1 still cannot tell. */
static int group_outcome(pg_store *s, const vyb_store_entry *first)
{
	struct timespec step = { 0, PG_OUTCOME_POLL_NS };
	int landed = group_landed(s, first);

	for (int i = 0; landed < 0 && i < PG_OUTCOME_POLLS; i++) {
		nanosleep(&step, NULL);
		landed = group_landed(s, first);
	}
	return landed;
}

/* One transaction: every entry of the group and their index rows. */
static vy_rc pg_append(vyb_store *base, const vyb_store_entry *es, size_t n, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	PGresult *res;
	vy_rc rc;

	pthread_mutex_lock(&s->wlock);
	if (!s->in_tx) {
		rc = pg_done(s->w, pg_run(s->w, "BEGIN", PG_MULTI_STATEMENT, NULL, NULL, NULL), "BEGIN", why);
		if (rc != VY_R_OK)
			goto out;
	}
	s->in_tx = 0; /* this append ends the transaction, one way or the other */
	for (size_t i = 0; i < n; i++) {
		rc = insert_one(s, &es[i], why);
		if (rc != VY_R_OK)
			goto rollback;
	}
	/* Durable before acknowledged: COMMIT returns after the WAL flush
	 * (synchronous_commit is on for this connection). */
	res = PQexec(s->w, "COMMIT");
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		goto out;
	}
	rc = pg_fail(s->w, res, "commit", why);
	PQclear(res);
	if (PQstatus(s->w) == CONNECTION_BAD && n > 0 && group_outcome(s, &es[0]) == 1)
		rc = VY_R_OK;
	goto out;
rollback:
	/* A failed ROLLBACK leaves nothing to undo: the transaction is gone either way. */
	PQclear(PQexec(s->w, "ROLLBACK"));
out:
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* The next append's transaction, holding the append lock. */
static vy_rc pg_lock(vyb_store *base, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	char sql[96];
	vy_rc rc;

	snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)PG_APPEND_LOCK);
	pthread_mutex_lock(&s->wlock);
	if (s->in_tx)
		PQclear(PQexec(s->w, "ROLLBACK"));
	rc = pg_done(s->w, pg_run(s->w, sql, PG_MULTI_STATEMENT, NULL, NULL, NULL), sql, why);
	s->in_tx = rc == VY_R_OK;
	if (rc != VY_R_OK)
		PQclear(PQexec(s->w, "ROLLBACK"));
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

/* No append followed the lock: end its transaction (and the lock). */
static void pg_unlock(vyb_store *base)
{
	pg_store *s = (pg_store *)base;

	pthread_mutex_lock(&s->wlock);
	if (s->in_tx)
		PQclear(PQexec(s->w, "ROLLBACK"));
	s->in_tx = 0;
	pthread_mutex_unlock(&s->wlock);
}

/* One page of at most `rows` entries from seq `from` (rlock held by the
 * caller). */
static PGresult *read_page(pg_store *s, uint64_t from, int rows, vy_reason *why, vy_rc *rc)
{
	uint8_t seq[PG_INT8_BYTES];
	const char *vals[1] = { (const char *)seq };
	int lens[1] = { sizeof seq }, fmts[1] = { PG_FORMAT_BINARY };
	char sql[128];
	PGresult *res;

	vyb_put_be(seq, from, sizeof seq);
	snprintf(sql, sizeof sql, "SELECT seq, entry FROM entries WHERE seq >= $1::int8 ORDER BY seq LIMIT %d", rows);
	res = pg_run(s->r, sql, 1, vals, lens, fmts);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*rc = pg_fail(s->r, res, "read entries", why);
		PQclear(res);
		return NULL;
	}
	*rc = VY_R_OK;
	return res;
}

/* Visit every entry from seq `from`, in order, a page at a time (the
 * first of PG_FIRST_PAGE_ROWS). */
static vy_rc pg_read(vyb_store *base, uint64_t from, vyb_store_visit_fn fn, void *arg, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	uint64_t expect = from;
	vy_rc rc = VY_R_OK;
	int page = PG_FIRST_PAGE_ROWS;

	for (;; page = PG_PAGE_ROWS) {
		PGresult *res;
		int rows;

		pthread_mutex_lock(&s->rlock);
		res = read_page(s, expect, page, why, &rc);
		pthread_mutex_unlock(&s->rlock);
		if (res == NULL)
			return rc;
		rows = PQntuples(res);
		for (int i = 0; i < rows; i++) {
			uint64_t seq = col_int(res, i, 0);

			if (seq != expect) {
				PQclear(res);
				return vy_reason_set(why, VY_R_SEQ, "store: entry %llu is missing",
						     (unsigned long long)expect);
			}
			expect++;
			if (!fn(arg, seq, (const uint8_t *)PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1))) {
				PQclear(res);
				return VY_R_OK;
			}
		}
		PQclear(res);
		if (rows < page)
			return VY_R_OK;
	}
}

/* The index row of a tracking code. */
static vy_rc pg_lookup(vyb_store *base, const char *code, vyb_store_hit *hit, int *found, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	const char *vals[1] = { code };
	int lens[1] = { 0 }, fmts[1] = { PG_FORMAT_TEXT };
	PGresult *res;
	vy_rc rc = VY_R_OK;

	*found = 0;
	memset(hit, 0, sizeof *hit);
	pthread_mutex_lock(&s->rlock);
	res = pg_run(s->r, "SELECT seq, type, receipt FROM tracking WHERE code = $1::text", 1, vals, lens, fmts);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_fail(s->r, res, "lookup", why);
	} else if (PQntuples(res) == 1) {
		size_t len = (size_t)PQgetlength(res, 0, 2);

		hit->seq = col_int(res, 0, 0);
		hit->type = (uint32_t)col_int(res, 0, 1);
		hit->receipt = malloc(len ? len : 1);
		if (hit->receipt == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
		} else {
			memcpy(hit->receipt, PQgetvalue(res, 0, 2), len);
			hit->receipt_len = len;
			*found = 1;
		}
	}
	PQclear(res);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

/* The codes under a prefix: a range on the primary key's index, as in
 * store_sqlite.c (prefix <= code < the prefix with its last byte raised by
 * one, in the bytes' order of the "C" collation), a page at a time, each
 * page starting after the last code of the one before. */
static vy_rc pg_codes(vyb_store *base, const char *prefix, vyb_store_code_fn fn, void *arg, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	char lo[VY_TRACKING_CODE_BYTES], hi[VY_TRACKING_CODE_BYTES], sql[160];
	const char *op = ">=";
	size_t n = strlen(prefix);

	if (n == 0 || n > VY_TRACKING_CODE_LEN || (unsigned char)prefix[n - 1] >= 0x7f)
		return vy_reason_set(why, VY_R_FIELD, "store: a prefix is 1 to %d ASCII characters",
				     VY_TRACKING_CODE_LEN);
	memcpy(lo, prefix, n + 1);
	memcpy(hi, prefix, n + 1);
	hi[n - 1]++;
	for (;;) {
		const char *vals[2] = { lo, hi };
		int lens[2] = { 0, 0 }, fmts[2] = { PG_FORMAT_TEXT, PG_FORMAT_TEXT };
		PGresult *res;
		vy_rc rc = VY_R_OK;
		int rows;

		snprintf(sql, sizeof sql,
			 "SELECT code, seq, type FROM tracking WHERE code %s $1::text AND code < $2::text"
			 " ORDER BY code LIMIT %d",
			 op, PG_PAGE_ROWS);
		pthread_mutex_lock(&s->rlock);
		res = pg_run(s->r, sql, 2, vals, lens, fmts);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = pg_fail(s->r, res, "read tracking range", why);
		pthread_mutex_unlock(&s->rlock);
		if (rc != VY_R_OK) {
			PQclear(res);
			return rc;
		}
		rows = PQntuples(res);
		for (int i = 0; i < rows; i++) {
			const char *code = PQgetvalue(res, i, 0);

			if (!fn(arg, code, col_int(res, i, 1), (uint32_t)col_int(res, i, 2))) {
				PQclear(res);
				return VY_R_OK;
			}
			if (i == rows - 1)
				snprintf(lo, sizeof lo, "%s", code);
		}
		PQclear(res);
		if (rows < PG_PAGE_ROWS)
			return VY_R_OK;
		op = ">";
	}
}

/* A single integer query (as text). */
static vy_rc count_of(PGconn *c, const char *sql, uint64_t *out, vy_reason *why)
{
	PGresult *res = pg_run(c, sql, PG_MULTI_STATEMENT, NULL, NULL, NULL);
	vy_rc rc = VY_R_OK;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = pg_fail(c, res, sql, why);
	else
		*out = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

static vy_rc pg_counts(vyb_store *base, vyb_counts *c, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
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
static vy_rc pg_checkpoint_put(vyb_store *base, const uint8_t *blob, size_t len, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	const char *vals[1] = { (const char *)blob };
	int lens[1] = { (int)len }, fmts[1] = { PG_FORMAT_BINARY };
	PGresult *res;
	vy_rc rc = VY_R_OK;

	pthread_mutex_lock(&s->wlock);
	res = pg_run(s->w,
		       "INSERT INTO checkpoint(id, blob) VALUES (0, $1::bytea)"
		       " ON CONFLICT (id) DO UPDATE SET blob = EXCLUDED.blob",
		       1, vals, lens, fmts);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(s->w, res, "write checkpoint", why);
	PQclear(res);
	pthread_mutex_unlock(&s->wlock);
	return rc;
}

static vy_rc pg_checkpoint_get(vyb_store *base, uint8_t **blob, size_t *len, int *found, vy_reason *why)
{
	pg_store *s = (pg_store *)base;
	PGresult *res;
	vy_rc rc = VY_R_OK;

	*blob = NULL;
	*len = 0;
	*found = 0;
	pthread_mutex_lock(&s->rlock);
	res = pg_run(s->r, "SELECT blob FROM checkpoint WHERE id = 0", 0, NULL, NULL, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_fail(s->r, res, "read checkpoint", why);
	} else if (PQntuples(res) == 1) {
		size_t n = (size_t)PQgetlength(res, 0, 0);

		*blob = malloc(n ? n : 1);
		if (*blob == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
		} else {
			memcpy(*blob, PQgetvalue(res, 0, 0), n);
			*len = n;
			*found = 1;
		}
	}
	PQclear(res);
	pthread_mutex_unlock(&s->rlock);
	return rc;
}

static void pg_close(vyb_store *base)
{
	pg_store *s = (pg_store *)base;

	if (s == NULL)
		return;
	PQfinish(s->r);
	PQfinish(s->w);
	pthread_mutex_destroy(&s->wlock);
	pthread_mutex_destroy(&s->rlock);
	free(s);
}

static const vyb_store_ops PG_OPS = {
	.append = pg_append,
	.read = pg_read,
	.lookup = pg_lookup,
	.codes = pg_codes,
	.counts = pg_counts,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.checkpoint_put = pg_checkpoint_put,
	.checkpoint_get = pg_checkpoint_get,
	.close = pg_close,
};

/* One connection, with the session settings the contract needs in its
 * options (after any the connection string gives), where every attempt of
 * it, resets included, sends them. The message never repeats the
 * connection string (it may hold a password). */
static vy_rc open_conn(PGconn **c, const char *conninfo, vy_reason *why)
{
	static const char *const keys[] = { "dbname", "options", NULL };
	PQconninfoOption *given = PQconninfoParse(conninfo, NULL);
	const char *vals[] = { conninfo, PG_SESSION_OPTIONS, NULL };
	char *options = NULL;

	for (PQconninfoOption *o = given; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val != NULL && o->val[0] != '\0') {
			size_t n = strlen(o->val) + sizeof " " PG_SESSION_OPTIONS;

			options = malloc(n);
			if (options != NULL)
				snprintf(options, n, "%s " PG_SESSION_OPTIONS, o->val);
			vals[1] = options;
		}
	PQconninfoFree(given); /* a string that does not parse: PQconnectdbParams says why */
	*c = vals[1] != NULL ? PQconnectdbParams(keys, vals, 1) : NULL;
	free(options);
	if (*c == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
	if (PQstatus(*c) != CONNECTION_OK)
		return pg_fail(*c, NULL, "cannot connect", why);
	return VY_R_OK;
}

/* The tables, once, even with several boards starting at once. */
static vy_rc create_schema(PGconn *c, vy_reason *why)
{
	char sql[96];
	vy_rc rc;

	snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)PG_SCHEMA_LOCK);
	rc = pg_exec(c, sql, why);
	if (rc == VY_R_OK)
		rc = pg_exec(c, SCHEMA, why);
	if (rc == VY_R_OK)
		return pg_exec(c, "COMMIT", why);
	PQclear(PQexec(c, "ROLLBACK"));
	return rc;
}

vy_rc vyb_store_pg_open(vyb_store **out, const char *conninfo, vy_reason *why)
{
	pg_store *s;
	vy_rc rc;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "store: out of memory");
	s->base.ops = &PG_OPS;
	pthread_mutex_init(&s->wlock, NULL);
	pthread_mutex_init(&s->rlock, NULL);
	rc = open_conn(&s->w, conninfo, why);
	if (rc == VY_R_OK)
		rc = create_schema(s->w, why);
	if (rc == VY_R_OK)
		rc = open_conn(&s->r, conninfo, why);
	if (rc != VY_R_OK) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return VY_R_OK;
}

vy_rc vyb_store_open(vyb_store **out, const char *spec, vy_reason *why)
{
	static const char pg[] = VYB_STORE_POSTGRESQL_PREFIX, sq[] = VYB_STORE_SQLITE_PREFIX;

	if (strncmp(spec, pg, sizeof pg - 1) == 0)
		return vyb_store_pg_open(out, spec + sizeof pg - 1, why);
	if (strncmp(spec, sq, sizeof sq - 1) == 0)
		return vyb_store_sqlite_open(out, spec + sizeof sq - 1, why);
	*out = NULL;
	return vy_reason_set(why, VY_R_FIELD, "store: %s: expected sqlite:FILE or postgresql:CONNINFO", spec);
}
