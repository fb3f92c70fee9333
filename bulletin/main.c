/*
 * vybar-board: the bulletin board server (specs/board-api.md). The election
 * commission administers it with its own program (commission/,
 * vybar-commission).
 *
 *   vybar-board keygen --out FILE
 *   vybar-board serve --db FILE --key FILE [--manifest FILE] [--listen ADDR]
 *               [--port N] [--port-file FILE] [--threads N] [--timeout S]
 *               [--queue N] [--rate R] [--burst B] [--conn-limit N]
 *               [--per-ip-limit N] [--checkers N]
 *
 * Exit status: 0 after a clean stop (SIGINT, SIGTERM) or a command done, 1
 * on a usage, I/O or start-up error, 2 when the board refuses the stored
 * record (an entry fails validation), its key or the manifest given.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bulletin/http.h"
#include "cli/keyfile.h"

#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_PORT 8080
#define DEFAULT_THREADS 4
#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_QUEUE 256
#define DEFAULT_RATE 50.0
#define DEFAULT_BURST 100.0
#define DEFAULT_CONN_LIMIT 1024
#define DEFAULT_PER_IP_LIMIT 64
#define EXIT_USAGE 1
#define EXIT_INVALID_RECORD 2

typedef struct {
	vyb_board_config board;
	vyb_http_config http;
	const char *port_file;
} options;

static void usage(void)
{
	fprintf(stderr,
		"usage: vybar-board keygen --out FILE\n"
		"       vybar-board serve --db FILE --key FILE [--manifest FILE] [--listen ADDR]\n"
		"                   [--port N|0] [--port-file FILE] [--threads N] [--timeout S]\n"
		"                   [--queue N] [--rate R] [--burst B] [--conn-limit N] [--per-ip-limit N]\n"
		"                   [--checkers N (ballot checker threads, 0: one per CPU)]\n");
}

/* A non-negative number argument. */
static int number_arg(const char *s, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && *out >= 0 && *out <= max;
}

/* --name VALUE pairs of the serve command. */
static int parse_serve(int argc, char **argv, options *o)
{
	for (int i = 2; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		double n = 0;

		if (v == NULL)
			return 0;
		if (strcmp(k, "--db") == 0)
			o->board.db_path = v;
		else if (strcmp(k, "--key") == 0)
			o->board.key_path = v;
		else if (strcmp(k, "--manifest") == 0)
			o->board.manifest_path = v;
		else if (strcmp(k, "--listen") == 0)
			o->http.listen = v;
		else if (strcmp(k, "--port-file") == 0)
			o->port_file = v;
		else if (strcmp(k, "--rate") == 0 && number_arg(v, 1e9, &n))
			o->http.rate = n;
		else if (strcmp(k, "--burst") == 0 && number_arg(v, 1e9, &n))
			o->http.burst = n;
		else if (!number_arg(v, 65535 * 16.0, &n) || n != (unsigned)n)
			return 0;
		else if (strcmp(k, "--port") == 0)
			o->http.port = (unsigned)n;
		else if (strcmp(k, "--threads") == 0 && n >= 1)
			o->http.threads = (unsigned)n;
		else if (strcmp(k, "--timeout") == 0 && n >= 1)
			o->http.timeout = (unsigned)n;
		else if (strcmp(k, "--queue") == 0)
			o->board.queue_max = (size_t)n;
		else if (strcmp(k, "--conn-limit") == 0 && n >= 1)
			o->http.conn_limit = (unsigned)n;
		else if (strcmp(k, "--per-ip-limit") == 0)
			o->http.per_ip_limit = (unsigned)n;
		else if (strcmp(k, "--checkers") == 0 && n <= VYB_MAX_CHECKERS)
			o->board.checkers = (size_t)n;
		else
			return 0;
	}
	return o->board.db_path != NULL && o->board.key_path != NULL;
}

/* Write the bound port to path atomically (a temporary file, then rename). */
static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;
	int ok;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return 0;
	f = fopen(tmp, "w");
	if (f == NULL)
		return 0;
	ok = fprintf(f, "%u\n", port) > 0;
	ok = (fclose(f) == 0) && ok;
	return ok && rename(tmp, path) == 0;
}

/* keygen: a fresh key file; print the public key (it goes into the manifest). */
static int cmd_keygen(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "--out") != 0) {
		usage();
		return EXIT_USAGE;
	}
	return vyb_key_command("vybar-board", argv[3]);
}

/* serve: open (re-validating the record), listen, wait for a signal, stop cleanly. */
static int cmd_serve(int argc, char **argv)
{
	options o = {
		.board = { .queue_max = DEFAULT_QUEUE },
		.http = { .listen = DEFAULT_LISTEN, .port = DEFAULT_PORT, .threads = DEFAULT_THREADS,
			  .timeout = DEFAULT_TIMEOUT_S, .conn_limit = DEFAULT_CONN_LIMIT,
			  .per_ip_limit = DEFAULT_PER_IP_LIMIT, .rate = DEFAULT_RATE, .burst = DEFAULT_BURST },
	};
	vyb_board *board = NULL;
	vyb_http *http = NULL;
	vy_reason why = { 0 };
	sigset_t set;
	unsigned port = 0;
	int sig = 0;

	if (!parse_serve(argc, argv, &o)) {
		usage();
		return EXIT_USAGE;
	}
	/* Signals go to sigwait below, never to the server's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (vyb_board_open(&board, &o.board, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-board: refusing to start: %s\n", why.msg);
		return why.code == VY_R_IO || why.code == VY_R_NOMEM ? EXIT_USAGE : EXIT_INVALID_RECORD;
	}
	if (vyb_http_start(&http, board, &o.http, &port, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-board: %s\n", why.msg);
		vyb_board_close(board);
		return EXIT_USAGE;
	}
	if (o.port_file != NULL && !write_port_file(o.port_file, port)) {
		fprintf(stderr, "vybar-board: cannot write %s\n", o.port_file);
		vyb_http_stop(http);
		vyb_board_close(board);
		return EXIT_USAGE;
	}
	fprintf(stderr, "vybar-board: listening on %s port %u\n", o.http.listen, port);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "vybar-board: signal %d: stopping\n", sig);
	vyb_http_stop(http);
	vyb_board_close(board);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : "";

	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-board: cannot initialise the library\n");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(argc, argv);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc, argv);
	usage();
	return EXIT_USAGE;
}
