/*
 * vybar-vote, the voter's program (specs/client.md): register, show the
 * election, vote (audit and/or cast), check the receipt, show an audited
 * ballot's choices on another device.
 *
 * The commands and their options are the table at the end (cli/vy_cli.h);
 * the exit statuses are every program's (specs/client.md §1).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/vy_cli.h"
#include "cli/vy_keys.h"
#include "client/audit.h"
#include "client/registration.h"
#include "client/timing.h"
#include "client/vote.h"

#define MAX_CHOICE_ARGS 64
#define DEFAULT_RECEIPT "vybar-receipt.pb"

/* One command's options. */
typedef struct {
	const char *board, *registrar, *code, *credential, *receipt, *election;
	const char *choices[MAX_CHOICE_ARGS];
	size_t n_choices;
	const char *witnesses[VYC_MAX_WITNESS_URLS];
	size_t n_witnesses;
	int audit, yes, cast_now;
	vy_pass_src pass; /* the credential file's passphrase (register, cast) */
	vyc_post_opts post;
} args;

#ifdef VYBAR_TEST_CHEATS
/* The test build only (vybar-vote-cheat, tests/CMakeLists.txt): flip one
 * bit of the receipt's signature before it is checked. */
static void corrupt_receipt(Vybar__Receipt *r)
{
	if (r->signature.len > 0)
		r->signature.data[0] ^= 1;
}

#define CHEAT_CAST_OPTS                                                                                              \
	{ "test-corrupt-receipt", NULL, VY_CLI_OPTIONAL, "TEST BUILD ONLY: spoil the board's receipt before checking it" },
#else
#define CHEAT_CAST_OPTS
#endif

/* The value of --name, NULL if the command has no such option. */
static const char *value(const vy_cli_args *c, const char *name)
{
	return vy_cli_has_opt(c->cmd, name) ? vy_cli_get(c, name) : NULL;
}

/* The command line into a. 0, or VY_EXIT_USAGE after the message. */
static int take_args(args *a, const vy_cli_args *c)
{
	memset(a, 0, sizeof *a);
	a->board = value(c, "board");
	a->registrar = value(c, "registrar");
	a->code = value(c, "code");
	a->credential = value(c, "credential");
	a->election = value(c, "election");
	a->receipt = value(c, "receipt") ? value(c, "receipt") : DEFAULT_RECEIPT;
	if (strcmp(c->cmd->name, "check") == 0) {
		a->n_witnesses = vy_cli_all(c, "witness", a->witnesses, VYC_MAX_WITNESS_URLS + 1);
		if (a->n_witnesses > VYC_MAX_WITNESS_URLS)
			return vy_cli_usage_error(c, "more than %d --witness options", VYC_MAX_WITNESS_URLS);
	}
	a->pass.fd = -1;
	if (vy_cli_has_opt(c->cmd, "passphrase-file") && vy_pass_src_of(&a->pass, c) != 0)
		return VY_EXIT_USAGE;
	if (strcmp(c->cmd->name, "cast") != 0)
		return 0;
	a->audit = vy_cli_flag(c, "audit");
	a->cast_now = vy_cli_flag(c, "cast-now");
	a->yes = vy_cli_flag(c, "yes");
	a->n_choices = vy_cli_all(c, "choice", a->choices, MAX_CHOICE_ARGS + 1);
	if (a->n_choices > MAX_CHOICE_ARGS)
		return vy_cli_usage_error(c, "more than %d --choice options", MAX_CHOICE_ARGS);
#ifdef VYBAR_TEST_CHEATS
	if (vy_cli_flag(c, "test-corrupt-receipt"))
		a->post.receipt_seen = corrupt_receipt;
#endif
	return 0;
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

/* Fetch and verify the election (the fingerprint pinned if given), open
 * for voting unless any_phase: the record up to ELECTION_OPEN (client.md
 * §2), or all of it when whole. 0, or the exit status after the message. */
static int fetch_board(vyc_board *bd, const args *a, int any_phase, int whole)
{
	vy_rc rc;
	uint8_t pin[VY_HASH_BYTES];
	vy_reason why;

	if (a->election != NULL &&
	    sodium_hex2bin(pin, sizeof pin, a->election, strlen(a->election), NULL, NULL, NULL) != 0) {
		fprintf(stderr, "vybar-vote: --election: not a fingerprint (64 hex digits)\n");
		return VY_EXIT_USAGE;
	}
	if (whole)
		rc = (any_phase ? vyc_board_fetch_election : vyc_board_fetch)(bd, NULL, a->board,
									      a->election ? pin : NULL, &why);
	else
		rc = vyc_board_fetch_opening(bd, NULL, a->board, a->election ? pin : NULL, !any_phase, &why);
	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		vyc_board_free(bd);
		return vy_cli_exit(why.code);
	}
	return 0;
}

