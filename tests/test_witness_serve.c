/*
 * vybar-witness serve against a real vybar-board on 127.0.0.1
 * (specs/witness.md §7.2-§7.3). The test plays the board's operator: it
 * signs checkpoints of the record with the fixtures' board key and posts
 * them to the witness (C2SP tlog-witness add-checkpoint), as vybar-board
 * will. Checked: cosignatures that verify, the consistency proof, every
 * refusal (a fork, a wrong old size, a bad board signature, another
 * election), a witness killed with SIGKILL that never forgets what it
 * cosigned, and its read-only mirror of the record.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "protocol/vy_checkpoint.h"
#include "tests/support/board_harness.h"

#define OUT_BYTES (64u << 10)
#define NAME "witness.example/1"
/* vybar-verify record: every check held, no result yet. */
#define VY_EXIT_INCOMPLETE_RECORD 4
#define BODY_BYTES (16u << 10)
#define START_POLLS 400
#define START_POLL_NS 25000000L

typedef struct {
	char dir[VYH_DIR_BYTES], wdir[VYH_PATH_BYTES], port_file[VYH_PATH_BYTES], log[VYH_PATH_BYTES];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	vyh_board http; /* only its port: vyh_get and vyh_post against the witness */
	pid_t pid;
} witness;

static void witness_keygen(witness *w)
{
	char out[OUT_BYTES];
	const char *args[] = { "keygen", "--dir", w->wdir, "--name", NAME, NULL };

	assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, args), 0);
	out[strlen(NAME) + 1 + 64] = '\0';
	assert_int_equal(vytest_unhex(w->pk, sizeof w->pk, out + strlen(NAME) + 1), (long)sizeof w->pk);
}

