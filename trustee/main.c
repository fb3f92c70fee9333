/*
 * vybar-trustee: the program a trustee runs (specs/trustee.md): key
 * generation, the key ceremony of specs/protocol.md §5 round by round, the
 * partial decryption of §10.2, and a status report that guides the trustee.
 *
 * This file is the command line: the commands and their options (one table,
 * cli/vy_cli.h), and running one: unlock the key, read and re-check the
 * record, find this trustee's index, then the command (trustee.h names the
 * file of each). The exit statuses are every program's (specs/trustee.md §1).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <sodium.h>

#include "cli/vy_cli.h"
#include "net/vy_http.h"
#include "cli/vy_keys.h"
#include "trustee/cheats.h"
#include "trustee/trustee.h"

static int run_keygen(const vy_cli_args *a);
static int run_round(const vy_cli_args *a);
static int run_post(const vy_cli_args *a);

/* The options of every command that reads the record. */
#define RECORD_OPTS                                                                                                  \
	{ "dir", "DIR", VY_CLI_REQUIRED, "the trustee's directory (vybar-trustee keygen)" },                         \
	{ "board", "URL", VY_CLI_OPTIONAL, "read the record from the board, and post the message to it" },          \
	{ "record", "FILE", VY_CLI_OPTIONAL, "read the record from a record file (an air-gapped trustee)" },        \
	{ "out", "FILE", VY_CLI_OPTIONAL, "with --record: write the message to FILE, for vybar-trustee post" },     \
	VY_PASS_OPTS,                                                                                                \
	{ "jobs", "N", VY_CLI_OPTIONAL, "threads re-checking the record's proofs, 1 to 1024 (default: the CPUs)" }

