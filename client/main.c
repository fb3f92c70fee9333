/*
 * vybar-vote, the voter's program (specs/client.md): register, show the
 * election, vote (audit and/or cast), check the receipt, show an audited
 * ballot's choices on another device.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/audit.h"
#include "client/registration.h"
#include "client/vote.h"

#define MAX_CHOICE_ARGS 64
#define DEFAULT_RECEIPT "vybar-receipt.pb"

/* Exit statuses of check-audit beyond 0, 1 and 2 (specs/client.md §8). */
#define EXIT_AUDIT_NOT_FOUND 3
#define EXIT_AUDIT_CAST 4
#define EXIT_AUDIT_BAD 5

typedef struct {
	const char *cmd, *board, *registrar, *code, *credential, *receipt, *election;
	const char *choices[MAX_CHOICE_ARGS];
	size_t n_choices;
	int audit, yes, test_corrupt_receipt;
} args;

static void usage(void)
{
	fprintf(stderr,
		"usage: vybar-vote show     --board URL [--election FINGERPRINT]\n"
		"       vybar-vote register --board URL --registrar URL --code CODE --credential FILE\n"
		"       vybar-vote cast     --board URL --credential FILE [--choice C=O[,O...]|C=blank]...\n"
		"                           [--audit] [--yes] [--receipt FILE] [--election FINGERPRINT]\n"
		"       vybar-vote check    --board URL [--receipt FILE]\n"
		"       vybar-vote check-audit --board URL --code TRACKING_CODE [--election FINGERPRINT]\n");
}

/* argv into a; -1 on a usage error. */
static int parse_args(args *a, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->receipt = DEFAULT_RECEIPT;
	if (argc < 2)
		return -1;
	a->cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(k, "--audit") == 0) {
			a->audit = 1;
			continue;
		} else if (strcmp(k, "--yes") == 0) {
			a->yes = 1;
			continue;
		} else if (strcmp(k, "--test-corrupt-receipt") == 0) { /* hidden: tests only */
			a->test_corrupt_receipt = 1;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(k, "--board") == 0)
			a->board = v;
		else if (strcmp(k, "--registrar") == 0)
			a->registrar = v;
		else if (strcmp(k, "--code") == 0)
			a->code = v;
		else if (strcmp(k, "--credential") == 0)
			a->credential = v;
		else if (strcmp(k, "--receipt") == 0)
			a->receipt = v;
		else if (strcmp(k, "--election") == 0)
			a->election = v;
		else if (strcmp(k, "--choice") == 0 && a->n_choices < MAX_CHOICE_ARGS)
			a->choices[a->n_choices++] = v;
		else
			return -1;
	}
	return a->board == NULL ? -1 : 0;
}

/* The terminal, as the library talks with the voter (vyc_io). */
static void term_say(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stdout);
}

static int term_ask(void *ctx, const char *question, char *line, size_t cap)
{
	(void)ctx;
	fputs(question, stdout);
	fflush(stdout);
	if (fgets(line, (int)cap, stdin) == NULL)
		return -1;
	line[strcspn(line, "\r\n")] = '\0';
	return 0;
}

static const vyc_io terminal = { term_say, term_ask, NULL };

