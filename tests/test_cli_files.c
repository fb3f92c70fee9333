/*
 * Files and key files the way every program reads and writes them
 * (cli/vy_files.h, cli/vy_keys.h): the size cap, exclusive creation with an
 * exact mode, atomic replacement that leaves no temporary file, streamed
 * writers that leave nothing behind when aborted, and the plain key file.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/vy_files.h"
#include "cli/vy_keys.h"
#include "tests/support/vytest.h"

#define PATH_BYTES 512
#define PATHS_HELD 4
#define HEX64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static char dir[PATH_BYTES];

static int setup(void **state)
{
	(void)state;
	vytest_init();
	snprintf(dir, sizeof dir, "%s/vybar-files.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	vytest_remove_dir(dir);
	return 0;
}

/* dir/name, in one of a few buffers used in turn (a test holds at most
 * PATHS_HELD of them at once). */
static const char *path_of(const char *name)
{
	static char paths[PATHS_HELD][2 * PATH_BYTES];
	static size_t next;
	char *path = paths[next++ % PATHS_HELD];

	snprintf(path, sizeof paths[0], "%s/%s", dir, name);
	return path;
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

/* Nothing in the directory but the named files (no temporary left). */
static void only_files(size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t k = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			assert_null(strstr(e->d_name, ".tmp-"));
			k++;
		}
	closedir(d);
	assert_int_equal(k, n);
}

static void test_read(void **state)
{
	const char *p = path_of("read.txt");
	uint8_t *buf;
	size_t len;
	vy_reason why;

	(void)state;
	vytest_write_file(p, (const uint8_t *)"hello", 5);
	assert_int_equal(vy_file_read(&buf, &len, p, 5, 0, &why), VY_R_OK);
	assert_int_equal(len, 5);
	assert_string_equal((char *)buf, "hello"); /* NUL after the bytes */
	free(buf);
	assert_int_equal(vy_file_read(&buf, &len, p, 4, 0, &why), VY_R_TOO_LARGE);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(vy_file_read(&buf, &len, path_of("none"), 100, 0, &why), VY_R_IO);
	assert_non_null(strstr(why.msg, "none"));
	/* a file whose size stat does not tell: read by growing */
	assert_int_equal(vy_file_read(&buf, &len, "/proc/self/status", 1 << 20, 0, &why), VY_R_OK);
	assert_true(len > 0);
	assert_int_equal(strlen((char *)buf), len);
	assert_non_null(strstr((char *)buf, "Name:"));
	free(buf);
	assert_int_equal(vy_file_read(&buf, &len, "/proc/self/status", 10, 0, &why), VY_R_TOO_LARGE);
	/* an empty file */
	vytest_write_file(p, (const uint8_t *)"", 0);
	assert_int_equal(vy_file_read(&buf, &len, p, 0, 0, &why), VY_R_OK);
	assert_int_equal(len, 0);
	assert_string_equal((char *)buf, "");
	free(buf);
	/* VY_FILE_PRIVATE refuses what group or others may read */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(vy_file_read(&buf, &len, p, 10, VY_FILE_PRIVATE, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "must not be readable by group or others"));
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(vy_file_read(&buf, &len, p, 10, VY_FILE_PRIVATE, &why), VY_R_OK);
	free(buf);
	unlink(p);
}

/* vy_file_create: the exact mode whatever the umask, never over a file. */
static void test_create(void **state)
{
	const char *p = path_of("new.txt");
	mode_t old = umask(077);
	char *text;
	vy_reason why;

	(void)state;
	assert_int_equal(vy_file_create(p, VY_FILE_MODE_PUBLIC, "one", 3, &why), VY_R_OK);
	assert_int_equal(mode_of(p), 0644);
	assert_int_equal(vy_file_create(p, VY_FILE_MODE_SECRET, "two", 3, &why), VY_R_IO);
	assert_non_null(strstr(why.msg, "exists"));
	text = vytest_read_file(p, NULL);
	assert_string_equal(text, "one");
	free(text);
	unlink(p);
	umask(0);
	assert_int_equal(vy_file_create(p, VY_FILE_MODE_SECRET, NULL, 0, &why), VY_R_OK);
	assert_int_equal(mode_of(p), 0600);
	unlink(p);
	umask(old);
	assert_int_equal(vy_file_create(path_of("no/such/dir"), 0600, "x", 1, &why), VY_R_IO);
	only_files(0);
}

