/*
 * vybar-board at referendum scale (issue 17's aims: 500,000 ballots at no
 * less than 300 ballots/s, with flat memory, and a restart under a minute).
 *
 *   bench_scale [RUN ...]   RUN: sqlite, postgresql (one board),
 *                           postgresql2 (two boards on one database),
 *                           sqlite+attack, postgresql+attack
 *                           (default: sqlite postgresql postgresql2
 *                           sqlite+attack; the PostgreSQL runs where a
 *                           throwaway cluster can run)
 *     VYBAR_BENCH_BALLOTS=N   ballots (default 500000)
 *     VYBAR_BENCH_CLIENTS=K   client threads, one keep-alive connection each (default 16)
 *     VYBAR_BENCH_CACHE=FILE  keep the prepared ballots in FILE and take
 *                             them from it next time (the election is the
 *                             same on every run: the fixtures' keys)
 *     VYBAR_BENCH_KEEP=1      keep the SQLite board's directory (printed), to
 *                             profile a restart on it
 *     VYBAR_BENCH_FULL_RESTART=1  also time a restart without the checkpoint
 *                             (every proof checked again: long at scale)
 *
 * The 1-of-11 ristretto255 election of bench_board.c on a fresh
 * vybar-board on 127.0.0.1, on SQLite and on a throwaway PostgreSQL
 * cluster (tests/support/pg_harness.h). Every ballot is precomputed first,
 * once for every run (all cores, not timed), so the clients are not the
 * bottleneck; then K threads POST them. A "+attack" run does so while the
 * board attack of bench_attack.c (bench/attackers.h: 2,000 slow-header
 * connections and 200 large bodies from 32 addresses) goes on, with the
 * board's own per-address limit on; the other runs turn the per-address
 * limit off, as every client here shares 127.0.0.1. The request rate limit
 * is off in every run. Reported: ballots/s, latency p50/p99/max, the
 * board's resident memory (VmRSS) at 10%, 50% and 100% of the ballots and
 * its peak, the record's size (the stored entries) and the store's size on
 * disk, and the restart time from the restart checkpoint (and without it,
 * when asked). Only ever targets 127.0.0.1.
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

#include "bench/attackers.h"
#include "bench/intake.h"
#include "protocol/vy_api.h"

#define DEFAULT_BALLOTS 500000
#define DEFAULT_CLIENTS 16
#define MAX_PREPARERS 16
#define RSS_POINTS 3
#define SAMPLE_NS 200000000L /* RSS sampled every 0.2 s */
#define ATTACK_WARMUP_S 5
#define CACHE_MAGIC "VYBENCH-BALLOTS/1\n"
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

/* The ballots from the cache file, if it holds at least pb->total of them
 * for this election (its base hash): 1 if taken. */
static int cache_load(const char *path, const vy_election *el, prepared *pb)
{
	char magic[sizeof CACHE_MAGIC - 1];
	uint8_t base[VY_HASH_BYTES];
	uint64_t count = 0;
	FILE *f = fopen(path, "rb");
	size_t i = 0;

	if (f == NULL)
		return 0;
	if (fread(magic, sizeof magic, 1, f) != 1 || memcmp(magic, CACHE_MAGIC, sizeof magic) != 0 ||
	    fread(base, sizeof base, 1, f) != 1 || memcmp(base, el->base_hash, sizeof base) != 0 ||
	    fread(&count, sizeof count, 1, f) != 1 || count < pb->total) {
		fprintf(stderr, "bench_scale: %s is not a cache of %zu ballots of this election: preparing them\n", path,
			pb->total);
		fclose(f);
		return 0;
	}
	for (; i < pb->total; i++) {
		uint32_t len;

		if (fread(&len, sizeof len, 1, f) != 1 || len == 0 || (pb->ballots[i] = malloc(len)) == NULL ||
		    fread(pb->ballots[i], len, 1, f) != 1)
			break;
		pb->lens[i] = len;
	}
	fclose(f);
	if (i == pb->total)
		return 1;
	fprintf(stderr, "bench_scale: %s is cut short at ballot %zu: preparing them\n", path, i);
	for (size_t k = 0; k <= i && k < pb->total; k++) {
		free(pb->ballots[k]);
		pb->ballots[k] = NULL;
	}
	return 0;
}

