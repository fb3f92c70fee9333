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
#define ANSWER_BYTES 64

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
	if (vyc_board_fetch(bd, a->board, a->election ? pin : NULL, &why) != VY_R_OK) {
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
	vyc_election_print(stdout, &bd.st.election);
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

/* Interactive: 'c' to cast, 'a' to audit, anything else quits. */
static int ask_cast_or_audit(void)
{
	char line[ANSWER_BYTES];

	printf("Cast this ballot, or audit it (reveal it, check it, and encrypt afresh)? [c/a/q] ");
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		return 'q';
	return line[0] == 'c' || line[0] == 'a' ? line[0] : 'q';
}

/* Tell the voter that this cast replaces an earlier one (revote). */
static void revote_notice(const vyc_board *bd, const vyc_credential *c)
{
	int found = 0;
	uint64_t seq = vy_record_state_last_ballot(&bd->st, c->signer.pk, &found);

	if (found)
		printf("You have already voted (ballot at position %llu). Casting again replaces that ballot: "
		       "only your latest ballot counts.\n", (unsigned long long)seq);
}

/* Build, then audit (as asked) and cast; the choices never leave guarded
 * memory except in an audited ballot. */
static int vote(const args *a, const vyc_board *bd, const vyc_credential *c, const uint32_t *choices, size_t n)
{
	vyc_post_opts o = { .test_corrupt_receipt = a->test_corrupt_receipt, .log = stdout };
	int interactive = a->n_choices == 0 && !a->yes, audit = a->audit;
	vy_built_ballot b;
	vy_reason why;
	uint64_t seq = 0;
	vy_rc rc;

	for (;;) {
		if (vy_ballot_build(&b, &bd->st.election, &c->signer, choices, n, NULL, NULL, &why) != VY_R_OK) {
			fprintf(stderr, "vybar-vote: %s (nothing was sent)\n", why.msg);
			return 1;
		}
		printf("Your ballot is encrypted. Tracking code: %s\n", b.tracking_code);
		if (interactive) {
			int ans = ask_cast_or_audit();

			if (ans == 'q') {
				printf("Nothing was sent.\n");
				vy_built_ballot_free(&b);
				return 1;
			}
			audit = ans == 'a';
		}
		if (!audit)
			break;
		rc = vyc_audit(bd, &b, &o, &why);
		if (rc != VY_R_OK) {
			fprintf(stderr, "vybar-vote: audit: %s\n", why.msg);
			vy_built_ballot_free(&b);
			return 1;
		}
		printf("Audited: ballot %s, with its choices and randomness, is on the board for anyone to check "
		       "(vybar-verify). It does not count. Encrypting afresh.\n", b.tracking_code);
		printf("To see the choices it holds, run on another device (not this one): vybar-vote check-audit "
		       "--board %s --code %s%s%s\n", a->board, b.tracking_code, a->election ? " --election " : "",
		       a->election ? a->election : "");
		vy_built_ballot_free(&b);
		audit = 0;
	}
	revote_notice(bd, c);
	rc = vyc_cast(bd, &b, &o, a->receipt, &seq, &why);
	if (rc == VY_R_RECEIPT) {
		fprintf(stderr, "\n*** WARNING ***\nvybar-vote: %s\n*** WARNING ***\n", why.msg);
	} else if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: cast: %s\n", why.msg);
	} else {
		printf("Cast. Tracking code %s, position %llu on the board.\n", b.tracking_code,
		       (unsigned long long)seq);
		printf("The board's signed receipt is in %s (signature verified). Check later with: "
		       "vybar-vote check --board %s --receipt %s\n", a->receipt, a->board, a->receipt);
	}
	vy_built_ballot_free(&b);
	return rc == VY_R_OK ? 0 : 1;
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
		vyc_election_print(stdout, &bd.st.election);
		rc = vyc_choices_prompt(stdin, stdout, bd.st.manifest, choices, n, &why);
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
		vyc_audit_print(stdout, &bd, &res);
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
