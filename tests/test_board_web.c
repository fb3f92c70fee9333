/*
 * The board's web page in a real browser (specs/board-api.md "Web page"):
 * headless Chromium loads the page with a tracking code in the address,
 * and the page it renders says whether and where the ballot is on the
 * board (looked up by a prefix of the code: board-api.md §5). Skipped when
 * chromium is not installed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/board_harness.h"

#define CHROMIUM "/usr/bin/chromium"
#define DOM_MAX_BYTES (1u << 20)
#define BROWSER_TIMEOUT_S "60"

/* The DOM headless Chromium renders for url (malloc'd). */
static char *dump_dom(const vyh_board *b, const char *url)
{
	char cmd[2048], *out = malloc(DOM_MAX_BYTES + 1);
	size_t n;
	FILE *p;

	assert_non_null(out);
	snprintf(cmd, sizeof cmd,
		 "timeout " BROWSER_TIMEOUT_S " " CHROMIUM " --headless --no-sandbox --disable-gpu "
		 "--disable-background-networking --disable-component-update --disable-sync --no-first-run "
		 "--user-data-dir=%s/chromium --dump-dom '%s' 2>/dev/null",
		 b->dir, url);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, DOM_MAX_BYTES, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

static void test_board_web_lookup(void **state)
{
	uint32_t choices[VYF_SELECTIONS];
	Vybar__Receipt *rc = NULL;
	char url[256], expect[160], *dom;
	vyh_election e;
	vyf_voter v;
	uint8_t *p;
	size_t n;
	vyh_resp r;

	(void)state;
	if (access(CHROMIUM, X_OK) != 0)
		skip();
	vyh_election_start(&e, 1, 1, NULL);
	vyh_election_ceremony(&e);
	vyf_default_choices(choices);
	vyf_voter_init(&v, &e.r.st.election, "web voter");
	p = vyf_ballot_pack(&e.r.st.election, &v, choices, "cast", NULL, &n);
	vyh_post(&e.b, VY_PATH_BALLOTS, p, n, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(vy_decode_receipt(&rc, r.body, r.len, NULL), VY_R_OK);
	vyh_resp_free(&r);

	/* The tracking code in the fragment: found, at its entry. */
	snprintf(url, sizeof url, "http://127.0.0.1:%u/#%s", e.b.port, rc->tracking_code);
	dom = dump_dom(&e.b, url);
	snprintf(expect, sizeof expect, "Found: ballot %s is on the board at entry %llu.", rc->tracking_code,
		 (unsigned long long)rc->seq);
	if (strstr(dom, expect) == NULL)
		fail_msg("expected \"%s\" in the page: %s", expect, dom);
	assert_non_null(strstr(dom, "phase open"));
	free(dom);

	/* An audited ballot: found, and said not to be counted. */
	{
		Vybar__AuditedBallot *a;
		Vybar__Receipt *arc = NULL;
		vyf_voter av;
		uint8_t *ap;
		size_t an;

		vyf_voter_init(&av, &e.r.st.election, "web auditor");
		a = vyf_audited_new(&e.r.st.election, &av, choices);
		ap = vy_msg_pack(a, &an);
		vyh_post(&e.b, VY_PATH_AUDITED, ap, an, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(vy_decode_receipt(&arc, r.body, r.len, NULL), VY_R_OK);
		vyh_resp_free(&r);
		snprintf(url, sizeof url, "http://127.0.0.1:%u/#%s", e.b.port, arc->tracking_code);
		dom = dump_dom(&e.b, url);
		snprintf(expect, sizeof expect,
			 "Found: ballot %s is on the board at entry %llu (an audited ballot: it is not counted).",
			 arc->tracking_code, (unsigned long long)arc->seq);
		if (strstr(dom, expect) == NULL)
			fail_msg("expected \"%s\" in the page: %s", expect, dom);
		free(dom);
		vy_msg_free(arc);
		vy_msg_free(a);
		free(ap);
	}

	/* An unknown code in the fragment, typed with spaces. */
	snprintf(url, sizeof url, "http://127.0.0.1:%u/#0000%%200000%%200000%%200000", e.b.port);
	dom = dump_dom(&e.b, url);
	if (strstr(dom, "Not found: no ballot with tracking code 0000-0000-0000-0000") == NULL)
		fail_msg("expected \"Not found\" in the page: %s", dom);
	free(dom);

	vy_msg_free(rc);
	free(p);
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	{
		char cmd[VYH_PATH_BYTES + 32];

		snprintf(cmd, sizeof cmd, "rm -rf '%s/chromium'", e.b.dir);
		assert_int_equal(system(cmd), 0);
	}
	vyh_election_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_web_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