static void witness_init(witness *w)
{
	memset(w, 0, sizeof *w);
	snprintf(w->dir, sizeof w->dir, "/tmp/vytest-witness-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->wdir, sizeof w->wdir, "%s/w", w->dir);
	snprintf(w->port_file, sizeof w->port_file, "%s/port", w->dir);
	snprintf(w->log, sizeof w->log, "%s/log", w->dir);
	witness_keygen(w);
}

/* Start `vybar-witness serve` on the board; returns once it listens. */
static void witness_start(witness *w, const vyh_board *b)
{
	struct timespec step = { 0, START_POLL_NS };
	char board[64];

	snprintf(board, sizeof board, "http://127.0.0.1:%u", b->port);
	unlink(w->port_file);
	w->pid = fork();
	assert_true(w->pid >= 0);
	if (w->pid == 0) {
		const char *argv[] = { VYBAR_WITNESS_PROGRAM, "serve", "--dir", w->wdir, "--board", board, "--port",
				       "0", "--port-file", w->port_file, NULL };
		int fd = open(w->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < START_POLLS; i++) {
		FILE *f = fopen(w->port_file, "r");
		int status;

		if (f != NULL) {
			int ok = fscanf(f, "%u", &w->http.port) == 1;

			fclose(f);
			if (ok && w->http.port > 0)
				return;
		}
		if (waitpid(w->pid, &status, WNOHANG) == w->pid)
			fail_msg("vybar-witness did not start: %s", vytest_read_file(w->log, NULL));
		nanosleep(&step, NULL);
	}
	fail_msg("vybar-witness did not listen");
}

static void witness_kill(witness *w, int sig)
{
	int status;

	if (w->pid <= 0)
		return;
	kill(w->pid, sig);
	waitpid(w->pid, &status, 0);
	w->pid = -1;
}

/* The Merkle tree of the board's record as it stands. */
static vy_merkle_tree *board_tree(const vyh_board *b, size_t *n)
{
	size_t len;
	uint8_t *rec = vyh_record(b, &len);
	uint8_t(*h)[VY_HASH_BYTES] = vyh_entry_hashes(rec, len, n);
	vy_merkle_tree *t = vy_merkle_tree_new();

	assert_non_null(t);
	for (size_t i = 0; i < *n; i++) {
		uint8_t leaf[VY_MERKLE_HASH_BYTES];

		vy_merkle_leaf_hash(leaf, h[i], VY_HASH_BYTES);
		assert_int_equal(vy_merkle_tree_add(t, leaf), VY_R_OK);
	}
	free(h);
	free(rec);
	return t;
}

/* The checkpoint note of c signed with sk under the board key pk. */
static size_t note_of(char *out, size_t cap, const vy_checkpoint *c, const uint8_t *pk, const uint8_t *sk)
{
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	uint8_t sig[64];
	size_t n, m;

	vy_checkpoint_body(body, &n, c);
	vy_checkpoint_sign(sig, c, sk);
	assert_true(n + 1 < cap);
	memcpy(out, body, n);
	out[n++] = '\n';
	m = vy_note_line_board(out + n, cap - n, c, pk, sig);
	assert_true(m > 0);
	return n + m;
}

/* POST to target an add-checkpoint body: old, the proof from old to
 * c->size (from t; none when old is 0 or c->size), the note; the answer
 * in r, the note in note. */
static void add_checkpoint_to(const witness *w, const char *target, uint64_t old, const vy_merkle_tree *t,
			      const vy_checkpoint *c, const uint8_t *pk, const uint8_t *sk, char *note,
			      size_t *note_len, vyh_resp *r)
{
	char body[BODY_BYTES];
	size_t n = (size_t)snprintf(body, sizeof body, "old %llu\n", (unsigned long long)old);

	if (t != NULL && old > 0 && old < c->size) {
		uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
		size_t np = 0;

		assert_int_equal(vy_merkle_tree_consistency(t, old, c->size, path, &np), VY_R_OK);
		for (size_t i = 0; i < np; i++) {
			sodium_bin2base64(body + n, sizeof body - n, path[i], VY_MERKLE_HASH_BYTES,
					  sodium_base64_VARIANT_ORIGINAL);
			n += strlen(body + n);
			body[n++] = '\n';
		}
	}
	body[n++] = '\n';
	*note_len = note_of(note, VY_CHECKPOINT_NOTE_MAX, c, pk, sk);
	memcpy(body + n, note, *note_len);
	vyh_post(&w->http, target, (const uint8_t *)body, n + *note_len, r);
}

/* The same, to the witness's add-checkpoint route. */
static void add_checkpoint(const witness *w, uint64_t old, const vy_merkle_tree *t, const vy_checkpoint *c,
			   const uint8_t *pk, const uint8_t *sk, char *note, size_t *note_len, vyh_resp *r)
{
	add_checkpoint_to(w, "/add-checkpoint", old, t, c, pk, sk, note, note_len, r);
}

/* The checkpoint of the board's first `size` entries. */
static void checkpoint_of(vy_checkpoint *c, const vyh_election *e, const vy_merkle_tree *t, uint64_t size)
{
	memcpy(c->base_hash, e->r.st.election.base_hash, VY_HASH_BYTES);
	c->size = size;
	assert_int_equal(vy_merkle_tree_root(t, size, c->root), VY_R_OK);
}

/* A 200 answer is one cosignature line that verifies over the note. */
static void assert_cosigned(const witness *w, const vyh_election *e, const char *note, size_t note_len,
			    const vyh_resp *r)
{
	char full[VY_CHECKPOINT_NOTE_MAX + 512];
	const char *names[] = { NAME };
	vy_cosignature cs;
	vy_checkpoint c;
	vy_reason why = { 0 };
	int have = 0;

	if (r->status != 200)
		fail_msg("add-checkpoint: %ld %s", r->status, (const char *)r->body);
	assert_true(note_len + r->len < sizeof full);
	memcpy(full, note, note_len);
	memcpy(full + note_len, r->body, r->len);
	assert_int_equal(vy_checkpoint_note_parse(&c, &cs, &have, full, note_len + r->len,
						  e->r.st.election.base_hash, e->r.keys.board_pk, names,
						  (const uint8_t(*)[32])w->pk, 1, &why),
			 VY_R_OK);
	assert_int_equal(have, 1);
	assert_true(cs.timestamp > 0);
}

/* A target holding %00 (specs/witness.md §7) is 400 before any route
 * counts, even one libmicrohttpd would decode to add-checkpoint: a fork of
 * the cosigned (size, root) sent so is not seen, nothing changes. */
static void assert_nul_refused(const witness *w, const vyh_election *e, const vy_merkle_tree *t, uint64_t size)
{
	static const char *const targets[] = { "/add-checkpoint%00", "/add-checkpoint%00.html",
					       "/add-checkpoint?x=%00" };
	char note[VY_CHECKPOINT_NOTE_MAX];
	vy_checkpoint c;
	vyh_resp before, after, r;
	size_t nl;

	vyh_get(&w->http, VY_PATH_STATUS, &before);
	assert_int_equal(before.status, 200);
	assert_true(vyh_body_has(&before, "\"forked\":false"));
	checkpoint_of(&c, e, t, size);
	c.root[0] ^= 1;
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		add_checkpoint_to(w, targets[i], size, NULL, &c, e->r.keys.board_pk, e->r.keys.board_sk, note, &nl,
				  &r);
		if (r.status != 400 || !vyh_body_has(&r, "%00 (a NUL byte) is not allowed"))
			fail_msg("POST %s: %ld %.200s", targets[i], r.status, r.body ? (const char *)r.body : "");
		vyh_resp_free(&r);
	}
	vyh_get(&w->http, VY_PATH_STATUS "%00.html", &r);
	assert_int_equal(r.status, 400);
	vyh_resp_free(&r);
	vyh_get(&w->http, VY_PATH_STATUS, &after);
	assert_int_equal(after.status, 200);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.body, after.body, before.len);
	vyh_resp_free(&before);
	vyh_resp_free(&after);
}

