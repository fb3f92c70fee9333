/*
 * The one reader of a board's record over HTTP (specs/board-api.md §4,
 * GET VY_PATH_RECORD_FROM "N"): from entry N, answer after answer, each
 * from the previous one's X-Vybar-Next, until an answer holds no frame.
 * Every answer is checked before its frames are handed on: HTTP 200, the
 * record magic line first, whole frames of 1..VY_MAX_ENTRY_BYTES
 * (protocol/record_io.c), and X-Vybar-Next = N + its frames (so it never
 * goes back, and advances while frames come). One answer is in memory at
 * a time (at most VY_MAX_RECORD_ANSWER_BYTES). A busy board (429, 503) is
 * asked again after the wait it asks for (net/vy_http.h's retry policy).
 *
 * The frames go to a callback per answer; or into memory as a record file
 * (vy_pager_fetch_all), to a FILE* as a record file (vy_pager_to_file), or
 * through a pipe that a thread fills while the caller reads the record
 * (vy_pager_stream).
 */
#ifndef VY_PAGER_H
#define VY_PAGER_H

#include <pthread.h>
#include <stdio.h>

#include "net/vy_http.h"

/* One answer may take this long (seconds). */
#define VY_PAGER_TIMEOUT_S 120u
/* vy_pager_fetch_all refuses a record larger than this. */
#define VY_PAGER_MAX_MEMORY_BYTES (1ull << 34)

/* One answer's frames, checked: count whole frames (u32be(len) ||
 * RecordEntry each) of entries from .. from + count - 1, in frames[0..len).
 * Anything but VY_R_OK stops the paging with that code and reason. */
typedef vy_rc (*vy_pager_page_fn)(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count,
				  vy_reason *why);

typedef struct {
	const vy_http_transport *transport; /* NULL: libcurl */
	const char *base;                   /* the board's URL */
	uint64_t from;                      /* the first entry asked for */
	vy_pager_page_fn page;              /* every answer that holds frames */
	void *ctx;
	/* An answer 429 or 503 (a busy board) is asked again by this policy
	 * (vy_http_send, honouring Retry-After, bounded in tries and wait);
	 * NULL: its defaults. A lost answer is asked again only where the
	 * policy says idempotent (not by default). */
	const vy_http_retry *retry;
} vy_pager;

/* What a paging read. */
typedef struct {
	uint64_t entries; /* frames handed on */
	uint64_t bytes;   /* their bytes (the magic lines not counted) */
	uint64_t pages;   /* answers of the board, the last (empty) one counted */
	uint64_t next;    /* the entry after the last one handed on */
} vy_pager_count;

/* Page through the record. VY_R_OK once an answer holds no frame; else the
 * failing code, the reason "GET <url>: <what>" (e.g. "no X-Vybar-Next
 * header", "X-Vybar-Next 1 goes back from 3", "the answer does not start
 * with the record magic"), or the page callback's. n may be NULL. */
vy_rc vy_pager_run(const vy_pager *p, vy_pager_count *n, vy_reason *why) VY_WARN_UNUSED;

/* The whole record from entry 0 as a record file image (the magic line,
 * then every frame) in *buf (malloc'd, *len bytes). */
vy_rc vy_pager_fetch_all(const vy_http_transport *t, const char *base, uint8_t **buf, size_t *len,
			 vy_reason *why) VY_WARN_UNUSED;

/* The record from entry `from` written to out as a record file: the magic
 * line, then every answer's frames byte for byte. n may be NULL. */
vy_rc vy_pager_to_file(const vy_http_transport *t, const char *base, uint64_t from, FILE *out, vy_pager_count *n,
		       vy_reason *why) VY_WARN_UNUSED;

/* The record from entry 0 read as a record file through f while a thread
 * pages it into a pipe. Ignore SIGPIPE in a program that may close f
 * before the end. */
typedef struct {
	FILE *f;          /* read the record here */
	int wfd;          /* the pipe's write end, the thread's */
	pthread_t thread;
	vy_pager p;
	char base[VY_HTTP_URL_BYTES];
	vy_rc rc;         /* once closed: how the paging ended */
	int reader_gone;  /* it ended because f was closed before the end */
	vy_reason why;
	vy_pager_count n;
} vy_pager_stream;

vy_rc vy_pager_stream_open(vy_pager_stream *s, const vy_http_transport *t, const char *base,
			   vy_reason *why) VY_WARN_UNUSED;
/* Close f and wait for the thread: its outcome (s->rc, s->why). */
vy_rc vy_pager_stream_close(vy_pager_stream *s) VY_WARN_UNUSED;

#endif
