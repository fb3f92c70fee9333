/*
 * The attackers of issue 17 (bench_attack.c, bench_scale.c): connections
 * kept open against a server on 127.0.0.1, each reopened as soon as the
 * server closes it, from 127.0.0.1 or from n_addrs addresses
 * (127.0.0.2 ..). Each connection sends its head (heads[i % 2]) as fast
 * as the server reads, then either trickles one byte per tick
 * (body_bytes 0: a header never finished) or sends body bytes as fast as
 * the server reads without ever finishing the announced body. One thread
 * runs all of an attacker's connections. Only ever targets 127.0.0.1.
 */
#ifndef VYBENCH_ATTACKERS_H
#define VYBENCH_ATTACKERS_H

#include <pthread.h>
#include <stddef.h>

/* The board attack of issue 17: 2,000 slow-header connections and 200
 * large bodies (16 MiB partial decryptions, out of phase, and 2 MB
 * ballots), from 32 addresses. */
#define VYBENCH_SLOW_CONNS 2000
#define VYBENCH_BODY_CONNS 200
#define VYBENCH_ATTACK_ADDRS 32
/* A slow connection sends a byte a second. */
#define VYBENCH_SLOW_TICK_MS 1000

typedef struct {
	int fd;
	size_t head_sent, body_sent;
} vybench_aconn;

typedef struct {
	unsigned port;
	size_t n, n_addrs;      /* n_addrs 0: from 127.0.0.1 */
	const char *heads[2];   /* connection i sends heads[i % 2] */
	size_t body_bytes[2];   /* then this many body bytes at most (0: trickle "x") */
	unsigned tick_ms;
	vybench_aconn *c;
	pthread_t thread;
	volatile int stop;
	unsigned long opened, closed;
	char head_buf[2][256];  /* vybench_board_attackers' heads */
} vybench_attacker;

/* Start the attacker's thread (it opens its connections); how many of its
 * connections are open now; stop it and close them. */
void vybench_attack_start(vybench_attacker *a);
size_t vybench_attack_open(const vybench_attacker *a);
void vybench_attack_stop(vybench_attacker *a);

/* Set up (not start) the board attack on the board at port: slow and
 * bodies as described above. */
void vybench_board_attackers(vybench_attacker *slow, vybench_attacker *bodies, unsigned port);

#endif
