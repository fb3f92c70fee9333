/*
 * The registrar's VYR_ELIG_YES path (specs/registrar.md §2.0, §4.1): an
 * eligibility check that asks an outside authority, written here (the
 * shipped program only has the roll of codes), plugged into the registrar's
 * core (vyregistrar_core) with the fixtures' registrar key imported, and
 * the voter's side of client/registration.h.
 *
 *  - first issuance: the credential verifies; the database gains one row,
 *    the keyed hash of the identity (§2.2, recomputed here from the spec),
 *    and holds neither the identity nor anything of the credential;
 *  - the byte-identical retry gets the same signature, nothing changes;
 *  - another blinded message for the same identity is refused ("already
 *    issued for this identity"), nothing changes;
 *  - NO and MALFORMED evidence are refused with the check's reason, and
 *    the database file is byte for byte the same.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/vy_keys.h"
#include "registrar/registrar.h"
#include "client/registration.h"
#include "tests/support/registrar_harness.h"

#define CHECK_NAME "test-authority"
#define ALICE "yes:passport BY 1234567"
#define BOB "yes:passport BY 7654321"

/* ---- the outside authority ---- */

/* "yes:ID" is eligible with identity ID; "no:..." is not; anything else is
 * not this check's form. */
static vyr_elig_result authority_check(void *ctx, const uint8_t *ev, size_t len, uint8_t *identity, size_t *id_len,
				       char reason[VYR_REASON_BYTES])
{
	unsigned *calls = ctx;

	(*calls)++;
	if (len > 4 && memcmp(ev, "yes:", 4) == 0 && len - 4 <= VYR_MAX_IDENTITY_BYTES) {
		memcpy(identity, ev + 4, len - 4);
		*id_len = len - 4;
		return VYR_ELIG_YES;
	}
	if (len >= 3 && memcmp(ev, "no:", 3) == 0) {
		snprintf(reason, VYR_REASON_BYTES, "evidence: the authority says this person may not vote");
		return VYR_ELIG_NO;
	}
	snprintf(reason, VYR_REASON_BYTES, "evidence: not an authority token");
	return VYR_ELIG_MALFORMED;
}

typedef struct {
	char dir[VYRH_PATH_BYTES];
	vyrh_registrar files; /* only .db, for vyrh_db_dump */
	unsigned calls;
	vyr_eligibility check;
	vyr_state st;
	Vybar__Manifest *m;
	vy_election e;
	unsigned issued;
} world;

static world w;

static void path_in(char out[VYRH_PATH_BYTES], const char *dir, const char *name)
{
	assert_true(snprintf(out, VYRH_PATH_BYTES, "%s/%s", dir, name) < VYRH_PATH_BYTES);
}

/* The fixtures' registrar key as an --import-rsa file (§3: u16be(h) || p || q). */
static void write_import(const char *file)
{
	const vy_rsa_sk *sk = vyf_registrar_sk(0);
	uint8_t buf[2 + 2 * (VY_RSA_MAX_BYTES / 2)];
	vy_rsa_pk pk;
	size_t h;

	vy_rsa_sk_public(sk, &pk);
	h = pk.n_len / 2 + 1;
	buf[0] = (uint8_t)(h >> 8);
	buf[1] = (uint8_t)h;
	assert_int_equal(vy_rsa_sk_export(sk, buf + 2, h, buf + 2 + h, h), VY_OK);
	vytest_write_file(file, buf, 2 + 2 * h);
	sodium_memzero(buf, sizeof buf);
}

