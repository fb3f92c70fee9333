/*
 * vybar-board: the bulletin board server (specs/board-api.md). The election
 * commission administers it with its own program (commission/,
 * vybar-commission).
 *
 *   vybar-board keygen --out FILE
 *   vybar-board serve (--db FILE | --store STORE) --key FILE [OPTION]...
 *
 * The commands and their options are the table below (cli/vy_cli.h); the
 * exit statuses are every program's (specs/board-api.md §1): 0 after a
 * clean stop (SIGINT, SIGTERM) or a command done, 1 when the board refuses
 * the stored record (an entry fails validation), its key or the manifest
 * given, 2 on a usage error, 3 on an I/O or start-up error.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "bulletin/booth_files.h"
#include "bulletin/http.h"
#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "cli/vy_keys.h"

#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_PORT 8080
#define DEFAULT_THREADS 4
#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_DEADLINE_S 60
#define DEFAULT_BODY_MIB 128
#define MAX_BODY_MIB 65536UL
#define MIB (1024UL * 1024UL)
#define DEFAULT_QUEUE 256
#define DEFAULT_RATE 50.0
#define DEFAULT_BURST 100.0
#define DEFAULT_CONN_LIMIT 1024
#define DEFAULT_PER_IP_LIMIT 64
#define MAX_COUNT (65535 * 16UL) /* queue, connections, threads, timeout */
#define MAX_RATE 1e9
#define PORT_TEXT_BYTES 16

static int cmd_serve(const vy_cli_args *a);

