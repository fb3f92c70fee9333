/*
 * The record pager and the retry policy (net/vy_pager.h, net/vy_http.h)
 * against a fake transport injected in their place: no network, and no
 * real waiting (the retry policy's sleep is counted instead).
 *
 * Pager (specs/board-api.md §4): answers followed by X-Vybar-Next until
 * one holds no frame; refused: a bad magic line, a frame cut in half, no
 * X-Vybar-Next, one that goes back, one that does not advance, an answer
 * larger than a board's largest, an HTTP status other than 200.
 * Retry (specs/client.md §4 step 4): 429 then 200; Retry-After honoured
 * (and capped); the doubling; busy for ever; a lost answer sent again only
 * for an idempotent request; the same bytes every try.
 */
#include <stdlib.h>
#include <string.h>

#include "net/vy_pager.h"
#include "tests/support/vytest.h"

#define MAX_SCRIPT 8
#define MAX_PAGE 256
#define URL_CAP 128
#define BASE "http://board.test:8080"

/* One scripted answer: its status, body, headers; or a transport failure. */
typedef struct {
	vy_rc rc;            /* VY_R_OK: an answer; VY_R_IO: none came */
	long status;
	const uint8_t *body;
	size_t len;
	const char *next;        /* X-Vybar-Next, or NULL */
	const char *retry_after; /* Retry-After, or NULL */
} scripted;

/* The fake transport: answers from the script, what it was asked. */
typedef struct {
	scripted script[MAX_SCRIPT];
	size_t n, calls;
	char urls[MAX_SCRIPT][URL_CAP];
	size_t max_answer[MAX_SCRIPT];
	uint8_t first_body[MAX_PAGE];
	size_t first_len;
	unsigned differing;  /* POST bodies unlike the first one */
	unsigned sleeps, slept_ms[MAX_SCRIPT];
	unsigned retries, busy_retries;
} fake;

/* The transport function: a body through vy_http_answer_append, under the
 * request's cap, as a real transport gives it. */
static vy_rc fake_perform(void *ctx, const vy_http_request *rq, vy_http_answer *a, vy_reason *why)
{
	fake *f = ctx;
	const scripted *s;
	size_t i = f->calls++;
	vy_rc rc;

	if (i >= f->n)
		fail_msg("request %zu beyond the script (%s)", i + 1, rq->url);
	s = &f->script[i];
	snprintf(f->urls[i], URL_CAP, "%s", rq->url);
	f->max_answer[i] = rq->max_answer;
	if (rq->body != NULL && i == 0) {
		assert_true(rq->body_len <= MAX_PAGE);
		memcpy(f->first_body, rq->body, rq->body_len);
		f->first_len = rq->body_len;
	} else if (rq->body != NULL &&
		   (rq->body_len != f->first_len || memcmp(rq->body, f->first_body, f->first_len) != 0)) {
		f->differing++;
	}
	if (s->rc != VY_R_OK)
		return vy_reason_set(why, s->rc, "%s %s: no answer (the fake lost it)", rq->method, rq->url);
	a->status = s->status;
	rc = vy_http_answer_append(a, s->body, s->len, rq->max_answer);
	if (rc != VY_R_OK)
		return vy_reason_set(why, rc, "%s %s: the answer is larger than %zu bytes", rq->method, rq->url,
				     rq->max_answer);
	if (s->next != NULL)
		vy_http_answer_header(a, "x-vybar-next", s->next, strlen(s->next));
	if (s->retry_after != NULL)
		vy_http_answer_header(a, "Retry-After", s->retry_after, strlen(s->retry_after));
	return VY_R_OK;
}

static void fake_sleep(void *ctx, unsigned ms)
{
	fake *f = ctx;

	if (f->sleeps < MAX_SCRIPT)
		f->slept_ms[f->sleeps] = ms;
	f->sleeps++;
}

static void fake_retry(void *ctx, int busy, unsigned wait_ms)
{
	fake *f = ctx;

	(void)wait_ms;
	f->retries++;
	f->busy_retries += busy != 0;
}

/* ---- record answers ---- */

/* A record answer: the magic line (or a spoiled one), then n frames of
 * the given sizes, each filled with its index. Returns its length. */