/* The election, open, as show and cast need it: up to ELECTION_OPEN. */
static int open_board(vyc_board *bd, const args *a)
{
	return fetch_board(bd, a, 0, 0);
}

static int cmd_show(const args *a)
{
	vyc_board bd;
	int ret = open_board(&bd, a);

	if (ret != 0)
		return ret;
	vyc_election_show(&terminal, &bd.st.election);
	vyc_board_free(&bd);
	return VY_EXIT_OK;
}

/* The credential file's passphrase (client.md §6.1), typed twice on the
 * terminal when confirm. 0, or the exit status after the message. */
static int passphrase(char **pass, const args *a, int confirm)
{
	vy_reason why;
	vy_rc rc = vy_passphrase(pass, &a->pass, confirm, &why);

	if (rc == VY_R_OK)
		return 0;
	fprintf(stderr, "vybar-vote: %s (nothing was sent)\n", why.msg);
	return vy_cli_exit(rc);
}

/* Unix seconds t as "YYYY-MM-DD HH:MM:SS UTC". */
static void utc(char out[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "%llu", (unsigned long long)t);
}

static int cmd_register(const args *a)
{
	vyc_board bd;
	vy_reason why;
	long status = 0;
	char *pass = NULL, when[32];
	uint64_t earliest;
	int ret = passphrase(&pass, a, 1);

	if (ret != 0)
		return ret;
	/* registration may come before voting opens (registrar.md §4.3) */
	if ((ret = fetch_board(&bd, a, 1, 0)) != 0)
		goto out;
	/* client.md §6.2: a random earliest cast time, kept in the sealed file */
	earliest = vyc_earliest_cast(bd.st.manifest, (uint64_t)time(NULL));
	if (vyc_register(&bd.st.election, a->registrar, a->code, a->credential, pass, earliest, &status, &why) !=
	    VY_R_OK) {
		fprintf(stderr, "vybar-vote: registration failed: %s\n", why.msg);
		ret = vy_cli_exit(why.code);
	} else {
		utc(when, earliest);
		printf("Registered. Your credential is in %s, sealed under your passphrase (keep both: they are "
		       "needed to vote).\n"
		       "Vote from %s on: a ballot cast soon after its registration can be linked to it by the times "
		       "alone, so `vybar-vote cast` waits until then (unless given --cast-now).\n",
		       a->credential, when);
	}
	vyc_board_free(&bd);
out:
	sodium_free(pass);
	return ret;
}

/* The vote (vyc_vote, client.md §4), and what went wrong in the terminal's
 * words. */
static int vote(const args *a, const vyc_board *bd, const vyc_credential *c, const uint32_t *choices, size_t n)
{
	vyc_vote_opts o = { .audit = a->audit, .interactive = a->n_choices == 0 && !a->yes, .pin = a->election,
			    .post = a->post };
	vyc_keeper k = { vyc_receipt_save, (void *)a->receipt };
	vyc_vote_result res;
	vy_reason why;
	vy_rc rc;

	o.post.io = &terminal;
	rc = vyc_vote(bd, c, choices, n, &o, &k, &res, &why);
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
	if (res.end == VYC_VOTE_CAST)
		return VY_EXIT_OK;
	return rc == VY_R_OK ? VY_EXIT_FAILED : vy_cli_exit(rc); /* quit: nothing was sent */
}

