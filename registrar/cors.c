/*
 * CORS for the booth (cors.h, specs/registrar.md §4.5). The registrar
 * answers every request as before; what changes is only whether a browser
 * lets the booth's page read the answer. A page of any other origin gets
 * no CORS header at all, so the browser keeps the answer from it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "protocol/vy_api.h"
#include "registrar/cors.h"

#define PREFLIGHT_MAX_AGE "600"
#define ALLOWED_METHOD "POST"
#define ALLOWED_HEADER "content-type"

int vyr_cors_add(vyr_cors *cors, const char *origin, char *why, size_t why_cap)
{
	const char *host;
	size_t n = strlen(origin);

	if (strncmp(origin, "http://", 7) == 0)
		host = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		host = origin + 8;
	else {
		snprintf(why, why_cap, "--booth-origin %s: must start with http:// or https://", origin);
		return -1;
	}
	if (*host == '\0' || n >= VYR_CORS_ORIGIN_BYTES) {
		snprintf(why, why_cap, "--booth-origin %s: a host is needed (at most %d bytes in all)", origin,
			 VYR_CORS_ORIGIN_BYTES - 1);
		return -1;
	}
	for (const char *p = host; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-.:[]", *p) == NULL) {
			snprintf(why, why_cap,
				 "--booth-origin %s: scheme://host[:port] only, in lower case, without a path "
				 "(as a browser sends it in Origin)",
				 origin);
			return -1;
		}
	}
	if (cors->n >= VYR_CORS_MAX_ORIGINS) {
		snprintf(why, why_cap, "--booth-origin: at most %d origins", VYR_CORS_MAX_ORIGINS);
		return -1;
	}
	memcpy(cors->origins[cors->n++], origin, n + 1);
	return 0;
}

const char *vyr_cors_match(const vyr_cors *cors, struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");

	if (origin == NULL)
		return NULL;
	for (size_t i = 0; i < cors->n; i++) {
		if (strcmp(origin, cors->origins[i]) == 0)
			return cors->origins[i];
	}
	return NULL;
}

void vyr_cors_allow(struct MHD_Response *r, const char *origin)
{
	/* Vary always: a cache must not give one origin's answer to another. */
	(void)MHD_add_response_header(r, "Vary", "Origin");
	if (origin != NULL)
		(void)MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
}

/* Every header the preflight asks for is Content-Type (a comma-separated,
 * case-insensitive list; none at all is fine too). */
static int headers_ok(const char *list)
{
	char item[64];

	while (list != NULL && *list != '\0') {
		size_t n = strcspn(list, ",");
		size_t a = 0, b = n;

		while (a < b && (list[a] == ' ' || list[a] == '\t'))
			a++;
		while (b > a && (list[b - 1] == ' ' || list[b - 1] == '\t'))
			b--;
		if (b - a >= sizeof item)
			return 0;
		memcpy(item, list + a, b - a);
		item[b - a] = '\0';
		if (item[0] != '\0' && strcasecmp(item, ALLOWED_HEADER) != 0)
			return 0;
		list += n;
		if (*list == ',')
			list++;
	}
	return 1;
}

enum MHD_Result vyr_cors_preflight(const vyr_cors *cors, struct MHD_Connection *c, const char *url)
{
	const char *origin = vyr_cors_match(cors, c);
	const char *method = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Method");
	const char *headers = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Headers");
	unsigned status = MHD_HTTP_NO_CONTENT;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (strcmp(url, VY_PATH_REGISTER) != 0)
		status = MHD_HTTP_NOT_FOUND;
	else if (origin == NULL || method == NULL || strcmp(method, ALLOWED_METHOD) != 0 || !headers_ok(headers))
		status = MHD_HTTP_FORBIDDEN;
	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Vary", "Origin");
	if (status == MHD_HTTP_NO_CONTENT) {
		(void)MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
		(void)MHD_add_response_header(r, "Access-Control-Allow-Methods", ALLOWED_METHOD);
		(void)MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type");
		(void)MHD_add_response_header(r, "Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}