/* Write the prepared ballots to the cache file (best effort, said). */
static void cache_save(const char *path, const vy_election *el, const prepared *pb)
{
	char tmp[4096];
	uint64_t count = pb->total;
	FILE *f;
	int ok;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "wb");
	ok = f != NULL && fwrite(CACHE_MAGIC, sizeof CACHE_MAGIC - 1, 1, f) == 1 &&
	     fwrite(el->base_hash, VY_HASH_BYTES, 1, f) == 1 && fwrite(&count, sizeof count, 1, f) == 1;
	for (size_t i = 0; ok && i < pb->total; i++) {
		uint32_t len = (uint32_t)pb->lens[i];

		ok = fwrite(&len, sizeof len, 1, f) == 1 && fwrite(pb->ballots[i], len, 1, f) == 1;
	}
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) == 0) {
		fprintf(stderr, "bench_scale: the ballots are kept in %s\n", path);
		return;
	}
	fprintf(stderr, "bench_scale: cannot keep the ballots in %s\n", path);
	unlink(tmp);
}

static void prepare_all(const vy_election *el, prepared *pb)
{
	vybench_worker p[MAX_PREPARERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : cpus > MAX_PREPARERS ? MAX_PREPARERS : (size_t)cpus;
	double t0 = vybench_now_s();

	const char *cache = getenv("VYBAR_BENCH_CACHE");

	pb->ballots = calloc(pb->total, sizeof *pb->ballots);
	pb->lens = calloc(pb->total, sizeof *pb->lens);
	if (pb->ballots == NULL || pb->lens == NULL)
		exit(1);
	if (cache != NULL && *cache != '\0' && cache_load(cache, el, pb)) {
		fprintf(stderr, "bench_scale: %zu ballots taken from %s\n", pb->total, cache);
		return;
	}
	(void)vyf_registrar_sk(0); /* set up the fixtures' key before the threads share it */
	for (size_t k = 0; k < n; k++)
		p[k] = (vybench_worker){ .el = el, .label = "scale", .ballots = pb->ballots, .lens = pb->lens, .first = k * (pb->total / n),
				 .count = k + 1 < n ? pb->total / n : pb->total - k * (pb->total / n) };
	fprintf(stderr, "bench_scale: preparing %zu 1-of-11 ballots on %zu threads...\n", pb->total, n);
	vybench_run_all(p, n, vybench_prepare);
	fprintf(stderr, "bench_scale: prepared in %.0f s\n", vybench_now_s() - t0);
	if (cache != NULL && *cache != '\0')
		cache_save(cache, el, pb);
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

/* One run: a fresh board on the store vyh_store_select() chose (two on
 * PostgreSQL when boards is 2), under the board attack when attacked,
 * every ballot through it, the figures, the restart. 1 if every ballot
 * was accepted. */
static int run_store(prepared *pb, size_t clients, size_t boards, int attacked, int full_restart)
{
	static const char *const quiet[] = { "--rate", "0", "--per-ip-limit", "0", "--queue", "4096", NULL };
	static const char *const guarded[] = { "--rate", "0", "--queue", "4096", NULL };
	vybench_attacker slow = { 0 }, bodies = { 0 };
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
	vybench_election_start_with(&e, "bench_scale", attacked ? guarded : quiet);
	if (pb->ballots == NULL)
		prepare_all(&e.r.st.election, pb);
	if (boards == 2)
		second_board(&e, &b2);
	if (attacked) {
		vybench_board_attackers(&slow, &bodies, e.b.port);
		vybench_attack_start(&slow);
		vybench_attack_start(&bodies);
		fprintf(stderr, "bench_scale: %d slow + %d body connections, %d s warm-up...\n", VYBENCH_SLOW_CONNS,
			VYBENCH_BODY_CONNS, ATTACK_WARMUP_S);
		sleep(ATTACK_WARMUP_S);
	}
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
	if (attacked) {
		printf("attack: %zu slow and %zu body connections open at the end; the board closed %lu and %lu\n",
		       vybench_attack_open(&slow), vybench_attack_open(&bodies), slow.closed, bodies.closed);
		vybench_attack_stop(&slow);
		vybench_attack_stop(&bodies);
	}
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
	printf("store %s%s, %zu board%s, %zu ballots (%zu accepted), %zu clients: %.1f ballots/s in %.0f s; "
	       "latency ms p50 %.1f p99 %.1f max %.1f; board RSS MiB at 10%% %.0f, 50%% %.0f, 100%% %.0f, peak %.0f; record %.0f MiB, "
	       "store on disk %.0f MiB; restart from the checkpoint %.2f s",
	       vyh_store_kind(), attacked ? " under attack" : "", boards, boards == 2 ? "s (RSS summed)" : "", total, ok, clients, (double)ok / secs,
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

/* The runs named (see the top), in order, on one set of prepared ballots. */
int main(int argc, char **argv)
{
	static const char *const defaults[] = { "sqlite", "postgresql", "postgresql2", "sqlite+attack" };
	static const char *const known[] = { "sqlite", "postgresql", "postgresql2", "sqlite+attack",
					     "postgresql+attack" };
	size_t clients = env_size("VYBAR_BENCH_CLIENTS", DEFAULT_CLIENTS);
	int full_restart = env_size("VYBAR_BENCH_FULL_RESTART", 0) != 0, all_ok = 1, pg_tried = 0, pg_ok = 0;
	const char *const *runs = argc > 1 ? (const char *const *)argv + 1 : defaults;
	size_t n_runs = argc > 1 ? (size_t)argc - 1 : sizeof defaults / sizeof defaults[0];
	prepared pb = { .total = env_size("VYBAR_BENCH_BALLOTS", DEFAULT_BALLOTS) };
	char *pg_argv[] = { argv[0], "postgresql", NULL };

	for (size_t i = 0; i < n_runs; i++) {
		size_t k = 0;

		while (k < sizeof known / sizeof known[0] && strcmp(runs[i], known[k]) != 0)
			k++;
		if (k == sizeof known / sizeof known[0])
			clients = 0;
	}
	if (clients < 1 || clients > VYBENCH_MAX_THREADS || pb.total < clients) {
		fprintf(stderr, "usage: bench_scale [sqlite|postgresql|postgresql2|sqlite+attack|postgresql+attack ...]\n"
				"  (VYBAR_BENCH_BALLOTS, VYBAR_BENCH_CLIENTS 1..%d, VYBAR_BENCH_CACHE, VYBAR_BENCH_KEEP, "
				"VYBAR_BENCH_FULL_RESTART)\n",
			VYBENCH_MAX_THREADS);
		return 2;
	}
	vyh_set_start_timeout(RESTART_TIMEOUT_S);
	for (size_t i = 0; i < n_runs; i++) {
		int pg = strncmp(runs[i], "postgresql", 10) == 0;

		if (pg && !pg_tried) {
			pg_tried = 1;
			pg_ok = vyh_store_select(2, pg_argv) == 0;
		}
		if (pg && !pg_ok) {
			fprintf(stderr, "bench_scale: %s: PostgreSQL cannot run here\n", runs[i]);
			all_ok = 0;
			continue;
		}
		vyh_store_use_postgresql(pg);
		all_ok &= run_store(&pb, clients, strcmp(runs[i], "postgresql2") == 0 ? 2 : 1,
				    strstr(runs[i], "+attack") != NULL, full_restart);
	}
	for (size_t i = 0; i < pb.total && pb.ballots != NULL; i++)
		free(pb.ballots[i]);
	free(pb.ballots);
	free(pb.lens);
	return all_ok ? 0 : 1;
}
