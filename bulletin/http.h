/*
 * The board's HTTP front (libmicrohttpd): routing, body limits, rate limits,
 * the bounded work queue, answers (specs/board-api.md).
 */
#ifndef VYB_HTTP_H
#define VYB_HTTP_H

#include "bulletin/board.h"

typedef struct {
	const char *listen;    /* IPv4 or IPv6 address literal */
	unsigned port;         /* 0: any free port */
	unsigned threads;      /* MHD thread pool size */
	unsigned timeout;      /* seconds of inactivity before a connection is closed */
	unsigned deadline;     /* seconds a request has to arrive whole, however its bytes trickle */
	size_t body_memory;    /* bytes of large bodies held at once (specs/board-api.md §3) */
	unsigned conn_limit;   /* connections in total */
	unsigned per_ip_limit; /* connections per client address (0: no limit) */
	double rate, burst;    /* per-client token bucket (rate <= 0: none) */
	const struct vyb_booth *booth; /* the booth's files under /booth/ (NULL: none; booth_files.h) */
} vyb_http_config;

typedef struct vyb_http vyb_http;

/* What the board serves (specs/board-api.md §4). */
typedef enum {
	VYB_R_PAGE,
	VYB_R_SCRIPT,
	VYB_R_MANIFEST,
	VYB_R_STATUS,
	VYB_R_RESULT,
	VYB_R_RECORD,
	VYB_R_RECEIPT,
	VYB_R_CODES,
	VYB_R_CHECKPOINT,
	VYB_R_INCLUSION,
	VYB_R_CONSISTENCY,
	VYB_R_ENTRY, /* POST: an entry of the route's type */
	VYB_R_ADMIN  /* POST: an AdminAction */
} vyb_route_kind;

typedef struct {
	const char *path;
	int prefix; /* path is a prefix; the rest is an argument */
	int post;
	vyb_route_kind kind;
	Vybar__EntryType type; /* VYB_R_ENTRY */
	size_t max_body;       /* POST: the body's maximum */
} vyb_route;

/* The route of url (a path without its query): 1 with *out, 0 when the
 * board serves no such path. The entries' routes are the endpoints of the
 * table of entry types (protocol/vy_entry_types.h). */
int vyb_http_route(const char *url, vyb_route *out);

/* Start serving; *port receives the port actually bound. */
vy_rc vyb_http_start(vyb_http **out, vyb_board *b, const vyb_http_config *cfg, unsigned *port,
		     vy_reason *why) VY_WARN_UNUSED;
/* Graceful stop: no new connections or jobs, finish the queued jobs and
 * their answers, then close every connection. */
void vyb_http_stop(vyb_http *h);

/* The read-only web page and its script (web_page.c). */
extern const char vyb_web_page_html[];
extern const char vyb_web_page_js[];

#endif
