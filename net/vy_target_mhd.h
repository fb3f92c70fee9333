/*
 * The one rule of the three servers (board, registrar, witness) about a NUL
 * in a request target: libmicrohttpd percent-decodes the path and the query
 * before the server sees them, and would decode `%00` to a NUL that cuts the
 * string short (`/v1/status%00.html` served as `/v1/status`). So the target
 * is looked at as sent, before any decoding, and one holding `%00` anywhere
 * (path or query) is refused with 400 and VY_TARGET_NUL_MESSAGE, before its
 * route, its method or its body counts. Header-only, like vy_guard_mhd.h:
 * the library itself does not depend on libmicrohttpd.
 *
 * Give the daemon
 *     MHD_OPTION_URI_LOG_CALLBACK, vy_target_mhd_log, NULL,
 * and, first thing in the request handler,
 *     if (vy_target_mhd_refused(con_cls)) answer 400 with VY_TARGET_NUL_MESSAGE;
 */
#ifndef VY_TARGET_MHD_H
#define VY_TARGET_MHD_H

#include <string.h>

#include <microhttpd.h>

/* The answer's text (board-api.md §3, registrar.md §4, witness.md §7). */
#define VY_TARGET_NUL_MESSAGE "request target: %00 (a NUL byte) is not allowed in a path or a query"

/* The mark a refused request carries as its first request context; its
 * address is the mark (one per translation unit, as the two functions
 * below that use it). */
static inline void *vy_target_mhd_mark(void)
{
	static char mark;

	return &mark;
}

/* MHD_OPTION_URI_LOG_CALLBACK: uri is the target as sent. Its return is the
 * request's first context: NULL (the handler's own context starts empty, as
 * without this callback), or the mark when the target holds %00. */
static inline void *vy_target_mhd_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	return uri != NULL && strstr(uri, "%00") != NULL ? vy_target_mhd_mark() : NULL;
}

/* 1 if this request's target held %00: the context is reset to NULL (so the
 * handler's completion callback sees no context of its own) and the caller
 * answers 400 at once; 0 otherwise, the context untouched. */
static inline int vy_target_mhd_refused(void **con_cls)
{
	if (*con_cls != vy_target_mhd_mark())
		return 0;
	*con_cls = NULL;
	return 1;
}

#endif
