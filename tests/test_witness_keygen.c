/*
 * vybar-witness keygen (specs/witness.md §7.2): the directory (0700), the
 * key file (0600) and the name, and the "NAME HEXKEY" line the commission
 * puts into the manifest; a refused name, an existing key; --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/vy_keys.h"
#include "tests/support/vytest.h"

#define OUT_BYTES 4096

static void test_keygen(void **state)
{
	char dir[] = "/tmp/vytest-witness-keygen-XXXXXX", wdir[512], key[600], name[600], out[OUT_BYTES];
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], pk2[crypto_sign_PUBLICKEYBYTES];
	uint8_t *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	vy_reason why = { 0 };
	struct stat st;
	char *text;
	size_t len;

	(void)state;
	assert_non_null(sk);
	assert_non_null(mkdtemp(dir));
	snprintf(wdir, sizeof wdir, "%s/w", dir);
	snprintf(key, sizeof key, "%s/key", wdir);
	snprintf(name, sizeof name, "%s/name", wdir);
	{
		const char *args[] = { "keygen", "--dir", wdir, "--name", "witness.example/1", NULL };

		assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, args), 0);
	}
	assert_int_equal(strncmp(out, "witness.example/1 ", 18), 0);
	assert_int_equal(strlen(out), 18 + 64 + 1);
	out[18 + 64] = '\0';
	assert_int_equal(vytest_unhex(pk, sizeof pk, out + 18), (long)sizeof pk);
	assert_int_equal(stat(wdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(vy_key_load(sk, pk2, key, &why), VY_R_OK);
	assert_memory_equal(pk, pk2, sizeof pk);
	text = vytest_read_file(name, &len);
	assert_int_equal(len, 17);
	assert_memory_equal(text, "witness.example/1", 17);
	free(text);
	vytest_hex(hex, pk, sizeof pk);
	assert_string_equal(hex, out + 18);
	{
		/* an existing key is never replaced */
		const char *args[] = { "keygen", "--dir", wdir, "--name", "other", NULL };

		assert_int_not_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, args), 0);
		assert_int_equal(vy_key_load(sk, pk2, key, &why), VY_R_OK);
		assert_memory_equal(pk, pk2, sizeof pk);
	}
	{
		/* a name a signed note cannot carry */
		const char *bad[] = { "a b", "a+b", "", NULL };

		for (size_t i = 0; bad[i] != NULL; i++) {
			const char *args[] = { "keygen", "--dir", dir, "--name", bad[i], NULL };

			assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, args), 2);
		}
	}
	sodium_free(sk);
	vytest_remove_dir(dir);
}

static void test_help(void **state)
{
	char out[OUT_BYTES];
	const char *a1[] = { "--help", NULL }, *a2[] = { "serve", "--help", NULL }, *a3[] = { "--version", NULL };

	(void)state;
	assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, a1), 0);
	assert_non_null(strstr(out, "keygen"));
	assert_non_null(strstr(out, "serve"));
	assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, a2), 0);
	assert_non_null(strstr(out, "--board URL"));
	assert_non_null(strstr(out, "--port-file"));
	assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_WITNESS_PROGRAM, a3), 0);
	assert_non_null(strstr(out, VYBAR_TEST_VERSION));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_help),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
