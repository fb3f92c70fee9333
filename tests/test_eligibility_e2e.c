/*
 * Eligibility end to end (issue "Eligibility without identity"): a real
 * vybar-registrar and a real vybar-board on 127.0.0.1. Voters register with
 * their codes through the client library (client/registration.h) and vote
 * through the board; one of them votes three times. The commission carries
 * the registrar's signed count to the board (protocol.md §8.12), then the
 * tally and the result follow.
 *
 * 1. Revoting: only the last of the three ballots is counted; `vybar-verify
 *    record URL` holds, and `vybar-verify receipt` says superseded,
 *    superseded, counted (exit 4, 4, 0).
 * 2. The identity audit: every byte of the board's SQLite files, its log and
 *    its record, and every row of its database, hold no registration code
 *    (as typed or normalised), no keyed hash of a code and no value of the
 *    registrar's database; the registrar's files and rows hold no credential
 *    key, randomizer, signature, credential message or ballot data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/vytest.h"


#include <ctype.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli/vy_keys.h"
#include "client/registration.h"
#include "net/vy_http.h"
#include "crypto/vy_hash.h"
#include "tests/support/board_harness.h"
#include "tests/support/registrar_harness.h"

#define N_TRUSTEES 3
#define THRESHOLD 2
#define N_CODES 4
#define N_VOTERS 3
#define REVOTES 3
#define OUT_BYTES (64u << 10)
#define IDENTITY_TAG "vybar/v1/registrar-identity"
#define CHECK_NAME "roll-code"
#define CODE_CHARS 20
#define VOTER_PASS "a voter's passphrase"

typedef struct {
	Vybar__CredentialFile *cf;
	vyf_voter v;
} voter;

static vyrh_registrar reg;
static vyh_election el;
static voter voters[N_VOTERS];
static uint8_t *receipts[REVOTES];
static size_t receipt_lens[REVOTES];
static uint8_t ballot_alpha[N_VOTERS + REVOTES][VY_ELEM_MAX_BYTES];
static char tracking[N_VOTERS + REVOTES][VY_TRACKING_CODE_BYTES];
static size_t n_ballots;

/* ---- byte buffers ---- */

typedef struct {
	uint8_t *p;
	size_t len;
} buf;

static void buf_add(buf *b, const void *p, size_t n)
{
	uint8_t *q = realloc(b->p, b->len + n + 1);

	assert_non_null(q);
	memcpy(q + b->len, p, n);
	b->p = q;
	b->len += n;
	b->p[b->len] = 0;
}

/* Append a file's bytes, if the file exists. */
static void buf_add_file(buf *b, const char *path)
{
	size_t n = 0;
	char *p;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return;
	fclose(f);
	p = vytest_read_file(path, &n);
	assert_non_null(p);
	buf_add(b, p, n);
	free(p);
}

/* Every row of every table of a SQLite file: text and blobs raw, blobs
 * also in hex. */
static void buf_add_rows(buf *b, const char *db_path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL, *t = NULL;
	char sql[256];

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(s, 0));
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &t, NULL), SQLITE_OK);
		while (sqlite3_step(t) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(t); c++) {
				int n = sqlite3_column_bytes(t, c);
				const uint8_t *v = sqlite3_column_blob(t, c);
				char *hex;

				if (v == NULL)
					continue;
				buf_add(b, v, (size_t)n);
				hex = malloc(2 * (size_t)n + 1);
				assert_non_null(hex);
				vytest_hex(hex, v, (size_t)n);
				buf_add(b, hex, 2 * (size_t)n);
				free(hex);
			}
		}
		sqlite3_finalize(t);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* needle[0..n) occurs in hay[0..len). */
