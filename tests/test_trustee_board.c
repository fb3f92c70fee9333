/*
 * vybar-trustee through the real board (specs/trustee.md §5): a vybar-board
 * process on 127.0.0.1 (tests/support/board_harness.h), the trustees'
 * program run with --board URL for every round, the commission's admin
 * actions and the ballots posted by the test.
 *
 *  - test_board_ceremony: 5 trustees, t = 3, the whole election; before
 *    each trustee's post, the same command through the file transport on a
 *    snapshot of the board's record: announce and verdict are byte for byte
 *    what the board recorded; reveal and decrypt equal it but for their
 *    randomized fields (specs/trustee.md §5.3), and the sealed shares of
 *    both reveals open to the same share. Once the result is published,
 *    decrypt says so.
 *  - test_board_justify: a bad share, a complaint, the accused answers with
 *    `justify`; everyone stays qualified and the complainer decrypts with
 *    the published share (status says so).
 *  - test_board_post: a trustee offline writes its message from a record
 *    file and carries it to the board with `post` (no key); a tampered
 *    file is refused by the board and nothing is appended; a file of the
 *    wrong kind, of another entry type or truncated is refused before
 *    anything is sent.
 *  - test_board_paging: a stand-in board serving the record in several
 *    answers (X-Vybar-Next); answers without the header or the magic, or
 *    going back, are refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/board_harness.h"

#ifndef VYBAR_TRUSTEE_PROGRAM
#error "VYBAR_TRUSTEE_PROGRAM is set by tests/CMakeLists.txt"
#endif

#define MAX_N 5
#define VOTERS 3
#define PATH 512
#define OUT_BYTES 65536
#define MSG_HDR 28 /* specs/trustee.md §5.2 */
#define PASSPHRASE "correct horse battery staple"
#define SEALED_BYTES (crypto_box_SEALBYTES + VY_SCALAR_BYTES)
/* specs/trustee.md §2: the key file */
#define KEY_FILE_BYTES 193
#define KEY_AD_BYTES 81
#define KEY_OPS_OFF 20
#define KEY_MEM_OFF 28
#define KEY_SALT_OFF 37
#define KEY_NONCE_OFF 53
#define KEY_XSK_OFF 32

typedef struct {
	uint32_t n, t;
	vyh_election e; /* the board; e.r holds the manifest (base hash) */
	char dir[64], url[64];
	char tdir[MAX_N + 1][128];
	char pass[PATH], snap[PATH], msg[PATH];
	char out[OUT_BYTES], err[OUT_BYTES]; /* of the last run */
	uint8_t *rec;      /* the board's record, as last read */
	size_t rec_len;
	vy_record_state st; /* ... verified and applied */
} env;

/* Run vybar-trustee with args (NULL-terminated; the test build for a
 * cheat); its exit status. */
static int run(env *e, const char *const *args)
{
	return vytest_spawn(vytest_program_for(VYBAR_TRUSTEE_PROGRAM, VYBAR_TRUSTEE_CHEAT_PROGRAM, args), args,
			    e->out, sizeof e->out, e->err, sizeof e->err);
}

/* `cmd` of trustee k through the board; its exit status. */
static int board_cmd(env *e, uint32_t k, const char *cmd, const char *x1, const char *x2)
{
	const char *args[] = { cmd, "--dir", e->tdir[k], "--passphrase-file", e->pass, "--board", e->url, x1, x2,
			       NULL };

	return run(e, args);
}

/* `cmd` of trustee k through files, on the snapshot; its exit status. */
static int file_cmd(env *e, uint32_t k, const char *cmd, const char *x1, const char *x2)
{
	const char *args[] = { cmd, "--dir", e->tdir[k], "--passphrase-file", e->pass, "--record", e->snap,
			       "--out", e->msg, x1, x2, NULL };

	unlink(e->msg);
	return run(e, args);
}

/* Read the board's record, verify it, keep a snapshot file of it. */
static void refresh(env *e)
{
	vy_reason why = { 0 };

	free(e->rec);
	vy_record_state_free(&e->st);
	e->rec = vyh_record(&e->e.b, &e->rec_len);
	if (vyh_verify_record(e->rec, e->rec_len, &e->st, &why) != VY_R_OK)
		fail_msg("the board's record does not verify: %s", why.msg);
	vytest_write_file(e->snap, e->rec, e->rec_len);
}

