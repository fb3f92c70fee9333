/*
 * A voter's receipt checked against a witness as well as the board
 * (specs/witness.md §8), with the real programs on 127.0.0.1:
 * `vybar-vote check --witness` and `vybar-verify receipt --witness`.
 *
 * Board A is the honest one; a real vybar-witness follows it and cosigns
 * its checkpoints. Board B is the same election (same manifest, same key)
 * started on a copy of A's database after the first ballot, and then fed
 * other ballots: a board that shows some readers another record. Checked:
 *  - against A, both programs say the witness agrees (exit 0);
 *  - against B, a receipt whose entry B still holds: the heads differ at
 *    the same size, and both programs say the board and witness disagree
 *    (exit 1) although B's own record verifies and holds the ballot;
 *  - against B, a receipt whose entry B replaced: "disagree at entry N";
 *  - B grown past the witness's checkpoint: its record "does not extend"
 *    the checkpoint the witness cosigned;
 *  - a witness that does not answer: nothing decided (exit 3);
 *  - the consistency proofs the board and the witness serve
 *    (GET /v1/proof/consistency) verify between every pair of sizes, and
 *    pairs out of range are 404.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/witness_harness.h"

#define OUT_BYTES (64u << 10)
#define WAIT_S 20
#define EXIT_FAILED 1
#define EXIT_IO 3

static char out[OUT_BYTES];

/* Cast voter label's ballot on board b: the receipt (malloc'd), its seq. */
static uint8_t *cast(const vyh_board *b, const vy_election *el, const char *label, size_t *len, uint64_t *seq)
{
	uint32_t choices[VYF_SELECTIONS];
	Vybar__Receipt *rc = NULL;
	vyf_voter v;
	vyh_resp r;
	uint8_t *p, *receipt;
	size_t n;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, label);
	p = vyf_ballot_pack(el, &v, choices, NULL, NULL, &n);
	vyh_post(b, VY_PATH_BALLOTS, p, n, &r);
	if (r.status != 200)
		fail_msg("ballot %s: %ld %s", label, r.status, (const char *)r.body);
	free(p);
	assert_int_equal(vy_decode_receipt(&rc, r.body, r.len, NULL), VY_R_OK);
	*seq = rc->seq;
	vy_msg_free(rc);
	receipt = r.body;
	*len = r.len;
	r.body = NULL;
	vyh_resp_free(&r);
	return receipt;
}

static void write_receipt(char *path, size_t cap, const char *dir, const char *name, const uint8_t *b, size_t n)
{
	snprintf(path, cap, "%s/%s", dir, name);
	vytest_write_file(path, b, n);
}

/* The entries of board b (GET /v1/status "entries"). */
static uint64_t board_size(const vyh_board *b)
{
	vyh_resp r;
	const char *p;
	uint64_t n = 0;

	vyh_get(b, VY_PATH_STATUS, &r);
	assert_int_equal(r.status, 200);
	p = strstr((const char *)r.body, "\"entries\":");
	assert_non_null(p);
	n = strtoull(p + 10, NULL, 10);
	vyh_resp_free(&r);
	return n;
}

/* Every consistency proof src serves, from each size m to n (its record
 * rec's first n entries), verifies against roots computed here; m = 0 and
 * n beyond the record are 404. */
