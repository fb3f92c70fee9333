#include "tests/support/vytest.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/vy_files.h"
#include "crypto/group_impl.h"

static vy_group toy;
static int toy_ready;

const vy_group *vytest_toy_group(void)
{
	if (!toy_ready) {
		vytest_init();
		assert_int_equal(vy_zp_group_init(&toy, VY_GROUP_TOY, "toy23", "17", "0b", "02"), VY_OK);
		toy_ready = 1;
	}
	return &toy;
}

void vytest_init(void)
{
	assert_int_equal(vy_init(), VY_OK);
}

const char *vytest_source_path(const char *rel)
{
	static char buf[4096];
	int n = snprintf(buf, sizeof buf, "%s/%s", VY_SOURCE_DIR, rel);
	assert_true(n > 0 && (size_t)n < sizeof buf);
	return buf;
}

char *vytest_read_file(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	vy_reason why;

	if (vy_file_read(&buf, &n, path, SIZE_MAX, 0, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	if (len != NULL)
		*len = n;
	return (char *)buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long vytest_unhex(uint8_t *out, size_t out_cap, const char *hex)
{
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > out_cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

void vytest_hex(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int vytest_run(char *out, size_t out_cap, int with_stderr, const char *program, const char *const *args)
{
	char cmd[4096];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof cmd, "%s", program);
	for (size_t i = 0; args[i] != NULL; i++) {
		strncat(cmd, " '", sizeof cmd - strlen(cmd) - 1);
		strncat(cmd, args[i], sizeof cmd - strlen(cmd) - 1);
		strncat(cmd, "'", sizeof cmd - strlen(cmd) - 1);
	}
	strncat(cmd, with_stderr ? " 2>&1" : " 2>/dev/null", sizeof cmd - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, out_cap - 1, p);
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

extern char **environ;

/* What the child wrote to f (an anonymous temporary file) into out. */
static void collect(FILE *f, char *out, size_t cap)
{
	size_t n = 0;

	if (out == NULL)
		return;
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
}

int vytest_spawn(const char *program, const char *const *args, char *out, size_t out_cap, char *err,
		 size_t err_cap)
{
	const char *argv[64];
	posix_spawn_file_actions_t fa;
	FILE *fo = tmpfile(), *fe = tmpfile();
	size_t n = 0;
	pid_t pid;
	int st;

	assert_non_null(fo);
	assert_non_null(fe);
	argv[n++] = program;
	for (; *args != NULL; args++) {
		assert_true(n + 1 < sizeof argv / sizeof argv[0]);
		argv[n++] = *args;
	}
	argv[n] = NULL;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0), 0);
	assert_int_equal(posix_spawn_file_actions_adddup2(&fa, fileno(fo), 1), 0);
	assert_int_equal(posix_spawn_file_actions_adddup2(&fa, fileno(fe), 2), 0);
	if (posix_spawn(&pid, program, &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot start %s", program);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	collect(fo, out, out_cap);
	collect(fe, err, err_cap);
	fclose(fo);
	fclose(fe);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void vytest_write_file(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void vytest_remove_dir(const char *dir)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof cmd, "rm -rf %s", dir);

	assert_true(n > 0 && (size_t)n < sizeof cmd);
	assert_int_equal(system(cmd), 0);
}

void vytest_put_frame(FILE *f, const uint8_t *b, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };

	assert_int_equal(fwrite(hdr, 1, 4, f), 4);
	assert_int_equal(fwrite(b, 1, len, f), len);
}

#define TRUSTEE_MSG_MAGIC "VYBAR-TRUSTEE-MSG/1\n"
#define TRUSTEE_MSG_HDR 28 /* magic (20), u32 type, u32 length */

uint8_t *vytest_trustee_msg(const char *path, uint32_t *type, size_t *len)
{
	size_t n;
	uint8_t *b = (uint8_t *)vytest_read_file(path, &n), *p;
	uint32_t plen;

	assert_true(n >= TRUSTEE_MSG_HDR);
	assert_memory_equal(b, TRUSTEE_MSG_MAGIC, 20);
	*type = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
	plen = (uint32_t)b[24] << 24 | (uint32_t)b[25] << 16 | (uint32_t)b[26] << 8 | b[27];
	assert_int_equal(plen, n - TRUSTEE_MSG_HDR);
	p = malloc(plen);
	assert_non_null(p);
	memcpy(p, b + TRUSTEE_MSG_HDR, plen);
	free(b);
	*len = plen;
	return p;
}

const char *vytest_program_for(const char *shipped, const char *cheat, const char *const *args)
{
	for (size_t i = 0; args[i] != NULL; i++)
		if (strncmp(args[i], "--test-", 7) == 0)
			return cheat;
	return shipped;
}