static const vy_cli_opt keygen_opts[] = {
	{ "out", "FILE", VY_CLI_REQUIRED, "the new key file, created with mode 0600 (never over an existing file)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt serve_opts[] = {
	{ "db", "FILE", VY_CLI_OPTIONAL, "the record's SQLite database (created on the first start)" },
	{ "store", "STORE", VY_CLI_OPTIONAL,
	  "instead of --db: sqlite:FILE, or postgresql:CONNINFO (a libpq connection string; the tables are "
	  "created on the first start; for failover, the primary and its standby: host=A,B ... "
	  "target_session_attrs=read-write)" },
	{ "key", "FILE", VY_CLI_REQUIRED, "the board's key file (vybar-board keygen)" },
	{ "manifest", "FILE", VY_CLI_OPTIONAL,
	  "the manifest: entry 0 of a new record; on a restart it must be the record's" },
	{ "listen", "ADDR", VY_CLI_OPTIONAL, "the IPv4 or IPv6 address to listen on (default " DEFAULT_LISTEN ")" },
	{ "port", "N", VY_CLI_OPTIONAL, "the TCP port; 0: any free port (default 8080)" },
	{ "port-file", "FILE", VY_CLI_OPTIONAL, "write the port listened on to FILE (replaced atomically)" },
	{ "threads", "N", VY_CLI_OPTIONAL, "HTTP threads (default 4)" },
	{ "timeout", "S", VY_CLI_OPTIONAL, "seconds before an idle connection is closed (default 30)" },
	{ "deadline", "S", VY_CLI_OPTIONAL,
	  "seconds a request has to arrive whole (headers and body), however slowly its bytes come (default 60)" },
	{ "body-memory", "MIB", VY_CLI_OPTIONAL,
	  "MiB that large request bodies may hold at once; beyond, 503 (default 128)" },
	{ "queue", "N", VY_CLI_OPTIONAL, "requests waiting for the checkers or the writer (default 256)" },
	{ "rate", "R", VY_CLI_OPTIONAL, "requests per second per client address; 0: no limit (default 50)" },
	{ "burst", "B", VY_CLI_OPTIONAL, "requests a client may send at once above the rate (default 100)" },
	{ "conn-limit", "N", VY_CLI_OPTIONAL, "connections in total (default 1024)" },
	{ "per-ip-limit", "N", VY_CLI_OPTIONAL, "connections per client address; 0: no limit (default 64)" },
	{ "checkers", "N", VY_CLI_OPTIONAL, "ballot checker threads; 0: one per CPU (default 0)" },
	{ "booth", "DIR", VY_CLI_OPTIONAL,
	  "serve the voter's booth, the files of DIR, read-only under /booth/ (specs/board-api.md \"The booth\")" },
	{ "booth-registrar", "URL", VY_CLI_OPTIONAL,
	  "the registrar the booth's pages register with: the only other site they may connect to" },
	{ "witness", "URL", VY_CLI_REPEAT,
	  "a witness's submission URL: checkpoints go to URL/add-checkpoint (specs/witness.md §7.1)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "keygen", NULL, 0, 0,
	  "Write a fresh key file and print its public key in hex (it goes into the manifest, as board_key).",
	  keygen_opts, vy_key_command },
	{ "serve", NULL, 0, 0,
	  "Open the record, checking every stored entry again (or start it with the manifest), serve it over "
	  "HTTP, and stop cleanly on SIGINT or SIGTERM.",
	  serve_opts, cmd_serve },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_prog program = {
	"vybar-board",
	"The bulletin board of a Vybar election: it keeps the election's public record, checks every entry "
	"before it appends it, signs it, and serves it over HTTP (specs/board-api.md).",
	commands,
	NULL,
};

/* The numbers of serve's options, into the two configurations. 0, or
 * VY_EXIT_USAGE after the message. */
static int serve_numbers(const vy_cli_args *a, vyb_board_config *b, vyb_http_config *h)
{
	unsigned long port = h->port, threads = h->threads, timeout = h->timeout, queue = b->queue_max;
	unsigned long deadline = h->deadline, body_mib = DEFAULT_BODY_MIB;
	unsigned long conns = h->conn_limit, per_ip = h->per_ip_limit, checkers = b->checkers;

	if (vy_cli_ulong(a, "port", 0, 65535, &port) || vy_cli_ulong(a, "threads", 1, MAX_COUNT, &threads) ||
	    vy_cli_ulong(a, "timeout", 1, MAX_COUNT, &timeout) ||
	    vy_cli_ulong(a, "deadline", 1, MAX_COUNT, &deadline) ||
	    vy_cli_ulong(a, "body-memory", 1, MAX_BODY_MIB, &body_mib) || vy_cli_ulong(a, "queue", 0, MAX_COUNT, &queue) ||
	    vy_cli_ulong(a, "conn-limit", 1, MAX_COUNT, &conns) ||
	    vy_cli_ulong(a, "per-ip-limit", 0, MAX_COUNT, &per_ip) ||
	    vy_cli_ulong(a, "checkers", 0, VYB_MAX_CHECKERS, &checkers) ||
	    vy_cli_double(a, "rate", 0, MAX_RATE, &h->rate) || vy_cli_double(a, "burst", 0, MAX_RATE, &h->burst))
		return VY_EXIT_USAGE;
	h->port = (unsigned)port;
	h->threads = (unsigned)threads;
	h->timeout = (unsigned)timeout;
	h->deadline = (unsigned)deadline;
	h->body_memory = (size_t)body_mib * MIB;
	h->conn_limit = (unsigned)conns;
	h->per_ip_limit = (unsigned)per_ip;
	b->queue_max = (size_t)queue;
	b->checkers = (size_t)checkers;
	return 0;
}

/* Write the bound port to path, atomically. */
static vy_rc write_port_file(const char *path, unsigned port, vy_reason *why)
{
	char text[PORT_TEXT_BYTES];
	int n = snprintf(text, sizeof text, "%u\n", port);

	return vy_file_replace(path, VY_FILE_MODE_PUBLIC, text, (size_t)n, why);
}

/* Until SIGINT or SIGTERM (blocked in every thread since before they
 * started). */
static void wait_for_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	fprintf(stderr, "vybar-board: signal %d: stopping\n", sig);
}

/* serve: open (re-validating the record), listen, wait for a signal, stop cleanly. */
static int cmd_serve(const vy_cli_args *a)
{
	vyb_board_config bc = { .queue_max = DEFAULT_QUEUE };
	vyb_http_config hc = { .listen = DEFAULT_LISTEN, .port = DEFAULT_PORT, .threads = DEFAULT_THREADS,
			       .timeout = DEFAULT_TIMEOUT_S, .deadline = DEFAULT_DEADLINE_S, .conn_limit = DEFAULT_CONN_LIMIT,
			       .per_ip_limit = DEFAULT_PER_IP_LIMIT, .rate = DEFAULT_RATE, .burst = DEFAULT_BURST };
	const char *port_file = vy_cli_get(a, "port-file");
	const char *witnesses[VY_CLI_MAX_REPEATS];
	vyb_board *board = NULL;
	vyb_http *http = NULL;
	vyb_booth *booth = NULL;
	vy_reason why = { 0 };
	sigset_t set;
	unsigned port = 0;

	if (serve_numbers(a, &bc, &hc) != 0)
		return VY_EXIT_USAGE;
	bc.db_path = vy_cli_get(a, "db");
	bc.store = vy_cli_get(a, "store");
	if ((bc.db_path == NULL) == (bc.store == NULL))
		return vy_cli_usage_error(a, "give one of --db FILE and --store STORE");
	bc.key_path = vy_cli_get(a, "key");
	bc.manifest_path = vy_cli_get(a, "manifest");
	bc.n_witness_urls = vy_cli_all(a, "witness", witnesses, VY_CLI_MAX_REPEATS);
	bc.witness_urls = witnesses;
	if (vy_cli_get(a, "listen") != NULL)
		hc.listen = vy_cli_get(a, "listen");
	/* Signals go to sigwait below, never to the server's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (vy_cli_get(a, "booth") != NULL &&
	    vyb_booth_open(&booth, vy_cli_get(a, "booth"), vy_cli_get(a, "booth-registrar"), &why) != VY_R_OK) {
		fprintf(stderr, "vybar-board: %s\n", why.msg);
		return why.code == VY_R_IO ? VY_EXIT_IO : VY_EXIT_USAGE;
	}
	hc.booth = booth;
	if (vyb_board_open(&board, &bc, &why) != VY_R_OK) {
		vyb_booth_close(booth);
		fprintf(stderr, "vybar-board: refusing to start: %s\n", why.msg);
		return vy_cli_exit(why.code);
	}
	if (vyb_http_start(&http, board, &hc, &port, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-board: %s\n", why.msg);
		vyb_board_close(board);
		vyb_booth_close(booth);
		return VY_EXIT_IO;
	}
	if (port_file != NULL && write_port_file(port_file, port, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-board: --port-file: %s\n", why.msg);
		vyb_http_stop(http);
		vyb_board_close(board);
		vyb_booth_close(booth);
		return VY_EXIT_IO;
	}
	fprintf(stderr, "vybar-board: listening on %s port %u\n", hc.listen, port);
	wait_for_signal(&set);
	vyb_http_stop(http);
	vyb_board_close(board);
	vyb_booth_close(booth);
	return VY_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-board: cannot initialise the library\n");
		return VY_EXIT_IO;
	}
	return vy_cli_main(&program, argc, argv);
}