/* vy_file_replace: the new content and mode, no temporary file left. */
static void test_replace(void **state)
{
	const char *p = path_of("port");
	char *text;
	vy_reason why;

	(void)state;
	assert_int_equal(vy_file_replace(p, VY_FILE_MODE_SECRET, "8080\n", 5, &why), VY_R_OK);
	assert_int_equal(vy_file_replace(p, VY_FILE_MODE_PUBLIC, "9090\n", 5, &why), VY_R_OK);
	text = vytest_read_file(p, NULL);
	assert_string_equal(text, "9090\n");
	free(text);
	assert_int_equal(mode_of(p), 0644);
	only_files(1);
	unlink(p);
}

/* Streamed writers: committed whole, or nothing left when aborted. */
static void test_writer(void **state)
{
	const char *p = path_of("stream");
	vy_file_writer w;
	char *text;
	vy_reason why;

	(void)state;
	assert_int_equal(vy_file_writer_open(&w, p, VY_FILE_MODE_SECRET, VY_FILE_NEW, &why), VY_R_OK);
	for (int i = 0; i < 10000; i++)
		fprintf(w.f, "line %d\n", i);
	assert_int_equal(vy_file_writer_commit(&w, &why), VY_R_OK);
	text = vytest_read_file(p, NULL);
	assert_non_null(strstr(text, "line 9999\n"));
	free(text);
	/* a replacement aborted half way: the old file stays, nothing else */
	assert_int_equal(vy_file_writer_open(&w, p, VY_FILE_MODE_PUBLIC, VY_FILE_REPLACE, &why), VY_R_OK);
	fprintf(w.f, "half");
	vy_file_writer_abort(&w);
	text = vytest_read_file(p, NULL);
	assert_non_null(strstr(text, "line 0\n"));
	free(text);
	only_files(1);
	unlink(p);
	/* a new file aborted: gone */
	assert_int_equal(vy_file_writer_open(&w, p, VY_FILE_MODE_SECRET, VY_FILE_NEW, &why), VY_R_OK);
	fprintf(w.f, "half");
	vy_file_writer_abort(&w);
	only_files(0);
}

/* The plain key file: hex and a newline, mode 0600; its Ed25519 key. */
static void test_key_file(void **state)
{
	const char *p = path_of("key");
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], pk2[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t secret[32], back[32];
	size_t len;
	char *text;
	vy_reason why;

	(void)state;
	assert_int_equal(vy_key_generate(pk, p, &why), VY_R_OK);
	assert_int_equal(mode_of(p), 0600);
	text = vytest_read_file(p, &len);
	assert_int_equal(len, 65);
	assert_int_equal(text[64], '\n');
	free(text);
	assert_int_equal(vy_key_load(sk, pk2, p, &why), VY_R_OK);
	assert_memory_equal(pk, pk2, sizeof pk);
	assert_int_equal(vy_key_generate(pk, p, &why), VY_R_IO); /* never over a key */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(vy_key_load(sk, pk2, p, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "must not be readable by group or others"));
	unlink(p);
	/* any secret; 64 hex characters without the newline too; nothing else */
	memset(secret, 0xa5, sizeof secret);
	assert_int_equal(vy_key_file_write(p, secret, sizeof secret, &why), VY_R_OK);
	assert_int_equal(vy_key_file_read(back, p, sizeof back, &why), VY_R_OK);
	assert_memory_equal(secret, back, sizeof secret);
	assert_int_equal(vy_key_file_read(back, p, 16, &why), VY_R_KEY);
	unlink(p);
	memset(back, 0, sizeof back);
	assert_int_equal(vy_file_create(p, 0600, HEX64, 64, &why), VY_R_OK);
	assert_int_equal(vy_key_file_read(back, p, sizeof back, &why), VY_R_OK);
	unlink(p);
	assert_int_equal(vy_file_create(p, 0600, "zz", 2, &why), VY_R_OK);
	assert_int_equal(vy_key_file_read(back, p, sizeof back, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "must hold 64 hex characters and a newline"));
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),   cmocka_unit_test(test_create),	 cmocka_unit_test(test_replace),
		cmocka_unit_test(test_writer), cmocka_unit_test(test_key_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
