/*
 * The commission's session against a real vybar-board on 127.0.0.1
 * (specs/commission.md): the manifest made by `vybar-commission manifest` (the
 * fixtures' election) starts the board; the trustees' ceremony (the
 * fixtures' messages); `vybar-commission admin` open, close, tally, result,
 * first with a wrong key (refused by the board, with its reason, nothing
 * appended); `vybar-commission publish-issued` from a stand-in registrar (one
 * of another election refused before anything is sent, a second statement
 * refused by the board); `vybar-verify fetch` (the file is the board's
 * pages byte for byte, also from a board that pages one entry at a time);
 * `vybar-verify record --result` (the verified result, from the URL and
 * from the file, and none for a record without its RESULT). Every entry
 * is also built locally, so positions and head hashes are checked.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "tests/support/board_harness.h"
#include "tests/support/commission_fixtures.h"

#if !defined(VYBAR_COMMISSION_PROGRAM) || !defined(VYBAR_VERIFY_PROGRAM)
#error "VYBAR_COMMISSION_PROGRAM and VYBAR_VERIFY_PROGRAM must name the programs (tests/CMakeLists.txt)"
#endif

#define N_TRUSTEES 3
#define THRESHOLD 2
#define OUT_BYTES (64u << 10)
#define PATH_BYTES (VYH_DIR_BYTES + 64)
#define EXIT_REFUSED 1
#define ADMIN_OPEN "open"

static vyh_election el;
static vycf_keys ck;
static char out[OUT_BYTES], url[64], stand_in[64];
static char key_path[PATH_BYTES], wrong_key_path[PATH_BYTES], open_key_path[PATH_BYTES];
static char json_path[PATH_BYTES], rec_path[PATH_BYTES], page_path[PATH_BYTES], part_path[PATH_BYTES];

/* ---- the stand-in registrar and paging board (libmicrohttpd) ---- */

static struct MHD_Daemon *daemon_;
static uint8_t *issued;   /* GET /v1/issued */
static size_t issued_len;
static uint8_t *record;   /* GET /v1/record?from=N: one entry per answer */
static size_t record_len;
static int broken_next;   /* X-Vybar-Next skips an entry from entry 2 on */

