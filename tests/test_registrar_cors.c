/*
 * The registrar's CORS for the browser booth (specs/registrar.md §4.5):
 * `vybar-registrar serve --booth-origin ORIGIN` on 127.0.0.1, asked with
 * libcurl as a browser would. Only a booth origin, only POST
 * /v1/register, only the Content-Type header get a permission; every
 * other origin, method, header or path gets no CORS header at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "protocol/vy_api.h"
#include "tests/support/registrar_harness.h"
#include "tests/support/vytest.h"

#define BOOTH "http://127.0.0.1:8123"
#define MIRROR "https://booth.example.org"
#define HEADERS_MAX 8192

typedef struct {
	long status;
	char headers[HEADERS_MAX];
	size_t hlen;
} answer;

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	answer *a = arg;
	size_t len = size * n;

	if (a->hlen + len < sizeof a->headers) {
		memcpy(a->headers + a->hlen, p, len);
		a->hlen += len;
		a->headers[a->hlen] = '\0';
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* method path with Origin origin (NULL: none) and, for OPTIONS, the
 * preflight's method and headers (NULL: not sent). */
static void ask(const vyrh_registrar *r, const char *method, const char *path, const char *origin,
		const char *req_method, const char *req_headers, answer *a)
{
	struct curl_slist *h = NULL;
	char url[VYRH_PATH_BYTES], line[512];
	CURL *c = curl_easy_init();

	memset(a, 0, sizeof *a);
	assert_non_null(c);
	vyrh_url(r, url, path);
	if (origin != NULL) {
		snprintf(line, sizeof line, "Origin: %s", origin);
		h = curl_slist_append(h, line);
	}
	if (req_method != NULL) {
		snprintf(line, sizeof line, "Access-Control-Request-Method: %s", req_method);
		h = curl_slist_append(h, line);
	}
	if (req_headers != NULL) {
		snprintf(line, sizeof line, "Access-Control-Request-Headers: %s", req_headers);
		h = curl_slist_append(h, line);
	}
	h = curl_slist_append(h, "Content-Type: " VY_CT_PROTOBUF);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "not a request");
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
}

/* The value of header name (case-insensitive) or NULL; out receives it. */
static const char *header(const answer *a, const char *name, char *out, size_t cap)
{
	const char *p = a->headers;
	size_t n = strlen(name);

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t len;

			while (*v == ' ')
				v++;
			len = strcspn(v, "\r\n");
			if (len >= cap)
				len = cap - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			return out;
		}
	}
	return NULL;
}

/* No Access-Control-* header at all. */
static void expect_no_cors(const answer *a, const char *what)
{
	char lower[HEADERS_MAX];
	size_t i;

	for (i = 0; a->headers[i] != '\0'; i++)
		lower[i] = (char)(a->headers[i] >= 'A' && a->headers[i] <= 'Z' ? a->headers[i] + 32 : a->headers[i]);
	lower[i] = '\0';
	if (strstr(lower, "access-control-") != NULL)
		fail_msg("%s: CORS headers where none belong:\n%s", what, a->headers);
}

