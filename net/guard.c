/*
 * The servers' guard against slow clients (vy_guard.h).
 *
 * The connections form one list in the order their current request began
 * (opened, or its previous answer left), so the oldest unfinished request
 * is the first unfinished one in the list. A thread walks the list every
 * VY_GUARD_TICK_MS and cuts the requests past the deadline. Lists stay
 * short (at most the server's connection limit), so a walk per new
 * connection is cheap.
 */
#include "net/vy_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADDR_BYTES 16
#define NS_PER_MS 1000000L
#define MS_PER_S 1000u

struct vy_guard_conn {
	int fd;
	uint8_t addr[ADDR_BYTES];
	size_t addr_len;
	uint64_t since_ms; /* the current request's start, monotonic */
	int whole;         /* its request is whole */
	int cut;           /* shut by the guard */
	vy_guard_conn *prev, *next;
};

struct vy_guard {
	vy_guard_config cfg;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int stopping;
	vy_guard_conn *head, *tail;
	unsigned long open; /* connections in the list, not cut */
	unsigned long cuts;
};

/* Monotonic milliseconds. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)(ts.tv_nsec / NS_PER_MS);
}

static void list_remove(vy_guard *g, vy_guard_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	c->prev = c->next = NULL;
}

static void list_append(vy_guard *g, vy_guard_conn *c)
{
	c->prev = g->tail;
	c->next = NULL;
	if (g->tail != NULL)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
}

/* Shut c's socket (under the lock): the server sees the client gone. */
static void cut(vy_guard *g, vy_guard_conn *c)
{
	if (c->cut)
		return;
	c->cut = 1;
	g->open--;
	g->cuts++;
	(void)shutdown(c->fd, SHUT_RDWR);
}

/* Whether c is an unfinished request from addr (any address: addr NULL). */
static int unfinished_from(const vy_guard_conn *c, const uint8_t *addr, size_t addr_len)
{
	if (c->whole || c->cut)
		return 0;
	return addr == NULL || (c->addr_len == addr_len && memcmp(c->addr, addr, addr_len) == 0);
}

/* The per-address and total rules for a new connection (under the lock). */
static void make_room(vy_guard *g, const vy_guard_conn *fresh)
{
	vy_guard_conn *c, *oldest = NULL;
	unsigned long same = 0;

	if (g->cfg.per_addr > 0 && fresh->addr_len > 0) {
		for (c = g->head; c != NULL; c = c->next) {
			if (c == fresh || !unfinished_from(c, fresh->addr, fresh->addr_len))
				continue;
			if (oldest == NULL)
				oldest = c;
			same++;
		}
		if (same >= g->cfg.per_addr)
			cut(g, oldest);
	}
	if (g->cfg.soft_limit > 0 && g->open > g->cfg.soft_limit) {
		for (c = g->head; c != NULL; c = c->next) {
			if (c != fresh && unfinished_from(c, NULL, 0)) {
				cut(g, c);
				break;
			}
		}
	}
}

/* Every tick: cut the unfinished requests past the deadline. */
static void *sweeper(void *arg)
{
	vy_guard *g = arg;
	struct timespec until;
	uint64_t limit_ms = (uint64_t)g->cfg.deadline_s * MS_PER_S;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		uint64_t now = now_ms();

		for (vy_guard_conn *c = g->head; c != NULL && now - c->since_ms > limit_ms; c = c->next) {
			if (unfinished_from(c, NULL, 0))
				cut(g, c);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)VY_GUARD_TICK_MS * NS_PER_MS;
		if (until.tv_nsec >= NS_PER_MS * (long)MS_PER_S) {
			until.tv_sec++;
			until.tv_nsec -= NS_PER_MS * (long)MS_PER_S;
		}
		(void)pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

vy_rc vy_guard_start(vy_guard **out, const vy_guard_config *cfg, vy_reason *why)
{
	vy_guard *g;

	*out = NULL;
	if (cfg->deadline_s == 0)
		return vy_reason_set(why, VY_R_ARG, "request deadline: must be at least 1 second");
	g = calloc(1, sizeof *g);
	if (g == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	g->cfg = *cfg;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	if (pthread_create(&g->thread, NULL, sweeper, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return vy_reason_set(why, VY_R_IO, "cannot start the request deadline thread");
	}
	*out = g;
	return VY_R_OK;
}

void vy_guard_stop(vy_guard *g)
{
	vy_guard_conn *c, *next;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	for (c = g->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

vy_guard_conn *vy_guard_open(vy_guard *g, int fd, const struct sockaddr *sa)
{
	vy_guard_conn *c = calloc(1, sizeof *c);

	if (c == NULL) {
		(void)shutdown(fd, SHUT_RDWR);
		return NULL;
	}
	c->fd = fd;
	if (sa != NULL && sa->sa_family == AF_INET) {
		memcpy(c->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		c->addr_len = 4;
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(c->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ADDR_BYTES);
		c->addr_len = ADDR_BYTES;
	}
	pthread_mutex_lock(&g->lock);
	c->since_ms = now_ms();
	list_append(g, c);
	g->open++;
	make_room(g, c);
	pthread_mutex_unlock(&g->lock);
	return c;
}

void vy_guard_whole(vy_guard *g, vy_guard_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	c->whole = 1;
	pthread_mutex_unlock(&g->lock);
}

void vy_guard_next(vy_guard *g, vy_guard_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	c->whole = 0;
	c->since_ms = now_ms();
	list_remove(g, c);
	list_append(g, c);
	pthread_mutex_unlock(&g->lock);
}

void vy_guard_close(vy_guard *g, vy_guard_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	list_remove(g, c);
	if (!c->cut)
		g->open--;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

unsigned long vy_guard_cuts(vy_guard *g)
{
	unsigned long n;

	pthread_mutex_lock(&g->lock);
	n = g->cuts;
	pthread_mutex_unlock(&g->lock);
	return n;
}
