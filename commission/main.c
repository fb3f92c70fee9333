/*
 * vybar-commission: the election commission's program (specs/commission.md).
 * The commission defines the election and administers the board; it never
 * runs the board's server itself, so these commands live apart from it.
 *
 *   vybar-commission keygen --out FILE
 *   vybar-commission manifest --election FILE.json --registrar-keys FILE
 *                    --board-pk HEX --commission-pk HEX --trustee-pks FILE --out FILE
 *   vybar-commission admin --board URL --key FILE open|close|tally|result
 *   vybar-commission publish-issued --board URL --registrar URL
 *
 * Exit status: 0 done; 1 usage, I/O, or no answer from a server; 2 refused
 * (the description breaks a rule, or the board refused the action).
 */
#include <stdio.h>
#include <string.h>

#include "commission/commission.h"
#include "crypto/vy_common.h"
#include "net/vy_http.h"

#define EXIT_USAGE 1

static void usage(void)
{
	fprintf(stderr,
		"usage: vybar-commission keygen --out FILE\n"
		"       vybar-commission manifest --election FILE.json --registrar-keys FILE --board-pk HEX\n"
		"                        --commission-pk HEX --trustee-pks FILE --out FILE\n"
		"       vybar-commission admin --board URL --key FILE open|close|tally|result\n"
		"       vybar-commission publish-issued --board URL --registrar URL\n");
}

/* The commands that talk to a server over HTTP. */
static int networked(int (*cmd)(int, char **), int argc, char **argv)
{
	int rc;

	if (vy_http_global_init() != VY_R_OK) {
		fprintf(stderr, "vybar-commission: cannot initialise the HTTP client\n");
		return EXIT_USAGE;
	}
	rc = cmd(argc, argv);
	vy_http_global_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : "";

	if (vy_init() != VY_OK) {
		fprintf(stderr, "vybar-commission: cannot initialise the library\n");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "keygen") == 0)
		return vyb_cmd_keygen(argc, argv);
	if (strcmp(cmd, "manifest") == 0)
		return vyb_cmd_manifest(argc, argv);
	if (strcmp(cmd, "admin") == 0)
		return networked(vyb_cmd_admin, argc, argv);
	if (strcmp(cmd, "publish-issued") == 0)
		return networked(vyb_cmd_publish_issued, argc, argv);
	usage();
	return EXIT_USAGE;
}
