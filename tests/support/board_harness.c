/* End-to-end harness for vybar-board (board_harness.h). */
#include "tests/support/board_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "cli/vy_files.h"
#include "crypto/vy_hash.h"

#ifndef VYBAR_BOARD_PROGRAM
#error "VYBAR_BOARD_PROGRAM must name the vybar-board-test program (tests/CMakeLists.txt)"
#endif

#define START_POLL_NS 10000000L /* 10 ms */
#define START_POLLS 3000        /* give up after about 30 s (vyh_set_start_timeout) */
#define MAX_ARGS 48

static int use_postgresql;
static long start_polls = START_POLLS;

void vyh_set_start_timeout(unsigned seconds)
{
	start_polls = (long)seconds * (1000000000L / START_POLL_NS);
}

int vyh_store_select(int argc, char **argv)
{
	if (argc < 2)
		return 0;
	if (argc > 2 || strcmp(argv[1], "postgresql") != 0) {
		fprintf(stderr, "usage: %s [postgresql]\n", argv[0]);
		return 2;
	}
	if (!vypg_start())
		return VYPG_SKIP;
	use_postgresql = 1;
	return 0;
}

void vyh_store_use_postgresql(int on)
{
	use_postgresql = on;
}

const char *vyh_store_kind(void)
{
	return use_postgresql ? "postgresql" : "sqlite";
}

