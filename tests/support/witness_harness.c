/* Real vybar-witness processes for the tests (witness_harness.h). */
#include "tests/support/witness_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_POLLS 400
#define POLL_NS 25000000L

/* A port that was free a moment ago: bound to port 0, read, closed. */
static unsigned free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	assert_true(s >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

void vyh_witness_init(vyh_witness *w, uint32_t index)
{
	char path[VYH_PATH_BYTES + 16], label[32], hex[66];
	uint8_t seed[32];
	const char *name = vyf_witness_name(index);

	memset(w, 0, sizeof *w);
	w->pid = -1;
	w->index = index;
	snprintf(w->dir, sizeof w->dir, "/tmp/vytest-witness-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->wdir, sizeof w->wdir, "%s/w", w->dir);
	snprintf(w->log, sizeof w->log, "%s/log", w->dir);
	snprintf(w->port_file, sizeof w->port_file, "%s/port", w->dir);
	assert_int_equal(mkdir(w->wdir, 0700), 0);
	/* the fixtures' seed of witness index (protocol_fixtures.c), as a key file */
	snprintf(label, sizeof label, "witness %u", index);
	vyf_bytes32(seed, label);
	vytest_hex(hex, seed, 32);
	strcat(hex, "\n");
	snprintf(path, sizeof path, "%s/key", w->wdir);
	vytest_write_file(path, (const uint8_t *)hex, strlen(hex));
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(path, sizeof path, "%s/name", w->wdir);
	vytest_write_file(path, (const uint8_t *)name, strlen(name));
	w->port = free_port();
	w->http.port = w->port;
	snprintf(w->url, sizeof w->url, "http://127.0.0.1:%u", w->port);
}

void vyh_witness_start(vyh_witness *w, const char *board_url)
{
	struct timespec step = { 0, POLL_NS };
	char port[16];
	int status;

	snprintf(port, sizeof port, "%u", w->port);
	unlink(w->port_file);
	w->pid = fork();
	assert_true(w->pid >= 0);
	if (w->pid == 0) {
		const char *argv[] = { VYBAR_WITNESS_PROGRAM, "serve", "--dir", w->wdir, "--board", board_url,
				       "--port", port, "--port-file", w->port_file, NULL };
		int fd = open(w->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < START_POLLS; i++) {
		if (access(w->port_file, F_OK) == 0)
			return;
		if (waitpid(w->pid, &status, WNOHANG) == w->pid) {
			w->pid = -1;
			fail_msg("vybar-witness did not start: %s", vytest_read_file(w->log, NULL));
		}
		nanosleep(&step, NULL);
	}
	fail_msg("vybar-witness did not listen");
}

void vyh_witness_stop(vyh_witness *w, int sig)
{
	int status;

	if (w->pid <= 0)
		return;
	kill(w->pid, sig);
	waitpid(w->pid, &status, 0);
	w->pid = -1;
}

void vyh_witness_cleanup(vyh_witness *w)
{
	vyh_witness_stop(w, SIGTERM);
	vytest_remove_dir(w->dir);
}

uint64_t vyh_witness_wait_cosigned(const vyh_witness *w, uint64_t size, int seconds)
{
	struct timespec step = { 0, 100000000L };
	unsigned long long got = 0;

	for (int i = 0; i < seconds * 10; i++) {
		vyh_resp r;
		const char *p;

		vyh_get(&w->http, VY_PATH_STATUS, &r);
		if (r.status == 200 && (p = strstr((const char *)r.body, "\"cosigned_size\":")) != NULL)
			got = strtoull(p + 16, NULL, 10);
		vyh_resp_free(&r);
		if (got >= size)
			break;
		nanosleep(&step, NULL);
	}
	return got;
}

void vyh_board_url(char out[64], const vyh_board *b)
{
	snprintf(out, 64, "http://127.0.0.1:%u", b->port);
}
