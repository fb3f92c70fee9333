/*
 * Every program's command line, as a user meets it (cli/vy_cli.h, the
 * "Exit status" section of each program's spec):
 *
 *   - `PROGRAM --help` and `PROGRAM COMMAND --help`: exit 0, the help on
 *     standard output (nothing on standard error), every command named;
 *   - `PROGRAM --version`: exit 0, "PROGRAM (Vybar) VERSION";
 *   - an unknown option or command, a missing option: exit 2, standard error
 *     names it and says "Try 'PROGRAM ... --help'.";
 *   - vybar-trustee --help asks for nothing (no --dir);
 *   - the shipped vybar-vote and vybar-trustee do not know the options of
 *     their test-only builds (tests/CMakeLists.txt), which do.
 */
#include <string.h>

#include "tests/support/vytest.h"

#define OUT_BYTES 65536
#define MAX_COMMANDS 8

typedef struct {
	const char *name, *path;
	const char *commands[MAX_COMMANDS + 1];
} program;

static const program programs[] = {
	{ "vybar-board", VYBAR_BOARD_PROGRAM, { "keygen", "serve", NULL } },
	{ "vybar-commission", VYBAR_COMMISSION_PROGRAM, { "keygen", "manifest", "admin", "publish-issued", NULL } },
	{ "vybar-registrar", VYBAR_REGISTRAR_PROGRAM, { "init", "roll", "serve", "close", NULL } },
	{ "vybar-trustee", VYBAR_TRUSTEE_PROGRAM,
	  { "keygen", "announce", "reveal", "verdict", "justify", "decrypt", "status", "post", NULL } },
	{ "vybar-vote", VYBAR_VOTE_PROGRAM, { "show", "register", "cast", "check", "check-audit", NULL } },
	{ "vybar-verify", VYBAR_VERIFY_PROGRAM, { "record", "fetch", "seats", "receipt", NULL } },
};

#define N_PROGRAMS (sizeof programs / sizeof programs[0])

static char out[OUT_BYTES], err[OUT_BYTES];

static int run(const char *path, const char *const *args)
{
	return vytest_spawn(path, args, out, sizeof out, err, sizeof err);
}

/* The text has s, or the test fails showing it. */
static void has(const char *text, const char *s)
{
	if (strstr(text, s) == NULL)
		fail_msg("no \"%s\" in:\n%s", s, text);
}

/* `PROGRAM --help`: every command's usage line, the common options and
 * the exit statuses, on standard output. */
static void test_program_help(void **state)
{
	char line[256];

	(void)state;
	for (size_t i = 0; i < N_PROGRAMS; i++) {
		const program *p = &programs[i];

		assert_int_equal(run(p->path, (const char *const[]){ "--help", NULL }), 0);
		assert_string_equal(err, "");
		snprintf(line, sizeof line, "Usage: %s %s", p->name, p->commands[0]);
		has(out, line);
		for (size_t k = 0; p->commands[k] != NULL; k++) {
			snprintf(line, sizeof line, "\nCommand %s:\n", p->commands[k]);
			has(out, line);
		}
		has(out, "--version");
		has(out, "\nExit status:\n  0  success\n");
		has(out, "  2  usage error");
		has(out, "  3  I/O, network or system error");
	}
}

/* `PROGRAM COMMAND --help`: that command's usage line and options. */
static void test_command_help(void **state)
{
	char line[256];

	(void)state;
	for (size_t i = 0; i < N_PROGRAMS; i++)
		for (size_t k = 0; programs[i].commands[k] != NULL; k++) {
			const char *cmd = programs[i].commands[k];

			assert_int_equal(run(programs[i].path, (const char *const[]){ cmd, "--help", NULL }), 0);
			assert_string_equal(err, "");
			snprintf(line, sizeof line, "Usage: %s %s", programs[i].name, cmd);
			has(out, line);
			has(out, "\nOptions:\n");
			has(out, "      --help");
		}
}

static void test_version(void **state)
{
	char line[256];

	(void)state;
	for (size_t i = 0; i < N_PROGRAMS; i++) {
		assert_int_equal(run(programs[i].path, (const char *const[]){ "--version", NULL }), 0);
		snprintf(line, sizeof line, "%s (Vybar) ", programs[i].name);
		assert_int_equal(strncmp(out, line, strlen(line)), 0);
		assert_non_null(strchr(out, '\n'));
		assert_string_equal(err, "");
	}
}

/* Usage errors: exit 2, nothing on standard output, standard error names
 * the culprit and ends with the hint. */