static int contains(const uint8_t *hay, size_t len, const void *needle, size_t n)
{
	for (size_t i = 0; n > 0 && i + n <= len; i++)
		if (hay[i] == *(const uint8_t *)needle && memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* needle[0..n) occurs in b, raw or (for binary needles) as lowercase hex. */
static int buf_has(const buf *b, const void *needle, size_t n)
{
	char *hex = malloc(2 * n + 1);
	int found;

	assert_non_null(hex);
	vytest_hex(hex, needle, n);
	found = contains(b->p, b->len, needle, n) || contains(b->p, b->len, hex, 2 * n);
	free(hex);
	return found;
}

/* ---- the election ---- */

/* Register voter i with code i (voter 1 types it in lower case). */
static void register_voter(size_t i)
{
	char path[VYRH_PATH_BYTES], code[VYRH_CODE_BYTES];
	vy_reason why = { 0 };
	long status = 0;
	voter *vt = &voters[i];

	snprintf(path, sizeof path, "%.400s/credential-%zu.pb", reg.dir, i);
	snprintf(code, sizeof code, "%s", reg.codes[i]);
	for (size_t k = 0; i == 1 && code[k] != '\0'; k++)
		code[k] = (char)tolower((unsigned char)code[k]);
	if (vyc_register(&reg.e, reg.url, code, path, VOTER_PASS, 0, &status, &why) != VY_R_OK)
		fail_msg("register %zu: %ld %s", i, status, why.msg);
	assert_int_equal(vyc_credential_load(&vt->cf, &reg.e, path, VOTER_PASS, &why), VY_R_OK);
	/* the fixtures' voter, with the registered credential */
	memset(&vt->v, 0, sizeof vt->v);
	snprintf(vt->v.label, sizeof vt->v.label, "e2e voter %zu", i);
	crypto_sign_seed_keypair(vt->v.pk, vt->v.sk, vt->cf->secret_seed.data);
	assert_memory_equal(vt->v.pk, vt->cf->credential->public_key.data, VY_ED25519_PK_BYTES);
	memcpy(vt->v.randomizer, vt->cf->credential->randomizer.data, VY_RANDOMIZER_BYTES);
	assert_int_equal(vt->cf->credential->signature.len, VYF_REGISTRAR_BYTES);
	memcpy(vt->v.reg_sig, vt->cf->credential->signature.data, VYF_REGISTRAR_BYTES);
}

/* Voter i casts a ballot for option `option` of contest 0 through the
 * board; the receipt's bytes in *receipt (may be NULL). */
static void cast(size_t i, uint32_t option, const char *variant, uint8_t **receipt, size_t *receipt_len)
{
	const vy_election *e = &el.r.st.election;
	uint32_t choices[VYF_SELECTIONS];
	Vybar__Ballot *b = NULL;
	uint8_t h[VY_HASH_BYTES], *p;
	size_t len;
	vyh_resp r;

	vyf_default_choices(choices);
	choices[0] = choices[1] = choices[2] = 0;
	choices[option] = 1;
	p = vyf_ballot_pack(e, &voters[i].v, choices, variant, NULL, &len);
	vyh_post(&el.b, VY_PATH_BALLOTS, p, len, &r);
	if (r.status != 200)
		fail_msg("ballot of voter %zu: %ld %s", i, r.status, (const char *)r.body);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	assert_int_equal(vy_decode_ballot(&b, p, len, NULL), VY_R_OK);
	memcpy(ballot_alpha[n_ballots], b->contests[0]->selections[0]->alpha.data, 32);
	vy_ballot_ciphertexts_hash(e, h, b);
	vy_tracking_code(tracking[n_ballots], h);
	n_ballots++;
	vy_msg_free(b);
	free(p);
	if (receipt != NULL) {
		*receipt = r.body;
		*receipt_len = r.len;
		r.body = NULL;
	}
	vyh_resp_free(&r);
}

/* §8.12: the registrar's statement, from GET /v1/issued to the board. */
static void carry_statement(void)
{
	char url[VYRH_PATH_BYTES];
	vy_http_answer resp = { 0 };
	uint64_t issued = 0, t = 0;
	vy_reason why = { 0 };
	vyh_resp r;

	vyrh_url(&reg, url, VY_PATH_ISSUED);
	/* registrar.md §4.2-§4.3: no count while registration is open */
	assert_int_equal(vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, &resp, NULL), VY_R_OK);
	assert_int_equal(resp.status, 409);
	vy_http_answer_free(&resp);
	vyrh_close(&reg);
	assert_int_equal(vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, &resp, NULL), VY_R_OK);
	assert_int_equal(resp.status, 200);
	assert_int_equal(
		vy_issued_statement_verify(reg.statement_key, reg.e.base_hash, resp.body, resp.len, &issued, &t, &why),
		VY_R_OK);
	assert_int_equal(issued, N_VOTERS);
	/* the tally is refused before the statement (§8.9) */
	{
		uint8_t *m;
		size_t n;
		vyh_resp a;

		m = vyh_admin_action(&el, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY, el.r.st.head_hash,
				     el.commission_sk, &n);
		vyh_post(&el.b, VY_PATH_ADMIN, m, n, &a);
		assert_int_equal(a.status, 403);
		assert_true(vyh_body_has(&a, "CREDENTIALS_ISSUED"));
		vyh_resp_free(&a);
		free(m);
	}
	vyh_post(&el.b, VY_PATH_CREDENTIALS_ISSUED, resp.body, resp.len, &r);
	if (r.status != 200)
		fail_msg("credentials issued: %ld %s", r.status, (const char *)r.body);
	vyh_resp_free(&r);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED, resp.body, resp.len);
	/* a second one is refused */
	vyh_post(&el.b, VY_PATH_CREDENTIALS_ISSUED, resp.body, resp.len, &r);
	assert_int_equal(r.status, 409);
	vyh_resp_free(&r);
	vy_http_answer_free(&resp);
}