/* client.md §6.2: before the credential's earliest cast time, refuse
 * (saying why and until when) unless --cast-now, which is told the risk.
 * 0 to go on. */
static int too_early(const vyc_credential *c, const args *a)
{
	uint64_t wait = vyc_credential_wait(c, (uint64_t)time(NULL));
	char when[32];

	if (wait == 0)
		return 0;
	utc(when, c->earliest_cast);
	if (a->cast_now) {
		printf("Casting now, before %s, as --cast-now asks: whoever sees when codes are used at the "
		       "registrar and when ballots reach the board may link this ballot to your registration.\n",
		       when);
		return 0;
	}
	fprintf(stderr, "vybar-vote: not yet: this credential is to be cast from %s on (in %llu h %02llu min). A "
		"ballot cast soon after its registration can be linked to it by the times alone: whoever sees when "
		"codes are used at the registrar and when ballots reach the board learns whose ballot it is. Cast "
		"after that time, or give --cast-now to take that risk (nothing was sent).\n", when,
		(unsigned long long)(wait / 3600), (unsigned long long)(wait % 3600 / 60));
	return -1;
}

static int cmd_cast(const args *a)
{
	vyc_board bd;
	vyc_credential c;
	vy_reason why;
	uint32_t *choices = NULL;
	char *pass = NULL;
	size_t n;
	int ret = passphrase(&pass, a, 0);
	vy_rc rc;

	if (ret != 0)
		return ret;
	if ((ret = open_board(&bd, a)) != 0) {
		sodium_free(pass);
		return ret;
	}
	rc = vyc_credential_open(&c, &bd.st.election, a->credential, pass, &why);
	sodium_free(pass);
	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		vyc_board_free(&bd);
		return vy_cli_exit(rc);
	}
	if (too_early(&c, a) != 0) {
		ret = VY_EXIT_FAILED;
		goto out;
	}
	ret = VY_EXIT_IO;
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
		ret = vy_cli_exit(rc);
		goto out;
	}
	ret = vote(a, &bd, &c, choices, n);
out:
	sodium_free(choices);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	return ret;
}

/* What each witness said of the receipt's entry (specs/witness.md §8);
 * the exit status they call for: 1 if one disagrees with the board, 3 if
 * one could not be compared, else 0. */
static int witness_verdicts(const args *a, const vyc_check_result *res)
{
	int ret = VY_EXIT_OK;

	for (size_t i = 0; i < res->n_witnesses; i++) {
		const vy_xc_result *w = &res->witness[i];

		printf("Witness %s: %s: %s.\n", a->witnesses[i], vy_xc_verdict_name(w->verdict), w->msg);
		if (w->verdict == VY_XC_DISAGREE)
			ret = VY_EXIT_FAILED;
		else if (w->verdict == VY_XC_UNKNOWN && ret == VY_EXIT_OK)
			ret = VY_EXIT_IO;
	}
	fflush(stdout); /* before any verdict on stderr */
	return ret;
}

static int cmd_check(const args *a)
{
	vyc_check_result res;
	vy_reason why;
	vy_rc rc = vyc_check_witnessed(a->board, a->witnesses, a->n_witnesses, a->receipt, &res, &why);
	int wit = witness_verdicts(a, &res);

	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: CHECK FAILED: %s\n", why.msg);
		if (wit == VY_EXIT_FAILED)
			fprintf(stderr, "vybar-vote: the board and a witness disagree (above): the board shows different "
				"records to different readers; keep the receipt, it is evidence\n");
		return vy_cli_exit(rc);
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
	if (wit == VY_EXIT_FAILED)
		fprintf(stderr, "vybar-vote: CHECK FAILED: the board and a witness disagree (above): the board shows "
			"different records to different readers; keep the receipt, it is evidence\n");
	else if (wit == VY_EXIT_IO)
		fprintf(stderr, "vybar-vote: a witness could not be compared with the board (above): nothing is "
			"decided about it\n");
	return wit;
}

