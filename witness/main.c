/*
 * vybar-witness: follows a board, checks every entry, cosigns checkpoints
 * that extend what it cosigned before, and serves its copy of the record
 * (specs/witness.md §7.2-§7.3).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "cli/vy_keys.h"
#include "witness/server.h"
#include "witness/witness.h"

#define DEFAULT_LISTEN "127.0.0.1"
#define FOLLOW_EVERY_MS 1000
#define PORT_TEXT_BYTES 16

/* keygen: DIR (0700), DIR/key (0600), DIR/name; "NAME HEXKEY" out. */
static int cmd_keygen(const vy_cli_args *a)
{
	const char *dir = vy_cli_get(a, "dir"), *name = vy_cli_get(a, "name");
	char path[VYW_PATH_BYTES], hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	vy_reason why = { 0 };

	if (strlen(dir) >= VYW_DIR_BYTES)
		return vy_cli_usage_error(a, "--dir: too long");
	if (!vy_witness_name_ok(name, strlen(name)))
		return vy_cli_usage_error(a, "--name: 1 to %d printable ASCII characters, no space or '+'",
					  VY_WITNESS_NAME_MAX);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "vybar-witness: %s: %s\n", dir, strerror(errno));
		return VY_EXIT_IO;
	}
	snprintf(path, sizeof path, "%s/key", dir);
	if (vy_key_generate(pk, path, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-witness: %s\n", why.msg);
		return vy_cli_exit(why.code);
	}
	snprintf(path, sizeof path, "%s/name", dir);
	if (vy_file_replace(path, VY_FILE_MODE_PUBLIC, name, strlen(name), &why) != VY_R_OK) {
		fprintf(stderr, "vybar-witness: %s\n", why.msg);
		return vy_cli_exit(why.code);
	}
	sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
	printf("%s %s\n", name, hex);
	return VY_EXIT_OK;
}

typedef struct {
	vyw_witness *w;
	atomic_int stop; /* set by the main thread, read by the follower */
} follower;

/* Every second: read what the board appended. */
static void *follow_loop(void *arg)
{
	follower *f = arg;
	struct timespec step = { FOLLOW_EVERY_MS / 1000, (FOLLOW_EVERY_MS % 1000) * 1000000L };

	while (!atomic_load(&f->stop)) {
		vy_reason why = { 0 };

		pthread_mutex_lock(&f->w->mu);
		if (vyw_follow(f->w, &why) != VY_R_OK)
			fprintf(stderr, "vybar-witness: following the board: %s\n", why.msg);
		pthread_mutex_unlock(&f->w->mu);
		nanosleep(&step, NULL);
	}
	return NULL;
}

static int serve_run(vyw_witness *w, const vy_cli_args *a, unsigned long port)
{
	const char *listen = vy_cli_get(a, "listen") ? vy_cli_get(a, "listen") : DEFAULT_LISTEN;
	const char *port_file = vy_cli_get(a, "port-file");
	follower f = { .w = w };
	vyw_server *s = NULL;
	vy_reason why = { 0 };
	pthread_t t;
	sigset_t set;
	unsigned bound = 0;
	int sig = 0;

	atomic_init(&f.stop, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (vyw_server_start(&s, w, listen, (unsigned)port, &bound, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-witness: %s\n", why.msg);
		return VY_EXIT_IO;
	}
	if (port_file != NULL) {
		char text[PORT_TEXT_BYTES];
		int n = snprintf(text, sizeof text, "%u\n", bound);

		if (vy_file_replace(port_file, VY_FILE_MODE_PUBLIC, text, (size_t)n, &why) != VY_R_OK) {
			fprintf(stderr, "vybar-witness: --port-file: %s\n", why.msg);
			vyw_server_stop(s);
			return VY_EXIT_IO;
		}
	}
	fprintf(stderr, "vybar-witness: listening on %s port %u\n", listen, bound);
	if (pthread_create(&t, NULL, follow_loop, &f) != 0) {
		vyw_server_stop(s);
		return VY_EXIT_IO;
	}
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "vybar-witness: signal %d: stopping\n", sig);
	atomic_store(&f.stop, 1);
	pthread_join(t, NULL);
	vyw_server_stop(s);
	return VY_EXIT_OK;
}

/* serve: load DIR, then follow, cosign and serve until a signal. */
static int cmd_serve(const vy_cli_args *a)
{
	vyw_witness w;
	vy_reason why = { 0 };
	unsigned long port = 0;
	int rc;

	if (vy_cli_ulong(a, "port", 0, 65535, &port) != 0)
		return VY_EXIT_USAGE;
	if (vy_http_global_init() != VY_R_OK) {
		fprintf(stderr, "vybar-witness: cannot initialise HTTP\n");
		return VY_EXIT_IO;
	}
	if (vyw_open(&w, vy_cli_get(a, "dir"), vy_cli_get(a, "board"), &why) != VY_R_OK) {
		fprintf(stderr, "vybar-witness: refusing to start: %s\n", why.msg);
		vyw_close(&w);
		vy_http_global_cleanup();
		return vy_cli_exit(why.code);
	}
	rc = serve_run(&w, a, port);
	vyw_close(&w);
	vy_http_global_cleanup();
	return rc;
}

static const vy_cli_opt keygen_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the witness's directory (made, mode 0700)" },
	{ "name", "NAME", VY_CLI_REQUIRED, "the witness's key name, as the manifest will name it" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt serve_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the witness's directory (key, name, record, state)" },
	{ "board", "URL", VY_CLI_REQUIRED, "the board to follow" },
	{ "listen", "ADDR", VY_CLI_OPTIONAL, "the address to listen on (default 127.0.0.1)" },
	{ "port", "N", VY_CLI_OPTIONAL, "the port to listen on (default 0: any free port)" },
	{ "port-file", "FILE", VY_CLI_OPTIONAL, "write the port listened on to FILE (replaced atomically)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "keygen", NULL, 0, 0,
	  "Make DIR with a fresh Ed25519 key (DIR/key, mode 0600) and the name (DIR/name); print the name and the "
	  "public key in hex, which the commission puts into the manifest.",
	  keygen_opts, cmd_keygen },
	{ "serve", NULL, 0, 0,
	  "Follow the board, check every entry with the validity rules, cosign checkpoints that extend what it "
	  "cosigned before (POST /add-checkpoint), and serve its copy of the record read-only.",
	  serve_opts, cmd_serve },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_prog program = {
	.name = "vybar-witness",
	.help = "A witness of a Vybar election's record: it checks every entry the board shows and cosigns only "
		"records that extend each other (specs/witness.md).",
	.cmds = commands,
	.more_exits = NULL,
};

int main(int argc, char **argv)
{
	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-witness: cannot initialise the library\n");
		return VY_EXIT_IO;
	}
	return vy_cli_main(&program, argc, argv);
}
