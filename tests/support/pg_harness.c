/* A throwaway PostgreSQL cluster for the tests (pg_harness.h). */
#include "tests/support/pg_harness.h"

#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "tests/support/vytest.h"

#define PG_PORT "5432" /* names the socket file only: nothing listens on TCP */
#define PG_USER "vybar"
#define PG_SERVER_USER "postgres"
#define PG_BIN_BYTES 256
#define PG_DIR_BYTES 256
#define PG_PATH_BYTES 512
#define PG_MAX_ARGS 24

extern char **environ;

static struct {
	int started, running, failed; /* started: cleanup at exit registered */
	pid_t owner; /* the process that stops the cluster at exit */
	char bin[PG_BIN_BYTES], dir[PG_DIR_BYTES], data[PG_PATH_BYTES];
	char log[PG_PATH_BYTES], out[PG_PATH_BYTES]; /* the server's log; the programs' output */
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

/* At exit of the process that started it: stop the server, remove its
 * directory. */
static void pg_stop(void)
{
	const char *stop[] = { "-D", pg.data, "-m", "fast", "-w", "stop", NULL };
	char cmd[PG_PATH_BYTES + 16];

	if (!pg.started || getpid() != pg.owner)
		return;
	(void)pg_run("pg_ctl", stop);
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

/* The connection string of database name. */
static void conninfo_of(char out[VYPG_CONNINFO_BYTES], const char *name)
{
	snprintf(out, VYPG_CONNINFO_BYTES, "host=%s port=" PG_PORT " user=" PG_USER " dbname=%s", pg.dir, name);
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