/* The last entry of the board's record (as last read): its type and payload (malloc'd). */
static uint8_t *last_entry(const env *e, Vybar__EntryType *type, size_t *len)
{
	vy_record_reader rd;
	Vybar__RecordEntry *en = NULL, *last = NULL;
	FILE *f = fmemopen(e->rec, e->rec_len, "rb");
	uint8_t *p;

	assert_non_null(f);
	assert_int_equal(vy_record_reader_open(&rd, f, NULL), VY_R_OK);
	for (;;) {
		assert_int_equal(vy_record_reader_next(&rd, &en, NULL), VY_R_OK);
		if (en == NULL)
			break;
		vy_msg_free(last);
		last = en;
	}
	vy_record_reader_close(&rd);
	fclose(f);
	assert_non_null(last);
	*type = last->type;
	*len = last->payload.len;
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, last->payload.data, *len);
	vy_msg_free(last);
	return p;
}

/* The message file's payload (malloc'd), checking its type. */
static uint8_t *read_msg(env *e, Vybar__EntryType want, size_t *len)
{
	uint32_t type;
	uint8_t *p = vytest_trustee_msg(e->msg, &type, len);

	assert_int_equal(type, want);
	return p;
}

/* The entry's own validity rule (protocol.md §8) against st. */
static vy_rc validate(const vy_record_state *st, Vybar__EntryType type, const uint8_t *p, size_t n, vy_reason *why)
{
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		return vy_validate_key_announce(st, p, n, why);
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		return vy_validate_key_reveal(st, p, n, why);
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		return vy_validate_key_verdict(st, p, n, why);
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return vy_validate_key_justification(st, p, n, why);
	default:
		return vy_validate_partial_decryption(st, p, n, why);
	}
}

/* Decode a TrusteeSigned payload's body. */
static ProtobufCMessage *body_of(const uint8_t *p, size_t n, uint32_t want_index,
				 const ProtobufCMessageDescriptor *desc)
{
	Vybar__TrusteeSigned *ts = NULL;
	ProtobufCMessage *m = NULL;

	assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
					   VY_MAX_MESSAGE_BYTES, p, n, NULL),
			 VY_R_OK);
	assert_int_equal(ts->trustee_index, want_index);
	assert_int_equal(vy_decode_message(&m, desc, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL), VY_R_OK);
	vy_msg_free(ts);
	return m;
}

/* specs/trustee.md §5.3: a reveal's body without its randomized fields (the
 * proofs' c and v, the sealed shares), packed; the sealed shares must be
 * SEALED_BYTES long. */
static uint8_t *reveal_fixed(const uint8_t *p, size_t n, uint32_t k, size_t *len)
{
	Vybar__KeyReveal *r = (Vybar__KeyReveal *)body_of(p, n, k, &vybar__key_reveal__descriptor);
	uint8_t *out;

	for (size_t j = 0; j < r->n_proofs; j++)
		r->proofs[j]->c.len = r->proofs[j]->v.len = 0;
	for (size_t j = 0; j < r->n_shares; j++) {
		assert_int_equal(r->shares[j]->sealed.len, SEALED_BYTES);
		r->shares[j]->sealed.len = 0;
	}
	out = vy_msg_pack(r, len);
	assert_non_null(out);
	vy_msg_free(r);
	return out;
}

/* specs/trustee.md §5.3: a partial decryption's body without the proofs' c and v. */
static uint8_t *partial_fixed(const uint8_t *p, size_t n, uint32_t k, size_t *len)
{
	Vybar__PartialDecryption *d =
		(Vybar__PartialDecryption *)body_of(p, n, k, &vybar__partial_decryption__descriptor);
	uint8_t *out;

	for (size_t c = 0; c < d->n_contests; c++)
		for (size_t o = 0; o < d->contests[c]->n_options; o++) {
			Vybar__ChallengeResponse *cr = d->contests[c]->options[o]->proof;

			assert_non_null(cr);
			cr->c.len = cr->v.len = 0;
		}
	out = vy_msg_pack(d, len);
	assert_non_null(out);
	vy_msg_free(d);
	return out;
}

/* Trustee r's X25519 secret key, from its key file as specs/trustee.md §2
 * describes it (written again here from the spec). */
