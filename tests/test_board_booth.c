/*
 * The booth's files as the board serves them (specs/board-api.md "The
 * booth"): `vybar-board serve --booth DIR --booth-registrar URL` on
 * 127.0.0.1, asked over HTTP with libcurl. Each file comes with its
 * content type (application/wasm for the module) and the booth's headers
 * (the content policy naming the registrar's origin, nosniff, no
 * referrer); a path out of the folder, a hidden file, a symbolic link, a
 * folder, an unknown file are 404; another method than GET or HEAD 405.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tests/support/board_harness.h"

#define REGISTRAR_URL "http://127.0.0.1:9/reg"
#define REGISTRAR_ORIGIN "http://127.0.0.1:9"
#define HEADERS_MAX 8192
#define BODY_MAX 65536

typedef struct {
	long status;
	char headers[HEADERS_MAX];
	size_t hlen;
	char body[BODY_MAX];
	size_t blen;
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
	answer *a = arg;
	size_t len = size * n;

	if (a->blen + len < sizeof a->body) {
		memcpy(a->body + a->blen, p, len);
		a->blen += len;
		a->body[a->blen] = '\0';
	}
	return len;
}

/* method (GET, HEAD, POST, ...) of path on the board, the path sent as it is. */
static void ask(const vyh_board *b, const char *method, const char *path, answer *a)
{
	CURL *c = curl_easy_init();
	char url[512];

	memset(a, 0, sizeof *a);
	assert_non_null(c);
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", b->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_easy_cleanup(c);
}

/* The value of header name in a's headers (case-insensitive name), or "". */
static const char *header(const answer *a, const char *name, char *out, size_t cap)
{
	const char *p = a->headers;
	size_t n = strlen(name);

	out[0] = '\0';
	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			size_t len = strcspn(p + n + 1, "\r\n");
			const char *v = p + n + 1;

			while (*v == ' ' && len > 0) {
				v++;
				len--;
			}
			if (len >= cap)
				len = cap - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			break;
		}
	}
	return out;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[VYH_PATH_BYTES];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* 200 with content type ct and every header of the booth. */
static void expect_file(const vyh_board *b, const char *path, const char *ct, const char *body)
{
	char v[1024];
	answer a;

	ask(b, "GET", path, &a);
	if (a.status != 200)
		fail_msg("GET %s: %ld, expected 200", path, a.status);
	assert_string_equal(header(&a, "Content-Type", v, sizeof v), ct);
	assert_string_equal(header(&a, "X-Content-Type-Options", v, sizeof v), "nosniff");
	assert_string_equal(header(&a, "Referrer-Policy", v, sizeof v), "no-referrer");
	header(&a, "Content-Security-Policy", v, sizeof v);
	assert_non_null(strstr(v, "default-src 'self'"));
	assert_non_null(strstr(v, "script-src 'self' 'wasm-unsafe-eval';"));
	assert_non_null(strstr(v, "connect-src 'self' " REGISTRAR_ORIGIN ";"));
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_null(strstr(v, "unsafe-inline"));
	if (body != NULL)
		assert_string_equal(a.body, body);
}

static void expect_status(const vyh_board *b, const char *method, const char *path, long status)
{
	answer a;

	ask(b, method, path, &a);
	if (a.status != status)
		fail_msg("%s %s: %ld, expected %ld", method, path, a.status, status);
	assert_null(strstr(a.body, "do not serve"));
}

