/*
 * The command-line layer (cli/vy_cli.h) on a program of its own: what the
 * table declares is what is parsed, helped and refused.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/vy_cli.h"
#include "tests/support/vytest.h"

#define MAX_ARGS 16

static const vy_cli_opt alpha_opts[] = {
	{ "file", "FILE", VY_CLI_REQUIRED, "the file" },
	{ "count", "N", VY_CLI_OPTIONAL, "how many" },
	{ "rate", "R", VY_CLI_OPTIONAL, "how fast" },
	{ "flag", NULL, VY_CLI_OPTIONAL, "a flag" },
	{ "item", "X", VY_CLI_REPEAT, "one item" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt beta_opts[] = {
	{ "quiet", NULL, VY_CLI_OPTIONAL, "say less" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "alpha", "SOURCE [MORE]", 1, 2, "Do alpha to SOURCE.", alpha_opts, NULL },
	{ "beta", NULL, 0, 0, "Do beta.", beta_opts, NULL },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_exit_status more[] = { { 4, "alpha: half done" }, { 0, NULL } };

static const vy_cli_prog demo = { "demo", "A program to test the layer with.", commands, more };

static char *out_text, *err_text;
static size_t out_len, err_len;

/* Parse the NULL-terminated words (after the program's name); the answer,
 * its standard output and error in out_text and err_text. */
static int parse(vy_cli_args *a, const char *const *words)
{
	static char *argv[MAX_ARGS + 2];
	static char storage[MAX_ARGS][64];
	int argc = 1;
	FILE *out, *err;
	int rc;

	argv[0] = "demo";
	for (; *words != NULL; words++, argc++) {
		assert_true(argc <= MAX_ARGS);
		snprintf(storage[argc - 1], sizeof storage[0], "%s", *words);
		argv[argc] = storage[argc - 1];
	}
	argv[argc] = NULL;
	free(out_text);
	free(err_text);
	out = open_memstream(&out_text, &out_len);
	err = open_memstream(&err_text, &err_len);
	assert_non_null(out);
	assert_non_null(err);
	rc = vy_cli_parse(a, &demo, argc, argv, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

static void has(const char *text, const char *s)
{
	if (strstr(text, s) == NULL)
		fail_msg("no \"%s\" in:\n%s", s, text);
}

static void test_help(void **state)
{
	vy_cli_args a;

	(void)state;
	assert_int_equal(parse(&a, (const char *const[]){ "--help", NULL }), VY_EXIT_OK);
	has(out_text, "Usage: demo alpha --file FILE [OPTION]... SOURCE [MORE]\n");
	has(out_text, "  or:  demo beta [--quiet]\n");
	has(out_text, "  or:  demo [COMMAND] --help\n  or:  demo --version\n");
	has(out_text, "A program to test the layer with.\n");
	has(out_text, "\nCommand alpha:\n  Do alpha to SOURCE.\n");
	has(out_text, "      --file FILE             the file (required)\n");
	has(out_text, "      --item X                one item (may be repeated)\n");
	has(out_text, "\nExit status:\n  0  success\n");
	has(out_text, "  4  alpha: half done\n");
	assert_int_equal(err_len, 0);
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "--help", NULL }), VY_EXIT_OK);
	has(out_text, "Usage: demo alpha --file FILE [OPTION]... SOURCE [MORE]\nDo alpha to SOURCE.\n\nOptions:\n");
	has(out_text, "      --help                  show this help and exit\n");
	assert_null(strstr(out_text, "Command beta"));
	/* --help wins over what is missing */
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "--count", "x", "--help", NULL }), VY_EXIT_OK);
	assert_int_equal(parse(&a, (const char *const[]){ "--version", NULL }), VY_EXIT_OK);
	assert_string_equal(out_text, "demo (Vybar) " VYBAR_TEST_VERSION "\n");
	assert_string_equal(vy_cli_version(), VYBAR_TEST_VERSION);
}

/* Options in any order among the operands, --name=value, repeats, "--". */
static void test_values(void **state)
{
	vy_cli_args a;
	const char *items[4];

	(void)state;
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "src", "--item", "one", "--file=f.txt", "--flag",
							  "--item", "two", "more", NULL }),
			 VY_CLI_RUN);
	assert_string_equal(a.cmd->name, "alpha");
	assert_string_equal(vy_cli_get(&a, "file"), "f.txt");
	assert_null(vy_cli_get(&a, "count"));
	assert_true(vy_cli_flag(&a, "flag"));
	assert_int_equal(vy_cli_all(&a, "item", items, 4), 2);
	assert_string_equal(items[0], "one");
	assert_string_equal(items[1], "two");
	assert_int_equal(vy_cli_all(&a, "item", items, 1), 1);
	assert_int_equal(a.n_operands, 2);
	assert_string_equal(a.operands[0], "src");
	assert_string_equal(a.operands[1], "more");
	assert_true(vy_cli_has_opt(a.cmd, "rate"));
	assert_false(vy_cli_has_opt(a.cmd, "quiet"));
	assert_int_equal(err_len, 0);
	/* after "--", what looks like an option is an operand */
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "--file", "-", "--", "--flag", NULL }), VY_CLI_RUN);
	assert_string_equal(vy_cli_get(&a, "file"), "-");
	assert_false(vy_cli_flag(&a, "flag"));
	assert_string_equal(a.operands[0], "--flag");
	assert_int_equal(parse(&a, (const char *const[]){ "beta", NULL }), VY_CLI_RUN);
	assert_false(vy_cli_flag(&a, "quiet"));
}