static size_t page(uint8_t *out, const char *magic, const size_t *sizes, size_t n)
{
	size_t len = VY_RECORD_MAGIC_LEN;

	memcpy(out, magic, VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < n; i++) {
		assert_true(len + 4 + sizes[i] <= MAX_PAGE);
		out[len] = (uint8_t)(sizes[i] >> 24);
		out[len + 1] = (uint8_t)(sizes[i] >> 16);
		out[len + 2] = (uint8_t)(sizes[i] >> 8);
		out[len + 3] = (uint8_t)sizes[i];
		memset(out + len + 4, (int)(i + 1), sizes[i]);
		len += 4 + sizes[i];
	}
	return len;
}

/* What the page callback saw. */
typedef struct {
	uint64_t froms[MAX_SCRIPT], counts[MAX_SCRIPT];
	size_t pages;
	uint8_t frames[4 * MAX_PAGE];
	size_t len;
} seen;

static vy_rc on_page(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count, vy_reason *why)
{
	seen *s = ctx;

	(void)why;
	assert_true(s->pages < MAX_SCRIPT && s->len + len <= sizeof s->frames);
	s->froms[s->pages] = from;
	s->counts[s->pages++] = count;
	memcpy(s->frames + s->len, frames, len);
	s->len += len;
	return VY_R_OK;
}

/* Page through the fake from entry `from`: the pager's code and reason. */
static vy_rc run_pager(fake *f, uint64_t from, seen *s, vy_pager_count *n, vy_reason *why)
{
	vy_http_transport t = { fake_perform, f };
	vy_http_retry r = { .sleep_ms = fake_sleep, .on_retry = fake_retry, .ctx = f };
	vy_pager p = { &t, BASE "/", from, on_page, s, &r };

	memset(s, 0, sizeof *s);
	return vy_pager_run(&p, n, why);
}

/* The pager fails with code and a reason holding text. */
static void expect_refused(fake *f, vy_rc code, const char *text)
{
	seen s;
	vy_reason why = { 0 };
	vy_rc rc = run_pager(f, 0, &s, NULL, &why);

	if (rc != code || strstr(why.msg, text) == NULL)
		fail_msg("expected %s with \"%s\", got %s: %s", vy_rc_str(code), text, vy_rc_str(rc), why.msg);
}

/* Three answers: two frames, one frame, none; every frame handed on once,
 * in order, each answer asked from the previous one's X-Vybar-Next. */
