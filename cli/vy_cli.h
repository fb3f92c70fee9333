/*
 * The command line of every Vybar program, declared once, as a table.
 *
 * A program is a list of commands (vybar-board keygen, vybar-board serve,
 * ...); a command is a list of long options, each with the name of its
 * argument (none for a flag), whether it is required, and one line of help.
 * From that one table come the parsing (getopt_long), the usage lines, the
 * text of --help (for the program and for each command, on standard
 * output; the build turns the program's into its manual page), --version,
 * and the message of a wrong command line (on standard error, naming the
 * option or command, then "Try 'PROGRAM [COMMAND] --help'.", exit status 2).
 *
 * The exit statuses are the same in every program (VY_EXIT_*, and the
 * "Exit status" section of each program's spec).
 */
#ifndef VY_CLI_H
#define VY_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "protocol/vy_protocol.h"

/* ---- exit statuses, the same in every program ---- */
#define VY_EXIT_OK 0     /* done: what was asked holds */
#define VY_EXIT_FAILED 1 /* refused or failed: a check failed, a server or the record said no */
#define VY_EXIT_USAGE 2  /* the command line is wrong: nothing was done */
#define VY_EXIT_IO 3     /* an I/O, network or system error: nothing was decided */
/* vybar-verify record: every check held, but the record has no result yet. */
#define VY_EXIT_INCOMPLETE 4

/* vy_cli_parse's answer when the command is to run. */
#define VY_CLI_RUN (-1)

/* At most this many options per command, and values of repeated options. */
#define VY_CLI_MAX_OPTS 32
#define VY_CLI_MAX_REPEATS 256

/* How an option may be given. */
typedef enum {
	VY_CLI_OPTIONAL = 0, /* at most once */
	VY_CLI_REQUIRED,     /* exactly once */
	VY_CLI_REPEAT,       /* any number of times (its values: vy_cli_all) */
} vy_cli_how;

/* One option: --name, or --name ARG. */
typedef struct {
	const char *name; /* without the leading "--"; NULL ends a table */
	const char *arg;  /* the argument's name in the help ("FILE"); NULL: a flag */
	vy_cli_how how;
	const char *help; /* what it is, in a few words */
} vy_cli_opt;

typedef struct vy_cli_args vy_cli_args;

/* One command: PROGRAM NAME [options] [operands]. */
typedef struct {
	const char *name;     /* NULL ends a table */
	const char *operands; /* the operands in the usage line ("SOURCE"); NULL: none */
	int min_operands;
	int max_operands;     /* -1: any number */
	const char *help;     /* what the command does, a sentence or two */
	const vy_cli_opt *opts;
	int (*run)(const vy_cli_args *a); /* its exit status */
} vy_cli_cmd;

/* An exit status a program has beyond VY_EXIT_OK..VY_EXIT_IO. */
typedef struct {
	int status;
	const char *meaning;
} vy_cli_exit_status;

/* A program. */
typedef struct {
	const char *name; /* "vybar-board" */
	const char *help; /* what the program is, a sentence or two */
	const vy_cli_cmd *cmds;
	const vy_cli_exit_status *more_exits; /* ends with { 0, NULL }; NULL: none */
} vy_cli_prog;

/* A parsed command line. The values point into argv. */
struct vy_cli_args {
	const vy_cli_prog *prog;
	const vy_cli_cmd *cmd;
	const char *value[VY_CLI_MAX_OPTS]; /* the option's value, "" for a flag given; NULL: absent */
	unsigned count[VY_CLI_MAX_OPTS];
	const char *repeated[VY_CLI_MAX_REPEATS]; /* every value of the VY_CLI_REPEAT options, in order */
	unsigned char repeated_opt[VY_CLI_MAX_REPEATS];
	size_t n_repeated;
	char **operands;
	int n_operands;
};

/* Parse argv against p: `PROGRAM --help`, `PROGRAM --version` and
 * `PROGRAM COMMAND --help` print on out and answer VY_EXIT_OK; a wrong
 * command line is explained on err and answers VY_EXIT_USAGE; otherwise a
 * holds the command and its values and the answer is VY_CLI_RUN. */
int vy_cli_parse(vy_cli_args *a, const vy_cli_prog *p, int argc, char **argv, FILE *out, FILE *err);

/* vy_cli_parse on standard output and error, then the command's run; the
 * exit status. */
int vy_cli_main(const vy_cli_prog *p, int argc, char **argv);

/* 1 if command c has the option --name. */
int vy_cli_has_opt(const vy_cli_cmd *c, const char *name);

/* The value of --name (NULL if absent; "" for a flag given). name must be
 * one of the command's options. */
const char *vy_cli_get(const vy_cli_args *a, const char *name);
/* 1 if --name was given. */
int vy_cli_flag(const vy_cli_args *a, const char *name);
/* The values of a repeated option, in order, into out (at most max); their
 * number. */
size_t vy_cli_all(const vy_cli_args *a, const char *name, const char **out, size_t max);

/* The value of --name as a whole number in lo..hi into *out (untouched
 * when the option is absent). 0, or VY_EXIT_USAGE after the message. */
int vy_cli_ulong(const vy_cli_args *a, const char *name, unsigned long lo, unsigned long hi, unsigned long *out);
/* The same for a decimal number. */
int vy_cli_double(const vy_cli_args *a, const char *name, double lo, double hi, double *out);

/* A usage error found by the program itself: "PROGRAM COMMAND: <message>"
 * and the hint on standard error; VY_EXIT_USAGE. */
int vy_cli_usage_error(const vy_cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The exit status of a reason code: VY_EXIT_OK, VY_EXIT_IO for I/O and
 * memory, VY_EXIT_FAILED for every other refusal. */
int vy_cli_exit(vy_rc rc);

/* The help of the program (cmd NULL) or of one of its commands. */
void vy_cli_help(FILE *out, const vy_cli_prog *p, const vy_cli_cmd *cmd);

/* The project's version ("0.1.0"). */
const char *vy_cli_version(void);

#endif
