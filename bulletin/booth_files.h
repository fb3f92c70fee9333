/*
 * The voter's booth as static files (specs/board-api.md "The booth"):
 * `vybar-board serve --booth DIR` serves the files of DIR, read-only,
 * under /booth/, with a strict Content-Security-Policy.
 */
#ifndef VYB_BOOTH_FILES_H
#define VYB_BOOTH_FILES_H

#include <microhttpd.h>

#include "protocol/vy_protocol.h"

#define VYB_BOOTH_PREFIX "/booth/"
/* The one file the board writes itself: the registrar's URL for the pages. */
#define VYB_BOOTH_CONFIG "config.json"

typedef struct vyb_booth vyb_booth;

/* Open the booth's folder dir; registrar_url (may be NULL) is the
 * registrar the pages register with: its origin is the only other one
 * the pages may connect to. Fails when dir is not a readable folder or
 * the URL is not http(s)://host[:port][/path]. */
vy_rc vyb_booth_open(vyb_booth **out, const char *dir, const char *registrar_url, vy_reason *why) VY_WARN_UNUSED;
void vyb_booth_close(vyb_booth *bo);

/* url is under the booth (/booth or /booth/...). */
int vyb_booth_owns(const char *url);

/* Answer a request under the booth: GET and HEAD of a regular file of the
 * folder, 404 for anything else there, 405 for another method. */
enum MHD_Result vyb_booth_answer(const vyb_booth *bo, struct MHD_Connection *c, const char *url,
				 const char *method);

#endif