/* The offset of frame i of record (i = the number of frames: the end). */
static size_t frame_offset(size_t i, size_t *n_frames)
{
	size_t at = VY_RECORD_MAGIC_LEN, k = 0;

	while (at < record_len && k < i) {
		at += 4 + ((size_t)record[at] << 24 | (size_t)record[at + 1] << 16 | (size_t)record[at + 2] << 8 |
			   record[at + 3]);
		k++;
	}
	*n_frames = k;
	return at;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *path, const char *method,
				  const char *version, const char *data, size_t *data_len, void **con_cls)
{
	const char *from_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	struct MHD_Response *r;
	enum MHD_Result ret;
	uint8_t *body = NULL;
	size_t len = 0, from, a, b, k;
	char next[32] = "";

	(void)cls, (void)version, (void)data, (void)data_len, (void)con_cls;
	if (strcmp(method, "GET") != 0)
		return MHD_NO;
	if (strcmp(path, VY_PATH_ISSUED) == 0 && issued != NULL) {
		len = issued_len;
		body = malloc(len);
		if (body != NULL)
			memcpy(body, issued, len);
	} else if (strcmp(path, VY_PATH_RECORD) == 0 && from_s != NULL && record != NULL) {
		from = (size_t)strtoull(from_s, NULL, 10);
		a = frame_offset(from, &k);
		b = frame_offset(from + 1, &k);
		len = VY_RECORD_MAGIC_LEN + (b - a);
		body = malloc(len);
		if (body != NULL) {
			memcpy(body, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
			memcpy(body + VY_RECORD_MAGIC_LEN, record + a, b - a);
		}
		snprintf(next, sizeof next, "%zu", b > a ? from + 1 + (broken_next && from >= 2) : from);
	} else {
		static char not_found[] = "not found";

		r = MHD_create_response_from_buffer(sizeof not_found - 1, not_found, MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			return MHD_NO;
		ret = MHD_queue_response(c, MHD_HTTP_NOT_FOUND, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (body == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (next[0] != '\0')
		MHD_add_response_header(r, VY_HDR_NEXT, next);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- running the programs ---- */

static int commission_cmd(const char *const *args)
{
	return vytest_run(out, sizeof out, 1, VYBAR_COMMISSION_PROGRAM, args);
}

static int verify_cmd(const char *const *args)
{
	return vytest_run(out, sizeof out, 1, VYBAR_VERIFY_PROGRAM, args);
}

static int admin(const char *key, const char *action)
{
	return commission_cmd((const char *const[]){ "admin", "--board", url, "--key", key, action, NULL });
}

/* A key file (the seed of label, in hex, as `vybar-commission keygen` writes). */
static void write_key(const char *path, const char *label, mode_t mode)
{
	uint8_t seed[32];
	char hex[66];
	int fd;

	vyf_bytes32(seed, label);
	vytest_hex(hex, seed, 32);
	strcat(hex, "\n");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hex, 65), 65);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* The board's number of entries (GET /v1/status). */
static unsigned long long board_entries(void)
{
	vyh_resp r;
	const char *p;
	unsigned long long n;

	vyh_get(&el.b, VY_PATH_STATUS, &r);
	assert_int_equal(r.status, 200);
	p = strstr((const char *)r.body, "\"entries\":");
	assert_non_null(p);
	n = strtoull(p + 10, NULL, 10);
	vyh_resp_free(&r);
	return n;
}

/* "<what> at position <seq> (head <hex of the local head>)" */
static void says_appended(const char *what)
{
	char want[256], hex[65];

	vytest_hex(hex, el.r.st.head_hash, VY_HASH_BYTES);
	snprintf(want, sizeof want, "%s at position %llu (head %s)", what, (unsigned long long)el.r.st.next_seq - 1,
		 hex);
	if (strstr(out, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", out, want);
}

/* POST a message and append it locally; 200 expected. */
static void post_append(const char *path, Vybar__EntryType type, uint8_t *msg, size_t len)
{
	vyh_resp r;

	vyh_post(&el.b, path, msg, len, &r);
	if (r.status != 200)
		fail_msg("POST %s: %ld %s", path, r.status, (const char *)r.body);
	vyh_resp_free(&r);
	vyf_record_append(&el.r, type, msg, len);
	free(msg);
}

/* The last program's output says s. */
static void says(const char *s)
{
	if (strstr(out, s) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", out, s);
}

/* ---- the session ---- */

static int setup(void **state)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa;
	char bhex[65], chex[65], keys[PATH_BYTES], tpks[PATH_BYTES];
	uint8_t seed[32], *m;
	size_t mlen = 0;

	(void)state;
	vytest_init();
	vyf_record_init_unwitnessed(&el.r, N_TRUSTEES, THRESHOLD); /* the fixtures' manifest, and its keys */
	vycf_keys_init(&ck, &el.r.keys);
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(el.commission_pk, el.commission_sk, seed);
	vyh_init(&el.b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&el.b, seed);
	snprintf(key_path, sizeof key_path, "%s/commission.key", el.b.dir);
	snprintf(wrong_key_path, sizeof wrong_key_path, "%s/wrong.key", el.b.dir);
	snprintf(open_key_path, sizeof open_key_path, "%s/readable.key", el.b.dir);
	snprintf(json_path, sizeof json_path, "%s/election.json", el.b.dir);
	snprintf(rec_path, sizeof rec_path, "%s/record.vybar", el.b.dir);
	snprintf(page_path, sizeof page_path, "%s/paged.vybar", el.b.dir);
	snprintf(part_path, sizeof part_path, "%s/partial.vybar", el.b.dir);
	snprintf(keys, sizeof keys, "%s/registrar-keys.pb", el.b.dir);
	snprintf(tpks, sizeof tpks, "%s/trustee-pks.txt", el.b.dir);
	write_key(key_path, "commission", 0600);
	write_key(wrong_key_path, "not the commission", 0600);
	write_key(open_key_path, "commission", 0644);
	/* the commission makes the manifest; the board starts on it */
	vycf_write_key_files(&ck, &el.r.keys, el.b.dir, bhex, chex);
	vytest_write_file(json_path, (const uint8_t *)vycf_description, strlen(vycf_description));
	if (commission_cmd((const char *const[]){ "manifest", "--election", json_path, "--registrar-keys", keys, "--board-pk",
					     bhex, "--commission-pk", chex, "--trustee-pks", tpks, "--out",
					     el.b.manifest, NULL }) != 0)
		fail_msg("vybar-commission manifest: %s", out);
	m = (uint8_t *)vytest_read_file(el.b.manifest, &mlen);
	assert_int_equal(mlen, el.r.manifest_len);
	assert_memory_equal(m, el.r.manifest_bytes, mlen);
	free(m);
	if (vyh_start(&el.b, NULL) != -1)
		fail_msg("vybar-board refused to start: %s", vyh_log(&el.b));
	snprintf(url, sizeof url, "http://127.0.0.1:%u", el.b.port);
	/* the stand-in registrar and paging board */
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	daemon_ = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
				   (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(daemon_);
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(stand_in, sizeof stand_in, "http://127.0.0.1:%u", (unsigned)info->port);
	return 0;
}

static int teardown(void **state)
{
	const char *files[] = { key_path, wrong_key_path, open_key_path, json_path, rec_path, page_path, part_path };
	char p[PATH_BYTES];

	(void)state;
	MHD_stop_daemon(daemon_);
	free(issued);
	free(record);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(files[i]);
	snprintf(p, sizeof p, "%s/registrar-keys.pb", el.b.dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/trustee-pks.txt", el.b.dir);
	unlink(p);
	vyh_election_free(&el);
	return 0;
}

/* The ceremony, then open: a wrong key and a key file others can read are
 * refused and nothing is appended; the commission's key opens. */
static void test_open(void **state)
{
	unsigned long long before;
	uint8_t *msg;
	size_t len;

	(void)state;
	for (uint32_t i = 1; i <= N_TRUSTEES; i++) {
		msg = vyf_announce(&el.r, i, &len);
		post_append(VY_PATH_TRUSTEE_ANNOUNCE, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, msg, len);
	}
	for (uint32_t i = 1; i <= N_TRUSTEES; i++) {
		msg = vyf_reveal(&el.r, i, &len);
		post_append(VY_PATH_TRUSTEE_REVEAL, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, msg, len);
	}
	for (uint32_t i = 1; i <= N_TRUSTEES; i++) {
		msg = vyf_verdict(&el.r, i, &len);
		post_append(VY_PATH_TRUSTEE_VERDICT, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, msg, len);
	}
	before = board_entries();
	assert_int_equal(admin(wrong_key_path, ADMIN_OPEN), EXIT_REFUSED);
	says("vybar-commission: admin open: the board refused: admin: signature does not verify under the manifest's "
	     "commission_key (HTTP 403, invalid public key); ");
	says("is --key the commission key named in this election's manifest?");
	assert_int_equal(board_entries(), before);
	assert_int_equal(admin(open_key_path, ADMIN_OPEN), 1);
	says("must not be readable by group or others");
	assert_int_equal(board_entries(), before);
	assert_int_equal(commission_cmd((const char *const[]){ "admin", "--board", url, "--key", key_path, "reopen", NULL }),
			 2); /* a usage error */
	says("vybar-commission admin: 'reopen' is not an action: open, close, tally or result\n"
	     "Try 'vybar-commission admin --help'.\n");
	if (admin(key_path, ADMIN_OPEN) != 0)
		fail_msg("%s", out);
	msg = vyf_open(&el.r, &len);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, msg, len);
	free(msg);
	says_appended("Election opened");
	/* once open, open again is the board's refusal (a phase rule) */
	assert_int_equal(admin(key_path, ADMIN_OPEN), EXIT_REFUSED);
	says("vybar-commission: admin open: the board refused: ");
	says("(HTTP 403, not allowed in this phase)");
}

/* Two voters, then close (a wrong key first). */
static void test_close(void **state)
{
	const char *labels[] = { "alice", "bob" };
	Vybar__ElectionClose c = VYBAR__ELECTION_CLOSE__INIT;
	uint32_t choices[VYF_SELECTIONS];
	unsigned long long before;
	uint8_t *p;
	size_t n;

	(void)state;
	vyf_default_choices(choices);
	for (size_t i = 0; i < 2; i++) {
		vyf_voter v;

		vyf_voter_init(&v, &el.r.st.election, labels[i]);
		p = vyf_ballot_pack(&el.r.st.election, &v, choices, "1", NULL, &n);
		post_append(VY_PATH_BALLOTS, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, n);
	}
	before = board_entries();
	assert_int_equal(admin(wrong_key_path, "close"), EXIT_REFUSED);
	says("signature does not verify");
	assert_int_equal(board_entries(), before);
	if (admin(key_path, "close") != 0)
		fail_msg("%s", out);
	c.ballots_received = el.r.st.ballots;
	p = vy_msg_pack(&c, &n);
	assert_non_null(p);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, n);
	free(p);
	says_appended("Voting closed");
	says(": 2 ballots received, from 2 credentials.\n");
}

/* The registrar's statement: the tally waits for it; one for another
 * election is not sent; the right one is appended, a second refused. */
static void test_publish_issued(void **state)
{
	const char *args[] = { "publish-issued", "--board", url, "--registrar", stand_in, NULL };
	uint8_t other[VY_HASH_BYTES];
	unsigned long long before;

	(void)state;
	assert_int_equal(admin(key_path, "tally"), EXIT_REFUSED);
	says("CREDENTIALS_ISSUED");
	/* no statement there: nothing to carry */
	assert_int_equal(commission_cmd(args), 1);
	says(VY_PATH_ISSUED ": HTTP 404: not found\n");
	before = board_entries();
	memset(other, 7, sizeof other);
	issued = vyf_issued_statement(other, 2, VYF_ISSUED_TIME, el.r.keys.statement_sk, &issued_len);
	assert_int_equal(commission_cmd(args), EXIT_REFUSED);
	says("serves another election (fingerprint 0707");
	says("nothing was sent");
	assert_int_equal(board_entries(), before);
	free(issued);
	issued = vyf_issued_statement(el.r.st.election.base_hash, 2, VYF_ISSUED_TIME, el.r.keys.statement_sk,
				      &issued_len);
	if (commission_cmd(args) != 0)
		fail_msg("%s", out);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED, issued, issued_len);
	says_appended("The registrar's statement is on the board");
	says("2 credentials issued (signed 2026-05-06 ");
	assert_int_equal(commission_cmd(args), EXIT_REFUSED);
	says("vybar-commission: publish-issued: the board refused the registrar's statement: ");
	says("the record already holds the registrar's statement (HTTP 409, duplicate message)\n");
}

/* Tally, the trustees' partial decryptions, result. */
static void test_tally_result(void **state)
{
	uint32_t q[N_TRUSTEES];
	uint8_t *p;
	size_t n;

	(void)state;
	if (admin(key_path, "tally") != 0)
		fail_msg("%s", out);
	assert_int_equal(vy_tally_encrypted(&el.r.st, &p, &n, NULL), VY_R_OK);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, n);
	free(p);
	says_appended("Encrypted tally");
	/* the record before the result, kept for later */
	{
		uint8_t *rec = vyh_local_record(&el, &n);

		vytest_write_file(part_path, rec, n);
		free(rec);
	}
	for (uint32_t i = 0; i < N_TRUSTEES; i++)
		q[i] = i + 1;
	for (uint32_t i = 1; i <= N_TRUSTEES; i++) {
		vy_scalar s;

		vyf_secret_share(&el.r, i, q, N_TRUSTEES, &s);
		p = vyf_partial(&el.r, i, &s, &n);
		post_append(VY_PATH_TRUSTEE_DECRYPTION, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, n);
	}
	if (admin(key_path, "result") != 0)
		fail_msg("%s", out);
	assert_int_equal(vy_tally_result(&el.r.st, NULL, 0, &p, &n, NULL), VY_R_OK);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, n);
	free(p);
	says_appended("Result published");
	says("vybar-verify record http://127.0.0.1:");
}

/* vybar-verify fetch: the board's pages byte for byte; also from a board
 * answering one entry at a time; a broken X-Vybar-Next leaves no file. */
static void test_fetch(void **state)
{
	uint8_t *local, *remote, *saved;
	size_t llen, rlen, slen;
	char want[160];

	(void)state;
	local = vyh_local_record(&el, &llen);
	remote = vyh_record(&el.b, &rlen);
	assert_int_equal(rlen, llen);
	assert_memory_equal(remote, local, llen);
	if (verify_cmd((const char *const[]){ "fetch", url, "--out", rec_path, NULL }) != 0)
		fail_msg("%s", out);
	saved = (uint8_t *)vytest_read_file(rec_path, &slen);
	assert_int_equal(slen, llen);
	assert_memory_equal(saved, local, llen);
	snprintf(want, sizeof want, ": %zu entries, %zu bytes", el.r.n_entries, llen);
	says(want);
	free(saved);
	/* one entry per answer */
	record = remote;
	record_len = rlen;
	if (verify_cmd((const char *const[]){ "fetch", stand_in, "--out", page_path, NULL }) != 0)
		fail_msg("%s", out);
	saved = (uint8_t *)vytest_read_file(page_path, &slen);
	assert_int_equal(slen, llen);
	assert_memory_equal(saved, local, llen);
	free(saved);
	snprintf(want, sizeof want, "(%zu answers of the board)", el.r.n_entries + 1);
	says(want);
	unlink(page_path);
	broken_next = 1;
	assert_int_equal(verify_cmd((const char *const[]){ "fetch", stand_in, "--out", page_path, NULL }), 1);
	says(VY_HDR_NEXT " is 4 after 1 entries from 2 (nothing written)");
	assert_int_equal(access(page_path, F_OK), -1);
	broken_next = 0;
	/* a file is not a board: a usage error */
	assert_int_equal(verify_cmd((const char *const[]){ "fetch", rec_path, "--out", page_path, NULL }), 2);
	says("is not a board URL");
	free(local);
}

/* The verified result, from the board and from the saved file; none for a
 * record that ends before its RESULT. */
static void test_result(void **state)
{
	static char from_url[OUT_BYTES];
	static const char *const lines[] = {
		"\nReferendum question: 2 ballots counted\n"
		"  option                                    votes   share\n"
		"  Answer 1                                      0   0.00%\n"
		"  Answer 2                                      2  100.00%\n"
		"  Answer 3                                      0   0.00%\n\n",
		"\nApproval question: 2 ballots counted\n",
		"  Choice 3                                      2  100.00%\n",
		"\nCouncil: 5 seats, 2 valid votes\n"
		"  list                                      votes   share  seats\n"
		"  List A                                        0   0.00%    0\n"
		"  List B                                        2  100.00%    4\n"
		"       1. List B candidate 1\n"
		"       2. List B candidate 2\n"
		"       3. List B candidate 3\n"
		"       4. List B candidate 4\n"
		"  List C                                        0   0.00%    0\n"
		"  (blank)                                       0\n",
		"\ntrustees who decrypted: 1 2 3\n",
	};
	char want[128];
	const char *res;

	(void)state;
	assert_int_equal(verify_cmd((const char *const[]){ "record", url, "--result", NULL }), 0);
	says("OK: every check holds\n");
	snprintf(want, sizeof want, "\nResult (entry %zu of the verified record): 2 ballots counted\n",
		 el.r.n_entries - 1);
	res = strstr(out, want);
	if (res == NULL)
		fail_msg("no \"%s\" in %s", want, out);
	assert_true(res > strstr(out, "OK: every check holds")); /* after the verdict */
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (strstr(res, lines[i]) == NULL)
			fail_msg("no \"%s\" in %s", lines[i], res);
	strcpy(from_url, res);
	/* the same from the saved file */
	assert_int_equal(verify_cmd((const char *const[]){ "record", rec_path, "--result", "--jobs", "1", NULL }), 0);
	res = strstr(out, want);
	assert_non_null(res);
	assert_string_equal(res, from_url);
	/* without --result: the report alone */
	assert_int_equal(verify_cmd((const char *const[]){ "record", rec_path, NULL }), 0);
	assert_null(strstr(out, "Result (entry"));
	/* before the RESULT: nothing to print, the record is incomplete (4) */
	assert_int_equal(verify_cmd((const char *const[]){ "record", part_path, "--result", NULL }), 4);
	says("\nNo result printed: the record has no RESULT entry yet\n");
	assert_null(strstr(out, "Result (entry"));
	/* --json and --result do not mix: a usage error */
	assert_int_equal(verify_cmd((const char *const[]){ "record", rec_path, "--result", "--json", NULL }), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),	      cmocka_unit_test(test_close), cmocka_unit_test(test_publish_issued),
		cmocka_unit_test(test_tally_result), cmocka_unit_test(test_fetch), cmocka_unit_test(test_result),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
