/*
 * vybar-board at referendum scale (issue 17's aims: 500,000 ballots at no
 * less than 300 ballots/s, with flat memory, and a restart under a minute).
 *
 *   bench_scale [sqlite|postgresql]     (default: both, PostgreSQL where it can run)
 *     VYBAR_BENCH_BALLOTS=N   ballots (default 500000)
 *     VYBAR_BENCH_CLIENTS=K   client threads, one keep-alive connection each (default 16)
 *     VYBAR_BENCH_BOARDS=2    on PostgreSQL, two board processes on the one
 *                             database, the clients split between them
 *     VYBAR_BENCH_KEEP=1      keep the SQLite board's directory (printed), to
 *                             profile a restart on it
 *     VYBAR_BENCH_FULL_RESTART=1  also time a restart without the checkpoint
 *                             (every proof checked again: long at scale)
 *
 * The 1-of-11 ristretto255 election of bench_board.c on a fresh
 * vybar-board on 127.0.0.1 (rate limit off), on SQLite and on a throwaway
 * PostgreSQL cluster (tests/support/pg_harness.h). Every ballot is
 * precomputed first, once for both stores (all cores, not timed), so the
 * clients are not the bottleneck; then K threads POST them. Reported: ballots/s, latency p50/p99, the board's resident
 * memory (VmRSS) at 10%, 50% and 100% of the ballots and its peak, the
 * record's size (the stored entries) and the store's size on disk, and
 * the restart time from the restart checkpoint (and without it, when
 * asked). Only ever targets 127.0.0.1.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench/intake.h"
#include "protocol/vy_api.h"

#define DEFAULT_BALLOTS 500000
#define DEFAULT_CLIENTS 16
#define MAX_PREPARERS 16
#define RSS_POINTS 3
#define SAMPLE_NS 200000000L /* RSS sampled every 0.2 s */
#define RESTART_TIMEOUT_S 7200
#define MIB (1024.0 * 1024.0)

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoul(v, NULL, 10) : def;
}


/* A process's resident memory in MiB (0 if unknown). */
static double rss_mib(pid_t pid)
{
	char path[64], line[256];
	double kib = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = strtod(line + 6, NULL);
	fclose(f);
	return kib / 1024.0;
}

/* The board's memory while the ballots go in: at 10%, 50%, 100% and the peak. */
typedef struct {
	pid_t pid, pid2; /* pid2: the second board, 0 if none */
	atomic_size_t *done;
	size_t total;
	atomic_int stop;
	double at[RSS_POINTS], peak;
} sampler;

static void *sample(void *arg)
{
	static const size_t percent[RSS_POINTS] = { 10, 50, 100 };
	struct timespec step = { 0, SAMPLE_NS };
	sampler *s = arg;
	size_t next = 0;

	while (!atomic_load(&s->stop)) {
		double m = rss_mib(s->pid) + (s->pid2 > 0 ? rss_mib(s->pid2) : 0);

		if (m > s->peak)
			s->peak = m;
		while (next < RSS_POINTS && atomic_load(s->done) * 100 >= s->total * percent[next])
			s->at[next++] = m;
		nanosleep(&step, NULL);
	}
	return NULL;
}

static double file_mib(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (double)st.st_size / MIB : 0;
}