/* Fetch and verify the election (the fingerprint pinned if given). */
static int open_board(vyc_board *bd, const args *a)
{
	uint8_t pin[VY_HASH_BYTES];
	vy_reason why;

	if (a->election != NULL &&
	    sodium_hex2bin(pin, sizeof pin, a->election, strlen(a->election), NULL, NULL, NULL) != 0) {
		fprintf(stderr, "vybar-vote: --election: not a fingerprint (64 hex digits)\n");
		return -1;
	}
	if (vyc_board_fetch(bd, NULL, a->board, a->election ? pin : NULL, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		vyc_board_free(bd);
		return -1;
	}
	return 0;
}

static int cmd_show(const args *a)
{
	vyc_board bd;

	if (open_board(&bd, a) != 0)
		return 1;
	vyc_election_show(&terminal, &bd.st.election);
	vyc_board_free(&bd);
	return 0;
}

static int cmd_register(const args *a)
{
	vyc_board bd;
	vy_reason why;
	long status = 0;
	int ret = 0;

	if (a->registrar == NULL || a->code == NULL || a->credential == NULL)
		return 2;
	if (open_board(&bd, a) != 0)
		return 1;
	if (vyc_register(&bd.st.election, a->registrar, a->code, a->credential, &status, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-vote: registration failed: %s\n", why.msg);
		ret = 1;
	} else {
		printf("Registered. Your credential is in %s (keep it secret; it is needed to vote).\n",
		       a->credential);
	}
	vyc_board_free(&bd);
	return ret;
}

/* The vote (vyc_vote), and what went wrong in the terminal's words. */
static int vote(const args *a, const vyc_board *bd, const vyc_credential *c, const uint32_t *choices, size_t n)
{
	vyc_vote_opts o = { .audit = a->audit, .interactive = a->n_choices == 0 && !a->yes, .pin = a->election,
			    .post = { .test_corrupt_receipt = a->test_corrupt_receipt, .io = &terminal } };
	vyc_keeper k = { vyc_receipt_save, (void *)a->receipt };
	vyc_vote_result res;
	vy_reason why;
	vy_rc rc = vyc_vote(bd, c, choices, n, &o, &k, &res, &why);

	if (res.end == VYC_VOTE_BUILD_FAILED)
		fprintf(stderr, "vybar-vote: %s (nothing was sent)\n", why.msg);
	else if (res.end == VYC_VOTE_AUDIT_FAILED)
		fprintf(stderr, "vybar-vote: audit: %s\n", why.msg);
	else if (res.end == VYC_VOTE_CAST_FAILED && rc == VY_R_RECEIPT)
		fprintf(stderr, "\n*** WARNING ***\nvybar-vote: %s\n*** WARNING ***\n", why.msg);
	else if (res.end == VYC_VOTE_CAST_FAILED)
		fprintf(stderr, "vybar-vote: cast: %s\n", why.msg);
	else if (res.end == VYC_VOTE_CAST)
		printf("The board's signed receipt is in %s (signature verified). Check later with: "
		       "vybar-vote check --board %s --receipt %s\n", a->receipt, a->board, a->receipt);
	return res.end == VYC_VOTE_CAST ? 0 : 1;
}

static int cmd_cast(const args *a)
{
	vyc_board bd;
	vyc_credential c;
	vy_reason why;
	uint32_t *choices = NULL;
	size_t n;
	int ret = 1;
	vy_rc rc;

	if (a->credential == NULL)
		return 2;
	if (open_board(&bd, a) != 0)
		return 1;
	if (vyc_credential_open(&c, &bd.st.election, a->credential, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		vyc_board_free(&bd);
		return 1;
	}
	n = vy_manifest_selections(bd.st.manifest);
	choices = sodium_allocarray(n, sizeof *choices);
	if (choices == NULL)
		goto out;
	if (a->n_choices > 0) {
		rc = vyc_choices_parse(bd.st.manifest, a->choices, a->n_choices, choices, n, &why);
	} else {
		vyc_election_show(&terminal, &bd.st.election);
		rc = vyc_choices_ask(&terminal, bd.st.manifest, choices, n, &why);
	}
	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s (nothing was sent)\n", why.msg);
		goto out;
	}
	ret = vote(a, &bd, &c, choices, n);
out:
	sodium_free(choices);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	return ret;
}

static int cmd_check(const args *a)
{
	vyc_check_result res;
	vy_reason why;

	if (vyc_check(a->board, a->receipt, &res, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-vote: CHECK FAILED: %s\n", why.msg);
		return 1;
	}
	printf("Your ballot %s is on the board at position %llu; the receipt's signature verifies.\n",
	       res.tracking_code, (unsigned long long)res.seq);
	if (res.superseded)
		printf("It was superseded by a later ballot of your credential (revote, position %llu): "
		       "that later ballot is the one %s.\n", (unsigned long long)res.latest_seq,
		       res.tallied ? "counted" : "that will count");
	else
		printf("It is the latest ballot of your credential: it %s.\n",
		       res.tallied ? "is the one counted in the tally" : "will be counted");
	return 0;
}

/* The choices an audited ballot holds, re-checked here (client.md §8). */
static int cmd_check_audit(const args *a)
{
	vyc_board bd;
	vyc_audit_result res;
	char code[VY_TRACKING_CODE_BYTES];
	vy_reason why;
	int ret = 0;
	vy_rc rc;

	if (a->code == NULL)
		return 2;
	if (vyc_tracking_code_parse(code, a->code, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		return 2;
	}
	if (open_board(&bd, a) != 0)
		return 1;
	rc = vyc_audit_find(&bd, code, &res, &why);
	if (rc != VY_R_OK && res.status == VYC_AUDIT_FOUND) {
		fprintf(stderr, "vybar-vote: THE AUDITED BALLOT DOES NOT CHECK%s%s%s: %s\n"
			"Its choices are not shown: they are not what its encryption holds. The board should never "
			"have accepted it: report this to the election commission, and do not cast from the device "
			"that made it.\n", why.check[0] ? " (" : "", why.check, why.check[0] ? ")" : "", why.msg);
		ret = EXIT_AUDIT_BAD;
	} else if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		ret = 1;
	} else if (res.status == VYC_AUDIT_CAST) {
		fprintf(stderr, "vybar-vote: ballot %s (position %llu) was cast, not audited: its choices are encrypted "
			"and secret, and no program can show them (only the sum of the counted ballots is ever "
			"decrypted). To see that it is on the board, use `vybar-vote check` with its receipt.\n", code,
			(unsigned long long)res.seq);
		ret = EXIT_AUDIT_CAST;
	} else if (res.status == VYC_AUDIT_NOT_FOUND) {
		fprintf(stderr, "vybar-vote: no ballot with tracking code %s is on the record of board %s "
			"(%llu entries). Check that you typed the code the client showed. If you did, the device "
			"that audited did not publish the audit it showed you: do not cast from it.\n", code, bd.url,
			(unsigned long long)bd.st.next_seq);
		ret = EXIT_AUDIT_NOT_FOUND;
	} else {
		vyc_audit_show(&terminal, &bd, &res);
	}
	vyc_audit_result_free(&res);
	vyc_board_free(&bd);
	return ret;
}

int main(int argc, char **argv)
{
	args a;
	int ret;

	if (sodium_init() < 0 || vy_init() != VY_OK) {
		fprintf(stderr, "vybar-vote: cannot initialise the crypto library\n");
		return 1;
	}
	if (parse_args(&a, argc, argv) != 0) {
		usage();
		return 2;
	}
	if (strcmp(a.cmd, "show") == 0)
		ret = cmd_show(&a);
	else if (strcmp(a.cmd, "register") == 0)
		ret = cmd_register(&a);
	else if (strcmp(a.cmd, "cast") == 0)
		ret = cmd_cast(&a);
	else if (strcmp(a.cmd, "check") == 0)
		ret = cmd_check(&a);
	else if (strcmp(a.cmd, "check-audit") == 0)
		ret = cmd_check_audit(&a);
	else
		ret = 2;
	if (ret == 2)
		usage();
	return ret;
}
