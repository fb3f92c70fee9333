/*
 * The witness's HTTP front (libmicrohttpd): POST /add-checkpoint and the
 * read-only mirror (specs/witness.md §7.2-§7.3). Each request has a
 * total time limit and slow requests give way to new connections
 * (net/vy_guard.h); the work itself is in witness.c.
 */
#include "witness/server.h"

#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <microhttpd.h>

#include "net/vy_guard_mhd.h"
#include "net/vy_target_mhd.h"

#define PATH_ADD "/add-checkpoint"
#define THREADS 4
#define CONN_LIMIT 64
#define TIMEOUT_S 30
#define DEADLINE_S 30      /* a request's whole time (net/vy_guard.h) */
#define PER_ADDR_LIMIT 16  /* unfinished requests per address */
#define SOFT_LIMIT 56      /* connections before the oldest unfinished request is cut */

struct vyw_server {
	struct MHD_Daemon *d;
	vyw_witness *w;
	vy_guard *guard;
};

/* A POST body being read: kept up to the limit, then only its size. */
typedef struct {
	char *buf;
	size_t len;
	int too_large;
} post_body;

static enum MHD_Result send_answer(struct MHD_Connection *c, vyw_answer *a)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (a->body == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(a->len, a->body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(a->body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
	if (a->next != NULL)
		MHD_add_response_header(r, VY_HDR_NEXT, a->next);
	ret = MHD_queue_response(c, a->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_post(vyw_server *s, struct MHD_Connection *c, const char *data, size_t *size,
			       void **cls)
{
	post_body *b = *cls;
	vyw_answer a;

	if (b == NULL) {
		b = calloc(1, sizeof *b);
		if (b == NULL)
			return MHD_NO;
		*cls = b;
		return MHD_YES;
	}
	if (*size > 0) {
		if (!b->too_large && b->len + *size <= VYW_MAX_ADD_BODY) {
			char *n = realloc(b->buf, b->len + *size + 1);

			if (n == NULL)
				return MHD_NO;
			memcpy(n + b->len, data, *size);
			b->buf = n;
			b->len += *size;
		} else {
			b->too_large = 1;
		}
		*size = 0;
		return MHD_YES;
	}
	vy_guard_mhd_whole(s->guard, c);
	vyw_add_checkpoint(s->w, b->buf ? b->buf : "", b->too_large ? VYW_MAX_ADD_BODY + 1 : b->len, &a);
	return send_answer(c, &a);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **con_cls)
{
	vyw_server *s = cls;
	vyw_answer a;

	(void)version;
	memset(&a, 0, sizeof a);
	if (vy_target_mhd_refused(con_cls)) {
		vy_guard_mhd_whole(s->guard, c);
		a.status = MHD_HTTP_BAD_REQUEST;
		a.body = strdup(VY_TARGET_NUL_MESSAGE "\n");
		a.len = a.body ? strlen(a.body) : 0;
		a.content_type = "text/plain; charset=utf-8";
		return send_answer(c, &a);
	}
	if (strcmp(method, MHD_HTTP_METHOD_POST) == 0 && strcmp(url, PATH_ADD) == 0)
		return on_post(s, c, data, size, con_cls);
	vy_guard_mhd_whole(s->guard, c);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
		a.status = MHD_HTTP_METHOD_NOT_ALLOWED;
		a.body = strdup("method not allowed\n");
	} else if (strcmp(url, VY_PATH_RECORD) == 0) {
		vyw_get_record(s->w, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from"), &a);
		return send_answer(c, &a);
	} else if (strcmp(url, VY_PATH_STATUS) == 0) {
		vyw_get_status(s->w, &a);
		return send_answer(c, &a);
	} else if (strcmp(url, VYW_PATH_CHECKPOINT) == 0) {
		vyw_get_checkpoint(s->w, &a);
		return send_answer(c, &a);
	} else if (strcmp(url, VY_PATH_PROOF_INCLUSION) == 0) {
		vyw_get_proof(s->w, 0, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seq"),
			      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "size"), &a);
		return send_answer(c, &a);
	} else if (strcmp(url, VY_PATH_PROOF_CONSISTENCY) == 0) {
		vyw_get_proof(s->w, 1, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "first"),
			      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "second"), &a);
		return send_answer(c, &a);
	} else {
		a.status = MHD_HTTP_NOT_FOUND;
		a.body = strdup("not found\n");
	}
	a.len = a.body ? strlen(a.body) : 0;
	a.content_type = "text/plain; charset=utf-8";
	return send_answer(c, &a);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	vyw_server *s = cls;
	post_body *b = *con_cls;

	(void)t;
	vy_guard_mhd_next(s->guard, c);
	if (b != NULL) {
		free(b->buf);
		free(b);
		*con_cls = NULL;
	}
}

vy_rc vyw_server_start(vyw_server **out, vyw_witness *w, const char *listen, unsigned port, unsigned *bound,
		       vy_reason *why)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	const vy_guard_config guard_cfg = { .deadline_s = DEADLINE_S, .per_addr = PER_ADDR_LIMIT,
					    .soft_limit = SOFT_LIMIT };
	vyw_server *s;
	vy_rc rc;

	*out = NULL;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, listen, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, listen, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		return vy_reason_set(why, VY_R_ARG, "--listen: not an address: %s", listen);
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	s->w = w;
	rc = vy_guard_start(&s->guard, &guard_cfg, why);
	if (rc != VY_R_OK) {
		free(s);
		return rc;
	}
	s->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, THREADS,
				MHD_OPTION_CONNECTION_TIMEOUT, TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
				vy_guard_mhd_notify, s->guard, MHD_OPTION_URI_LOG_CALLBACK, vy_target_mhd_log, NULL,
				MHD_OPTION_END);
	if (s->d == NULL) {
		vy_guard_stop(s->guard);
		free(s);
		return vy_reason_set(why, VY_R_IO, "cannot listen on %s port %u", listen, port);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = di ? di->port : port;
	*out = s;
	return VY_R_OK;
}

void vyw_server_stop(vyw_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	vy_guard_stop(s->guard);
	free(s);
}