/* The choices an audited ballot holds, re-checked here (client.md §8). */
static int cmd_check_audit(const args *a)
{
	vyc_board bd;
	vyc_audit_result res;
	char code[VY_TRACKING_CODE_BYTES];
	vy_reason why;
	int ret;
	vy_rc rc;

	if (vyc_tracking_code_parse(code, a->code, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		return VY_EXIT_USAGE;
	}
	if ((ret = fetch_board(&bd, a, 0, 1)) != 0)
		return ret;
	ret = VY_EXIT_FAILED; /* unless the choices are shown */
	rc = vyc_audit_find(&bd, code, &res, &why);
	if (rc != VY_R_OK && res.status == VYC_AUDIT_FOUND) {
		fprintf(stderr, "vybar-vote: THE AUDITED BALLOT DOES NOT CHECK%s%s%s: %s\n"
			"Its choices are not shown: they are not what its encryption holds. The board should never "
			"have accepted it: report this to the election commission, and do not cast from the device "
			"that made it.\n", why.check[0] ? " (" : "", why.check, why.check[0] ? ")" : "", why.msg);
	} else if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-vote: %s\n", why.msg);
		ret = vy_cli_exit(rc);
	} else if (res.status == VYC_AUDIT_CAST) {
		fprintf(stderr, "vybar-vote: ballot %s (position %llu) was cast, not audited: its choices are encrypted "
			"and secret, and no program can show them (only the sum of the counted ballots is ever "
			"decrypted). To see that it is on the board, use `vybar-vote check` with its receipt.\n", code,
			(unsigned long long)res.seq);
	} else if (res.status == VYC_AUDIT_NOT_FOUND) {
		fprintf(stderr, "vybar-vote: no ballot with tracking code %s is on the record of board %s "
			"(%llu entries). Check that you typed the code the client showed. If you did, the device "
			"that audited did not publish the audit it showed you: do not cast from it.\n", code, bd.url,
			(unsigned long long)bd.st.next_seq);
	} else {
		vyc_audit_show(&terminal, &bd, &res);
		ret = VY_EXIT_OK;
	}
	vyc_audit_result_free(&res);
	vyc_board_free(&bd);
	return ret;
}

static int run(const vy_cli_args *c, int (*cmd)(const args *))
{
	args a;

	if (take_args(&a, c) != 0)
		return VY_EXIT_USAGE;
	return cmd(&a);
}

static int run_show(const vy_cli_args *c)
{
	return run(c, cmd_show);
}

static int run_register(const vy_cli_args *c)
{
	return run(c, cmd_register);
}

static int run_cast(const vy_cli_args *c)
{
	return run(c, cmd_cast);
}

static int run_check(const vy_cli_args *c)
{
	return run(c, cmd_check);
}

static int run_check_audit(const vy_cli_args *c)
{
	return run(c, cmd_check_audit);
}

#define BOARD_OPT { "board", "URL", VY_CLI_REQUIRED, "the board, http://HOST:PORT" }
#define ELECTION_OPT                                                                                                 \
	{                                                                                                            \
		"election", "FINGERPRINT", VY_CLI_OPTIONAL,                                                          \
			"the election's fingerprint (64 hex digits), as the commission published it: any other is "   \
			"refused"                                                                                    \
	}

static const vy_cli_opt show_opts[] = { BOARD_OPT, ELECTION_OPT, { NULL, NULL, 0, NULL } };

