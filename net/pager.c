/*
 * The record pager (vy_pager.h, specs/board-api.md §4): answer after
 * answer, each checked before its frames are handed on.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/vy_pager.h"
#include "protocol/vy_record.h"

#define HTTP_OK 200

/* The whole frames of frames[0..len) (protocol/record_io.c): their number
 * in *count. */
static vy_rc count_frames(const uint8_t *frames, size_t len, uint64_t *count, vy_reason *why)
{
	const uint8_t *entry;
	size_t off = 0, n;
	vy_rc rc;

	*count = 0;
	while ((rc = vy_record_frame_next(frames, len, &off, &entry, &n, why)) == VY_R_OK && entry != NULL)
		++*count;
	return rc;
}

/* One answer to GET url, asked from entry `from`: a 200 that starts with
 * the magic line, holds whole frames, and whose X-Vybar-Next is from plus
 * their number. *count receives that number. An answer that breaks the API
 * is VY_R_MALFORMED (or the framing's reason), not VY_R_IO: the board
 * answered, and what it said was wrong. */
static vy_rc check_answer(const char *url, uint64_t from, const vy_http_answer *a, uint64_t *count, vy_reason *why)
{
	vy_reason inner = { 0 };
	uint64_t next = 0;
	vy_rc rc;

	*count = 0;
	if (a->status != HTTP_OK)
		return vy_reason_set(why, VY_R_IO, "GET %s: HTTP status %ld", url, a->status);
	if (a->len < VY_RECORD_MAGIC_LEN || memcmp(a->body, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0)
		return vy_reason_set(why, VY_R_BAD_MAGIC, "GET %s: the answer does not start with the record magic",
				     url);
	if (a->next[0] == 0)
		return vy_reason_set(why, VY_R_MALFORMED, "GET %s: no " VY_HDR_NEXT " header", url);
	if (vy_http_header_u64(a->next, &next) != 0)
		return vy_reason_set(why, VY_R_MALFORMED, "GET %s: bad " VY_HDR_NEXT " header \"%s\"", url, a->next);
	if (next < from)
		return vy_reason_set(why, VY_R_MALFORMED, "GET %s: " VY_HDR_NEXT " %" PRIu64 " goes back from %" PRIu64, url,
				     next, from);
	rc = count_frames(a->body + VY_RECORD_MAGIC_LEN, a->len - VY_RECORD_MAGIC_LEN, count, &inner);
	if (rc != VY_R_OK)
		return vy_reason_set(why, rc, "GET %s: the answer is not whole frames: %s", url, inner.msg);
	if (next != from + *count)
		return vy_reason_set(why, VY_R_MALFORMED,
				     "GET %s: " VY_HDR_NEXT " is %" PRIu64 " after %" PRIu64 " entries from %" PRIu64,
				     url, next, *count, from);
	return VY_R_OK;
}

/* GET the answer from entry `from` into *a and check it. */
static vy_rc get_page(const vy_pager *p, uint64_t from, vy_http_answer *a, uint64_t *count, vy_reason *why)
{
	char url[VY_HTTP_URL_BYTES], num[VY_NEXT_DIGITS + 1];
	vy_http_request rq = { .method = VY_HTTP_GET, .max_answer = VY_MAX_RECORD_ANSWER_BYTES,
			       .timeout_s = VY_PAGER_TIMEOUT_S };
	vy_rc rc;

	memset(a, 0, sizeof *a);
	snprintf(num, sizeof num, "%" PRIu64, from);
	if (vy_http_url(url, sizeof url, p->base, VY_PATH_RECORD_FROM, num) != VY_R_OK)
		return vy_reason_set(why, VY_R_ARG, "the board URL is too long");
	rq.url = url;
	rc = vy_http_send(p->transport, p->retry, &rq, a, why);
	if (rc == VY_R_OK)
		rc = check_answer(url, from, a, count, why);
	return rc;
}

vy_rc vy_pager_run(const vy_pager *p, vy_pager_count *n, vy_reason *why)
{
	vy_pager_count local;
	uint64_t from = p->from;

	if (n == NULL)
		n = &local;
	memset(n, 0, sizeof *n);
	n->next = from;
	for (;;) {
		vy_http_answer a;
		uint64_t count = 0;
		vy_rc rc = get_page(p, from, &a, &count, why);

		n->pages++;
		if (rc == VY_R_OK && count > 0)
			rc = p->page(p->ctx, from, a.body + VY_RECORD_MAGIC_LEN, a.len - VY_RECORD_MAGIC_LEN, count,
				     why);
		if (rc == VY_R_OK) {
			n->entries += count;
			n->bytes += a.len - VY_RECORD_MAGIC_LEN;
		}
		vy_http_answer_free(&a);
		if (rc != VY_R_OK || count == 0)
			return rc;
		from += count;
		n->next = from;
	}
}

/* ---- into memory ---- */

typedef struct {
	uint8_t *buf;
	size_t len, cap;
} memory;

/* Append an answer's frames to the record image in memory. */
static vy_rc to_memory(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count, vy_reason *why)
{
	memory *m = ctx;

	(void)from, (void)count;
	if ((uint64_t)m->len + len > VY_PAGER_MAX_MEMORY_BYTES || len > SIZE_MAX / 2 - m->len)
		return vy_reason_set(why, VY_R_TOO_LARGE, "the record is larger than %llu bytes",
				     (unsigned long long)VY_PAGER_MAX_MEMORY_BYTES);
	if (m->len + len > m->cap) {
		size_t cap = 2 * (m->len + len);
		uint8_t *nb = realloc(m->buf, cap);

		if (nb == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "the record: out of memory");
		m->buf = nb;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, frames, len);
	m->len += len;
	return VY_R_OK;
}

vy_rc vy_pager_fetch_all(const vy_http_transport *t, const char *base, uint8_t **buf, size_t *len, vy_reason *why)
{
	memory m = { malloc(VY_RECORD_MAGIC_LEN), VY_RECORD_MAGIC_LEN, VY_RECORD_MAGIC_LEN };
	vy_pager p = { t, base, 0, to_memory, &m, NULL };
	vy_rc rc;

	*buf = NULL;
	*len = 0;
	if (m.buf == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "the record: out of memory");
	memcpy(m.buf, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	rc = vy_pager_run(&p, NULL, why);
	if (rc != VY_R_OK) {
		free(m.buf);
		return rc;
	}
	*buf = m.buf;
	*len = m.len;
	return VY_R_OK;
}

/* ---- to a file ---- */

static vy_rc to_file(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count, vy_reason *why)
{
	(void)from, (void)count;
	if (fwrite(frames, 1, len, (FILE *)ctx) != len)
		return vy_reason_set(why, VY_R_IO, "cannot write the record file");
	return VY_R_OK;
}

vy_rc vy_pager_to_file(const vy_http_transport *t, const char *base, uint64_t from, FILE *out, vy_pager_count *n,
		       vy_reason *why)
{
	vy_pager p = { t, base, from, to_file, out, NULL };

	if (fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, out) != VY_RECORD_MAGIC_LEN)
		return vy_reason_set(why, VY_R_IO, "cannot write the record file");
	return vy_pager_run(&p, n, why);
}

/* ---- through a pipe ---- */

/* Write all of len bytes into the pipe; -1 once the reader closed it. */
static int pipe_put(int fd, const uint8_t *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

static vy_rc to_pipe(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count, vy_reason *why)
{
	vy_pager_stream *s = ctx;

	(void)from, (void)count;
	if (pipe_put(s->wfd, frames, len) == 0)
		return VY_R_OK;
	s->reader_gone = 1;
	return vy_reason_set(why, VY_R_IO, "the reader closed the record before its end");
}

/* The thread: the magic line, then every answer's frames; then EOF. */
static void *stream_main(void *arg)
{
	vy_pager_stream *s = arg;

	if (pipe_put(s->wfd, (const uint8_t *)VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0) {
		s->reader_gone = 1;
		s->rc = vy_reason_set(&s->why, VY_R_IO, "the reader closed the record before its end");
	} else {
		s->rc = vy_pager_run(&s->p, &s->n, &s->why);
	}
	close(s->wfd);
	s->wfd = -1;
	return NULL;
}

vy_rc vy_pager_stream_open(vy_pager_stream *s, const vy_http_transport *t, const char *base, vy_reason *why)
{
	int fds[2];

	memset(s, 0, sizeof *s);
	s->wfd = -1;
	if ((size_t)snprintf(s->base, sizeof s->base, "%s", base) >= sizeof s->base)
		return vy_reason_set(why, VY_R_ARG, "the board URL is too long");
	s->p = (vy_pager){ t, s->base, 0, to_pipe, s, NULL };
	if (pipe(fds) != 0)
		return vy_reason_set(why, VY_R_IO, "cannot make a pipe");
	s->wfd = fds[1];
	s->f = fdopen(fds[0], "rb");
	if (s->f != NULL && pthread_create(&s->thread, NULL, stream_main, s) == 0)
		return VY_R_OK;
	if (s->f != NULL)
		fclose(s->f);
	else
		close(fds[0]);
	close(fds[1]);
	s->f = NULL;
	s->wfd = -1;
	return vy_reason_set(why, VY_R_IO, "cannot start reading the board");
}

vy_rc vy_pager_stream_close(vy_pager_stream *s)
{
	if (s->f == NULL)
		return s->rc;
	fclose(s->f); /* the thread's next write fails: it stops */
	s->f = NULL;
	pthread_join(s->thread, NULL);
	return s->rc;
}
