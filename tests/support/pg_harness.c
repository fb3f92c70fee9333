/* A throwaway PostgreSQL cluster for the tests (pg_harness.h). */
#include "tests/support/pg_harness.h"

#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "tests/support/vytest.h"

#define PG_PORT "5432" /* names the socket file only: nothing listens on TCP */
#define PG_STANDBY_PORT "5433" /* the standby's socket, in the same directory */
#define PG_STANDBY_NAME "vybar_standby" /* its application_name, in synchronous_standby_names */
#define PG_POLL_NS 100000000L /* 100 ms between looks at a server */
#define PG_POLLS 600 /* give up after about 60 s */
#define PG_USER "vybar"
#define PG_SERVER_USER "postgres"
#define PG_BIN_BYTES 256
#define PG_DIR_BYTES 256
#define PG_PATH_BYTES 512
#define PG_MAX_ARGS 24

extern char **environ;

static struct {
	int started, running, failed; /* started: cleanup at exit registered */
	int standby_running, primary_dead;
	pid_t receiver; /* the standby's WAL receiver, while stopped */
	pid_t owner; /* the process that stops the cluster at exit */
	char bin[PG_BIN_BYTES], dir[PG_DIR_BYTES], data[PG_PATH_BYTES];
	char log[PG_PATH_BYTES], out[PG_PATH_BYTES]; /* the server's log; the programs' output */
	char standby[PG_PATH_BYTES], standby_log[PG_PATH_BYTES]; /* the standby's data and log */
	unsigned n_databases;
} pg;

/* Run bin/prog with args (NULL-terminated), as the server's user when
 * root, output to the programs' log; its exit status (-1 if it could not
 * run). */
