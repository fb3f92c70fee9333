/*
 * vybar-registrar end to end (specs/registrar.md): a real registrar on
 * 127.0.0.1, the client library of client/registration.h, and the SQLite
 * file the registrar keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/registration.h"
#include "net/vy_http.h"
#include "tests/support/registrar_harness.h"

#define N_CODES 8
#define PASS "a voter's passphrase"

static vyrh_registrar reg;
static int issued_so_far; /* credentials this program has been issued */

/* Every test shares one registrar (RSA key generation takes seconds). */
static int setup(void **state)
{
	(void)state;
	vytest_init();
	vyrh_start(&reg, N_CODES);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vyrh_stop(&reg);
	return 0;
}

/* A temporary file name for a credential. */
static void cred_path(char out[VYRH_PATH_BYTES], const char *name)
{
	snprintf(out, VYRH_PATH_BYTES, "%.400s/%.64s", reg.dir, name);
}

/* POST a RegistrationRequest; the answer in resp. */
static void post(const uint8_t *req, size_t len, vy_http_answer *resp)
{
	char url[VYRH_PATH_BYTES];

	vyrh_url(&reg, url, VY_PATH_REGISTER);
	assert_int_equal(vy_http_post(NULL, url, VY_CT_PROTOBUF, req, len, VY_MAX_SMALL_ANSWER_BYTES, resp, NULL),
			 VY_R_OK);
}

/* The body contains s. */
static int body_has(const vy_http_answer *r, const char *s)
{
	return r->body != NULL && strstr((const char *)r->body, s) != NULL;
}

/* memmem over the whole buffer. */
static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

/* The credential file at path (cf, opened) is sealed (client.md §6.1):
 * its magic, and neither the secret seed nor the public key in clear; a
 * wrong passphrase is refused (VY_R_KEY) and leaves the file as it was. */
static void sealed_and_refused(const char *path, const Vybar__CredentialFile *cf)
{
	Vybar__CredentialFile *none = NULL;
	size_t len = 0, len2 = 0;
	char *before = vytest_read_file(path, &len), *after;
	vy_reason why;

	assert_true(len > VYC_CREDENTIAL_MAGIC_LEN);
	assert_memory_equal(before, VYC_CREDENTIAL_MAGIC, VYC_CREDENTIAL_MAGIC_LEN);
	assert_false(contains((const uint8_t *)before, len, cf->secret_seed.data, cf->secret_seed.len));
	assert_false(contains((const uint8_t *)before, len, cf->credential->public_key.data,
			      cf->credential->public_key.len));
	assert_int_equal(vyc_credential_load(&none, &reg.e, path, PASS "!", &why), VY_R_KEY);
	assert_null(none);
	assert_non_null(strstr(why.msg, "wrong passphrase"));
	after = vytest_read_file(path, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(after, before, len);
	free(before);
	free(after);
}

/* A full registration: the credential verifies for this election (the
 * ballot rule's vy_registrar_verify), the file is mode 0600, and the same
 * credential fails for another election's base hash. */
static void test_full_registration(void **state)
{
	char file[VYRH_PATH_BYTES], file2[VYRH_PATH_BYTES];
	Vybar__CredentialFile *cf = NULL, *cf2 = NULL;
	uint8_t msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES], pk[32];
	struct stat sb;
	long status = 0;
	vy_reason why;
	vyf_keys k;
	Vybar__Manifest *other;
	vy_election e2;

	(void)state;
	cred_path(file, "cred0.pb");
	assert_int_equal(vyc_register(&reg.e, reg.url, reg.codes[0], file, PASS, 0, &status, &why), VY_R_OK);
	issued_so_far++;
	assert_int_equal(status, 200);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(vyc_credential_load(&cf, &reg.e, file, PASS, &why), VY_R_OK);
	sealed_and_refused(file, cf);
	/* §4.5 step 4 exactly as the board will check it */
	memcpy(msg, cf->credential->randomizer.data, VY_RANDOMIZER_BYTES);
	memcpy(pk, cf->credential->public_key.data, 32);
	vy_credential_message(&reg.e, msg + VY_RANDOMIZER_BYTES, pk);
	assert_int_equal(vy_registrar_verify(NULL, reg.m->registrar_key, msg, sizeof msg,
					     cf->credential->signature.data, cf->credential->signature.len),
			 VY_R_OK);
	/* the seed is the credential key's */
	{
		uint8_t p2[32], s2[64];

		crypto_sign_seed_keypair(p2, s2, cf->secret_seed.data);
		assert_memory_equal(p2, pk, 32);
	}
	/* another election (the fixtures' manifest, another base hash): fails */
	vyf_keys_init(&k, 3, 2);
	other = vyf_manifest_new(&k);
	assert_int_equal(vy_election_init(&e2, other, NULL), VY_R_OK);
	vy_credential_message(&e2, msg + VY_RANDOMIZER_BYTES, pk);
	assert_int_equal(vy_registrar_verify(NULL, reg.m->registrar_key, msg, sizeof msg,
					     cf->credential->signature.data, cf->credential->signature.len),
			 VY_R_REGISTRAR_SIGNATURE);
	/* an existing credential file is never overwritten, and refusing it
	 * spends nothing: the registrar is not asked, so the code still works */
	status = -1;
	assert_int_not_equal(vyc_register(&reg.e, reg.url, reg.codes[1], file, PASS, 0, &status, &why), VY_R_OK);
	assert_int_equal(status, 0);
	assert_non_null(strstr(why.msg, "the code is not used"));
	assert_int_equal(vyc_credential_load(&cf2, &reg.e, file, PASS, &why), VY_R_OK); /* untouched */
	vyc_credential_file_free(cf2);
	cred_path(file2, "cred0-again.pb");
	assert_int_equal(vyc_register(&reg.e, reg.url, reg.codes[1], file2, PASS, 0, &status, &why), VY_R_OK);
	assert_int_equal(status, 200);
	issued_so_far++;
	vy_msg_free(other);
	vyc_credential_file_free(cf);
}