static void check_consistency(const vyh_board *src, const uint8_t *rec, size_t rec_len, uint64_t n)
{
	uint8_t (*h)[VY_HASH_BYTES];
	uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES], r1[VY_MERKLE_HASH_BYTES], r2[VY_MERKLE_HASH_BYTES];
	vy_merkle_tree *t = vy_merkle_tree_new();
	char q[96];
	size_t got, np;
	vyh_resp r;

	h = vyh_entry_hashes(rec, rec_len, &got);
	assert_true(got >= n);
	for (size_t i = 0; i < n; i++) {
		uint8_t leaf[VY_MERKLE_HASH_BYTES];

		vy_merkle_leaf_hash(leaf, h[i], VY_HASH_BYTES);
		assert_int_equal(vy_merkle_tree_add(t, leaf), VY_R_OK);
	}
	assert_int_equal(vy_merkle_tree_root(t, n, r2), VY_R_OK);
	for (uint64_t m = 1; m <= n; m++) {
		snprintf(q, sizeof q, "%s?first=%llu&second=%llu", VY_PATH_PROOF_CONSISTENCY, (unsigned long long)m,
			 (unsigned long long)n);
		vyh_get(src, q, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(vy_merkle_proof_parse(path, &np, (const char *)r.body, r.len), VY_R_OK);
		assert_int_equal(vy_merkle_tree_root(t, m, r1), VY_R_OK);
		assert_true(vy_merkle_verify_consistency(m, n, r1, r2, (const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, np));
		if (m < n) /* and not for another root */
			assert_false(vy_merkle_verify_consistency(m, n, r2, r2,
								  (const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, np));
		vyh_resp_free(&r);
	}
	snprintf(q, sizeof q, "%s?first=0&second=%llu", VY_PATH_PROOF_CONSISTENCY, (unsigned long long)n);
	vyh_get(src, q, &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	snprintf(q, sizeof q, "%s?first=1&second=%llu", VY_PATH_PROOF_CONSISTENCY, (unsigned long long)got + 1);
	vyh_get(src, q, &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	vy_merkle_tree_free(t);
	free(h);
}

/* `vybar-vote check` and `vybar-verify receipt` of the receipt file
 * against board and witness: each must exit `want` and say `says`. */
static void both_check(const char *board, const char *witness, const char *receipt, int want, const char *says)
{
	const char *vote[] = { "check", "--board", board, "--receipt", receipt, "--witness", witness, NULL };
	const char *verify[] = { "receipt", "--receipt", receipt, board, "--witness", witness, NULL };
	int rc;

	rc = vytest_run(out, sizeof out, 1, VYBAR_VOTE_PROGRAM, vote);
	if (rc != want || strstr(out, says) == NULL)
		fail_msg("vybar-vote check against %s: exit %d (want %d), no \"%s\" in:\n%s", board, rc, want, says, out);
	rc = vytest_run(out, sizeof out, 1, VYBAR_VERIFY_PROGRAM, verify);
	if (rc != want || strstr(out, says) == NULL)
		fail_msg("vybar-verify receipt against %s: exit %d (want %d), no \"%s\" in:\n%s", board, rc, want, says,
			 out);
}

/* Copy file from to file to (both may be missing: then nothing). */
static void copy_if_there(const char *from, const char *to)
{
	size_t n = 0;
	char *b;

	if (access(from, F_OK) != 0)
		return;
	b = vytest_read_file(from, &n);
	vytest_write_file(to, (const uint8_t *)b, n);
	free(b);
}

static void test_receipt_against_witness(void **state)
{
	char a_url[64], b_url[64], r_alice[VYH_PATH_BYTES], r_bob[VYH_PATH_BYTES], want[160];
	const char *args[4];
	uint8_t *rcpt, seed[32];
	uint64_t seq_alice, seq_bob, seq, n;
	vyh_election a;
	vyh_witness w;
	vyh_board b;
	vyf_keys k;
	uint8_t *m;
	size_t len, mlen;

	(void)state;
	/* the election names the fixtures' 3 witnesses, k = 2; witness 1 runs */
	vyh_witness_init(&w, 1);
	args[0] = "--witness";
	args[1] = w.url;
	args[2] = NULL;
	vyf_keys_init(&k, 3, 2);
	k.n_witnesses = VYF_WITNESSES;
	k.witness_k = VYF_WITNESS_K;
	m = vyf_manifest_pack(&k, &mlen);
	vyh_election_start_manifest(&a, 3, 2, m, mlen, args);
	free(m);
	vyh_election_ceremony(&a);
	rcpt = cast(&a.b, &a.r.st.election, "alice", &len, &seq_alice);
	write_receipt(r_alice, sizeof r_alice, w.dir, "alice.pb", rcpt, len);
	free(rcpt);

	/* board B: A's record so far, in a database of its own */
	assert_int_equal(vyh_stop(&a.b, SIGTERM), 0);
	vyh_init(&b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&b, seed);
	vyh_write_manifest(&b, a.r.manifest_bytes, a.r.manifest_len);
	copy_if_there(a.b.db, b.db);
	{
		char from[VYH_PATH_BYTES + 8], to[VYH_PATH_BYTES + 8];

		snprintf(from, sizeof from, "%s-wal", a.b.db);
		snprintf(to, sizeof to, "%s-wal", b.db);
		copy_if_there(from, to);
	}
	assert_int_equal(vyh_start(&a.b, args), -1);
	assert_int_equal(vyh_start(&b, NULL), -1);
	vyh_board_url(a_url, &a.b);
	vyh_board_url(b_url, &b);
	vyh_witness_start(&w, a_url);

	/* A and B go separate ways at the same size */
	rcpt = cast(&a.b, &a.r.st.election, "bob", &len, &seq_bob);
	write_receipt(r_bob, sizeof r_bob, w.dir, "bob.pb", rcpt, len);
	free(rcpt);
	free(cast(&b, &a.r.st.election, "carol", &len, &seq));
	assert_int_equal(seq, seq_bob);
	n = board_size(&a.b);
	assert_int_equal(board_size(&b), n);
	if (vyh_witness_wait_cosigned(&w, n, WAIT_S) != n)
		fail_msg("the witness did not cosign A's %llu entries: %s", (unsigned long long)n,
			 vytest_read_file(w.log, NULL));

	/* 1. the honest board: the witness agrees */
	both_check(a_url, w.url, r_alice, 0, "agrees: entry ");
	both_check(a_url, w.url, r_bob, 0, "agrees: entry ");
	{
		size_t rl;
		uint8_t *rec = vyh_record(&a.b, &rl);

		check_consistency(&a.b, rec, rl, n);
		check_consistency(&w.http, rec, rl, n);
		free(rec);
	}

	/* 2. B still holds alice's ballot, but not the record the witness cosigned */
	snprintf(want, sizeof want, "DISAGREES: the board and witness %s disagree: at size %llu the board's checkpoint",
		 vyf_witness_name(1), (unsigned long long)n);
	both_check(b_url, w.url, r_alice, EXIT_FAILED, want);
	assert_non_null(strstr(out, "the board forked its record"));

	/* 3. B replaced bob's ballot: the entry itself differs */
	snprintf(want, sizeof want, "DISAGREES: the board and witness %s disagree at entry %llu: ", vyf_witness_name(1),
		 (unsigned long long)seq_bob);
	both_check(b_url, w.url, r_bob, EXIT_FAILED, want);
	assert_non_null(strstr(out, "is not on the board's record and in the checkpoint the witness cosigned"));

	/* 4. B grows past the witness's checkpoint: it does not extend it */
	free(cast(&b, &a.r.st.election, "dave", &len, &seq));
	snprintf(want, sizeof want, "does not extend the checkpoint witness %s cosigned (%llu entries",
		 vyf_witness_name(1), (unsigned long long)n);
	both_check(b_url, w.url, r_alice, EXIT_FAILED, want);

	/* 5. a witness that does not answer decides nothing */
	vyh_witness_stop(&w, SIGKILL);
	both_check(a_url, w.url, r_alice, EXIT_IO, "cannot tell: the witness's checkpoint");

	/* the witness's URL with a file SOURCE: a usage error */
	{
		const char *verify[] = { "receipt", "--receipt", r_alice, r_alice, "--witness", w.url, NULL };

		assert_int_equal(vytest_run(out, sizeof out, 1, VYBAR_VERIFY_PROGRAM, verify), 2);
		assert_non_null(strstr(out, "SOURCE must be the board's URL"));
	}

	vyh_stop(&b, SIGTERM);
	vyh_cleanup(&b);
	vyh_witness_cleanup(&w);
	vyh_stop(&a.b, SIGTERM);
	vyh_election_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipt_against_witness),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
