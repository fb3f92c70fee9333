/* A record source for vybar-verify: a file or a board URL (fetch.c), and
 * the last frame of a record file. */
#ifndef VYV_FETCH_H
#define VYV_FETCH_H

#include <stdint.h>
#include <stdio.h>

#include "net/vy_pager.h"

typedef struct {
	FILE *f;                 /* read the record from here */
	int is_url;
	vy_pager_stream stream;  /* a board URL's record, paged into f */
} vyv_source;

/* Open a file, or start streaming the board SOURCE's record answer after
 * answer (net/vy_pager.h). 0 or -1. */
int vyv_source_open(vyv_source *s, const char *source);
/* Close; for a URL, wait for the transfer: -1 if it failed
 * (s->stream.why says why, s->stream.reader_gone if only because f was
 * closed before the end). */
int vyv_source_close(vyv_source *s);

/* The last frame (RecordEntry bytes, malloc'd) of the record file f, by
 * skipping over the frames; 0, or -1 (no frame, or a broken file). */
int vyv_last_frame(FILE *f, uint8_t **entry, size_t *len, uint64_t *count);

#endif