/* The refusals of §7.2 against a witness that cosigned (size, root). */
static void assert_refusals(const witness *w, const vyh_election *e, const vy_merkle_tree *t, uint64_t size)
{
	char note[VY_CHECKPOINT_NOTE_MAX], want[32];
	vy_checkpoint c;
	vyh_resp r;
	size_t nl;

	/* a fork: the same size, another root */
	checkpoint_of(&c, e, t, size);
	c.root[0] ^= 1;
	add_checkpoint(w, size, NULL, &c, e->r.keys.board_pk, e->r.keys.board_sk, note, &nl, &r);
	assert_int_equal(r.status, 409);
	assert_false(vyh_body_has(&r, "\xe2\x80\x94 " NAME " "));
	vyh_resp_free(&r);
	/* an old size that is not the one it cosigned: 409 naming it */
	checkpoint_of(&c, e, t, size);
	add_checkpoint(w, 0, NULL, &c, e->r.keys.board_pk, e->r.keys.board_sk, note, &nl, &r);
	assert_int_equal(r.status, 409);
	snprintf(want, sizeof want, "%llu\n", (unsigned long long)size);
	assert_string_equal((const char *)r.body, want);
	vyh_resp_free(&r);
	/* old beyond the checkpoint's size */
	add_checkpoint(w, size + 1, NULL, &c, e->r.keys.board_pk, e->r.keys.board_sk, note, &nl, &r);
	assert_int_equal(r.status, 400);
	vyh_resp_free(&r);
	/* not the board's signature */
	add_checkpoint(w, size, NULL, &c, e->commission_pk, e->commission_sk, note, &nl, &r);
	assert_int_equal(r.status, 403);
	vyh_resp_free(&r);
	/* another election's origin */
	c.base_hash[0] ^= 1;
	add_checkpoint(w, size, NULL, &c, e->r.keys.board_pk, e->r.keys.board_sk, note, &nl, &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	/* a malformed body */
	vyh_post(&w->http, "/add-checkpoint", (const uint8_t *)"old x\n\n", 7, &r);
	assert_int_equal(r.status, 400);
	vyh_resp_free(&r);
}

static void test_witness_cosigns(void **state)
{
	char note[VY_CHECKPOINT_NOTE_MAX], out[OUT_BYTES], url[64], root_hex[65], want[160];
	vy_merkle_tree *t;
	vyh_election e;
	vy_checkpoint c;
	vyh_resp r;
	witness w;
	size_t n1, n, nl;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);
	witness_init(&w);
	witness_start(&w, &e.b);

	/* 1. the first checkpoint, old 0 */
	t = board_tree(&e.b, &n1);
	assert_true(n1 >= 1);
	checkpoint_of(&c, &e, t, n1);
	add_checkpoint(&w, 0, t, &c, e.r.keys.board_pk, e.r.keys.board_sk, note, &nl, &r);
	assert_cosigned(&w, &e, note, nl, &r);
	vyh_resp_free(&r);
	vy_merkle_tree_free(t);

	/* 2. a larger one, with the consistency proof */
	vyh_election_ceremony(&e);
	t = board_tree(&e.b, &n);
	assert_true(n > n1);
	checkpoint_of(&c, &e, t, n);
	/* a proof that does not hold: 422 */
	{
		vy_checkpoint c1;
		vy_merkle_tree *bad = vy_merkle_tree_new();
		uint8_t leaf[VY_MERKLE_HASH_BYTES] = { 0 };

		for (size_t i = 0; i < n; i++)
			assert_int_equal(vy_merkle_tree_add(bad, leaf), VY_R_OK);
		c1 = c;
		add_checkpoint(&w, n1, bad, &c1, e.r.keys.board_pk, e.r.keys.board_sk, note, &nl, &r);
		assert_int_equal(r.status, 422);
		vyh_resp_free(&r);
		vy_merkle_tree_free(bad);
	}
	add_checkpoint(&w, n1, t, &c, e.r.keys.board_pk, e.r.keys.board_sk, note, &nl, &r);
	assert_cosigned(&w, &e, note, nl, &r);
	vyh_resp_free(&r);

	/* 3. the refusals: a target with %00, then those of §7.2 */
	assert_nul_refused(&w, &e, t, n);
	assert_refusals(&w, &e, t, n);

	/* 4. killed, restarted: it remembers what it cosigned */
	witness_kill(&w, SIGKILL);
	witness_start(&w, &e.b);
	vytest_hex(root_hex, c.root, sizeof c.root);
	snprintf(want, sizeof want, "\"cosigned_size\":%zu,\"cosigned_root\":\"%s\"", n, root_hex);
	vyh_get(&w.http, VY_PATH_STATUS, &r);
	assert_int_equal(r.status, 200);
	if (!vyh_body_has(&r, want))
		fail_msg("status %s lacks %s", (const char *)r.body, want);
	vyh_resp_free(&r);
	vyh_get(&w.http, "/v1/checkpoint", &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\xe2\x80\x94 " NAME " "));
	vyh_resp_free(&r);
	assert_refusals(&w, &e, t, n);
	/* the same checkpoint again is cosigned again */
	add_checkpoint(&w, n, t, &c, e.r.keys.board_pk, e.r.keys.board_sk, note, &nl, &r);
	assert_cosigned(&w, &e, note, nl, &r);
	vyh_resp_free(&r);

	/* 5. the mirror: what it holds verifies, and is the board's record */
	{
		size_t bl, wl;
		uint8_t *br = vyh_record(&e.b, &bl), *wr = vyh_record(&w.http, &wl);
		int rc;
		const char *args[] = { "record", url, NULL };

		assert_int_equal(bl, wl);
		assert_memory_equal(br, wr, bl);
		free(br);
		free(wr);
		snprintf(url, sizeof url, "http://127.0.0.1:%u", w.http.port);
		rc = vytest_run(out, sizeof out, 0, VYBAR_VERIFY_PROGRAM, args);
		if (rc != VY_EXIT_INCOMPLETE_RECORD)
			fail_msg("vybar-verify record %s: %d %s", url, rc, out);
	}
	vy_merkle_tree_free(t);
	witness_kill(&w, SIGTERM);
	vytest_remove_dir(w.dir);
	vyh_election_free(&e);
}

/* Cast voter label's ballot through the board (200, or the test fails). */
static void cast(vyh_election *e, const char *label)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;
	vyh_resp r;
	uint8_t *p;
	size_t n;

	vyf_default_choices(choices);
	vyf_voter_init(&v, &e->r.st.election, label);
	p = vyf_ballot_pack(&e->r.st.election, &v, choices, NULL, NULL, &n);
	vyh_post(&e->b, VY_PATH_BALLOTS, p, n, &r);
	if (r.status != 200)
		fail_msg("ballot: %ld %s", r.status, (const char *)r.body);
	vyh_resp_free(&r);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, n);
	free(p);
}

