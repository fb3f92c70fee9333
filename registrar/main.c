/*
 * vybar-registrar: eligibility without identity (specs/registrar.md).
 *
 *   vybar-registrar init --dir DIR --manifest-out-key FILE [--bits N] [--import-rsa FILE]
 *   vybar-registrar roll --dir DIR --count N --out FILE
 *   vybar-registrar serve --dir DIR --manifest FILE [--listen ADDR] [--port N|0] [--port-file F]
 *
 * Exit status: 0 on success or a clean stop (SIGINT, SIGTERM), 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "registrar/registrar.h"

#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_PORT 8090
#define MAX_COUNT 10000000UL
#define PATH_REGISTER "/v1/register"
#define PATH_ISSUED "/v1/issued"
#define CONTENT_PROTOBUF "application/x-protobuf"

typedef struct {
	const char *dir, *out, *pub_out, *import_rsa, *manifest, *listen, *port_file;
	unsigned long count, port, bits;
} options;

/* The body of one POST, accumulated across calls. */
typedef struct {
	uint8_t buf[VYR_MAX_REQUEST_BYTES];
	size_t len;
	int too_large;
} upload;

static void usage(void)
{
	fprintf(stderr,
		"usage: vybar-registrar init --dir DIR --manifest-out-key FILE [--bits N] [--import-rsa FILE]\n"
		"       vybar-registrar roll --dir DIR --count N --out FILE\n"
		"       vybar-registrar serve --dir DIR --manifest FILE [--listen ADDR] [--port N|0]\n"
		"                       [--port-file FILE]\n");
}

/* A decimal number in 0..max. */
static int number_arg(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-' && *out <= max;
}

/* Parse --name value pairs; 0 on success. */
static int parse(int argc, char **argv, options *o)
{
	for (int i = 2; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return -1;
		if (strcmp(k, "--dir") == 0)
			o->dir = v;
		else if (strcmp(k, "--out") == 0)
			o->out = v;
		else if (strcmp(k, "--manifest-out-key") == 0)
			o->pub_out = v;
		else if (strcmp(k, "--import-rsa") == 0)
			o->import_rsa = v;
		else if (strcmp(k, "--manifest") == 0)
			o->manifest = v;
		else if (strcmp(k, "--listen") == 0)
			o->listen = v;
		else if (strcmp(k, "--port-file") == 0)
			o->port_file = v;
		else if (strcmp(k, "--count") == 0) {
			if (!number_arg(v, MAX_COUNT, &o->count) || o->count == 0)
				return -1;
		} else if (strcmp(k, "--port") == 0) {
			if (!number_arg(v, 65535, &o->port))
				return -1;
		} else if (strcmp(k, "--bits") == 0) {
			if (!number_arg(v, VY_RSA_MAX_BITS, &o->bits) || o->bits < VY_RSA_MIN_BITS || o->bits % 16 != 0)
				return -1;
		} else
			return -1;
	}
	return o->dir != NULL ? 0 : -1;
}

/* Answer with body (copied) and status. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const void *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Content-Type", type);
	(void)MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A text/plain error answer naming the reason (§4). */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *reason)
{
	char msg[VYR_REASON_BYTES + 2];
	int n = snprintf(msg, sizeof msg, "%s\n", reason);

	return reply(c, status, msg, n > 0 ? (size_t)n : 0, "text/plain; charset=utf-8");
}

