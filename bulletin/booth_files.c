/*
 * The booth's static files (booth_files.h, specs/board-api.md "The booth").
 *
 * A request's path is checked before any file is touched: under /booth/,
 * made only of letters, digits, '.', '-', '_' and '/', no empty component
 * and none that starts with '.' (so no "..", no hidden file). The file is
 * then opened relative to the folder's descriptor and served only if it
 * is a regular file: a folder is never listed. Every answer carries the
 * same headers: the content policy that lets the pages load only their own
 * files and connect only to the board and the registrar, nosniff, no
 * referrer, no framing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulletin/booth_files.h"

#define BOOTH_INDEX "index.html"
#define BOOTH_PATH_MAX 200      /* bytes of a file's path under the folder */
#define ORIGIN_MAX 200          /* bytes of the registrar's origin */
#define REGISTRAR_URL_MAX 1000  /* bytes of the registrar's URL */
#define CSP_BYTES 768
#define CONFIG_BYTES 1100

#define CT_OCTETS "application/octet-stream"

struct vyb_booth {
	int dirfd;
	char csp[CSP_BYTES];
	char config[CONFIG_BYTES]; /* config.json: {"registrar":"URL"} */
};

/* The content types of the files a booth holds; anything else is served
 * as bytes (and, with nosniff, never run). */
static const struct {
	const char *ext;
	const char *type;
} TYPES[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".wasm", "application/wasm" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ "SHA256SUMS", "text/plain; charset=utf-8" },
};

/* The content type of a file by the end of its name. */
static const char *content_type(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++) {
		size_t e = strlen(TYPES[i].ext);

		if (n >= e && strcmp(path + n - e, TYPES[i].ext) == 0)
			return TYPES[i].type;
	}
	return CT_OCTETS;
}

/* The origin (scheme://host[:port]) of an http or https URL into out, or
 * 0 when url is not one: only the characters a host, port and path may
 * hold without quoting, so that nothing can break out of the header. */
static int url_origin(const char *url, char out[ORIGIN_MAX])
{
	const char *host;
	size_t n;

	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return 0;
	if (strlen(url) > REGISTRAR_URL_MAX)
		return 0;
	for (const char *p = url; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/[]%", *p) == NULL)
			return 0;
	}
	n = strcspn(host, "/");
	if (n == 0 || (size_t)(host - url) + n >= ORIGIN_MAX)
		return 0;
	memcpy(out, url, (size_t)(host - url) + n);
	out[(size_t)(host - url) + n] = '\0';
	return 1;
}

vy_rc vyb_booth_open(vyb_booth **out, const char *dir, const char *registrar_url, vy_reason *why)
{
	char origin[ORIGIN_MAX] = "";
	vyb_booth *bo;

	*out = NULL;
	if (registrar_url != NULL && !url_origin(registrar_url, origin))
		return vy_reason_set(why, VY_R_FIELD,
				     "--booth-registrar %s: not an http:// or https:// URL (host, port and path only)",
				     registrar_url);
	bo = calloc(1, sizeof *bo);
	if (bo == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	bo->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bo->dirfd < 0) {
		vy_rc rc = vy_reason_set(why, VY_R_IO, "--booth %s: %s", dir, strerror(errno));

		free(bo);
		return rc;
	}
	snprintf(bo->csp, sizeof bo->csp,
		 "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; "
		 "connect-src 'self'%s%s; object-src 'none'; base-uri 'none'; form-action 'none'; "
		 "frame-ancestors 'none'",
		 origin[0] ? " " : "", origin);
	snprintf(bo->config, sizeof bo->config, "{\"registrar\":\"%s\"}\n", registrar_url ? registrar_url : "");
	*out = bo;
	return VY_R_OK;
}

void vyb_booth_close(vyb_booth *bo)
{
	if (bo == NULL)
		return;
	close(bo->dirfd);
	free(bo);
}

int vyb_booth_owns(const char *url)
{
	return strcmp(url, "/booth") == 0 || strncmp(url, VYB_BOOTH_PREFIX, strlen(VYB_BOOTH_PREFIX)) == 0;
}

/* A file's path under the folder as a request may name it (see the top). */
static int path_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > BOOTH_PATH_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		int start = i == 0 || p[i - 1] == '/';

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      strchr("._-/", ch) != NULL))
			return 0;
		if (start && (ch == '.' || ch == '/'))
			return 0;
	}
	return p[n - 1] != '/';
}

/* The headers of every answer under the booth. */
static void booth_headers(const vyb_booth *bo, struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Content-Security-Policy", bo->csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
}

/* Queue r with status (r NULL: out of memory, drop the connection). */
static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* A short text answer (a constant string). */
static enum MHD_Result text_answer(const vyb_booth *bo, struct MHD_Connection *c, unsigned status, const char *msg,
				   const char *hname, const char *hvalue)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);

	if (r == NULL)
		return MHD_NO;
	booth_headers(bo, r, "text/plain; charset=utf-8");
	if (hname != NULL)
		MHD_add_response_header(r, hname, hvalue);
	return queue(c, status, r);
}

enum MHD_Result vyb_booth_answer(const vyb_booth *bo, struct MHD_Connection *c, const char *url,
				 const char *method)
{
	const char *rest;
	struct MHD_Response *r;
	struct stat st;
	int fd;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text_answer(bo, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET\n", MHD_HTTP_HEADER_ALLOW,
				   "GET, HEAD");
	if (strcmp(url, "/booth") == 0)
		return text_answer(bo, c, MHD_HTTP_MOVED_PERMANENTLY, "the booth is at " VYB_BOOTH_PREFIX "\n",
				   MHD_HTTP_HEADER_LOCATION, VYB_BOOTH_PREFIX);
	rest = url + strlen(VYB_BOOTH_PREFIX);
	if (*rest == '\0')
		rest = BOOTH_INDEX;
	if (strcmp(rest, VYB_BOOTH_CONFIG) == 0) {
		r = MHD_create_response_from_buffer(strlen(bo->config), (void *)bo->config, MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			booth_headers(bo, r, "application/json");
		return queue(c, MHD_HTTP_OK, r);
	}
	if (!path_ok(rest))
		return text_answer(bo, c, MHD_HTTP_NOT_FOUND, "not found\n", NULL, NULL);
	fd = openat(bo->dirfd, rest, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return text_answer(bo, c, MHD_HTTP_NOT_FOUND, "not found\n", NULL, NULL);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return text_answer(bo, c, MHD_HTTP_NOT_FOUND, "not found\n", NULL, NULL);
	}
	/* Taken over: closed with the response. */
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (r == NULL) {
		close(fd);
		return MHD_NO;
	}
	booth_headers(bo, r, content_type(rest));
	return queue(c, MHD_HTTP_OK, r);
}