static void expect_usage(const program *p, const char *const *args, const char *names, const char *hint)
{
	assert_int_equal(run(p->path, args), 2);
	assert_string_equal(out, "");
	has(err, names);
	has(err, hint);
}

static void test_usage_errors(void **state)
{
	char hint[256], cmd_hint[256];

	(void)state;
	for (size_t i = 0; i < N_PROGRAMS; i++) {
		const program *p = &programs[i];
		const char *cmd = p->commands[0];

		snprintf(hint, sizeof hint, "\nTry '%s --help'.\n", p->name);
		snprintf(cmd_hint, sizeof cmd_hint, "\nTry '%s %s --help'.\n", p->name, cmd);
		expect_usage(p, (const char *const[]){ NULL }, "no command given", hint);
		expect_usage(p, (const char *const[]){ "frobnicate", NULL }, "unknown command 'frobnicate'", hint);
		expect_usage(p, (const char *const[]){ "--frobnicate", NULL }, "unknown option '--frobnicate'", hint);
		expect_usage(p, (const char *const[]){ cmd, "--frobnicate", "x", NULL }, "unknown option '--frobnicate'",
			     cmd_hint);
	}
	/* a missing option, by name */
	expect_usage(&programs[0], (const char *const[]){ "serve", "--db", "x.db", NULL }, "missing --key FILE",
		     "\nTry 'vybar-board serve --help'.\n");
	/* exactly one of two options */
	expect_usage(&programs[0], (const char *const[]){ "serve", "--key", "y", NULL },
		     "give one of --db FILE and --store STORE", "\nTry 'vybar-board serve --help'.\n");
	expect_usage(&programs[0], (const char *const[]){ "serve", "--db", "x", "--store", "sqlite:x", "--key", "y", NULL },
		     "give one of --db FILE and --store STORE", "\nTry 'vybar-board serve --help'.\n");
	/* an option without its argument */
	expect_usage(&programs[5], (const char *const[]){ "fetch", "http://127.0.0.1:1", "--out", NULL },
		     "option '--out' needs an argument", "\nTry 'vybar-verify fetch --help'.\n");
	/* a number out of range */
	expect_usage(&programs[0], (const char *const[]){ "serve", "--db", "x", "--key", "y", "--port", "70000", NULL },
		     "--port needs a number from 0 to 65535, not '70000'", "\nTry 'vybar-board serve --help'.\n");
}

/* vybar-trustee --help asks for nothing, and its commands' help neither. */
static void test_trustee_help_needs_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(VYBAR_TRUSTEE_PROGRAM, (const char *const[]){ "--help", NULL }), 0);
	assert_null(strstr(err, "--dir"));
	assert_int_equal(run(VYBAR_TRUSTEE_PROGRAM, (const char *const[]){ "status", "--help", NULL }), 0);
	assert_string_equal(err, "");
}

/* The shipped programs have no test option; their test builds do (the
 * options are checked there: they go on to need a board or a key). */
static void test_no_test_options_shipped(void **state)
{
	static const struct {
		const char *shipped, *cheat, *cmd, *option;
	} cheats[] = {
		{ VYBAR_VOTE_PROGRAM, VYBAR_VOTE_CHEAT_PROGRAM, "cast", "--test-corrupt-receipt" },
		{ VYBAR_TRUSTEE_PROGRAM, VYBAR_TRUSTEE_CHEAT_PROGRAM, "reveal", "--test-corrupt-share-for" },
		{ VYBAR_TRUSTEE_PROGRAM, VYBAR_TRUSTEE_CHEAT_PROGRAM, "decrypt", "--test-corrupt-decryption" },
	};
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof cheats / sizeof cheats[0]; i++) {
		const char *args[] = { cheats[i].cmd, cheats[i].option, "2", NULL };

		assert_int_equal(run(cheats[i].shipped, args), 2);
		snprintf(want, sizeof want, "unknown option '%s'", cheats[i].option);
		has(err, want);
		assert_int_equal(run(cheats[i].shipped, (const char *const[]){ cheats[i].cmd, "--help", NULL }), 0);
		assert_null(strstr(out, "--test-"));
		assert_int_equal(run(cheats[i].cheat, (const char *const[]){ cheats[i].cmd, "--help", NULL }), 0);
		has(out, cheats[i].option);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_help),
		cmocka_unit_test(test_command_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_trustee_help_needs_nothing),
		cmocka_unit_test(test_no_test_options_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