/* The HTTP status of each outcome (§4.1). */
static unsigned http_status(vyr_status s)
{
	switch (s) {
	case VYR_S_OK:
		return MHD_HTTP_OK;
	case VYR_S_MALFORMED:
	case VYR_S_WRONG_ELECTION:
		return MHD_HTTP_BAD_REQUEST;
	case VYR_S_UNKNOWN:
		return MHD_HTTP_FORBIDDEN;
	case VYR_S_USED:
		return MHD_HTTP_CONFLICT;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

/* Answer an outcome: the protobuf body on success, the reason otherwise. */
static enum MHD_Result answer(struct MHD_Connection *c, vyr_status s, uint8_t *body, size_t len,
			      const char *reason)
{
	enum MHD_Result ret;

	if (s != VYR_S_OK)
		return reply_error(c, http_status(s), reason);
	ret = reply(c, MHD_HTTP_OK, body, len, CONTENT_PROTOBUF);
	vy_wipe(body, len);
	free(body);
	return ret;
}

/* §4: the two routes. MHD runs one thread, so requests are serialised. */
static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *data, size_t *data_len, void **con_cls)
{
	vyr_state *st = cls;
	upload *u = *con_cls;
	char reason[VYR_REASON_BYTES] = "";
	uint8_t *body = NULL;
	size_t len = 0;
	vyr_status s;

	(void)version;
	if (strcmp(method, "GET") == 0 && strcmp(url, PATH_ISSUED) == 0) {
		s = vyr_issued(st, &body, &len, reason);
		return answer(c, s, body, len, reason);
	}
	if (strcmp(method, "POST") != 0 || strcmp(url, PATH_REGISTER) != 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such route: POST /v1/register, GET /v1/issued");
	if (u == NULL) {
		u = calloc(1, sizeof *u);
		if (u == NULL)
			return MHD_NO;
		*con_cls = u;
		return MHD_YES;
	}
	if (*data_len > 0) {
		if (*data_len > sizeof u->buf - u->len)
			u->too_large = 1;
		else
			memcpy(u->buf + u->len, data, *data_len);
		if (!u->too_large)
			u->len += *data_len;
		*data_len = 0;
		return MHD_YES;
	}
	if (u->too_large)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "RegistrationRequest: too large");
	s = vyr_register(st, u->buf, u->len, &body, &len, reason);
	return answer(c, s, body, len, reason);
}

/* Free a connection's upload. */
static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	(void)cls;
	(void)c;
	(void)t;
	if (*con_cls != NULL) {
		vy_wipe(*con_cls, sizeof(upload));
		free(*con_cls);
		*con_cls = NULL;
	}
}

/* Write the bound port to path (for --port 0). */
static int write_port(const char *path, unsigned port)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "%u\n", port);
	return fclose(f) == 0 ? 0 : -1;
}

/* `serve`: listen until SIGINT or SIGTERM. */
static int serve(vyr_state *st, const options *o)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t set;
	int sig = 0;

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->listen, &addr.sin_addr) != 1) {
		fprintf(stderr, "vybar-registrar: --listen %s: not an IPv4 address\n", o->listen);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, st,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, completed,
			     NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 256u,
			     MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "vybar-registrar: cannot listen on %s:%lu\n", o->listen, o->port);
		return -1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || (o->port_file != NULL && write_port(o->port_file, info->port) != 0)) {
		fprintf(stderr, "vybar-registrar: cannot write the port file\n");
		MHD_stop_daemon(d);
		return -1;
	}
	fprintf(stderr, "vybar-registrar: listening on %s:%u\n", o->listen, (unsigned)info->port);
	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	fprintf(stderr, "vybar-registrar: stopped (signal %d)\n", sig);
	return 0;
}

/* `roll` and `serve`: open the state, run, close. */
static int with_state(const char *cmd, const options *o)
{
	vyr_state st;
	int rc = -1;

	if (vyr_open(&st, o->dir, vyr_roll_check()) != 0)
		return -1;
	if (strcmp(cmd, "roll") == 0) {
		rc = vyr_roll_add(&st, o->count, o->out);
		if (rc == 0)
			fprintf(stderr, "vybar-registrar: %lu codes written to %s\n", o->count, o->out);
	} else if (vyr_set_election(&st, o->manifest) == 0) {
		rc = serve(&st, o);
	}
	vyr_close(&st);
	return rc;
}

int main(int argc, char **argv)
{
	options o = { .listen = DEFAULT_LISTEN, .port = DEFAULT_PORT, .bits = VYR_DEFAULT_BITS };
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc;

	if (parse(argc, argv, &o) != 0) {
		usage();
		return 1;
	}
	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-registrar: cannot initialise the library\n");
		return 1;
	}
	if (strcmp(cmd, "init") == 0 && o.pub_out != NULL)
		rc = vyr_init_dir(o.dir, (unsigned)o.bits, o.import_rsa, o.pub_out);
	else if (strcmp(cmd, "roll") == 0 && o.count > 0 && o.out != NULL)
		rc = with_state(cmd, &o);
	else if (strcmp(cmd, "serve") == 0 && o.manifest != NULL)
		rc = with_state(cmd, &o);
	else {
		usage();
		return 1;
	}
	return rc == 0 ? 0 : 1;
}