/* A used code: the byte-identical retry gets the same blind signature;
 * any other request with it is refused with 409, the database unchanged. */
static void test_code_used_twice(void **state)
{
	vyc_registration r1, r2;
	vy_http_answer a, b, c;
	uint8_t *req1, *req2;
	size_t len1, len2;
	char *before, *after;
	vy_reason why;
	char lower[VYRH_CODE_BYTES];

	(void)state;
	assert_int_equal(vyc_registration_begin(&r1, &reg.e, reg.codes[2], &req1, &len1, &why), VY_R_OK);
	post(req1, len1, &a);
	assert_int_equal(a.status, 200);
	issued_so_far++;
	before = vyrh_db_dump(&reg);
	/* the identical retry: 200, the same bytes, nothing stored */
	post(req1, len1, &b);
	assert_int_equal(b.status, 200);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.body, b.body, a.len);
	assert_int_equal(vyc_registration_finish(&r1, b.body, b.len, &why), VY_R_OK);
	after = vyrh_db_dump(&reg);
	assert_string_equal(before, after);
	free(after);
	/* a new credential with the same code, typed in lower case without dashes */
	for (size_t i = 0, o = 0; i <= strlen(reg.codes[2]); i++)
		if (reg.codes[2][i] != '-')
			lower[o++] = (char)(reg.codes[2][i] >= 'A' && reg.codes[2][i] <= 'Z' ? reg.codes[2][i] + 32
											       : reg.codes[2][i]);
	assert_int_equal(vyc_registration_begin(&r2, &reg.e, lower, &req2, &len2, &why), VY_R_OK);
	post(req2, len2, &c);
	assert_int_equal(c.status, 409);
	assert_true(body_has(&c, "already issued"));
	after = vyrh_db_dump(&reg);
	assert_string_equal(before, after);
	free(after);
	free(before);
	vy_http_answer_free(&a);
	vy_http_answer_free(&b);
	vy_http_answer_free(&c);
	free(req1);
	free(req2);
	vyc_registration_wipe(&r1);
	vyc_registration_wipe(&r2);
}