static void test_board_booth_files(void **state)
{
	char booth[VYH_PATH_BYTES], sub[VYH_PATH_BYTES + 8], link[VYH_PATH_BYTES + 16], v[256];
	char tmpl[] = "/tmp/vybar-booth-XXXXXX";
	const char *extra[] = { "--booth", booth, "--booth-registrar", REGISTRAR_URL, NULL };
	vyh_election e;
	answer a;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	write_text(tmpl, "secret.txt", "do not serve\n");
	snprintf(booth, sizeof booth, "%s/booth", tmpl);
	assert_int_equal(mkdir(booth, 0755), 0);
	snprintf(sub, sizeof sub, "%s/i18n", booth);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_text(booth, "index.html", "<!DOCTYPE html><title>booth</title>\n");
	write_text(booth, "booth.js", "'use strict';\n");
	write_text(booth, "booth.css", "body{}\n");
	write_text(booth, "booth.wasm", "\1asm");
	write_text(booth, "SHA256SUMS", "sums\n");
	write_text(booth, ".hidden", "do not serve\n");
	write_text(sub, "be.json", "{}\n");
	snprintf(link, sizeof link, "%s/link.txt", booth);
	assert_int_equal(symlink("../secret.txt", link), 0);

	vyh_election_start(&e, 1, 1, extra);

	/* Each file with its type and the booth's headers. */
	expect_file(&e.b, "/booth/", "text/html; charset=utf-8", "<!DOCTYPE html><title>booth</title>\n");
	expect_file(&e.b, "/booth/index.html", "text/html; charset=utf-8", NULL);
	expect_file(&e.b, "/booth/booth.js", "text/javascript; charset=utf-8", "'use strict';\n");
	expect_file(&e.b, "/booth/booth.css", "text/css; charset=utf-8", NULL);
	expect_file(&e.b, "/booth/booth.wasm", "application/wasm", "\1asm");
	expect_file(&e.b, "/booth/i18n/be.json", "application/json", "{}\n");
	expect_file(&e.b, "/booth/SHA256SUMS", "text/plain; charset=utf-8", NULL);
	expect_file(&e.b, "/booth/config.json", "application/json", "{\"registrar\":\"" REGISTRAR_URL "\"}\n");
	ask(&e.b, "HEAD", "/booth/booth.wasm", &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(header(&a, "Content-Length", v, sizeof v), "4");
	ask(&e.b, "GET", "/booth", &a);
	assert_int_equal(a.status, 301);
	assert_string_equal(header(&a, "Location", v, sizeof v), "/booth/");

	/* Nothing out of the folder, hidden, linked, listed or unknown. */
	expect_status(&e.b, "GET", "/booth/../secret.txt", 404);
	expect_status(&e.b, "GET", "/booth/%2e%2e/secret.txt", 404);
	expect_status(&e.b, "GET", "/booth/i18n/../../secret.txt", 404);
	expect_status(&e.b, "GET", "/booth/..%2fsecret.txt", 404);
	expect_status(&e.b, "GET", "/booth//etc/passwd", 404);
	expect_status(&e.b, "GET", "/booth/.hidden", 404);
	expect_status(&e.b, "GET", "/booth/link.txt", 404);
	expect_status(&e.b, "GET", "/booth/i18n", 404);
	expect_status(&e.b, "GET", "/booth/i18n/", 404);
	expect_status(&e.b, "GET", "/booth/nothing.js", 404);

	/* Read-only: GET and HEAD only. */
	ask(&e.b, "POST", "/booth/index.html", &a);
	assert_int_equal(a.status, 405);
	assert_string_equal(header(&a, "Allow", v, sizeof v), "GET, HEAD");
	expect_status(&e.b, "PUT", "/booth/index.html", 405);
	expect_status(&e.b, "DELETE", "/booth/booth.js", 405);

	/* The board's own pages are untouched. */
	ask(&e.b, "GET", "/v1/status", &a);
	assert_int_equal(a.status, 200);

	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	vyh_election_free(&e);
	snprintf(sub, sizeof sub, "rm -rf '%s'", tmpl);
	assert_int_equal(system(sub), 0);
}

/* A booth folder that is not there, a registrar URL that is not one: the
 * board does not start, and says which. */
static void test_board_booth_refused(void **state)
{
	const char *no_dir[] = { "--booth", "/nonexistent/booth", NULL };
	const char *bad_url[] = { "--booth", ".", "--booth-registrar", "http://x'; script-src *", NULL };
	vyh_board b;
	char *log;

	(void)state;
	vyh_init(&b);
	{
		uint8_t seed[32] = { 1 };
		vyf_keys k;
		uint8_t *m;
		size_t len;

		vyh_write_key(&b, seed);
		vyf_keys_init(&k, 1, 1);
		m = vyf_manifest_pack(&k, &len);
		vyh_write_manifest(&b, m, len);
		free(m);
	}
	assert_int_equal(vyh_start(&b, no_dir), 3);
	log = vyh_log(&b);
	assert_non_null(strstr(log, "--booth /nonexistent/booth"));
	free(log);
	assert_int_equal(vyh_start(&b, bad_url), 2);
	log = vyh_log(&b);
	assert_non_null(strstr(log, "--booth-registrar"));
	free(log);
	vyh_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_booth_files),
		cmocka_unit_test(test_board_booth_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
