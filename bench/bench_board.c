/*
 * vybar-board: sustained ballot intake on loopback (the aim: at
 * least 300 ballots/s on 2 cores).
 *
 *   bench_board [clients] [ballots]      (defaults: 8 clients, 2000 ballots)
 *
 * A 1-of-11 election on ristretto255 (3 trustees, threshold 2) is set up on
 * a fresh vybar-board on 127.0.0.1 (rate limit off), its ballots are
 * precomputed (distinct voters, real registrar signatures), then `clients`
 * threads each POST their share of the ballots over one keep-alive
 * connection. Every ballot is fully checked (signatures, registrar
 * signature, proofs) and durably committed (SQLite WAL, synchronous=FULL)
 * before its receipt. Reports ballots/s and latency percentiles. Only ever
 * targets 127.0.0.1.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/intake.h"
#include "protocol/vy_api.h"

#define DEFAULT_CLIENTS 8
#define DEFAULT_BALLOTS 2000


int main(int argc, char **argv)
{
	size_t clients = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_CLIENTS;
	size_t total = argc > 2 ? strtoul(argv[2], NULL, 10) : DEFAULT_BALLOTS, ok = 0;
	vybench_worker w[VYBENCH_MAX_THREADS];
	vyh_election e;
	uint8_t **ballots;
	size_t *lens;
	double *lat, t0, secs;

	if (clients < 1 || clients > VYBENCH_MAX_THREADS || total < clients) {
		fprintf(stderr, "usage: bench_board [clients 1..%d] [ballots >= clients]\n", VYBENCH_MAX_THREADS);
		return 1;
	}
	vybench_election_start(&e, "bench_board");
	ballots = calloc(total, sizeof *ballots);
	lens = calloc(total, sizeof *lens);
	lat = calloc(total, sizeof *lat);
	if (ballots == NULL || lens == NULL || lat == NULL)
		return 1;
	(void)vyf_registrar_sk(0); /* set up the fixtures' key before the threads share it */
	for (size_t k = 0; k < clients; k++) {
		w[k] = (vybench_worker){ .b = &e.b, .label = "bench", .el = &e.r.st.election, .ballots = ballots, .lens = lens, .lat_ms = lat,
				 .first = k * (total / clients),
				 .count = k + 1 < clients ? total / clients : total - k * (total / clients) };
	}
	fprintf(stderr, "bench_board: preparing %zu 1-of-11 ballots...\n", total);
	vybench_run_all(w, clients, vybench_prepare);
	t0 = vybench_now_s();
	vybench_run_all(w, clients, vybench_submit);
	secs = vybench_now_s() - t0;
	for (size_t k = 0; k < clients; k++)
		ok += w[k].ok;
	qsort(lat, total, sizeof *lat, vybench_cmp_double);
	printf("board intake, 1-of-11 ristretto255, %zu clients, %zu ballots (%zu accepted): %.1f ballots/s; "
	       "latency ms p50 %.2f p95 %.2f p99 %.2f max %.2f\n",
	       clients, total, ok, (double)ok / secs, lat[total / 2], lat[total * 95 / 100], lat[total * 99 / 100],
	       lat[total - 1]);
	(void)vyh_stop(&e.b, SIGTERM);
	for (size_t i = 0; i < total; i++)
		free(ballots[i]);
	free(ballots);
	free(lens);
	free(lat);
	vyh_election_free(&e);
	return ok == total ? 0 : 1;
}