uint8_t *vyh_entry_get(const vyh_board *b, uint64_t seq, size_t *len)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t *out;

	if (b->store[0] != '\0')
		return vypg_entry_get(b->store + strlen("postgresql:"), seq, len);
	assert_int_equal(sqlite3_open(b->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT entry FROM entries WHERE seq = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*len = (size_t)sqlite3_column_bytes(st, 0);
	out = malloc(*len ? *len : 1);
	assert_non_null(out);
	memcpy(out, sqlite3_column_blob(st, 0), *len);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

void vyh_entry_put(const vyh_board *b, uint64_t seq, const uint8_t *p, size_t len)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	if (b->store[0] != '\0') {
		vypg_entry_put(b->store + strlen("postgresql:"), seq, p, len);
		return;
	}
	assert_int_equal(sqlite3_open(b->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "UPDATE entries SET entry = ? WHERE seq = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, p, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(h), 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

uint8_t *vyh_checkpoint_get(const vyh_board *b, size_t *len)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t *out = NULL;

	*len = 0;
	if (b->store[0] != '\0')
		return vypg_blob_get(b->store + strlen("postgresql:"), "SELECT blob FROM checkpoint WHERE id = 0", len);
	assert_int_equal(sqlite3_open(b->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT blob FROM checkpoint WHERE id = 0", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		out = malloc(*len ? *len : 1);
		assert_non_null(out);
		memcpy(out, sqlite3_column_blob(st, 0), *len);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

void vyh_checkpoint_put(const vyh_board *b, const uint8_t *p, size_t len)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	if (b->store[0] != '\0') {
		vypg_blob_put(b->store + strlen("postgresql:"), "UPDATE checkpoint SET blob = $1::bytea WHERE id = 0", p,
			      len);
		return;
	}
	assert_int_equal(sqlite3_open(b->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "UPDATE checkpoint SET blob = ? WHERE id = 0", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, p, (int)len, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(h), 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

void vyh_init(vyh_board *b)
{
	const char *tmp = getenv("TMPDIR");

	memset(b, 0, sizeof *b);
	snprintf(b->dir, sizeof b->dir, "%s/vybar-board-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(b->dir));
	snprintf(b->db, sizeof b->db, "%s/board.db", b->dir);
	snprintf(b->key, sizeof b->key, "%s/board.key", b->dir);
	snprintf(b->manifest, sizeof b->manifest, "%s/manifest.pb", b->dir);
	snprintf(b->port_file, sizeof b->port_file, "%s/port", b->dir);
	snprintf(b->log, sizeof b->log, "%s/board.log", b->dir);
	if (use_postgresql) {
		char conninfo[VYPG_CONNINFO_BYTES];

		vypg_new_database(conninfo);
		snprintf(b->store, sizeof b->store, "postgresql:%s", conninfo);
	}
	b->pid = -1;
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

void vyh_cleanup(vyh_board *b)
{
	const char *names[] = { "board.db", "board.db-wal", "board.db-shm", "board.key", "manifest.pb", "port",
				"board.log", "tampered.db" };
	char path[VYH_PATH_BYTES + 32];

	if (b->pid > 0)
		(void)vyh_stop(b, SIGKILL);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", b->dir, names[i]);
		unlink(path);
	}
	rmdir(b->dir);
}

/* Write a whole file with the given mode. */
static void write_file(const char *path, const uint8_t *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

void vyh_write_key(const vyh_board *b, const uint8_t seed[32])
{
	char hex[65 + 1];

	vytest_hex(hex, seed, 32);
	strcat(hex, "\n");
	write_file(b->key, (const uint8_t *)hex, strlen(hex), 0600);
}

void vyh_write_manifest(const vyh_board *b, const uint8_t *m, size_t len)
{
	write_file(b->manifest, m, len, 0644);
}

/* The child: stderr to the log, then exec the board. */
static void exec_board(const vyh_board *b, const char *const *extra)
{
	const char *argv[MAX_ARGS] = { VYBAR_BOARD_PROGRAM, "serve", "--db", b->db, "--key", b->key,
				       "--manifest", b->manifest, "--listen", "127.0.0.1",
				       "--port-file", b->port_file, "--port", "0" };
	size_t n = 14;
	int fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

	/* A port among the extra options replaces the default, any free one. */
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		if (strcmp(extra[i], "--port") == 0)
			n = 12;
	}
	if (b->store[0] != '\0') {
		argv[2] = "--store";
		argv[3] = b->store;
	}

	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n + 1 < MAX_ARGS; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

int vyh_start(vyh_board *b, const char *const *extra)
{
	struct timespec step = { 0, START_POLL_NS };
	int status;

	unlink(b->port_file);
	b->port = 0;
	b->pid = fork();
	assert_true(b->pid >= 0);
	if (b->pid == 0)
		exec_board(b, extra);
	for (long i = 0; i < start_polls; i++) {
		FILE *f = fopen(b->port_file, "r");

		if (f != NULL) {
			int ok = fscanf(f, "%u", &b->port) == 1;

			fclose(f);
			if (ok && b->port > 0)
				return -1;
		}
		if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
			b->pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		nanosleep(&step, NULL);
	}
	fail_msg("vybar-board did not start");
	return 0;
}

int vyh_stop(vyh_board *b, int sig)
{
	int status;

	assert_true(b->pid > 0);
	assert_int_equal(kill(b->pid, sig), 0);
	assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
	b->pid = -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) != sig) {
		/* a board that died of another signal than the one sent: its own
		 * words, for the failure that follows */
		uint8_t *log = NULL;
		size_t len = 0;
		vy_reason why;

		if (vy_file_read(&log, &len, b->log, SIZE_MAX, 0, &why) == VY_R_OK)
			fprintf(stderr, "vybar-board died of signal %d; its log:\n%.*s\n", WTERMSIG(status), (int)len,
				(const char *)log);
		free(log);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *vyh_log(const vyh_board *b)
{
	size_t len;

	return vytest_read_file(b->log, &len);
}

/* ---- HTTP ---- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	vyh_resp *r = arg;
	uint8_t *nb = realloc(r->body, r->len + size * n + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

/* Keep the value of a header named name (case-insensitive) into out. */
static void keep_header(const char *line, size_t n, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name), v = 0;

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n > 0 && *line == ' ') {
		line++;
		n--;
	}
	while (v + 1 < cap && v < n && line[v] != '\r' && line[v] != '\n') {
		out[v] = line[v];
		v++;
	}
	out[v] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	vyh_resp *r = arg;

	keep_header(p, size * n, VY_HDR_RETRY_AFTER, r->retry_after, sizeof r->retry_after);
	keep_header(p, size * n, VY_HDR_SEQ, r->seq, sizeof r->seq);
	return size * n;
}

/* One request; body NULL for a GET. */
static void request(const vyh_board *b, const char *path, const uint8_t *body, size_t len, vyh_resp *r)
{
	CURL *c = curl_easy_init();
	char url[256];

	memset(r, 0, sizeof *r);
	assert_non_null(c);
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", b->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (curl_easy_perform(c) != CURLE_OK)
		r->transport_error = 1;
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body == NULL) {
		r->body = calloc(1, 1);
		assert_non_null(r->body);
	}
	curl_easy_cleanup(c);
}

void vyh_get(const vyh_board *b, const char *path, vyh_resp *r)
{
	request(b, path, NULL, 0, r);
}

void vyh_post(const vyh_board *b, const char *path, const uint8_t *body, size_t len, vyh_resp *r)
{
	static const uint8_t empty[1] = { 0 };

	request(b, path, body != NULL ? body : empty, body != NULL ? len : 0, r);
}

void vyh_resp_free(vyh_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

int vyh_body_has(const vyh_resp *r, const char *s)
{
	return r->body != NULL && strstr((const char *)r->body, s) != NULL;
}

uint8_t *vyh_record(const vyh_board *b, size_t *len)
{
	vyh_resp r;
	uint8_t *out;

	vyh_get(b, VY_PATH_RECORD_FROM "0", &r);
	if (r.transport_error || r.status != 200)
		fail_msg("GET " VY_PATH_RECORD ": status %ld: %s", r.status, (const char *)r.body);
	out = r.body;
	*len = r.len;
	return out;
}

/* ---- an election through the board ---- */

void vyh_election_start(vyh_election *e, uint32_t n, uint32_t t, const char *const *extra)
{
	vyf_keys k;
	uint8_t *m;
	size_t len;

	vyf_keys_init(&k, n, t); /* no witnesses unless asked for */
	m = vyf_manifest_pack(&k, &len);
	vyh_election_start_manifest(e, n, t, m, len, extra);
	free(m);
}

void vyh_election_start_manifest(vyh_election *e, uint32_t n, uint32_t t, const uint8_t *manifest, size_t len,
				 const char *const *extra)
{
	uint8_t seed[32];

	vyf_record_init_manifest(&e->r, n, t, manifest, len);
	vyf_bytes32(seed, "commission"); /* as the fixtures' manifest (protocol_fixtures.c) */
	crypto_sign_seed_keypair(e->commission_pk, e->commission_sk, seed);
	vyh_init(&e->b);
	vyf_bytes32(seed, "board"); /* the fixtures' board key */
	vyh_write_key(&e->b, seed);
	vyh_write_manifest(&e->b, e->r.manifest_bytes, e->r.manifest_len);
	if (vyh_start(&e->b, extra) != -1) {
		char *log = vyh_log(&e->b);

		fail_msg("vybar-board refused to start: %s", log);
	}
}

void vyh_election_free(vyh_election *e)
{
	vyh_cleanup(&e->b);
	vyf_record_free(&e->r);
}

/* POST a message and append the same entry locally; both must accept it. */
static void post_and_append(vyh_election *e, const char *path, Vybar__EntryType type, uint8_t *msg, size_t len)
{
	vyh_resp r;

	vyh_post(&e->b, path, msg, len, &r);
	if (r.status != 200)
		fail_msg("POST %s: status %ld: %s", path, r.status, (const char *)r.body);
	vyh_resp_free(&r);
	vyf_record_append(&e->r, type, msg, len);
	free(msg);
}

void vyh_election_ceremony(vyh_election *e)
{
	uint8_t *msg;
	size_t len;

	for (uint32_t i = 1; i <= e->r.keys.n; i++) {
		msg = vyf_announce(&e->r, i, &len);
		post_and_append(e, VY_PATH_TRUSTEE_ANNOUNCE, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, msg, len);
	}
	for (uint32_t i = 1; i <= e->r.keys.n; i++) {
		msg = vyf_reveal(&e->r, i, &len);
		post_and_append(e, VY_PATH_TRUSTEE_REVEAL, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, msg, len);
	}
	for (uint32_t i = 1; i <= e->r.keys.n; i++) {
		msg = vyf_verdict(&e->r, i, &len);
		post_and_append(e, VY_PATH_TRUSTEE_VERDICT, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, msg, len);
	}
	vyh_admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN);
	msg = vyf_open(&e->r, &len);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, msg, len);
	free(msg);
}

/* protocol.md §12.1, written again from the spec (not the board's code):
 * H("vybar/v1/admin-action", base_hash, u64(action), head_hash). */
static void admin_hash(uint8_t out[VY_HASH_BYTES], const uint8_t *base_hash, uint64_t action, const uint8_t *head)
{
	vy_hasher h;

	vy_hasher_init(&h, "vybar/v1/admin-action");
	vy_hasher_item(&h, base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, action);
	vy_hasher_item(&h, head, VY_HASH_BYTES);
	vy_hasher_final(&h, out);
}

uint8_t *vyh_admin_action(const vyh_election *e, int action, const uint8_t head[VY_HASH_BYTES], const uint8_t *sk,
			  size_t *len)
{
	Vybar__AdminAction a;
	uint8_t h[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES], *out;

	admin_hash(h, e->r.st.election.base_hash, (uint64_t)action, head);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	vybar__admin_action__init(&a);
	a.action = (Vybar__AdminActionKind)action;
	a.base_hash.data = (uint8_t *)e->r.st.election.base_hash;
	a.base_hash.len = VY_HASH_BYTES;
	a.head_hash.data = (uint8_t *)head;
	a.head_hash.len = VY_HASH_BYTES;
	a.signature.data = sig;
	a.signature.len = sizeof sig;
	out = vy_msg_pack(&a, len);
	assert_non_null(out);
	return out;
}

uint8_t *vyh_local_record(const vyh_election *e, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	vyf_record_write(&e->r, f);
	assert_int_equal(fclose(f), 0);
	*len = n;
	return (uint8_t *)buf;
}

vy_rc vyh_verify_record(const uint8_t *rec, size_t len, vy_record_state *st, vy_reason *why)
{
	FILE *f = fmemopen((void *)rec, len, "rb");
	uint64_t bad = 0;
	vy_rc rc;

	assert_non_null(f);
	vy_record_state_init(st);
	rc = vy_record_verify_file(st, f, &bad, why);
	fclose(f);
	return rc;
}

uint8_t (*vyh_entry_hashes(const uint8_t *rec, size_t len, size_t *n))[VY_HASH_BYTES]
{
	uint8_t (*out)[VY_HASH_BYTES] = NULL;
	vy_record_reader rd;
	Vybar__RecordEntry *e = NULL;
	FILE *f = fmemopen((void *)rec, len, "rb");

	*n = 0;
	assert_non_null(f);
	assert_int_equal(vy_record_reader_open(&rd, f, NULL), VY_R_OK);
	for (;;) {
		assert_int_equal(vy_record_reader_next(&rd, &e, NULL), VY_R_OK);
		if (e == NULL)
			break;
		out = realloc(out, (*n + 1) * sizeof *out);
		assert_non_null(out);
		vy_entry_hash_of(out[*n], e);
		(*n)++;
		vy_msg_free(e);
	}
	vy_record_reader_close(&rd);
	fclose(f);
	return out;
}

void vyh_admin(vyh_election *e, int action)
{
	uint8_t *m;
	size_t n;
	vyh_resp r;

	m = vyh_admin_action(e, action, e->r.st.head_hash, e->commission_sk, &n);
	vyh_post(&e->b, VY_PATH_ADMIN, m, n, &r);
	if (r.status != 200)
		fail_msg("admin %d: %ld %s", action, r.status, (const char *)r.body);
	vyh_resp_free(&r);
	free(m);
}

void vyh_expect_same_record(const vyh_election *e)
{
	size_t local_len, board_len;
	uint8_t *local = vyh_local_record(e, &local_len), *board = vyh_record(&e->b, &board_len);

	assert_int_equal(board_len, local_len);
	assert_memory_equal(board, local, local_len);
	free(local);
	free(board);
}

void vyh_election_close(vyh_election *e)
{
	Vybar__ElectionClose c = VYBAR__ELECTION_CLOSE__INIT;
	uint8_t *p;
	size_t len;

	vyh_admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE);
	c.ballots_received = e->r.st.ballots;
	p = vy_msg_pack(&c, &len);
	assert_non_null(p);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, len);
	free(p);
}

void vyh_election_close_and_count(vyh_election *e)
{
	vyh_election_close(e);
	vyh_election_count(e);
	vyh_expect_same_record(e);
}

void vyh_election_count(vyh_election *e)
{
	uint32_t q[VYF_MAX_TRUSTEES];
	uint8_t *p;
	size_t n;

	/* protocol.md §8.12: the registrar's statement first (the fixtures' statement key) */
	p = vyf_issued_statement(e->r.st.election.base_hash, e->r.st.cred_count, VYF_ISSUED_TIME, e->r.keys.statement_sk,
				 &n);
	post_and_append(e, VY_PATH_CREDENTIALS_ISSUED, VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED, p, n);
	vyh_admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY);
	vyf_record_tally(&e->r);
	for (uint32_t i = 0; i < e->r.keys.n; i++)
		q[i] = i + 1;
	for (uint32_t i = 1; i <= e->r.keys.n; i++) {
		vy_scalar s;

		vyf_secret_share(&e->r, i, q, e->r.keys.n, &s);
		p = vyf_partial(&e->r, i, &s, &n);
		post_and_append(e, VY_PATH_TRUSTEE_DECRYPTION, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p,
				n);
	}
	vyh_admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT);
	assert_int_equal(vy_tally_result(&e->r.st, NULL, 0, &p, &n, NULL), VY_R_OK);
	vyf_record_append_owned(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, n);
}
