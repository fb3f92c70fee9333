/*
 * vybar-verify record URL follows the board's paging (specs/board-api.md,
 * GET /v1/record): a tiny libmicrohttpd board on 127.0.0.1 serves a whole
 * election record one or two entries per answer, each answer starting with
 * the magic line and carrying X-Vybar-Next. The verifier must verify the
 * whole record (exit 0); an answer without the header, or whose header goes
 * back, is a fetch error (exit 3) with a clear message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "protocol/vy_api.h"
#include "protocol/vy_record.h"
#include "tests/support/protocol_fixtures.h"

#define N 3
#define T 2
#define OUT_BYTES (64u << 10)
#define MAX_ENTRIES 256
#define BROKEN_FROM 3 /* the first answer the broken modes spoil */

enum { MODE_OK, MODE_NO_HEADER, MODE_BACKWARDS, MODE_NO_MAGIC };

static vyf_record rec;
static uint8_t *full;
static size_t full_len;
static size_t frame_at[MAX_ENTRIES + 1]; /* offset of frame i; [n] = the end */
static size_t n_frames;
static size_t requests;
static volatile int mode;
static struct MHD_Daemon *daemon_;
static char board_url[64];


/* A whole election: ceremony, three ballots, close, tally, two partial
 * decryptions, the result. */
