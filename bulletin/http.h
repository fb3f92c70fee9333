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
	unsigned conn_limit;   /* connections in total */
	unsigned per_ip_limit; /* connections per client address (0: no limit) */
	double rate, burst;    /* per-client token bucket (rate <= 0: none) */
} vyb_http_config;

typedef struct vyb_http vyb_http;

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