static void test_pager_follows_next(void **state)
{
	static const size_t two[] = { 3, 5 }, one[] = { 7 };
	uint8_t p1[MAX_PAGE], p2[MAX_PAGE], p3[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, two, 2), l2 = page(p2, VY_RECORD_MAGIC, one, 1);
	size_t l3 = page(p3, VY_RECORD_MAGIC, NULL, 0);
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "12", NULL }, { VY_R_OK, 200, p2, l2, " 13 ", NULL },
			       { VY_R_OK, 200, p3, l3, "13", NULL } },
		   .n = 3 };
	vy_pager_count n;
	vy_reason why;
	seen s;

	(void)state;
	if (run_pager(&f, 10, &s, &n, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(f.calls, 3);
	assert_string_equal(f.urls[0], BASE VY_PATH_RECORD_FROM "10");
	assert_string_equal(f.urls[1], BASE VY_PATH_RECORD_FROM "12");
	assert_string_equal(f.urls[2], BASE VY_PATH_RECORD_FROM "13");
	assert_int_equal(f.max_answer[0], VY_MAX_RECORD_ANSWER_BYTES);
	assert_int_equal(s.pages, 2);
	assert_int_equal(s.froms[0], 10);
	assert_int_equal(s.counts[0], 2);
	assert_int_equal(s.froms[1], 12);
	assert_int_equal(s.counts[1], 1);
	assert_int_equal(s.len, l1 + l2 - 2 * VY_RECORD_MAGIC_LEN);
	assert_memory_equal(s.frames, p1 + VY_RECORD_MAGIC_LEN, l1 - VY_RECORD_MAGIC_LEN);
	assert_memory_equal(s.frames + l1 - VY_RECORD_MAGIC_LEN, p2 + VY_RECORD_MAGIC_LEN, l2 - VY_RECORD_MAGIC_LEN);
	assert_int_equal(n.entries, 3);
	assert_int_equal(n.pages, 3);
	assert_int_equal(n.next, 13);
	assert_int_equal(n.bytes, s.len);
}

/* The whole record into memory, and to a FILE: magic line, then frames. */
static void test_pager_memory_and_file(void **state)
{
	static const size_t two[] = { 4, 2 };
	uint8_t p1[MAX_PAGE], p2[MAX_PAGE], *buf = NULL;
	size_t l1 = page(p1, VY_RECORD_MAGIC, two, 2), l2 = page(p2, VY_RECORD_MAGIC, NULL, 0), len = 0, flen = 0;
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "2", NULL }, { VY_R_OK, 200, p2, l2, "2", NULL },
			       { VY_R_OK, 200, p1, l1, "2", NULL }, { VY_R_OK, 200, p2, l2, "2", NULL } },
		   .n = 4 };
	vy_http_transport t = { fake_perform, &f };
	vy_pager_count n;
	vy_reason why;
	char *fbuf = NULL;
	FILE *out;

	(void)state;
	if (vy_pager_fetch_all(&t, BASE, &buf, &len, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(len, l1);
	assert_memory_equal(buf, p1, l1);
	free(buf);
	out = open_memstream(&fbuf, &flen);
	assert_non_null(out);
	if (vy_pager_to_file(&t, BASE, 0, out, &n, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(flen, l1);
	assert_memory_equal(fbuf, p1, l1);
	assert_int_equal(n.entries, 2);
	assert_int_equal(n.pages, 2);
	free(fbuf);
}

/* Through a pipe: the record read as one record file while a thread pages
 * it; a failing answer ends the stream, and the close says why. */
static void test_pager_stream(void **state)
{
	static const size_t two[] = { 4, 6 };
	uint8_t p1[MAX_PAGE], p2[MAX_PAGE], got[2 * MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, two, 2), l2 = page(p2, VY_RECORD_MAGIC, NULL, 0), n;
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "2", NULL }, { VY_R_OK, 200, p2, l2, "2", NULL } }, .n = 2 };
	fake g = { .script = { { VY_R_OK, 200, p1, l1, "2", NULL }, { VY_R_OK, 200, p2, l2, NULL, NULL } }, .n = 2 };
	vy_http_transport t = { fake_perform, &f }, u = { fake_perform, &g };
	vy_pager_stream st;
	vy_reason why;

	(void)state;
	if (vy_pager_stream_open(&st, &t, BASE, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	n = fread(got, 1, sizeof got, st.f);
	assert_int_equal(vy_pager_stream_close(&st), VY_R_OK);
	assert_int_equal(n, l1);
	assert_memory_equal(got, p1, l1);
	assert_int_equal(st.n.entries, 2);
	/* the second answer has no X-Vybar-Next: the frames before it, then EOF */
	if (vy_pager_stream_open(&st, &u, BASE, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	n = fread(got, 1, sizeof got, st.f);
	assert_int_equal(vy_pager_stream_close(&st), VY_R_MALFORMED);
	assert_int_equal(n, l1);
	assert_false(st.reader_gone);
	assert_non_null(strstr(st.why.msg, "no " VY_HDR_NEXT " header"));
}

/* An answer that does not start with the magic line. */
static void test_pager_bad_magic(void **state)
{
	static const size_t one[] = { 3 };
	uint8_t p1[MAX_PAGE];
	size_t l1 = page(p1, "VYBAR-RECORX/1\n", one, 1);
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "1", NULL } }, .n = 1 };

	(void)state;
	expect_refused(&f, VY_R_BAD_MAGIC, "does not start with the record magic");
}

/* A frame cut in half, and a frame header cut short. */
static void test_pager_cut_frame(void **state)
{
	static const size_t one[] = { 10 };
	uint8_t p1[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, one, 1);
	fake f = { .script = { { VY_R_OK, 200, p1, l1 - 5, "1", NULL } }, .n = 1 };
	fake g = { .script = { { VY_R_OK, 200, p1, VY_RECORD_MAGIC_LEN + 2, "1", NULL } }, .n = 1 };

	(void)state;
	expect_refused(&f, VY_R_TRUNCATED, "not whole frames: frame at byte 0 truncated");
	expect_refused(&g, VY_R_TRUNCATED, "not whole frames: frame header truncated");
}

/* A frame of length 0 is no frame. */
static void test_pager_empty_frame(void **state)
{
	static const size_t one[] = { 0 };
	uint8_t p1[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, one, 1);
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "1", NULL } }, .n = 1 };

	(void)state;
	expect_refused(&f, VY_R_MALFORMED, "must be 1..");
}