static void key_file_xsk(const env *e, uint32_t r, uint8_t xsk[crypto_box_SECRETKEYBYTES])
{
	char path[PATH];
	size_t n;
	uint8_t *f, key[32], plain[96];
	uint64_t ops = 0, mem = 0;

	snprintf(path, sizeof path, "%s/key", e->tdir[r]);
	f = (uint8_t *)vytest_read_file(path, &n);
	assert_non_null(f);
	assert_int_equal(n, KEY_FILE_BYTES);
	for (int i = 0; i < 8; i++) {
		ops = ops << 8 | f[KEY_OPS_OFF + i];
		mem = mem << 8 | f[KEY_MEM_OFF + i];
	}
	assert_int_equal(crypto_pwhash(key, sizeof key, PASSPHRASE, strlen(PASSPHRASE), f + KEY_SALT_OFF, ops,
				       (size_t)mem, crypto_pwhash_ALG_ARGON2ID13),
			 0);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, f + KEY_AD_BYTES,
								    n - KEY_AD_BYTES, f, KEY_AD_BYTES,
								    f + KEY_NONCE_OFF, key),
			 0);
	memcpy(xsk, plain + KEY_XSK_OFF, crypto_box_SECRETKEYBYTES);
	sodium_memzero(plain, sizeof plain);
	free(f);
}

/* The sealed shares of two reveals of trustee k open, for every recipient,
 * to the same share. */
static void same_shares(const env *e, uint32_t k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
			uint8_t xsk[][crypto_box_SECRETKEYBYTES])
{
	Vybar__KeyReveal *ra = (Vybar__KeyReveal *)body_of(a, alen, k, &vybar__key_reveal__descriptor);
	Vybar__KeyReveal *rb = (Vybar__KeyReveal *)body_of(b, blen, k, &vybar__key_reveal__descriptor);

	assert_int_equal(ra->n_shares, e->n - 1);
	assert_int_equal(rb->n_shares, e->n - 1);
	for (size_t j = 0; j < ra->n_shares; j++) {
		uint32_t r = ra->shares[j]->recipient_index;
		uint8_t xpk[crypto_box_PUBLICKEYBYTES], sa[VY_SCALAR_BYTES], sb[VY_SCALAR_BYTES];

		assert_int_equal(rb->shares[j]->recipient_index, r);
		assert_memory_not_equal(ra->shares[j]->sealed.data, rb->shares[j]->sealed.data, SEALED_BYTES);
		crypto_scalarmult_base(xpk, xsk[r]);
		assert_int_equal(crypto_box_seal_open(sa, ra->shares[j]->sealed.data, SEALED_BYTES, xpk, xsk[r]), 0);
		assert_int_equal(crypto_box_seal_open(sb, rb->shares[j]->sealed.data, SEALED_BYTES, xpk, xsk[r]), 0);
		assert_memory_equal(sa, sb, VY_SCALAR_BYTES);
	}
	vy_msg_free(ra);
	vy_msg_free(rb);
}

/* One round of trustee k: first through files on the snapshot of the board's
 * record (the message must pass its rule against that record), then through
 * the board; the entry the board appended is compared with the file's
 * message (specs/trustee.md §5.3). xsk: the recipients' keys, for reveals. */
static void round_both(env *e, uint32_t k, const char *cmd, Vybar__EntryType want,
		       uint8_t xsk[][crypto_box_SECRETKEYBYTES])
{
	Vybar__EntryType type;
	vy_reason why = { 0 };
	uint8_t *fp, *bp, *fx, *bx;
	size_t flen, blen, fxl, bxl;
	uint64_t seq = 0;

	refresh(e);
	seq = e->st.next_seq;
	if (file_cmd(e, k, cmd, NULL, NULL) != 0)
		fail_msg("trustee %u %s through files: %s", k, cmd, e->err);
	fp = read_msg(e, want, &flen);
	if (validate(&e->st, want, fp, flen, &why) != VY_R_OK)
		fail_msg("trustee %u %s through files is invalid: %s", k, cmd, why.msg);
	if (board_cmd(e, k, cmd, NULL, NULL) != 0)
		fail_msg("trustee %u %s through the board: %s", k, cmd, e->err);
	assert_non_null(strstr(e->out, "posted to"));
	refresh(e);
	assert_int_equal(e->st.next_seq, seq + 1);
	bp = last_entry(e, &type, &blen);
	assert_int_equal(type, want);
	if (want == VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL) {
		fx = reveal_fixed(fp, flen, k, &fxl);
		bx = reveal_fixed(bp, blen, k, &bxl);
		same_shares(e, k, fp, flen, bp, blen, xsk);
	} else if (want == VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION) {
		fx = partial_fixed(fp, flen, k, &fxl);
		bx = partial_fixed(bp, blen, k, &bxl);
	} else { /* deterministic: the whole signed message */
		fx = fp;
		fxl = flen;
		bx = bp;
		bxl = blen;
		fp = bp = NULL;
	}
	assert_int_equal(fxl, bxl);
	assert_memory_equal(fx, bx, fxl);
	free(fx);
	free(bx);
	free(fp);
	free(bp);
}

