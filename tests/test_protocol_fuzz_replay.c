/*
 * Replays the fuzz corpus (tests/fuzz/corpus/) through the harness, and
 * every truncation and a sweep of byte flips of each seed: no input may
 * crash, leak or trip a sanitizer. Decoding outcomes are asserted in
 * test_protocol_codec.c.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_protocol.c"
#include "tests/support/vytest.h"

#define MAX_FLIPS 1024
#define MAX_CUTS 512

static void replay_mutations(const uint8_t *buf, size_t len)
{
	uint8_t *m = malloc(len ? len : 1);
	size_t step;

	assert_non_null(m);
	step = len / MAX_CUTS + 1;
	for (size_t n = 0; n <= len; n += step)
		LLVMFuzzerTestOneInput(buf, n);
	for (size_t n = len > 8 ? len - 8 : 0; n < len; n++)
		LLVMFuzzerTestOneInput(buf, n);
	memcpy(m, buf, len);
	step = len / MAX_FLIPS + 1;
	for (size_t i = 1; i < len; i += step) {
		m[i] ^= 0x5a;
		LLVMFuzzerTestOneInput(m, len);
		m[0] = (uint8_t)(m[0] + 1); /* the same bytes through another decoder */
		LLVMFuzzerTestOneInput(m, len);
		m[0] = buf[0];
		m[i] = buf[i];
	}
	free(m);
}

static void test_corpus(void **state)
{
	const char *dir = vytest_source_path("tests/fuzz/corpus");
	char path[4096];
	struct dirent *d;
	size_t files = 0;
	DIR *dp;

	(void)state;
	vytest_init();
	snprintf(path, sizeof path, "%s", dir);
	dp = opendir(path);
	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL) {
		char file[4352];
		size_t len;
		char *buf;

		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "%s/%s", path, d->d_name);
		buf = vytest_read_file(file, &len);
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		replay_mutations((const uint8_t *)buf, len);
		free(buf);
		files++;
	}
	closedir(dp);
	assert_true(files >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
