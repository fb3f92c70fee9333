/*
 * vybar-commission: the election commission's program (specs/commission.md).
 * The commission defines the election and administers the board; it never
 * runs the board's server itself, so these commands live apart from it.
 *
 *   vybar-commission keygen --out FILE
 *   vybar-commission manifest --election FILE.json --registrar-keys FILE
 *                    --board-pk HEX --commission-pk HEX --trustee-pks FILE --out FILE
 *                    [--witness NAME=HEX ... | --witnesses FILE] [--witness-threshold K]
 *   vybar-commission admin --board URL --key FILE open|close|tally|result
 *   vybar-commission publish-issued --board URL --registrar URL
 *
 * The commands and their options are the table below (cli/vy_cli.h); the
 * exit statuses are every program's (specs/commission.md §3).
 */
#include <stdio.h>

#include "cli/vy_cli.h"
#include "cli/vy_keys.h"
#include "net/vy_http.h"
#include "commission/commission.h"
#include "crypto/vy_common.h"
#include "net/vy_http.h"

static int cmd_admin(const vy_cli_args *a);
static int cmd_publish_issued(const vy_cli_args *a);

static const vy_cli_opt keygen_opts[] = {
	{ "out", "FILE", VY_CLI_REQUIRED, "the new key file, created with mode 0600 (never over an existing file)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt manifest_opts[] = {
	{ "election", "FILE.json", VY_CLI_REQUIRED, "the election description (specs/commission.md, section 2)" },
	{ "registrar-keys", "FILE", VY_CLI_REQUIRED, "the registrar's public keys, from vybar-registrar init" },
	{ "board-pk", "HEX", VY_CLI_REQUIRED, "the board's public key, as vybar-board keygen printed it" },
	{ "commission-pk", "HEX", VY_CLI_REQUIRED, "the commission's public key, as vybar-commission keygen printed it" },
	{ "trustee-pks", "FILE", VY_CLI_REQUIRED, "the trustees' signing keys, one line of 64 hex digits each, in order" },
	{ "witness", "NAME=HEX", VY_CLI_REPEAT,
	  "a witness of the record, its key name and public key as vybar-witness keygen printed them (repeat it, "
	  "in order, for each witness; specs/witness.md, section 5)" },
	{ "witnesses", "FILE", VY_CLI_OPTIONAL,
	  "the witnesses instead of --witness: one line NAME HEX per witness, in order, as vybar-witness keygen "
	  "printed them" },
	{ "witness-threshold", "K", VY_CLI_OPTIONAL,
	  "with witnesses: the cosignatures a tally needs before the trustees decrypt it, 1 to their number "
	  "(choose more than half of them)" },
	{ "out", "FILE", VY_CLI_REQUIRED, "the new manifest, created with mode 0644 (never over an existing file)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt admin_opts[] = {
	{ "board", "URL", VY_CLI_REQUIRED, "the board, http://HOST:PORT" },
	{ "key", "FILE", VY_CLI_REQUIRED, "the commission's key file (vybar-commission keygen)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt publish_opts[] = {
	{ "board", "URL", VY_CLI_REQUIRED, "the board, http://HOST:PORT" },
	{ "registrar", "URL", VY_CLI_REQUIRED, "the registrar, http://HOST:PORT" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "keygen", NULL, 0, 0,
	  "Write a fresh commission key file and print its public key in hex (it goes into the manifest).",
	  keygen_opts, vy_key_command },
	{ "manifest", NULL, 0, 0,
	  "Build the election's manifest from its description and the keys, check it under the protocol's rules "
	  "(specs/protocol.md, section 3.3), write it and print the election as everyone will see it.",
	  manifest_opts, vyb_cmd_manifest },
	{ "admin", "open|close|tally|result", 1, 1,
	  "Sign the action over the board's current head and post it: open the election, close the voting, have "
	  "the board post the encrypted tally, or the result.",
	  admin_opts, cmd_admin },
	{ "publish-issued", NULL, 0, 0,
	  "Carry the registrar's signed count of credentials issued to the board, after the close.", publish_opts,
	  cmd_publish_issued },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_prog program = {
	"vybar-commission",
	"The election commission's program: it defines the election (its manifest), administers the board with "
	"signed actions, and carries the registrar's count of credentials to the board (specs/commission.md).",
	commands,
	NULL,
};

/* A command that talks to servers over HTTP. */
static int networked(int (*cmd)(const vy_cli_args *), const vy_cli_args *a)
{
	int rc;

	if (vy_http_global_init() != VY_R_OK) {
		fprintf(stderr, "vybar-commission: cannot initialise the HTTP client\n");
		return VY_EXIT_IO;
	}
	rc = cmd(a);
	vy_http_global_cleanup();
	return rc;
}

static int cmd_admin(const vy_cli_args *a)
{
	return networked(vyb_cmd_admin, a);
}

static int cmd_publish_issued(const vy_cli_args *a)
{
	return networked(vyb_cmd_publish_issued, a);
}

int main(int argc, char **argv)
{
	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-commission: cannot initialise the library\n");
		return VY_EXIT_IO;
	}
	return vy_cli_main(&program, argc, argv);
}
