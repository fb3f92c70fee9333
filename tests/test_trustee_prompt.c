/*
 * The passphrase prompt of vybar-trustee on a terminal (specs/trustee.md
 * §1): `keygen` runs on a pseudo-terminal (forkpty) and the test types at
 * the prompts. Echo is off (what is typed never shows on the terminal), a
 * mismatch is refused with no key written, and the key made through the
 * prompt opens with the same passphrase from --passphrase-file.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/protocol_fixtures.h"

#ifndef VYBAR_TRUSTEE_PROGRAM
#error "VYBAR_TRUSTEE_PROGRAM is set by tests/CMakeLists.txt"
#endif

#define PATH 512
#define SCREEN_BYTES 65536
#define WAIT_MS 60000 /* a hang guard only: each read normally returns at once */
#define TYPED "Tr0ub4dor&3-typed-at-the-prompt"

/* A program on a pseudo-terminal and everything it wrote there. */
typedef struct {
	int master;
	pid_t pid;
	char screen[SCREEN_BYTES];
	size_t n;
} term;

/* Start argv on a new pseudo-terminal (its controlling terminal). */
static void term_start(term *t, const char *const *argv)
{
	memset(t, 0, sizeof *t);
	t->pid = forkpty(&t->master, NULL, NULL, NULL);
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
}

/* Read what the program writes; 1 once want appears after offset from
 * (want NULL: until the program closes the terminal), 0 at the end. */
static int term_wait(term *t, const char *want, size_t from)
{
	for (;;) {
		struct pollfd p = { .fd = t->master, .events = POLLIN };
		ssize_t r;

		if (want != NULL && t->n > from && strstr(t->screen + from, want) != NULL)
			return 1;
		if (poll(&p, 1, WAIT_MS) <= 0)
			fail_msg("the program wrote nothing for a minute; screen so far: %s", t->screen);
		r = read(t->master, t->screen + t->n, sizeof t->screen - 1 - t->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) /* EIO: the program closed the terminal */
			return 0;
		t->n += (size_t)r;
		t->screen[t->n] = 0;
	}
}

/* Wait for the prompt, then type line and Enter. */
static void term_answer(term *t, const char *prompt, const char *line)
{
	size_t from = t->n;

	if (!term_wait(t, prompt, from))
		fail_msg("no prompt \"%s\"; screen: %s", prompt, t->screen);
	assert_int_equal(write(t->master, line, strlen(line)), (ssize_t)strlen(line));
	assert_int_equal(write(t->master, "\n", 1), 1);
}

