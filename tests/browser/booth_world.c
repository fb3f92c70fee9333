/*
 * The election the booth's browser test votes in (booth_e2e.mjs): the
 * voters' world of the client tests (tests/support/vote_world.h), a real
 * vybar-registrar and a real vybar-board on 127.0.0.1, open for ballots,
 * with the board serving the booth's folder and the registrar letting the
 * board's origin register.
 *
 *   booth_world BOOTH_DIR
 *
 * Prints one line of JSON, {"board":URL,"registrar":URL,"codes":[...]},
 * then serves until its standard input ends (or a line "stop" comes),
 * and stops both, removing their files.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/vote_world.h"

#define LINE_BYTES 64

/* A port free on 127.0.0.1 just now, for the board: the registrar must
 * name the board's origin before the board starts. */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

int main(int argc, char **argv)
{
	char line[LINE_BYTES];
	void *state = NULL;
	vyw_world *w;
	unsigned port;

	if (argc != 2) {
		fprintf(stderr, "usage: booth_world BOOTH_DIR\n");
		return 2;
	}
	port = free_port();
	if (port == 0) {
		fprintf(stderr, "booth_world: no free port on 127.0.0.1\n");
		return 1;
	}
	vyrh_translated = 1; /* the booth shows the election's texts in the voter's language */
	vyw_setup_booth(&state, argv[1], port);
	w = state;
	printf("{\"board\":\"%s\",\"registrar\":\"%s\",\"codes\":[", w->url, w->reg.url);
	for (size_t i = 0; i < w->reg.n_codes; i++)
		printf("%s\"%s\"", i ? "," : "", w->reg.codes[i]);
	printf("]}\n");
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL && strncmp(line, "stop", 4) != 0)
		;
	vyw_teardown(&state);
	return 0;
}