/* A round of trustee k through the board alone. */
static void round_board(env *e, uint32_t k, const char *cmd, const char *x1, const char *x2)
{
	if (board_cmd(e, k, cmd, x1, x2) != 0)
		fail_msg("trustee %u %s through the board: %s", k, cmd, e->err);
	assert_non_null(strstr(e->out, "posted to"));
}

/* n trustees make their keys; a board starts on a manifest naming them. */
static void setup_env(env *e, uint32_t n, uint32_t t)
{
	vyf_keys keys;
	uint8_t seed[32];
	const char *args[] = { "keygen", "--dir", NULL, "--passphrase-file", NULL, NULL };
	vyf_record *r = &e->e.r;

	memset(e, 0, sizeof *e);
	vytest_init();
	e->n = n;
	e->t = t;
	vy_record_state_init(&e->st);
	snprintf(e->dir, sizeof e->dir, "/tmp/vytrustee-board.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->pass, sizeof e->pass, "%s/pass", e->dir);
	snprintf(e->snap, sizeof e->snap, "%s/record", e->dir);
	snprintf(e->msg, sizeof e->msg, "%s/msg", e->dir);
	vytest_write_file(e->pass, (const uint8_t *)PASSPHRASE "\n", strlen(PASSPHRASE) + 1);
	args[4] = e->pass;
	vyf_keys_init(&keys, n, t);
	for (uint32_t k = 1; k <= n; k++) {
		snprintf(e->tdir[k], sizeof e->tdir[k], "%s/t%u", e->dir, k);
		args[2] = e->tdir[k];
		if (run(e, args) != 0)
			fail_msg("keygen %u: %s", k, e->err);
		assert_int_equal(sodium_hex2bin(keys.trustee_pk[k - 1], 32, e->out, 64, NULL, NULL, NULL), 0);
	}
	/* the manifest with the trustees' real keys (as vyf_record_init) */
	r->keys = keys;
	vy_record_state_init(&r->st);
	r->manifest_bytes = vyf_manifest_pack(&r->keys, &r->manifest_len);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r->manifest_bytes, r->manifest_len);
	/* the board, with the harness's commission and board keys */
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(e->e.commission_pk, e->e.commission_sk, seed);
	vyh_init(&e->e.b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&e->e.b, seed);
	vyh_write_manifest(&e->e.b, r->manifest_bytes, r->manifest_len);
	if (vyh_start(&e->e.b, NULL) != -1)
		fail_msg("vybar-board refused to start: %s", vyh_log(&e->e.b));
	snprintf(e->url, sizeof e->url, "http://127.0.0.1:%u", e->e.b.port);
}

static void teardown_env(env *e)
{
	assert_int_equal(vyh_stop(&e->e.b, SIGTERM), 0);
	vyh_election_free(&e->e);
	free(e->rec);
	vy_record_state_free(&e->st);
	vytest_remove_dir(e->dir);
}

/* An admin action of the commission on the board's current head. */
static void admin(env *e, int action)
{
	uint8_t *m;
	size_t n;
	vyh_resp r;

	refresh(e);
	m = vyh_admin_action(&e->e, action, e->st.head_hash, e->e.commission_sk, &n);
	vyh_post(&e->e.b, VY_PATH_ADMIN, m, n, &r);
	if (r.status != 200)
		fail_msg("admin %d: %ld %s", action, r.status, (const char *)r.body);
	vyh_resp_free(&r);
	free(m);
	refresh(e);
}

/* VOTERS ballots with the default choices, then close and tally. */
static void vote_close_tally(env *e)
{
	uint32_t choices[VYF_SELECTIONS];

	vyf_default_choices(choices);
	for (int i = 0; i < VOTERS; i++) {
		char label[32];
		vyf_voter v;
		vyh_resp r;
		uint8_t *b;
		size_t len;

		snprintf(label, sizeof label, "voter %d", i);
		vyf_voter_init(&v, &e->st.election, label);
		b = vyf_ballot_pack(&e->st.election, &v, choices, "cast", NULL, &len);
		vyh_post(&e->e.b, VY_PATH_BALLOTS, b, len, &r);
		if (r.status != 200)
			fail_msg("ballot %d: %ld %s", i, r.status, (const char *)r.body);
		vyh_resp_free(&r);
		free(b);
	}
	admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE);
	/* the registrar's statement of the credentials issued (protocol.md §8.12) */
	{
		size_t len;
		uint8_t *p = vyf_issued_statement(e->st.election.base_hash, e->st.cred_count, VYF_ISSUED_TIME,
						  e->e.r.keys.statement_sk, &len);
		vyh_resp r;

		vyh_post(&e->e.b, VY_PATH_CREDENTIALS_ISSUED, p, len, &r);
		if (r.status != 200)
			fail_msg("credentials issued: %ld %s", r.status, (const char *)r.body);
		vyh_resp_free(&r);
		free(p);
	}
	admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY);
	assert_int_equal(e->st.phase, VY_PHASE_CLOSED);
	assert_true(e->st.have_tally);
}