/* No X-Vybar-Next, or one that is not a number. */
static void test_pager_no_next(void **state)
{
	static const size_t one[] = { 3 };
	uint8_t p1[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, one, 1);
	fake f = { .script = { { VY_R_OK, 200, p1, l1, NULL, NULL } }, .n = 1 };
	fake g = { .script = { { VY_R_OK, 200, p1, l1, "1x", NULL } }, .n = 1 };

	(void)state;
	expect_refused(&f, VY_R_MALFORMED, "no " VY_HDR_NEXT " header");
	expect_refused(&g, VY_R_MALFORMED, "bad " VY_HDR_NEXT " header");
}

/* An X-Vybar-Next that goes back from the entry asked for. */
static void test_pager_goes_back(void **state)
{
	static const size_t one[] = { 3 };
	uint8_t p1[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, one, 1);
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "1", NULL }, { VY_R_OK, 200, p1, l1, "0", NULL } }, .n = 2 };

	(void)state;
	expect_refused(&f, VY_R_MALFORMED, VY_HDR_NEXT " 0 goes back from 1");
	assert_int_equal(f.calls, 2);
}

/* Frames, but an X-Vybar-Next that stays put (or skips an entry). */
static void test_pager_not_advancing(void **state)
{
	static const size_t two[] = { 3, 3 };
	uint8_t p1[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, two, 2);
	fake f = { .script = { { VY_R_OK, 200, p1, l1, "0", NULL } }, .n = 1 };
	fake g = { .script = { { VY_R_OK, 200, p1, l1, "3", NULL } }, .n = 1 };

	(void)state;
	expect_refused(&f, VY_R_MALFORMED, VY_HDR_NEXT " is 0 after 2 entries from 0");
	expect_refused(&g, VY_R_MALFORMED, VY_HDR_NEXT " is 3 after 2 entries from 0");
}

/* An answer larger than a board's largest is refused by the transport,
 * which the pager asked for at most VY_MAX_RECORD_ANSWER_BYTES. */
static void test_pager_too_large(void **state)
{
	static uint8_t huge[VY_MAX_RECORD_ANSWER_BYTES + 1]; /* never touched: refused before it is read */
	fake f = { .script = { { VY_R_OK, 200, huge, sizeof huge, "1", NULL } }, .n = 1 };
	vy_http_answer a = { 0 };

	(void)state;
	expect_refused(&f, VY_R_TOO_LARGE, "larger than");
	assert_int_equal(f.max_answer[0], VY_MAX_RECORD_ANSWER_BYTES);
	/* the cap counts every chunk */
	assert_int_equal(vy_http_answer_append(&a, "abcd", 4, 6), VY_R_OK);
	assert_int_equal(vy_http_answer_append(&a, "efg", 3, 6), VY_R_TOO_LARGE);
	assert_int_equal(vy_http_answer_append(&a, "ef", 2, 6), VY_R_OK);
	assert_string_equal((const char *)a.body, "abcdef");
	vy_http_answer_free(&a);
}

/* A status other than 200 (but 429 and 503), and no answer at all: no
 * retry for a GET. */
static void test_pager_status_and_lost(void **state)
{
	fake f = { .script = { { VY_R_OK, 404, (const uint8_t *)"none", 4, NULL, "1" } }, .n = 1 };
	fake g = { .script = { { VY_R_IO, 0, NULL, 0, NULL, NULL } }, .n = 1 };

	(void)state;
	expect_refused(&f, VY_R_IO, "HTTP status 404");
	assert_int_equal(f.calls, 1);
	expect_refused(&g, VY_R_IO, "no answer");
	assert_int_equal(g.calls, 1);
}

/* A busy board (429 with Retry-After: 2, then 503): asked again after the
 * wait it asks for, and the paging goes on; busy for ever: bounded tries. */
