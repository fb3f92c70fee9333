/*
 * vybar-registrar: eligibility without identity (specs/registrar.md).
 *
 *   vybar-registrar init --dir DIR --manifest-out-key FILE [--bits N] [--import-rsa FILE]
 *   vybar-registrar roll --dir DIR --count N --out FILE
 *   vybar-registrar serve --dir DIR --manifest FILE [OPTION]...
 *   vybar-registrar close --dir DIR
 *
 * The commands and their options are the table below (cli/vy_cli.h); the
 * exit statuses are every program's (specs/registrar.md §1): 0 on success
 * or a clean stop (SIGINT, SIGTERM), 1 refused (a directory that already
 * holds a registrar, a manifest of another registrar or election), 2 a
 * usage error, 3 an I/O or start-up error.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "bulletin/ratelimit.h"
#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "net/vy_guard_mhd.h"
#include "net/vy_target_mhd.h"
#include "protocol/vy_api.h"
#include "registrar/cors.h"
#include "registrar/registrar.h"

#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_PORT 8090
#define MAX_COUNT 10000000UL
#define CONNECTION_TIMEOUT_S 30u /* idle seconds before a connection is closed */
#define THREADS 4u               /* the HTTP thread pool */
#define DEFAULT_DEADLINE_S 30    /* a request's whole time (net/vy_guard.h) */
#define DEFAULT_CONN_LIMIT 1024
#define DEFAULT_PER_IP_LIMIT 64
#define DEFAULT_RATE 10.0        /* requests per second per address */
#define DEFAULT_BURST 30.0
#define MAX_LIMIT 65535UL
#define MAX_RATE 1e9
#define GUARD_PER_ADDR_DIV 2
#define GUARD_SOFT_DIV 8
#define RETRY_TEXT_BYTES 16
#define PORT_TEXT_BYTES 16

/* The body of one POST, accumulated across calls. */
typedef struct {
	uint8_t buf[VYR_MAX_REQUEST_BYTES];
	size_t len;
	int too_large;
} upload;

/* The booth's origins (--booth-origin, §4.5), set before the server
 * starts; and the one allowed to read the answer being made, set by
 * handler on every call before it answers, per thread (so that a pool of
 * threads may answer at once). */
static vyr_cors booth_cors;
static _Thread_local const char *cors_origin;

/* Answer with body (copied) and status. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const void *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	vyr_cors_allow(r, cors_origin);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A text/plain error answer naming the reason (§4). */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *reason)
{
	char msg[VYR_REASON_BYTES + 2];
	int n = snprintf(msg, sizeof msg, "%s\n", reason);

	return reply(c, status, msg, n > 0 ? (size_t)n : 0, VY_CT_TEXT);
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
	case VYR_S_CLOSED:
		return MHD_HTTP_FORBIDDEN;
	case VYR_S_USED:
	case VYR_S_STILL_OPEN:
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
	ret = reply(c, MHD_HTTP_OK, body, len, VY_CT_PROTOBUF);
	vy_wipe(body, len);
	free(body);
	return ret;
}

/* The server: the state behind one lock (MHD runs a pool of threads, the
 * registrar's work and its SQLite handle are one at a time), the guard
 * against slow clients (net/vy_guard.h), and the per-address rate limit. */
typedef struct {
	vyr_state *st;
	pthread_mutex_t lock;
	vy_guard *guard;
	vyb_ratelimit rl;
} server;

/* The client's address bytes, for its token bucket. */
static size_t client_addr(struct MHD_Connection *c, uint8_t out[VYB_RL_ADDR_BYTES])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa != NULL && sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 4;
	}
	return 0;
}

