/* The command line of every program, from its table (vy_cli.h). */
#include "cli/vy_cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef VYBAR_VERSION
#error "VYBAR_VERSION (the project's version) must be defined by the build"
#endif

#define WIDTH 79       /* the help's lines */
#define OPT_INDENT 6   /* "      --name ARG" */
#define HELP_COLUMN 30 /* where an option's help starts */
#define TEXT_INDENT 2  /* a command's description in the program's help */
/* getopt_long's value of option i (above every character it may return). */
#define OPT_VAL(i) (256 + (i))
#define VAL_HELP 255

/* The exit statuses every program has. */
static const vy_cli_exit_status common_exits[] = {
	{ VY_EXIT_OK, "success" },
	{ VY_EXIT_FAILED, "refused or failed: a check failed, or a server or the record said no" },
	{ VY_EXIT_USAGE, "usage error: the command line is wrong, and nothing was done" },
	{ VY_EXIT_IO, "I/O, network or system error: nothing was decided" },
	{ 0, NULL },
};

const char *vy_cli_version(void)
{
	return VYBAR_VERSION;
}

static size_t n_opts(const vy_cli_cmd *c)
{
	size_t n = 0;

	while (c->opts != NULL && c->opts[n].name != NULL)
		n++;
	return n;
}

/* ---- the help ---- */

/* Words of text from column col on, wrapped at WIDTH with later lines
 * indented by indent; ends the line. */