/* The tally, every trustee's partial decryption, the result. */
static void tally_and_result(void)
{
	uint32_t q[N_TRUSTEES];
	uint8_t *p;
	size_t n;
	vyh_resp r;

	vyh_admin(&el, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY);
	assert_int_equal(vy_tally_encrypted(&el.r.st, &p, &n, NULL), VY_R_OK);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, n);
	free(p);
	for (uint32_t i = 0; i < N_TRUSTEES; i++)
		q[i] = i + 1;
	for (uint32_t i = 1; i <= N_TRUSTEES; i++) {
		vy_scalar s;

		vyf_secret_share(&el.r, i, q, N_TRUSTEES, &s);
		p = vyf_partial(&el.r, i, &s, &n);
		vyh_post(&el.b, VY_PATH_TRUSTEE_DECRYPTION, p, n, &r);
		if (r.status != 200)
			fail_msg("partial decryption %u: %ld %s", i, r.status, (const char *)r.body);
		vyh_resp_free(&r);
		vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, n);
		free(p);
	}
	vyh_admin(&el, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT);
	assert_int_equal(vy_tally_result(&el.r.st, NULL, 0, &p, &n, NULL), VY_R_OK);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, n);
	free(p);
}

/* The whole election: registrar, board, registration, votes, close,
 * statement, tally, result. Shared by the tests (key generation is slow). */
static int setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	vytest_init();
	vyrh_start(&reg, N_CODES);
	/* the board on the registrar's manifest (its RSA and statement keys) */
	vyf_record_init_manifest(&el.r, N_TRUSTEES, THRESHOLD, reg.manifest_bytes, reg.manifest_len);
	assert_memory_equal(el.r.st.election.base_hash, reg.e.base_hash, VY_HASH_BYTES);
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(el.commission_pk, el.commission_sk, seed);
	vyh_init(&el.b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&el.b, seed);
	vyh_write_manifest(&el.b, reg.manifest_bytes, reg.manifest_len);
	if (vyh_start(&el.b, NULL) != -1)
		fail_msg("vybar-board refused to start: %s", vyh_log(&el.b));
	vyh_election_ceremony(&el);
	for (size_t i = 0; i < N_VOTERS; i++)
		register_voter(i);
	/* voter 0 votes for options 0, 1, then 2; voters 1 and 2 for option 0 */
	cast(0, 0, "first", &receipts[0], &receipt_lens[0]);
	cast(1, 0, "only", NULL, NULL);
	cast(0, 1, "second", &receipts[1], &receipt_lens[1]);
	cast(2, 0, "only", NULL, NULL);
	cast(0, 2, "third", &receipts[2], &receipt_lens[2]);
	vyh_admin(&el, VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE);
	vyf_record_close_only(&el.r);
	carry_statement();
	tally_and_result();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VOTERS; i++)
		vyc_credential_file_free(voters[i].cf);
	for (size_t i = 0; i < REVOTES; i++)
		free(receipts[i]);
	vyh_election_free(&el);
	vyrh_stop(&reg);
	return 0;
}

/* Run vybar-verify with args (NULL-terminated); its exit status, its output into out. */
static int run_verify(char *out, const char *const *args)
{
	return vytest_run(out, OUT_BYTES, 1, VYBAR_VERIFY_PROGRAM, args);
}

/* 3. Three ballots from one credential: only the last counts; the board's
 * record verifies; the receipts say superseded, superseded, counted. */