/* Unknown code 403, malformed evidence or body 400: nothing stored. */
static void test_unknown_and_malformed(void **state)
{
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0x07 };
	vyc_registration r;
	vy_http_answer a;
	uint8_t *req;
	size_t len;
	char *before = vyrh_db_dump(&reg), *after, code[VYRH_CODE_BYTES];
	vy_reason why;
	long status = 0;
	char file[VYRH_PATH_BYTES];

	(void)state;
	strcpy(code, reg.codes[3]);
	code[0] = code[0] == 'A' ? 'B' : 'A'; /* a code not on the roll */
	cred_path(file, "cred-unknown.pb");
	assert_int_equal(vyc_register(&reg.e, reg.url, code, file, PASS, 0, &status, &why), VY_R_IO);
	assert_int_equal(status, 403);
	assert_non_null(strstr(why.msg, "unknown registration code"));
	assert_int_equal(access(file, F_OK), -1);
	/* not a code at all */
	assert_int_equal(vyc_registration_begin(&r, &reg.e, "hello", &req, &len, &why), VY_R_OK);
	post(req, len, &a);
	assert_int_equal(a.status, 400);
	assert_true(body_has(&a, "not a registration code"));
	vy_http_answer_free(&a);
	free(req);
	vyc_registration_wipe(&r);
	/* not a RegistrationRequest */
	post(garbage, sizeof garbage, &a);
	assert_int_equal(a.status, 400);
	assert_true(body_has(&a, "RegistrationRequest"));
	vy_http_answer_free(&a);
	after = vyrh_db_dump(&reg);
	assert_string_equal(before, after);
	free(after);
	free(before);
}

/* Nothing stored since the database dump `before` (freed here), and the
 * request req, refused until now, then registers: its code was not
 * consumed. */
static void unchanged_then_registered(char *before, vyc_registration *r, const uint8_t *req, size_t len)
{
	char *after = vyrh_db_dump(&reg);
	vy_http_answer a;
	vy_reason why;

	assert_string_equal(before, after);
	free(after);
	free(before);
	post(req, len, &a);
	assert_int_equal(a.status, 200);
	issued_so_far++;
	assert_int_equal(vyc_registration_finish(r, a.body, a.len, &why), VY_R_OK);
	vy_http_answer_free(&a);
}

/* A request for another election: 400, nothing stored, the code still usable. */
static void test_wrong_election(void **state)
{
	Vybar__RegistrationRequest *m;
	vyc_registration r;
	vy_http_answer a;
	uint8_t *req, *req2;
	size_t len, len2;
	char *before = vyrh_db_dump(&reg);
	vy_reason why;

	(void)state;
	assert_int_equal(vyc_registration_begin(&r, &reg.e, reg.codes[4], &req, &len, &why), VY_R_OK);
	m = vybar__registration_request__unpack(NULL, len, req);
	assert_non_null(m);
	m->base_hash.data[0] ^= 1;
	req2 = vy_msg_pack(m, &len2);
	post(req2, len2, &a);
	assert_int_equal(a.status, 400);
	assert_true(body_has(&a, "does not serve that election"));
	vy_http_answer_free(&a);
	unchanged_then_registered(before, &r, req, len);
	vybar__registration_request__free_unpacked(m, NULL);
	free(req);
	free(req2);
	vyc_registration_wipe(&r);
}

/* A target holding %00 (board-api.md §3's rule, registrar.md §4): 400
 * before any route counts, whether libmicrohttpd would decode it to the
 * register route or not; nothing stored, and the same request at the
 * route itself is then registered (the code was not consumed). */
static void test_nul_in_target(void **state)
{
	static const char *const targets[] = { VY_PATH_REGISTER "%00", VY_PATH_REGISTER "%00.html",
					       VY_PATH_REGISTER "?x=%00" };
	vyc_registration r;
	vy_http_answer a;
	uint8_t *req;
	size_t len;
	char *before = vyrh_db_dump(&reg), url[VYRH_PATH_BYTES];
	vy_reason why;

	(void)state;
	assert_int_equal(vyc_registration_begin(&r, &reg.e, reg.codes[3], &req, &len, &why), VY_R_OK);
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		vyrh_url(&reg, url, targets[i]);
		assert_int_equal(vy_http_post(NULL, url, VY_CT_PROTOBUF, req, len, VY_MAX_SMALL_ANSWER_BYTES, &a, NULL),
				 VY_R_OK);
		if (a.status != 400 || !body_has(&a, "%00 (a NUL byte) is not allowed"))
			fail_msg("POST %s: %ld %.200s", targets[i], a.status, a.body ? (const char *)a.body : "");
		vy_http_answer_free(&a);
	}
	vyrh_url(&reg, url, VY_PATH_ISSUED "%00.html");
	assert_int_equal(vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, &a, NULL), VY_R_OK);
	assert_int_equal(a.status, 400);
	vy_http_answer_free(&a);
	unchanged_then_registered(before, &r, req, len);
	free(req);
	vyc_registration_wipe(&r);
}