/* The result on the board: a valid record ending with the RESULT of the
 * default choices, from the trustees in want[0..n). */
static void check_result(env *e, const uint32_t *want, size_t n)
{
	Vybar__EntryType type;
	Vybar__Result *res = NULL;
	uint8_t *p;
	size_t len;
	vyh_resp r;

	admin(e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT);
	assert_int_equal(e->st.phase, VY_PHASE_TALLIED);
	p = last_entry(e, &type, &len);
	assert_int_equal(type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
					   p, len, NULL),
			 VY_R_OK);
	assert_int_equal(res->n_trustees_used, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(res->trustees_used[i], want[i]);
	assert_int_equal(res->contests[0]->counts[0], 0);
	assert_int_equal(res->contests[0]->counts[1], VOTERS);
	assert_int_equal(res->contests[1]->counts[0], VOTERS);
	assert_int_equal(res->contests[1]->counts[2], VOTERS);
	vy_msg_free(res);
	free(p);
	vyh_get(&e->e.b, VY_PATH_RESULT, &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\"published\":true"));
	vyh_resp_free(&r);
}

/* 5 trustees, t = 3: the whole election through the board, every trustee
 * message also made through files and compared. */
static void test_board_ceremony(void **state)
{
	static env e;
	static const uint32_t deciders[] = { 1, 3, 5 };
	uint8_t xsk[MAX_N + 1][crypto_box_SECRETKEYBYTES];

	(void)state;
	setup_env(&e, 5, 3);
	for (uint32_t k = 1; k <= e.n; k++)
		key_file_xsk(&e, k, xsk[k]);
	for (uint32_t k = 1; k <= e.n; k++)
		round_both(&e, k, "announce", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, xsk);
	for (uint32_t k = 1; k <= e.n; k++)
		round_both(&e, k, "reveal", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, xsk);
	for (uint32_t k = 1; k <= e.n; k++)
		round_both(&e, k, "verdict", VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, xsk);
	sodium_memzero(xsk, sizeof xsk);
	admin(&e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN);
	assert_int_equal(e.st.phase, VY_PHASE_OPEN);
	assert_int_equal(e.st.n_qualified, e.n);
	vote_close_tally(&e);
	for (size_t i = 0; i < sizeof deciders / sizeof deciders[0]; i++)
		round_both(&e, deciders[i], "decrypt", VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, xsk);
	/* a second partial decryption is refused by the program, nothing posted */
	assert_int_equal(board_cmd(&e, 1, "decrypt", NULL, NULL), 1);
	assert_non_null(strstr(e.err, "already on the record"));
	check_result(&e, deciders, sizeof deciders / sizeof deciders[0]);
	/* after the result, decrypt says so, for a decider and for the others */
	assert_int_equal(board_cmd(&e, 1, "decrypt", NULL, NULL), 1);
	assert_non_null(strstr(e.err, "the result is already published; your partial decryption is on the record"));
	assert_int_equal(board_cmd(&e, 2, "decrypt", NULL, NULL), 1);
	assert_non_null(strstr(e.err, "the result is already published; your decryption is no longer needed"));
	assert_null(strstr(e.err, "no encrypted tally"));
	assert_int_equal(board_cmd(&e, 2, "status", NULL, NULL), 0);
	assert_non_null(strstr(e.out, "result published"));
	assert_non_null(strstr(e.out, "next: nothing: the result is published"));
	teardown_env(&e);
}

/* The line of the last `status` about trustee k (with what follows it up to
 * the next trustee's line). */
static const char *status_of(const env *e, uint32_t k, char *buf, size_t cap)
{
	char key[32];
	const char *p, *q;

	snprintf(key, sizeof key, "\n  trustee %u", k);
	p = strstr(e->out, key);
	assert_non_null(p);
	q = strstr(p + 1, "\n  trustee ");
	if (q == NULL)
		q = p + strlen(p);
	snprintf(buf, cap, "%.*s", (int)(q - p), p);
	return buf;
}

