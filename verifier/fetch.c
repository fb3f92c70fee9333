/*
 * A record source: a file, or a board URL whose record is fetched answer
 * after answer (GET /v1/record?from=N, following X-Vybar-Next, specs/
 * board-api.md) by a libcurl thread and streamed through a pipe as one
 * record: the magic line once, then every frame in order (flat memory).
 *
 * And the same answers saved to a record file (vybar-verify fetch), one in
 * memory at a time, and the last frame of a record file (the RESULT that
 * vybar-verify record --result prints once the record verifies).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "protocol/vy_record.h"
#include "verifier/fetch.h"

#define RECORD_PATH "/v1/record?from="
#define NEXT_HEADER "X-Vybar-Next:"
#define NEXT_DIGITS 20
#define WHY_BYTES 256

/* One answer being streamed: its magic line, its X-Vybar-Next header, and
 * why it was refused (empty if it was not). */
typedef struct {
	vyv_source *s;
	int first;                         /* the first answer: pass its magic on */
	uint64_t from;                     /* the sequence number asked for */
	uint64_t next;                     /* the parsed header, once checked */
	char next_s[NEXT_DIGITS + 1];      /* the header's digits, "" if absent */
	int header_seen;
	int checked;                       /* magic and header checked */
	uint8_t magic[VY_RECORD_MAGIC_LEN];
	size_t magic_got;
	uint64_t frame_bytes;              /* bytes after the magic line */
	char why[WHY_BYTES];
} page;

/* Write all of len bytes into the pipe; 0 on success, -1 if it is closed. */
static int pipe_put(int fd, const char *data, size_t len)
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

/* Check an answer once its magic line is in: the magic, then a present,
 * well-formed X-Vybar-Next that does not go back. 0, or -1 with p->why. */
static int page_check(page *p)
{
	char *end = NULL;

	if (p->checked)
		return 0;
	if (p->magic_got < VY_RECORD_MAGIC_LEN || memcmp(p->magic, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0) {
		snprintf(p->why, sizeof p->why, "the answer does not start with the record magic");
		return -1;
	}
	if (!p->header_seen || p->next_s[0] == 0) {
		snprintf(p->why, sizeof p->why, "no X-Vybar-Next header");
		return -1;
	}
	p->next = strtoull(p->next_s, &end, 10);
	if (*end != 0) {
		snprintf(p->why, sizeof p->why, "bad X-Vybar-Next header");
		return -1;
	}
	if (p->next < p->from) {
		snprintf(p->why, sizeof p->why, "X-Vybar-Next %" PRIu64 " goes back from %" PRIu64, p->next, p->from);
		return -1;
	}
	p->checked = 1;
	return 0;
}

/* curl's write callback: collect and check the answer's magic line (passed
 * on only for the first answer), then stream its frames into the pipe. A
 * refused answer or a closed pipe aborts the transfer. */
static size_t write_page(char *data, size_t size, size_t n, void *arg)
{
	page *p = arg;
	size_t len = size * n, take = 0;

	if (p->magic_got < VY_RECORD_MAGIC_LEN) {
		take = VY_RECORD_MAGIC_LEN - p->magic_got;
		if (take > len)
			take = len;
		memcpy(p->magic + p->magic_got, data, take);
		p->magic_got += take;
		if (p->magic_got < VY_RECORD_MAGIC_LEN)
			return len;
		if (page_check(p) != 0)
			return 0;
		if (p->first && pipe_put(p->s->wfd, (const char *)p->magic, VY_RECORD_MAGIC_LEN) != 0)
			return 0;
	}
	if (len > take && pipe_put(p->s->wfd, data + take, len - take) != 0)
		return 0;
	p->frame_bytes += len - take;
	return len;
}

/* If the header line h[0..len) is X-Vybar-Next, its value (digits only,
 * at most NEXT_DIGITS) goes to next_s and *seen is set. */
static void next_header(const char *h, size_t len, char *next_s, int *seen)
{
	size_t k = strlen(NEXT_HEADER), d = 0;

	if (len <= k || strncasecmp(h, NEXT_HEADER, k) != 0)
		return;
	h += k;
	len -= k;
	while (len > 0 && *h == ' ') {
		h++;
		len--;
	}
	while (d < len && d < NEXT_DIGITS && h[d] >= '0' && h[d] <= '9') {
		next_s[d] = h[d];
		d++;
	}
	next_s[d] = 0;
	*seen = 1;
}

/* curl's header callback: keep the value of X-Vybar-Next (digits only). */
static size_t header_page(char *h, size_t size, size_t n, void *arg)
{
	page *p = arg;

	next_header(h, size * n, p->next_s, &p->header_seen);
	return size * n;
}

/* Fetch one answer (from p->from) into the pipe: 0, or -1 with s->curl_rc
 * set (and p->why if the board's answer itself was refused). */
static int fetch_page(CURL *c, vyv_source *s, page *p)
{
	long status = 0;
	CURLcode cc;
	int n;

	n = snprintf(s->url, sizeof s->url, "%s%s%" PRIu64, s->base,
		     s->base[0] != 0 && s->base[strlen(s->base) - 1] == '/' ? RECORD_PATH + 1 : RECORD_PATH, p->from);
	if (n < 0 || (size_t)n >= sizeof s->url) {
		s->curl_rc = CURLE_URL_MALFORMAT; /* the board URL is too long */
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_page);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_page);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	s->http_status = status;
	if (cc == CURLE_OK && status != 200)
		snprintf(p->why, sizeof p->why, "HTTP status %ld", status);
	else if (cc == CURLE_OK)
		(void)page_check(p); /* an answer shorter than the magic line */
	if (p->why[0] != 0) {
		s->curl_rc = (int)CURLE_WEIRD_SERVER_REPLY;
		return -1;
	}
	s->curl_rc = (int)cc;
	return cc == CURLE_OK ? 0 : -1;
}