static int pg_run(const char *prog, const char *const *args)
{
	const char *argv[PG_MAX_ARGS];
	char path[PG_PATH_BYTES];
	posix_spawn_file_actions_t fa;
	size_t n = 0;
	pid_t pid;
	int st;

	snprintf(path, sizeof path, "%s/%s", pg.bin, prog);
	if (geteuid() == 0) {
		argv[n++] = "runuser";
		argv[n++] = "-u";
		argv[n++] = PG_SERVER_USER;
		argv[n++] = "--";
	}
	argv[n++] = path;
	for (; *args != NULL && n + 1 < PG_MAX_ARGS; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, pg.out, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	st = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (st != 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The directory of PostgreSQL's programs: pg_config's answer, else the
 * newest Debian one. 1 if initdb is there. */
static int find_bin(void)
{
	char path[PG_PATH_BYTES];
	FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
	glob_t g;

	pg.bin[0] = '\0';
	if (p != NULL) {
		if (fgets(pg.bin, sizeof pg.bin, p) == NULL)
			pg.bin[0] = '\0';
		pclose(p);
		pg.bin[strcspn(pg.bin, "\n")] = '\0';
	}
	snprintf(path, sizeof path, "%s/initdb", pg.bin);
	if (pg.bin[0] != '\0' && access(path, X_OK) == 0)
		return 1;
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(pg.bin, sizeof pg.bin, "%.*s", (int)(strlen(g.gl_pathv[g.gl_pathc - 1]) - strlen("/initdb")),
			 g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
		return 1;
	}
	return 0;
}

/* At exit of the process that started it: stop the servers (the primary
 * unless it was killed), remove their directory. */
static void pg_stop(void)
{
	const char *stop[] = { "-D", pg.data, "-m", "fast", "-w", "stop", NULL };
	const char *stop_standby[] = { "-D", pg.standby, "-m", "fast", "-w", "stop", NULL };
	char cmd[PG_PATH_BYTES + 16];

	if (!pg.started || getpid() != pg.owner)
		return;
	if (!pg.primary_dead)
		(void)pg_run("pg_ctl", stop);
	if (pg.receiver > 1)
		(void)kill(pg.receiver, SIGCONT);
	if (pg.standby_running)
		(void)pg_run("pg_ctl", stop_standby);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pg.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pg_harness: cannot remove %s\n", pg.dir);
}

/* Print a log file if there is one. */
static void print_log(const char *path)
{
	char *log;
	size_t len;

	if (path[0] == '\0' || access(path, R_OK) != 0)
		return;
	log = vytest_read_file(path, &len);
	fprintf(stderr, "%s", log);
	free(log);
}

/* Print why PostgreSQL cannot be used here, and the logs if any. */
static int unavailable(const char *why)
{
	fprintf(stderr, "PostgreSQL tests skipped: %s\n", why);
	print_log(pg.out);
	print_log(pg.log);
	print_log(pg.standby_log);
	pg.failed = 1;
	return 0;
}

int vypg_start(void)
{
	const char *tmp = getenv("TMPDIR");
	char opts[PG_PATH_BYTES + 64];
	struct passwd *pw = NULL;

	if (pg.running || pg.failed)
		return pg.running;
	if (!find_bin())
		return unavailable("no initdb (install the Debian packages postgresql and libpq-dev)");
	if (geteuid() == 0 && (pw = getpwnam(PG_SERVER_USER)) == NULL)
		return unavailable("running as root and there is no " PG_SERVER_USER " user to run the server as");
	snprintf(pg.dir, sizeof pg.dir, "%s/vybar-pg-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(pg.dir) == NULL)
		return unavailable("cannot make a temporary directory");
	if (pw != NULL && chown(pg.dir, pw->pw_uid, pw->pw_gid) != 0)
		return unavailable("cannot give the temporary directory to the postgres user");
	snprintf(pg.data, sizeof pg.data, "%s/db", pg.dir);
	snprintf(pg.log, sizeof pg.log, "%s/server.log", pg.dir);
	snprintf(pg.out, sizeof pg.out, "%s/programs.log", pg.dir);
	pg.owner = getpid();
	pg.started = 1; /* from here on, pg_stop cleans up */
	atexit(pg_stop);
	{
		const char *initdb[] = { "-D", pg.data, "-A", "trust", "-U", PG_USER, "--no-sync", NULL };
		const char *start[] = { "-D", pg.data, "-o", opts, "-l", pg.log, "-w", "start", NULL };

		if (pg_run("initdb", initdb) != 0)
			return unavailable("initdb failed");
		snprintf(opts, sizeof opts, "-k %s -c listen_addresses='' -p " PG_PORT, pg.dir);
		if (pg_run("pg_ctl", start) != 0)
			return unavailable("the server did not start");
	}
	pg.running = 1;
	return 1;
}

/* The connection string of database name: the primary's; with a standby,
 * both servers', for whichever accepts writes. */
static void conninfo_of(char out[VYPG_CONNINFO_BYTES], const char *name)
{
	int n;

	if (pg.standby_running)
		n = snprintf(out, VYPG_CONNINFO_BYTES,
			     "host=%s,%s port=" PG_PORT "," PG_STANDBY_PORT " user=" PG_USER
			     " dbname=%s target_session_attrs=read-write",
			     pg.dir, pg.dir, name);
	else
		n = snprintf(out, VYPG_CONNINFO_BYTES, "host=%s port=" PG_PORT " user=" PG_USER " dbname=%s", pg.dir,
			     name);
	if (n < 0 || n >= VYPG_CONNINFO_BYTES)
		fail_msg("pg_harness: the connection string of %s is longer than %d bytes", name, VYPG_CONNINFO_BYTES);
}

/* The connection string of database name on one server (port). */
static void conninfo_at(char out[VYPG_CONNINFO_BYTES], const char *port, const char *name)
{
	snprintf(out, VYPG_CONNINFO_BYTES, "host=%s port=%s user=" PG_USER " dbname=%s", pg.dir, port, name);
}

/* A connection, failing the test if it cannot be made. */
static PGconn *connect_to(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("PostgreSQL: %s: %s", conninfo, PQerrorMessage(c));
	return c;
}

void vypg_exec(const char *conninfo, const char *sql)
{
	PGconn *c = connect_to(conninfo);
	PGresult *res = PQexec(c, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok) {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(c);
		fail_msg("PostgreSQL: %s: %s", sql, msg);
	}
	PQclear(res);
	PQfinish(c);
}

void vypg_query(const char *conninfo, const char *sql, char *out, size_t cap)
{
	PGconn *c = connect_to(conninfo);
	PGresult *res = PQexec(c, sql);
	size_t used = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(c);
		fail_msg("PostgreSQL: %s: %s", sql, msg);
	}
	out[0] = '\0';
	for (int i = 0; i < PQntuples(res) && used + 1 < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s\n", PQgetvalue(res, i, 0));
	PQclear(res);
	PQfinish(c);
}

void vypg_new_database(char out[VYPG_CONNINFO_BYTES])
{
	char admin[VYPG_CONNINFO_BYTES], sql[64], name[32];

	assert_true(pg.running);
	snprintf(name, sizeof name, "board_%u", pg.n_databases++);
	conninfo_of(admin, "postgres");
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	vypg_exec(admin, sql);
	conninfo_of(out, name);
}

uint8_t *vypg_entry_get(const char *conninfo, uint64_t seq, size_t *len)
{
	PGconn *c = connect_to(conninfo);
	char num[24];
	const char *vals[1] = { num };
	PGresult *res;
	uint8_t *out;

	snprintf(num, sizeof num, "%llu", (unsigned long long)seq);
	res = PQexecParams(c, "SELECT entry FROM entries WHERE seq = $1::int8", 1, NULL, vals, NULL, NULL, 1);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(res), 1);
	*len = (size_t)PQgetlength(res, 0, 0);
	out = malloc(*len ? *len : 1);
	assert_non_null(out);
	memcpy(out, PQgetvalue(res, 0, 0), *len);
	PQclear(res);
	PQfinish(c);
	return out;
}

void vypg_entry_put(const char *conninfo, uint64_t seq, const uint8_t *p, size_t len)
{
	PGconn *c = connect_to(conninfo);
	char num[24];
	const char *vals[2] = { (const char *)p, num };
	int lens[2] = { (int)len, 0 }, fmts[2] = { 1, 0 };
	PGresult *res;

	snprintf(num, sizeof num, "%llu", (unsigned long long)seq);
	res = PQexecParams(c, "UPDATE entries SET entry = $1::bytea WHERE seq = $2::int8", 2, NULL, vals, lens, fmts,
			   0);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	assert_string_equal(PQcmdTuples(res), "1");
	PQclear(res);
	PQfinish(c);
}

uint8_t *vypg_blob_get(const char *conninfo, const char *sql, size_t *len)
{
	PGconn *c = connect_to(conninfo);
	PGresult *res = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 1);
	uint8_t *out = NULL;

	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	*len = 0;
	if (PQntuples(res) == 1) {
		*len = (size_t)PQgetlength(res, 0, 0);
		out = malloc(*len ? *len : 1);
		assert_non_null(out);
		memcpy(out, PQgetvalue(res, 0, 0), *len);
	}
	PQclear(res);
	PQfinish(c);
	return out;
}

void vypg_blob_put(const char *conninfo, const char *sql, const uint8_t *p, size_t len)
{
	PGconn *c = connect_to(conninfo);
	const char *vals[1] = { (const char *)p };
	int lens[1] = { (int)len }, fmts[1] = { 1 };
	PGresult *res = PQexecParams(c, sql, 1, NULL, vals, lens, fmts, 0);

	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(c);
}

/* Run one statement that returns nothing; 1 if it succeeded, else 0 after
 * printing why (for the set-up, which skips rather than fails). */
static int try_exec(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *res = PQexec(c, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "pg_harness: %s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return ok;
}

/* Look at sql's one value on conninfo until it is want (a connection that
 * fails counts as not yet); 1 if it came within PG_POLLS looks. */
static int wait_for_value(const char *conninfo, const char *sql, const char *want)
{
	struct timespec step = { 0, PG_POLL_NS };

	for (int i = 0; i < PG_POLLS; i++) {
		PGconn *c = PQconnectdb(conninfo);
		int ok = 0;

		if (PQstatus(c) == CONNECTION_OK) {
			PGresult *res = PQexec(c, sql);

			ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
			     strcmp(PQgetvalue(res, 0, 0), want) == 0;
			PQclear(res);
		}
		PQfinish(c);
		if (ok)
			return 1;
		nanosleep(&step, NULL);
	}
	return 0;
}

int vypg_standby_start(void)
{
	char primary[VYPG_CONNINFO_BYTES], source[VYPG_CONNINFO_BYTES + 64], opts[PG_PATH_BYTES + 96];
	const char *backup[] = { "-d", source, "-D", pg.standby, "-R", "-c", "fast", "--no-sync", NULL };
	const char *start[] = { "-D", pg.standby, "-o", opts, "-l", pg.standby_log, "-w", "start", NULL };

	if (pg.standby_running)
		return 1;
	if (!pg.running)
		return 0;
	snprintf(pg.standby, sizeof pg.standby, "%s/standby", pg.dir);
	snprintf(pg.standby_log, sizeof pg.standby_log, "%s/standby.log", pg.dir);
	conninfo_at(primary, PG_PORT, "postgres");
	snprintf(source, sizeof source, "%s application_name=" PG_STANDBY_NAME, primary);
	if (pg_run("pg_basebackup", backup) != 0)
		return unavailable("pg_basebackup -R from the primary failed");
	snprintf(opts, sizeof opts, "-k %s -c listen_addresses='' -p " PG_STANDBY_PORT " -c hot_standby=on", pg.dir);
	if (pg_run("pg_ctl", start) != 0)
		return unavailable("the standby did not start");
	pg.standby_running = 1;
	/* Synchronous from now on, on the primary only: set after the copy,
	 * so that the standby, once promoted, waits for no standby of its own. */
	if (!try_exec(primary, "ALTER SYSTEM SET synchronous_standby_names TO '" PG_STANDBY_NAME "'") ||
	    !try_exec(primary, "ALTER SYSTEM SET synchronous_commit TO on") ||
	    !try_exec(primary, "SELECT pg_reload_conf()"))
		return unavailable("cannot make the primary replicate synchronously");
	if (!wait_for_value(primary,
			    "SELECT sync_state FROM pg_stat_replication WHERE application_name = '" PG_STANDBY_NAME "'",
			    "sync"))
		return unavailable("the standby does not stream as the synchronous standby");
	return 1;
}

void vypg_primary_kill(void)
{
	struct timespec step = { 0, PG_POLL_NS };
	char path[PG_PATH_BYTES + 32], primary[VYPG_CONNINFO_BYTES];
	long pid = 0;
	FILE *f;
	int i;

	assert_true(pg.running && !pg.primary_dead);
	snprintf(path, sizeof path, "%s/postmaster.pid", pg.data);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	assert_true(pid > 1);
	assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
	pg.primary_dead = 1;
	conninfo_at(primary, PG_PORT, "postgres");
	for (i = 0; i < PG_POLLS && PQping(primary) != PQPING_NO_RESPONSE; i++)
		nanosleep(&step, NULL);
	if (i == PG_POLLS)
		fail_msg("the primary (postmaster %ld) still answers after SIGKILL", pid);
}

void vypg_standby_receiver_pause(int pause)
{
	char standby[VYPG_CONNINFO_BYTES], pid[32];

	assert_true(pg.standby_running);
	if (pause) {
		conninfo_at(standby, PG_STANDBY_PORT, "postgres");
		vypg_query(standby, "SELECT pid FROM pg_stat_wal_receiver", pid, sizeof pid);
		pg.receiver = (pid_t)strtol(pid, NULL, 10);
		assert_true(pg.receiver > 1);
		assert_int_equal(kill(pg.receiver, SIGSTOP), 0);
	} else {
		assert_true(pg.receiver > 1);
		assert_int_equal(kill(pg.receiver, SIGCONT), 0);
		pg.receiver = 0;
	}
}

void vypg_primary_await(const char *sql, const char *want)
{
	char primary[VYPG_CONNINFO_BYTES];

	conninfo_at(primary, PG_PORT, "postgres");
	if (!wait_for_value(primary, sql, want))
		fail_msg("the primary never answered %s to %s", want, sql);
}

void vypg_standby_promote(void)
{
	const char *promote[] = { "-D", pg.standby, "-w", "-t", "60", "promote", NULL };
	char standby[VYPG_CONNINFO_BYTES];

	assert_true(pg.standby_running);
	if (pg_run("pg_ctl", promote) != 0) {
		print_log(pg.out);
		print_log(pg.standby_log);
		fail_msg("pg_ctl promote of the standby failed");
	}
	conninfo_at(standby, PG_STANDBY_PORT, "postgres");
	if (!wait_for_value(standby, "SELECT pg_is_in_recovery()", "f"))
		fail_msg("the standby is still in recovery after its promotion");
}

void vypg_standby_query(const char *conninfo, const char *sql, char *out, size_t cap)
{
	char standby[VYPG_CONNINFO_BYTES], dbname[64] = "";
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);

	assert_true(pg.standby_running);
	assert_non_null(opts);
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val != NULL)
			snprintf(dbname, sizeof dbname, "%s", o->val);
	PQconninfoFree(opts);
	assert_true(dbname[0] != '\0');
	conninfo_at(standby, PG_STANDBY_PORT, dbname);
	vypg_query(standby, sql, out, cap);
}