/* An error answer with a header (Allow, Retry-After). */
static enum MHD_Result reply_error_with(struct MHD_Connection *c, unsigned status, const char *reason,
					const char *header, const char *value)
{
	char msg[VYR_REASON_BYTES + 2];
	int n = snprintf(msg, sizeof msg, "%s\n", reason);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(n > 0 ? (size_t)n : 0, msg, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, VY_CT_TEXT);
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	(void)MHD_add_response_header(r, header, value);
	vyr_cors_allow(r, cors_origin);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A Content-Length over the most a RegistrationRequest may be. */
static int declared_too_large(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	size_t n = 0;

	if (cl == NULL)
		return 0;
	for (; *cl >= '0' && *cl <= '9'; cl++) {
		if (n > VYR_MAX_REQUEST_BYTES)
			return 1;
		n = n * 10 + (size_t)(*cl - '0');
	}
	return n > VYR_MAX_REQUEST_BYTES;
}

/* The first call of a request (its headers read): route, method, rate,
 * declared size; GET /v1/issued is answered here, a registration's body
 * is read next (*con_cls set). */
static enum MHD_Result request_start(server *sv, struct MHD_Connection *c, const char *url, const char *method,
				     void **con_cls)
{
	int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	uint8_t addr[VYB_RL_ADDR_BYTES];
	size_t alen = client_addr(c, addr);
	char reason[VYR_REASON_BYTES] = "", ra[RETRY_TEXT_BYTES];
	unsigned retry = 0;
	uint8_t *body = NULL;
	size_t len = 0;
	vyr_status s;
	upload *u;

	if (strcmp(url, VY_PATH_ISSUED) == 0 && !get)
		return reply_error_with(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET", MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (strcmp(url, VY_PATH_REGISTER) == 0 && strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return reply_error_with(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST", MHD_HTTP_HEADER_ALLOW, "POST");
	if (strcmp(url, VY_PATH_ISSUED) != 0 && strcmp(url, VY_PATH_REGISTER) != 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such route: POST " VY_PATH_REGISTER ", GET " VY_PATH_ISSUED);
	if (!vyb_rl_take(&sv->rl, addr, alen, vyb_rl_now(), &retry)) {
		snprintf(ra, sizeof ra, "%u", retry);
		return reply_error_with(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests from this address",
					VY_HDR_RETRY_AFTER, ra);
	}
	if (get) {
		pthread_mutex_lock(&sv->lock);
		s = vyr_issued(sv->st, &body, &len, reason);
		pthread_mutex_unlock(&sv->lock);
		return answer(c, s, body, len, reason);
	}
	if (declared_too_large(c))
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "RegistrationRequest: too large");
	u = calloc(1, sizeof *u);
	if (u == NULL)
		return MHD_NO;
	*con_cls = u;
	return MHD_YES;
}

/* §4: the two routes, on any of the pool's threads. */
static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *data, size_t *data_len, void **con_cls)
{
	server *sv = cls;
	upload *u;
	char reason[VYR_REASON_BYTES] = "";
	uint8_t *body = NULL;
	size_t len = 0;
	vyr_status s;

	(void)version;
	if (vy_target_mhd_refused(con_cls)) {
		cors_origin = NULL;
		vy_guard_mhd_whole(sv->guard, c);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, VY_TARGET_NUL_MESSAGE);
	}
	u = *con_cls;
	/* The booth's origin, for the answer this call may make (§4.5). */
	cors_origin = strcmp(method, MHD_HTTP_METHOD_POST) == 0 && strcmp(url, VY_PATH_REGISTER) == 0
			      ? vyr_cors_match(&booth_cors, c)
			      : NULL;
	if (u == NULL && strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0) {
		vy_guard_mhd_whole(sv->guard, c);
		return vyr_cors_preflight(&booth_cors, c, url);
	}
	if (u == NULL) {
		enum MHD_Result ret = request_start(sv, c, url, method, con_cls);

		if (*con_cls == NULL)
			vy_guard_mhd_whole(sv->guard, c);
		return ret;
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
	vy_guard_mhd_whole(sv->guard, c);
	if (u->too_large)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "RegistrationRequest: too large");
	pthread_mutex_lock(&sv->lock);
	s = vyr_register(sv->st, u->buf, u->len, &body, &len, reason);
	pthread_mutex_unlock(&sv->lock);
	return answer(c, s, body, len, reason);
}

