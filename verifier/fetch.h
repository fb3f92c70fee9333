/* A record source for vybar-verify: a file or a board URL (fetch.c); and
 * the whole record of a board saved page by page (vybar-verify fetch). */
#ifndef VYV_FETCH_H
#define VYV_FETCH_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
	FILE *f;          /* read the record from here */
	int is_url;
	char base[2048];  /* the board URL as given */
	char url[2048];   /* the request under way (or last made) */
	int wfd;          /* the pipe's write end, owned by the transfer thread */
	pthread_t thread;
	int curl_rc;      /* CURLcode of the transfer, once closed */
	long http_status;
} vyv_source;

/* Open a file, or start streaming the board SOURCE's record, answer after
 * answer (GET /v1/record?from=N, following X-Vybar-Next). 0 or -1. */
int vyv_source_open(vyv_source *s, const char *source);
/* Close; for a URL, wait for the transfer: -1 if it failed. */
int vyv_source_close(vyv_source *s);

/* What vyv_fetch wrote. */
typedef struct {
	uint64_t entries;  /* frames written (entries from..from+entries-1) */
	uint64_t bytes;    /* bytes written, the magic line included */
	uint64_t pages;    /* answers of the board */
	uint8_t *last;     /* the last frame's RecordEntry bytes (malloc'd), or NULL */
	size_t last_len;
} vyv_fetched;

/* The board base's record from entry `from` on (board-api.md §4: GET
 * /v1/record?from=N, following X-Vybar-Next until an answer holds no
 * frame) written to out as a record file (protocol.md §7.6): the magic
 * line once, then every answer's frames byte for byte. Each answer must
 * start with the magic line, carry X-Vybar-Next = N + its number of
 * frames, and hold whole frames of 1..VY_MAX_ENTRY_BYTES bytes. 0, or -1
 * with the reason in err. Free got->last. */
int vyv_fetch(const char *base, uint64_t from, FILE *out, vyv_fetched *got, char *err, size_t err_cap);

/* The last frame (RecordEntry bytes, malloc'd) of the record file f, by
 * skipping over the frames; 0, or -1 (no frame, or a broken file). */
int vyv_last_frame(FILE *f, uint8_t **entry, size_t *len, uint64_t *count);

#endif
