/*
 * The guard (vy_guard.h) behind a libmicrohttpd server: the servers that
 * link libmicrohttpd include this header, the library itself does not
 * depend on it. Give the daemon
 *     MHD_OPTION_NOTIFY_CONNECTION, vy_guard_mhd_notify, guard,
 * call vy_guard_mhd_whole(c) once a request is whole (or answered before
 * its body), and vy_guard_mhd_next(c) from MHD_OPTION_NOTIFY_COMPLETED.
 */
#ifndef VY_GUARD_MHD_H
#define VY_GUARD_MHD_H

#include <microhttpd.h>

#include "net/vy_guard.h"

/* The guard's handle of connection c (NULL if none). */
static inline vy_guard_conn *vy_guard_mhd_conn(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? (vy_guard_conn *)ci->socket_context : NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION: follow each connection from its start to
 * its close (cls: the vy_guard). */
static inline void vy_guard_mhd_notify(void *cls, struct MHD_Connection *c, void **socket_context,
				       enum MHD_ConnectionNotificationCode code)
{
	vy_guard *g = cls;
	const union MHD_ConnectionInfo *fd, *addr;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_context = fd != NULL ? vy_guard_open(g, fd->connect_fd, addr ? addr->client_addr : NULL) : NULL;
	} else {
		vy_guard_close(g, *socket_context);
		*socket_context = NULL;
	}
}

/* Connection c's request is whole: the deadline no longer applies. */
static inline void vy_guard_mhd_whole(vy_guard *g, struct MHD_Connection *c)
{
	vy_guard_whole(g, vy_guard_mhd_conn(c));
}

/* Connection c's answer has left: its next request's clock starts. */
static inline void vy_guard_mhd_next(vy_guard *g, struct MHD_Connection *c)
{
	vy_guard_next(g, vy_guard_mhd_conn(c));
}

#endif
