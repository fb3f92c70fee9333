/*
 * The default transport of vy_http.h: one request with libcurl. The only
 * file of Vybar's clients that calls libcurl.
 */
#include <string.h>

#include <curl/curl.h>

#include "net/vy_http.h"

/* One exchange under way. */
typedef struct {
	vy_http_answer *a;
	size_t max;
	vy_rc body_rc; /* why the body was refused (VY_R_OK if it was not) */
} exchange;

/* libcurl's body callback: append, refusing more than the cap. */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	exchange *x = arg;

	x->body_rc = vy_http_answer_append(x->a, data, size * n, x->max);
	return x->body_rc == VY_R_OK ? size * n : 0;
}

/* libcurl's header callback: "Name: value\r\n", one line at a time. */
static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	exchange *x = arg;
	size_t len = size * n;
	const char *colon = memchr(line, ':', len);
	char name[VY_HTTP_HEADER_BYTES];
	size_t k = colon != NULL ? (size_t)(colon - line) : 0;

	if (colon != NULL && k > 0 && k < sizeof name) {
		memcpy(name, line, k);
		name[k] = 0;
		vy_http_answer_header(x->a, name, colon + 1, len - k - 1);
	}
	return len;
}

/* The request's options on handle c; *h receives the header list to free. */
static void set_request(CURL *c, const vy_http_request *rq, exchange *x, struct curl_slist **h)
{
	char ct[VY_HTTP_HEADER_BYTES + 16];

	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(rq->timeout_s != 0 ? rq->timeout_s : VY_HTTP_TIMEOUT_S));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(rq->method, VY_HTTP_POST) != 0)
		return;
	if (rq->content_type != NULL) {
		snprintf(ct, sizeof ct, "Content-Type: %s", rq->content_type);
		*h = curl_slist_append(*h, ct);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, *h);
	}
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body != NULL ? (const char *)rq->body : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
}

/* One request: the transport function of vy_http_libcurl. */
static vy_rc curl_perform(void *ctx, const vy_http_request *rq, vy_http_answer *a, vy_reason *why)
{
	exchange x = { a, rq->max_answer, VY_R_OK };
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	CURLcode cc;

	(void)ctx;
	if (c == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "%s %s: cannot start libcurl", rq->method, rq->url);
	set_request(c, rq, &x, &h);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc == CURLE_OK)
		return VY_R_OK;
	if (x.body_rc == VY_R_TOO_LARGE)
		return vy_reason_set(why, VY_R_TOO_LARGE, "%s %s: the answer is larger than %zu bytes", rq->method,
				     rq->url, rq->max_answer);
	if (x.body_rc == VY_R_NOMEM)
		return vy_reason_set(why, VY_R_NOMEM, "%s %s: out of memory", rq->method, rq->url);
	return vy_reason_set(why, VY_R_IO, "%s %s: no answer (%s)", rq->method, rq->url, curl_easy_strerror(cc));
}

const vy_http_transport *vy_http_libcurl(void)
{
	static const vy_http_transport t = { curl_perform, NULL };

	return &t;
}

vy_rc vy_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? VY_R_OK : VY_R_IO;
}

void vy_http_global_cleanup(void)
{
	curl_global_cleanup();
}
