/*
 * What a voter's command downloads (specs/client.md §2), before and after
 * it read only the election: a real vybar-board on 127.0.0.1 with the
 * fixtures' election (3 contests, 3 trustees, threshold 2) and `ballots`
 * ballots of distinct voters, then
 *   - the whole record, as `vybar-vote show` and `cast` read it before
 *     (vyc_board_fetch);
 *   - the record up to ELECTION_OPEN, as they read it now
 *     (vyc_board_fetch_opening), in bytes of the board's answers;
 *   - `vybar-vote show` itself, run once (it must exit 0).
 *
 *   bench_voter_bytes [ballots]      (default 3000)
 *
 * Bytes, not time: the figures do not depend on the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "client/vote.h"
#include "tests/support/board_harness.h"

#define DEFAULT_BALLOTS 3000
#define MAX_BALLOTS 100000

/* One voter's ballot, posted; 1 if the board took it. */
static int cast_one(vyh_election *e, size_t i)
{
	uint32_t choices[VYF_SELECTIONS];
	char label[48];
	vyf_voter v;
	uint8_t *p;
	size_t len;
	vyh_resp r;
	int ok;

	snprintf(label, sizeof label, "bench voter %zu", i);
	vyf_default_choices(choices);
	vyf_voter_init(&v, &e->r.st.election, label);
	p = vyf_ballot_pack(&e->r.st.election, &v, choices, "x", NULL, &len);
	vyh_post(&e->b, VY_PATH_BALLOTS, p, len, &r);
	ok = r.status == 200;
	if (!ok)
		fprintf(stderr, "ballot %zu: status %ld\n", i, r.status);
	vyh_resp_free(&r);
	free(p);
	return ok;
}

static int run(size_t n)
{
	vyh_election e;
	vyc_board bd;
	vy_reason why;
	char url[64], cmd[512];
	size_t ok = 0;
	uint64_t before, after;
	int st;

	vyh_election_start(&e, 3, 2, NULL);
	vyh_election_ceremony(&e);
	for (size_t i = 0; i < n; i++)
		ok += (size_t)cast_one(&e, i);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", e.b.port);
	if (vyc_board_fetch(&bd, NULL, url, NULL, &why) != VY_R_OK) {
		fprintf(stderr, "whole record: %s\n", why.msg);
		return 1;
	}
	before = bd.record_len;
	vyc_board_free(&bd);
	if (vyc_board_fetch_opening(&bd, NULL, url, NULL, 1, &why) != VY_R_OK) {
		fprintf(stderr, "opening: %s\n", why.msg);
		return 1;
	}
	after = bd.bytes_read;
	printf("ballots on the record: %zu (entries %llu up to ELECTION_OPEN kept, %zu bytes)\n", ok,
	       (unsigned long long)bd.st.next_seq, bd.record_len);
	vyc_board_free(&bd);
	printf("vybar-vote show, cast: before (whole record) %llu bytes; after (up to ELECTION_OPEN, windows of %d) "
	       "%llu bytes; %.1fx less\n",
	       (unsigned long long)before, VYC_OPENING_WINDOW, (unsigned long long)after,
	       after ? (double)before / (double)after : 0.0);
	snprintf(cmd, sizeof cmd, "'%s' show --board %s >/dev/null", VYBAR_VOTE_PROGRAM, url);
	st = system(cmd);
	printf("vybar-vote show: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	vyh_stop(&e.b, 15);
	vyh_election_free(&e);
	return ok == n && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_BALLOTS;

	if (n < 1 || n > MAX_BALLOTS) {
		fprintf(stderr, "usage: bench_voter_bytes [ballots 1..%d]\n", MAX_BALLOTS);
		return 2;
	}
	vytest_init();
	return run((size_t)n);
}
