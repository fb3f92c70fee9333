/*
 * The servers' guard against slow clients (specs/security.md §Slow
 * clients), shared by the board, the registrar and the witness, and
 * independent of the HTTP library: the server tells it when a connection
 * opens (its socket and address), when the request on it is whole (its
 * headers and body read), when its answer has left (the next request's
 * clock starts), and when the connection closes.
 *
 * Three rules cut a connection (shutdown(2) of its socket, which the
 * server then sees as the client gone and closes):
 *   - the deadline: a request not whole `deadline_s` seconds after the
 *     connection opened, or after the previous answer on it left, however
 *     its bytes trickle in (an idle timer would restart at each byte);
 *   - per address: a new connection beyond `per_addr` unfinished requests
 *     from its address cuts the oldest of them;
 *   - in total: a new connection beyond `soft_limit` open connections cuts
 *     the oldest unfinished request of any address.
 * So connections that hold a place without finishing their request give
 * way to newer ones, and a client that sends its request at once (a voter)
 * gets in however many slow ones an attacker keeps opening. Connections
 * whose request is whole (answers being computed or read) are never cut
 * here; the server's idle timeout closes those whose reader stalls.
 *
 * The cut happens under the guard's lock, which the close notification
 * takes too, so a socket is never shut after the server closed it (when
 * its number could belong to another connection).
 */
#ifndef VY_GUARD_H
#define VY_GUARD_H

#include <sys/socket.h>

#include "protocol/vy_protocol.h"

/* How often the deadline is checked (milliseconds). */
#define VY_GUARD_TICK_MS 100u

typedef struct {
	unsigned deadline_s; /* a request's whole time, >= 1 */
	unsigned per_addr;   /* unfinished requests per address; 0: no limit */
	unsigned soft_limit; /* open connections before the oldest unfinished is cut; 0: no limit */
} vy_guard_config;

typedef struct vy_guard vy_guard;
/* One connection as the guard follows it (opaque). */
typedef struct vy_guard_conn vy_guard_conn;

/* Start the guard and its thread. */
vy_rc vy_guard_start(vy_guard **out, const vy_guard_config *cfg, vy_reason *why) VY_WARN_UNUSED;
/* Stop the thread and free the guard (after the server stopped: every
 * connection closed). NULL: nothing. */
void vy_guard_stop(vy_guard *g);

/* A connection opened on socket fd from address sa (may be NULL): its
 * handle, NULL if out of memory (the connection is then shut at once).
 * May cut older connections (the rules above). */
vy_guard_conn *vy_guard_open(vy_guard *g, int fd, const struct sockaddr *sa);
/* Its request is whole: the deadline no longer applies to it. NULL: nothing. */
void vy_guard_whole(vy_guard *g, vy_guard_conn *c);
/* Its answer has left: the next request's deadline starts now. NULL: nothing. */
void vy_guard_next(vy_guard *g, vy_guard_conn *c);
/* It closed (before the server closes its socket): the handle is freed. NULL: nothing. */
void vy_guard_close(vy_guard *g, vy_guard_conn *c);

/* Connections cut so far (by any rule), for tests and benchmarks. */
unsigned long vy_guard_cuts(vy_guard *g);

#endif