/* Each wrong command line: exit 2, the message naming the culprit, the hint. */
static void test_errors(void **state)
{
	static const struct {
		const char *words[8];
		const char *msg;
	} cases[] = {
		{ { NULL }, "demo: no command given\nTry 'demo --help'.\n" },
		{ { "gamma", NULL }, "demo: unknown command 'gamma'\nTry 'demo --help'.\n" },
		{ { "--file", NULL }, "demo: unknown option '--file' (the command comes first)\nTry 'demo --help'.\n" },
		{ { "alpha", "src", NULL }, "demo alpha: missing --file FILE\nTry 'demo alpha --help'.\n" },
		{ { "alpha", "--file", "f", NULL }, "demo alpha: missing SOURCE [MORE]\nTry 'demo alpha --help'.\n" },
		{ { "alpha", "--file", "f", "a", "b", "c", NULL },
		  "demo alpha: unexpected argument 'c'\nTry 'demo alpha --help'.\n" },
		{ { "alpha", "s", "--file", NULL }, "demo alpha: option '--file' needs an argument\n" },
		{ { "alpha", "s", "--nope", NULL }, "demo alpha: unknown option '--nope'\n" },
		{ { "alpha", "s", "-x", NULL }, "demo alpha: unknown option '-x'\n" },
		{ { "alpha", "s", "--file", "f", "--flag=1", NULL }, "demo alpha: option '--flag' takes no argument\n" },
		{ { "alpha", "s", "--file", "f", "--file", "g", NULL }, "demo alpha: --file given twice\n" },
		{ { "beta", "--file", "f", NULL }, "demo beta: unknown option '--file'\nTry 'demo beta --help'.\n" },
		{ { "beta", "extra", NULL }, "demo beta: unexpected argument 'extra'\n" },
	};
	vy_cli_args a;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(&a, cases[i].words), VY_EXIT_USAGE);
		has(err_text, cases[i].msg);
		has(err_text, "--help'.\n");
		assert_int_equal(out_len, 0);
	}
}

/* Numbers: absent leaves the default; out of range or not a number is a
 * usage error. */
static void test_numbers(void **state)
{
	vy_cli_args a;
	unsigned long n = 7;
	double r = 1.5;

	(void)state;
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "s", "--file", "f", NULL }), VY_CLI_RUN);
	assert_int_equal(vy_cli_ulong(&a, "count", 1, 10, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(vy_cli_double(&a, "rate", 0, 10, &r), 0);
	assert_true(r == 1.5);
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "s", "--file", "f", "--count", "10", "--rate", "2.5",
							  NULL }),
			 VY_CLI_RUN);
	assert_int_equal(vy_cli_ulong(&a, "count", 1, 10, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(vy_cli_double(&a, "rate", 0, 10, &r), 0);
	assert_true(r == 2.5);
	for (size_t i = 0; i < 5; i++) {
		static const char *const bad[] = { "11", "0", "-1", "x", "" };

		assert_int_equal(parse(&a, (const char *const[]){ "alpha", "s", "--file", "f", "--count", bad[i], NULL }),
				 VY_CLI_RUN);
		assert_int_equal(vy_cli_ulong(&a, "count", 1, 10, &n), VY_EXIT_USAGE);
		assert_int_equal(n, 10);
	}
	assert_int_equal(parse(&a, (const char *const[]){ "alpha", "s", "--file", "f", "--rate", "inf", NULL }),
			 VY_CLI_RUN);
	assert_int_equal(vy_cli_double(&a, "rate", 0, 10, &r), VY_EXIT_USAGE);
	assert_int_equal(vy_cli_usage_error(&a, "anything"), VY_EXIT_USAGE);
}

/* The exit status of a reason code. */
static void test_exit_statuses(void **state)
{
	(void)state;
	assert_int_equal(vy_cli_exit(VY_R_OK), VY_EXIT_OK);
	assert_int_equal(vy_cli_exit(VY_R_IO), VY_EXIT_IO);
	assert_int_equal(vy_cli_exit(VY_R_NOMEM), VY_EXIT_IO);
	assert_int_equal(vy_cli_exit(VY_R_PROOF), VY_EXIT_FAILED);
	assert_int_equal(vy_cli_exit(VY_R_KEY), VY_EXIT_FAILED);
	assert_int_equal(VY_EXIT_OK, 0);
	assert_int_equal(VY_EXIT_FAILED, 1);
	assert_int_equal(VY_EXIT_USAGE, 2);
	assert_int_equal(VY_EXIT_IO, 3);
	assert_int_equal(VY_EXIT_INCOMPLETE, 4);
}

static int teardown(void **state)
{
	(void)state;
	free(out_text);
	free(err_text);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),	     cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),	     cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_exit_statuses),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
