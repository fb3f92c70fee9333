/*
 * Slow clients for the servers' end-to-end tests (specs/security.md §Slow
 * clients): n connections to 127.0.0.1:port, each sends the start of a
 * request, then a thread trickles one more byte on each every tick, as an
 * attacker holding places would. The test reads how many the server has
 * closed meanwhile. Counts and times are bounded by the caller.
 */
#ifndef VYTEST_SLOW_CLIENTS_H
#define VYTEST_SLOW_CLIENTS_H

#include <pthread.h>
#include <stddef.h>

typedef struct {
	int *fds;            /* -1 once the server closed it */
	size_t n;
	const char *head;    /* sent first on each connection */
	unsigned tick_ms;    /* a byte every tick on each open connection */
	pthread_mutex_t lock;
	pthread_t thread;
	int stop;
	size_t refused;      /* connections that failed to open */
	size_t closed;       /* connections the server closed */
} vyt_slow;

/* Open n connections to 127.0.0.1:port and send head on each (e.g. a
 * request line and one header, never the blank line that ends headers, or
 * a POST's headers and no body), then trickle "x" on each every tick_ms
 * from a thread. A connection refused at once counts in refused. */
void vyt_slow_start(vyt_slow *s, unsigned port, size_t n, const char *head, unsigned tick_ms);
/* Connections still open (not refused, not closed by the server). */
size_t vyt_slow_open(vyt_slow *s);
/* Stop the thread and close every connection. */
void vyt_slow_stop(vyt_slow *s);

/* Send request (raw bytes, len of them) on a new connection to
 * 127.0.0.1:port and read the answer until the server closes or
 * timeout_ms pass without a byte: into out (NUL-terminated, at most cap - 1
 * bytes). Returns the HTTP status of the answer's first line, 0 if none
 * came (no answer within the time, or the connection was refused). */
int vyt_raw_request(unsigned port, const char *request, size_t len, char *out, size_t cap, unsigned timeout_ms);

#endif