/* The record's size (the stored entries' bytes) and the store's on disk. */
static void sizes(const vyh_board *b, double *record, double *disk)
{
	char out[256], path[VYH_PATH_BYTES + 8];

	if (b->store[0] != '\0') {
		const char *conninfo = b->store + strlen("postgresql:");

		vypg_query(conninfo, "SELECT sum(length(entry)) FROM entries", out, sizeof out);
		*record = strtod(out, NULL) / MIB;
		vypg_query(conninfo,
			   "SELECT pg_total_relation_size('entries') + pg_total_relation_size('tracking') "
			   "+ pg_total_relation_size('checkpoint')",
			   out, sizeof out);
		*disk = strtod(out, NULL) / MIB;
		return;
	}
	{
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;

		*record = 0;
		if (sqlite3_open(b->db, &h) == SQLITE_OK &&
		    sqlite3_prepare_v2(h, "SELECT sum(length(entry)) FROM entries", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			*record = (double)sqlite3_column_int64(st, 0) / MIB;
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
	snprintf(path, sizeof path, "%s-wal", b->db);
	*disk = file_mib(b->db) + file_mib(path);
}

/* Stop the board cleanly and time its restart (until it listens). */
static double restart_s(vyh_board *b)
{
	double t0;

	(void)vyh_stop(b, SIGTERM);
	unlink(b->log);
	t0 = vybench_now_s();
	if (vyh_start(b, NULL) != -1) {
		char *log = vyh_log(b);

		fprintf(stderr, "bench_scale: the board did not restart: %s\n", log);
		exit(1);
	}
	return vybench_now_s() - t0;
}

/* The ballots, prepared once for every store: the fixtures' election is
 * the same on every fresh board. */
typedef struct {
	uint8_t **ballots;
	size_t *lens, total;
} prepared;

static void prepare_all(const vy_election *el, prepared *pb)
{
	vybench_worker p[MAX_PREPARERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : cpus > MAX_PREPARERS ? MAX_PREPARERS : (size_t)cpus;
	double t0 = vybench_now_s();

	pb->ballots = calloc(pb->total, sizeof *pb->ballots);
	pb->lens = calloc(pb->total, sizeof *pb->lens);
	if (pb->ballots == NULL || pb->lens == NULL)
		exit(1);
	(void)vyf_registrar_sk(0); /* set up the fixtures' key before the threads share it */
	for (size_t k = 0; k < n; k++)
		p[k] = (vybench_worker){ .el = el, .label = "scale", .ballots = pb->ballots, .lens = pb->lens, .first = k * (pb->total / n),
				 .count = k + 1 < n ? pb->total / n : pb->total - k * (pb->total / n) };
	fprintf(stderr, "bench_scale: preparing %zu 1-of-11 ballots on %zu threads...\n", pb->total, n);
	vybench_run_all(p, n, vybench_prepare);
	fprintf(stderr, "bench_scale: prepared in %.0f s\n", vybench_now_s() - t0);
}

/* A second board on the first's store, key and manifest. */
static void second_board(const vyh_election *e, vyh_board *b2)
{
	const char *const extra[] = { "--rate", "0", "--per-ip-limit", "0", "--queue", "4096", NULL };
	uint8_t seed[32];

	vyh_init(b2);
	snprintf(b2->store, sizeof b2->store, "%s", e->b.store);
	vyf_bytes32(seed, "board");
	vyh_write_key(b2, seed);
	vyh_write_manifest(b2, e->r.manifest_bytes, e->r.manifest_len);
	if (vyh_start(b2, extra) != -1) {
		fprintf(stderr, "bench_scale: the second board did not start\n");
		exit(1);
	}
}

/* One store: a fresh board (two on PostgreSQL when boards is 2), every
 * ballot through it, the figures, the restart. 1 if every ballot was
 * accepted. */
static int run_store(prepared *pb, size_t clients, size_t boards, int full_restart)
{
	vyh_board b2;
	vybench_worker w[VYBENCH_MAX_THREADS];
	atomic_size_t done = 0;
	sampler smp = { 0 };
	pthread_t smp_thread;
	vyh_election e;
	double t0, secs, record, disk, warm, cold = 0;
	uint8_t junk[1] = { 0 };
	double *lat = calloc(pb->total, sizeof *lat);
	size_t ok = 0, total = pb->total;

	if (lat == NULL)
		exit(1);
	vybench_election_start(&e, "bench_scale");
	if (pb->ballots == NULL)
		prepare_all(&e.r.st.election, pb);
	if (boards == 2)
		second_board(&e, &b2);
	for (size_t k = 0; k < clients; k++)
		w[k] = (vybench_worker){ .b = boards == 2 && k % 2 ? &b2 : &e.b, .el = &e.r.st.election,
				 .ballots = pb->ballots, .lens = pb->lens,
				 .lat_ms = lat, .done = &done, .first = k * (total / clients),
				 .count = k + 1 < clients ? total / clients : total - k * (total / clients) };
	fprintf(stderr, "bench_scale: %s: sending with %zu clients...\n", vyh_store_kind(), clients);
	smp = (sampler){ .pid = e.b.pid, .pid2 = boards == 2 ? b2.pid : 0, .done = &done, .total = total };
	if (pthread_create(&smp_thread, NULL, sample, &smp) != 0)
		exit(1);
	t0 = vybench_now_s();
	vybench_run_all(w, clients, vybench_submit);
	secs = vybench_now_s() - t0;
	atomic_store(&smp.stop, 1);
	pthread_join(smp_thread, NULL);
	smp.at[RSS_POINTS - 1] = rss_mib(e.b.pid) + (boards == 2 ? rss_mib(b2.pid) : 0);
	if (boards == 2) {
		(void)vyh_stop(&b2, SIGTERM);
		vyh_cleanup(&b2);
	}
	for (size_t k = 0; k < clients; k++)
		ok += w[k].ok;
	qsort(lat, total, sizeof *lat, vybench_cmp_double);
	sizes(&e.b, &record, &disk);
	warm = restart_s(&e.b);
	if (full_restart) {
		vyh_checkpoint_put(&e.b, junk, sizeof junk);
		cold = restart_s(&e.b);
	}
	printf("store %s, %zu board%s, %zu ballots (%zu accepted), %zu clients: %.1f ballots/s in %.0f s; "
	       "latency ms p50 %.1f p99 %.1f max %.1f; board RSS MiB at 10%% %.0f, 50%% %.0f, 100%% %.0f, peak %.0f; record %.0f MiB, "
	       "store on disk %.0f MiB; restart from the checkpoint %.2f s",
	       vyh_store_kind(), boards, boards == 2 ? "s (RSS summed)" : "", total, ok, clients, (double)ok / secs,
	       secs, lat[total / 2], lat[total * 99 / 100], lat[total - 1], smp.at[0], smp.at[1], smp.at[2], smp.peak, record, disk, warm);
	if (full_restart)
		printf(", without it (every proof again) %.1f s", cold);
	printf("\n");
	fflush(stdout);
	(void)vyh_stop(&e.b, SIGTERM);
	free(lat);
	if (env_size("VYBAR_BENCH_KEEP", 0) != 0 && e.b.store[0] == '\0') {
		fprintf(stderr, "bench_scale: kept %s\n", e.b.dir);
		vyf_record_free(&e.r);
	} else {
		vyh_election_free(&e);
	}
	return ok == total;
}

/* Both stores (PostgreSQL when it can run here), or the one named. */
int main(int argc, char **argv)
{
	size_t clients = env_size("VYBAR_BENCH_CLIENTS", DEFAULT_CLIENTS);
	size_t boards = env_size("VYBAR_BENCH_BOARDS", 1);
	int full_restart = env_size("VYBAR_BENCH_FULL_RESTART", 0) != 0, all_ok = 1;
	const char *which = argc > 1 ? argv[1] : "both";
	prepared pb = { .total = env_size("VYBAR_BENCH_BALLOTS", DEFAULT_BALLOTS) };
	char *pg_argv[] = { argv[0], "postgresql", NULL };

	if (clients < 1 || clients > VYBENCH_MAX_THREADS || pb.total < clients || boards < 1 || boards > 2 ||
	    (strcmp(which, "both") != 0 && strcmp(which, "sqlite") != 0 && strcmp(which, "postgresql") != 0)) {
		fprintf(stderr, "usage: bench_scale [sqlite|postgresql]  (VYBAR_BENCH_BALLOTS, VYBAR_BENCH_CLIENTS "
				"1..%d, VYBAR_BENCH_BOARDS 1..2, VYBAR_BENCH_FULL_RESTART)\n",
			VYBENCH_MAX_THREADS);
		return 2;
	}
	vyh_set_start_timeout(RESTART_TIMEOUT_S);
	if (strcmp(which, "postgresql") != 0)
		all_ok &= run_store(&pb, clients, 1, full_restart);
	if (strcmp(which, "sqlite") != 0) {
		if (vyh_store_select(2, pg_argv) == 0) {
			all_ok &= run_store(&pb, clients, 1, full_restart);
			if (boards == 2)
				all_ok &= run_store(&pb, clients, 2, full_restart);
		}
		else if (strcmp(which, "postgresql") == 0)
			return 1;
	}
	for (size_t i = 0; i < pb.total; i++)
		free(pb.ballots[i]);
	free(pb.ballots);
	free(pb.lens);
	return all_ok ? 0 : 1;
}