static const vy_cli_opt keygen_opts[] = {
	{ "dir", "DIR", VY_CLI_REQUIRED, "the trustee's directory, created mode 0700 (it must hold no key)" },
	VY_PASS_OPTS,
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt round_opts[] = { RECORD_OPTS, { NULL, NULL, 0, NULL } };
static const vy_cli_opt reveal_opts[] = { RECORD_OPTS, VYT_CHEAT_REVEAL_OPTS{ NULL, NULL, 0, NULL } };
static const vy_cli_opt decrypt_opts[] = { RECORD_OPTS, VYT_CHEAT_DECRYPT_OPTS{ NULL, NULL, 0, NULL } };

static const vy_cli_opt post_opts[] = {
	{ "board", "URL", VY_CLI_REQUIRED, "the board, http://HOST:PORT" },
	{ "message", "FILE", VY_CLI_REQUIRED, "a message file written with --out" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "keygen", NULL, 0, 0,
	  "Create the trustee's keys in a new key file, encrypted under a passphrase typed twice, and print the "
	  "signing key in hex (it goes into the manifest).",
	  keygen_opts, run_keygen },
	{ "announce", NULL, 0, 0,
	  "Round 1 of the key ceremony: draw the polynomial (kept encrypted in the directory) and announce the hash "
	  "of its commitments. Give --board URL, or --record FILE and --out FILE.",
	  round_opts, run_round },
	{ "reveal", NULL, 0, 0, "Round 2: the commitments, their proofs, and a sealed share for every other trustee.",
	  reveal_opts, run_round },
	{ "verdict", NULL, 0, 0,
	  "Round 3: open the shares sealed for this trustee; accept them all, or complain against the senders of "
	  "bad ones.",
	  round_opts, run_round },
	{ "justify", NULL, 0, 0, "Round 3b: publish the shares that other trustees complained about.", round_opts,
	  run_round },
	{ "decrypt", NULL, 0, 0, "Once the board holds the encrypted tally: this trustee's partial decryption of it.",
	  decrypt_opts, run_round },
	{ "status", NULL, 0, 0,
	  "Where the election and the ceremony stand, what every trustee has done, and what to do next.",
	  round_opts, run_round },
	{ "post", NULL, 0, 0,
	  "Carry a message file, signed already, to the board (no key needed): its header and kind are checked "
	  "before anything is sent.",
	  post_opts, run_post },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_prog program = {
	"vybar-trustee",
	"The program a trustee of a Vybar election runs: the trustee's keys, the key ceremony that makes the "
	"election key round by round, and the partial decryption of the tally (specs/trustee.md). The passphrase "
	"is prompted for on the terminal unless --passphrase-file or --passphrase-fd names another source.",
	commands,
	NULL,
};

int vyt_failed(vyt_ctx *c, int rc)
{
	c->status = rc == VYT_IO_ERROR ? VY_EXIT_IO : VY_EXIT_FAILED;
	return -1;
}

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n >= 1 && n <= VYT_MAX_JOBS ? (unsigned)n : 1;
}

/* The value of --name, NULL if the command has no such option. */
static const char *value(const vy_cli_args *a, const char *name)
{
	return vy_cli_has_opt(a->cmd, name) ? vy_cli_get(a, name) : NULL;
}

/* The command line into o. 0, or VY_EXIT_USAGE after the message. */
static int take_options(vyt_opts *o, const vy_cli_args *a)
{
	unsigned long jobs = default_jobs();

	memset(o, 0, sizeof *o);
	o->cmd = a->cmd->name;
	o->dir = value(a, "dir");
	o->board = value(a, "board");
	o->record = value(a, "record");
	o->out = value(a, "out");
	o->message = value(a, "message");
	o->pass.fd = -1;
	if (vy_cli_has_opt(a->cmd, "record")) {
		if (vy_cli_ulong(a, "jobs", 1, VYT_MAX_JOBS, &jobs) != 0)
			return VY_EXIT_USAGE;
		if ((o->board == NULL) == (o->record == NULL))
			return vy_cli_usage_error(a, "give --board URL or --record FILE");
		if (o->board != NULL && o->out != NULL)
			return vy_cli_usage_error(a, "--out goes with --record, not with --board");
	}
	o->jobs = (unsigned)jobs;
	if (vy_cli_has_opt(a->cmd, "passphrase-file") && vy_pass_src_of(&o->pass, a) != 0)
		return VY_EXIT_USAGE;
	return vyt_cheat_options(a);
}

/* The passphrase from its source; 0, or -1 with the context's status. */
static int passphrase(vyt_ctx *c, int confirm, char **pass)
{
	vy_reason why = { 0 };
	vy_rc rc = vy_passphrase(pass, &c->o->pass, confirm, &why);

	if (rc == VY_R_OK)
		return 0;
	snprintf(c->err, sizeof c->err, "%s", why.msg);
	c->status = vy_cli_exit(rc);
	return -1;
}

/* keygen: new keys in DIR; print the signing key for the manifest. */
static int cmd_keygen(vyt_ctx *c)
{
	char *pass = NULL, hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	int r;

	if (passphrase(c, 1, &pass) != 0)
		return -1;
	r = vyt_keygen(c->o->dir, pass, &c->s, c->err);
	sodium_free(pass);
	if (r != 0)
		return vyt_failed(c, r);
	vyt_secrets_open(c->s);
	sodium_bin2hex(hex, sizeof hex, c->s->sign_pk, crypto_sign_PUBLICKEYBYTES);
	vyt_secrets_close(c->s);
	printf("%s\n", hex);
	return 0;
}

/* Unlock the key, read the record, find our index, check the record
 * against what this trustee remembers (memory.c); then the command. */
static int cmd_round(vyt_ctx *c)
{
	static const struct {
		const char *name;
		int (*fn)(vyt_ctx *);
	} rounds[] = {
		{ "announce", vyt_cmd_announce }, { "reveal", vyt_cmd_reveal },	  { "verdict", vyt_cmd_verdict },
		{ "justify", vyt_cmd_justify },	  { "decrypt", vyt_cmd_decrypt }, { "status", vyt_cmd_status },
	};
	char *pass = NULL;
	int r;

	if (passphrase(c, 0, &pass) != 0)
		return -1;
	r = vyt_key_load(c->o->dir, pass, &c->s, c->err);
	sodium_free(pass);
	if (r != 0)
		return vyt_failed(c, r);
	if (vyt_seen_load(c) != 0 || vyt_view_load(c) != 0)
		return -1;
	vyt_secrets_open(c->s);
	r = vyt_find_me(c);
	vyt_secrets_close(c->s);
	/* memory.c: a fork's tally is named as such before the record is
	 * refused for not extending the one seen */
	if (r == 0 && strcmp(c->o->cmd, "decrypt") == 0)
		r = vyt_decrypted_check(c);
	if (r == 0)
		r = vyt_seen_check(c);
	for (size_t i = 0; r == 0 && i < sizeof rounds / sizeof rounds[0]; i++)
		if (strcmp(c->o->cmd, rounds[i].name) == 0)
			return rounds[i].fn(c);
	return -1;
}

/* Run one command with the options of a; its exit status. */
static int run(const vy_cli_args *a, int (*cmd)(vyt_ctx *))
{
	vyt_opts o;
	vyt_ctx c;
	int r = take_options(&o, a);

	if (r != 0)
		return r;
	memset(&c, 0, sizeof c);
	c.o = &o;
	c.status = VY_EXIT_FAILED;
	vy_record_state_init(&c.v.st);
	r = cmd(&c);
	if (r != 0)
		fprintf(stderr, "vybar-trustee %s: %s\n", o.cmd, c.err);
	vyt_secrets_free(c.s);
	vyt_view_free(&c.v);
	return r == 0 ? VY_EXIT_OK : c.status;
}

static int run_keygen(const vy_cli_args *a)
{
	return run(a, cmd_keygen);
}

static int run_round(const vy_cli_args *a)
{
	return run(a, cmd_round);
}

static int run_post(const vy_cli_args *a)
{
	return run(a, vyt_cmd_post);
}

int main(int argc, char **argv)
{
	int rc;

	/* libgcrypt (registrar signatures) before the engine's threads use it */
	if (vy_init() != VY_OK || gcry_check_version(NULL) == NULL || vy_http_global_init() != VY_R_OK) {
		fprintf(stderr, "vybar-trustee: cannot initialise libsodium, libgcrypt or the HTTP client\n");
		return VY_EXIT_IO;
	}
	rc = vy_cli_main(&program, argc, argv);
	vy_http_global_cleanup();
	return rc;
}