/* Free a connection's upload. */
static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	server *sv = cls;

	(void)t;
	vy_guard_mhd_next(sv->guard, c);
	if (*con_cls != NULL) {
		vy_wipe(*con_cls, sizeof(upload));
		free(*con_cls);
		*con_cls = NULL;
	}
}

/* Write the bound port to path (for --port 0), atomically. */
static int write_port(const char *path, unsigned port)
{
	char text[PORT_TEXT_BYTES];
	vy_reason why = { 0 };
	int n = snprintf(text, sizeof text, "%u\n", port);

	if (vy_file_replace(path, VY_FILE_MODE_PUBLIC, text, (size_t)n, &why) == VY_R_OK)
		return 0;
	fprintf(stderr, "vybar-registrar: --port-file: %s\n", why.msg);
	return -1;
}

/* The address to listen on, from --listen and --port. */
static int listen_addr(const vy_cli_args *a, struct sockaddr_in *addr)
{
	const char *listen = vy_cli_get(a, "listen") ? vy_cli_get(a, "listen") : DEFAULT_LISTEN;
	unsigned long port = DEFAULT_PORT;

	if (vy_cli_ulong(a, "port", 0, 65535, &port) != 0)
		return VY_EXIT_USAGE;
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	addr->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, listen, &addr->sin_addr) != 1)
		return vy_cli_usage_error(a, "--listen %s: not an IPv4 address", listen);
	return 0;
}

/* serve's numbers: the guard's and the daemon's limits, the rate. 0, or
 * VY_EXIT_USAGE after the message. */
static int serve_numbers(const vy_cli_args *a, vy_guard_config *g, unsigned *conns, unsigned *per_ip,
			 double *rate, double *burst)
{
	unsigned long deadline = DEFAULT_DEADLINE_S, conn = DEFAULT_CONN_LIMIT, ip = DEFAULT_PER_IP_LIMIT;

	*rate = DEFAULT_RATE;
	*burst = DEFAULT_BURST;
	if (vy_cli_ulong(a, "deadline", 1, MAX_LIMIT, &deadline) || vy_cli_ulong(a, "conn-limit", 1, MAX_LIMIT, &conn) ||
	    vy_cli_ulong(a, "per-ip-limit", 0, MAX_LIMIT, &ip) || vy_cli_double(a, "rate", 0, MAX_RATE, rate) ||
	    vy_cli_double(a, "burst", 0, MAX_RATE, burst))
		return VY_EXIT_USAGE;
	*conns = (unsigned)conn;
	*per_ip = (unsigned)ip;
	/* As the board's (specs/security.md §Slow clients): unfinished
	 * requests give way beyond half the per-address limit, and beyond 7/8
	 * of the connection limit. */
	g->deadline_s = (unsigned)deadline;
	g->per_addr = *per_ip / GUARD_PER_ADDR_DIV;
	g->soft_limit = *conns - *conns / GUARD_SOFT_DIV;
	return 0;
}

