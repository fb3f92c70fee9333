/* Slow clients for the servers' end-to-end tests (slow_clients.h). */
#include "tests/support/slow_clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/vytest.h"

#define NS_PER_MS 1000000L

/* Whether the server has closed fd (EOF or error pending). */
static int server_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b[256];
	ssize_t r;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR))
		return 1;
	r = recv(fd, b, sizeof b, MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Mark fds[i] closed by the server (under the lock). */
static void mark_closed(vyt_slow *s, size_t i)
{
	close(s->fds[i]);
	s->fds[i] = -1;
	s->closed++;
}

static void *trickle(void *arg)
{
	vyt_slow *s = arg;
	struct timespec tick = { (time_t)(s->tick_ms / 1000), (long)(s->tick_ms % 1000) * NS_PER_MS };

	for (;;) {
		pthread_mutex_lock(&s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		for (size_t i = 0; i < s->n; i++) {
			if (s->fds[i] < 0)
				continue;
			if (server_closed(s->fds[i]) || send(s->fds[i], "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				mark_closed(s, i);
		}
		pthread_mutex_unlock(&s->lock);
		nanosleep(&tick, NULL);
	}
}

void vyt_slow_start(vyt_slow *s, unsigned port, size_t n, const char *head, unsigned tick_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	memset(s, 0, sizeof *s);
	s->fds = calloc(n, sizeof *s->fds);
	assert_non_null(s->fds);
	s->n = n;
	s->head = head;
	s->tick_ms = tick_ms;
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr), 1);
	for (size_t i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		assert_true(fd >= 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
		    send(fd, head, strlen(head), MSG_NOSIGNAL) != (ssize_t)strlen(head)) {
			close(fd);
			s->fds[i] = -1;
			s->refused++;
			continue;
		}
		s->fds[i] = fd;
	}
	pthread_mutex_init(&s->lock, NULL);
	assert_int_equal(pthread_create(&s->thread, NULL, trickle, s), 0);
}

size_t vyt_slow_open(vyt_slow *s)
{
	size_t open = 0;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++)
		open += s->fds[i] >= 0;
	pthread_mutex_unlock(&s->lock);
	return open;
}

void vyt_slow_stop(vyt_slow *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	for (size_t i = 0; i < s->n; i++) {
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	}
	pthread_mutex_destroy(&s->lock);
	free(s->fds);
	s->fds = NULL;
}

int vyt_raw_request(unsigned port, const char *request, size_t len, char *out, size_t cap, unsigned timeout_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct pollfd p;
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
	ssize_t r;

	assert_true(fd >= 0 && cap > 0);
	out[0] = '\0';
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr), 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(fd);
		return 0;
	}
	for (;;) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)timeout_ms) <= 0 || got + 1 >= cap)
			break;
		r = recv(fd, out + got, cap - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		out[got] = '\0';
	}
	close(fd);
	if (sscanf(out, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
	return status;
}
