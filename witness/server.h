/*
 * The witness's HTTP server (specs/witness.md §7.2-§7.3).
 */
#ifndef VYW_SERVER_H
#define VYW_SERVER_H

#include "witness/witness.h"

/* GET: the witness's last cosigned checkpoint (§7.3). */
#define VYW_PATH_CHECKPOINT "/v1/checkpoint"

typedef struct vyw_server vyw_server;

/* Serve w on listen (an IPv4 or IPv6 literal), port (0: any); *bound
 * receives the port bound. */
vy_rc vyw_server_start(vyw_server **out, vyw_witness *w, const char *listen, unsigned port, unsigned *bound,
		       vy_reason *why) VY_WARN_UNUSED;
void vyw_server_stop(vyw_server *s);

#endif
