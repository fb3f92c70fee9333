/*
 * The HTTP client above its transport (vy_http.h): answers, headers, URLs
 * and the retry policy. No libcurl here: that is net/http_curl.c's.
 */
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/vy_http.h"

#define MS_PER_S 1000u

/* Append body bytes: at most max in all, NUL-terminated. */
vy_rc vy_http_answer_append(vy_http_answer *a, const void *data, size_t n, size_t max)
{
	uint8_t *p;

	if (n > max || a->len > max - n)
		return VY_R_TOO_LARGE;
	p = realloc(a->body, a->len + n + 1);
	if (p == NULL)
		return VY_R_NOMEM;
	memcpy(p + a->len, data, n);
	a->body = p;
	a->len += n;
	a->body[a->len] = 0;
	return VY_R_OK;
}

/* Keep value (blanks around it dropped) in out[VY_HTTP_HEADER_BYTES], cut
 * to fit. */
static void keep_value(char *out, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	if (n >= VY_HTTP_HEADER_BYTES)
		n = VY_HTTP_HEADER_BYTES - 1;
	memcpy(out, v, n);
	out[n] = 0;
}

/* The headers of board-api.md §2-§4 (names are case-insensitive). */
void vy_http_answer_header(vy_http_answer *a, const char *name, const char *value, size_t value_len)
{
	if (strcasecmp(name, VY_HDR_NEXT) == 0)
		keep_value(a->next, value, value_len);
	else if (strcasecmp(name, VY_HDR_SEQ) == 0)
		keep_value(a->seq, value, value_len);
	else if (strcasecmp(name, VY_HDR_TRACKING_CODE) == 0)
		keep_value(a->tracking_code, value, value_len);
	else if (strcasecmp(name, VY_HDR_RETRY_AFTER) == 0)
		keep_value(a->retry_after, value, value_len);
}

void vy_http_answer_free(vy_http_answer *a)
{
	free(a->body);
	memset(a, 0, sizeof *a);
}