/* `serve`: listen until SIGINT or SIGTERM. */
static int serve(vyr_state *st, const vy_cli_args *a, const struct sockaddr_in *addr)
{
	const char *port_file = vy_cli_get(a, "port-file");
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char host[INET_ADDRSTRLEN] = "";
	server sv = { .st = st };
	vy_guard_config gc;
	vy_reason why = { 0 };
	unsigned conns = 0, per_ip = 0;
	double rate = 0, burst = 0;
	sigset_t set;
	int sig = 0, rc = VY_EXIT_OK;

	if (serve_numbers(a, &gc, &conns, &per_ip, &rate, &burst) != 0)
		return VY_EXIT_USAGE;
	inet_ntop(AF_INET, &addr->sin_addr, host, sizeof host);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (vy_guard_start(&sv.guard, &gc, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-registrar: %s\n", why.msg);
		return VY_EXIT_IO;
	}
	pthread_mutex_init(&sv.lock, NULL);
	vyb_rl_init(&sv.rl, rate, burst);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, &sv,
			     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_THREAD_POOL_SIZE,
			     THREADS, MHD_OPTION_NOTIFY_COMPLETED, completed, &sv, MHD_OPTION_NOTIFY_CONNECTION,
			     vy_guard_mhd_notify, sv.guard, MHD_OPTION_URI_LOG_CALLBACK, vy_target_mhd_log, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
			     MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
			     MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "vybar-registrar: cannot listen on %s:%u\n", host, (unsigned)ntohs(addr->sin_port));
		rc = VY_EXIT_IO;
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || (port_file != NULL && write_port(port_file, info->port) != 0)) {
		fprintf(stderr, "vybar-registrar: cannot write the port file\n");
		rc = VY_EXIT_IO;
		goto out;
	}
	fprintf(stderr, "vybar-registrar: listening on %s:%u\n", host, (unsigned)info->port);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "vybar-registrar: stopped (signal %d)\n", sig);
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	vy_guard_stop(sv.guard);
	vyb_rl_free(&sv.rl);
	pthread_mutex_destroy(&sv.lock);
	return rc;
}

static int cmd_init(const vy_cli_args *a)
{
	unsigned long bits = VYR_DEFAULT_BITS;

	if (vy_cli_ulong(a, "bits", VY_RSA_MIN_BITS, VY_RSA_MAX_BITS, &bits) != 0)
		return VY_EXIT_USAGE;
	if (bits % 16 != 0)
		return vy_cli_usage_error(a, "--bits %lu: must be a multiple of 16", bits);
	return vyr_init_dir(vy_cli_get(a, "dir"), (unsigned)bits, vy_cli_get(a, "import-rsa"),
			    vy_cli_get(a, "manifest-out-key"));
}

static int cmd_roll(const vy_cli_args *a)
{
	const char *out = vy_cli_get(a, "out");
	unsigned long count = 0;
	vyr_state st;
	int rc;

	if (vy_cli_ulong(a, "count", 1, MAX_COUNT, &count) != 0)
		return VY_EXIT_USAGE;
	rc = vyr_open(&st, vy_cli_get(a, "dir"), vyr_roll_check());
	if (rc != 0)
		return rc;
	rc = vyr_roll_add(&st, count, out);
	if (rc == 0)
		fprintf(stderr, "vybar-registrar: %lu codes written to %s\n", count, out);
	vyr_close(&st);
	return rc;
}

static int cmd_serve(const vy_cli_args *a)
{
	const char *origins[VY_CLI_MAX_REPEATS];
	size_t n_origins = vy_cli_all(a, "booth-origin", origins, VY_CLI_MAX_REPEATS);
	struct sockaddr_in addr;
	char why[VYR_CORS_ORIGIN_BYTES + 128];
	vyr_state st;
	int rc = listen_addr(a, &addr);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n_origins; i++) {
		if (vyr_cors_add(&booth_cors, origins[i], why, sizeof why) != 0)
			return vy_cli_usage_error(a, "%s", why);
	}
	rc = vyr_open(&st, vy_cli_get(a, "dir"), vyr_roll_check());
	if (rc != 0)
		return rc;
	rc = vyr_set_election(&st, vy_cli_get(a, "manifest"));
	if (rc == 0)
		rc = serve(&st, a, &addr);
	vyr_close(&st);
	return rc;
}

/* §4.3: end registration; the serving registrar refuses from then on. */
static int cmd_close(const vy_cli_args *a)
{
	vyr_state st;
	int rc = vyr_open(&st, vy_cli_get(a, "dir"), vyr_roll_check());

	if (rc != 0)
		return rc;
	rc = vyr_close_registration(&st);
	vyr_close(&st);
	return rc;
}

