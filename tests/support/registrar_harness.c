/*
 * The registrar's end-to-end harness (registrar_harness.h).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests/support/registrar_harness.h"

#ifndef VYBAR_REGISTRAR_PROGRAM
#define VYBAR_REGISTRAR_PROGRAM "vybar-registrar"
#endif
#define MAX_ARGS 16
#define WAIT_STEPS 600 /* x 50 ms: the registrar has 30 s to listen */

/* dir/name into out. */
static void path(char out[VYRH_PATH_BYTES], const char *dir, const char *name)
{
	assert_true(snprintf(out, VYRH_PATH_BYTES, "%s/%s", dir, name) < VYRH_PATH_BYTES);
}

/* Fork and exec the registrar with args; stderr to the log. */
static pid_t spawn(const vyrh_registrar *r, const char *const *args)
{
	const char *argv[MAX_ARGS + 2];
	size_t n = 0;
	pid_t pid;

	argv[n++] = VYBAR_REGISTRAR_PROGRAM;
	for (; args[n - 1] != NULL && n < MAX_ARGS + 1; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(r->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int out = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 2);
		if (out >= 0)
			dup2(out, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Run the registrar to completion. */
int vyrh_run(const vyrh_registrar *r, const char *const *args)
{
	int status = 0;
	pid_t pid = spawn(r, args);

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void vyrh_close(const vyrh_registrar *r)
{
	const char *args[] = { "close", "--dir", r->state, NULL };

	assert_int_equal(vyrh_run(r, args), 0);
}

uint32_t vyrh_max_ballots, vyrh_min_seconds;
int vyrh_translated;

/* The fixtures' manifest with the registrar key and statement key of pub
 * (RegistrarPublicKeys). */
static void make_manifest(vyrh_registrar *r, const char *pub)
{
	vyf_keys k;
	size_t len = 0, plen = 0;
	char *pb = vytest_read_file(pub, &plen);
	Vybar__RegistrarPublicKeys *keys = vybar__registrar_public_keys__unpack(NULL, plen, (const uint8_t *)pb);
	Vybar__Manifest *m;
	ProtobufCBinaryData n0, e0, s0;
	uint8_t *orig;
	FILE *f;

	assert_non_null(keys);
	assert_non_null(keys->registrar_key);
	assert_int_equal(keys->statement_key.len, 32);
	memcpy(r->statement_key, keys->statement_key.data, 32);
	vyf_keys_init(&k, 3, 2);
	/* unless a test asks for its own limits, the most revotes the protocol
	 * allows: one credential grows a record larger than a page
	 * (test_vote_client) */
	k.max_ballots = vyrh_max_ballots ? vyrh_max_ballots : VY_MAX_BALLOTS_PER_CREDENTIAL;
	k.min_seconds = vyrh_min_seconds;
	k.translated = vyrh_translated;
	orig = vyf_manifest_pack(&k, &len);
	m = vybar__manifest__unpack(NULL, len, orig);
	assert_non_null(m);
	n0 = m->registrar_key->modulus;
	e0 = m->registrar_key->exponent;
	m->registrar_key->modulus = keys->registrar_key->modulus;
	m->registrar_key->exponent = keys->registrar_key->exponent;
	s0 = m->registrar_statement_key; /* protocol.md §3.1: the registrar's statement key */
	m->registrar_statement_key = keys->statement_key;
	r->manifest_bytes = vy_msg_pack(m, &r->manifest_len);
	assert_non_null(r->manifest_bytes);
	m->registrar_key->modulus = n0;
	m->registrar_key->exponent = e0;
	m->registrar_statement_key = s0;
	vybar__manifest__free_unpacked(m, NULL);
	vybar__registrar_public_keys__free_unpacked(keys, NULL);
	free(orig);
	free(pb);
	assert_int_equal(vy_decode_manifest(&r->m, r->manifest_bytes, r->manifest_len, NULL), VY_R_OK);
	assert_int_equal(vy_election_init(&r->e, r->m, NULL), VY_R_OK);
	f = fopen(r->manifest, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(r->manifest_bytes, 1, r->manifest_len, f), r->manifest_len);
	assert_int_equal(fclose(f), 0);
}

/* Read the codes file of `roll`. */
static void read_codes(vyrh_registrar *r, const char *file)
{
	FILE *f = fopen(file, "r");
	char line[64];

	assert_non_null(f);
	r->n_codes = 0;
	while (fgets(line, sizeof line, f) != NULL && r->n_codes < VYRH_MAX_CODES) {
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(strlen(line), 23);
		strcpy(r->codes[r->n_codes++], line);
	}
	fclose(f);
}

/* Wait for the port file, then set the URL. */
static void wait_port(vyrh_registrar *r)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	unsigned port = 0;

	for (int i = 0; i < WAIT_STEPS && port == 0; i++) {
		FILE *f = fopen(r->port_file, "r");

		if (f != NULL) {
			if (fscanf(f, "%u", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port == 0) {
			int status;

			assert_int_equal(waitpid(r->pid, &status, WNOHANG), 0); /* still running */
			nanosleep(&ts, NULL);
		}
	}
	assert_int_not_equal(port, 0);
	snprintf(r->url, sizeof r->url, "http://127.0.0.1:%u", port);
}

/* init, roll, manifest, serve. */
void vyrh_start(vyrh_registrar *r, size_t n_codes)
{
	vyrh_start_args(r, n_codes, NULL);
}

void vyrh_start_args(vyrh_registrar *r, size_t n_codes, const char *const *extra)
{
	char pub[VYRH_PATH_BYTES], codes[VYRH_PATH_BYTES], count[16];

	memset(r, 0, sizeof *r);
	strcpy(r->dir, "/tmp/vybar-registrar-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	path(r->state, r->dir, "state");
	path(r->db, r->state, "registrar.db");
	path(r->manifest, r->dir, "manifest.pb");
	path(r->port_file, r->dir, "port");
	path(r->log, r->dir, "log");
	path(pub, r->dir, "public-keys.pb");
	path(codes, r->dir, "codes.txt");
	{
		const char *args[] = { "init", "--dir", r->state, "--manifest-out-key", pub, NULL };

		assert_int_equal(vyrh_run(r, args), 0);
	}
	snprintf(count, sizeof count, "%zu", n_codes);
	{
		const char *args[] = { "roll", "--dir", r->state, "--count", count, "--out", codes, NULL };

		assert_int_equal(vyrh_run(r, args), 0);
	}
	read_codes(r, codes);
	assert_int_equal(r->n_codes, n_codes);
	make_manifest(r, pub);
	{
		const char *args[MAX_ARGS] = { "serve", "--dir", r->state, "--manifest", r->manifest,
						     "--listen", "127.0.0.1", "--port", "0", "--port-file", r->port_file };
		size_t n = 11;

		for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
			assert_true(n + 1 < MAX_ARGS);
			args[n++] = extra[i];
		}
		args[n] = NULL;
		r->pid = spawn(r, args);
	}
	wait_port(r);
}

/* Stop and clean up. */
void vyrh_stop(vyrh_registrar *r)
{
	char cmd[VYRH_PATH_BYTES + 16];
	int status = 0;

	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		r->pid = 0;
	}
	vy_msg_free(r->m);
	free(r->manifest_bytes);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
	assert_int_equal(system(cmd), 0);
}

/* base_url + path. */
void vyrh_url(const vyrh_registrar *r, char out[VYRH_PATH_BYTES], const char *p)
{
	assert_true(snprintf(out, VYRH_PATH_BYTES, "%s%s", r->url, p) < VYRH_PATH_BYTES);
}

/* Append s to the growing dump. */
static void append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *p = realloc(*buf, *len + n + 1);

	assert_non_null(p);
	memcpy(p + *len, s, n + 1);
	*buf = p;
	*len += n;
}

/* Every row of one table, columns as hex (blobs) or text, in rowid order. */
static void dump_table(sqlite3 *db, const char *table, char **buf, size_t *len)
{
	char sql[256], cell[2 * 1100 + 8];
	sqlite3_stmt *s = NULL;

	snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	append(buf, len, "table ");
	append(buf, len, table);
	append(buf, len, "\n");
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			int n = sqlite3_column_bytes(s, c);
			const uint8_t *b = sqlite3_column_blob(s, c);

			assert_true(n <= 1100);
			if (b != NULL)
				vytest_hex(cell, b, (size_t)n);
			else
				strcpy(cell, "NULL");
			append(buf, len, cell);
			append(buf, len, c + 1 < sqlite3_column_count(s) ? " " : "\n");
		}
	}
	sqlite3_finalize(s);
}

/* Every table's rows (the schema included). */
char *vyrh_db_dump(const vyrh_registrar *r)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *buf = NULL, names[8][64];
	size_t len = 0, n = 0;

	assert_int_equal(sqlite3_open_v2(r->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master ORDER BY name", -1, &s, NULL),
			 SQLITE_OK);
	append(&buf, &len, "");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *sql = (const char *)sqlite3_column_text(s, 1);

		append(&buf, &len, sql != NULL ? sql : name);
		append(&buf, &len, "\n");
		if (sql != NULL && strncmp(sql, "CREATE TABLE", 12) == 0) {
			assert_true(n < 8);
			snprintf(names[n++], sizeof names[0], "%s", name);
		}
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++)
		dump_table(db, names[i], &buf, &len);
	sqlite3_close(db);
	return buf;
}