static void test_revoting(void **state)
{
	static char out[OUT_BYTES];
	char url[64], path[VYH_PATH_BYTES];
	Vybar__Result *res = NULL;
	uint8_t *p;
	size_t n;
	static const int want[REVOTES] = { 5, 5, 0 }; /* 5: superseded */

	(void)state;
	/* the result: contest 0 counts 2, 0, 1 (voter 0's last ballot, option 2) */
	assert_int_equal(el.r.st.cred_count, N_VOTERS);
	assert_int_equal(el.r.st.ballots, N_VOTERS + REVOTES - 1);
	assert_int_equal(vy_tally_result(&el.r.st, NULL, 0, &p, &n, NULL), VY_R_PHASE); /* already tallied */
	{
		Vybar__RecordEntry *e = NULL;

		assert_int_equal(vy_decode_entry(&e, el.r.entries[el.r.n_entries - 1], el.r.entry_lens[el.r.n_entries - 1],
						 NULL),
				 VY_R_OK);
		assert_int_equal(e->type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT);
		assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor,
						   VY_MAX_MESSAGE_BYTES, e->payload.data, e->payload.len, NULL),
				 VY_R_OK);
		vy_msg_free(e);
	}
	assert_int_equal(res->contests[0]->n_counts, 3);
	assert_int_equal(res->contests[0]->counts[0], 2);
	assert_int_equal(res->contests[0]->counts[1], 0);
	assert_int_equal(res->contests[0]->counts[2], 1);
	vy_msg_free(res);
	/* the board's record is the local one, byte for byte */
	{
		size_t rl, ll;
		uint8_t *remote = vyh_record(&el.b, &rl), *local = vyh_local_record(&el, &ll);

		assert_int_equal(rl, ll);
		assert_memory_equal(remote, local, rl);
		free(remote);
		free(local);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%u", el.b.port);
	{
		const char *args[] = { "record", url, NULL };
		int rc = run_verify(out, args);

		if (rc != 0)
			fail_msg("vybar-verify record: exit %d\n%s", rc, out);
	}
	for (size_t i = 0; i < REVOTES; i++) {
		FILE *f;
		int rc;

		snprintf(path, sizeof path, "%s/receipt-%zu.pb", el.b.dir, i);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(receipts[i], 1, receipt_lens[i], f), receipt_lens[i]);
		assert_int_equal(fclose(f), 0);
		{
			const char *args[] = { "receipt", "--receipt", path, url, NULL };

			rc = run_verify(out, args);
		}
		unlink(path);
		if (rc != want[i])
			fail_msg("vybar-verify receipt %zu: exit %d, expected %d\n%s", i, rc, want[i], out);
	}
}

/* The keyed hash of a code's identity (registrar.md §2.2) with the
 * registrar's hmac.key. */
static void id_hash(uint8_t out[32], const uint8_t key[32], const char *identity)
{
	crypto_auth_hmacsha256_state st;
	uint8_t len[4];
	const char *parts[] = { IDENTITY_TAG, CHECK_NAME, identity };

	crypto_auth_hmacsha256_init(&st, key, 32);
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);

		len[0] = (uint8_t)(n >> 24), len[1] = (uint8_t)(n >> 16), len[2] = (uint8_t)(n >> 8), len[3] = (uint8_t)n;
		crypto_auth_hmacsha256_update(&st, len, 4);
		crypto_auth_hmacsha256_update(&st, (const uint8_t *)parts[i], n);
	}
	crypto_auth_hmacsha256_final(&st, out);
}

/* A code without its dashes (the normalised identity, registrar.md §2.1). */
static void normalise(char out[CODE_CHARS + 1], const char *code)
{
	size_t k = 0;

	for (size_t i = 0; code[i] != '\0' && k < CODE_CHARS; i++)
		if (code[i] != '-')
			out[k++] = code[i];
	out[k] = '\0';
	assert_int_equal(k, CODE_CHARS);
}

/* Every blob of the registrar's roll (id_hash and blinded) is absent from b. */
static void roll_values_absent(const buf *board)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	size_t rows = 0;

	assert_int_equal(sqlite3_open_v2(reg.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id_hash, blinded FROM roll", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int c = 0; c < 2; c++) {
			const void *v = sqlite3_column_blob(s, c);
			int n = sqlite3_column_bytes(s, c);

			if (v != NULL && n > 0)
				assert_false(buf_has(board, v, (size_t)n));
		}
		rows++;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(rows, N_CODES);
}