/* Neither the file bytes nor any row holds x (raw, or hex in the dump). */
static void assert_not_stored(const uint8_t *file, size_t flen, const char *dump, const uint8_t *x, size_t n)
{
	char hex[2 * 1024 + 1];

	assert_false(contains(file, flen, x, n));
	vytest_hex(hex, x, n);
	assert_null(strstr(dump, hex));
	for (char *p = hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	assert_null(strstr(dump, hex));
}

/* What the registrar stores: no code (as typed, normalised, or in hex), no
 * credential key, randomizer, credential message or finalized signature. */
static void test_storage_holds_no_identity(void **state)
{
	char file[VYRH_PATH_BYTES];
	Vybar__CredentialFile *cf = NULL;
	size_t flen = 0;
	uint8_t *bytes;
	char *dump;
	uint8_t cm[VY_HASH_BYTES];
	vy_reason why;
	long status;

	(void)state;
	cred_path(file, "cred5.pb");
	assert_int_equal(vyc_register(&reg.e, reg.url, reg.codes[5], file, PASS, 0, &status, &why), VY_R_OK);
	issued_so_far++;
	assert_int_equal(vyc_credential_load(&cf, &reg.e, file, PASS, &why), VY_R_OK);
	bytes = (uint8_t *)vytest_read_file(reg.db, &flen);
	dump = vyrh_db_dump(&reg);
	assert_non_null(strstr(dump, "table roll"));
	for (size_t i = 0; i < reg.n_codes; i++) {
		char norm[VYRH_CODE_BYTES];
		size_t o = 0;

		assert_not_stored(bytes, flen, dump, (const uint8_t *)reg.codes[i], strlen(reg.codes[i]));
		for (const char *p = reg.codes[i]; *p; p++)
			if (*p != '-')
				norm[o++] = *p;
		norm[o] = '\0';
		assert_not_stored(bytes, flen, dump, (const uint8_t *)norm, o);
		assert_not_stored(bytes, flen, dump, (const uint8_t *)norm, 8); /* not even a prefix */
	}
	assert_not_stored(bytes, flen, dump, cf->credential->public_key.data, cf->credential->public_key.len);
	assert_not_stored(bytes, flen, dump, cf->credential->randomizer.data, cf->credential->randomizer.len);
	assert_not_stored(bytes, flen, dump, cf->credential->signature.data, cf->credential->signature.len);
	assert_not_stored(bytes, flen, dump, cf->secret_seed.data, cf->secret_seed.len);
	vy_credential_message(&reg.e, cm, cf->credential->public_key.data);
	assert_not_stored(bytes, flen, dump, cm, sizeof cm);
	/* the state files are the registrar's alone */
	{
		struct stat sb;

		assert_int_equal(stat(reg.db, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	free(dump);
	free(bytes);
	vyc_credential_file_free(cf);
}

/* GET /v1/issued: its answer, of the status given. */
static void get_issued(vy_http_answer *a, long status)
{
	char url[VYRH_PATH_BYTES];

	vyrh_url(&reg, url, VY_PATH_ISSUED);
	assert_int_equal(vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, a, NULL), VY_R_OK);
	assert_int_equal(a->status, status);
}

/* §4.2-§4.3: no count while registration is open (409); `close` ends it,
 * and from then the statement is the final count, signed at the close
 * (the same bytes each time), and it verifies; a tampered count, signature
 * or election fails; a registration after the close is refused (403) and
 * the count stays, but the byte-identical retry of a registration made
 * before the close is answered as before (§4.1 step 4); a second close is
 * refused and changes nothing. */
static void test_issued_statement(void **state)
{
	vyc_registration r1, r2;
	uint8_t *req1, *req2;
	size_t len1, len2;
	vy_http_answer a, again, first;
	uint64_t issued, t;
	vy_reason why;
	Vybar__IssuedStatement *m;
	uint8_t *bad, other[VY_HASH_BYTES];
	size_t bad_len;
	const char *close_args[] = { "close", "--dir", reg.state, NULL };
	char *before, *after;

	(void)state;
	/* a registration before the close, whose answer the voter may lose */
	assert_int_equal(vyc_registration_begin(&r1, &reg.e, reg.codes[7], &req1, &len1, &why), VY_R_OK);
	post(req1, len1, &first);
	assert_int_equal(first.status, 200);
	issued_so_far++;
	get_issued(&a, 409);
	assert_non_null(strstr((const char *)a.body, "registration is still open"));
	vy_http_answer_free(&a);
	vyrh_close(&reg);
	get_issued(&a, 200);
	assert_int_equal(vy_issued_statement_verify(reg.statement_key, reg.e.base_hash, a.body, a.len, &issued, &t, &why),
			 VY_R_OK);
	assert_int_equal(issued, (uint64_t)issued_so_far);
	assert_true(t > 0);
	get_issued(&again, 200);
	assert_int_equal(again.len, a.len);
	assert_memory_equal(again.body, a.body, a.len);
	vy_http_answer_free(&again);
	/* the count, tampered */
	m = vybar__issued_statement__unpack(NULL, a.len, a.body);
	assert_non_null(m);
	m->issued++;
	bad = vy_msg_pack(m, &bad_len);
	assert_int_equal(vy_issued_statement_verify(reg.statement_key, reg.e.base_hash, bad, bad_len, &issued, &t, &why),
			 VY_R_REGISTRAR_SIGNATURE);
	assert_non_null(strstr(why.msg, "does not verify"));
	assert_int_equal(issued, 0);
	free(bad);
	m->issued--;
	m->signature.data[7] ^= 0x10;
	bad = vy_msg_pack(m, &bad_len);
	assert_int_equal(vy_issued_statement_verify(reg.statement_key, reg.e.base_hash, bad, bad_len, &issued, &t, &why),
			 VY_R_REGISTRAR_SIGNATURE);
	free(bad);
	/* another election's base hash */
	memcpy(other, reg.e.base_hash, sizeof other);
	other[31] ^= 1;
	assert_int_equal(vy_issued_statement_verify(reg.statement_key, other, a.body, a.len, &issued, &t, &why), VY_R_FIELD);
	vybar__issued_statement__free_unpacked(m, NULL);
	/* after the close: a fresh code is refused, nothing is stored, the count stays */
	before = vyrh_db_dump(&reg);
	{
		char file[VYRH_PATH_BYTES];
		long status;

		cred_path(file, "cred6.pb");
		assert_int_equal(vyc_register(&reg.e, reg.url, reg.codes[6], file, PASS, 0, &status, &why), VY_R_IO);
		assert_int_equal(status, 403);
		assert_non_null(strstr(why.msg, "registration is closed"));
		assert_int_equal(access(file, F_OK), -1);
	}
	/* the retry of the registration made before the close: the same answer */
	post(req1, len1, &again);
	assert_int_equal(again.status, 200);
	assert_int_equal(again.len, first.len);
	assert_memory_equal(again.body, first.body, first.len);
	assert_int_equal(vyc_registration_finish(&r1, again.body, again.len, &why), VY_R_OK);
	vy_http_answer_free(&again);
	/* its code with another credential: closed, not "already issued" */
	assert_int_equal(vyc_registration_begin(&r2, &reg.e, reg.codes[7], &req2, &len2, &why), VY_R_OK);
	post(req2, len2, &again);
	assert_int_equal(again.status, 403);
	assert_true(body_has(&again, "registration is closed"));
	vy_http_answer_free(&again);
	after = vyrh_db_dump(&reg);
	assert_string_equal(after, before);
	free(after);
	assert_int_equal(vyrh_run(&reg, close_args), 1);
	after = vyrh_db_dump(&reg);
	assert_string_equal(after, before);
	get_issued(&again, 200);
	assert_int_equal(again.len, a.len);
	assert_memory_equal(again.body, a.body, a.len);
	vy_http_answer_free(&again);
	vy_http_answer_free(&a);
	vy_http_answer_free(&first);
	free(before);
	free(after);
	free(req1);
	free(req2);
	vyc_registration_wipe(&r1);
	vyc_registration_wipe(&r2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_registration),
		cmocka_unit_test(test_code_used_twice),
		cmocka_unit_test(test_unknown_and_malformed),
		cmocka_unit_test(test_wrong_election),
		cmocka_unit_test(test_nul_in_target),
		cmocka_unit_test(test_storage_holds_no_identity),
		cmocka_unit_test(test_issued_statement),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