static void test_registrar_cors(void **state)
{
	const char *extra[] = { "--booth-origin", BOOTH, "--booth-origin", MIRROR, NULL };
	vyrh_registrar r;
	answer a;
	char v[256];

	(void)state;
	vyrh_start_args(&r, 1, extra);

	/* The preflight of the booth's registration, from either booth origin. */
	ask(&r, "OPTIONS", VY_PATH_REGISTER, BOOTH, "POST", "content-type", &a);
	assert_int_equal(a.status, 204);
	assert_string_equal(header(&a, "Access-Control-Allow-Origin", v, sizeof v), BOOTH);
	assert_string_equal(header(&a, "Access-Control-Allow-Methods", v, sizeof v), "POST");
	assert_string_equal(header(&a, "Access-Control-Allow-Headers", v, sizeof v), "Content-Type");
	assert_null(header(&a, "Access-Control-Allow-Credentials", v, sizeof v));
	assert_string_equal(header(&a, "Vary", v, sizeof v), "Origin");
	ask(&r, "OPTIONS", VY_PATH_REGISTER, MIRROR, "POST", NULL, &a);
	assert_int_equal(a.status, 204);
	assert_string_equal(header(&a, "Access-Control-Allow-Origin", v, sizeof v), MIRROR);

	/* Another origin, method, header or path: refused, no CORS header. */
	ask(&r, "OPTIONS", VY_PATH_REGISTER, "http://127.0.0.1:8124", "POST", "content-type", &a);
	assert_int_equal(a.status, 403);
	expect_no_cors(&a, "another port");
	ask(&r, "OPTIONS", VY_PATH_REGISTER, "http://evil.example", "POST", NULL, &a);
	assert_int_equal(a.status, 403);
	expect_no_cors(&a, "another origin");
	ask(&r, "OPTIONS", VY_PATH_REGISTER, NULL, "POST", NULL, &a);
	assert_int_equal(a.status, 403);
	expect_no_cors(&a, "no origin");
	ask(&r, "OPTIONS", VY_PATH_REGISTER, BOOTH, "PUT", NULL, &a);
	assert_int_equal(a.status, 403);
	expect_no_cors(&a, "another method");
	ask(&r, "OPTIONS", VY_PATH_REGISTER, BOOTH, "POST", "content-type, authorization", &a);
	assert_int_equal(a.status, 403);
	expect_no_cors(&a, "another header");
	ask(&r, "OPTIONS", VY_PATH_ISSUED, BOOTH, "GET", NULL, &a);
	assert_int_equal(a.status, 404);
	expect_no_cors(&a, "another path");

	/* The registration's answer (here an error) readable by the booth only. */
	ask(&r, "POST", VY_PATH_REGISTER, BOOTH, NULL, NULL, &a);
	assert_int_equal(a.status, 400);
	assert_string_equal(header(&a, "Access-Control-Allow-Origin", v, sizeof v), BOOTH);
	ask(&r, "POST", VY_PATH_REGISTER, "http://evil.example", NULL, NULL, &a);
	assert_int_equal(a.status, 400);
	expect_no_cors(&a, "POST from another origin");
	ask(&r, "POST", VY_PATH_REGISTER, NULL, NULL, NULL, &a);
	assert_int_equal(a.status, 400);
	expect_no_cors(&a, "POST without an origin");
	ask(&r, "GET", VY_PATH_ISSUED, BOOTH, NULL, NULL, &a);
	expect_no_cors(&a, "GET /v1/issued");

	/* An origin that is not one: a usage error naming it. */
	{
		const char *bad[][2] = { { "--booth-origin", "http://127.0.0.1:8123/booth/" },
					 { "--booth-origin", "ftp://x" },
					 { "--booth-origin", "http://Booth.example" } };

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			const char *args[] = { "serve", "--dir", r.state, "--manifest", r.manifest, "--port", "0",
					       bad[i][0], bad[i][1], NULL };

			assert_int_equal(vyrh_run(&r, args), 2);
		}
	}
	vyrh_stop(&r);
}

/* Without --booth-origin: no CORS header for anyone. */
static void test_registrar_cors_none(void **state)
{
	vyrh_registrar r;
	answer a;

	(void)state;
	vyrh_start(&r, 1);
	ask(&r, "OPTIONS", VY_PATH_REGISTER, BOOTH, "POST", "content-type", &a);
	assert_int_equal(a.status, 403);
	expect_no_cors(&a, "preflight without booth origins");
	ask(&r, "POST", VY_PATH_REGISTER, BOOTH, NULL, NULL, &a);
	expect_no_cors(&a, "POST without booth origins");
	vyrh_stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registrar_cors),
		cmocka_unit_test(test_registrar_cors_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