/* Trustee 2 seals a bad share for 3; 3 complains; 2 justifies with the
 * program; all stay qualified and 3 decrypts with the published share. */
static void test_board_justify(void **state)
{
	static env e;
	static const uint32_t deciders[] = { 2, 3 };
	char buf[4096];

	(void)state;
	setup_env(&e, 3, 2);
	for (uint32_t k = 1; k <= e.n; k++)
		round_board(&e, k, "announce", NULL, NULL);
	for (uint32_t k = 1; k <= e.n; k++)
		round_board(&e, k, "reveal", k == 2 ? "--test-corrupt-share-for" : NULL, "3");
	for (uint32_t k = 1; k <= e.n; k++)
		round_board(&e, k, "verdict", NULL, NULL);
	refresh(&e);
	assert_int_equal(e.st.trustees[1].complained_by, 1u << 2);
	/* nobody complained against trustee 1: nothing to justify, nothing posted */
	assert_int_equal(board_cmd(&e, 1, "justify", NULL, NULL), 1);
	assert_non_null(strstr(e.err, "nobody complained against you"));
	assert_int_equal(board_cmd(&e, 2, "status", NULL, NULL), 0);
	assert_non_null(strstr(e.out, "trustee 3 complained against trustee 2: not yet answered"));
	assert_non_null(strstr(e.out, "next: run `vybar-trustee justify` NOW"));
	/* the accused answers */
	round_board(&e, 2, "justify", NULL, NULL);
	assert_non_null(strstr(e.out, "justification message posted to"));
	refresh(&e);
	assert_true(e.st.trustees[1].justified);
	assert_int_equal(board_cmd(&e, 2, "justify", NULL, NULL), 1);
	assert_non_null(strstr(e.err, "you have already answered"));
	/* the complainer is told it will use the published share */
	assert_int_equal(board_cmd(&e, 3, "status", NULL, NULL), 0);
	status_of(&e, 2, buf, sizeof buf);
	assert_non_null(strstr(buf, "justified"));
	assert_non_null(strstr(buf, "trustee 3 complained against trustee 2 (answered by a justification"));
	assert_non_null(strstr(buf, "you use the share it published for you in its justification"));
	assert_null(strstr(buf, "BAD"));
	/* trustee 1 had a good share: nothing changes for it */
	assert_int_equal(board_cmd(&e, 1, "status", NULL, NULL), 0);
	assert_null(strstr(status_of(&e, 2, buf, sizeof buf), "you use the share"));
	admin(&e, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN);
	assert_int_equal(e.st.n_qualified, e.n);
	assert_int_equal(board_cmd(&e, 3, "status", NULL, NULL), 0);
	assert_null(strstr(e.out, "DISQUALIFIED"));
	assert_non_null(strstr(status_of(&e, 2, buf, sizeof buf), "qualified"));
	vote_close_tally(&e);
	/* the complainer's partial decryption (with the justified share) passes the rules */
	for (size_t i = 0; i < sizeof deciders / sizeof deciders[0]; i++)
		round_board(&e, deciders[i], "decrypt", NULL, NULL);
	check_result(&e, deciders, sizeof deciders / sizeof deciders[0]);
	teardown_env(&e);
}

/* `post --board url --message file`; its exit status. */
static int post(env *e, const char *url, const char *file)
{
	const char *args[] = { "post", "--board", url, "--message", file, NULL };

	return run(e, args);
}

/* The message file with byte off changed to v (off < n), or cut to n
 * bytes, written to path. */
static void write_variant(const char *path, const uint8_t *msg, size_t n, size_t off, int v)
{
	uint8_t *b = malloc(n);

	assert_non_null(b);
	memcpy(b, msg, n);
	if (off < n)
		b[off] = (uint8_t)v;
	vytest_write_file(path, b, n);
	free(b);
}