static const vy_cli_opt close_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the registrar's directory (the one `serve` uses; it may be serving)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt init_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the registrar's directory (created, mode 0700; it must hold no registrar)" },
	{ "manifest-out-key", "FILE", VY_CLI_REQUIRED,
	  "where to write the registrar's public keys, for vybar-commission manifest --registrar-keys" },
	{ "bits", "N", VY_CLI_OPTIONAL, "the RSA key's size, 3072 to 8192, a multiple of 16 (default 3072)" },
	{ "import-rsa", "FILE", VY_CLI_OPTIONAL, "use the RSA key in FILE (made elsewhere) instead of a new one" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt roll_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the registrar's directory" },
	{ "count", "N", VY_CLI_REQUIRED, "how many registration codes to add to the roll, 1 to 10000000" },
	{ "out", "FILE", VY_CLI_REQUIRED, "the new file of the codes, one per line, mode 0600 (never over one)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt serve_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the registrar's directory" },
	{ "manifest", "FILE", VY_CLI_REQUIRED, "the election's manifest, which must name this registrar's key" },
	{ "listen", "ADDR", VY_CLI_OPTIONAL, "the IPv4 address to listen on (default " DEFAULT_LISTEN ")" },
	{ "port", "N", VY_CLI_OPTIONAL, "the TCP port; 0: any free port (default 8090)" },
	{ "port-file", "FILE", VY_CLI_OPTIONAL, "write the port listened on to FILE (replaced atomically)" },
	{ "deadline", "S", VY_CLI_OPTIONAL,
	  "seconds a request has to arrive whole, however slowly its bytes come (default 30)" },
	{ "conn-limit", "N", VY_CLI_OPTIONAL, "connections in total (default 1024)" },
	{ "per-ip-limit", "N", VY_CLI_OPTIONAL, "connections per client address; 0: no limit (default 64)" },
	{ "rate", "R", VY_CLI_OPTIONAL, "requests per second per client address; 0: no limit (default 10)" },
	{ "burst", "B", VY_CLI_OPTIONAL, "requests a client may send at once above the rate (default 30)" },
	{ "booth-origin", "ORIGIN", VY_CLI_REPEAT,
	  "let the browser booth served at ORIGIN (scheme://host[:port]) register here (CORS, "
	  "specs/registrar.md)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "init", NULL, 0, 0,
	  "Create the registrar's keys and empty database in a new directory; write its public keys for the "
	  "commission, and print them in hex.",
	  init_opts, cmd_init },
	{ "roll", NULL, 0, 0,
	  "Add new registration codes to the roll: their keyed hashes go into the database, the codes themselves "
	  "only into the new file, to be handed to the voters.",
	  roll_opts, cmd_roll },
	{ "serve", NULL, 0, 0,
	  "Bind the registrar to the election of the manifest and answer registrations (POST " VY_PATH_REGISTER
	  ") and, once registration is closed, the signed count of credentials issued (GET " VY_PATH_ISSUED
	  ") until SIGINT or SIGTERM.",
	  serve_opts, cmd_serve },
	{ "close", NULL, 0, 0,
	  "End registration, for good: from now on no credential is issued (POST " VY_PATH_REGISTER
	  " answers 403), and GET " VY_PATH_ISSUED " answers the final count, signed. Print the time and the "
	  "count. Close before voting opens, so that no count moves while ballots arrive (specs/registrar.md).",
	  close_opts, cmd_close },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_prog program = {
	"vybar-registrar",
	"The registrar of a Vybar election: it signs one blinded credential for each eligible voter, so that the "
	"board can tell eligible ballots without learning who cast them (specs/registrar.md).",
	commands,
	NULL,
};

int main(int argc, char **argv)
{
	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-registrar: cannot initialise the library\n");
		return VY_EXIT_IO;
	}
	return vy_cli_main(&program, argc, argv);
}
