/*
 * Real vybar-witness processes on 127.0.0.1 for the end-to-end tests
 * (specs/witness.md §7.2-§7.3): each holds the key of one of the fixtures'
 * witnesses (protocol_fixtures.h), so a manifest built with
 * keys.n_witnesses names it, and listens on a port chosen before it starts,
 * so that a board can be given its URL first (vybar-board serve --witness).
 */
#ifndef VYTEST_WITNESS_HARNESS_H
#define VYTEST_WITNESS_HARNESS_H

#include <sys/types.h>

#include "tests/support/board_harness.h"

typedef struct {
	char dir[VYH_DIR_BYTES];
	char wdir[VYH_PATH_BYTES], log[VYH_PATH_BYTES], port_file[VYH_PATH_BYTES];
	uint32_t index;  /* 1-based into the fixtures' witnesses */
	unsigned port;   /* chosen at init, kept across restarts */
	char url[64];    /* http://127.0.0.1:port */
	vyh_board http;  /* only its port: vyh_get against the witness */
	pid_t pid;
} vyh_witness;

/* A fresh directory holding fixture witness `index`'s key and name
 * (vyf_witness_name), and a free port. */
void vyh_witness_init(vyh_witness *w, uint32_t index);
/* `vybar-witness serve --dir --board board_url --port`; fails the test
 * unless it listens. Its output goes to w->log. */
void vyh_witness_start(vyh_witness *w, const char *board_url);
/* Send sig and wait (nothing if not running). */
void vyh_witness_stop(vyh_witness *w, int sig);
/* Stop it (SIGTERM) and remove its directory. */
void vyh_witness_cleanup(vyh_witness *w);
/* Wait up to seconds for its cosigned size (GET /v1/status) to reach
 * size; the cosigned size it has then. */
uint64_t vyh_witness_wait_cosigned(const vyh_witness *w, uint64_t size, int seconds);
/* A board's URL, http://127.0.0.1:port. */
void vyh_board_url(char out[64], const vyh_board *b);

#endif