static void wrap(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p != '\0') {
		size_t w = strcspn(p, " ");

		if (col > indent && col + 1 + (int)w > WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

/* "      --name ARG      help". */
static void help_option(FILE *out, const vy_cli_opt *o)
{
	char left[128];
	char help[512];
	int n = snprintf(left, sizeof left, "%*s--%s%s%s", OPT_INDENT, "", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");

	snprintf(help, sizeof help, "%s%s%s", o->help, o->how == VY_CLI_REQUIRED ? " (required)" : "",
		 o->how == VY_CLI_REPEAT ? " (may be repeated)" : "");
	if (n + 2 > HELP_COLUMN)
		fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
	else
		fprintf(out, "%-*s", HELP_COLUMN, left);
	wrap(out, help, HELP_COLUMN, HELP_COLUMN);
}

/* The usage line of a command, after "PROGRAM ": its required options,
 * the optional ones (by name when few), its operands. */
static void usage_line(FILE *out, const vy_cli_prog *p, const vy_cli_cmd *c)
{
	size_t n = n_opts(c), optional = 0;

	fprintf(out, "%s %s", p->name, c->name);
	for (size_t i = 0; i < n; i++) {
		const vy_cli_opt *o = &c->opts[i];

		if (o->how == VY_CLI_REQUIRED)
			fprintf(out, " --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			optional++;
	}
	for (size_t i = 0; optional > 0 && i < n; i++) {
		const vy_cli_opt *o = &c->opts[i];

		if (optional > 2) {
			fprintf(out, " [OPTION]...");
			break;
		}
		if (o->how != VY_CLI_REQUIRED)
			fprintf(out, " [--%s%s%s]%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
				o->how == VY_CLI_REPEAT ? "..." : "");
	}
	if (c->operands != NULL)
		fprintf(out, " %s", c->operands);
	fputc('\n', out);
}

static void help_exits(FILE *out, const vy_cli_prog *p)
{
	fprintf(out, "\nExit status:\n");
	for (const vy_cli_exit_status *e = common_exits; e->meaning != NULL; e++)
		fprintf(out, "  %d  %s\n", e->status, e->meaning);
	for (const vy_cli_exit_status *e = p->more_exits; e != NULL && e->meaning != NULL; e++) {
		fprintf(out, "  %d  ", e->status);
		wrap(out, e->meaning, 5, 5);
	}
}

static void help_command(FILE *out, const vy_cli_prog *p, const vy_cli_cmd *c)
{
	fprintf(out, "Usage: ");
	usage_line(out, p, c);
	wrap(out, c->help, 0, 0);
	fprintf(out, "\nOptions:\n");
	for (size_t i = 0; i < n_opts(c); i++)
		help_option(out, &c->opts[i]);
	help_option(out, &(vy_cli_opt){ "help", NULL, VY_CLI_OPTIONAL, "show this help and exit" });
	help_exits(out, p);
}

/* The program's help: every command's usage line, the description, every
 * command's options, then the common options and the exit statuses. The
 * layout is the one help2man reads (the manual page is made from it). */
static void help_program(FILE *out, const vy_cli_prog *p)
{
	for (const vy_cli_cmd *c = p->cmds; c->name != NULL; c++) {
		fprintf(out, c == p->cmds ? "Usage: " : "  or:  ");
		usage_line(out, p, c);
	}
	fprintf(out, "  or:  %s [COMMAND] --help\n  or:  %s --version\n", p->name, p->name);
	wrap(out, p->help, 0, 0);
	for (const vy_cli_cmd *c = p->cmds; c->name != NULL; c++) {
		fprintf(out, "\nCommand %s:\n%*s", c->name, TEXT_INDENT, "");
		wrap(out, c->help, TEXT_INDENT, TEXT_INDENT);
		for (size_t i = 0; i < n_opts(c); i++)
			help_option(out, &c->opts[i]);
	}
	fprintf(out, "\nOptions:\n");
	help_option(out, &(vy_cli_opt){ "help", NULL, VY_CLI_OPTIONAL,
					 "show this help (after a command: the command's) and exit" });
	help_option(out, &(vy_cli_opt){ "version", NULL, VY_CLI_OPTIONAL, "show the version and exit" });
	help_exits(out, p);
}

void vy_cli_help(FILE *out, const vy_cli_prog *p, const vy_cli_cmd *cmd)
{
	if (cmd != NULL)
		help_command(out, p, cmd);
	else
		help_program(out, p);
}

/* ---- errors ---- */

/* "PROGRAM[ COMMAND]: <message>" and the hint, on err; VY_EXIT_USAGE. */
static int usage_errorv(FILE *err, const vy_cli_prog *p, const vy_cli_cmd *c, const char *fmt, va_list ap)
{
	fprintf(err, "%s%s%s: ", p->name, c ? " " : "", c ? c->name : "");
	vfprintf(err, fmt, ap);
	fprintf(err, "\nTry '%s%s%s --help'.\n", p->name, c ? " " : "", c ? c->name : "");
	return VY_EXIT_USAGE;
}

__attribute__((format(printf, 4, 5))) static int usage_error(FILE *err, const vy_cli_prog *p, const vy_cli_cmd *c,
							     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = usage_errorv(err, p, c, fmt, ap);
	va_end(ap);
	return rc;
}

int vy_cli_usage_error(const vy_cli_args *a, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = usage_errorv(stderr, a->prog, a->cmd, fmt, ap);
	va_end(ap);
	return rc;
}

int vy_cli_exit(vy_rc rc)
{
	if (rc == VY_R_OK)
		return VY_EXIT_OK;
	return rc == VY_R_IO || rc == VY_R_NOMEM ? VY_EXIT_IO : VY_EXIT_FAILED;
}

/* ---- parsing ---- */

static const vy_cli_cmd *find_command(const vy_cli_prog *p, const char *name)
{
	for (const vy_cli_cmd *c = p->cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* What getopt_long refused (opterr off), named as it was written: tok is
 * the word it stopped after. A known long option there means the error
 * was a short option within a word ("-xy"). */
static int bad_option(FILE *err, const vy_cli_prog *p, const vy_cli_cmd *c, int ret, char **av, int ai)
{
	const char *tok = ai > 0 ? av[ai - 1] : "";

	if (ret == ':')
		return usage_error(err, p, c, "option '%s' needs an argument", tok);
	if (strncmp(tok, "--", 2) == 0) {
		size_t k = strcspn(tok + 2, "=");

		for (size_t i = 0; i < n_opts(c); i++)
			if (strncmp(tok + 2, c->opts[i].name, k) == 0 && c->opts[i].name[k] == '\0') {
				if (c->opts[i].arg == NULL && tok[2 + k] == '=')
					return usage_error(err, p, c, "option '--%s' takes no argument", c->opts[i].name);
				k = 0; /* known and well written: not the culprit */
				break;
			}
		if (k > 0)
			return usage_error(err, p, c, "unknown option '%s'", tok);
	}
	if (optopt > 0 && optopt < OPT_VAL(0))
		return usage_error(err, p, c, "unknown option '-%c'", optopt);
	return usage_error(err, p, c, "unknown option '%s'", tok);
}

/* One option found by getopt_long. */
static int take_option(vy_cli_args *a, FILE *err, size_t i, const char *value)
{
	const vy_cli_opt *o = &a->cmd->opts[i];

	if (o->how == VY_CLI_REPEAT) {
		if (a->n_repeated == VY_CLI_MAX_REPEATS)
			return usage_error(err, a->prog, a->cmd, "--%s given more than %d times", o->name,
					   VY_CLI_MAX_REPEATS);
		a->repeated[a->n_repeated] = value;
		a->repeated_opt[a->n_repeated++] = (unsigned char)i;
	} else if (a->count[i] > 0) {
		return usage_error(err, a->prog, a->cmd, "--%s given twice", o->name);
	}
	a->value[i] = value;
	a->count[i]++;
	return 0;
}

/* Every required option and the number of operands. */
static int check_complete(const vy_cli_args *a, FILE *err)
{
	const vy_cli_cmd *c = a->cmd;

	for (size_t i = 0; i < n_opts(c); i++)
		if (c->opts[i].how == VY_CLI_REQUIRED && a->value[i] == NULL)
			return usage_error(err, a->prog, c, "missing --%s%s%s", c->opts[i].name,
					   c->opts[i].arg ? " " : "", c->opts[i].arg ? c->opts[i].arg : "");
	if (a->n_operands < c->min_operands)
		return usage_error(err, a->prog, c, "missing %s", c->operands ? c->operands : "operand");
	if (c->max_operands >= 0 && a->n_operands > c->max_operands)
		return usage_error(err, a->prog, c, "unexpected argument '%s'", a->operands[c->max_operands]);
	return VY_CLI_RUN;
}

/* The options and operands of command c: av[0] is its name. */
static int parse_command(vy_cli_args *a, int ac, char **av, FILE *out, FILE *err)
{
	const vy_cli_cmd *c = a->cmd;
	struct option lo[VY_CLI_MAX_OPTS + 2];
	size_t n = n_opts(c);
	int ret;

	if (n > VY_CLI_MAX_OPTS) {
		fprintf(err, "%s %s: too many options in the program's table\n", a->prog->name, c->name);
		abort();
	}
	for (size_t i = 0; i < n; i++)
		lo[i] = (struct option){ c->opts[i].name, c->opts[i].arg ? required_argument : no_argument, NULL,
					 OPT_VAL((int)i) };
	lo[n] = (struct option){ "help", no_argument, NULL, VAL_HELP };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0; /* glibc: start afresh */
	opterr = 0;
	while ((ret = getopt_long(ac, av, ":", lo, NULL)) != -1) {
		if (ret == VAL_HELP) {
			help_command(out, a->prog, c);
			return VY_EXIT_OK;
		}
		if (ret < OPT_VAL(0))
			return bad_option(err, a->prog, c, ret, av, optind);
		if (take_option(a, err, (size_t)(ret - OPT_VAL(0)), optarg ? optarg : "") != 0)
			return VY_EXIT_USAGE;
	}
	a->operands = av + optind;
	a->n_operands = ac - optind;
	return check_complete(a, err);
}

int vy_cli_parse(vy_cli_args *a, const vy_cli_prog *p, int argc, char **argv, FILE *out, FILE *err)
{
	const char *first = argc >= 2 ? argv[1] : NULL;

	memset(a, 0, sizeof *a);
	a->prog = p;
	if (first == NULL)
		return usage_error(err, p, NULL, "no command given");
	if (strcmp(first, "--help") == 0) {
		help_program(out, p);
		return VY_EXIT_OK;
	}
	if (strcmp(first, "--version") == 0) {
		fprintf(out, "%s (Vybar) %s\n", p->name, VYBAR_VERSION);
		return VY_EXIT_OK;
	}
	if (first[0] == '-')
		return usage_error(err, p, NULL, "unknown option '%s' (the command comes first)", first);
	a->cmd = find_command(p, first);
	if (a->cmd == NULL)
		return usage_error(err, p, NULL, "unknown command '%s'", first);
	return parse_command(a, argc - 1, argv + 1, out, err);
}

int vy_cli_main(const vy_cli_prog *p, int argc, char **argv)
{
	vy_cli_args a;
	int rc = vy_cli_parse(&a, p, argc, argv, stdout, stderr);

	if (rc != VY_CLI_RUN)
		return rc;
	return a.cmd->run(&a);
}

/* ---- values ---- */

/* The index of --name among c's options, or n_opts(c). */
static size_t find_opt(const vy_cli_cmd *c, const char *name)
{
	size_t i = 0;

	while (i < n_opts(c) && strcmp(c->opts[i].name, name) != 0)
		i++;
	return i;
}

int vy_cli_has_opt(const vy_cli_cmd *c, const char *name)
{
	return find_opt(c, name) < n_opts(c);
}

static size_t opt_index(const vy_cli_args *a, const char *name)
{
	size_t i = find_opt(a->cmd, name);

	if (i < n_opts(a->cmd))
		return i;
	fprintf(stderr, "%s %s: the program asked for --%s, which the command does not have\n", a->prog->name,
		a->cmd->name, name);
	abort();
}

const char *vy_cli_get(const vy_cli_args *a, const char *name)
{
	return a->value[opt_index(a, name)];
}

int vy_cli_flag(const vy_cli_args *a, const char *name)
{
	return a->count[opt_index(a, name)] > 0;
}

size_t vy_cli_all(const vy_cli_args *a, const char *name, const char **out, size_t max)
{
	size_t i = opt_index(a, name), n = 0;

	for (size_t k = 0; k < a->n_repeated && n < max; k++)
		if (a->repeated_opt[k] == i)
			out[n++] = a->repeated[k];
	return n;
}

int vy_cli_ulong(const vy_cli_args *a, const char *name, unsigned long lo, unsigned long hi, unsigned long *out)
{
	const char *s = vy_cli_get(a, name);
	unsigned long v;
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] < '0' || s[0] > '9' || v < lo || v > hi)
		return vy_cli_usage_error(a, "--%s needs a number from %lu to %lu, not '%s'", name, lo, hi, s);
	*out = v;
	return 0;
}

int vy_cli_double(const vy_cli_args *a, const char *name, double lo, double hi, double *out)
{
	const char *s = vy_cli_get(a, name);
	double v;
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < lo || v > hi)
		return vy_cli_usage_error(a, "--%s needs a number from %g to %g, not '%s'", name, lo, hi, s);
	*out = v;
	return 0;
}