static void build_election(void)
{
	static const uint32_t q[N] = { 1, 2, 3 };
	uint32_t choices[VYF_SELECTIONS];
	const vy_election *e;
	vyf_voter a, b, c;
	uint8_t *p;
	size_t len;

	vyf_record_init(&rec, N, T);
	vyf_record_ceremony(&rec);
	e = &rec.st.election;
	vyf_default_choices(choices);
	vyf_voter_init(&a, e, "voter a");
	vyf_voter_init(&b, e, "voter b");
	vyf_voter_init(&c, e, "voter c");
	p = vyf_ballot_pack(e, &a, choices, "x", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	p = vyf_ballot_pack(e, &b, choices, "x", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	p = vyf_ballot_pack(e, &c, choices, "x", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	vyf_record_close(&rec);
	vyf_record_tally(&rec);
	vyf_record_decrypt(&rec, q, N, T);
}

/* The record file bytes, and where each frame (u32be length || entry) starts. */
static void split_record(void)
{
	char *buf = NULL;
	size_t blen = 0, off = VY_RECORD_MAGIC_LEN;
	FILE *f = open_memstream(&buf, &blen);

	assert_non_null(f);
	vyf_record_write(&rec, f);
	assert_int_equal(fclose(f), 0);
	full = (uint8_t *)buf;
	full_len = blen;
	assert_memory_equal(full, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	while (off < full_len) {
		uint32_t len = (uint32_t)full[off] << 24 | (uint32_t)full[off + 1] << 16 | (uint32_t)full[off + 2] << 8 |
			       full[off + 3];

		assert_true(n_frames < MAX_ENTRIES);
		frame_at[n_frames++] = off;
		off += 4 + (size_t)len;
	}
	assert_int_equal(off, full_len);
	frame_at[n_frames] = full_len;
	assert_int_equal(n_frames, rec.n_entries);
}

/* Where the answer from `from` ends: one and two entries alternately. */
static size_t page_end(size_t from)
{
	size_t to = from + (from % 3 == 0 ? 1 : 2);

	return to > n_frames ? n_frames : to;
}

/* The fake board's GET /v1/record?from=N: the magic line, then one or two
 * frames (alternately) from N on, and X-Vybar-Next; spoiled per `mode`. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_len, void **con_cls)
{
	const char *from_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	size_t from, to, len;
	struct MHD_Response *r;
	enum MHD_Result ret;
	uint8_t *body;
	char next[32];

	(void)cls, (void)version, (void)data, (void)data_len, (void)con_cls;
	if (strcmp(method, "GET") != 0 || strcmp(url, VY_PATH_RECORD) != 0 || from_s == NULL)
		return MHD_NO;
	__atomic_fetch_add(&requests, 1, __ATOMIC_SEQ_CST);
	from = (size_t)strtoull(from_s, NULL, 10);
	if (from > n_frames)
		from = n_frames;
	to = page_end(from);
	len = VY_RECORD_MAGIC_LEN + frame_at[to] - frame_at[from];
	body = malloc(len);
	if (body == NULL)
		return MHD_NO;
	memcpy(body, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	memcpy(body + VY_RECORD_MAGIC_LEN, full + frame_at[from], frame_at[to] - frame_at[from]);
	if (mode == MODE_NO_MAGIC && from >= BROKEN_FROM)
		body[0] = 'X';
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	snprintf(next, sizeof next, "%zu", mode == MODE_BACKWARDS && from >= BROKEN_FROM ? (size_t)1 : to);
	if (!(mode == MODE_NO_HEADER && from >= BROKEN_FROM))
		MHD_add_response_header(r, VY_HDR_NEXT, next);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Run vybar-verify record URL; its stdout into out, its stderr into err. */
static int run(char *out, char *err, const char *url)
{
	char cmd[1024], err_path[] = "/tmp/vybar-paging-err-XXXXXX";
	FILE *p, *ef;
	size_t n;
	int st, fd = mkstemp(err_path);

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "%s record '%s' 2>'%s'", VYBAR_VERIFY_PROGRAM, url, err_path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, OUT_BYTES - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ef = fopen(err_path, "rb");
	assert_non_null(ef);
	n = fread(err, 1, OUT_BYTES - 1, ef);
	err[n] = '\0';
	fclose(ef);
	unlink(err_path);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int setup(void **state)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa;

	(void)state;
	vytest_init();
	build_election();
	split_record();
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	daemon_ = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
				   (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(daemon_);
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(board_url, sizeof board_url, "http://127.0.0.1:%u", (unsigned)info->port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(daemon_);
	free(full);
	vyf_record_free(&rec);
	return 0;
}

/* Answer after answer, one or two entries each: the whole record verifies,
 * every entry counted, in as many requests as the paging needs. */
static void test_paged_valid(void **state)
{
	static char out[OUT_BYTES], err[OUT_BYTES];
	char url[80];
	size_t expect = 1; /* the final answer, with no entry */

	(void)state;
	for (size_t from = 0; from < n_frames; from = page_end(from))
		expect++;
	assert_true(expect > n_frames / 2 + 1);
	mode = MODE_OK;
	__atomic_store_n(&requests, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(run(out, err, board_url), 0);
	assert_non_null(strstr(out, "OK: every check holds"));
	assert_int_equal(__atomic_load_n(&requests, __ATOMIC_SEQ_CST), expect);
	snprintf(url, sizeof url, "%s/", board_url);
	assert_int_equal(run(out, err, url), 0);
	assert_non_null(strstr(out, "OK: every check holds"));
}

/* An answer without X-Vybar-Next: a fetch error (exit 3), said clearly. */
static void test_no_header(void **state)
{
	static char out[OUT_BYTES], err[OUT_BYTES];

	(void)state;
	mode = MODE_NO_HEADER;
	assert_int_equal(run(out, err, board_url), 3);
	assert_non_null(strstr(err, "no " VY_HDR_NEXT " header"));
	assert_non_null(strstr(err, "from=3"));
}

/* An answer whose X-Vybar-Next goes back: exit 3, said clearly. */
static void test_backwards(void **state)
{
	static char out[OUT_BYTES], err[OUT_BYTES];

	(void)state;
	mode = MODE_BACKWARDS;
	assert_int_equal(run(out, err, board_url), 3);
	assert_non_null(strstr(err, VY_HDR_NEXT " 1 goes back from 3"));
}

/* An answer that does not start with the magic line: exit 3. */
static void test_no_magic(void **state)
{
	static char out[OUT_BYTES], err[OUT_BYTES];

	(void)state;
	mode = MODE_NO_MAGIC;
	assert_int_equal(run(out, err, board_url), 3);
	assert_non_null(strstr(err, "does not start with the record magic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paged_valid),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_backwards),
		cmocka_unit_test(test_no_magic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