/* 1..VY_NEXT_DIGITS decimal digits, nothing else. */
int vy_http_header_u64(const char *value, uint64_t *out)
{
	size_t n = strlen(value);
	unsigned long long v;
	char *end = NULL;

	*out = 0;
	if (n == 0 || n > VY_NEXT_DIGITS || strspn(value, "0123456789") != n)
		return -1;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0 || *end != 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* base without its trailing '/', then path and suffix. */
vy_rc vy_http_url(char *out, size_t cap, const char *base, const char *path, const char *suffix)
{
	size_t n = strlen(base);
	int w;

	while (n > 0 && base[n - 1] == '/')
		n--;
	w = snprintf(out, cap, "%.*s%s%s", (int)n, base, path, suffix != NULL ? suffix : "");
	if (w < 0 || (size_t)w >= cap) {
		if (cap > 0)
			out[0] = 0;
		return VY_R_ARG;
	}
	return VY_R_OK;
}

/* One request through the transport; the body never NULL after success. */
vy_rc vy_http_perform(const vy_http_transport *t, const vy_http_request *rq, vy_http_answer *a, vy_reason *why)
{
	vy_rc rc;

	memset(a, 0, sizeof *a);
	if (t == NULL)
		t = vy_http_libcurl();
	if (rq == NULL || rq->url == NULL || rq->method == NULL || t->perform == NULL)
		return vy_reason_set(why, VY_R_ARG, "HTTP request: NULL argument");
	rc = t->perform(t->ctx, rq, a, why);
	if (rc == VY_R_OK && a->body == NULL) {
		a->body = calloc(1, 1);
		if (a->body == NULL)
			rc = vy_reason_set(why, VY_R_NOMEM, "%s %s: out of memory", rq->method, rq->url);
	}
	if (rc != VY_R_OK)
		vy_http_answer_free(a);
	return rc;
}

vy_rc vy_http_get(const vy_http_transport *t, const char *url, size_t max, vy_http_answer *a, vy_reason *why)
{
	vy_http_request rq = { .method = VY_HTTP_GET, .url = url, .max_answer = max };

	return vy_http_perform(t, &rq, a, why);
}

vy_rc vy_http_post(const vy_http_transport *t, const char *url, const char *ct, const uint8_t *body, size_t len,
		   size_t max, vy_http_answer *a, vy_reason *why)
{
	vy_http_request rq = { .method = VY_HTTP_POST, .url = url, .content_type = ct, .body = body,
			       .body_len = len, .max_answer = max };

	return vy_http_perform(t, &rq, a, why);
}

/* ---- the retry policy ---- */

/* The doubling: first_ms before the second try, then twice as long each
 * time, up to VY_RETRY_MAX_MS; Retry-After (seconds) if it asks for more,
 * up to VY_RETRY_AFTER_MAX_MS. */
unsigned vy_http_retry_wait(const vy_http_retry *p, unsigned done, const char *retry_after)
{
	unsigned wait = p != NULL && p->first_ms != 0 ? p->first_ms : VY_RETRY_FIRST_MS;
	uint64_t s = 0;

	for (unsigned i = 1; i < done; i++)
		wait = wait > VY_RETRY_MAX_MS / 2 ? VY_RETRY_MAX_MS : wait * 2;
	if (retry_after != NULL && vy_http_header_u64(retry_after, &s) == 0) {
		unsigned asked = s > VY_RETRY_AFTER_MAX_MS / MS_PER_S ? VY_RETRY_AFTER_MAX_MS : (unsigned)s * MS_PER_S;

		if (asked > wait)
			wait = asked;
	}
	return wait;
}

#ifdef __EMSCRIPTEN__
/* In the booth (client/wasm/): give the page back while waiting, so that
 * the wait ends by a timer instead of a busy loop (Asyncify). */
static void sleep_for(unsigned ms)
{
	emscripten_sleep(ms);
}
#else
static void sleep_for(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / MS_PER_S), (long)(ms % MS_PER_S) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
#endif

/* Retry-After asks for more than VY_RETRY_AFTER_MAX_MS. */
static int long_wait(const char *retry_after)
{
	uint64_t s = 0;

	return vy_http_header_u64(retry_after, &s) == 0 && s > VY_RETRY_AFTER_MAX_MS / MS_PER_S;
}

/* Wait before the next try, telling p's caller first. */
static void retry_pause(const vy_http_retry *p, unsigned done, int busy, const char *retry_after)
{
	unsigned wait = vy_http_retry_wait(p, done, busy ? retry_after : NULL);

	if (p != NULL && p->on_retry != NULL)
		p->on_retry(p->ctx, busy, wait);
	if (p != NULL && p->sleep_ms != NULL)
		p->sleep_ms(p->ctx, wait);
	else
		sleep_for(wait);
}

vy_rc vy_http_send(const vy_http_transport *t, const vy_http_retry *p, const vy_http_request *rq, vy_http_answer *a,
		   vy_reason *why)
{
	unsigned tries = p != NULL && p->tries != 0 ? p->tries : VY_RETRY_TRIES;
	char retry_after[VY_HTTP_HEADER_BYTES] = "";
	long status = 0;
	int busy = 0; /* the last try was answered 429/503, not lost */
	vy_rc rc;

	memset(a, 0, sizeof *a);
	for (unsigned done = 0; done < tries; done++) {
		if (done > 0)
			retry_pause(p, done, busy, retry_after);
		rc = vy_http_perform(t, rq, a, why);
		if (rc == VY_R_IO && p != NULL && p->idempotent) {
			busy = 0;
			continue;
		}
		if (rc != VY_R_OK || (a->status != 429 && a->status != 503))
			return rc;
		if (p != NULL && p->long_wait_returns && long_wait(a->retry_after))
			return VY_R_OK;
		busy = 1;
		status = a->status;
		memcpy(retry_after, a->retry_after, sizeof retry_after);
		vy_http_answer_free(a);
	}
	if (busy)
		return vy_reason_set(why, VY_R_IO, "busy (HTTP %ld) after %u tries", status, tries);
	return vy_reason_set(why, VY_R_IO, "no answer after %u tries", tries);
}