static int setup(void **state)
{
	char import[VYRH_PATH_BYTES], pub[VYRH_PATH_BYTES], manifest[VYRH_PATH_BYTES], sdir[VYRH_PATH_BYTES];
	const char *tmp = getenv("TMPDIR");
	uint8_t *mb;
	size_t mlen;
	vyf_keys k;

	(void)state;
	vytest_init();
	memset(&w, 0, sizeof w);
	snprintf(w.dir, sizeof w.dir, "%s/vybar-registrar-yes-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(w.dir));
	path_in(import, w.dir, "import.key");
	path_in(pub, w.dir, "public-keys.pb");
	path_in(manifest, w.dir, "manifest.pb");
	path_in(sdir, w.dir, "state");
	write_import(import);
	{
		/* init prints the public keys on stdout: not in the test's output */
		int out = dup(1), null = open("/dev/null", O_WRONLY);

		assert_true(out >= 0 && null >= 0);
		fflush(stdout);
		assert_int_equal(dup2(null, 1), 1);
		assert_int_equal(vyr_init_dir(sdir, 0, import, pub), 0);
		fflush(stdout);
		assert_int_equal(dup2(out, 1), 1);
		close(out);
		close(null);
	}
	assert_int_equal(unlink(import), 0);
	path_in(w.files.db, sdir, VYR_FILE_DB);
	/* the fixtures' manifest names the fixtures' registrar key */
	vyf_keys_init(&k, 3, 2);
	mb = vyf_manifest_pack(&k, &mlen);
	vytest_write_file(manifest, mb, mlen);
	assert_int_equal(vy_decode_manifest(&w.m, mb, mlen, NULL), VY_R_OK);
	free(mb);
	assert_int_equal(vy_election_init(&w.e, w.m, NULL), VY_R_OK);
	w.check.name = CHECK_NAME;
	w.check.check = authority_check;
	w.check.ctx = &w.calls;
	assert_int_equal(vyr_open(&w.st, sdir, &w.check), 0);
	assert_int_equal(vyr_set_election(&w.st, manifest), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[VYRH_PATH_BYTES + 16];

	(void)state;
	vyr_close(&w.st);
	vy_msg_free(w.m);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", w.dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* ---- helpers ---- */

/* The database file's bytes. */
static uint8_t *db_bytes(size_t *len)
{
	return (uint8_t *)vytest_read_file(w.files.db, len);
}

/* The same bytes as before. */
static void db_unchanged(const uint8_t *before, size_t len, const char *what)
{
	size_t n;
	uint8_t *now = db_bytes(&n);

	if (n != len || memcmp(now, before, len) != 0)
		fail_msg("%s changed the registrar's database", what);
	free(now);
}

/* One request for evidence (a fresh credential key and blinding). */
static void request_new(vyc_registration *r, const char *evidence, uint8_t **req, size_t *len)
{
	vy_reason why;

	if (vyc_registration_begin(r, &w.e, evidence, req, len, &why) != VY_R_OK)
		fail_msg("registration_begin: %s", why.msg);
}

/* §2.2, from the spec: HMAC-SHA-256(hmac_key, item(tag) || item(check name) || item(identity)). */
static void keyed_hash(uint8_t out[32], const char *identity)
{
	char path[VYRH_PATH_BYTES], dir[VYRH_PATH_BYTES];
	const char *parts[3] = { "vybar/v1/registrar-identity", CHECK_NAME, identity };
	crypto_auth_hmacsha256_state h;
	uint8_t key[VYR_HMAC_KEY_BYTES];

	path_in(dir, w.dir, "state");
	path_in(path, dir, VYR_FILE_HMAC);
	assert_int_equal(vy_key_file_read(key, path, sizeof key, NULL), VY_R_OK); /* a plain key file (§3) */
	crypto_auth_hmacsha256_init(&h, key, sizeof key);
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);
		uint8_t be[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

		crypto_auth_hmacsha256_update(&h, be, 4);
		crypto_auth_hmacsha256_update(&h, (const uint8_t *)parts[i], n);
	}
	crypto_auth_hmacsha256_final(&h, out);
	sodium_memzero(key, sizeof key);
}

static int contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

/* Neither the database file nor any row (hex, either case) holds x. */
static void not_stored(const uint8_t *file, size_t flen, const char *dump, const void *x, size_t n, const char *what)
{
	char hex[2 * 1024 + 1];

	assert_true(n <= 1024);
	if (contains(file, flen, x, n))
		fail_msg("the database file holds %s", what);
	vytest_hex(hex, x, n);
	if (strstr(dump, hex) != NULL)
		fail_msg("a row holds %s", what);
	for (char *p = hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	if (strstr(dump, hex) != NULL)
		fail_msg("a row holds %s", what);
}

/* The rows of table roll in the dump. */
static const char *roll_rows(const char *dump)
{
	const char *p = strstr(dump, "table roll\n");

	assert_non_null(p);
	return p + strlen("table roll\n");
}

/* ---- the cases ---- */

/* First issuance: a credential that verifies; one new row, the keyed hash
 * of the identity, issued, with the blinded message; nothing else. */
static void test_first_issuance(void **state)
{
	vyc_registration r;
	uint8_t *req, *resp = NULL, *file, h[32], cm[VY_HASH_BYTES];
	size_t len, resp_len, flen;
	char reason[VYR_REASON_BYTES], *dump, row[2 * 32 + 1 + 1 + 1 + 2 * VY_RSA_MAX_BYTES + 2];
	const char *identity = ALICE + 4;
	vy_reason why;

	(void)state;
	dump = vyrh_db_dump(&w.files);
	assert_string_equal(roll_rows(dump), ""); /* no roll: every row comes from the check */
	free(dump);
	request_new(&r, ALICE, &req, &len);
	if (vyr_register(&w.st, req, len, &resp, &resp_len, reason) != VYR_S_OK)
		fail_msg("first issuance refused: %s", reason);
	w.issued++;
	assert_int_equal(w.calls, 1);
	assert_int_equal(vyc_registration_finish(&r, resp, resp_len, &why), VY_R_OK);
	/* exactly one row: HMAC(identity), issued = 1, the blinded message */
	keyed_hash(h, identity);
	vytest_hex(row, h, 32);
	strcat(row, " 31 "); /* the dump shows the integer 1 as the text "1" */
	vytest_hex(row + strlen(row), r.blinded, r.k);
	strcat(row, "\n");
	dump = vyrh_db_dump(&w.files);
	assert_string_equal(roll_rows(dump), row);
	/* no identity, and nothing that links to the credential */
	file = db_bytes(&flen);
	not_stored(file, flen, dump, identity, strlen(identity), "the identity");
	not_stored(file, flen, dump, ALICE, strlen(ALICE), "the evidence");
	not_stored(file, flen, dump, r.pk, sizeof r.pk, "the credential key");
	not_stored(file, flen, dump, r.prepared, VY_RANDOMIZER_BYTES, "the randomizer");
	not_stored(file, flen, dump, r.prepared + VY_RANDOMIZER_BYTES, VY_HASH_BYTES, "the credential message");
	not_stored(file, flen, dump, r.sig, r.k, "the finalized signature");
	not_stored(file, flen, dump, r.seed, sizeof r.seed, "the credential seed");
	not_stored(file, flen, dump, r.inv, r.k, "the blinding inverse");
	vy_credential_message(&w.e, cm, r.pk);
	assert_memory_equal(cm, r.prepared + VY_RANDOMIZER_BYTES, VY_HASH_BYTES);
	/* the credential verifies as the board will check it (§4.5 step 4) */
	assert_int_equal(vy_registrar_verify(NULL, w.m->registrar_key, r.prepared, sizeof r.prepared, r.sig, r.k),
			 VY_R_OK);
	free(file);
	free(dump);
	free(resp);
	free(req);
	vyc_registration_wipe(&r);
}

/* The identical retry: the same signature, nothing written. Another
 * blinded message for the same identity: refused, nothing written. */
static void test_retry_and_second_request(void **state)
{
	vyc_registration r1, r2;
	uint8_t *req1, *req2, *a = NULL, *b = NULL, *c = NULL, *before;
	size_t len1, len2, alen, blen, clen, n;
	char reason[VYR_REASON_BYTES];
	vy_reason why;

	(void)state;
	request_new(&r1, BOB, &req1, &len1);
	if (vyr_register(&w.st, req1, len1, &a, &alen, reason) != VYR_S_OK)
		fail_msg("issuance refused: %s", reason);
	w.issued++;
	before = db_bytes(&n);
	/* byte-identical retry (a lost answer) */
	if (vyr_register(&w.st, req1, len1, &b, &blen, reason) != VYR_S_OK)
		fail_msg("identical retry refused: %s", reason);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_int_equal(vyc_registration_finish(&r1, b, blen, &why), VY_R_OK);
	db_unchanged(before, n, "the identical retry");
	/* a new credential for the same identity */
	request_new(&r2, BOB, &req2, &len2);
	assert_memory_not_equal(r1.blinded, r2.blinded, r1.k);
	assert_int_equal(vyr_register(&w.st, req2, len2, &c, &clen, reason), VYR_S_USED);
	assert_null(c);
	if (strcmp(reason, "evidence: a credential was already issued for this identity") != 0)
		fail_msg("unexpected reason for a second request: \"%s\"", reason);
	db_unchanged(before, n, "a second request for the same identity");
	free(before);
	free(a);
	free(b);
	free(req1);
	free(req2);
	vyc_registration_wipe(&r1);
	vyc_registration_wipe(&r2);
}

/* NO and MALFORMED: refused with the check's reason; the file unchanged;
 * the count of issued credentials unchanged. */
static void test_no_and_malformed(void **state)
{
	static const struct {
		const char *evidence;
		vyr_status status;
		const char *reason;
	} cases[] = {
		{ "no:passport BY 5555555", VYR_S_UNKNOWN, "evidence: the authority says this person may not vote" },
		{ "passport BY 5555555", VYR_S_MALFORMED, "evidence: not an authority token" },
		{ "yes:", VYR_S_MALFORMED, "evidence: not an authority token" },
	};
	uint8_t *before, *stmt = NULL;
	size_t n, slen;
	char reason[VYR_REASON_BYTES];
	uint64_t issued = 0, t = 0;
	vy_reason why;

	(void)state;
	before = db_bytes(&n);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		vyc_registration r;
		uint8_t *req, *resp = NULL;
		size_t len, resp_len;

		request_new(&r, cases[i].evidence, &req, &len);
		assert_int_equal(vyr_register(&w.st, req, len, &resp, &resp_len, reason), cases[i].status);
		assert_null(resp);
		assert_string_equal(reason, cases[i].reason);
		db_unchanged(before, n, cases[i].evidence);
		free(req);
		vyc_registration_wipe(&r);
	}
	/* the signed count is every identity the authority admitted, once,
	 * published only once registration is closed (registrar.md §4.2, §4.3) */
	assert_int_equal(vyr_issued(&w.st, &stmt, &slen, reason), VYR_S_STILL_OPEN);
	assert_null(stmt);
	assert_int_equal(vyr_close_registration(&w.st), 0);
	assert_int_equal(vyr_issued(&w.st, &stmt, &slen, reason), VYR_S_OK);
	assert_int_equal(vy_issued_statement_verify(w.st.stmt_pk, w.e.base_hash, stmt, slen, &issued, &t, &why), VY_R_OK);
	assert_int_equal(issued, w.issued);
	free(stmt);
	free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_issuance),
		cmocka_unit_test(test_retry_and_second_request),
		cmocka_unit_test(test_no_and_malformed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