/* A port on 127.0.0.1 where nothing listens. */
static unsigned closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(s >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* `post` of a bad file: refused with why before anything is sent (the
 * record is unchanged, and a board that is not there is never tried). */
static void post_refused_early(env *e, const char *file, const char *why)
{
	char dead[64];
	uint64_t seq = e->st.next_seq;

	assert_int_equal(post(e, e->url, file), 1);
	if (strstr(e->err, why) == NULL || strstr(e->err, "(nothing sent)") == NULL)
		fail_msg("post %s: expected \"%s\", got: %s", file, why, e->err);
	refresh(e);
	assert_int_equal(e->st.next_seq, seq);
	snprintf(dead, sizeof dead, "http://127.0.0.1:%u", closed_port());
	assert_int_equal(post(e, dead, file), 1);
	assert_non_null(strstr(e->err, why));
}

/* Trustees offline: their announcements made from record files, carried
 * to the board with `post`. */
static void test_board_post(void **state)
{
	static env e;
	char bad[PATH], want[256], hex[2 * VY_HASH_BYTES + 1];
	const char *args[] = { "post", "--board", NULL, "--message", NULL, "--dir", NULL, NULL };
	Vybar__EntryType type;
	uint8_t *msg, *p;
	size_t n, plen;

	(void)state;
	setup_env(&e, 2, 1);
	snprintf(bad, sizeof bad, "%s/bad", e.dir);
	refresh(&e);
	/* trustee 1 announces from its copy of the record, then posts the file */
	if (file_cmd(&e, 1, "announce", NULL, NULL) != 0)
		fail_msg("announce through files: %s", e.err);
	msg = (uint8_t *)vytest_read_file(e.msg, &n);
	if (post(&e, e.url, e.msg) != 0)
		fail_msg("post: %s", e.err);
	refresh(&e);
	assert_int_equal(e.st.next_seq, 2);
	assert_true(e.st.trustees[0].announced);
	p = last_entry(&e, &type, &plen);
	assert_int_equal(type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE);
	assert_int_equal(plen, n - MSG_HDR);
	assert_memory_equal(p, msg + MSG_HDR, plen);
	free(p);
	vytest_hex(hex, e.st.head_hash, VY_HASH_BYTES);
	snprintf(want, sizeof want, "trustee 1: announce message posted to %s: entry 1, head %s\n", e.url, hex);
	assert_string_equal(e.out, want);
	/* the same file again: the board's refusal, its reason and status */
	assert_int_equal(post(&e, e.url, e.msg), 1);
	assert_non_null(strstr(e.err, "board refused the message (HTTP 409, "));
	free(msg);

	/* trustee 2's announcement, tampered: the board refuses, nothing appended */
	assert_int_equal(file_cmd(&e, 2, "announce", NULL, NULL), 0);
	msg = (uint8_t *)vytest_read_file(e.msg, &n);
	write_variant(bad, msg, n, n - 1, msg[n - 1] ^ 1); /* the signature's last byte */
	assert_int_equal(post(&e, e.url, bad), 1);
	if (strstr(e.err, "board refused the message (HTTP 400, ") == NULL || strstr(e.err, "signature") == NULL)
		fail_msg("tampered post: %s", e.err);
	assert_string_equal(e.out, "");
	refresh(&e);
	assert_int_equal(e.st.next_seq, 2);
	/* refused before anything is sent */
	write_variant(bad, msg, n, 23, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT); /* the header's type */
	post_refused_early(&e, bad, "the header says a verdict message, but the message is not one");
	write_variant(bad, msg, n, 23, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT);
	post_refused_early(&e, bad, "entry type 6 is not a trustee message");
	write_variant(bad, msg, n - 1, n, 0);
	post_refused_early(&e, bad, "truncated message file");
	write_variant(bad, msg, MSG_HDR - 1, n, 0);
	post_refused_early(&e, bad, "truncated message file");
	write_variant(bad, msg, n, 0, 'X');
	post_refused_early(&e, bad, "not a trustee message file (bad magic)");
	/* no key, no passphrase, no record: other options are a usage error */
	args[2] = e.url;
	args[4] = e.msg;
	args[6] = e.tdir[2];
	assert_int_equal(run(&e, args), 2);
	assert_non_null(strstr(e.err, "vybar-trustee post: unknown option '--dir'"));
	/* the untouched file still posts */
	if (post(&e, e.url, e.msg) != 0)
		fail_msg("post: %s", e.err);
	assert_non_null(strstr(e.out, "trustee 2: announce message posted to"));
	refresh(&e);
	assert_int_equal(e.st.next_seq, 3);
	assert_true(e.st.trustees[1].announced);
	free(msg);
	teardown_env(&e);
}

/* ---- a stand-in board for GET /v1/record (specs/trustee.md §5.1) ---- */

enum { FAKE_OK, FAKE_NO_NEXT, FAKE_BAD_MAGIC, FAKE_BACK };
#define FAKE_MAX_REQUESTS 16 /* the stand-in stops after this many */
#define FAKE_REQ_BYTES 4096

/* Serve one request on fd: frame `from` of rec (frames[]) alone, with
 * X-Vybar-Next, or the breakage asked for. */
static void fake_answer(int fd, int mode, const uint8_t *rec, const size_t *off, size_t nframes)
{
	char req[FAKE_REQ_BYTES], hdr[256];
	size_t n = 0, from = 0, next, blen = 0;
	uint8_t body[1 << 16];
	const char *q;
	ssize_t r;

	while (n + 1 < sizeof req && (r = read(fd, req + n, sizeof req - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[n] = 0;
	q = strstr(req, "from=");
	if (q != NULL)
		from = strtoul(q + 5, NULL, 10);
	memcpy(body, mode == FAKE_BAD_MAGIC ? "VYBAR-RECORX/1\n" : VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	blen = VY_RECORD_MAGIC_LEN;
	next = from;
	if (from < nframes) {
		memcpy(body + blen, rec + off[from], off[from + 1] - off[from]);
		blen += off[from + 1] - off[from];
		next = from + 1;
	}
	if (mode == FAKE_BACK && from > 0)
		next = 0;
	if (mode == FAKE_NO_NEXT)
		n = (size_t)snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
				     "Connection: close\r\n\r\n", blen);
	else
		n = (size_t)snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
				     "Connection: close\r\n" VY_HDR_NEXT ": %zu\r\n\r\n", blen, next);
	(void)!write(fd, hdr, n);
	(void)!write(fd, body, blen);
}

/* Start the stand-in on 127.0.0.1; *port gets its port. */
static pid_t fake_start(int mode, const uint8_t *rec, size_t len, unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	size_t off[8], nframes = 0, at = VY_RECORD_MAGIC_LEN;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	/* the frame offsets: u32be(len) || entry */
	while (at + 4 <= len && nframes + 1 < sizeof off / sizeof off[0]) {
		off[nframes++] = at;
		at += 4 + ((size_t)rec[at] << 24 | (size_t)rec[at + 1] << 16 | (size_t)rec[at + 2] << 8 | rec[at + 3]);
	}
	off[nframes] = at;
	assert_int_equal(at, len);
	assert_true(s >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < FAKE_MAX_REQUESTS; i++) {
			int c = accept(s, NULL, NULL);

			if (c < 0)
				_exit(1);
			fake_answer(c, mode, rec, off, nframes);
			close(c);
		}
		_exit(0);
	}
	close(s);
	return pid;
}

static void fake_stop(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* `status` of trustee 1 against a stand-in board in the given mode. */
static int status_on_fake(env *e, int mode, const uint8_t *rec, size_t len)
{
	unsigned port;
	pid_t pid = fake_start(mode, rec, len, &port);
	int rc;

	snprintf(e->url, sizeof e->url, "http://127.0.0.1:%u", port);
	rc = board_cmd(e, 1, "status", NULL, NULL);
	fake_stop(pid);
	return rc;
}

/* The record read answer after answer; broken answers refused by name. */
static void test_board_paging(void **state)
{
	static env e;
	uint8_t *rec;
	size_t len;

	(void)state;
	setup_env(&e, 2, 1);
	round_board(&e, 2, "announce", NULL, NULL);
	round_board(&e, 1, "announce", NULL, NULL);
	refresh(&e);
	rec = malloc(e.rec_len);
	assert_non_null(rec);
	memcpy(rec, e.rec, e.rec_len);
	len = e.rec_len;
	/* three entries, one per answer */
	assert_int_equal(status_on_fake(&e, FAKE_OK, rec, len), 0);
	assert_non_null(strstr(e.out, "record of 3 entries"));
	assert_non_null(strstr(e.out, "next: run `vybar-trustee reveal`"));
	assert_int_equal(status_on_fake(&e, FAKE_NO_NEXT, rec, len), 1);
	assert_non_null(strstr(e.err, "no " VY_HDR_NEXT " header"));
	assert_int_equal(status_on_fake(&e, FAKE_BAD_MAGIC, rec, len), 1);
	assert_non_null(strstr(e.err, "does not start with the record magic"));
	assert_int_equal(status_on_fake(&e, FAKE_BACK, rec, len), 1);
	assert_non_null(strstr(e.err, VY_HDR_NEXT " 0 goes back from 1"));
	free(rec);
	teardown_env(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_ceremony),
		cmocka_unit_test(test_board_justify),
		cmocka_unit_test(test_board_post),
		cmocka_unit_test(test_board_paging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
