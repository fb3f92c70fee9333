/* A record source for vybar-verify: a file or a board URL (fetch.c). */
#ifndef VYV_FETCH_H
#define VYV_FETCH_H

#include <pthread.h>
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

#endif