static const vy_cli_opt register_opts[] = {
	BOARD_OPT,
	{ "registrar", "URL", VY_CLI_REQUIRED, "the registrar, http://HOST:PORT" },
	{ "code", "CODE", VY_CLI_REQUIRED, "the registration code the voter was given" },
	{ "credential", "FILE", VY_CLI_REQUIRED,
	  "the new credential file, mode 0600, sealed under a passphrase typed twice (keep both)" },
	VY_PASS_OPTS,
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt cast_opts[] = {
	BOARD_OPT,
	{ "credential", "FILE", VY_CLI_REQUIRED, "the credential file (vybar-vote register), opened with its passphrase" },
	VY_PASS_OPTS,
	{ "choice", "C=O[,O...]|C=blank", VY_CLI_REPEAT,
	  "the options chosen in contest C, numbered as show prints them; one per contest (default: asked for)" },
	{ "audit", NULL, VY_CLI_OPTIONAL,
	  "audit the first ballot: publish it opened, under a one-time key and never your credential, then "
	  "encrypt afresh and cast; for scripts: told in advance, this program could cheat only on the cast, so "
	  "to test it answer 'a' at the prompt instead, after the tracking code is shown" },
	{ "yes", NULL, VY_CLI_OPTIONAL, "cast without asking" },
	{ "cast-now", NULL, VY_CLI_OPTIONAL,
	  "cast even before the credential's earliest cast time (register prints it), at the risk that the times "
	  "link the ballot to the registration" },
	{ "receipt", "FILE", VY_CLI_OPTIONAL, "where to keep the board's receipt (default " DEFAULT_RECEIPT ")" },
	ELECTION_OPT,
	CHEAT_CAST_OPTS{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt check_opts[] = {
	BOARD_OPT,
	{ "receipt", "FILE", VY_CLI_OPTIONAL, "the receipt (default " DEFAULT_RECEIPT ")" },
	{ "witness", "URL", VY_CLI_REPEAT,
	  "a witness of the election (vybar-witness serve), http://HOST:PORT: the receipt's entry is read from "
	  "it too, and any disagreement with the board is reported (specs/witness.md, section 8)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt check_audit_opts[] = {
	BOARD_OPT,
	{ "code", "TRACKING_CODE", VY_CLI_REQUIRED, "the tracking code the voting device showed" },
	ELECTION_OPT,
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "show", NULL, 0, 0, "Fetch and check the election from the board, and print it: its contests and options.",
	  show_opts, run_show },
	{ "register", NULL, 0, 0,
	  "Register with the registrar's code and keep the credential: the registrar signs it blind, so it never "
	  "learns which credential is whose.",
	  register_opts, run_register },
	{ "cast", NULL, 0, 0,
	  "Encrypt a ballot of the choices and show its tracking code; then cast it, or audit it: an audit "
	  "publishes that ballot opened (choices and randomness) under a one-time key that is not your "
	  "credential, so nothing public links the audited choices to you, and anyone (check-audit on another "
	  "device) can confirm it encrypts exactly what you chose; the program then encrypts afresh. Because the "
	  "code is shown before you choose, a program that encrypts something else is caught each time you audit. "
	  "Keep and check the board's signed receipt.",
	  cast_opts, run_cast },
	{ "check", NULL, 0, 0,
	  "Check the receipt against the board's record: the ballot is there, and counts; with --witness, that "
	  "each witness holds the same record and the same entry.",
	  check_opts, run_check },
	{ "check-audit", NULL, 0, 0,
	  "On another device than the one that voted: the choices an audited ballot holds, checked against its "
	  "encryption.",
	  check_audit_opts, run_check_audit },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_prog program = {
	"vybar-vote",
	"The voter's program of a Vybar election: register, show the election, vote (audit and cast), check the "
	"receipt, and see an audited ballot's choices on another device (specs/client.md).",
	commands,
	NULL,
};

int main(int argc, char **argv)
{
	if (sodium_init() < 0 || vy_init() != VY_OK) {
		fprintf(stderr, "vybar-vote: cannot initialise the crypto library\n");
		return VY_EXIT_IO;
	}
	return vy_cli_main(&program, argc, argv);
}
