/*
 * The registrar's answers to the browser booth (specs/registrar.md §4.5):
 * cross-origin resource sharing for the booth's origins only, and only
 * for what registration needs (POST /v1/register with a Content-Type).
 */
#ifndef VYR_CORS_H
#define VYR_CORS_H

#include <stddef.h>

#include <microhttpd.h>

#define VYR_CORS_MAX_ORIGINS 16
#define VYR_CORS_ORIGIN_BYTES 256

typedef struct {
	char origins[VYR_CORS_MAX_ORIGINS][VYR_CORS_ORIGIN_BYTES];
	size_t n;
} vyr_cors;

/* Add a booth origin as `--booth-origin` gives it: scheme://host[:port],
 * http or https, without a path, in lower case. 0, or -1 when it is not
 * one (why receives the reason) or there are already VYR_CORS_MAX_ORIGINS. */
int vyr_cors_add(vyr_cors *cors, const char *origin, char *why, size_t why_cap);

/* The request's Origin header when it is one of the booth's, else NULL. */
const char *vyr_cors_match(const vyr_cors *cors, struct MHD_Connection *c);

/* Let the booth's origin (NULL: none, nothing added) read r. */
void vyr_cors_allow(struct MHD_Response *r, const char *origin);

/* Answer a preflight (OPTIONS) for url: 204 with the permission when it
 * comes from a booth origin for POST /v1/register with at most the
 * Content-Type header; otherwise 403 without any CORS header (404 for
 * another path). */
enum MHD_Result vyr_cors_preflight(const vyr_cors *cors, struct MHD_Connection *c, const char *url);

#endif