static void test_pager_busy(void **state)
{
	static const size_t one[] = { 4 };
	uint8_t p1[MAX_PAGE], p2[MAX_PAGE];
	size_t l1 = page(p1, VY_RECORD_MAGIC, one, 1), l2 = page(p2, VY_RECORD_MAGIC, NULL, 0);
	fake f = { .script = { { VY_R_OK, 429, (const uint8_t *)"{}", 2, NULL, "2" },
			       { VY_R_OK, 200, p1, l1, "1", NULL },
			       { VY_R_OK, 503, (const uint8_t *)"{}", 2, NULL, NULL },
			       { VY_R_OK, 200, p2, l2, "1", NULL } },
		   .n = 4 };
	fake g = { .n = VY_RETRY_TRIES };
	vy_pager_count n;
	vy_reason why;
	seen s;

	(void)state;
	if (run_pager(&f, 0, &s, &n, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(f.calls, 4);
	assert_int_equal(f.sleeps, 2);
	assert_int_equal(f.slept_ms[0], 2000);
	assert_int_equal(f.busy_retries, 2);
	assert_int_equal(n.entries, 1);
	assert_int_equal(n.next, 1);
	for (size_t i = 0; i < VY_RETRY_TRIES; i++)
		g.script[i] = (scripted){ VY_R_OK, 503, (const uint8_t *)"{}", 2, NULL, "1" };
	expect_refused(&g, VY_R_IO, "busy (HTTP 503) after 6 tries");
	assert_int_equal(g.calls, VY_RETRY_TRIES);
}

/* ---- the retry policy ---- */

static const uint8_t ballot[] = "the same bytes every time";

/* POST the ballot through f with policy p (its hooks pointed at f). */
static vy_rc post(fake *f, vy_http_retry *p, vy_http_answer *a, vy_reason *why)
{
	vy_http_transport t = { fake_perform, f };
	vy_http_request rq = { .method = VY_HTTP_POST, .url = BASE VY_PATH_BALLOTS, .content_type = VY_CT_PROTOBUF,
			       .body = ballot, .body_len = sizeof ballot, .max_answer = VY_MAX_SMALL_ANSWER_BYTES };

	p->sleep_ms = fake_sleep;
	p->on_retry = fake_retry;
	p->ctx = f;
	return vy_http_send(&t, p, &rq, a, why);
}

/* 429, then 200: two tries, one wait of first_ms, said as busy. */
static void test_retry_429_then_200(void **state)
{
	fake f = { .script = { { VY_R_OK, 429, (const uint8_t *)"{}", 2, NULL, NULL },
			       { VY_R_OK, 200, (const uint8_t *)"receipt", 7, NULL, NULL } },
		   .n = 2 };
	vy_http_retry p = { .first_ms = 250 };
	vy_http_answer a;
	vy_reason why;

	(void)state;
	if (post(&f, &p, &a, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, 7);
	assert_memory_equal(a.body, "receipt", 7);
	assert_int_equal(f.calls, 2);
	assert_int_equal(f.sleeps, 1);
	assert_int_equal(f.slept_ms[0], 250);
	assert_int_equal(f.retries, 1);
	assert_int_equal(f.busy_retries, 1);
	assert_int_equal(f.differing, 0);
	vy_http_answer_free(&a);
}

/* Retry-After: a longer wait than the doubling's is honoured, capped at
 * VY_RETRY_AFTER_MAX_MS; a shorter one leaves the doubling's. */
static void test_retry_after_honoured(void **state)
{
	fake f = { .script = { { VY_R_OK, 503, (const uint8_t *)"{}", 2, NULL, "3" },
			       { VY_R_OK, 429, (const uint8_t *)"{}", 2, NULL, "86400" },
			       { VY_R_OK, 503, (const uint8_t *)"{}", 2, NULL, "0" },
			       { VY_R_OK, 503, (const uint8_t *)"{}", 2, NULL, "soon" },
			       { VY_R_OK, 200, (const uint8_t *)"ok", 2, NULL, NULL } },
		   .n = 5 };
	vy_http_retry p = { .first_ms = 100 };
	vy_http_answer a;
	vy_reason why;

	(void)state;
	if (post(&f, &p, &a, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(f.calls, 5);
	assert_int_equal(f.sleeps, 4);
	assert_int_equal(f.slept_ms[0], 3000);
	assert_int_equal(f.slept_ms[1], VY_RETRY_AFTER_MAX_MS);
	assert_int_equal(f.slept_ms[2], 400);
	assert_int_equal(f.slept_ms[3], 800);
	vy_http_answer_free(&a);
}

/* Busy for ever: the bounded tries, the doubling capped at
 * VY_RETRY_MAX_MS, then VY_R_IO naming the status and the tries. */
static void test_retry_busy_forever(void **state)
{
	static const unsigned waits[] = { 250, 500, 1000, 2000, 4000, 4000, 4000 };
	fake f = { .n = 8 };
	vy_http_retry p = { .tries = 8 };
	vy_http_answer a;
	vy_reason why;

	(void)state;
	for (size_t i = 0; i < f.n; i++)
		f.script[i] = (scripted){ VY_R_OK, 503, (const uint8_t *)"{}", 2, NULL, NULL };
	assert_int_equal(post(&f, &p, &a, &why), VY_R_IO);
	assert_non_null(strstr(why.msg, "busy (HTTP 503) after 8 tries"));
	assert_int_equal(f.calls, 8);
	assert_int_equal(f.sleeps, 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(f.slept_ms[i], waits[i]);
	assert_int_equal(f.differing, 0);
	assert_null(a.body);
}

/* A lost answer: sent again (the same bytes) for an idempotent request,
 * said as "did not answer"; not for another. */
static void test_retry_lost_answer(void **state)
{
	fake f = { .script = { { VY_R_IO, 0, NULL, 0, NULL, NULL },
			       { VY_R_OK, 409, (const uint8_t *)"{}", 2, NULL, NULL } },
		   .n = 2 };
	fake g = { .script = { { VY_R_IO, 0, NULL, 0, NULL, NULL } }, .n = 1 };
	fake h = { .n = 3 };
	vy_http_retry p = { .idempotent = 1 }, q = { 0 }, r = { .idempotent = 1, .tries = 3 };
	vy_http_answer a;
	vy_reason why;

	(void)state;
	if (post(&f, &p, &a, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_int_equal(a.status, 409);
	assert_int_equal(f.calls, 2);
	assert_int_equal(f.retries, 1);
	assert_int_equal(f.busy_retries, 0);
	assert_int_equal(f.slept_ms[0], VY_RETRY_FIRST_MS);
	assert_int_equal(f.differing, 0);
	vy_http_answer_free(&a);
	/* not idempotent: the loss is the answer */
	assert_int_equal(post(&g, &q, &a, &why), VY_R_IO);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.sleeps, 0);
	assert_non_null(strstr(why.msg, "no answer"));
	/* lost every time */
	for (size_t i = 0; i < h.n; i++)
		h.script[i] = (scripted){ VY_R_IO, 0, NULL, 0, NULL, NULL };
	assert_int_equal(post(&h, &r, &a, &why), VY_R_IO);
	assert_non_null(strstr(why.msg, "no answer after 3 tries"));
	assert_int_equal(h.calls, 3);
}

/* URLs: the base's trailing '/' dropped; too long refused. */
static void test_http_url(void **state)
{
	char out[64], small[16];
	uint64_t v;

	(void)state;
	assert_int_equal(vy_http_url(out, sizeof out, "http://h:1//", VY_PATH_RECEIPTS, "ABCD"), VY_R_OK);
	assert_string_equal(out, "http://h:1" VY_PATH_RECEIPTS "ABCD");
	assert_int_equal(vy_http_url(small, sizeof small, "http://h:1", VY_PATH_STATUS, NULL), VY_R_ARG);
	assert_int_equal(vy_http_header_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vy_http_header_u64("18446744073709551616", &v), -1);
	assert_int_equal(vy_http_header_u64("", &v), -1);
	assert_int_equal(vy_http_header_u64("-1", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pager_follows_next),
		cmocka_unit_test(test_pager_memory_and_file),
		cmocka_unit_test(test_pager_stream),
		cmocka_unit_test(test_pager_bad_magic),
		cmocka_unit_test(test_pager_cut_frame),
		cmocka_unit_test(test_pager_empty_frame),
		cmocka_unit_test(test_pager_no_next),
		cmocka_unit_test(test_pager_goes_back),
		cmocka_unit_test(test_pager_not_advancing),
		cmocka_unit_test(test_pager_too_large),
		cmocka_unit_test(test_pager_status_and_lost),
		cmocka_unit_test(test_pager_busy),
		cmocka_unit_test(test_retry_429_then_200),
		cmocka_unit_test(test_retry_after_honoured),
		cmocka_unit_test(test_retry_busy_forever),
		cmocka_unit_test(test_retry_lost_answer),
		cmocka_unit_test(test_http_url),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