/* The transfer thread: ask for answer after answer, from=0 on, each from
 * the previous one's X-Vybar-Next, until an answer holds no frame (or the
 * header stays put); then close the pipe's write end (EOF). */
static void *fetch_main(void *arg)
{
	vyv_source *s = arg;
	CURL *c = curl_easy_init();
	uint64_t from = 0;
	int first = 1;

	if (c == NULL)
		s->curl_rc = (int)CURLE_FAILED_INIT;
	while (c != NULL) {
		page p;

		memset(&p, 0, sizeof p);
		p.s = s;
		p.first = first;
		p.from = from;
		if (fetch_page(c, s, &p) != 0) {
			if (p.why[0] != 0)
				fprintf(stderr, "vybar-verify: board GET %s: %s\n", s->url, p.why);
			break;
		}
		if (p.frame_bytes == 0 || p.next == from)
			break;
		first = 0;
		from = p.next;
	}
	if (c != NULL)
		curl_easy_cleanup(c);
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
	if (snprintf(s->base, sizeof s->base, "%s", source) >= (int)(sizeof s->base - NEXT_DIGITS - sizeof RECORD_PATH))
		return -1;
	snprintf(s->url, sizeof s->url, "%s", source);
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

/* ---- the whole record, saved (vybar-verify fetch) ---- */

/* An answer can exceed 8 MiB by its last frame (board-api.md §4). */
#define PAGE_MAX_BYTES ((size_t)VY_RECORD_MAGIC_LEN + (8u << 20) + 4u + VY_MAX_ENTRY_BYTES)

/* One answer, in memory. */
typedef struct {
	uint8_t *data;
	size_t len, cap;
	char next_s[NEXT_DIGITS + 1];
	int header_seen;
} answer;

static size_t answer_write(char *data, size_t size, size_t n, void *arg)
{
	answer *a = arg;
	size_t len = size * n;

	if (len > PAGE_MAX_BYTES - a->len)
		return 0; /* larger than any answer of a board */
	if (a->len + len > a->cap) {
		size_t cap = a->cap ? a->cap : 1u << 16;
		uint8_t *nd;

		while (cap < a->len + len)
			cap *= 2;
		nd = realloc(a->data, cap);
		if (nd == NULL)
			return 0;
		a->data = nd;
		a->cap = cap;
	}
	memcpy(a->data + a->len, data, len);
	a->len += len;
	return len;
}

static size_t answer_header(char *h, size_t size, size_t n, void *arg)
{
	answer *a = arg;

	next_header(h, size * n, a->next_s, &a->header_seen);
	return size * n;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The frames of one answer after its magic line: whole, each 1..max
 * bytes; their number in *count and where the last starts in *last. */
static int frames_of(const uint8_t *p, size_t len, uint64_t *count, size_t *last)
{
	size_t at = 0;

	*count = 0;
	while (at < len) {
		uint32_t n;

		if (len - at < 4)
			return -1;
		n = be32(p + at);
		if (n == 0 || n > VY_MAX_ENTRY_BYTES || len - at - 4 < n)
			return -1;
		*last = at;
		at += 4 + (size_t)n;
		++*count;
	}
	return 0;
}

int vyv_fetch(const char *base, uint64_t from, FILE *out, vyv_fetched *got, char *err, size_t err_cap)
{
	CURL *c = curl_easy_init();
	char url[2048 + sizeof RECORD_PATH + NEXT_DIGITS];
	const char *slash;
	int rc = -1;

	memset(got, 0, sizeof *got);
	err[0] = 0;
	if (c == NULL) {
		snprintf(err, err_cap, "cannot start libcurl");
		return -1;
	}
	slash = base[0] != 0 && base[strlen(base) - 1] == '/' ? RECORD_PATH + 1 : RECORD_PATH;
	if (fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, out) != VY_RECORD_MAGIC_LEN) {
		snprintf(err, err_cap, "cannot write the record file");
		goto out;
	}
	got->bytes = VY_RECORD_MAGIC_LEN;
	for (;;) {
		answer a;
		long status = 0;
		uint64_t count = 0, next;
		size_t last = 0, body;
		char *end = NULL;
		CURLcode cc;
		int n = snprintf(url, sizeof url, "%s%s%" PRIu64, base, slash, from);

		if (n < 0 || (size_t)n >= sizeof url) {
			snprintf(err, err_cap, "the board URL is too long");
			goto out;
		}
		memset(&a, 0, sizeof a);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, answer_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, answer_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		got->pages++;
		if (cc != CURLE_OK)
			snprintf(err, err_cap, "GET %s: %s", url, curl_easy_strerror(cc));
		else if (status != 200)
			snprintf(err, err_cap, "GET %s: HTTP status %ld", url, status);
		else if (a.len < VY_RECORD_MAGIC_LEN || memcmp(a.data, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0)
			snprintf(err, err_cap, "GET %s: the answer does not start with the record magic", url);
		else if (!a.header_seen || a.next_s[0] == 0 || (next = strtoull(a.next_s, &end, 10), *end != 0))
			snprintf(err, err_cap, "GET %s: no X-Vybar-Next header", url);
		else if (frames_of(a.data + VY_RECORD_MAGIC_LEN, a.len - VY_RECORD_MAGIC_LEN, &count, &last) != 0)
			snprintf(err, err_cap, "GET %s: the answer ends inside a frame", url);
		else if (next != from + count)
			snprintf(err, err_cap,
				 "GET %s: X-Vybar-Next is %" PRIu64 " after %" PRIu64 " entries from %" PRIu64, url,
				 next, count, from);
		if (err[0] != 0) {
			free(a.data);
			goto out;
		}
		body = a.len - VY_RECORD_MAGIC_LEN;
		if (count > 0) {
			uint8_t *lp = a.data + VY_RECORD_MAGIC_LEN + last;
			size_t ln = be32(lp);

			free(got->last);
			got->last = malloc(ln);
			if (got->last == NULL || fwrite(a.data + VY_RECORD_MAGIC_LEN, 1, body, out) != body) {
				snprintf(err, err_cap, "%s",
					 got->last == NULL ? "out of memory" : "cannot write the record file");
				free(a.data);
				goto out;
			}
			memcpy(got->last, lp + 4, ln);
			got->last_len = ln;
			got->entries += count;
			got->bytes += body;
		}
		free(a.data);
		if (count == 0)
			break;
		from = next;
	}
	rc = 0;
out:
	curl_easy_cleanup(c);
	if (rc != 0) {
		free(got->last);
		got->last = NULL;
		got->last_len = 0;
	}
	return rc;
}

int vyv_last_frame(FILE *f, uint8_t **entry, size_t *len, uint64_t *count)
{
	uint8_t magic[VY_RECORD_MAGIC_LEN], hdr[4];
	off_t last = -1;
	uint32_t n = 0, last_n = 0;

	*entry = NULL;
	*count = 0;
	if (fread(magic, 1, sizeof magic, f) != sizeof magic || memcmp(magic, VY_RECORD_MAGIC, sizeof magic) != 0)
		return -1;
	while (fread(hdr, 1, 4, f) == 4) {
		n = be32(hdr);
		if (n == 0 || n > VY_MAX_ENTRY_BYTES)
			return -1;
		last = ftello(f);
		last_n = n;
		if (fseeko(f, (off_t)n, SEEK_CUR) != 0)
			return -1;
		++*count;
	}
	if (ferror(f) || last < 0 || fseeko(f, last, SEEK_SET) != 0)
		return -1;
	*entry = malloc(last_n);
	if (*entry == NULL || fread(*entry, 1, last_n, f) != last_n) {
		free(*entry);
		*entry = NULL;
		return -1;
	}
	*len = last_n;
	return 0;
}