/* Two boards of the same election (same manifest and key) that differ from
 * one ballot on: the witness cosigns the first's record, then, pointed at
 * the second, finds an entry that does not extend what it holds. It stops
 * following, says so on stderr, and cosigns nothing more. */
static void test_witness_fork(void **state)
{
	char note[VY_CHECKPOINT_NOTE_MAX];
	vy_merkle_tree *ta, *tb;
	vyh_election a, b;
	vy_checkpoint c;
	vyh_resp r;
	witness w;
	size_t na, nb, nl;
	char *log;

	(void)state;
	vyh_election_start(&a, 3, 2, NULL);
	vyh_election_start(&b, 3, 2, NULL);
	vyh_election_ceremony(&a);
	vyh_election_ceremony(&b);
	cast(&a, "alice");
	cast(&b, "bob");
	cast(&b, "carol");
	witness_init(&w);
	witness_start(&w, &a.b);
	ta = board_tree(&a.b, &na);
	checkpoint_of(&c, &a, ta, na);
	add_checkpoint(&w, 0, ta, &c, a.r.keys.board_pk, a.r.keys.board_sk, note, &nl, &r);
	assert_cosigned(&w, &a, note, nl, &r);
	vyh_resp_free(&r);

	witness_kill(&w, SIGTERM);
	witness_start(&w, &b.b);
	tb = board_tree(&b.b, &nb);
	assert_true(nb > na);
	checkpoint_of(&c, &b, tb, nb);
	add_checkpoint(&w, na, tb, &c, b.r.keys.board_pk, b.r.keys.board_sk, note, &nl, &r);
	assert_int_equal(r.status, 409);
	vyh_resp_free(&r);
	vyh_get(&w.http, VY_PATH_STATUS, &r);
	assert_true(vyh_body_has(&r, "\"forked\":true"));
	vyh_resp_free(&r);
	/* even the checkpoint it cosigned before is refused now */
	checkpoint_of(&c, &a, ta, na);
	add_checkpoint(&w, na, ta, &c, a.r.keys.board_pk, a.r.keys.board_sk, note, &nl, &r);
	assert_int_equal(r.status, 409);
	vyh_resp_free(&r);
	log = vytest_read_file(w.log, NULL);
	if (strstr(log, "forked or lied: entry") == NULL)
		fail_msg("no evidence in the log: %s", log);
	free(log);

	vy_merkle_tree_free(ta);
	vy_merkle_tree_free(tb);
	witness_kill(&w, SIGTERM);
	vytest_remove_dir(w.dir);
	vyh_election_free(&a);
	vyh_election_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_witness_cosigns),
		cmocka_unit_test(test_witness_fork),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
