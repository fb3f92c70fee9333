/*
 * A record source: a file, or a board URL whose GET /v1/record?from=0 is
 * streamed through a pipe by a libcurl thread (flat memory).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "verifier/fetch.h"

#define RECORD_PATH "/v1/record?from=0"
#define URL_MAX_BYTES 2048

/* curl's write callback: into the pipe; a short write aborts the transfer. */
static size_t write_pipe(char *data, size_t size, size_t n, void *arg)
{
	int fd = *(int *)arg;
	size_t len = size * n, done = 0;

	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w <= 0)
			return 0;
		done += (size_t)w;
	}
	return len;
}

/* The transfer thread: fetch, then close the pipe's write end (EOF). */
static void *fetch_main(void *arg)
{
	vyv_source *s = arg;
	CURL *c = curl_easy_init();
	long status = 0;

	if (c != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, s->url);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_pipe);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->wfd);
		curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		s->curl_rc = (int)curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		s->http_status = status;
		curl_easy_cleanup(c);
	} else {
		s->curl_rc = (int)CURLE_FAILED_INIT;
	}
	close(s->wfd);
	s->wfd = -1;
	return NULL;
}

int vyv_source_open(vyv_source *s, const char *source)
{
	int fds[2];

	memset(s, 0, sizeof *s);
	s->wfd = -1;
	if (strncmp(source, "http://", 7) != 0 && strncmp(source, "https://", 8) != 0) {
		s->f = fopen(source, "rb");
		return s->f != NULL ? 0 : -1;
	}
	s->is_url = 1;
	snprintf(s->url, sizeof s->url, "%s%s", source, source[strlen(source) - 1] == '/' ? RECORD_PATH + 1 : RECORD_PATH);
	if (pipe(fds) != 0)
		return -1;
	s->wfd = fds[1];
	s->f = fdopen(fds[0], "rb");
	if (s->f == NULL || pthread_create(&s->thread, NULL, fetch_main, s) != 0) {
		if (s->f != NULL)
			fclose(s->f);
		else
			close(fds[0]);
		close(fds[1]);
		s->f = NULL;
		return -1;
	}
	return 0;
}

int vyv_source_close(vyv_source *s)
{
	int ok = 1;

	if (s->f != NULL)
		fclose(s->f); /* the transfer thread's next write fails: it stops */
	if (s->is_url) {
		pthread_join(s->thread, NULL);
		ok = s->curl_rc == 0;
	}
	s->f = NULL;
	return ok ? 0 : -1;
}