/* Read to the end; the exit status. */
static int term_finish(term *t)
{
	int st;

	(void)term_wait(t, NULL, 0);
	assert_int_equal(waitpid(t->pid, &st, 0), t->pid);
	close(t->master);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A record whose manifest names the key (hex) as trustee 1 of 1. */
static void record_naming(const char *path, const char *hex)
{
	vyf_record r;
	FILE *f;

	memset(&r, 0, sizeof r);
	vyf_keys_init(&r.keys, 1, 1);
	assert_int_equal(sodium_hex2bin(r.keys.trustee_pk[0], 32, hex, 64, NULL, NULL, NULL), 0);
	vy_record_state_init(&r.st);
	r.manifest_bytes = vyf_manifest_pack(&r.keys, &r.manifest_len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r.manifest_bytes, r.manifest_len);
	f = fopen(path, "wb");
	assert_non_null(f);
	vyf_record_write(&r, f);
	assert_int_equal(fclose(f), 0);
	vyf_record_free(&r);
}

static void write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Control: on this pseudo-terminal a plain `read` does echo what is typed,
 * so the checks below would see an echoed passphrase. */
static void test_pty_echoes_by_default(void **state)
{
	const char *const argv[] = { "/bin/sh", "-c", "printf 'Say: '; read x", NULL };
	term t;

	(void)state;
	term_start(&t, argv);
	term_answer(&t, "Say: ", TYPED);
	assert_int_equal(term_finish(&t), 0);
	assert_non_null(strstr(t.screen, TYPED));
}

/* keygen on a terminal: two prompts, no echo, then the key opens from a file. */
static void test_prompt_keygen(void **state)
{
	char dir[64], kdir[PATH], pass[PATH], wrong[PATH], rec[PATH], hex[65], err[4096];
	const char *argv[] = { VYBAR_TRUSTEE_PROGRAM, "keygen", "--dir", kdir, NULL };
	const char *p;
	term t;

	(void)state;
	vytest_init();
	snprintf(dir, sizeof dir, "/tmp/vytrustee-pty.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(kdir, sizeof kdir, "%s/t", dir);
	snprintf(pass, sizeof pass, "%s/pass", dir);
	snprintf(wrong, sizeof wrong, "%s/wrong", dir);
	snprintf(rec, sizeof rec, "%s/record", dir);
	term_start(&t, argv);
	term_answer(&t, "Passphrase: ", TYPED);
	term_answer(&t, "Passphrase again: ", TYPED);
	if (term_finish(&t) != 0)
		fail_msg("keygen on the terminal failed: %s", t.screen);
	/* echo was off: the passphrase never reached the screen */
	assert_null(strstr(t.screen, TYPED));
	assert_null(strstr(t.screen, "Tr0ub"));
	/* the signing key is printed: 64 hex digits on their own line */
	p = strstr(t.screen, "Passphrase again: ");
	assert_non_null(p);
	p += strlen("Passphrase again: ");
	while (*p == '\r' || *p == '\n')
		p++;
	assert_true(strspn(p, "0123456789abcdef") == 64);
	memcpy(hex, p, 64);
	hex[64] = 0;
	/* the same passphrase from a file opens the key: the record names it as trustee 1 */
	record_naming(rec, hex);
	write_text(pass, TYPED "\n");
	{
		const char *args[] = { "status", "--dir", kdir, "--passphrase-file", pass, "--record", rec, NULL };

		if (vytest_spawn(VYBAR_TRUSTEE_PROGRAM, args, NULL, 0, err, sizeof err) != 0)
			fail_msg("status with the typed passphrase: %s", err);
	}
	write_text(wrong, TYPED "x\n");
	{
		const char *args[] = { "status", "--dir", kdir, "--passphrase-file", wrong, "--record", rec, NULL };

		assert_int_equal(vytest_spawn(VYBAR_TRUSTEE_PROGRAM, args, NULL, 0, err, sizeof err), 1);
		assert_non_null(strstr(err, "wrong passphrase"));
	}
	vytest_remove_dir(dir);
}

/* Two different passphrases: refused, and no key is written. */
static void test_prompt_mismatch(void **state)
{
	char dir[64], kdir[PATH], key[PATH + 8];
	const char *argv[] = { VYBAR_TRUSTEE_PROGRAM, "keygen", "--dir", kdir, NULL };
	term t;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vytrustee-pty.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(kdir, sizeof kdir, "%s/t", dir);
	snprintf(key, sizeof key, "%s/key", kdir);
	term_start(&t, argv);
	term_answer(&t, "Passphrase: ", TYPED);
	term_answer(&t, "Passphrase again: ", TYPED "!");
	assert_int_equal(term_finish(&t), 1);
	assert_non_null(strstr(t.screen, "the two passphrases differ"));
	assert_null(strstr(t.screen, TYPED));
	assert_int_equal(access(key, F_OK), -1);
	/* an empty passphrase is refused too */
	term_start(&t, argv);
	term_answer(&t, "Passphrase: ", "");
	term_answer(&t, "Passphrase again: ", "");
	assert_int_equal(term_finish(&t), 1);
	assert_non_null(strstr(t.screen, "empty passphrase"));
	assert_int_equal(access(key, F_OK), -1);
	vytest_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pty_echoes_by_default),
		cmocka_unit_test(test_prompt_keygen),
		cmocka_unit_test(test_prompt_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