/* 2. What the board and the registrar store holds no link between a code
 * and a credential. */
static void test_identity_audit(void **state)
{
	char path[VYRH_PATH_BYTES + 32], norm[CODE_CHARS + 1], lower[VYRH_CODE_BYTES];
	uint8_t hmac_key[32], h[32];
	buf board = { 0 }, registrar = { 0 };
	uint8_t *rec;
	size_t rec_len;

	(void)state;
	/* the board: its SQLite files, log and record, and every row */
	assert_int_equal(vyh_stop(&el.b, SIGTERM), 0);
	buf_add_file(&board, el.b.db);
	snprintf(path, sizeof path, "%s-wal", el.b.db);
	buf_add_file(&board, path);
	snprintf(path, sizeof path, "%s-journal", el.b.db);
	buf_add_file(&board, path);
	buf_add_file(&board, el.b.log);
	buf_add_rows(&board, el.b.db);
	rec = vyh_local_record(&el, &rec_len);
	buf_add(&board, rec, rec_len);
	free(rec);
	assert_true(board.len > 10000);
	/* the registrar's key for the keyed hashes (a plain key file, registrar.md §3) */
	snprintf(path, sizeof path, "%s/hmac.key", reg.state);
	assert_int_equal(vy_key_file_read(hmac_key, path, sizeof hmac_key, NULL), VY_R_OK);
	/* the registrar's files and rows */
	buf_add_file(&registrar, reg.db);
	snprintf(path, sizeof path, "%s-journal", reg.db);
	buf_add_file(&registrar, path);
	snprintf(path, sizeof path, "%s-wal", reg.db);
	buf_add_file(&registrar, path);
	buf_add_rows(&registrar, reg.db);

	for (size_t i = 0; i < N_CODES; i++) {
		normalise(norm, reg.codes[i]);
		snprintf(lower, sizeof lower, "%s", reg.codes[i]);
		for (size_t k = 0; lower[k] != '\0'; k++)
			lower[k] = (char)tolower((unsigned char)lower[k]);
		assert_false(buf_has(&board, reg.codes[i], strlen(reg.codes[i])));
		assert_false(buf_has(&board, norm, CODE_CHARS));
		assert_false(buf_has(&board, lower, strlen(lower)));
		for (size_t k = 0; norm[k] != '\0'; k++)
			norm[k] = (char)tolower((unsigned char)norm[k]);
		assert_false(buf_has(&board, norm, CODE_CHARS));
		normalise(norm, reg.codes[i]);
		id_hash(h, hmac_key, norm);
		/* the needle is right: the registrar stores exactly this ... */
		assert_true(buf_has(&registrar, h, sizeof h));
		/* ... and the board never sees it; the registrar never the code */
		assert_false(buf_has(&board, h, sizeof h));
		assert_false(buf_has(&registrar, reg.codes[i], strlen(reg.codes[i])));
		assert_false(buf_has(&registrar, norm, CODE_CHARS));
	}
	roll_values_absent(&board);

	/* the registrar holds no credential or ballot data */
	for (size_t i = 0; i < N_VOTERS; i++) {
		const Vybar__Credential *c = voters[i].cf->credential;
		uint8_t cm[VY_HASH_BYTES];

		vy_credential_message(&reg.e, cm, c->public_key.data);
		assert_false(buf_has(&registrar, c->public_key.data, c->public_key.len));
		assert_false(buf_has(&registrar, c->randomizer.data, c->randomizer.len));
		assert_false(buf_has(&registrar, c->signature.data, c->signature.len));
		assert_false(buf_has(&registrar, voters[i].cf->secret_seed.data, voters[i].cf->secret_seed.len));
		assert_false(buf_has(&registrar, cm, sizeof cm));
		/* and the board holds the credential (the sanity of the needles) */
		assert_true(buf_has(&board, c->public_key.data, c->public_key.len));
		assert_true(buf_has(&board, c->signature.data, c->signature.len));
	}
	for (size_t i = 0; i < n_ballots; i++) {
		assert_false(buf_has(&registrar, ballot_alpha[i], 32));
		assert_false(buf_has(&registrar, tracking[i], VY_TRACKING_CODE_LEN));
		assert_true(buf_has(&board, ballot_alpha[i], 32));
	}
	free(board.p);
	free(registrar.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revoting),
		cmocka_unit_test(test_identity_audit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
