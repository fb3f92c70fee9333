/* The attackers of issue 17 (attackers.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/attackers.h"
#include "protocol/vy_api.h"

#define BODY_TICK_MS 100
#define CHUNK_BYTES (256u << 10) /* body bytes per connection per tick */

static const char chunk[CHUNK_BYTES];

static void sleep_ms(unsigned ms)
{
	struct timespec t = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* A nonblocking connection from the attacker's i-th address. */
static int open_conn(const vybench_attacker *a, size_t i)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)a->port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	if (a->n_addrs > 0) {
		from.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i % a->n_addrs));
		if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0) {
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether the server closed fd (or answered: the attacker reads and drops it). */
static int gone(int fd)
{
	char b[512];
	ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);

	return r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN);
}

static void *attack(void *arg)
{
	vybench_attacker *a = arg;

	while (!a->stop) {
		for (size_t i = 0; i < a->n && !a->stop; i++) {
			vybench_aconn *c = &a->c[i];
			const char *head = a->heads[i % 2];
			size_t hl = strlen(head), want = a->body_bytes[i % 2];
			ssize_t w;

			if (c->fd < 0) {
				c->fd = open_conn(a, i);
				c->head_sent = c->body_sent = 0;
				a->opened += c->fd >= 0;
				continue;
			}
			if (gone(c->fd)) {
				close(c->fd);
				c->fd = -1;
				a->closed++;
				continue;
			}
			if (c->head_sent < hl) {
				w = send(c->fd, head + c->head_sent, hl - c->head_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
				if (w > 0)
					c->head_sent += (size_t)w;
			} else if (want == 0) {
				(void)send(c->fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			} else if (c->body_sent + CHUNK_BYTES < want) {
				w = send(c->fd, chunk, CHUNK_BYTES, MSG_NOSIGNAL | MSG_DONTWAIT);
				if (w > 0)
					c->body_sent += (size_t)w;
			}
		}
		sleep_ms(a->tick_ms);
	}
	return NULL;
}

void vybench_attack_start(vybench_attacker *a)
{
	signal(SIGPIPE, SIG_IGN);
	a->c = calloc(a->n, sizeof *a->c);
	if (a->c == NULL)
		exit(1);
	for (size_t i = 0; i < a->n; i++)
		a->c[i].fd = -1;
	if (pthread_create(&a->thread, NULL, attack, a) != 0)
		exit(1);
}

size_t vybench_attack_open(const vybench_attacker *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += a->c[i].fd >= 0;
	return n;
}

void vybench_attack_stop(vybench_attacker *a)
{
	a->stop = 1;
	pthread_join(a->thread, NULL);
	for (size_t i = 0; i < a->n; i++)
		if (a->c[i].fd >= 0)
			close(a->c[i].fd);
	free(a->c);
	a->c = NULL;
}

void vybench_board_attackers(vybench_attacker *slow, vybench_attacker *bodies, unsigned port)
{
	*slow = (vybench_attacker){ .port = port, .n = VYBENCH_SLOW_CONNS, .n_addrs = VYBENCH_ATTACK_ADDRS,
				    .heads = { "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
					       "POST /v1/ballots HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " },
				    .tick_ms = VYBENCH_SLOW_TICK_MS };
	*bodies = (vybench_attacker){ .port = port, .n = VYBENCH_BODY_CONNS, .n_addrs = VYBENCH_ATTACK_ADDRS,
				      .body_bytes = { 16u << 20, 2000000u }, .tick_ms = BODY_TICK_MS };
	snprintf(bodies->head_buf[0], sizeof bodies->head_buf[0],
		 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
		 "Content-Length: %u\r\n\r\n", VY_PATH_TRUSTEE_DECRYPTION, 16u << 20);
	snprintf(bodies->head_buf[1], sizeof bodies->head_buf[1],
		 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
		 "Content-Length: %u\r\n\r\n", VY_PATH_BALLOTS, 2000000u);
	bodies->heads[0] = bodies->head_buf[0];
	bodies->heads[1] = bodies->head_buf[1];
}
