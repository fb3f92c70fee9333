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

#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "protocol/vy_api.h"
#include "registrar/cors.h"
#include "registrar/registrar.h"

#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_PORT 8090
#define MAX_COUNT 10000000UL
#define CONNECTION_TIMEOUT_S 30u
#define CONNECTION_LIMIT 256u
#define PORT_TEXT_BYTES 16

/* The body of one POST, accumulated across calls. */
typedef struct {
	uint8_t buf[VYR_MAX_REQUEST_BYTES];
	size_t len;
	int too_large;
} upload;

/* The booth's origins (--booth-origin, §4.4), set before the server
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
	if (strcmp(method, "OPTIONS") == 0)
		return vyr_cors_preflight(&booth_cors, c, url);
	cors_origin = strcmp(method, "POST") == 0 && strcmp(url, VY_PATH_REGISTER) == 0
			      ? vyr_cors_match(&booth_cors, c)
			      : NULL;
	if (strcmp(method, "GET") == 0 && strcmp(url, VY_PATH_ISSUED) == 0) {
		s = vyr_issued(st, &body, &len, reason);
		return answer(c, s, body, len, reason);
	}
	if (strcmp(method, "POST") != 0 || strcmp(url, VY_PATH_REGISTER) != 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such route: POST " VY_PATH_REGISTER ", GET " VY_PATH_ISSUED);
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

/* `serve`: listen until SIGINT or SIGTERM. */
static int serve(vyr_state *st, const vy_cli_args *a, const struct sockaddr_in *addr)
{
	const char *port_file = vy_cli_get(a, "port-file");
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char host[INET_ADDRSTRLEN] = "";
	sigset_t set;
	int sig = 0;

	inet_ntop(AF_INET, &addr->sin_addr, host, sizeof host);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, st,
			     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_NOTIFY_COMPLETED, completed,
			     NULL, MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
			     CONNECTION_LIMIT, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "vybar-registrar: cannot listen on %s:%u\n", host, (unsigned)ntohs(addr->sin_port));
		return VY_EXIT_IO;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || (port_file != NULL && write_port(port_file, info->port) != 0)) {
		fprintf(stderr, "vybar-registrar: cannot write the port file\n");
		MHD_stop_daemon(d);
		return VY_EXIT_IO;
	}
	fprintf(stderr, "vybar-registrar: listening on %s:%u\n", host, (unsigned)info->port);
	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	fprintf(stderr, "vybar-registrar: stopped (signal %d)\n", sig);
	return VY_EXIT_OK;
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
